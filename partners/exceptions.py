from core.exceptions import DomainError


class PartnerError(DomainError):
    """A seller rule refused the action (onboarding, status, shipping policy)."""


class DuplicateBusinessNumber(PartnerError):
    pass


class SellerPermissionDenied(PartnerError):
    """The actor may not act for this seller: not its staff, or not an operator."""

    def __init__(self, message: str = ""):
        super().__init__(message, code="permission_denied")
