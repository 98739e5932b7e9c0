from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from orders.forms import new_checkout_token
from orders.models import Cart, CartLine, Order
from orders.services import place_order
from tests.accounts.factories import PASSWORD, AddressFactory, UserFactory
from tests.orders.factories import DELIVERY, make_product, sized_product
from tests.orders.helpers import pay

CHECKOUT = {"recipient": "김구매", "phone": "010-1234-5678", "postcode": "06236", "address1": "서울 강남구 테헤란로 152",
            "address2": "12층", "payment_method": "card", "installment_months": "0", "agree": "on"}


def fresh() -> dict:
    """The checkout form as a new page gives it: with its own one-time token."""
    return {**CHECKOUT, "checkout_token": new_checkout_token()}


@pytest.mark.django_db
def test_add_to_cart_change_quantity_and_remove(client):
    _, (small, medium, _) = sized_product(stock=5)
    response = client.post("/cart/add/", {"sku": small.pk, "quantity": 2})
    assert response.status_code == 302 and response["Location"] == "/cart/"
    client.post("/cart/add/", {"sku": small.pk, "quantity": 1})
    client.post("/cart/add/", {"sku": medium.pk, "quantity": 1})
    line = CartLine.objects.get(sku=small)
    assert line.quantity == 3
    client.post("/cart/update/", {"action": f"quantity:{line.pk}", f"quantity_{line.pk}": "4"})
    line.refresh_from_db()
    assert line.quantity == 4
    response = client.post("/cart/update/", {"action": f"quantity:{line.pk}", f"quantity_{line.pk}": "9"}, follow=True)
    assert "5" in response.content.decode()  # "only 5 left"
    line.refresh_from_db()
    assert line.quantity == 4
    client.post("/cart/update/", {"action": f"remove:{line.pk}"})
    assert list(CartLine.objects.values_list("sku_id", flat=True)) == [medium.pk]


@pytest.mark.django_db
def test_a_sold_out_option_cannot_be_added(client):
    _, (sku,) = make_product(stock=0)
    response = client.post("/cart/add/", {"sku": sku.pk, "quantity": 1, "next": "/"}, follow=True)
    assert not CartLine.objects.exists()
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_cart_groups_lines_by_seller_and_flags_problems(client, django_assert_max_num_queries):
    _, (a,) = make_product(price=30000)
    _, (b,) = make_product(price=10000)
    client.post("/cart/add/", {"sku": a.pk, "quantity": 1})
    client.post("/cart/add/", {"sku": b.pk, "quantity": 1})
    type(b).objects.filter(pk=b.pk).update(stock_quantity=0)
    type(a.product).objects.filter(pk=a.product_id).update(sale_price_amount=29000)
    with django_assert_max_num_queries(12):
        html = client.get("/cart/").content.decode()
    assert a.product.seller.name in html and b.product.seller.name in html
    assert "품절" in html or "Sold out" in html
    assert "30,000" in html  # the old price is mentioned: the price changed since it was added


@pytest.mark.django_db
def test_cart_page_queries_do_not_grow_with_lines(client, django_assert_num_queries):
    products = [make_product()[1][0] for _ in range(6)]
    client.post("/cart/add/", {"sku": products[0].pk, "quantity": 1})
    client.get("/cart/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/cart/")
    for sku in products[1:]:
        client.post("/cart/add/", {"sku": sku.pk, "quantity": 1})
    with CaptureQueriesContext(connection) as six:
        client.get("/cart/")
    assert len(one) == len(six)


@pytest.mark.django_db
def test_the_guest_cart_is_merged_into_the_member_cart_at_login(client):
    _, (sku,) = make_product(stock=9)
    _, (other,) = make_product()
    shopper = UserFactory()
    Cart.objects.create(user=shopper).lines.create(sku=sku, quantity=1)
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 2})
    client.post("/cart/add/", {"sku": other.pk, "quantity": 1})
    client.post(reverse("accounts:login"), {"username": shopper.email, "password": PASSWORD})
    cart = Cart.objects.get(user=shopper)
    assert dict(cart.lines.values_list("sku_id", "quantity")) == {sku.pk: 3, other.pk: 1}
    assert not Cart.objects.filter(user__isnull=True).exists()


@pytest.mark.django_db
def test_checkout_needs_login_and_a_cart(client):
    assert client.get("/checkout/")["Location"].startswith("/accounts/login/")
    client.force_login(UserFactory())
    assert client.get("/checkout/")["Location"] == "/cart/"


@pytest.mark.django_db
def test_checkout_prefills_the_default_address_and_re_renders_errors_without_ordering(client):
    shopper = UserFactory()
    AddressFactory(user=shopper, recipient="박수령", is_default=True)
    _, (sku,) = make_product()
    client.force_login(shopper)
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 1})
    html = client.get("/checkout/").content.decode()
    assert "박수령" in html and "06236" in html
    response = client.post("/checkout/", {**fresh(), "postcode": "123", "agree": ""})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"postcode", "agree"}
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_checkout_through_the_sandbox_window_to_the_complete_page(client):
    shopper = UserFactory()
    _, (sku,) = make_product(stock=3)
    client.force_login(shopper)
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 2})
    response = client.post("/checkout/", fresh())
    window = response["Location"]
    assert window.startswith("/pg-sandbox/pay/?token=")
    assert client.get(window).status_code == 200
    token = parse_qs(urlparse(window).query)["token"][0]
    approved = client.post("/pg-sandbox/pay/", {"token": token, "decision": "approve", "card_company": "현대카드",
                                                "installment_months": "0"})
    success = approved["Location"]
    assert "paymentKey=" in success and "amount=" in success
    complete = client.get(success.replace("http://testserver", ""))
    order = Order.objects.get()
    assert complete["Location"] == f"/orders/{order.number}/complete/"
    assert order.payment_status == Order.PaymentStatus.PAID
    assert not CartLine.objects.exists()  # ordered items left the cart
    html = client.get(complete["Location"]).content.decode()
    assert order.number in html and "현대카드" in html


@pytest.mark.django_db
def test_a_tampered_amount_in_the_success_url_is_refused(client):
    shopper = UserFactory()
    _, (sku,) = make_product()
    client.force_login(shopper)
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 1, "buy_now": "on"})
    window = client.post("/checkout/?mode=now", {**fresh(), "mode": "now"})["Location"]
    token = parse_qs(urlparse(window).query)["token"][0]
    success = client.post("/pg-sandbox/pay/", {"token": token, "decision": "approve"})["Location"]
    tampered = success.replace("http://testserver", "").replace("amount=", "amount=1")
    client.get(tampered)
    order = Order.objects.get()
    assert order.payment_status == Order.PaymentStatus.FAILED


@pytest.mark.django_db
def test_declining_in_the_window_returns_to_the_cart_with_a_message(client):
    shopper = UserFactory()
    _, (sku,) = make_product()
    client.force_login(shopper)
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 1})
    window = client.post("/checkout/", fresh())["Location"]
    token = parse_qs(urlparse(window).query)["token"][0]
    fail = client.post("/pg-sandbox/pay/", {"token": token, "decision": "decline"})["Location"]
    response = client.get(fail.replace("http://testserver", ""), follow=True)
    assert response.redirect_chain[-1][0] == "/cart/"
    assert Order.objects.get().payment_status == Order.PaymentStatus.FAILED
    assert CartLine.objects.count() == 1  # the cart is kept for another try


@pytest.mark.django_db
def test_my_orders_pages_are_mine_only_and_run_constant_queries(client, django_assert_max_num_queries):
    shopper = UserFactory()
    for _ in range(3):
        _, (sku,) = make_product()
        pay(place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card"))
    client.force_login(shopper)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as three:
        assert client.get("/orders/").status_code == 200
    for _ in range(5):
        _, (sku,) = make_product()
        pay(place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card"))
    with CaptureQueriesContext(connection) as eight:
        client.get("/orders/")
    assert len(three) == len(eight)
    order = Order.objects.filter(user=shopper).first()
    assert client.get(f"/orders/{order.number}/").status_code == 200
    assert client.get(f"/orders/{order.number}/receipt/").status_code == 200
    client.force_login(UserFactory())
    assert client.get(f"/orders/{order.number}/").status_code == 404
    assert client.get(f"/orders/{order.number}/receipt/").status_code == 404


@pytest.mark.django_db
def test_the_webhook_answers_404_for_an_unknown_gateway(client):
    assert client.post("/payments/webhook/paypal/", data=b"{}", content_type="application/json").status_code == 404


@pytest.mark.django_db
def test_the_order_page_links_to_tracking_and_lets_the_buyer_confirm(client):
    from orders.models import Courier, OrderLine

    shopper = UserFactory()
    _, (sku,) = make_product()
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(order)
    OrderLine.objects.filter(order=order).update(status="delivered", courier=Courier.objects.get(code="cj"),
                                                 waybill_number="123456789012")
    client.force_login(shopper)
    html = client.get(f"/orders/{order.number}/").content.decode()
    assert "https://trace.cjlogistics.com/next/tracking.html?wblNo=123456789012" in html
    line = order.lines.get()
    client.post(f"/orders/{order.number}/lines/{line.pk}/confirm/")
    line.refresh_from_db()
    assert line.status == "confirmed"
    client.force_login(UserFactory())
    assert client.post(f"/orders/{order.number}/lines/{line.pk}/confirm/").status_code == 404


@pytest.mark.django_db
def test_checkout_suggests_the_best_coupons_and_pays_with_coupons_and_points(client):
    from marketing.services.points import balance
    from tests.marketing.factories import give_coupon, give_points

    shopper = UserFactory()
    give_points(shopper, 5000)
    _, (sku,) = make_product(price=40000, stock=3)
    small = give_coupon(shopper, kind="cart", discount_value=2000, name="2천원")
    big = give_coupon(shopper, kind="cart", discount_type="percent", discount_value=10, name="10%")
    product_coupon = give_coupon(shopper, kind="product", discount_value=1000, name="상품쿠폰")
    client.force_login(shopper)
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 1})
    response = client.get("/checkout/")
    assert response.context["is_best"]
    assert response.context["selection"].cart == big.pk
    assert response.context["quote"].discount_amount == 1000 + 3900  # 10% of 39,000
    recalculated = client.post("/checkout/", {**fresh(), "action": "apply", "coupon_cart": small.pk,
                                              f"coupon_line_{sku.pk}": product_coupon.pk, "points_amount": "1000"})
    assert recalculated.status_code == 200 and not Order.objects.exists()
    assert recalculated.context["quote"].total_amount == 40000 + 3000 - 1000 - 2000 - 1000  # shipping 3,000
    assert not recalculated.context["is_best"]
    client.post("/checkout/", {**fresh(), "coupon_cart": big.pk, f"coupon_line_{sku.pk}": product_coupon.pk,
                               "points_amount": "1000"})
    order = Order.objects.get()
    assert (order.discount_amount, order.points_amount, order.total_amount) == (4900, 1000, 43000 - 4900 - 1000)
    assert balance(user=shopper) == 4000


@pytest.mark.django_db
def test_bad_points_re_render_the_checkout_with_a_message(client):
    shopper = UserFactory()
    _, (sku,) = make_product(price=40000)
    client.force_login(shopper)
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 1})
    response = client.post("/checkout/", {**fresh(), "points_amount": "5000"}, follow=True)
    assert response.status_code == 200 and not Order.objects.exists()
    assert any("1,000" in str(m) for m in response.context["messages"])
