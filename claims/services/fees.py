"""The exchange fee, collected (issue 9 point 3): an exchange has no refund to deduct it from, so the
shopper pays it through the PG as an extra payment with its own small checkout (the order's gateway,
its window and server-side confirm). When the exchange turns into a return the fee is no longer owed:
its payment is cancelled in full and the return's own fees come off the return's refund.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.exceptions import ClaimError
from claims.models import Claim, ClaimPayment
from orders.payments import GatewayError, get_gateway

from .common import locked_claim
from .rules import ClaimType, Status

FEE_PAYABLE = {Status.REQUESTED, Status.APPROVED, Status.PICKUP_STARTED, Status.PICKED_UP, Status.HELD}


def exchange_fee_due(claim: Claim) -> int:
    return max(0, claim.exchange_fee_amount - claim.exchange_fee_paid_amount) if claim.type == ClaimType.EXCHANGE \
        else 0


@dataclass
class _Line:
    product_name: str


@dataclass
class _Lines:
    rows: list = field(default_factory=list)

    def all(self):
        return self.rows


@dataclass
class _FeeOrder:
    """What a gateway's window reads of an order, for the fee's own checkout."""

    number: str
    orderer_name: str
    lines: _Lines


@dataclass
class _FeeCheckout:
    order: _FeeOrder
    amount: int
    method: str = "card"
    card_installment_months: int = 0


def start_exchange_fee_payment(*, claim_id: int, shopper, success_url: str, fail_url: str) -> str:
    """The shopper pays the exchange fee: a READY ClaimPayment and the PG window's URL."""
    with transaction.atomic():
        claim = locked_claim(claim_id)
        if claim.order.user_id != getattr(shopper, "pk", None):
            raise ClaimError(_("This is not your claim."), code="forbidden")
        due = exchange_fee_due(claim)
        if not due or claim.status not in FEE_PAYABLE:
            raise ClaimError(_("There is no exchange fee to pay now."), code="status")
        number = f"{claim.number}-F{claim.payments.count() + 1}"
        payment = ClaimPayment.objects.create(claim=claim, pg_order_id=number, gateway=settings.PAYMENT_GATEWAY,
                                              amount=due)
    checkout = _FeeCheckout(order=_FeeOrder(number=payment.pg_order_id, orderer_name=claim.order.orderer_name,
                                            lines=_Lines([_Line(_("Exchange fee %(number)s") % {
                                                "number": claim.number})])), amount=payment.amount)
    return get_gateway(payment.gateway).window_url(payment=checkout, success_url=success_url, fail_url=fail_url)


def confirm_exchange_fee_payment(*, pg_order_id: str, payment_key: str, amount: int, shopper) -> Claim:
    """The PG window came back: check the amount against ours, confirm server-to-server, record it."""
    payment = ClaimPayment.objects.select_related("claim__order").filter(pg_order_id=pg_order_id).first()
    if payment is None or payment.claim.order.user_id != getattr(shopper, "pk", None):
        raise ClaimError(_("We could not find that payment."), code="not_found")
    if payment.status == ClaimPayment.Status.DONE and payment.payment_key == payment_key:
        return payment.claim  # the success page was reloaded
    if payment.status != ClaimPayment.Status.READY or amount != payment.amount:
        raise ClaimError(_("This payment can no longer be made."), code="status")
    try:
        get_gateway(payment.gateway).confirm(payment_key=payment_key, order_id=pg_order_id, amount=amount)
    except GatewayError as exc:
        ClaimPayment.objects.filter(pk=payment.pk, status=ClaimPayment.Status.READY).update(
            status=ClaimPayment.Status.FAILED)
        raise ClaimError(_("The payment was declined: %(reason)s") % {"reason": exc.message}, code="declined") from exc
    with transaction.atomic():
        claim = locked_claim(payment.claim_id)
        payment = ClaimPayment.objects.select_for_update().get(pk=payment.pk)
        if payment.status == ClaimPayment.Status.READY:
            payment.status, payment.payment_key, payment.paid_at = ClaimPayment.Status.DONE, payment_key, timezone.now()
            payment.save(update_fields=["status", "payment_key", "paid_at"])
            claim.exchange_fee_paid_amount += payment.amount
            claim.save(update_fields=["exchange_fee_paid_amount", "updated_at"])
            from orders.services.lines import record_change_note

            record_change_note(claim, actor=shopper, note=_("Exchange fee paid: %(amount)s won") % {
                "amount": f"{payment.amount:,}"})
        return claim


def cancel_fee_payments(*, claim_id: int, reason: str) -> int:
    """Give back fee payments no longer owed (call after the commit that made them so; no lock held)."""
    cancelled = 0
    for payment in ClaimPayment.objects.filter(claim_id=claim_id, status=ClaimPayment.Status.DONE):
        get_gateway(payment.gateway).cancel(payment_key=payment.payment_key, amount=payment.amount,
                                            reason=reason[:200], idempotency_key=f"fee-{payment.pg_order_id}")
        with transaction.atomic():
            claim = locked_claim(claim_id)
            if ClaimPayment.objects.filter(pk=payment.pk, status=ClaimPayment.Status.DONE).update(
                    status=ClaimPayment.Status.CANCELLED):
                claim.exchange_fee_paid_amount -= payment.amount
                claim.save(update_fields=["exchange_fee_paid_amount", "updated_at"])
                cancelled += payment.amount
    return cancelled
