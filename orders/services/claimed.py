"""The order line's side of claims: ``orders`` owns OrderLine, claims ask through these.

A claim never writes a line's fields itself. It locks the lines (``lock_lines``), reserves
the units it takes (``reserve_claimed_units``), releases them when it ends without effect
(``release_claimed_units``), records what was refunded (``record_refund``) and ends its hold
when it finishes (``finish_claimed_units``). Fulfilment asks ``units_held_by_claims`` before
moving a line, so a line and a claim never move the same units two ways.

Lock order, the same in every service (so two of them never wait on each other in a circle):
the claim row (claims), then the order row when money moves, then the payment, then the lines
of the order in id order.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.exceptions import OrderError
from orders.models import OrderLine


def _for_update(queryset):
    # of=("self",): a select_related join must not lock the order row as well.
    if connection.features.has_select_for_update_of:
        return queryset.select_for_update(of=("self",))
    return queryset.select_for_update()


def lock_lines(order_id: int, *, line_ids=None, related=()) -> list[OrderLine]:
    """Lock the lines of one order (all of them, or ``line_ids``) in id order; return them fresh."""
    queryset = OrderLine.objects.filter(order_id=order_id)
    if line_ids is not None:
        queryset = queryset.filter(pk__in=list(line_ids))
    if related:
        queryset = queryset.select_related(*related)
    return list(_for_update(queryset).order_by("pk"))


def lock_line(line_id: int, *, related=("order",)) -> OrderLine:
    """Lock one line (the lines' helper, so the order is the same everywhere); the order is read, not locked."""
    order_id = OrderLine.objects.filter(pk=line_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise OrderError(_("No such order line."), code="not_found")
    lines = lock_lines(order_id, line_ids=[line_id], related=related)
    if not lines:
        raise OrderError(_("No such order line."), code="not_found")
    return lines[0]


def units_held_by_claims(line: OrderLine) -> int:
    """Units of ``line`` an open claim (requested … refund in progress) holds right now."""
    return line.held_quantity


def check_not_held(line: OrderLine, *, action: str) -> None:
    """Refuse a fulfilment move while a claim holds units of the line (call with the line locked)."""
    held = units_held_by_claims(line)
    if held:
        raise OrderError(
            _("“%(name)s”: %(count)d unit(s) are in an open cancel, return or exchange; "
              "handle that claim before you %(action)s.") % {"name": line.product_name, "count": held,
                                                              "action": action},
            code="held_by_claim")


def claimable_units(line: OrderLine) -> int:
    return line.quantity - line.claimed_quantity


def reserve_claimed_units(line: OrderLine, *, quantity: int) -> None:
    """A claim takes ``quantity`` units of a locked line (they are now claimed and held)."""
    if quantity < 1 or quantity > claimable_units(line):
        raise OrderError(_("“%(name)s”: choose from 1 to %(max)d.") % {
            "name": line.product_name, "max": claimable_units(line)}, code="quantity")
    OrderLine.objects.filter(pk=line.pk).update(claimed_quantity=F("claimed_quantity") + quantity,
                                                held_quantity=F("held_quantity") + quantity)
    line.claimed_quantity += quantity
    line.held_quantity += quantity


def release_claimed_units(*, line_id: int, quantity: int) -> None:
    """A claim ended without effect (withdrawn, rejected): its units are free again."""
    OrderLine.objects.filter(pk=line_id).update(claimed_quantity=F("claimed_quantity") - quantity,
                                                held_quantity=F("held_quantity") - quantity)


def finish_claimed_units(*, line_id: int, quantity: int) -> None:
    """A claim finished (refunded, exchanged): the units stay claimed for good but are no longer held."""
    OrderLine.objects.filter(pk=line_id).update(held_quantity=F("held_quantity") - quantity)


@dataclass
class LineRefundRecord:
    line_id: int
    quantity: int = 0  # units refunded (0 for a shipping-only refund)
    gross_amount: int = 0  # what the units cost in cash, before deductions
    cash_amount: int = 0  # cash given back for the items and shipping, after deductions (without shipping)
    shipping_amount: int = 0  # original shipping given back
    points_amount: int = 0


def record_refund(records: list[LineRefundRecord]) -> None:
    """Record on the (locked) lines what a claim gives back. The database refuses more than a line cost."""
    now = timezone.now()
    for record in records:
        OrderLine.objects.filter(pk=record.line_id).update(
            refunded_amount=F("refunded_amount") + record.cash_amount + record.shipping_amount,
            refunded_shipping_amount=F("refunded_shipping_amount") + record.shipping_amount,
            refunded_gross_amount=F("refunded_gross_amount") + record.gross_amount,
            refunded_points_amount=F("refunded_points_amount") + record.points_amount,
            refunded_quantity=F("refunded_quantity") + record.quantity,
            updated_at=now,
        )


def record_exchanged(line: OrderLine, *, actor=None, reason: str = "") -> None:
    """An exchange finished on a whole delivered line: EXCHANGED, confirmable from now on."""
    from .lines import move_line

    line.exchanged_at = timezone.now()
    move_line(line, to=OrderLine.Status.EXCHANGED, actor=actor, reason=reason, extra_update_fields=("exchanged_at",))


def end_line(line: OrderLine, *, to: str, actor=None, reason: str = "") -> None:
    """Every unit of the line went back (CANCELLED or RETURNED)."""
    from .lines import move_line

    move_line(line, to=to, actor=actor, reason=reason)
