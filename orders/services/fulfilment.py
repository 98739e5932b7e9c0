"""Fulfilment (seed 002): acknowledge, waybill, ship, deliver, confirm; delays and stock-outs.

Every move takes the actor and checks it may act on the line: an operator with the right
permission, or staff of the seller that owns the line (for the partner portal). Bulk actions
run each line in its own transaction and report per line, so one bad line never leaves
another half-applied.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import dates
from core.exceptions import DomainError
from core.outbox import notify
from orders.exceptions import OrderError
from orders.models import Courier, Order, OrderLine, Payment
from orders.payments import RefundAccount

from .claimed import check_not_held, lock_line
from .lines import move_line

S = OrderLine.Status

DELAY_REASONS = {
    "preparing": gettext_lazy("Preparing the goods"),
    "customer_request": gettext_lazy("Customer's request"),
    "made_to_order": gettext_lazy("Made to order"),
    "restocking": gettext_lazy("Waiting for restock"),
    "courier": gettext_lazy("Courier delay"),
    "other": gettext_lazy("Other"),
}


@dataclass
class LineResult:
    line_id: int
    ok: bool
    message: str = ""


def add_business_days(start: date, days: int, holidays=frozenset()) -> date:
    """``start`` plus ``days`` business days: weekends, the shop's public holidays
    (``core.dates.public_holidays``) and ``holidays`` skipped."""
    return dates.add_business_days(start, days, holidays)


def ship_by_for(line: OrderLine, *, paid_on: date) -> date:
    """Payment day + the seller's ``ship_within_days`` business days, skipping its holidays (휴무일)."""
    from partners.models import SellerHoliday

    policy = getattr(line.seller, "shipping_policy", None)
    holidays = frozenset(SellerHoliday.objects.filter(seller_id=line.seller_id, date__gt=paid_on)
                         .values_list("date", flat=True))
    return add_business_days(paid_on, policy.ship_within_days if policy else 2, holidays)


def check_line_access(actor, line: OrderLine, permission: str) -> None:
    """Operators need ``permission``; seller staff may act only on their own seller's lines."""
    if actor is not None and actor.is_authenticated and actor.is_active:
        if actor.is_staff and actor.has_perm(permission):
            return
        staff = getattr(actor, "seller_staff", None)
        if staff is not None and staff.seller_id == line.seller_id:
            return
    raise OrderError(_("You may not change this order line."), code="forbidden")


def _locked_line(line_id: int) -> OrderLine:
    """The line locked through the lines' one helper (order row read, not locked)."""
    return lock_line(line_id)


def for_each_line(line_ids, action, **kwargs) -> list[LineResult]:
    """Run ``action(line_id=…, **kwargs)`` per line, each in its own transaction; report per line."""
    results = []
    for line_id in dict.fromkeys(int(i) for i in line_ids):
        try:
            with transaction.atomic():
                action(line_id=line_id, **kwargs)
        except DomainError as exc:
            results.append(LineResult(line_id, False, exc.message))
        else:
            results.append(LineResult(line_id, True))
    return results


# --- Moves --------------------------------------------------------------------------------


@transaction.atomic
def acknowledge_line(*, line_id: int, actor) -> OrderLine:
    """발주확인: a paid line goes to PREPARING."""
    line = _locked_line(line_id)
    check_line_access(actor, line, "orders.manage_fulfilment")
    check_not_held(line, action=_("acknowledge it"))
    line.acknowledged_at = timezone.now()
    move_line(line, to=S.PREPARING, actor=actor, reason=_("Acknowledged"))
    OrderLine.objects.filter(pk=line.pk).update(acknowledged_at=line.acknowledged_at)
    return line


def validate_waybill(*, courier: Courier, number: str) -> str:
    number = re.sub(r"[\s-]", "", number or "")
    if not number:
        raise OrderError(_("Enter the waybill number."), code="waybill_missing")
    if not re.fullmatch(courier.waybill_pattern, number):
        raise OrderError(_("“%(number)s” is not a valid %(courier)s waybill number.") % {
            "number": number, "courier": courier.name}, code="waybill_invalid")
    return number


def waybill_in_use_elsewhere(*, courier: Courier, number: str, order_id: int) -> bool:
    """A waybill may cover several lines of one order (one box), never lines of two orders."""
    return OrderLine.objects.filter(courier=courier, waybill_number=number).exclude(order_id=order_id).exists()


@transaction.atomic
def set_waybill(*, line_id: int, courier_code: str, waybill_number: str, actor) -> OrderLine:
    """송장 입력: a preparing line gets its courier and waybill and goes to READY_TO_SHIP.

    A line already ready to ship may have its waybill corrected (the status stays).
    """
    line = _locked_line(line_id)
    check_line_access(actor, line, "orders.manage_fulfilment")
    check_not_held(line, action=_("enter a waybill"))
    courier = Courier.objects.filter(code=courier_code, is_active=True).first() or \
        Courier.objects.filter(name=courier_code, is_active=True).first()
    if courier is None:
        raise OrderError(_("Unknown courier “%(courier)s”.") % {"courier": courier_code}, code="courier_unknown")
    number = validate_waybill(courier=courier, number=waybill_number)
    if waybill_in_use_elsewhere(courier=courier, number=number, order_id=line.order_id):
        raise OrderError(_("Waybill %(number)s is already used for another order.") % {"number": number},
                         code="waybill_duplicate")
    line.courier = courier
    line.waybill_number = number
    if line.status == S.READY_TO_SHIP:
        line.save(update_fields=["courier", "waybill_number", "updated_at"])
        return line
    move_line(line, to=S.READY_TO_SHIP, actor=actor, reason=_("Waybill %(number)s") % {"number": number})
    OrderLine.objects.filter(pk=line.pk).update(courier=courier, waybill_number=number)
    return line


@transaction.atomic
def set_waybills(*, rows: list[tuple[int, int, str]], actor) -> int:
    """Many waybills at once (the Excel upload): ``rows`` of (line id, courier id, number), already
    validated for format and reuse. Same rules as ``set_waybill``, in a few queries: the lines are
    locked in id order, each is checked against the actor and the transition table, then all are
    written with one bulk update and their audit rows with one insert. All or nothing.
    """
    from django.contrib.contenttypes.models import ContentType

    from core.models import StatusChange
    from orders.services.lines import LINE_TRANSITIONS

    wanted = {line_id: (courier_id, number) for line_id, courier_id, number in rows}
    lines = list(OrderLine.objects.select_for_update(of=("self",)).filter(pk__in=wanted).order_by("pk")) \
        if connection.features.has_select_for_update_of else \
        list(OrderLine.objects.select_for_update().filter(pk__in=wanted).order_by("pk"))
    if len(lines) != len(wanted):
        raise OrderError(_("Some lines no longer exist."), code="not_found")
    now = timezone.now()
    changes = []
    content_type = ContentType.objects.get_for_model(OrderLine)
    for line in lines:
        check_line_access(actor, line, "orders.manage_fulfilment")
        check_not_held(line, action=_("enter a waybill"))
        courier_id, number = wanted[line.pk]
        if line.status == S.PREPARING:
            if S.READY_TO_SHIP not in LINE_TRANSITIONS[line.status]:  # the table decides, as for one line
                raise OrderError(_("Line %(id)s cannot get a waybill now.") % {"id": line.pk}, code="bad_status")
            changes.append(StatusChange(content_type=content_type, object_id=line.pk, field="status",
                                        from_status=line.status, to_status=S.READY_TO_SHIP, actor=actor,
                                        reason=_("Waybill %(number)s") % {"number": number}))
            line.status = S.READY_TO_SHIP
        elif line.status != S.READY_TO_SHIP:
            raise OrderError(_("Line %(id)s cannot get a waybill now.") % {"id": line.pk}, code="bad_status")
        line.courier_id, line.waybill_number, line.updated_at = courier_id, number, now
    # One parameterised UPDATE sent with executemany: much faster than bulk_update's CASE chains.
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {OrderLine._meta.db_table} SET status = %s, courier_id = %s, waybill_number = %s, "
            "updated_at = %s WHERE id = %s",
            [(line.status, line.courier_id, line.waybill_number, now, line.pk) for line in lines],
        )
    StatusChange.objects.bulk_create(changes, batch_size=1000)
    return len(lines)


@transaction.atomic
def mark_shipped(*, line_id: int, actor, notify_shopper: bool = True) -> OrderLine:
    """집하/발송: READY_TO_SHIP → SHIPPING; the shopper gets the tracking link.

    ``notify_shopper=False`` when the caller moves many lines and then calls
    ``notify_per_order`` once: one message per order, not one per line."""
    line = _locked_line(line_id)
    check_line_access(actor, line, "orders.manage_fulfilment")
    check_not_held(line, action=_("ship it"))
    if not line.waybill_number:
        raise OrderError(_("Enter a waybill before shipping."), code="waybill_missing")
    line.shipped_at = timezone.now()
    move_line(line, to=S.SHIPPING, actor=actor, reason=_("Shipped"))
    OrderLine.objects.filter(pk=line.pk).update(shipped_at=line.shipped_at)
    if notify_shopper:
        _notify_order_event("line.shipped", line.order, [line])
    return line


@transaction.atomic
def mark_delivered(*, line_id: int, actor=None, reason: str = "", notify_shopper: bool = True) -> OrderLine:
    """배송완료: SHIPPING → DELIVERED (by hand in the console, or from courier tracking)."""
    line = _locked_line(line_id)
    if actor is not None:
        check_line_access(actor, line, "orders.manage_fulfilment")
    check_not_held(line, action=_("mark it delivered"))
    line.delivered_at = timezone.now()
    move_line(line, to=S.DELIVERED, actor=actor, reason=reason or _("Delivered"))
    OrderLine.objects.filter(pk=line.pk).update(delivered_at=line.delivered_at)
    if notify_shopper:
        _notify_order_event("line.delivered", line.order, [line])
    return line


@transaction.atomic
def confirm_purchase(*, line_id: int, shopper=None, automatic: bool = False) -> OrderLine:
    """구매확정: the shopper confirms a delivered line (or the shop does, N days after delivery)."""
    line = _locked_line(line_id)
    if not automatic and (shopper is None or line.order.user_id != shopper.pk):
        raise OrderError(_("You may not confirm this purchase."), code="forbidden")
    check_not_held(line, action=_("confirm the purchase"))
    line.confirmed_at = timezone.now()
    reason = _("Confirmed automatically %(days)d days after delivery") % {
        "days": settings.PURCHASE_AUTO_CONFIRM_DAYS} if automatic else _("Confirmed by the shopper")
    move_line(line, to=S.CONFIRMED, actor=shopper, reason=reason)
    OrderLine.objects.filter(pk=line.pk).update(confirmed_at=line.confirmed_at)
    from marketing.services.points import earn_points_for_line

    earn_points_for_line(line=OrderLine.objects.select_related("product", "order").get(pk=line.pk))
    return line


def auto_confirm_purchases(*, now=None, limit: int = 1000) -> int:
    """Confirm lines delivered (or exchanged) more than PURCHASE_AUTO_CONFIRM_DAYS ago (Celery beat, daily).

    Lines an open claim holds wait: they are confirmed after the claim ends, if anything is left.
    """
    from django.db.models import Q

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PURCHASE_AUTO_CONFIRM_DAYS)
    ids = list(OrderLine.objects.filter(Q(status=S.DELIVERED, delivered_at__lte=cutoff)
                                        | Q(status=S.EXCHANGED, exchanged_at__lte=cutoff), held_quantity=0)
               .order_by("pk").values_list("pk", flat=True)[:limit])
    results = for_each_line(ids, lambda line_id: confirm_purchase(line_id=line_id, automatic=True))
    return sum(r.ok for r in results)


@transaction.atomic
def register_delay(*, line_id: int, new_ship_by: date, reason_code: str, note: str = "", actor,
                   notify_shopper: bool = True) -> OrderLine:
    """발송지연: a new ship-by date with a reason; the shopper is told."""
    line = _locked_line(line_id)
    check_line_access(actor, line, "orders.handle_order_cs")
    if line.status not in (S.PAID, S.PREPARING):
        raise OrderError(_("Only lines not yet shipped can be delayed."), code="bad_status")
    if reason_code not in DELAY_REASONS:
        raise OrderError(_("Choose a delay reason."), code="reason")
    if new_ship_by <= timezone.localdate():
        raise OrderError(_("The new ship-by date must be in the future."), code="date")
    if new_ship_by > timezone.localdate() + timedelta(days=settings.DISPATCH_DELAY_MAX_DAYS):
        raise OrderError(_("Choose a date at most %(days)d days from today.") % {
            "days": settings.DISPATCH_DELAY_MAX_DAYS}, code="date")
    old = line.ship_by_date
    line.ship_by_date, line.delay_reason, line.delay_note = new_ship_by, reason_code, note[:200]
    line.save(update_fields=["ship_by_date", "delay_reason", "delay_note", "updated_at"])
    from .lines import record_change_note

    record_change_note(line, actor=actor, note=_("Dispatch delayed from %(old)s to %(new)s: %(reason)s %(note)s") % {
        "old": old or "-", "new": new_ship_by, "reason": DELAY_REASONS[reason_code], "note": note})
    if notify_shopper:
        _notify_order_event("line.delayed", line.order, [line])
    return line


# --- Messages: one per order and event, never one per line ------------------------------------

ORDER_EVENTS = ("line.shipped", "line.delivered", "line.delayed")


def _notify_order_event(event: str, order: Order, lines: list[OrderLine]) -> None:
    """Queue ``event`` once for ``lines`` of one ``order`` (mail and 알림톡), listing them all.

    The dedupe key names the lines, so the same lines moved again queue nothing twice and other
    lines of the order moved later get their own message.
    """
    import hashlib

    lines = sorted(lines, key=lambda line: line.pk)
    digest = hashlib.sha1(",".join(str(line.pk) for line in lines).encode()).hexdigest()[:16]
    first = lines[0]
    context = {"order": order, "lines": lines, "line": first, "tracking_url": first.tracking_url}
    if event == "line.delayed":
        context.update(reason=DELAY_REASONS.get(first.delay_reason, ""), note=first.delay_note)
        digest += f":{first.ship_by_date}"
    notify(event=event, key=f"{order.number}:{digest}", context=context, email=order.orderer_email,
           phone=order.orderer_phone, subject_object=order)


@transaction.atomic
def notify_per_order(*, event: str, line_ids) -> int:
    """After a bulk move: one ``event`` message per order for the lines moved, with the lines in it.

    Lines shipped under different waybills are listed each with its own tracking link in that
    one message. Returns how many orders were told.
    """
    if event not in ORDER_EVENTS:
        raise ValueError(event)
    by_order: dict[int, list[OrderLine]] = {}
    for line in (OrderLine.objects.filter(pk__in=list(line_ids)).select_related("order", "courier")
                 .order_by("order_id", "id")):
        by_order.setdefault(line.order_id, []).append(line)
    for lines in by_order.values():
        _notify_order_event(event, lines[0].order, lines)
    return len(by_order)


@transaction.atomic
def backorder_line(*, line_id: int, expected_date: date, actor, note: str = "") -> OrderLine:
    """Out of stock after payment, option 2: keep the line and ship when stock arrives (발주)."""
    line = register_delay(line_id=line_id, new_ship_by=expected_date, reason_code="restocking", note=note,
                          actor=actor)
    line.backorder_expected_date = expected_date
    line.save(update_fields=["backorder_expected_date", "updated_at"])
    return line


def cancel_line_for_stock(*, line_id: int, actor, reason: str,
                          refund_account: RefundAccount | None = None) -> OrderLine:
    """Out of stock after payment, option 1: cancel the line and refund exactly what it cost.

    A stock-out cancel is a cancel claim at the seller's fault (issue 9 point 2), so the claims'
    refund path does it: ``claims.services.cancel_line_for_stock``. This name stays for the
    console's existing view; the import runs against the apps' direction only at call time.
    """
    from claims.services import cancel_line_for_stock as cancel_as_claim

    return cancel_as_claim(line_id=line_id, actor=actor, reason=reason, refund_account=refund_account)


def refund_account_needed(order: Order) -> bool:
    payment = Payment.objects.get(order=order)
    return payment.method == "virtual_account"
