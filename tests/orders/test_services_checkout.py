import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.exceptions import OutOfStock
from catalog.models import Product, StockMovement
from core.models import StatusChange
from orders.exceptions import CheckoutError
from orders.models import Order, OrderLine, OrderShipping
from orders.services import place_order
from orders.services.pricing import price_lines
from tests.accounts.factories import UserFactory
from tests.marketing.factories import give_points
from tests.orders.factories import DELIVERY, JEJU_DELIVERY, make_product, sized_product


@pytest.mark.django_db
def test_lines_from_two_sellers_are_bundled_per_seller_with_their_own_fees():
    shopper = UserFactory()
    _, (a,) = make_product(price=30000, fee=3000, free_threshold=50000)
    _, (b,) = make_product(price=20000, fee=2500, free_threshold=50000)
    seller_a_other = make_product(seller=a.product.seller, price=25000)[1][0]

    order = place_order(user=shopper, items=[(a.pk, 1), (b.pk, 1), (seller_a_other.pk, 1)], delivery=DELIVERY,
                        payment_method="card")

    fees = {s.seller_id: s.fee_amount for s in OrderShipping.objects.filter(order=order)}
    assert fees == {a.product.seller_id: 0, b.product.seller_id: 2500}  # seller A reached 55,000 ≥ 50,000
    assert order.items_amount == 75000 and order.shipping_amount == 2500 and order.total_amount == 77500
    assert sum(order.lines.values_list("paid_amount", flat=True)) == order.total_amount


@pytest.mark.django_db
def test_jeju_adds_the_remote_area_surcharge():
    shopper = UserFactory()
    _, (sku,) = make_product(price=10000, fee=3000)
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=JEJU_DELIVERY, payment_method="card")
    shipping = order.shippings.get()
    assert (shipping.base_fee_amount, shipping.remote_surcharge_amount, shipping.fee_amount) == (3000, 3000, 6000)


@pytest.mark.django_db
def test_each_line_records_what_it_cost_and_the_discount_split_sums_exactly():
    shopper = UserFactory()
    give_points(shopper, 5000)
    product, (small, medium, large) = sized_product(price=10000)
    order = place_order(user=shopper, items=[(small.pk, 1), (large.pk, 2)], delivery=DELIVERY,
                        payment_method="card", discount_amount=1001, points_amount=500)
    lines = {line.sku_id: line for line in order.lines.all()}
    assert lines[large.pk].option_delta_amount == 2000
    assert lines[large.pk].items_amount == 24000 and lines[small.pk].items_amount == 10000
    assert sum(line.discount_share_amount for line in lines.values()) == 1001
    assert sum(line.points_share_amount for line in lines.values()) == 500
    assert sum(line.shipping_share_amount for line in lines.values()) == order.shipping_amount == 3000
    assert sum(line.paid_amount for line in lines.values()) == order.total_amount == 34000 + 3000 - 1501


@pytest.mark.django_db
def test_prices_come_from_the_database_not_from_what_the_shopper_saw():
    shopper = UserFactory()
    product, (sku,) = make_product(price=15900)
    Product.objects.filter(pk=product.pk).update(sale_price_amount=9900)
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    assert order.lines.get().unit_price_amount == 9900


@pytest.mark.django_db
def test_order_numbers_are_readable_and_count_up_per_day():
    shopper = UserFactory()
    _, (sku,) = make_product(stock=10)
    first = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    second = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    assert re.fullmatch(r"\d{8}-\d{6}", first.number)
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


@pytest.mark.django_db
def test_placing_an_order_takes_stock_and_audits_every_new_status():
    shopper = UserFactory()
    _, (sku,) = make_product(stock=3)
    order = place_order(user=shopper, items=[(sku.pk, 2)], delivery=DELIVERY, payment_method="card")
    sku.refresh_from_db()
    assert sku.stock_quantity == 1
    assert StockMovement.objects.filter(sku=sku, reason=StockMovement.Reason.ORDERED, delta=-2).count() == 1
    assert order.lines.get().status == OrderLine.Status.PENDING_PAYMENT
    assert StatusChange.objects.filter(to_status__in=["awaiting", "pending_payment", "ready"]).count() == 3


@pytest.mark.django_db
def test_too_little_stock_refuses_the_order_and_changes_nothing():
    shopper = UserFactory()
    _, (sku,) = make_product(stock=1)
    _, (other,) = make_product(stock=5)
    with pytest.raises(OutOfStock):
        place_order(user=shopper, items=[(other.pk, 1), (sku.pk, 2)], delivery=DELIVERY, payment_method="card")
    other.refresh_from_db()
    sku.refresh_from_db()
    assert (other.stock_quantity, sku.stock_quantity) == (5, 1)
    assert not Order.objects.exists() and not StatusChange.objects.exists()
    assert not StockMovement.objects.filter(reason=StockMovement.Reason.ORDERED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["hidden", "suspended_seller", "inactive_sku"])
def test_products_that_cannot_be_sold_are_refused(change):
    shopper = UserFactory()
    product, (sku,) = make_product()
    if change == "hidden":
        Product.objects.filter(pk=product.pk).update(status=Product.Status.HIDDEN)
    elif change == "suspended_seller":
        type(product.seller).objects.filter(pk=product.seller_id).update(status="suspended")
    else:
        type(sku).objects.filter(pk=sku.pk).update(is_active=False)
    with pytest.raises(CheckoutError):
        place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_installments_need_a_card_and_fifty_thousand_won():
    shopper = UserFactory()
    _, (sku,) = make_product(price=10000)
    with pytest.raises(CheckoutError):
        place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card", installment_months=3)
    with pytest.raises(CheckoutError):
        place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="virtual_account",
                    installment_months=3)
    assert not Order.objects.exists()


class _Seller:
    def __init__(self, pk, fee, threshold):
        from partners.models import ShippingPolicy

        self.pk = pk
        self.is_active = True
        self.shipping_policy = ShippingPolicy(base_fee_amount=fee, free_threshold_amount=threshold)


class _Product:
    Status = Product.Status
    status = Product.Status.ON_SALE
    is_visible = True

    def __init__(self, seller, price):
        self.seller = seller
        self.sale_price_amount = price


class _SKU:
    is_active = True
    stock_quantity = 10**6

    def __init__(self, product, delta):
        self.pk = id(self)
        self.product = product
        self.price_delta_amount = delta


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(st.tuples(st.integers(0, 3), st.integers(100, 500_000), st.integers(0, 5000), st.integers(1, 9)),
                   min_size=1, max_size=12),
    discount_share=st.floats(0, 1), points_share=st.floats(0, 1), postcode=st.sampled_from(["06236", "63100", "40200"]),
)
def test_allocations_always_sum_to_the_order(lines, discount_share, points_share, postcode):
    sellers = {i: _Seller(i, 2500 + i * 500, 30000 * i) for i in range(4)}
    items = [(_SKU(_Product(sellers[s], price), delta), qty) for s, price, delta, qty in lines]
    items_total = sum((sku.product.sale_price_amount + sku.price_delta_amount) * qty for sku, qty in items)
    discount = int(items_total * discount_share * 0.5)
    points = int((items_total - discount) * points_share * 0.5)
    quote = price_lines(items, postcode=postcode, discount_amount=discount, points_amount=points)
    assert sum(line.shipping_share_amount for line in quote.lines) == quote.shipping_amount
    assert sum(line.discount_share_amount for line in quote.lines) == discount
    assert sum(line.points_share_amount for line in quote.lines) == points
    assert sum(line.paid_amount for line in quote.lines) == quote.total_amount
    assert all(line.paid_amount >= 0 for line in quote.lines)
    for group in quote.groups:
        assert sum(line.shipping_share_amount for line in group.lines) == group.fee_amount
