"""Price a set of (SKU, quantity) the way the shop charges it: from the database, never the form.

Lines are grouped by seller (bundled shipping, 묶음배송): each seller's fee is its policy's
base fee unless the seller's items reach its free-shipping threshold, plus the remote-area
surcharge for the postcode (Jeju, islands). The fee is shared over that seller's lines by
largest remainder, weighted by each line's items amount.
"""

from dataclasses import dataclass, field

from core.money import allocate
from core.regions import RemoteArea, remote_area_of


@dataclass
class PricedLine:
    sku: object
    quantity: int
    unit_price_amount: int
    option_delta_amount: int
    items_amount: int
    shipping_share_amount: int = 0
    discount_share_amount: int = 0
    points_share_amount: int = 0
    problem: str = ""  # why the line cannot be ordered now, if it cannot
    cart_line: object = None

    @property
    def paid_amount(self) -> int:
        return self.items_amount + self.shipping_share_amount - self.discount_share_amount - self.points_share_amount

    @property
    def orderable(self) -> bool:
        return not self.problem


@dataclass
class SellerGroup:
    seller: object
    policy: object
    lines: list[PricedLine] = field(default_factory=list)
    items_amount: int = 0
    base_fee_amount: int = 0
    remote_surcharge_amount: int = 0

    @property
    def fee_amount(self) -> int:
        return self.base_fee_amount + self.remote_surcharge_amount

    @property
    def free_threshold_amount(self) -> int:
        return self.policy.free_threshold_amount if self.policy else 0

    @property
    def amount_to_free_shipping(self) -> int:
        if not self.free_threshold_amount or self.base_fee_amount == 0:
            return 0
        return max(0, self.free_threshold_amount - self.items_amount)


@dataclass
class Quote:
    groups: list[SellerGroup]
    items_amount: int
    shipping_amount: int
    discount_amount: int = 0
    points_amount: int = 0

    @property
    def total_amount(self) -> int:
        return self.items_amount + self.shipping_amount - self.discount_amount - self.points_amount

    @property
    def lines(self) -> list[PricedLine]:
        return [line for group in self.groups for line in group.lines]


def line_problem(sku, quantity: int) -> str:
    from django.utils.translation import gettext as _

    product = sku.product
    if not product.seller.is_active or not product.is_visible:
        return _("This product is no longer sold.")
    if product.status != product.Status.ON_SALE or not sku.is_active:
        return _("Sold out")
    if sku.stock_quantity <= 0:
        return _("Sold out")
    if sku.stock_quantity < quantity:
        return _("Only %(count)d left") % {"count": sku.stock_quantity}
    return ""


def price_lines(items, *, postcode: str = "", discount_amount: int = 0, points_amount: int = 0,
                skip_problems: bool = True, line_discounts: dict | None = None) -> Quote:
    """Price ``items``: a list of (sku, quantity) or (sku, quantity, cart_line).

    Each SKU must come with product, product.seller and product.seller.shipping_policy loaded.
    Lines with a problem (sold out, hidden…) are kept with ``problem`` set and, when
    ``skip_problems``, left out of the amounts.
    """
    groups: dict[int, SellerGroup] = {}
    for item in items:
        sku, quantity = item[0], item[1]
        cart_line = item[2] if len(item) > 2 else None
        product = sku.product
        line = PricedLine(
            sku=sku, quantity=quantity, unit_price_amount=product.sale_price_amount,
            option_delta_amount=sku.price_delta_amount,
            items_amount=(product.sale_price_amount + sku.price_delta_amount) * quantity,
            problem=line_problem(sku, quantity), cart_line=cart_line,
        )
        seller = product.seller
        group = groups.get(seller.pk)
        if group is None:
            group = groups[seller.pk] = SellerGroup(seller=seller, policy=getattr(seller, "shipping_policy", None))
        group.lines.append(line)

    area = remote_area_of(postcode)
    for group in groups.values():
        counted = [line for line in group.lines if line.orderable or not skip_problems]
        group.items_amount = sum(line.items_amount for line in counted)
        policy = group.policy
        if not counted or policy is None:
            continue
        free = policy.free_threshold_amount and group.items_amount >= policy.free_threshold_amount
        group.base_fee_amount = 0 if free else policy.base_fee_amount
        if area == RemoteArea.JEJU:
            group.remote_surcharge_amount = policy.jeju_surcharge_amount
        elif area == RemoteArea.ISLAND:
            group.remote_surcharge_amount = policy.island_surcharge_amount
        shares = allocate(group.fee_amount, [line.items_amount for line in counted])
        for line, share in zip(counted, shares, strict=True):
            line.shipping_share_amount = share

    counted_lines = [line for g in groups.values() for line in g.lines if line.orderable or not skip_problems]
    items_amount = sum(line.items_amount for line in counted_lines)
    shipping_amount = sum(g.fee_amount for g in groups.values())
    # Coupon discounts arrive already split per line (marketing.discounts); an order-level
    # discount without coupons is shared over the lines by their items amount.
    for line in counted_lines:
        line.discount_share_amount = (line_discounts or {}).get(line.sku.pk, 0)
    if discount_amount > items_amount:
        raise ValueError("discounts exceed the items amount")
    for line, share in zip(counted_lines, allocate(discount_amount, [line.items_amount for line in counted_lines]),
                           strict=True):
        line.discount_share_amount += share
    discount_total = sum(line.discount_share_amount for line in counted_lines)
    if any(line.discount_share_amount > line.items_amount + line.shipping_share_amount for line in counted_lines):
        raise ValueError("a line's discount exceeds what it costs")
    # Points pay for what is left of each line.
    payable = [line.items_amount + line.shipping_share_amount - line.discount_share_amount for line in counted_lines]
    if points_amount > sum(payable):
        raise ValueError("points exceed the amount to pay")
    for line, share in zip(counted_lines, allocate(points_amount, payable), strict=True):
        line.points_share_amount = share
    return Quote(groups=list(groups.values()), items_amount=items_amount, shipping_amount=shipping_amount,
                 discount_amount=discount_total, points_amount=points_amount)
