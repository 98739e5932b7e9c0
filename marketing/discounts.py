"""The coupon engine: pure functions over plain data, so the rules can be tested exhaustively.

Rules (decisions written down in the README):
- A product coupon takes off one line: its base is the line's items amount, and the line must
  reach the coupon's minimum. At most one product coupon per line, each coupon once.
- A cart coupon takes off the order: its base is the eligible lines' items amount after their
  product coupons; the minimum is checked on that base. One per order.
- A shipping coupon takes off the shipping fees of the eligible sellers; the minimum is checked
  on the order's items amount. One per order.
- Percent off is rounded down to whole won and capped by the maximum discount; no discount is
  larger than its base. A seller-funded coupon applies only to that seller's lines.
"""

from dataclasses import dataclass, field
from itertools import product as cartesian

from core.money import allocate, percent_of

PRODUCT, CART, SHIPPING = "product", "cart", "shipping"


@dataclass(frozen=True)
class LineInput:
    key: int  # the SKU id: one line per SKU in an order
    product_id: int
    seller_id: int
    category_path: str
    items_amount: int
    shipping_share_amount: int = 0


@dataclass(frozen=True)
class CouponInput:
    id: int  # the issued coupon's id
    kind: str
    discount_type: str  # "amount" | "percent"
    discount_value: int
    max_discount_amount: int | None = None
    min_order_amount: int = 0
    scope: str = "all"
    category_paths: frozenset = frozenset()
    product_ids: frozenset = frozenset()
    seller_ids: frozenset = frozenset()
    excluded_product_ids: frozenset = frozenset()
    funding_seller_id: int | None = None

    def applies_to(self, line: LineInput) -> bool:
        if line.product_id in self.excluded_product_ids:
            return False
        if self.funding_seller_id is not None and line.seller_id != self.funding_seller_id:
            return False
        if self.scope == "categories":
            return any(line.category_path.startswith(path) for path in self.category_paths)
        if self.scope == "products":
            return line.product_id in self.product_ids
        if self.scope == "sellers":
            return line.seller_id in self.seller_ids
        return True

    def discount_for(self, base: int) -> int:
        if base <= 0:
            return 0
        if self.discount_type == "percent":
            amount = percent_of(base, self.discount_value)
            if self.max_discount_amount is not None:
                amount = min(amount, self.max_discount_amount)
        else:
            amount = self.discount_value
        return max(0, min(amount, base))


@dataclass(frozen=True)
class Selection:
    product: tuple = ()  # ((line key, coupon id), …)
    cart: int | None = None
    shipping: int | None = None

    @property
    def coupon_ids(self) -> list[int]:
        ids = [coupon_id for _, coupon_id in self.product]
        return ids + [c for c in (self.cart, self.shipping) if c is not None]


@dataclass
class Discounts:
    """What a selection takes off, per line, and per coupon (for the funders)."""

    per_line: dict = field(default_factory=dict)  # line key → total discount on the line
    per_coupon_line: dict = field(default_factory=dict)  # (coupon id, line key) → amount
    product_amount: int = 0
    cart_amount: int = 0
    shipping_amount: int = 0

    @property
    def total(self) -> int:
        return self.product_amount + self.cart_amount + self.shipping_amount


class CouponNotApplicable(ValueError):
    def __init__(self, coupon_id: int, reason: str):
        super().__init__(reason)
        self.coupon_id = coupon_id
        self.reason = reason


def product_coupon_discount(coupon: CouponInput, line: LineInput) -> int:
    if coupon.kind != PRODUCT or not coupon.applies_to(line) or line.items_amount < coupon.min_order_amount:
        return 0
    return coupon.discount_for(line.items_amount)


def apply(lines: list[LineInput], coupons: dict[int, CouponInput], selection: Selection) -> Discounts:
    """The discounts of ``selection``; raises CouponNotApplicable if any chosen coupon does not apply."""
    by_key = {line.key: line for line in lines}
    result = Discounts(per_line={line.key: 0 for line in lines})
    used: set[int] = set()
    seen_lines: set[int] = set()

    def take(coupon_id, kind):
        coupon = coupons.get(coupon_id)
        if coupon is None or coupon.kind != kind:
            raise CouponNotApplicable(coupon_id, "not a usable coupon of this kind")
        if coupon_id in used:
            raise CouponNotApplicable(coupon_id, "a coupon can be used once")
        used.add(coupon_id)
        return coupon

    for key, coupon_id in selection.product:
        coupon = take(coupon_id, PRODUCT)
        line = by_key.get(key)
        if line is None or key in seen_lines:
            raise CouponNotApplicable(coupon_id, "one product coupon per line")
        seen_lines.add(key)
        amount = product_coupon_discount(coupon, line)
        if amount <= 0:
            raise CouponNotApplicable(coupon_id, "does not apply to this item")
        result.per_line[key] += amount
        result.per_coupon_line[(coupon_id, key)] = amount
        result.product_amount += amount

    if selection.cart is not None:
        coupon = take(selection.cart, CART)
        eligible = [line for line in lines if coupon.applies_to(line)]
        bases = [line.items_amount - result.per_line[line.key] for line in eligible]
        base = sum(bases)
        if not eligible or base < coupon.min_order_amount or base <= 0:
            raise CouponNotApplicable(coupon.id, "the order does not reach the coupon's minimum")
        amount = coupon.discount_for(base)
        for line, share in zip(eligible, allocate(amount, bases), strict=True):
            result.per_line[line.key] += share
            if share:
                result.per_coupon_line[(coupon.id, line.key)] = share
        result.cart_amount = amount

    if selection.shipping is not None:
        coupon = take(selection.shipping, SHIPPING)
        eligible = [line for line in lines if coupon.applies_to(line) and line.shipping_share_amount > 0]
        fees = [line.shipping_share_amount for line in eligible]
        items_total = sum(line.items_amount for line in lines)
        if not eligible or items_total < coupon.min_order_amount:
            raise CouponNotApplicable(coupon.id, "no shipping fee to take off, or below the minimum")
        amount = coupon.discount_for(sum(fees))
        for line, share in zip(eligible, allocate(amount, fees), strict=True):
            result.per_line[line.key] += share
            if share:
                result.per_coupon_line[(coupon.id, line.key)] = share
        result.shipping_amount = amount
    return result


def _total_or_none(lines, coupons, selection) -> int | None:
    try:
        return apply(lines, coupons, selection).total
    except CouponNotApplicable:
        return None


def _product_assignments(lines, product_coupons):
    """Every way to give each line at most one applicable product coupon, each coupon at most once."""
    options = []
    for line in lines:
        options.append([None] + [c.id for c in product_coupons if product_coupon_discount(c, line) > 0])

    def walk(index, taken, chosen):
        if index == len(lines):
            yield tuple(chosen)
            return
        for coupon_id in options[index]:
            if coupon_id is not None and coupon_id in taken:
                continue
            if coupon_id is None:
                yield from walk(index + 1, taken, chosen)
            else:
                yield from walk(index + 1, taken | {coupon_id}, [*chosen, (lines[index].key, coupon_id)])

    yield from walk(0, frozenset(), [])


def best_selection(lines: list[LineInput], coupons: dict[int, CouponInput], *, limit: int = 200_000) -> Selection:
    """The selection the shop suggests: the largest total discount the rules allow.

    Ties go to the selection using fewer coupons (keep coupons for later), then the lower ids.
    The search is exhaustive over product-coupon assignments (bounded by ``limit``; beyond
    it, each line takes its best remaining coupon greedily) and over cart and shipping coupons.
    """
    product_coupons = sorted((c for c in coupons.values() if c.kind == PRODUCT), key=lambda c: c.id)
    cart_ids = [None] + sorted(c.id for c in coupons.values() if c.kind == CART)
    shipping_ids = [None] + sorted(c.id for c in coupons.values() if c.kind == SHIPPING)

    assignments = []
    for count, assignment in enumerate(_product_assignments(lines, product_coupons)):
        if count >= limit:
            assignments = [_greedy_assignment(lines, product_coupons)]
            break
        assignments.append(assignment)

    best, best_key = Selection(), (0, 0, ())
    for assignment, cart_id, shipping_id in cartesian(assignments, cart_ids, shipping_ids):
        selection = Selection(product=assignment, cart=cart_id, shipping=shipping_id)
        total = _total_or_none(lines, coupons, selection)
        if total is None:
            continue
        key = (total, -len(selection.coupon_ids), tuple(-i for i in sorted(selection.coupon_ids)))
        if key > best_key:
            best, best_key = selection, key
    return best


def _greedy_assignment(lines, product_coupons):
    taken, chosen = set(), []
    for line in sorted(lines, key=lambda line: -line.items_amount):
        ranked = sorted(((product_coupon_discount(c, line), c.id) for c in product_coupons if c.id not in taken),
                        reverse=True)
        if ranked and ranked[0][0] > 0:
            taken.add(ranked[0][1])
            chosen.append((line.key, ranked[0][1]))
    return tuple(chosen)
