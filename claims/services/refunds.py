"""The refund path of every claim (cancel, return, stock-out cancel), with the PG call outside locks.

1. ``begin`` (one short transaction, claim → order → lines locked in id order): the amounts are
   computed under the locks, fixed on the claim and its lines (gross, each deduction, net by
   route), recorded on the order lines (``orders.services.claimed.record_refund``) and the claim
   moves to REFUNDING. Committed: two refunds of the same line cannot both take its last units.
2. The PG partial cancel runs with no lock held, keyed by the claim number (the PG's
   Idempotency-Key), so calling it again never refunds twice.
3. ``finish`` (one short transaction): points restored, stock back (or to the damaged bin), the
   claim's hold on the units ends, the lines that went back whole move to CANCELLED/RETURNED,
   coupons come back when every line of the order is cancelled; the claim is REFUNDED (return)
   or COMPLETED (cancel).

A PG error (refused, timeout, anything) moves the claim to REFUND_FAILED with the PG's answer:
it shows in the console's failed-refund list, where ``retry_refund`` runs steps 2 and 3 again.
The claim is never half done: its units stay held (fulfilment waits) until the money went back.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.exceptions import ClaimError
from claims.models import Claim, ClaimLine
from orders.models import Order, OrderLine, Payment, PaymentMethod
from orders.payments import RefundAccount
from orders.services.claimed import (
    LineRefundRecord,
    end_line,
    finish_claimed_units,
    lock_lines,
    record_refund,
)

from .common import check_actor, locked_claim, move_claim
from .money import DEDUCTION_KINDS, compute_refund
from .rules import ClaimType, LineStatus, Status

logger = logging.getLogger(__name__)

STOCK_OUT = "out_of_stock"
# Where a refund starts: a cancel request, or a return whose goods passed inspection. A failed
# refund is taken up again by ``retry_refund`` (it does not start over).
REFUND_STARTS = {ClaimType.CANCEL: Status.REQUESTED, ClaimType.RETURN: Status.PICKED_UP}


def _route(order: Order) -> str:
    method = Payment.objects.filter(order=order).values_list("method", flat=True).first()
    return Claim.Route.BANK if method == PaymentMethod.VIRTUAL_ACCOUNT else Claim.Route.PG


def begin(claim_id: int, *, actor, reason: str = "", check=True) -> Claim:
    """Step 1: fix and commit the amounts; REFUNDING. Raises ClaimError (nothing changed) if not allowed."""
    from marketing.services.points import clawback_points_for_line

    with transaction.atomic():
        claim = locked_claim(claim_id)
        if check:
            check_actor(actor, claim)
        if REFUND_STARTS.get(claim.type) != claim.status:
            raise ClaimError(_("This claim cannot be refunded now."), code="status")
        order = Order.objects.select_for_update().get(pk=claim.order_id)
        lock_lines(order.pk)
        claim_lines = list(claim.lines.select_related("order_line__order").order_by("order_line_id"))
        preview = compute_refund(order=order, claim_type=claim.type, fault=claim.fault,
                                 items=[(cl.order_line_id, cl.quantity) for cl in claim_lines],
                                 exclude_claim_id=claim.pk, pickup_method=claim.pickup_method,
                                 damage_amount=claim.damage_amount)
        # Points a returned line earned come back first; what the shopper already spent comes off the cash.
        if claim.type == ClaimType.RETURN:
            for cl in claim_lines:
                if cl.quantity == cl.order_line.quantity:
                    preview.points_clawback_amount += clawback_points_for_line(line=cl.order_line, actor=actor)
            if preview.points_clawback_amount:
                for refund in preview.lines:  # allocate again with the clawback included
                    for kind in DEDUCTION_KINDS:
                        setattr(refund, kind, 0)
                preview.allocate_deductions()
        by_line = {refund.line.pk: refund for refund in preview.lines}
        for cl in claim_lines:
            refund = by_line.get(cl.order_line_id)
            if refund is None:
                continue
            cl.gross_amount, cl.shipping_refund_amount = refund.cash_amount, refund.shipping_amount
            for kind in DEDUCTION_KINDS:
                setattr(cl, kind, getattr(refund, kind))
            cl.refund_amount, cl.points_amount = refund.net_amount, refund.points_amount
        # The bundle's shipping can come back on a line this claim does not hold (cancelled earlier, its
        # share kept until the last unit left): the money is recorded on that line below, and shown on
        # this claim's line of the same seller, so the claim's lines add up to the claim.
        for refund in preview.lines:
            if refund.line.pk in {cl.order_line_id for cl in claim_lines} or not claim_lines:
                continue
            target = next((cl for cl in claim_lines if cl.order_line.seller_id == refund.line.seller_id),
                          claim_lines[0])
            target.gross_amount += refund.cash_amount
            target.shipping_refund_amount += refund.shipping_amount
            for kind in DEDUCTION_KINDS:
                setattr(target, kind, getattr(target, kind) + getattr(refund, kind))
            target.refund_amount += refund.net_amount
            target.points_amount += refund.points_amount
        ClaimLine.objects.bulk_update(claim_lines, ["gross_amount", "shipping_refund_amount", *DEDUCTION_KINDS,
                                                    "refund_amount", "points_amount"])
        record_refund([LineRefundRecord(line_id=r.line.pk, quantity=r.quantity, gross_amount=r.cash_amount,
                                        cash_amount=r.net_amount - r.shipping_amount,
                                        shipping_amount=r.shipping_amount, points_amount=r.points_amount)
                       for r in preview.lines])
        claim.items_refund_amount = preview.items_amount
        claim.shipping_refund_amount = preview.shipping_refund_amount
        claim.shipping_charge_amount = preview.shipping_charge_amount
        claim.return_fee_amount = preview.return_fee_amount
        claim.points_clawback_amount = preview.points_clawback_amount
        claim.points_refund_amount = preview.points_amount
        claim.refund_amount = preview.refund_amount
        claim.refund_route = _route(order)
        claim.refund_error = ""
        move_claim(claim, Status.REFUNDING, actor=actor, reason=reason, extra=(
            "items_refund_amount", "shipping_refund_amount", "shipping_charge_amount", "return_fee_amount",
            "points_clawback_amount", "points_refund_amount", "refund_amount", "refund_route", "refund_error"))
        return claim


def _pay_back(claim: Claim, *, actor, reason: str) -> str:
    """Step 2 (no lock held): the PG cancel. Returns '' or the error to show."""
    from orders.services.payments import cancel_payment

    if claim.refund_amount <= 0:
        return ""
    account = RefundAccount(claim.refund_bank_code, claim.refund_account_number, claim.refund_holder) \
        if claim.refund_account_number else None
    try:
        cancel_payment(order=claim.order, amount=claim.refund_amount, reason=f"{claim.number} {reason}"[:200],
                       idempotency_key=f"claim-{claim.number}", actor=actor, refund_account=account)
    except Exception as exc:  # refused, timed out, unreachable: all leave a retryable REFUND_FAILED
        logger.warning("refund of claim %s failed at the PG: %s", claim.number, exc)
        return str(getattr(exc, "message", "") or exc)[:300] or exc.__class__.__name__
    return ""


@transaction.atomic
def _fail(claim_id: int, *, actor, error: str) -> Claim:
    claim = locked_claim(claim_id)
    if claim.status != Status.REFUNDING:
        return claim
    claim.refund_error = error
    claim.refund_attempts += 1
    move_claim(claim, Status.REFUND_FAILED, actor=actor, reason=error, extra=("refund_error", "refund_attempts"))
    return claim


@transaction.atomic
def finish(claim_id: int, *, actor, reason: str, tell: bool = True) -> Claim:
    """Step 3: what follows the money (points, stock, line outcomes, coupons); REFUNDED or COMPLETED."""
    from catalog.models import StockMovement
    from catalog.services import release_stock
    from marketing.services.coupons import release_order_coupons
    from marketing.services.points import restore_points
    from orders.services.lines import move_order_payment

    claim = locked_claim(claim_id)
    if claim.status != Status.REFUNDING:
        return claim  # another worker finished it first
    order = Order.objects.select_for_update().get(pk=claim.order_id)
    lines = {line.pk: line for line in lock_lines(order.pk)}
    claim_lines = list(claim.lines.order_by("order_line_id"))
    if claim.points_refund_amount:
        restore_points(user=order.user, amount=claim.points_refund_amount, order=order,
                       reason=_("Refund of claim %(number)s") % {"number": claim.number})
    outcome = LineStatus.CANCELLED if claim.type == ClaimType.CANCEL else LineStatus.RETURNED
    for cl in claim_lines:
        finish_claimed_units(line_id=cl.order_line_id, quantity=cl.quantity)
        line = lines[cl.order_line_id]
        line.refresh_from_db(fields=["refunded_quantity", "status"])
        if line.refunded_quantity == line.quantity and line.status != outcome:
            end_line(line, to=outcome, actor=actor, reason=claim.number)
    if claim.reason_code != STOCK_OUT and claim.restock:  # a stock-out never had the goods; damaged ones stay out
        cancel = claim.type == ClaimType.CANCEL
        release_stock(items=[(lines[cl.order_line_id].sku_id, cl.quantity) for cl in claim_lines],
                      reference=order.number if cancel else claim.number, actor=actor,
                      reason=StockMovement.Reason.RELEASED if cancel else StockMovement.Reason.RETURNED)
    claim.refunded_at = timezone.now()
    move_claim(claim, Status.REFUNDED if claim.type == ClaimType.RETURN else Status.COMPLETED, actor=actor,
               reason=reason, extra=("refunded_at",), tell=tell)
    if not OrderLine.objects.filter(order=order).exclude(status=LineStatus.CANCELLED).exists():
        if order.payment_status == Order.PaymentStatus.PAID:
            move_order_payment(order, to=Order.PaymentStatus.CANCELLED, actor=actor, reason=claim.number)
        release_order_coupons(order=order)  # the whole order was cancelled: its coupons come back
    return claim


def refund_claim(claim_id: int, *, actor, reason: str, check=True, tell: bool = True) -> Claim:
    """Steps 1–3. Call outside any transaction: the PG call must not run under the rows' locks."""
    claim = begin(claim_id, actor=actor, reason=reason, check=check)
    return _pay_and_finish(claim, actor=actor, reason=reason, tell=tell)


def _pay_and_finish(claim: Claim, *, actor, reason: str, tell: bool = True) -> Claim:
    error = _pay_back(claim, actor=actor, reason=reason)
    if error:
        return _fail(claim.pk, actor=actor, error=error)
    return finish(claim.pk, actor=actor, reason=reason, tell=tell)


def retry_refund(*, claim_id: int, actor) -> Claim:
    """The console's retry of a refund that failed at the PG (or stopped half way): safe to repeat."""
    with transaction.atomic():
        claim = locked_claim(claim_id)
        check_actor(actor, claim)
        if claim.status == Status.REFUND_FAILED:
            move_claim(claim, Status.REFUNDING, actor=actor, reason=_("Refund retried"))
        elif claim.status != Status.REFUNDING:
            raise ClaimError(_("This refund has not failed."), code="status")
    return _pay_and_finish(Claim.objects.select_related("order").get(pk=claim_id), actor=actor,
                           reason=_("Refund retried"))


def refund_return(*, claim_id: int, actor) -> Claim:
    """Inspection passed: the goods go back to stock and the money goes back by its route."""
    with transaction.atomic():
        claim = locked_claim(claim_id)
        check_actor(actor, claim)
        if claim.type != ClaimType.RETURN or claim.status != REFUND_STARTS[ClaimType.RETURN]:
            raise ClaimError(_("This claim cannot be refunded now."), code="status")
    return refund_claim(claim_id, actor=actor, reason=_("Inspection passed"))
