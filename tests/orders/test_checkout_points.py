"""Issue 9, point 10: at checkout, points are spent only when the shopper asks for them."""

import pytest

from marketing.services.points import balance
from orders.forms import new_checkout_token
from orders.models import Order
from tests.accounts.factories import UserFactory
from tests.marketing.factories import give_coupon, give_points
from tests.orders.factories import make_product

CHECKOUT = {"recipient": "김구매", "phone": "010-1234-5678", "postcode": "06236", "address1": "서울 강남구 테헤란로 152",
            "payment_method": "card", "installment_months": "0", "agree": "on"}


def _start(client, *, points=5000):
    shopper = UserFactory()
    give_points(shopper, points)
    _, (sku,) = make_product(price=40000, stock=3)  # 40,000 + 3,000 shipping
    small = give_coupon(shopper, kind="cart", discount_value=2000, name="2천원")
    client.force_login(shopper)
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 1})
    return shopper, small


@pytest.mark.django_db
def test_changing_a_coupon_recalculates_without_spending_points(client):
    shopper, small = _start(client)
    page = client.get("/checkout/").content.decode()
    # The form's first submit button (what Enter and the coupon script press) only recalculates.
    form_start = page.index('<form method="post" class="checkout"')
    first_button = page[page.index("<button", form_start):page.index(">", page.index("<button", form_start))]
    assert 'value="apply"' in first_button and "data-recalculate-submit" in first_button
    assert 'value="use_points"' in page  # "use all points" has an action of its own
    response = client.post("/checkout/", {**CHECKOUT, "checkout_token": new_checkout_token(), "action": "apply",
                                          "coupon_cart": small.pk, "points_amount": ""})
    assert response.status_code == 200 and not Order.objects.exists()
    assert response.context["quote"].points_amount == 0
    assert response.context["quote"].total_amount == 43000 - 2000
    assert balance(user=shopper) == 5000


@pytest.mark.django_db
def test_use_all_points_fills_what_may_be_used_for_the_coupons_chosen_and_places_nothing(client):
    shopper, small = _start(client)
    response = client.post("/checkout/", {**CHECKOUT, "checkout_token": new_checkout_token(),
                                          "action": "use_points", "coupon_cart": small.pk, "points_amount": ""})
    assert response.status_code == 200 and not Order.objects.exists()
    assert response.context["points_amount"] == 5000  # the whole balance fits under half of 41,000
    assert response.context["quote"].total_amount == 43000 - 2000 - 5000
    assert balance(user=shopper) == 5000  # nothing spent before paying


@pytest.mark.django_db
def test_paying_spends_exactly_the_points_typed(client):
    shopper, small = _start(client)
    client.post("/checkout/", {**CHECKOUT, "checkout_token": new_checkout_token(), "coupon_cart": small.pk,
                               "points_amount": "1230", "action": "pay"})
    order = Order.objects.get()
    assert order.points_amount == 1230 and balance(user=shopper) == 5000 - 1230
