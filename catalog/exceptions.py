from core.exceptions import DomainError


class CatalogError(DomainError):
    """A catalog rule refused the action."""


class OutOfStock(CatalogError):
    pass


class InvalidImage(CatalogError):
    pass
