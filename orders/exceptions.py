from core.exceptions import DomainError


class OrderError(DomainError):
    """An order rule refused the action."""


class CartError(OrderError):
    pass


class CheckoutError(OrderError):
    pass


class PaymentError(OrderError):
    pass


class AmountMismatch(PaymentError):
    """The amount the browser brought back is not what the order asks for."""


class WebhookRejected(PaymentError):
    """A callback failed verification; the view answers 4xx and nothing changes."""
