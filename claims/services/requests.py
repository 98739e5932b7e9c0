"""Opening claims: the shopper's request (or CS's on the shopper's behalf), and the unpaid-order cancel."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.exceptions import ClaimError
from claims.models import Claim, ClaimLine
from orders.exceptions import OrderError
from orders.models import Order, OrderLine, Payment, PaymentMethod
from orders.payments import RefundAccount
from orders.services.claimed import claimable_units, lock_lines, reserve_claimed_units

from .common import claim_number, is_operator, tell_step
from .money import compute_refund, exchange_fee, exchange_fee_by_line
from .refunds import refund_claim
from .rules import CANCELLABLE, CANCELLABLE_AT_ONCE, REASONS, ClaimType, Fault, LineStatus, reason_label


def _check_window(line: OrderLine, fault: str) -> None:
    if line.delivered_at is None:
        return
    days = settings.CLAIM_SELLER_FAULT_WINDOW_DAYS if fault == Fault.SELLER else settings.CLAIM_WINDOW_DAYS
    if timezone.now() > line.delivered_at + timedelta(days=days):
        raise ClaimError(_("Returns and exchanges are accepted within %(days)d days of delivery.") % {"days": days},
                         code="window")


def check_lines(claim_type: str, lines: list[OrderLine], quantities: dict, fault: str) -> None:
    for line in lines:
        quantity = quantities[line.pk]
        if quantity < 1 or quantity > claimable_units(line):
            raise ClaimError(_("“%(name)s”: choose from 1 to %(max)d.") % {
                "name": line.product_name, "max": claimable_units(line)}, code="quantity")
        if claim_type == ClaimType.CANCEL:
            if line.status in (LineStatus.SHIPPING, LineStatus.DELIVERED, LineStatus.CONFIRMED):
                raise ClaimError(_("“%(name)s” has shipped: please request a return instead.") % {
                    "name": line.product_name}, code="shipped")
            if line.status not in CANCELLABLE:
                raise ClaimError(_("“%(name)s” cannot be cancelled now.") % {"name": line.product_name},
                                 code="status")
        else:
            if line.status != LineStatus.DELIVERED:
                raise ClaimError(_("“%(name)s” can be returned or exchanged once delivered.") % {
                    "name": line.product_name}, code="status")
            _check_window(line, fault)


def check_replacements(lines, replacements) -> None:
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


def exchange_shipping_charge(lines, fault, *, order=None, pickup_method: str = "") -> int:
    """The exchange fee a shopper at fault pays (the order's snapshot; see money.exchange_fee)."""
    lines = list(lines)
    if not lines:
        return 0
    return exchange_fee(order=order or lines[0].order, lines=lines, fault=fault, pickup_method=pickup_method)


def request_claim(*, order: Order, claim_type: str, items: list[tuple[int, int]], reason_code: str,
                  requested_by, detail: str = "", pickup_method: str = "", replacements: dict | None = None,
                  refund_account: RefundAccount | None = None) -> Claim:
    """The shopper (or an operator for them, from the console) asks to cancel, exchange or return units.

    A cancel of paid lines the seller has not acknowledged is done at once (refund included);
    once acknowledged (PREPARING, READY_TO_SHIP) it waits for the seller's approval. Exchanges
    and returns wait for approval. Nothing is changed if any line or quantity does not qualify.
    Call outside a transaction: an immediate cancel calls the PG after committing the claim.
    """
    order = Order.objects.get(pk=order.pk)
    if requested_by is None or (requested_by.pk != order.user_id and not is_operator(requested_by)):
        raise ClaimError(_("This is not your order."), code="forbidden")
    if reason_code not in REASONS:
        raise ClaimError(_("Choose a reason."), code="reason")
    if not items:
        raise ClaimError(_("Choose at least one item."), code="empty")
    fault = REASONS[reason_code][0]
    if claim_type not in ClaimType.values:
        raise ClaimError(_("Choose cancel, exchange or return."), code="type")
    if claim_type != ClaimType.CANCEL and pickup_method not in Claim.PickupMethod.values:
        raise ClaimError(_("Choose how the item goes back."), code="pickup")
    if order.payment_status == Order.PaymentStatus.AWAITING:
        raise ClaimError(_("This order is not paid yet: cancel the whole order instead."), code="unpaid")
    payment = Payment.objects.get(order=order)
    needs_account = payment.method == PaymentMethod.VIRTUAL_ACCOUNT and claim_type != ClaimType.EXCHANGE
    if needs_account and refund_account is None:
        raise ClaimError(_("Tell us the bank account for the refund."), code="refund_account")
    number = claim_number()
    with transaction.atomic():
        quantities = {int(line_id): int(quantity) for line_id, quantity in items}
        lines = lock_lines(order.pk, line_ids=quantities, related=("seller",))
        if len(lines) != len(quantities):
            raise ClaimError(_("Some items are not in this order."), code="lines")
        check_lines(claim_type, lines, quantities, fault)
        replacements = replacements or {}
        if claim_type == ClaimType.EXCHANGE:
            check_replacements(lines, replacements)
        preview = compute_refund(order=order, claim_type=claim_type, fault=fault, items=list(quantities.items()),
                                 pickup_method=pickup_method)
        # The exchange fee of each line (its seller's bundle fee spread over its lines): what the seller keeps.
        line_fees = exchange_fee_by_line(order=order, lines=lines, fault=fault, pickup_method=pickup_method,
                                         quantities=quantities) if claim_type == ClaimType.EXCHANGE else {}
        claim = Claim.objects.create(
            number=number, order=order, type=claim_type, reason_code=reason_code, reason_detail=detail[:2000],
            fault=fault, pickup_method=pickup_method if claim_type != ClaimType.CANCEL else "",
            requested_by=requested_by, items_refund_amount=preview.items_amount,
            shipping_refund_amount=preview.shipping_refund_amount,
            shipping_charge_amount=preview.shipping_charge_amount, return_fee_amount=preview.return_fee_amount,
            exchange_fee_amount=sum(line_fees.values()),
            points_refund_amount=preview.points_amount, refund_amount=preview.refund_amount,
            refund_bank_code=refund_account.bank_code if refund_account else "",
            refund_account_number=refund_account.account_number if refund_account else "",
            refund_holder=refund_account.holder_name if refund_account else "",
        )
        ClaimLine.objects.bulk_create([
            ClaimLine(claim=claim, order_line=line, quantity=quantities[line.pk],
                      replacement_sku_id=replacements.get(line.pk), exchange_fee_amount=line_fees.get(line.pk, 0))
            for line in lines
        ])
        for line in lines:
            reserve_claimed_units(line, quantity=quantities[line.pk])
        from orders.services.lines import record_created

        record_created([claim], actor=requested_by, reason=reason_label(reason_code))
        immediate = claim_type == ClaimType.CANCEL and all(line.status in CANCELLABLE_AT_ONCE for line in lines)
        if not immediate:
            tell_step(claim, "requested")
    if immediate:
        refund_claim(claim.pk, actor=requested_by, reason=_("Cancelled before shipping"), check=False)
        claim.refresh_from_db()
    return claim


def cancel_unpaid_order(*, order: Order, shopper) -> Order:
    """The shopper cancels an order still waiting for payment (결제대기/입금대기): immediate, whole order.

    One implementation, ``orders.services.unpaid.cancel_unpaid_order`` (lines cancelled; stock,
    coupons and points back; an issued virtual account closed at the PG first); its refusals come
    back here as ClaimError with nothing changed.
    """
    from orders.services.unpaid import cancel_unpaid_order as cancel_unpaid

    if shopper is None or order.user_id != getattr(shopper, "pk", None):
        raise ClaimError(_("This is not your order."), code="forbidden")
    try:
        return cancel_unpaid(order=order, shopper=shopper)
    except OrderError as exc:
        raise ClaimError(exc.message, code=exc.code or "status") from exc
