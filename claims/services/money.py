"""What a claim gives back, to the won (docs/lifecycle.md "Money").

Per unit, a line's cost splits in two at order time:

- items: ``items − item discounts (product and cart coupons) − points share``, refunded as cash,
  and the points share as points;
- shipping: ``shipping share − shipping coupon share``, given back only when nothing of the
  seller's bundle stays with the shopper and the claim is a cancel or the seller's fault.

A shipping coupon therefore never lowers the items' refund (issue 9 point 8: 2 of 3 units of the
20,764 line refund 13,509 before fees, not 11,509). The share of k units is
floor(total × k / quantity) and the claim taking a line's last units gets exactly what is left,
so a line never gets back more than it cost whatever the sequence of partial claims (and the
database refuses it). Deductions (return fee, exchange fee, original shipping charged back, damage,
points clawback) come off the cash, allocated over the claim lines by what each gives back.
"""

from dataclasses import dataclass, field

from django.db.models import Sum

from claims.models import Claim, ClaimLine
from core.money import allocate
from orders.models import Order, OrderLine, OrderShipping

from .rules import ClaimType, Fault, LineStatus, Status


@dataclass
class LineRefund:
    line: OrderLine
    quantity: int
    cash_amount: int = 0  # gross: what the units cost in cash
    points_amount: int = 0
    shipping_amount: int = 0
    # Deductions allocated to this line (filled by ``allocate_deductions``)
    return_fee_amount: int = 0
    exchange_fee_amount: int = 0
    shipping_charge_amount: int = 0
    damage_amount: int = 0
    points_clawback_amount: int = 0

    @property
    def deductions_amount(self) -> int:
        return (self.return_fee_amount + self.exchange_fee_amount + self.shipping_charge_amount
                + self.damage_amount + self.points_clawback_amount)

    @property
    def net_amount(self) -> int:
        return self.cash_amount + self.shipping_amount - self.deductions_amount


DEDUCTION_KINDS = ("return_fee_amount", "exchange_fee_amount", "shipping_charge_amount", "damage_amount",
                   "points_clawback_amount")
# Deductions that belong to one seller's bundle (its return / exchange fee, its original shipping charged
# back): they are spread over that seller's lines only, so the seller who keeps the fee is the seller
# whose line it is recorded on (settlement books it there). Damage and points clawback are claim-wide.
SELLER_DEDUCTION_KINDS = ("return_fee_amount", "exchange_fee_amount", "shipping_charge_amount")


@dataclass
class RefundPreview:
    lines: list[LineRefund] = field(default_factory=list)
    shipping_charge_amount: int = 0  # original shipping charged back (free shipping broken)
    return_fee_amount: int = 0
    exchange_fee_amount: int = 0
    damage_amount: int = 0
    points_clawback_amount: int = 0
    # The seller-bundle deductions by seller id: {seller_id: {kind: amount}} (sums to the fields above).
    by_seller: dict = field(default_factory=dict)

    def add_seller_deduction(self, seller_id: int, kind: str, amount: int) -> None:
        if amount:
            setattr(self, kind, getattr(self, kind) + amount)
            bundle = self.by_seller.setdefault(seller_id, {})
            bundle[kind] = bundle.get(kind, 0) + amount

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
    def deductions_amount(self) -> int:
        return (self.shipping_charge_amount + self.return_fee_amount + self.exchange_fee_amount
                + self.damage_amount + self.points_clawback_amount)

    @property
    def refund_amount(self) -> int:
        return max(0, self.items_amount + self.shipping_refund_amount - self.deductions_amount)

    def allocate_deductions(self) -> None:
        """Spread each deduction over the lines, never more than a line gives back (largest remainder).

        A seller's fees go over that seller's lines only; the units the claim holds carry them first
        (a shipping-only refund of another line of the bundle carries them only if nothing else can).
        """
        capacity = [r.cash_amount + r.shipping_amount for r in self.lines]

        def spread(kind: str, total: int, indexes: list[int]) -> None:
            held = [index for index in indexes if self.lines[index].quantity and capacity[index] > 0]
            indexes = held or indexes
            total = min(total, sum(capacity[index] for index in indexes))
            if total <= 0:
                return
            for index, share in zip(indexes, allocate(total, [capacity[index] for index in indexes]), strict=True):
                setattr(self.lines[index], kind, getattr(self.lines[index], kind) + share)
                capacity[index] -= share

        for kind in DEDUCTION_KINDS:
            if kind in SELLER_DEDUCTION_KINDS:
                assigned = 0
                for seller_id, bundle in sorted(self.by_seller.items()):
                    amount = bundle.get(kind, 0)
                    assigned += amount
                    spread(kind, amount, [i for i, r in enumerate(self.lines) if r.line.seller_id == seller_id])
                rest = getattr(self, kind) - assigned  # set directly, without a seller: claim-wide
                if rest > 0:
                    spread(kind, rest, list(range(len(self.lines))))
            else:
                spread(kind, getattr(self, kind), list(range(len(self.lines))))


def _share(total: int, quantity: int, done: int, taking: int, already: int) -> int:
    """Units ``done+1 … done+taking`` of ``total`` spread over ``quantity``; the last take the rest."""
    if done + taking >= quantity:
        return max(0, total - already)
    return max(0, min(total - already, total * (done + taking) // quantity - total * done // quantity))


def line_costs(line: OrderLine) -> tuple[int, int]:
    """(item cash, shipping cash) the line cost: the shipping coupon comes off the shipping, not the items."""
    item_discount = line.discount_share_amount - line.shipping_discount_share_amount
    items = line.items_amount - item_discount - line.points_share_amount
    shipping = line.shipping_share_amount - line.shipping_discount_share_amount
    if items < 0:  # points paid part of the shipping
        shipping += items
        items = 0
    return items, shipping


def units_leaving(order: Order, *, exclude_claim_id=None) -> dict[int, int]:
    """Per line of ``order``: units cancelled or returned (or on their way), in one query;
    claims that ended without effect (rejected, withdrawn, converted) do not count."""
    rows = ClaimLine.objects.filter(order_line__order=order, claim__type__in=(ClaimType.CANCEL, ClaimType.RETURN)) \
        .exclude(claim__status__in=(Status.REJECTED, Status.WITHDRAWN, Status.CONVERTED))
    if exclude_claim_id:
        rows = rows.exclude(claim_id=exclude_claim_id)
    return dict(rows.values_list("order_line_id").annotate(n=Sum("quantity")).values_list("order_line_id", "n"))


def bundle_fees(shipping: OrderShipping) -> tuple[int, int]:
    """(return fee, exchange fee) of a seller's bundle: the snapshot taken when the order was placed."""
    if shipping.return_fee_amount is not None and shipping.exchange_fee_amount is not None:
        return shipping.return_fee_amount, shipping.exchange_fee_amount
    policy = getattr(shipping.seller, "shipping_policy", None)  # orders placed before the snapshot existed
    return (policy.return_fee_amount, policy.exchange_fee_amount) if policy else (0, 0)


def bundle_base_fee(shipping: OrderShipping) -> int:
    """The seller's base shipping fee when the order was placed (charged back when free shipping breaks)."""
    if shipping.policy_base_fee_amount is not None:
        return shipping.policy_base_fee_amount
    policy = getattr(shipping.seller, "shipping_policy", None)  # orders placed before the snapshot existed
    return policy.base_fee_amount if policy else 0


def shopper_sends(pickup_method: str) -> bool:
    return pickup_method == Claim.PickupMethod.SHOPPER_SENDS


def exchange_fee_by_line(*, order: Order, lines, fault: str, pickup_method: str = "",
                         quantities: dict | None = None) -> dict[int, int]:
    """The exchange fee per claimed line: each seller bundle's fee (the order's snapshot), spread over
    that seller's lines by the value of the units exchanged (largest remainder). The seller of the line
    keeps its part (settlement books it there)."""
    lines = list(lines)
    if fault != Fault.SHOPPER or not lines:
        return {}
    quantities = quantities or {}
    by_line = {}
    for shipping in OrderShipping.objects.filter(order=order, seller_id__in={line.seller_id for line in lines}) \
            .select_related("seller__shipping_policy").order_by("seller_id"):
        return_fee, fee = bundle_fees(shipping)
        fee = max(0, fee - return_fee) if shopper_sends(pickup_method) else fee
        bundle = sorted((line for line in lines if line.seller_id == shipping.seller_id), key=lambda line: line.pk)
        weights = [line.unit_total_amount * quantities.get(line.pk, line.quantity) for line in bundle]
        for line, share in zip(bundle, allocate(fee, weights), strict=True):
            by_line[line.pk] = share
    return by_line


def exchange_fee(*, order: Order, lines, fault: str, pickup_method: str = "") -> int:
    """The exchange fee a shopper at fault pays, once per seller bundle, from the order's snapshot.

    A shopper who sends the parcel back themselves (직접 발송) pays that postage to their courier,
    so the shop charges only the way out (exchange fee − return fee).
    """
    return sum(exchange_fee_by_line(order=order, lines=lines, fault=fault, pickup_method=pickup_method).values())


def compute_refund(*, order: Order, claim_type: str, fault: str, items: list[tuple[int, int]],
                   exclude_claim_id=None, pickup_method: str = "", damage_amount: int = 0) -> RefundPreview:
    """What cancelling or returning ``items`` (line id, units) gives back now. Reads only."""
    preview = RefundPreview()
    if claim_type == ClaimType.EXCHANGE:
        return preview
    lines = {line.pk: line for line in OrderLine.objects.filter(order=order).order_by("pk")}
    taking = dict(items)
    for line_id, quantity in items:
        line = lines[line_id]
        items_cost, _shipping_cost = line_costs(line)
        preview.lines.append(LineRefund(
            line=line, quantity=quantity,
            cash_amount=_share(items_cost, line.quantity, line.refunded_quantity, quantity, line.refunded_gross_amount),
            points_amount=_share(line.points_share_amount, line.quantity, line.refunded_quantity, quantity,
                                 line.refunded_points_amount),
        ))
    by_line = {r.line.pk: r for r in preview.lines}
    leaving = units_leaving(order, exclude_claim_id=exclude_claim_id)
    sellers = {lines[line_id].seller_id for line_id in taking}
    for shipping in OrderShipping.objects.filter(order=order, seller_id__in=sellers).select_related(
            "seller__shipping_policy"):
        bundle = [line for line in lines.values() if line.seller_id == shipping.seller_id]
        kept = sum(line.unit_total_amount * max(0, line.quantity - leaving.get(line.pk, 0)
                                                - taking.get(line.pk, 0))
                   for line in bundle if line.status != LineStatus.CANCELLED)
        if kept == 0 and (claim_type == ClaimType.CANCEL or fault == Fault.SELLER):
            for line in bundle:
                left = line_costs(line)[1] - line.refunded_shipping_amount
                if left <= 0:
                    continue
                refund = by_line.get(line.pk)
                if refund is None:
                    refund = LineRefund(line=line, quantity=0)
                    preview.lines.append(refund)
                    by_line[line.pk] = refund
                refund.shipping_amount += left
        elif fault == Fault.SHOPPER:
            shipped_free = shipping.base_fee_amount == 0 and shipping.free_threshold_amount > 0
            if shipped_free and kept < shipping.free_threshold_amount and (claim_type == ClaimType.RETURN or kept > 0):
                # The fee the order did not pay, as the policy stood when the order was placed.
                preview.add_seller_deduction(shipping.seller_id, "shipping_charge_amount", bundle_base_fee(shipping))
            if claim_type == ClaimType.RETURN and not shopper_sends(pickup_method):
                preview.add_seller_deduction(shipping.seller_id, "return_fee_amount", bundle_fees(shipping)[0])
    preview.damage_amount = damage_amount
    preview.allocate_deductions()
    return preview
