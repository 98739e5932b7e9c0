from core.exceptions import DomainError


class AccountError(DomainError):
    """An account or address-book rule refused the action."""


class EmailAlreadyRegistered(AccountError):
    pass


class AddressBookFull(AccountError):
    pass
