"""The order line's state machine (seed 002 statuses). Claims add their own outcomes later."""

from django.contrib.contenttypes.models import ContentType

from core.models import StatusChange
from core.transitions import move
from orders.models import Order, OrderLine, Payment

S = OrderLine.Status
OP = Order.PaymentStatus
P = Payment.Status

ORDER_PAYMENT_TRANSITIONS = {
    OP.AWAITING: {OP.PAID, OP.EXPIRED, OP.CANCELLED, OP.FAILED},
    OP.PAID: {OP.CANCELLED},
    OP.EXPIRED: set(),
    OP.CANCELLED: set(),
    OP.FAILED: set(),
}

PAYMENT_TRANSITIONS = {
    P.READY: {P.WAITING_FOR_DEPOSIT, P.DONE, P.ABORTED, P.EXPIRED, P.CANCELED},
    P.WAITING_FOR_DEPOSIT: {P.DONE, P.EXPIRED, P.CANCELED},
    P.DONE: {P.PARTIAL_CANCELED, P.CANCELED},
    P.PARTIAL_CANCELED: {P.CANCELED},
    P.CANCELED: set(),
    P.ABORTED: set(),
    P.EXPIRED: set(),
}

LINE_TRANSITIONS = {
    S.PENDING_PAYMENT: {S.PAID, S.CANCELLED},
    S.PAID: {S.PREPARING, S.CANCELLED},
    S.PREPARING: {S.READY_TO_SHIP, S.CANCELLED},
    S.READY_TO_SHIP: {S.SHIPPING, S.CANCELLED},
    S.SHIPPING: {S.DELIVERED},
    S.DELIVERED: {S.CONFIRMED, S.RETURNED, S.EXCHANGED},
    S.CONFIRMED: set(),
    S.CANCELLED: set(),
    S.RETURNED: set(),
    S.EXCHANGED: {S.CONFIRMED},  # the replacement is kept: the purchase is then confirmed
}


def move_line(line: OrderLine, *, to: str, actor=None, reason: str = "", extra_update_fields=()) -> None:
    """Move one (already locked) line through the table; audited."""
    move(line, to=to, table=LINE_TRANSITIONS, actor=actor, reason=reason, extra_update_fields=tuple(extra_update_fields))


def record_created(objects, *, status_field: str = "status", actor=None, reason: str = "") -> None:
    """Write the first StatusChange ('' → initial status) for newly created objects, in bulk."""
    objects = list(objects)
    if not objects:
        return
    content_type = ContentType.objects.get_for_model(objects[0])
    StatusChange.objects.bulk_create([
        StatusChange(content_type=content_type, object_id=obj.pk, field=status_field, from_status="",
                     to_status=getattr(obj, status_field), actor=actor if getattr(actor, "pk", None) else None,
                     reason=reason)
        for obj in objects
    ])


def move_order_payment(order: Order, *, to: str, actor=None, reason: str = "", extra_update_fields=()) -> None:
    move(order, to=to, table=ORDER_PAYMENT_TRANSITIONS, field="payment_status", actor=actor, reason=reason,
         extra_update_fields=tuple(extra_update_fields))


def move_payment(payment: Payment, *, to: str, actor=None, reason: str = "", extra_update_fields=()) -> None:
    move(payment, to=to, table=PAYMENT_TRANSITIONS, actor=actor, reason=reason,
         extra_update_fields=tuple(extra_update_fields))


def record_change_note(obj, *, actor=None, note: str = "", field: str = "note"):
    """A timeline entry that is not a status move (e.g. a dispatch delay): from = to = status."""
    status = getattr(obj, "status", "")
    return StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, field=field,
        from_status=status, to_status=status, actor=actor if getattr(actor, "pk", None) else None, reason=note,
    )
