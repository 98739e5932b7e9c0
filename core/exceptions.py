class DomainError(Exception):
    """Base of every domain error: a rule of the business refused an action.

    Views turn it into a message for the person; its text is already translated.
    """

    def __init__(self, message: str = "", *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


class TransitionNotAllowed(DomainError):
    """A state machine was asked for a move its table does not allow."""

    def __init__(self, message: str = ""):
        super().__init__(message, code="transition_not_allowed")
