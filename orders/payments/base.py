"""What the shop needs from a PG, in the PG's own terms (modelled on Toss Payments' API).

The shop never trusts the browser: after the PG window redirects back with
(paymentKey, orderId, amount) the shop checks the amount against the stored order and then
*confirms* server-to-server. Webhooks are verified by the gateway and then reconciled by
re-fetching the payment, so whatever order events arrive in, the end state is the PG's.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class PGStatus(StrEnum):
    READY = "READY"
    IN_PROGRESS = "IN_PROGRESS"
    WAITING_FOR_DEPOSIT = "WAITING_FOR_DEPOSIT"
    DONE = "DONE"
    CANCELED = "CANCELED"
    PARTIAL_CANCELED = "PARTIAL_CANCELED"
    ABORTED = "ABORTED"
    EXPIRED = "EXPIRED"


class GatewayError(Exception):
    """The PG refused (``code`` is the PG's error code) or could not be reached (``retryable``)."""

    def __init__(self, message: str, *, code: str = "", retryable: bool = False, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.retryable = retryable
        self.status = status


@dataclass(frozen=True)
class RefundAccount:
    """Where a virtual-account payment is refunded (the shopper's own bank account)."""

    bank_code: str
    account_number: str
    holder_name: str


@dataclass
class PGCancel:
    amount: int
    reason: str
    transaction_key: str = ""
    canceled_at: datetime | None = None


@dataclass
class PGPayment:
    payment_key: str
    order_id: str
    status: PGStatus
    method: str
    total_amount: int
    balance_amount: int
    approved_at: datetime | None = None
    card_company: str = ""
    installment_months: int = 0
    bank_code: str = ""
    bank_name: str = ""
    account_number: str = ""
    account_holder: str = ""
    due_date: datetime | None = None
    secret: str = ""
    receipt_url: str = ""
    cancels: list[PGCancel] = field(default_factory=list)
    raw: dict = field(default_factory=dict)


@dataclass
class WebhookEvent:
    """A verified webhook: which payment it concerns. The handler re-fetches the payment."""

    event_id: str
    event_type: str
    payment_key: str = ""
    order_id: str = ""
    status: str = ""
    payload: dict = field(default_factory=dict)
    # False when nothing proves the PG sent it (Toss signs no payment webhook): the shop then stores
    # nothing until the PG, asked directly, reports a change.
    verified: bool = True


class PaymentGateway:
    """The PG interface. Amounts are whole won."""

    name = ""

    def window_url(self, *, payment, success_url: str, fail_url: str) -> str:
        """Where to send the shopper's browser to pay (the PG's payment window)."""
        raise NotImplementedError

    def confirm(self, *, payment_key: str, order_id: str, amount: int) -> PGPayment:
        raise NotImplementedError

    def get_payment(self, *, payment_key: str) -> PGPayment:
        raise NotImplementedError

    def cancel(self, *, payment_key: str, amount: int, reason: str, idempotency_key: str,
               refund_account: RefundAccount | None = None) -> PGPayment:
        """Cancel ``amount`` (all or part) of a payment; the same idempotency key cancels once."""
        raise NotImplementedError

    def parse_webhook(self, *, body: bytes, headers: dict) -> WebhookEvent:
        """Parse and verify a webhook; raise GatewayError (→ 4xx) if it is malformed or forged."""
        raise NotImplementedError
