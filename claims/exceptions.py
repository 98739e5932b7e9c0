from core.exceptions import DomainError


class ClaimError(DomainError):
    pass
