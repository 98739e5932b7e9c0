"""Money received for an order the shop had already ended unpaid always goes back (issue 9).

A virtual-account deposit can cross the order's end: the expiry sweep read the PG ("still waiting"),
the shopper paid in that second, the sweep expired the order; or the PG's callback arrives after the
shopper's cancel. The PG then holds the shopper's money for a cancelled order. It is recorded
(``DepositAfterCancel``, one per payment) in the transaction that learns of it, and refunded through
the PG, outside any lock, with an idempotency key:

- a card-like payment (no account needed) is refunded at once, after the commit;
- a virtual account needs the shopper's refund account (the PG pays it back by bank transfer):
  the row waits in the console's list with the amount and the order, and the shopper is told to
  give CS the account; the operator enters it and refunds. A PG error leaves it "refund failed"
  with the PG's answer, to retry with the same key (never refunded twice).
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.outbox import notify
from core.transitions import move
from orders.exceptions import PaymentError
from orders.models import DepositAfterCancel, Order, Payment, PaymentCancel, PaymentMethod
from orders.payments import GatewayError, PGPayment, RefundAccount, get_gateway

from .lines import record_change_note

logger = logging.getLogger(__name__)
D = DepositAfterCancel.Status
# A deposit only ever goes back: waiting for the shopper's account or being refunded, refused by the PG
# (retried with the same key), refunded. A retry of a row already refunding calls the PG again with the
# same key and does not move it.
DEPOSIT_TRANSITIONS = {
    D.NEEDS_ACCOUNT: {D.REFUNDING},
    D.REFUNDING: {D.REFUNDED, D.REFUND_FAILED},
    D.REFUND_FAILED: {D.REFUNDING},
    D.REFUNDED: set(),
}


def record_deposit_after_cancel(*, order: Order, payment: Payment, pg: PGPayment, actor=None) -> DepositAfterCancel:
    """The PG reports money for ``order``, which ended unpaid (rows locked by the caller). Idempotent."""
    deposit, created = DepositAfterCancel.objects.get_or_create(payment=payment, defaults={
        "order": order, "amount": pg.balance_amount,
        "status": D.NEEDS_ACCOUNT if payment.method == PaymentMethod.VIRTUAL_ACCOUNT else D.REFUNDING,
    })
    if not created:
        return deposit
    logger.warning("order %s was %s when the PG captured %s won: recorded for refund", order.number,
                   order.payment_status, deposit.amount)
    record_change_note(order, actor=actor, field="payment_note", note=_(
        "%(amount)s won received after the order ended unpaid: to be refunded") % {"amount": f"{deposit.amount:,}"})
    notify(event="order.deposit_after_cancel", key=order.number, context={"order": order, "deposit": deposit},
           email=order.orderer_email, phone=order.orderer_phone, subject_object=order)
    if deposit.status == D.REFUNDING:
        transaction.on_commit(lambda: _queue_refund(deposit.pk))
    return deposit


def _queue_refund(deposit_id: int) -> None:
    from orders.tasks import refund_deposit_after_cancel as task

    try:
        task.delay(deposit_id)
    except Exception as exc:  # broker down: the console list shows it as refunding; retry from there
        logger.warning("could not queue the refund of deposit %s: %s", deposit_id, exc)


def refund_deposit_after_cancel(*, deposit_id: int, refund_account: RefundAccount | None = None,
                                actor=None) -> DepositAfterCancel:
    """Give a deposit-after-cancel back through the PG; raises PaymentError leaving it to retry.

    A virtual account needs ``refund_account`` (or one given before). The PG call runs with no lock
    held and the key ``deposit-after-cancel-<order number>``: a retry after a lost answer refunds once.
    """
    with transaction.atomic():
        deposit = DepositAfterCancel.objects.select_for_update().select_related("order", "payment").get(pk=deposit_id)
        if deposit.status == D.REFUNDED:
            return deposit
        if refund_account is not None:
            if not (refund_account.bank_code and refund_account.account_number and refund_account.holder_name):
                raise PaymentError(_("Enter the bank, the account number and the holder."), code="refund_account")
            deposit.refund_bank_code = refund_account.bank_code
            deposit.refund_account_number = refund_account.account_number
            deposit.refund_holder = refund_account.holder_name
        virtual_account = deposit.payment.method == PaymentMethod.VIRTUAL_ACCOUNT
        if virtual_account and not deposit.refund_account_number:
            raise PaymentError(_("A virtual-account deposit is refunded to the shopper's bank account: enter it."),
                               code="refund_account")
        account_fields = ("refund_bank_code", "refund_account_number", "refund_holder")
        if deposit.status == D.REFUNDING:
            deposit.save(update_fields=[*account_fields, "updated_at"])
        else:
            move(deposit, to=D.REFUNDING, table=DEPOSIT_TRANSITIONS, actor=actor, extra_update_fields=account_fields)
    account = RefundAccount(deposit.refund_bank_code, deposit.refund_account_number, deposit.refund_holder) \
        if virtual_account else None
    key = f"deposit-after-cancel-{deposit.order.number}"
    reason = _("Paid after the order %(number)s had ended") % {"number": deposit.order.number}
    try:
        pg = get_gateway(deposit.payment.gateway).cancel(payment_key=deposit.payment.payment_key, amount=deposit.amount,
                                                        reason=reason, idempotency_key=key, refund_account=account)
    except GatewayError as exc:
        with transaction.atomic():
            deposit = DepositAfterCancel.objects.select_for_update().get(pk=deposit.pk)
            if deposit.status == D.REFUNDING:  # a concurrent retry may have refunded it meanwhile
                deposit.error = f"{exc.code} {exc.message}"[:300]
                move(deposit, to=D.REFUND_FAILED, table=DEPOSIT_TRANSITIONS, actor=actor, reason=deposit.error,
                     extra_update_fields=("error",))
        raise PaymentError(_("The payment service refused the refund: %(reason)s") % {"reason": exc.message},
                           code="gateway") from exc
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=deposit.order_id)
        payment = Payment.objects.select_for_update().get(pk=deposit.payment_id)
        deposit = DepositAfterCancel.objects.select_for_update().get(pk=deposit.pk)
        if deposit.status == D.REFUNDED:
            return deposit
        PaymentCancel.objects.get_or_create(idempotency_key=key, defaults={
            "payment": payment, "amount": deposit.amount, "reason": reason[:200],
            "refund_bank_code": deposit.refund_bank_code, "refund_account_number": deposit.refund_account_number,
            "refund_holder": deposit.refund_holder,
            "transaction_key": pg.cancels[-1].transaction_key if pg.cancels else ""})
        cancelled = pg.total_amount - pg.balance_amount
        if cancelled > payment.cancelled_amount:
            payment.cancelled_amount = cancelled
            payment.save(update_fields=["cancelled_amount", "updated_at"])
        if deposit.status == D.REFUND_FAILED:  # a concurrent retry's PG error landed first: the PG did refund
            move(deposit, to=D.REFUNDING, table=DEPOSIT_TRANSITIONS, actor=actor)
        deposit.refunded_at, deposit.error = timezone.now(), ""
        move(deposit, to=D.REFUNDED, table=DEPOSIT_TRANSITIONS, actor=actor, extra_update_fields=("refunded_at", "error"))
        record_change_note(order, actor=actor, field="payment_note", note=_(
            "%(amount)s won received after the order ended were refunded") % {"amount": f"{deposit.amount:,}"})
        notify(event="order.deposit_refunded", key=order.number, context={"order": order, "deposit": deposit},
               email=order.orderer_email, phone=order.orderer_phone, subject_object=order)
    return deposit


def list_deposits_to_refund():
    """The console's list: deposits after cancel not refunded yet, oldest first, with their order."""
    return DepositAfterCancel.objects.exclude(status=D.REFUNDED).select_related("order", "payment").order_by("id")
