"""Claims (취교반): cancel, exchange and return, with money and stock exactly right.

Money (README "Claims"): a claim refunds the units' share of what the line actually cost (the
allocation recorded at order time): cash by the payment route, points as points. The share of k
units is floor(cost × k / quantity) and the claim taking a line's last units gets exactly what
is left, so a line never gets back more than it cost, whatever the sequence of partial claims
(and the database refuses it: OrderLine constraints). The seller's original shipping comes back
when nothing of its bundle stays with the shopper and the claim is a cancel or the seller's
fault. A shopper at fault bears the return fee (one way) and, when the bundle shipped free and
what is kept falls below the threshold, the original fee; both come off the cash refund.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims.exceptions import ClaimError
from claims.models import Claim, ClaimLine
from core.outbox import notify
from core.transitions import move
from orders.models import Courier, Order, OrderLine, OrderShipping, Payment
from orders.payments import RefundAccount
from orders.services.fulfilment import add_business_days, check_line_access, validate_waybill
from orders.services.lines import move_line

T, St, F = Claim.Type, Claim.Status, Claim.Fault
LS = OrderLine.Status

REASONS = {
    "change_of_mind": (F.SHOPPER, gettext_lazy("Changed my mind")),
    "wrong_option": (F.SHOPPER, gettext_lazy("Chose the wrong size or colour")),
    "ordered_by_mistake": (F.SHOPPER, gettext_lazy("Ordered by mistake")),
    "defective": (F.SELLER, gettext_lazy("Defective or damaged")),
    "wrong_item": (F.SELLER, gettext_lazy("A different item arrived")),
    "late": (F.SELLER, gettext_lazy("Shipping is too late")),
    "not_as_described": (F.SELLER, gettext_lazy("Not as described")),
}

TRANSITIONS = {
    T.CANCEL: {
        St.REQUESTED: {St.COMPLETED, St.REJECTED, St.WITHDRAWN},
        St.COMPLETED: set(), St.REJECTED: set(), St.WITHDRAWN: set(),
    },
    T.EXCHANGE: {
        St.REQUESTED: {St.APPROVED, St.REJECTED, St.WITHDRAWN, St.CONVERTED},
        St.APPROVED: {St.PICKUP_STARTED, St.WITHDRAWN, St.CONVERTED},
        St.PICKUP_STARTED: {St.PICKED_UP, St.WITHDRAWN},
        St.PICKED_UP: {St.HELD, St.REJECTED, St.REPLACEMENT_SHIPPED, St.CONVERTED},
        St.HELD: {St.PICKED_UP, St.REJECTED, St.CONVERTED},
        St.REPLACEMENT_SHIPPED: {St.COMPLETED},
        St.COMPLETED: set(), St.REJECTED: set(), St.WITHDRAWN: set(), St.CONVERTED: set(),
    },
    T.RETURN: {
        St.REQUESTED: {St.APPROVED, St.REJECTED, St.WITHDRAWN, St.CONVERTED},
        St.APPROVED: {St.PICKUP_STARTED, St.WITHDRAWN, St.CONVERTED},
        St.PICKUP_STARTED: {St.PICKED_UP, St.WITHDRAWN, St.CONVERTED},
        St.PICKED_UP: {St.HELD, St.REJECTED, St.REFUNDED, St.WITHDRAWN, St.CONVERTED},
        St.HELD: {St.PICKED_UP, St.REJECTED, St.WITHDRAWN},
        St.REFUNDED: {St.COMPLETED},
        St.COMPLETED: set(), St.REJECTED: set(), St.WITHDRAWN: set(), St.CONVERTED: set(),
    },
}
ENDED = {St.COMPLETED, St.REJECTED, St.WITHDRAWN, St.CONVERTED}
CANCELLABLE_AT_ONCE = {LS.PAID, LS.PREPARING}


# --- Money ---------------------------------------------------------------------------------------


@dataclass
class LineRefund:
    line: OrderLine
    quantity: int
    cash_amount: int = 0
    points_amount: int = 0
    shipping_amount: int = 0


@dataclass
class RefundPreview:
    lines: list[LineRefund] = field(default_factory=list)
    shipping_charge_amount: int = 0

    @property
    def items_amount(self) -> int:
        return sum(r.cash_amount for r in self.lines)

    @property
    def points_amount(self) -> int:
        return sum(r.points_amount for r in self.lines)

    @property
    def shipping_refund_amount(self) -> int:
        return sum(r.shipping_amount for r in self.lines)

    @property
    def refund_amount(self) -> int:
        return max(0, self.items_amount + self.shipping_refund_amount - self.shipping_charge_amount)


def _share(total: int, quantity: int, done: int, taking: int, already: int) -> int:
    """Units ``done+1 … done+taking`` of ``total`` spread over ``quantity``; the last take the rest."""
    if done + taking >= quantity:
        return total - already
    return max(0, min(total - already, total * (done + taking) // quantity - total * done // quantity))


def _units_leaving(order: Order, *, exclude_claim_id=None) -> dict[int, int]:
    """Per line of ``order``: units cancelled or returned (or on their way), in one query;
    claims that ended without effect (rejected, withdrawn, converted) do not count."""
    rows = ClaimLine.objects.filter(order_line__order=order, claim__type__in=(T.CANCEL, T.RETURN)).exclude(
        claim__status__in=(St.REJECTED, St.WITHDRAWN, St.CONVERTED))
    if exclude_claim_id:
        rows = rows.exclude(claim_id=exclude_claim_id)
    return dict(rows.values_list("order_line_id").annotate(n=Sum("quantity")).values_list("order_line_id", "n"))


def compute_refund(*, order: Order, claim_type: str, fault: str, items: list[tuple[int, int]],
                   exclude_claim_id=None) -> RefundPreview:
    """What cancelling or returning ``items`` (line id, units) gives back now. Reads only."""
    preview = RefundPreview()
    if claim_type == T.EXCHANGE:
        return preview
    lines = {line.pk: line for line in OrderLine.objects.filter(order=order).order_by("pk")}
    taking = dict(items)
    for line_id, quantity in items:
        line = lines[line_id]
        cash_total = line.paid_amount - line.shipping_share_amount
        cash_done = line.refunded_amount - line.refunded_shipping_amount
        preview.lines.append(LineRefund(
            line=line, quantity=quantity,
            cash_amount=_share(cash_total, line.quantity, line.refunded_quantity, quantity, cash_done),
            points_amount=_share(line.points_share_amount, line.quantity, line.refunded_quantity, quantity,
                                 line.refunded_points_amount),
        ))
    by_line = {r.line.pk: r for r in preview.lines}
    leaving = _units_leaving(order, exclude_claim_id=exclude_claim_id)
    sellers = {lines[line_id].seller_id for line_id in taking}
    for shipping in OrderShipping.objects.filter(order=order, seller_id__in=sellers).select_related(
            "seller__shipping_policy"):
        bundle = [line for line in lines.values() if line.seller_id == shipping.seller_id]
        kept = sum(line.unit_total_amount * max(0, line.quantity - leaving.get(line.pk, 0)
                                                - taking.get(line.pk, 0))
                   for line in bundle if line.status != LS.CANCELLED)
        if kept == 0 and (claim_type == T.CANCEL or fault == F.SELLER):
            for line in bundle:
                left = line.shipping_share_amount - line.refunded_shipping_amount
                if left <= 0:
                    continue
                refund = by_line.get(line.pk)
                if refund is None:
                    refund = LineRefund(line=line, quantity=0)
                    preview.lines.append(refund)
                    by_line[line.pk] = refund
                refund.shipping_amount += left
        elif fault == F.SHOPPER:
            policy = shipping.seller.shipping_policy
            shipped_free = shipping.base_fee_amount == 0 and shipping.free_threshold_amount > 0
            if shipped_free and kept < shipping.free_threshold_amount and (claim_type == T.RETURN or kept > 0):
                preview.shipping_charge_amount += policy.base_fee_amount  # the fee the order did not pay
            if claim_type == T.RETURN:
                preview.shipping_charge_amount += policy.return_fee_amount
    return preview


# --- Requests -------------------------------------------------------------------------------------


def _claim_number() -> str:
    from orders.services.checkout import next_daily_value

    day, value = next_daily_value("claim")
    return f"C{day:%Y%m%d}-{value:05d}"


def _check_window(line: OrderLine, fault: str) -> None:
    if line.delivered_at is None:
        return
    days = settings.CLAIM_SELLER_FAULT_WINDOW_DAYS if fault == F.SELLER else settings.CLAIM_WINDOW_DAYS
    if timezone.now() > line.delivered_at + timedelta(days=days):
        raise ClaimError(_("Returns and exchanges are accepted within %(days)d days of delivery.") % {"days": days},
                         code="window")


def _check_lines(claim_type: str, lines: list[OrderLine], quantities: dict, fault: str) -> None:
    for line in lines:
        quantity = quantities[line.pk]
        if quantity < 1 or quantity > line.quantity - line.claimed_quantity:
            raise ClaimError(_("“%(name)s”: choose from 1 to %(max)d.") % {
                "name": line.product_name, "max": line.quantity - line.claimed_quantity}, code="quantity")
        if claim_type == T.CANCEL:
            if line.status in (LS.SHIPPING, LS.DELIVERED, LS.CONFIRMED):
                raise ClaimError(_("“%(name)s” has shipped: please request a return instead.") % {
                    "name": line.product_name}, code="shipped")
            if line.status not in (LS.PAID, LS.PREPARING, LS.READY_TO_SHIP):
                raise ClaimError(_("“%(name)s” cannot be cancelled now.") % {"name": line.product_name},
                                 code="status")
        else:
            if line.status != LS.DELIVERED:
                raise ClaimError(_("“%(name)s” can be returned or exchanged once delivered.") % {
                    "name": line.product_name}, code="status")
            _check_window(line, fault)


def request_claim(*, order: Order, claim_type: str, items: list[tuple[int, int]], reason_code: str,
                  requested_by, detail: str = "", pickup_method: str = "", replacements: dict | None = None,
                  refund_account: RefundAccount | None = None) -> Claim:
    """The shopper (or an operator for them) asks to cancel, exchange or return units of lines.

    A cancel of paid or preparing lines is done at once (refund included); a cancel of lines
    ready to ship waits for the seller. Exchanges and returns wait for approval. Nothing is
    changed if any line or quantity does not qualify.
    """
    order = Order.objects.get(pk=order.pk)
    if reason_code not in REASONS:
        raise ClaimError(_("Choose a reason."), code="reason")
    if not items:
        raise ClaimError(_("Choose at least one item."), code="empty")
    fault = REASONS[reason_code][0]
    if claim_type != T.CANCEL and pickup_method not in Claim.PickupMethod.values:
        raise ClaimError(_("Choose how the item goes back."), code="pickup")
    if order.payment_status == Order.PaymentStatus.AWAITING:
        raise ClaimError(_("This order is not paid yet: cancel the whole order instead."), code="unpaid")
    payment = Payment.objects.get(order=order)
    needs_account = payment.method == "virtual_account" and claim_type != T.EXCHANGE
    if needs_account and refund_account is None:
        raise ClaimError(_("Tell us the bank account for the refund."), code="refund_account")
    number = _claim_number()
    with transaction.atomic():
        quantities = {int(line_id): int(quantity) for line_id, quantity in items}
        lines = list(OrderLine.objects.select_for_update().filter(order=order, pk__in=quantities).order_by("pk"))
        if len(lines) != len(quantities):
            raise ClaimError(_("Some items are not in this order."), code="lines")
        _check_lines(claim_type, lines, quantities, fault)
        replacements = replacements or {}
        if claim_type == T.EXCHANGE:
            _check_replacements(lines, replacements)
        preview = compute_refund(order=order, claim_type=claim_type, fault=fault, items=list(quantities.items()))
        claim = Claim.objects.create(
            number=number, order=order, type=claim_type, reason_code=reason_code, reason_detail=detail[:2000],
            fault=fault, pickup_method=pickup_method if claim_type != T.CANCEL else "", requested_by=requested_by,
            items_refund_amount=preview.items_amount, shipping_refund_amount=preview.shipping_refund_amount,
            shipping_charge_amount=exchange_shipping_charge(lines, fault) if claim_type == T.EXCHANGE
            else preview.shipping_charge_amount,
            points_refund_amount=preview.points_amount, refund_amount=preview.refund_amount,
            refund_bank_code=refund_account.bank_code if refund_account else "",
            refund_account_number=refund_account.account_number if refund_account else "",
            refund_holder=refund_account.holder_name if refund_account else "",
        )
        ClaimLine.objects.bulk_create([
            ClaimLine(claim=claim, order_line=line, quantity=quantities[line.pk],
                      replacement_sku_id=replacements.get(line.pk))
            for line in lines
        ])
        for line in lines:  # locked above, so the count read is current
            OrderLine.objects.filter(pk=line.pk).update(claimed_quantity=line.claimed_quantity + quantities[line.pk])
        from orders.services.lines import record_created

        record_created([claim], actor=requested_by, reason=str(REASONS[reason_code][1]))
        _tell(claim, "requested")
    if claim_type == T.CANCEL and all(line.status in CANCELLABLE_AT_ONCE for line in lines):
        _refund_and_finish(claim.pk, actor=requested_by, reason=_("Cancelled before shipping"))
        claim.refresh_from_db()
    return claim


def exchange_shipping_charge(lines, fault) -> int:
    """The round-trip exchange fee a shopper at fault pays, once per seller (paid to the seller)."""
    if fault != F.SHOPPER:
        return 0
    policies = {line.seller.shipping_policy for line in lines}
    return sum(policy.exchange_fee_amount for policy in policies)


def _check_replacements(lines, replacements) -> None:
    from catalog.models import SKU

    for line in lines:
        sku_id = replacements.get(line.pk)
        if not sku_id:
            raise ClaimError(_("Choose the option you want instead of “%(name)s”.") % {"name": line.product_name},
                             code="replacement")
        sku = SKU.objects.filter(pk=sku_id, product_id=line.product_id, is_active=True).first()
        if sku is None:
            raise ClaimError(_("The replacement must be an option of the same product."), code="replacement")
        if sku.price_delta_amount != line.option_delta_amount:
            raise ClaimError(_("The replacement option has a different price; please return and reorder."),
                             code="replacement_price")


# --- Moves -----------------------------------------------------------------------------------------


def _locked(claim_id: int) -> Claim:
    claim = Claim.objects.select_for_update().filter(pk=claim_id).first()
    if claim is None:
        raise ClaimError(_("No such claim."), code="not_found")
    return claim


def _check_actor(actor, claim: Claim) -> None:
    """Operators with claims permission, or the staff of the seller whose lines the claim covers."""
    for claim_line in claim.lines.select_related("order_line"):
        check_line_access(actor, claim_line.order_line, "claims.handle_claims")


def _move(claim: Claim, to: str, *, actor, reason: str = "", extra=()) -> None:
    move(claim, to=to, table=TRANSITIONS[claim.type], actor=actor, reason=reason, extra_update_fields=tuple(extra))
    _tell(claim, to)


def _tell(claim: Claim, step: str) -> None:
    order = claim.order
    labels = dict(Claim.Status.choices)
    reason = REASONS.get(claim.reason_code, (None, claim.reason_code))[1]
    context = {"claim": claim, "order": order, "step": labels.get(step, step), "reason": reason}
    notify(event="claim.updated", key=f"{claim.number}:{step}", context=context, email=order.orderer_email,
           phone=order.orderer_phone, subject_object=order)
    for seller in {cl.order_line.seller for cl in claim.lines.select_related("order_line__seller")}:
        notify(event="claim.updated_seller", key=f"{claim.number}:{step}:{seller.pk}",
               context={**context, "seller": seller}, email=seller.contact_email, subject_object=order)


def _release_claimed(claim: Claim) -> None:
    from django.db.models import F

    for claim_line in claim.lines.all():
        OrderLine.objects.filter(pk=claim_line.order_line_id).update(
            claimed_quantity=F("claimed_quantity") - claim_line.quantity)


@transaction.atomic
def approve_claim(*, claim_id: int, actor) -> Claim:
    """Seller/operator accepts: a cancel of lines ready to ship is refunded and done; an exchange
    reserves its replacement stock; a return waits for pickup."""
    claim = _locked(claim_id)
    _check_actor(actor, claim)
    if claim.type == T.CANCEL:
        if claim.status != St.REQUESTED:
            raise ClaimError(_("This claim cannot be approved now."), code="status")
        return _refund_and_finish(claim.pk, actor=actor, reason=_("Cancel approved"))
    _move(claim, St.APPROVED, actor=actor)
    if claim.type == T.EXCHANGE:
        from catalog.services import reserve_stock

        reserve_stock(items=[(cl.replacement_sku_id, cl.quantity) for cl in claim.lines.all()], reference=claim.number,
                      actor=actor)
    return claim


@transaction.atomic
def reject_claim(*, claim_id: int, actor, reason: str) -> Claim:
    claim = _locked(claim_id)
    _check_actor(actor, claim)
    if not reason.strip():
        raise ClaimError(_("Give the reason for rejecting."), code="reason")
    claim.reject_reason = reason[:200]
    _move(claim, St.REJECTED, actor=actor, reason=reason, extra=("reject_reason",))
    _undo_reservation(claim, actor)
    _release_claimed(claim)
    return claim


@transaction.atomic
def withdraw_claim(*, claim_id: int, shopper) -> Claim:
    """The shopper takes the request back (until the refund or the replacement)."""
    claim = _locked(claim_id)
    if claim.order.user_id != getattr(shopper, "pk", None):
        raise ClaimError(_("This is not your claim."), code="forbidden")
    _move(claim, St.WITHDRAWN, actor=shopper, reason=_("Withdrawn by the shopper"))
    _undo_reservation(claim, shopper)
    _release_claimed(claim)
    return claim


def _undo_reservation(claim: Claim, actor) -> None:
    """An exchange that ends without shipping gives its reserved replacement back to stock."""
    from catalog.models import StockMovement
    from catalog.services import release_stock

    if claim.type == T.EXCHANGE and StockMovement.objects.filter(reference=claim.number,
                                                                 reason=StockMovement.Reason.ORDERED).exists():
        release_stock(items=[(cl.replacement_sku_id, cl.quantity) for cl in claim.lines.all()], reference=claim.number,
                      actor=actor)


@transaction.atomic
def start_pickup(*, claim_id: int, actor, courier_code: str = "", waybill_number: str = "") -> Claim:
    claim = _locked(claim_id)
    _check_actor(actor, claim)
    if waybill_number:
        courier = Courier.objects.filter(code=courier_code).first()
        if courier is None:
            raise ClaimError(_("Unknown courier."), code="courier")
        claim.pickup_courier = courier
        claim.pickup_waybill = validate_waybill(courier=courier, number=waybill_number)
    _move(claim, St.PICKUP_STARTED, actor=actor, extra=("pickup_courier", "pickup_waybill"))
    return claim


@transaction.atomic
def complete_pickup(*, claim_id: int, actor) -> Claim:
    """The goods are back: inspection next; the refund is due 3 business days from now."""
    claim = _locked(claim_id)
    _check_actor(actor, claim)
    claim.picked_up_at = timezone.now()
    claim.refund_due_date = add_business_days(timezone.localdate(), settings.CLAIM_REFUND_DUE_BUSINESS_DAYS) \
        if claim.type == T.RETURN else None
    _move(claim, St.PICKED_UP, actor=actor, extra=("picked_up_at", "refund_due_date"))
    return claim


@transaction.atomic
def hold_claim(*, claim_id: int, actor, reason: str) -> Claim:
    claim = _locked(claim_id)
    _check_actor(actor, claim)
    if not reason.strip():
        raise ClaimError(_("Give the reason for the hold."), code="reason")
    claim.hold_reason = reason[:200]
    _move(claim, St.HELD, actor=actor, reason=reason, extra=("hold_reason",))
    return claim


@transaction.atomic
def release_hold(*, claim_id: int, actor) -> Claim:
    claim = _locked(claim_id)
    _check_actor(actor, claim)
    _move(claim, St.PICKED_UP, actor=actor, reason=_("Hold released"))
    return claim


def refund_return(*, claim_id: int, actor) -> Claim:
    """Inspection passed: the goods go back to stock and the money goes back by its route."""
    with transaction.atomic():
        claim = _locked(claim_id)
        _check_actor(actor, claim)
        if claim.type != T.RETURN or St.REFUNDED not in TRANSITIONS[T.RETURN].get(claim.status, ()):
            raise ClaimError(_("This claim cannot be refunded now."), code="status")
    return _refund_and_finish(claim_id, actor=actor, reason=_("Inspection passed"))


@transaction.atomic
def complete_claim(*, claim_id: int, actor) -> Claim:
    claim = _locked(claim_id)
    _check_actor(actor, claim)
    _move(claim, St.COMPLETED, actor=actor)
    if claim.type == T.EXCHANGE:
        for claim_line in claim.lines.select_related("order_line"):
            line = OrderLine.objects.select_for_update().get(pk=claim_line.order_line_id)
            if claim_line.quantity == line.quantity and line.status == LS.DELIVERED:
                move_line(line, to=LS.EXCHANGED, actor=actor, reason=claim.number)
    return claim


@transaction.atomic
def ship_replacement(*, claim_id: int, actor, courier_code: str, waybill_number: str) -> Claim:
    """Inspection passed for an exchange: the returned goods go back to stock; the new ones ship."""
    from catalog.models import StockMovement
    from catalog.services import release_stock

    claim = _locked(claim_id)
    _check_actor(actor, claim)
    courier = Courier.objects.filter(code=courier_code).first()
    if courier is None:
        raise ClaimError(_("Unknown courier."), code="courier")
    claim.replacement_courier = courier
    claim.replacement_waybill = validate_waybill(courier=courier, number=waybill_number)
    _move(claim, St.REPLACEMENT_SHIPPED, actor=actor, extra=("replacement_courier", "replacement_waybill"))
    release_stock(items=[(cl.order_line.sku_id, cl.quantity) for cl in claim.lines.select_related("order_line")],
                  reference=claim.number, actor=actor, reason=StockMovement.Reason.RETURNED)
    return claim


def convert_claim(*, claim_id: int, actor, replacements: dict | None = None,
                  refund_account: RefundAccount | None = None) -> Claim:
    """Exchange → return (replacement sold out, or the shopper's wish) or return → exchange.

    The new claim keeps the lines and the stage reached (a picked-up exchange becomes a
    picked-up return); the old one ends as CONVERTED.
    """
    with transaction.atomic():
        old = _locked(claim_id)
        if actor.pk != old.order.user_id:
            _check_actor(actor, old)
        if old.type == T.CANCEL:
            raise ClaimError(_("A cancel cannot be converted."), code="status")
        new_type = T.RETURN if old.type == T.EXCHANGE else T.EXCHANGE
        items = [(cl.order_line_id, cl.quantity) for cl in old.lines.all()]
        if refund_account is not None:
            old.refund_bank_code, old.refund_account_number, old.refund_holder = (
                refund_account.bank_code, refund_account.account_number, refund_account.holder_name)
        if new_type == T.RETURN and not old.refund_account_number and \
                Payment.objects.filter(order=old.order, method="virtual_account").exists():
            raise ClaimError(_("Tell us the bank account for the refund."), code="refund_account")
        if new_type == T.EXCHANGE:
            _check_replacements([cl.order_line for cl in old.lines.select_related("order_line")], replacements or {})
        preview = compute_refund(order=old.order, claim_type=new_type, fault=old.fault, items=items,
                                 exclude_claim_id=old.pk)
        stage = old.status if old.status in (St.APPROVED, St.PICKUP_STARTED, St.PICKED_UP) else St.REQUESTED
        new = Claim.objects.create(
            number=_claim_number(), order=old.order, type=new_type, status=stage, reason_code=old.reason_code,
            reason_detail=old.reason_detail, fault=old.fault, pickup_method=old.pickup_method,
            requested_by=old.requested_by, pickup_courier=old.pickup_courier, pickup_waybill=old.pickup_waybill,
            picked_up_at=old.picked_up_at, refund_bank_code=old.refund_bank_code,
            refund_account_number=old.refund_account_number, refund_holder=old.refund_holder,
            items_refund_amount=preview.items_amount, shipping_refund_amount=preview.shipping_refund_amount,
            shipping_charge_amount=preview.shipping_charge_amount if new_type == T.RETURN else old.shipping_charge_amount,
            points_refund_amount=preview.points_amount, refund_amount=preview.refund_amount,
            refund_due_date=add_business_days(timezone.localdate(), settings.CLAIM_REFUND_DUE_BUSINESS_DAYS)
            if stage == St.PICKED_UP and new_type == T.RETURN else None,
        )
        ClaimLine.objects.bulk_create([ClaimLine(claim=new, order_line_id=line_id, quantity=quantity,
                                                 replacement_sku_id=(replacements or {}).get(line_id))
                                       for line_id, quantity in items])
        old.converted_to = new
        _move(old, St.CONVERTED, actor=actor, reason=_("Converted into %(number)s") % {"number": new.number},
              extra=("converted_to",))
        _undo_reservation(old, actor)
        from orders.services.lines import record_created

        record_created([new], actor=actor, reason=_("Converted from %(number)s") % {"number": old.number})
        if new_type == T.EXCHANGE and stage != St.REQUESTED:
            from catalog.services import reserve_stock

            reserve_stock(items=[(cl.replacement_sku_id, cl.quantity) for cl in new.lines.all()], reference=new.number,
                          actor=actor)
        return new


# --- The refund -------------------------------------------------------------------------------------


def _refund_and_finish(claim_id: int, *, actor, reason: str) -> Claim:
    """Give the money back by its route, the points as points, the stock to the shelf; finish.

    The amounts are computed again under the lines' locks, so two refunds at once cannot give
    back more than a line cost. The PG call is idempotent (the claim number is its key).
    """
    from catalog.models import StockMovement
    from catalog.services import release_stock
    from marketing.services.coupons import release_order_coupons
    from marketing.services.points import clawback_points_for_line, restore_points
    from orders.services.payments import cancel_payment

    with transaction.atomic():
        claim = _locked(claim_id)
        order = Order.objects.select_for_update().get(pk=claim.order_id)
        claim_lines = list(claim.lines.select_related("order_line"))
        list(OrderLine.objects.select_for_update().filter(pk__in=[cl.order_line_id for cl in claim_lines])
             .order_by("pk").values_list("pk", flat=True))  # lock the lines (the order row is locked too)
        preview = compute_refund(order=order, claim_type=claim.type, fault=claim.fault,
                                 items=[(cl.order_line_id, cl.quantity) for cl in claim_lines], exclude_claim_id=claim.pk)
        # Points earned on returned lines come back first; what was already spent comes off the cash.
        shortfall = 0
        if claim.type == T.RETURN:
            for cl in claim_lines:
                if cl.quantity == cl.order_line.quantity:
                    shortfall += clawback_points_for_line(line=cl.order_line, actor=actor)
        refund_amount = max(0, preview.refund_amount - shortfall)
        account = RefundAccount(claim.refund_bank_code, claim.refund_account_number, claim.refund_holder) \
            if claim.refund_account_number else None
        if refund_amount:
            cancel_payment(order=order, amount=refund_amount, reason=f"{claim.number} {reason}"[:200],
                           idempotency_key=f"claim-{claim.number}", actor=actor, refund_account=account)
        if preview.points_amount:
            restore_points(user=order.user, amount=preview.points_amount, order=order,
                           reason=_("Refund of claim %(number)s") % {"number": claim.number})
        for refund in preview.lines:
            line = OrderLine.objects.get(pk=refund.line.pk)
            line.refunded_amount += refund.cash_amount + refund.shipping_amount
            line.refunded_shipping_amount += refund.shipping_amount
            line.refunded_points_amount += refund.points_amount
            line.refunded_quantity += refund.quantity
            line.save(update_fields=["refunded_amount", "refunded_shipping_amount", "refunded_points_amount",
                                     "refunded_quantity", "updated_at"])
            if refund.quantity and line.refunded_quantity == line.quantity:
                move_line(line, to=LS.CANCELLED if claim.type == T.CANCEL else LS.RETURNED, actor=actor,
                          reason=claim.number)
        stock_reason = StockMovement.Reason.RELEASED if claim.type == T.CANCEL else StockMovement.Reason.RETURNED
        release_stock(items=[(cl.order_line.sku_id, cl.quantity) for cl in claim_lines],
                      reference=order.number if claim.type == T.CANCEL else claim.number, actor=actor,
                      reason=stock_reason)
        claim.items_refund_amount = preview.items_amount
        claim.shipping_refund_amount = preview.shipping_refund_amount
        claim.shipping_charge_amount = preview.shipping_charge_amount
        claim.points_refund_amount = preview.points_amount
        claim.refund_amount = refund_amount
        claim.refunded_at = timezone.now()
        fields = ("items_refund_amount", "shipping_refund_amount", "shipping_charge_amount", "points_refund_amount",
                  "refund_amount", "refunded_at")
        if claim.type == T.RETURN:
            _move(claim, St.REFUNDED, actor=actor, reason=reason, extra=fields)
        else:
            _move(claim, St.COMPLETED, actor=actor, reason=reason, extra=fields)
        if not order.lines.exclude(status=LS.CANCELLED).exists():
            from orders.services.lines import move_order_payment

            if order.payment_status == Order.PaymentStatus.PAID:
                move_order_payment(order, to=Order.PaymentStatus.CANCELLED, actor=actor, reason=claim.number)
            release_order_coupons(order=order)  # the whole order was cancelled: its coupons come back
        return claim


@transaction.atomic
def add_claim_memo(*, claim_id: int, author, body: str):
    """A CS note on a claim: operators with claim rights, or the seller's staff for its lines."""
    from claims.models import ClaimMemo

    claim = _locked(claim_id)
    _check_actor(author, claim)
    body = (body or "").strip()
    if not body:
        raise ClaimError(_("Write the memo first."), code="empty")
    return ClaimMemo.objects.create(claim=claim, author=author, body=body[:4000])
