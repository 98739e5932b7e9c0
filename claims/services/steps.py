"""The claim's steps after the request: approve, reject, withdraw, pickup, inspect, hold, replace,
convert, complete. ``actor`` is an operator with claims rights or the seller's staff (the partner
portal calls these with its staff user)."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.exceptions import ClaimError
from claims.models import Claim, ClaimLine, ClaimMemo
from orders.exceptions import OrderError
from orders.models import Courier, Payment, PaymentMethod
from orders.payments import RefundAccount
from orders.services.claimed import (
    finish_claimed_units,
    lock_lines,
    record_exchanged,
    release_claimed_units,
    reserve_claimed_units,
)
from orders.services.fulfilment import add_business_days, validate_waybill, waybill_in_use_elsewhere

from .common import check_actor, claim_number, is_operator, locked_claim, move_claim, tell_step
from .money import compute_refund
from .refunds import refund_claim
from .requests import check_replacements
from .rules import TRANSITIONS, ClaimType, LineStatus, Status

AFTER_PICKUP = {Status.PICKED_UP, Status.HELD}
logger = logging.getLogger(__name__)


def _give_back_fees_after_commit(claim: Claim, reason: str) -> None:
    """An exchange that ends or becomes a return owes no exchange fee: a paid one goes back after the
    commit (the PG call never runs under the claim's lock); a PG error leaves it listed as paid for CS."""
    if claim.type != ClaimType.EXCHANGE or not claim.exchange_fee_paid_amount:
        return
    from .fees import cancel_fee_payments

    def give_back():
        try:
            cancel_fee_payments(claim_id=claim.pk, reason=reason)
        except Exception as exc:  # noqa: BLE001 - logged for CS; the claim's own state is already right
            logger.warning("exchange fee of %s not given back: %s", claim.number, exc)

    transaction.on_commit(give_back)
FEE_HOLDS = {Claim.HoldReason.RETURN_FEE_UNPAID, Claim.HoldReason.EXTRA_FEE, Claim.HoldReason.EXCHANGE_FEE_UNPAID}


def _courier(code: str) -> Courier:
    courier = Courier.objects.filter(code=code).first() or Courier.objects.filter(name=code).first()
    if courier is None:
        raise ClaimError(_("Unknown courier."), code="courier")
    return courier


def _waybill(claim: Claim, courier_code: str, waybill_number: str) -> tuple[Courier, str]:
    """A waybill for a parcel of this claim: valid for its courier and not another order's (issue 9 point 9)."""
    courier = _courier(courier_code)
    try:
        number = validate_waybill(courier=courier, number=waybill_number)
    except OrderError as exc:
        raise ClaimError(exc.message, code=exc.code) from exc
    if waybill_in_use_elsewhere(courier=courier, number=number, order_id=claim.order_id) or \
            Claim.objects.exclude(order_id=claim.order_id).filter(replacement_courier=courier,
                                                                   replacement_waybill=number).exists():
        raise ClaimError(_("Waybill %(number)s is already used for another order.") % {"number": number},
                         code="waybill_duplicate")
    return courier, number


def _release_units(claim: Claim) -> None:
    for claim_line in claim.lines.all():
        release_claimed_units(line_id=claim_line.order_line_id, quantity=claim_line.quantity)


def _undo_reservation(claim: Claim, actor) -> None:
    """An exchange that ends without shipping gives its reserved replacement back to stock."""
    from catalog.models import StockMovement
    from catalog.services import release_stock

    if claim.type == ClaimType.EXCHANGE and StockMovement.objects.filter(
            reference=claim.number, reason=StockMovement.Reason.ORDERED).exists():
        release_stock(items=[(cl.replacement_sku_id, cl.quantity) for cl in claim.lines.all()], reference=claim.number,
                      actor=actor)


def _reserve_replacement(claim: Claim, actor) -> None:
    from catalog.services import reserve_stock

    reserve_stock(items=[(cl.replacement_sku_id, cl.quantity) for cl in claim.lines.all()], reference=claim.number,
                  actor=actor)


def _lock_claim_lines(claim: Claim) -> None:
    lock_lines(claim.order_id, line_ids=claim.lines.values_list("order_line_id", flat=True))


def approve_claim(*, claim_id: int, actor) -> Claim:
    """Seller/operator accepts: a cancel request is refunded and done (the PG call after commit); an
    exchange reserves its replacement stock; a return waits for pickup."""
    with transaction.atomic():
        claim = locked_claim(claim_id)
        check_actor(actor, claim)
        if claim.type != ClaimType.CANCEL:
            move_claim(claim, Status.APPROVED, actor=actor)
            if claim.type == ClaimType.EXCHANGE:
                _reserve_replacement(claim, actor)
            return claim
        if claim.status != Status.REQUESTED:
            raise ClaimError(_("This claim cannot be approved now."), code="status")
    return refund_claim(claim_id, actor=actor, reason=_("Cancel approved"))


@transaction.atomic
def reject_claim(*, claim_id: int, actor, reason: str, reason_code: str = "", courier_code: str = "",
                 waybill_number: str = "") -> Claim:
    """Refuse the claim. Before pickup it ends at once. After pickup (inspection failed) the rejection
    carries a reason class and waits for an operator's approval (보류 및 거부 승인, ``approve_decision``),
    and the goods go back to the shopper with their own waybill."""
    claim = locked_claim(claim_id)
    check_actor(actor, claim)
    if not reason.strip():
        raise ClaimError(_("Give the reason for rejecting."), code="reason")
    if Status.REJECTED not in TRANSITIONS[claim.type].get(claim.status, ()):
        raise ClaimError(_("This claim cannot be rejected now."), code="status")
    claim.reject_reason = reason[:200]
    if claim.status in AFTER_PICKUP:
        if reason_code not in Claim.HoldReason.values:
            raise ClaimError(_("Choose the class of the rejection."), code="reason_code")
        claim.reject_reason_code = reason_code
        claim.return_to_shopper_courier, claim.return_to_shopper_waybill = _waybill(claim, courier_code,
                                                                                   waybill_number)
        claim.decision_pending = Status.REJECTED
        claim.save(update_fields=["reject_reason", "reject_reason_code", "return_to_shopper_courier",
                                  "return_to_shopper_waybill", "decision_pending", "updated_at"])
        from orders.services.lines import record_change_note

        record_change_note(claim, actor=actor, field="decision_note",
                           note=_("Rejection proposed: %(reason)s") % {"reason": reason})
        return claim
    move_claim(claim, Status.REJECTED, actor=actor, reason=reason, extra=("reject_reason",))
    _undo_reservation(claim, actor)
    _release_units(claim)
    _give_back_fees_after_commit(claim, reason)
    return claim


def _claim_awaiting_decision(claim_id: int, actor) -> Claim:
    """The locked claim whose seller-proposed hold or rejection an operator decides on."""
    claim = locked_claim(claim_id)
    if not is_operator(actor):
        raise ClaimError(_("Only an operator approves a hold or a rejection."), code="forbidden")
    if not claim.decision_pending:
        raise ClaimError(_("Nothing waits for approval on this claim."), code="status")
    return claim


@transaction.atomic
def approve_decision(*, claim_id: int, actor) -> Claim:
    """보류 및 거부 승인: an operator confirms a hold or a rejection proposed after inspection."""
    claim = _claim_awaiting_decision(claim_id, actor)
    pending = claim.decision_pending
    claim.decision_pending = ""
    claim.decision_approved_by, claim.decision_approved_at = actor, timezone.now()
    fields = ("decision_pending", "decision_approved_by", "decision_approved_at")
    if pending == Status.REJECTED:
        move_claim(claim, Status.REJECTED, actor=actor, reason=claim.reject_reason, extra=fields)
        _undo_reservation(claim, actor)
        _release_units(claim)
        _give_back_fees_after_commit(claim, claim.reject_reason)
    else:
        claim.save(update_fields=[*fields, "updated_at"])
        tell_step(claim, Status.HELD)  # the seller's hold reaches the shopper once approved
    return claim


@transaction.atomic
def refuse_decision(*, claim_id: int, actor, note: str = "") -> Claim:
    """보류 및 거부 승인, refused: an operator turns down a seller's proposed hold or rejection.

    A refused hold returns the claim to "picked up" (its reason never reached the shopper); a refused
    rejection is dropped and the claim goes on where it stood. The seller sees the operator's note."""
    claim = _claim_awaiting_decision(claim_id, actor)
    from orders.services.lines import record_change_note

    pending = claim.decision_pending
    claim.decision_pending = ""
    if pending == Status.HELD:
        claim.hold_reason, claim.hold_reason_code, claim.hold_fee_amount = "", "", 0
        move_claim(claim, Status.PICKED_UP, actor=actor, reason=note or _("Hold refused by the operator"),
                   extra=("decision_pending", "hold_reason", "hold_reason_code", "hold_fee_amount"), tell=False)
    else:
        claim.reject_reason, claim.reject_reason_code = "", ""
        claim.return_to_shopper_courier, claim.return_to_shopper_waybill = None, ""
        claim.save(update_fields=["decision_pending", "reject_reason", "reject_reason_code",
                                  "return_to_shopper_courier", "return_to_shopper_waybill", "updated_at"])
        record_change_note(claim, actor=actor, field="decision_note",
                           note=note or _("Rejection refused by the operator"))
    return claim


@transaction.atomic
def withdraw_claim(*, claim_id: int, shopper) -> Claim:
    """The shopper takes the request back (until the refund or the replacement)."""
    claim = locked_claim(claim_id)
    if claim.order.user_id != getattr(shopper, "pk", None):
        raise ClaimError(_("This is not your claim."), code="forbidden")
    move_claim(claim, Status.WITHDRAWN, actor=shopper, reason=_("Withdrawn by the shopper"))
    _undo_reservation(claim, shopper)
    _release_units(claim)
    _give_back_fees_after_commit(claim, _("Withdrawn by the shopper"))
    return claim


@transaction.atomic
def start_pickup(*, claim_id: int, actor, courier_code: str = "", waybill_number: str = "") -> Claim:
    claim = locked_claim(claim_id)
    check_actor(actor, claim)
    if waybill_number:
        claim.pickup_courier = _courier(courier_code)
        try:
            claim.pickup_waybill = validate_waybill(courier=claim.pickup_courier, number=waybill_number)
        except OrderError as exc:
            raise ClaimError(exc.message, code=exc.code) from exc
    move_claim(claim, Status.PICKUP_STARTED, actor=actor, extra=("pickup_courier", "pickup_waybill"))
    return claim


@transaction.atomic
def complete_pickup(*, claim_id: int, actor) -> Claim:
    """The goods are back: inspection next; the refund is due 3 business days from now."""
    claim = locked_claim(claim_id)
    check_actor(actor, claim)
    if claim.status != Status.PICKUP_STARTED:  # PICKED_UP is also where a released hold returns to
        raise ClaimError(_("The pickup has not started."), code="status")
    claim.picked_up_at = timezone.now()
    claim.refund_due_date = add_business_days(timezone.localdate(), settings.CLAIM_REFUND_DUE_BUSINESS_DAYS) \
        if claim.type == ClaimType.RETURN else None
    move_claim(claim, Status.PICKED_UP, actor=actor, extra=("picked_up_at", "refund_due_date"))
    return claim


@transaction.atomic
def inspect_claim(*, claim_id: int, actor, condition: str, restock: bool = True, damage_amount: int = 0,
                  damage_reason: str = "") -> Claim:
    """검수: the condition of the goods back, a damage deduction (with its reason, shown to the shopper)
    and whether the units go back to stock or to the damaged bin."""
    claim = locked_claim(claim_id)
    check_actor(actor, claim)
    if claim.status not in AFTER_PICKUP:
        raise ClaimError(_("Inspect the goods once they are picked up."), code="status")
    if condition not in Claim.Condition.values:
        raise ClaimError(_("Choose the condition."), code="condition")
    if damage_amount < 0:
        raise ClaimError(_("The deduction cannot be negative."), code="damage")
    if damage_amount and not damage_reason.strip():
        raise ClaimError(_("Give the reason for the damage deduction."), code="damage_reason")
    if damage_amount and claim.type == ClaimType.RETURN:
        preview = compute_refund(order=claim.order, claim_type=claim.type, fault=claim.fault,
                                 items=list(claim.lines.values_list("order_line_id", "quantity")),
                                 exclude_claim_id=claim.pk, pickup_method=claim.pickup_method)
        if damage_amount > preview.refund_amount:
            raise ClaimError(_("The deduction is more than the refund."), code="damage")
    claim.inspected_condition, claim.restock = condition, bool(restock)
    claim.damage_amount, claim.damage_reason = damage_amount, damage_reason.strip()[:200]
    claim.save(update_fields=["inspected_condition", "restock", "damage_amount", "damage_reason", "updated_at"])
    from orders.services.lines import record_change_note

    record_change_note(claim, actor=actor, note=_("Inspected: %(condition)s") % {
        "condition": claim.get_inspected_condition_display()})
    return claim


@transaction.atomic
def hold_claim(*, claim_id: int, actor, reason: str, reason_code: str = Claim.HoldReason.OTHER,
               fee_amount: int = 0, internal_note: str = "") -> Claim:
    """보류: inspection found something to settle. ``reason`` is shown to the shopper, ``internal_note``
    never; a fee class (return fee, extra fee, exchange fee) carries its amount. The hold waits for an
    operator's approval (``approve_decision``) unless an operator holds it."""
    claim = locked_claim(claim_id)
    check_actor(actor, claim)
    if not reason.strip():
        raise ClaimError(_("Give the reason for the hold."), code="reason")
    if reason_code not in Claim.HoldReason.values:
        raise ClaimError(_("Choose the class of the hold."), code="reason_code")
    if reason_code in FEE_HOLDS and fee_amount <= 0:
        raise ClaimError(_("Enter the fee the shopper must pay."), code="fee")
    claim.hold_reason, claim.hold_reason_code = reason[:200], reason_code
    claim.hold_fee_amount = fee_amount if reason_code in FEE_HOLDS else 0
    if internal_note.strip():
        claim.internal_note = internal_note.strip()[:4000]
    operator = is_operator(actor)
    claim.decision_pending = "" if operator else Status.HELD
    claim.decision_approved_by = actor if operator else None
    claim.decision_approved_at = timezone.now() if operator else None
    # A seller's hold is a proposal: the shopper hears of it when an operator approves it.
    move_claim(claim, Status.HELD, actor=actor, reason=reason, extra=(
        "hold_reason", "hold_reason_code", "hold_fee_amount", "internal_note", "decision_pending",
        "decision_approved_by", "decision_approved_at"), tell=operator)
    return claim


@transaction.atomic
def release_hold(*, claim_id: int, actor) -> Claim:
    claim = locked_claim(claim_id)
    check_actor(actor, claim)
    if claim.status != Status.HELD:
        raise ClaimError(_("This claim is not on hold."), code="status")
    claim.decision_pending = ""
    move_claim(claim, Status.PICKED_UP, actor=actor, reason=_("Hold released"), extra=("decision_pending",))
    return claim


@transaction.atomic
def ship_replacement(*, claim_id: int, actor, courier_code: str, waybill_number: str) -> Claim:
    """Inspection passed for an exchange: the returned goods go back to stock (or the damaged bin); the
    new ones ship with a waybill no other order uses."""
    from catalog.models import StockMovement
    from catalog.services import release_stock

    claim = locked_claim(claim_id)
    check_actor(actor, claim)
    from .fees import exchange_fee_due

    due = exchange_fee_due(claim)
    if due and claim.status == Status.PICKED_UP:
        raise ClaimError(_("The exchange fee (%(amount)s won) is not paid yet: hold the claim as “exchange fee "
                           "not paid” until the shopper pays it.") % {"amount": f"{due:,}"}, code="fee_unpaid")
    claim.replacement_courier, claim.replacement_waybill = _waybill(claim, courier_code, waybill_number)
    move_claim(claim, Status.REPLACEMENT_SHIPPED, actor=actor, extra=("replacement_courier", "replacement_waybill"))
    if claim.restock:
        release_stock(items=[(cl.order_line.sku_id, cl.quantity) for cl in claim.lines.select_related("order_line")],
                      reference=claim.number, actor=actor, reason=StockMovement.Reason.RETURNED)
    return claim


@transaction.atomic
def complete_claim(*, claim_id: int, actor) -> Claim:
    """The exchange is done (replacement delivered): the units are no longer held; a whole line becomes
    EXCHANGED and reaches purchase confirmation like a delivered one."""
    claim = locked_claim(claim_id)
    check_actor(actor, claim)
    if claim.type != ClaimType.EXCHANGE and claim.status != Status.REFUNDED:
        raise ClaimError(_("This claim cannot be completed now."), code="status")
    move_claim(claim, Status.COMPLETED, actor=actor)
    if claim.type == ClaimType.EXCHANGE:
        lines = {line.pk: line for line in lock_lines(claim.order_id,
                                                      line_ids=claim.lines.values_list("order_line_id", flat=True))}
        for claim_line in claim.lines.all():
            finish_claimed_units(line_id=claim_line.order_line_id, quantity=claim_line.quantity)
            line = lines[claim_line.order_line_id]
            if claim_line.quantity == line.quantity and line.status == LineStatus.DELIVERED:
                record_exchanged(line, actor=actor, reason=claim.number)
    return claim


def convert_claim(*, claim_id: int, actor, replacements: dict | None = None,
                  refund_account: RefundAccount | None = None) -> Claim:
    """Exchange → return (replacement sold out, or the shopper's wish) or return → exchange.

    The new claim keeps the lines and the stage reached (a picked-up exchange becomes a picked-up
    return), except that a held or rejected exchange opens a return *request* (seed 001). A held
    return cannot be converted (the table refuses it). The old claim ends as CONVERTED.
    """
    with transaction.atomic():
        old = locked_claim(claim_id)
        if actor.pk != old.order.user_id:
            check_actor(actor, old)
        if old.type == ClaimType.CANCEL:
            raise ClaimError(_("A cancel cannot be converted."), code="status")
        if Status.CONVERTED not in TRANSITIONS[old.type].get(old.status, ()):
            raise ClaimError(_("This claim cannot be converted now."), code="status")
        new_type = ClaimType.RETURN if old.type == ClaimType.EXCHANGE else ClaimType.EXCHANGE
        items = [(cl.order_line_id, cl.quantity) for cl in old.lines.all()]
        if refund_account is not None:
            old.refund_bank_code, old.refund_account_number, old.refund_holder = (
                refund_account.bank_code, refund_account.account_number, refund_account.holder_name)
        if new_type == ClaimType.RETURN and not old.refund_account_number and Payment.objects.filter(
                order=old.order, method=PaymentMethod.VIRTUAL_ACCOUNT).exists():
            raise ClaimError(_("Tell us the bank account for the refund."), code="refund_account")
        lines = lock_lines(old.order_id, line_ids=[line_id for line_id, _quantity in items])
        if new_type == ClaimType.EXCHANGE:
            check_replacements(lines, replacements or {})
        if old.status == Status.REJECTED:  # its units were freed by the rejection: the new request takes them again
            by_id = {line.pk: line for line in lines}
            for line_id, quantity in items:
                reserve_claimed_units(by_id[line_id], quantity=quantity)
        preview = compute_refund(order=old.order, claim_type=new_type, fault=old.fault, items=items,
                                 exclude_claim_id=old.pk, pickup_method=old.pickup_method)
        keeps_stage = old.status in (Status.APPROVED, Status.PICKUP_STARTED, Status.PICKED_UP)
        stage = old.status if keeps_stage else Status.REQUESTED
        new = Claim.objects.create(
            number=claim_number(), order=old.order, type=new_type, status=stage, reason_code=old.reason_code,
            reason_detail=old.reason_detail, fault=old.fault, pickup_method=old.pickup_method,
            requested_by=old.requested_by, pickup_courier=old.pickup_courier, pickup_waybill=old.pickup_waybill,
            picked_up_at=old.picked_up_at, refund_bank_code=old.refund_bank_code,
            refund_account_number=old.refund_account_number, refund_holder=old.refund_holder,
            items_refund_amount=preview.items_amount, shipping_refund_amount=preview.shipping_refund_amount,
            shipping_charge_amount=preview.shipping_charge_amount, return_fee_amount=preview.return_fee_amount,
            exchange_fee_amount=old.exchange_fee_amount if new_type == ClaimType.EXCHANGE else 0,
            points_refund_amount=preview.points_amount, refund_amount=preview.refund_amount,
            inspected_condition=old.inspected_condition, restock=old.restock, damage_amount=old.damage_amount,
            damage_reason=old.damage_reason,
            refund_due_date=add_business_days(timezone.localdate(), settings.CLAIM_REFUND_DUE_BUSINESS_DAYS)
            if stage == Status.PICKED_UP and new_type == ClaimType.RETURN else None,
        )
        ClaimLine.objects.bulk_create([ClaimLine(claim=new, order_line_id=line_id, quantity=quantity,
                                                 replacement_sku_id=(replacements or {}).get(line_id))
                                       for line_id, quantity in items])
        old.converted_to = new
        move_claim(old, Status.CONVERTED, actor=actor,
                   reason=_("Converted into %(number)s") % {"number": new.number}, extra=("converted_to",))
        _undo_reservation(old, actor)
        _give_back_fees_after_commit(old, _("Converted into %(number)s") % {"number": new.number})
        from orders.services.lines import record_created

        record_created([new], actor=actor, reason=_("Converted from %(number)s") % {"number": old.number})
        if new_type == ClaimType.EXCHANGE and stage != Status.REQUESTED:
            _reserve_replacement(new, actor)
        return new


@transaction.atomic
def add_claim_memo(*, claim_id: int, author, body: str) -> ClaimMemo:
    """A CS note on a claim: operators with claim rights, or the seller's staff for its lines."""
    claim = locked_claim(claim_id)
    check_actor(author, claim)
    body = (body or "").strip()
    if not body:
        raise ClaimError(_("Write the memo first."), code="empty")
    return ClaimMemo.objects.create(claim=claim, author=author, body=body[:4000])
