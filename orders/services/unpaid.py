"""The shopper ends an order that is not paid yet (seed 001: "cancel before payment, immediate").

Until now only the expiry (30 minutes for an abandoned PG window, 72 hours for a virtual
account) ended such an order. The shopper may now cancel it from the order page: every line
is cancelled, the stock released, coupons and points given back, the move audited and the
shopper told — the same ending as an expiry (``payments._fail_order``), with its own status.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from core.outbox import notify
from orders.exceptions import PaymentError
from orders.models import Order, Payment
from orders.payments import GatewayError, PGStatus, get_gateway

from .payments import _fail_order, _locked, apply_pg_state

OP = Order.PaymentStatus
P = Payment.Status


def can_cancel_unpaid(order: Order) -> bool:
    payment = getattr(order, "payment", None)
    return (order.payment_status == OP.AWAITING and payment is not None
            and payment.status in (P.READY, P.WAITING_FOR_DEPOSIT))


def cancel_unpaid_order(*, order: Order, shopper) -> Order:
    """Cancel a whole order that has no payment yet; raises PaymentError changing nothing.

    Precondition: ``shopper`` placed the order, it is still AWAITING and its payment READY (the
    PG window was left) or WAITING_FOR_DEPOSIT (a virtual account was issued). An issued
    virtual account is closed at the PG first, outside any lock, with an idempotency key, so a
    deposit can no longer arrive; if the PG says the money already came in, the order is
    marked paid instead and the shopper is told to request a cancel (a refund) instead.
    Side effects, in one transaction: lines CANCELLED, stock released, coupons and points
    back, payment CANCELED, order CANCELLED, all audited; one "order cancelled" message.
    """
    if order.user_id != getattr(shopper, "pk", None):
        raise PaymentError(_("You may not cancel this order."), code="forbidden")
    payment = Payment.objects.get(order=order)
    if not can_cancel_unpaid(Order.objects.select_related("payment").get(pk=order.pk)):
        raise PaymentError(_("This order is not waiting for payment any more."), code="bad_status")
    if payment.status == P.WAITING_FOR_DEPOSIT and payment.payment_key:
        gateway = get_gateway(payment.gateway)
        try:
            pg = gateway.get_payment(payment_key=payment.payment_key)
            if pg.status == PGStatus.WAITING_FOR_DEPOSIT:
                pg = gateway.cancel(payment_key=payment.payment_key, amount=pg.balance_amount,
                                    reason=_("Cancelled by the shopper before payment"),
                                    idempotency_key=f"unpaid-cancel-{order.number}", refund_account=None)
        except GatewayError as exc:
            raise PaymentError(_("The payment service did not answer. Please try again in a moment."),
                               code="gateway") from exc
        if pg.status in (PGStatus.DONE, PGStatus.PARTIAL_CANCELED):
            with transaction.atomic():
                locked_order, locked_payment = _locked(order.pk)
                apply_pg_state(order=locked_order, payment=locked_payment, pg=pg, actor=shopper,
                               reason="deposit found when the shopper cancelled")
            raise PaymentError(_("Your deposit has arrived, so the order is paid. To cancel it now, request "
                                 "a cancel on the order page."), code="paid")
    with transaction.atomic():
        order, payment = _locked(order.pk)
        if order.payment_status != OP.AWAITING or payment.status not in (P.READY, P.WAITING_FOR_DEPOSIT):
            raise PaymentError(_("This order is not waiting for payment any more."), code="bad_status")
        reason = _("Cancelled by the shopper before payment")
        _fail_order(order, payment, payment_status=P.CANCELED, order_status=OP.CANCELLED, actor=shopper,
                    reason=reason)
        notify(event="order.cancelled_unpaid", key=order.number, context={"order": order},
               email=order.orderer_email, phone=order.orderer_phone, subject_object=order)
    return order
