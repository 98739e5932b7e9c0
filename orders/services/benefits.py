"""What the shopper may take off at checkout: coupon options per line, cart and shipping, the
best combination the rules allow, and the points they may use. Reads only."""

from dataclasses import dataclass, field

from marketing import discounts

from .checkout import line_inputs, load_skus
from .pricing import price_lines


@dataclass
class CouponOption:
    issued: object  # marketing.IssuedCoupon
    amount: int  # what it takes off on its own


@dataclass
class CheckoutBenefits:
    line_options: dict = field(default_factory=dict)  # sku id → [CouponOption]
    cart_options: list = field(default_factory=list)
    shipping_options: list = field(default_factory=list)
    best: discounts.Selection = field(default_factory=discounts.Selection)
    best_amount: int = 0
    points_balance: int = 0
    points_usable: int = 0

    @property
    def has_coupons(self) -> bool:
        return bool(any(self.line_options.values()) or self.cart_options or self.shipping_options)


def checkout_benefits(*, user, items, postcode: str = "", skus=None) -> CheckoutBenefits:
    """``skus``: ``load_skus`` of the items when the caller has them already (the checkout form)."""
    from marketing.services.coupons import coupon_inputs, usable_coupons
    from marketing.services.points import balance, max_usable

    skus = skus or load_skus([sku_id for sku_id, _ in items])
    base = price_lines([(skus[sku_id], quantity) for sku_id, quantity in items if sku_id in skus], postcode=postcode)
    lines = line_inputs(base)
    issued = {c.pk: c for c in usable_coupons(user=user)}
    inputs = coupon_inputs(issued.values())
    result = CheckoutBenefits()
    for line in lines:
        options = []
        for coupon_id, coupon in inputs.items():
            amount = discounts.product_coupon_discount(coupon, line)
            if amount > 0:
                options.append(CouponOption(issued[coupon_id], amount))
        result.line_options[line.key] = sorted(options, key=lambda o: -o.amount)
    for coupon_id, coupon in inputs.items():
        if coupon.kind not in (discounts.CART, discounts.SHIPPING):
            continue
        selection = discounts.Selection(cart=coupon_id) if coupon.kind == discounts.CART else \
            discounts.Selection(shipping=coupon_id)
        try:
            amount = discounts.apply(lines, inputs, selection).total
        except discounts.CouponNotApplicable:
            continue
        target = result.cart_options if coupon.kind == discounts.CART else result.shipping_options
        target.append(CouponOption(issued[coupon_id], amount))
    result.cart_options.sort(key=lambda o: -o.amount)
    result.shipping_options.sort(key=lambda o: -o.amount)
    result.best = discounts.best_selection(lines, inputs)
    result.best_amount = discounts.apply(lines, inputs, result.best).total
    result.points_balance = balance(user=user)
    result.points_usable = max_usable(user=user, payable_amount=base.total_amount - result.best_amount)
    return result


def selection_from(data, *, line_keys) -> discounts.Selection:
    """The coupons chosen in the checkout form (fields coupon_line_<sku id>, coupon_cart, coupon_shipping)."""

    def number(value):
        return int(value) if str(value or "").isdigit() else None

    product = tuple((key, number(data.get(f"coupon_line_{key}"))) for key in line_keys
                    if number(data.get(f"coupon_line_{key}")) is not None)
    return discounts.Selection(product=product, cart=number(data.get("coupon_cart")),
                               shipping=number(data.get("coupon_shipping")))
