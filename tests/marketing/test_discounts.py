"""The coupon engine's rules, and the suggested combination against brute force."""

from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketing.discounts import (
    CART,
    PRODUCT,
    SHIPPING,
    CouponInput,
    CouponNotApplicable,
    LineInput,
    Selection,
    apply,
    best_selection,
)

LINE_A = LineInput(key=1, product_id=10, seller_id=100, category_path="000001/000002/", items_amount=30000,
                   shipping_share_amount=3000)
LINE_B = LineInput(key=2, product_id=11, seller_id=101, category_path="000003/", items_amount=12000,
                   shipping_share_amount=2500)


def coupon(id, kind, **kw):
    return CouponInput(id=id, kind=kind, discount_type=kw.pop("type", "amount"), discount_value=kw.pop("value", 1000),
                       **kw)


def test_amount_off_and_percent_off_with_a_maximum():
    assert coupon(1, PRODUCT, value=5000).discount_for(30000) == 5000
    assert coupon(1, PRODUCT, type="percent", value=15).discount_for(12345) == 1851  # rounded down
    assert coupon(1, PRODUCT, type="percent", value=50, max_discount_amount=4000).discount_for(30000) == 4000
    assert coupon(1, PRODUCT, value=50000).discount_for(30000) == 30000  # never more than the base


@pytest.mark.parametrize(("scope", "field", "applies_a", "applies_b"), [
    ("categories", {"category_paths": frozenset({"000001/"})}, True, False),
    ("products", {"product_ids": frozenset({11})}, False, True),
    ("sellers", {"seller_ids": frozenset({100})}, True, False),
    ("all", {"excluded_product_ids": frozenset({10})}, False, True),
    ("all", {"funding_seller_id": 101}, False, True),
])
def test_scope_exclusions_and_seller_funding(scope, field, applies_a, applies_b):
    c = coupon(1, PRODUCT, scope=scope, **field)
    assert (c.applies_to(LINE_A), c.applies_to(LINE_B)) == (applies_a, applies_b)


def test_a_product_coupon_needs_its_line_to_reach_the_minimum():
    coupons = {1: coupon(1, PRODUCT, value=2000, min_order_amount=20000)}
    assert apply([LINE_A, LINE_B], coupons, Selection(product=((1, 1),))).total == 2000
    with pytest.raises(CouponNotApplicable):
        apply([LINE_A, LINE_B], coupons, Selection(product=((2, 1),)))


def test_the_cart_coupon_base_is_after_product_coupons_and_is_shared_by_eligible_lines():
    coupons = {1: coupon(1, PRODUCT, value=5000), 2: coupon(2, CART, type="percent", value=10, min_order_amount=30000)}
    result = apply([LINE_A, LINE_B], coupons, Selection(product=((1, 1),), cart=2))
    assert result.cart_amount == 3700  # 10% of (30,000 − 5,000 + 12,000)
    assert result.per_line == {1: 5000 + 2500, 2: 1200}
    with pytest.raises(CouponNotApplicable):  # 25,000 + 0 < 30,000 without line B… and with a higher minimum
        apply([LINE_A], {**coupons, 2: coupon(2, CART, value=1000, min_order_amount=30000)},
              Selection(product=((1, 1),), cart=2))


def test_a_shipping_coupon_takes_off_at_most_the_eligible_fees():
    coupons = {3: coupon(3, SHIPPING, value=10000, scope="sellers", seller_ids=frozenset({100}))}
    result = apply([LINE_A, LINE_B], coupons, Selection(shipping=3))
    assert result.shipping_amount == 3000 and result.per_line == {1: 3000, 2: 0}


def test_stacking_rules():
    coupons = {1: coupon(1, PRODUCT), 2: coupon(2, PRODUCT), 3: coupon(3, CART), 4: coupon(4, CART)}
    with pytest.raises(CouponNotApplicable):  # two product coupons on one line
        apply([LINE_A, LINE_B], coupons, Selection(product=((1, 1), (1, 2))))
    with pytest.raises(CouponNotApplicable):  # one coupon on two lines
        apply([LINE_A, LINE_B], coupons, Selection(product=((1, 1), (2, 1))))
    with pytest.raises(CouponNotApplicable):  # a cart coupon used as a product coupon
        apply([LINE_A, LINE_B], coupons, Selection(product=((1, 3),)))
    assert apply([LINE_A, LINE_B], coupons, Selection(product=((1, 1), (2, 2)), cart=3)).total == 3000


def _brute_force_best(lines, coupons):
    ids = list(coupons)
    best = 0
    per_line_choices = [[None, *ids] for _ in lines]
    for choice in product(*per_line_choices):
        assignment = tuple((line.key, c) for line, c in zip(lines, choice, strict=True) if c is not None)
        for cart in [None, *ids]:
            for shipping in [None, *ids]:
                try:
                    total = apply(lines, coupons, Selection(product=assignment, cart=cart, shipping=shipping)).total
                except CouponNotApplicable:
                    continue
                best = max(best, total)
    return best


lines_strategy = st.lists(
    st.builds(lambda i, p, s, amount, fee: (p, s, amount, fee), st.just(0), st.integers(1, 3), st.integers(1, 2),
              st.integers(1, 60).map(lambda x: x * 1000), st.sampled_from([0, 2500, 3000])),
    min_size=1, max_size=3)
coupons_strategy = st.lists(st.tuples(
    st.sampled_from([PRODUCT, CART, SHIPPING]), st.sampled_from(["amount", "percent"]), st.integers(1, 30),
    st.sampled_from([None, 3000, 8000]), st.sampled_from([0, 10000, 30000]), st.sampled_from(["all", "sellers"]),
), min_size=0, max_size=4)


@settings(max_examples=150, deadline=None)
@given(raw_lines=lines_strategy, raw_coupons=coupons_strategy)
def test_the_suggested_combination_is_the_best_one(raw_lines, raw_coupons):
    lines = [LineInput(key=i + 1, product_id=p, seller_id=s, category_path="000001/", items_amount=amount,
                       shipping_share_amount=fee) for i, (p, s, amount, fee) in enumerate(raw_lines)]
    coupons = {}
    for i, (kind, dtype, value, cap, minimum, scope) in enumerate(raw_coupons, start=1):
        coupons[i] = CouponInput(
            id=i, kind=kind, discount_type=dtype, discount_value=value * (1 if dtype == "percent" else 500),
            max_discount_amount=cap, min_order_amount=minimum, scope=scope, seller_ids=frozenset({1}))
    suggested = best_selection(lines, coupons)
    total = apply(lines, coupons, suggested).total
    assert total == _brute_force_best(lines, coupons)
    result = apply(lines, coupons, suggested)
    assert sum(result.per_line.values()) == result.total
    for line in lines:  # a line never loses more than it costs
        assert result.per_line[line.key] <= line.items_amount + line.shipping_share_amount
