"""Payments through the PG: confirm, reconcile with what the PG reports, webhooks, expiry, cancel.

The browser is never trusted: the amount it brings back is compared with the stored order
before the shop confirms server-to-server, and webhooks only ever lead to re-fetching the
payment from the PG and applying *that* state, idempotently, under the order's row lock.
"""

import hmac
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.services import release_stock
from core.outbox import notify
from orders.exceptions import AmountMismatch, PaymentError, WebhookRejected
from orders.models import CartLine, Order, OrderLine, Payment, PaymentCancel, PaymentEvent
from orders.payments import GatewayError, PGPayment, PGStatus, RefundAccount, get_gateway

from .claimed import lock_lines
from .lines import move_line, move_order_payment, move_payment

logger = logging.getLogger(__name__)

OP = Order.PaymentStatus
P = Payment.Status
LS = OrderLine.Status


def _locked(order_id: int) -> tuple[Order, Payment]:
    order = Order.objects.select_for_update().get(pk=order_id)
    payment = Payment.objects.select_for_update().get(order=order)
    return order, payment


def payment_window_url(*, order: Order, success_url: str, fail_url: str) -> str:
    payment = Payment.objects.select_related("order").get(order=order)
    return get_gateway(payment.gateway).window_url(payment=payment, success_url=success_url, fail_url=fail_url)


def confirm_payment(*, order_number: str, payment_key: str, amount: int, user) -> Order:
    """The PG window came back with success: check the amount, confirm with the PG, apply.

    Raises AmountMismatch (the order is failed and its stock released) or PaymentError.
    Confirming an order that is already confirmed with the same key changes nothing.
    """
    with transaction.atomic():
        order = Order.objects.filter(number=order_number, user=user).first()
        if order is None:
            raise PaymentError(_("We could not find that order."))
        order, payment = _locked(order.pk)
        if payment.payment_key == payment_key and payment.status != P.READY:
            return order  # the success page was reloaded: already confirmed
        if order.payment_status != OP.AWAITING or payment.status != P.READY:
            raise PaymentError(_("This order can no longer be paid."))
        tampered = amount != order.total_amount or amount != payment.amount
        if tampered:
            logger.warning("payment amount mismatch on %s: browser %s, order %s", order.number, amount,
                           order.total_amount)
            _fail_order(order, payment, payment_status=P.ABORTED, order_status=OP.FAILED,
                        reason=f"amount mismatch: the browser sent {amount}")
    if tampered:  # raised after the commit, so the failed order and released stock stay
        raise AmountMismatch(_("The payment amount did not match the order, so nothing was charged. "
                               "Please order again."))

    gateway = get_gateway(payment.gateway)
    refused: GatewayError | None = None
    with transaction.atomic():
        order, payment = _locked(order.pk)
        if payment.status != P.READY:
            return order
        try:
            pg = gateway.confirm(payment_key=payment_key, order_id=order.number, amount=amount)
        except GatewayError as exc:
            if exc.retryable:
                raise PaymentError(_("The payment service did not answer. Please try again in a moment.")) from exc
            if exc.code != "ALREADY_PROCESSED_PAYMENT":
                _fail_order(order, payment, payment_status=P.ABORTED, order_status=OP.FAILED,
                            reason=f"confirm refused: {exc.code} {exc.message}")
                refused = exc
            pg = None if refused else gateway.get_payment(payment_key=payment_key)
        if pg is not None:
            apply_pg_state(order=order, payment=payment, pg=pg, reason="confirmed after the payment window")
            return order
    raise PaymentError(_("The payment was declined: %(reason)s") % {"reason": refused.message})


def fail_payment(*, order_number: str, user, code: str = "", message: str = "") -> Order | None:
    """The shopper cancelled or the PG declined in the window: the order fails, its stock comes back."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(number=order_number, user=user).first()
        if order is None:
            return None
        order, payment = _locked(order.pk)
        if order.payment_status == OP.AWAITING and payment.status == P.READY:
            _fail_order(order, payment, payment_status=P.ABORTED, order_status=OP.FAILED,
                        reason=f"payment window: {code} {message}".strip())
        return order


def apply_pg_state(*, order: Order, payment: Payment, pg: PGPayment, actor=None, reason: str = "") -> None:
    """Make the shop's order and payment agree with the PG's payment (both rows locked by the caller).

    Idempotent: applying the same PG state again changes nothing.
    """
    if pg.order_id != order.number or pg.total_amount != payment.amount:
        raise PaymentError(f"PG payment {pg.payment_key} does not belong to order {order.number}")
    _store_pg_details(payment, pg)
    if pg.status == PGStatus.WAITING_FOR_DEPOSIT and payment.status == P.READY:
        move_payment(payment, to=P.WAITING_FOR_DEPOSIT, actor=actor, reason=reason)
        order.expires_at = pg.due_date or order.expires_at
        order.save(update_fields=["expires_at", "updated_at"])
        _remove_ordered_items_from_cart(order)
        _notify_virtual_account(order, payment)
    if (pg.status in (PGStatus.DONE, PGStatus.PARTIAL_CANCELED) and pg.balance_amount > 0
            and order.payment_status in (OP.CANCELLED, OP.EXPIRED, OP.FAILED) and order.paid_at is None):
        # Paid after the shop ended the order unpaid (a deposit crossing the expiry or the shopper's
        # cancel): the money is recorded and goes back, never kept for an order that is not live.
        from .late_deposits import record_deposit_after_cancel

        record_deposit_after_cancel(order=order, payment=payment, pg=pg, actor=actor)
    elif pg.status in (PGStatus.DONE, PGStatus.PARTIAL_CANCELED, PGStatus.CANCELED) and payment.status in (
            P.READY, P.WAITING_FOR_DEPOSIT) and order.payment_status == OP.AWAITING:
        move_payment(payment, to=P.DONE, actor=actor, reason=reason)
        _mark_paid(order, actor=actor, reason=reason)
    if pg.status in (PGStatus.PARTIAL_CANCELED, PGStatus.CANCELED):
        cancelled = pg.total_amount - pg.balance_amount
        if cancelled > payment.cancelled_amount:
            payment.cancelled_amount = cancelled
            payment.save(update_fields=["cancelled_amount", "updated_at"])
        target = P.CANCELED if pg.status == PGStatus.CANCELED else P.PARTIAL_CANCELED
        if payment.status != target and target in _payment_moves(payment.status):
            move_payment(payment, to=target, actor=actor, reason=reason)
    if pg.status in (PGStatus.ABORTED, PGStatus.EXPIRED) and order.payment_status == OP.AWAITING:
        _fail_order(order, payment, payment_status=P.EXPIRED if pg.status == PGStatus.EXPIRED else P.ABORTED,
                    order_status=OP.EXPIRED if pg.status == PGStatus.EXPIRED else OP.FAILED, actor=actor,
                    reason=reason or f"PG reports {pg.status}")


def _payment_moves(status):
    from .lines import PAYMENT_TRANSITIONS

    return PAYMENT_TRANSITIONS.get(status, set())


def _store_pg_details(payment: Payment, pg: PGPayment) -> None:
    payment.payment_key = pg.payment_key
    payment.card_company = pg.card_company or payment.card_company
    payment.card_installment_months = pg.installment_months or payment.card_installment_months
    payment.bank_code = pg.bank_code or payment.bank_code
    payment.bank_name = pg.bank_name or payment.bank_name
    payment.account_number = pg.account_number or payment.account_number
    payment.account_holder = pg.account_holder or payment.account_holder
    payment.due_at = pg.due_date or payment.due_at
    payment.deposit_secret = pg.secret or payment.deposit_secret
    payment.approved_at = pg.approved_at or payment.approved_at
    payment.receipt_url = pg.receipt_url or payment.receipt_url
    payment.raw = pg.raw or payment.raw
    payment.save(update_fields=["payment_key", "card_company", "card_installment_months", "bank_code", "bank_name",
                                "account_number", "account_holder", "due_at", "deposit_secret", "approved_at",
                                "receipt_url", "raw", "updated_at"])


def _mark_paid(order: Order, *, actor=None, reason: str = "") -> None:
    order.paid_at = timezone.now()
    move_order_payment(order, to=OP.PAID, actor=actor, reason=reason, extra_update_fields=("paid_at",))
    lines = [line for line in lock_lines(order.pk, related=("seller__shipping_policy",))
             if line.status == LS.PENDING_PAYMENT]
    from .fulfilment import ship_by_for

    paid_on = timezone.localdate()
    for line in lines:
        line.ship_by_date = ship_by_for(line, paid_on=paid_on)
        move_line(line, to=LS.PAID, actor=actor, reason=reason, extra_update_fields=("ship_by_date",))
    _remove_ordered_items_from_cart(order)
    _notify_paid(order, lines)
    if not Order.objects.filter(user=order.user_id, paid_at__isnull=False).exclude(pk=order.pk).exists():
        from marketing.services.coupons import auto_issue

        auto_issue(user=order.user, trigger="first_purchase")


def _remove_ordered_items_from_cart(order: Order) -> None:
    """Once an order is real (paid, or its virtual account issued), its items leave the cart."""
    if order.from_cart:
        CartLine.objects.filter(cart__user=order.user_id,
                                sku__in=OrderLine.objects.filter(order=order).values("sku_id")).delete()


def _fail_order(order: Order, payment: Payment, *, payment_status: str, order_status: str, actor=None,
                reason: str = "") -> None:
    """An unpaid order ends (declined, tampered, expired): lines cancelled, stock released."""
    lines = [line for line in lock_lines(order.pk) if line.status == LS.PENDING_PAYMENT]
    for line in lines:
        move_line(line, to=LS.CANCELLED, actor=actor, reason=reason)
    release_stock(items=[(line.sku_id, line.quantity) for line in lines], reference=order.number)
    _give_back_benefits(order, reason=reason)
    if payment.status != payment_status:
        move_payment(payment, to=payment_status, actor=actor, reason=reason)
    move_order_payment(order, to=order_status, actor=actor, reason=reason)
    if order_status == OP.EXPIRED:
        notify(event="order.expired", key=order.number, context={"order": order}, email=order.orderer_email,
               phone=order.orderer_phone, subject_object=order)


def _give_back_benefits(order: Order, *, reason: str) -> None:
    """Coupons and points spent on an order that never got paid go back to the shopper."""
    from marketing.services.coupons import release_order_coupons
    from marketing.services.points import restore_order_points

    release_order_coupons(order=order)
    restore_order_points(order=order, reason=reason or _("Order %(number)s was not paid") % {"number": order.number})


def _notify_virtual_account(order: Order, payment: Payment) -> None:
    notify(event="order.virtual_account_issued", key=order.number, context={"order": order, "payment": payment},
           email=order.orderer_email, phone=order.orderer_phone, subject_object=order)


def _notify_paid(order: Order, lines: list[OrderLine]) -> None:
    notify(event="order.paid", key=order.number, context={"order": order, "lines": lines},
           email=order.orderer_email, phone=order.orderer_phone, subject_object=order)
    by_seller: dict = {}
    for line in lines:
        by_seller.setdefault(line.seller, []).append(line)
    for seller, seller_lines in by_seller.items():
        notify(event="seller.new_lines", key=f"{order.number}:{seller.pk}",
               context={"order": order, "seller": seller, "lines": seller_lines},
               email=seller.contact_email, phone=seller.contact_phone, subject_object=order)


# --- Webhooks ------------------------------------------------------------------------------


def receive_webhook(*, gateway_name: str, body: bytes, headers: dict) -> tuple[PaymentEvent | None, bool]:
    """Verify and store a PG callback; its processing is queued (Celery, after commit).

    Raises WebhookRejected (→ 4xx, nothing stored) for a forged or malformed one, or one about a
    payment of another gateway. A duplicate (same event id) is acknowledged and changes nothing.
    An unverified event (nothing proves the PG sent it) is only a hint: the PG is asked at once and,
    unless its answer differs from the stored payment, nothing is stored and ``(None, False)`` is
    returned; the PG unreachable raises WebhookRejected(code="pg_unreachable") so the PG retries.
    """
    gateway = get_gateway(gateway_name)
    try:
        event = gateway.parse_webhook(body=body, headers=headers)
    except GatewayError as exc:
        raise WebhookRejected(exc.message, code=exc.code or "invalid") from exc
    payment = None
    if event.payment_key:
        payment = Payment.objects.select_related("order").filter(payment_key=event.payment_key).first()
    elif event.order_id:
        payment = Payment.objects.select_related("order").filter(order__number=event.order_id).first()
    if payment is None or payment.gateway != gateway_name:
        raise WebhookRejected("unknown payment", code="not_found")
    if event.event_type == "DEPOSIT_CALLBACK":
        secret = str(event.payload.get("secret", ""))
        # Bytes: compare_digest raises TypeError for a str with non-ASCII characters.
        if not payment.deposit_secret or not hmac.compare_digest(secret.encode("utf-8", "replace"),
                                                                 payment.deposit_secret.encode()):
            raise WebhookRejected("the deposit secret does not match", code="forged")
    elif not event.verified and not _pg_reports_a_change(gateway, payment):
        return None, False
    try:
        with transaction.atomic():
            stored = PaymentEvent.objects.create(
                gateway=gateway_name, event_id=event.event_id[:200], event_type=event.event_type,
                payment_key=payment.payment_key, order_number=payment.order.number, payload=event.payload,
            )
    except IntegrityError:
        return PaymentEvent.objects.get(gateway=gateway_name, event_id=event.event_id[:200]), False
    transaction.on_commit(lambda: _queue_event(stored.pk))
    return stored, True


PG_STATUS_IN_SHOP = {
    PGStatus.READY: P.READY, PGStatus.IN_PROGRESS: P.READY, PGStatus.WAITING_FOR_DEPOSIT: P.WAITING_FOR_DEPOSIT,
    PGStatus.DONE: P.DONE, PGStatus.PARTIAL_CANCELED: P.PARTIAL_CANCELED, PGStatus.CANCELED: P.CANCELED,
    PGStatus.ABORTED: P.ABORTED, PGStatus.EXPIRED: P.EXPIRED,
}


def _pg_reports_a_change(gateway, payment: Payment) -> bool:
    """Ask the PG about an unverified event's payment: whether its state differs from the shop's."""
    if not payment.payment_key:
        return False  # never confirmed: the confirm step, not a webhook, brings its first state
    try:
        pg = gateway.get_payment(payment_key=payment.payment_key)
    except GatewayError as exc:
        raise WebhookRejected("the PG could not be asked about the payment", code="pg_unreachable") from exc
    cancelled = pg.total_amount - pg.balance_amount
    return PG_STATUS_IN_SHOP.get(pg.status) != payment.status or cancelled != payment.cancelled_amount


def _queue_event(event_id: int) -> None:
    from orders.tasks import process_payment_event

    try:
        process_payment_event.delay(event_id)
    except Exception as exc:  # broker down: the beat sweep processes it later
        logger.warning("could not queue payment event %s: %s", event_id, exc)


def process_payment_event(*, event_id: int) -> str:
    """Apply a stored callback by re-fetching the payment from the PG. Idempotent."""
    event = PaymentEvent.objects.get(pk=event_id)
    if event.status != PaymentEvent.Status.RECEIVED:
        return event.status
    payment = Payment.objects.select_related("order").get(order__number=event.order_number)
    pg = get_gateway(payment.gateway).get_payment(payment_key=payment.payment_key)  # raises → task retries
    with transaction.atomic():
        event = PaymentEvent.objects.select_for_update().get(pk=event_id)
        if event.status != PaymentEvent.Status.RECEIVED:
            return event.status
        order, payment = _locked(payment.order_id)
        apply_pg_state(order=order, payment=payment, pg=pg, reason=f"webhook {event.event_type}")
        event.status = PaymentEvent.Status.PROCESSED
        event.processed_at = timezone.now()
        event.save(update_fields=["status", "processed_at"])
    return event.status


# --- Expiry and cancel --------------------------------------------------------------------------


def expire_unpaid_orders(*, now=None, limit: int = 500) -> int:
    """Cancel orders still unpaid after their deadline and release their stock.

    An order whose payment the PG knows about is checked with the PG first, so a deposit
    that arrived just before the deadline (callback not yet handled) is honoured.
    """
    now = now or timezone.now()
    expired = 0
    ids = list(Order.objects.filter(payment_status=OP.AWAITING, expires_at__lt=now).values_list("pk", flat=True)[:limit])
    for order_id in ids:
        payment = Payment.objects.get(order_id=order_id)
        pg = None
        if payment.payment_key:
            try:
                pg = get_gateway(payment.gateway).get_payment(payment_key=payment.payment_key)
            except GatewayError:
                continue  # cannot tell now; try on the next run
        with transaction.atomic():
            order, payment = _locked(order_id)
            if order.payment_status != OP.AWAITING:
                continue
            if pg is not None and pg.status in (PGStatus.DONE, PGStatus.PARTIAL_CANCELED):
                apply_pg_state(order=order, payment=payment, pg=pg, reason="checked at expiry")
                continue
            _fail_order(order, payment, payment_status=P.EXPIRED, order_status=OP.EXPIRED,
                        reason=_("Not paid by the deadline"))
            expired += 1
    return expired


def cancel_payment(*, order: Order, amount: int, reason: str, idempotency_key: str, actor=None,
                   refund_account: RefundAccount | None = None) -> PaymentCancel:
    """Give ``amount`` back through the PG (all or part); the same idempotency key cancels once.

    For a paid virtual account the refund goes to ``refund_account``.
    """
    existing = PaymentCancel.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return existing
    payment = Payment.objects.get(order=order)
    if amount <= 0 or amount > payment.balance_amount:
        raise PaymentError(_("The refund is more than what is left of the payment."))
    gateway = get_gateway(payment.gateway)
    try:
        pg = gateway.cancel(payment_key=payment.payment_key, amount=amount, reason=reason,
                            idempotency_key=idempotency_key, refund_account=refund_account)
    except GatewayError as exc:
        raise PaymentError(_("The payment service refused the refund: %(reason)s") % {"reason": exc.message}) from exc
    with transaction.atomic():
        order, payment = _locked(order.pk)
        record, created = PaymentCancel.objects.get_or_create(
            idempotency_key=idempotency_key,
            defaults={"payment": payment, "amount": amount, "reason": reason[:200],
                      "refund_bank_code": refund_account.bank_code if refund_account else "",
                      "refund_account_number": refund_account.account_number if refund_account else "",
                      "refund_holder": refund_account.holder_name if refund_account else "",
                      "transaction_key": pg.cancels[-1].transaction_key if pg.cancels else ""},
        )
        if created:
            apply_pg_state(order=order, payment=payment, pg=pg, actor=actor, reason=reason)
    return record


