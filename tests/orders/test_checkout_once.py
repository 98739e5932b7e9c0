"""Issue 9, point 6: one checkout form places one order; an unpaid order can be paid or cancelled.

Written from the shopper's side: the requests a browser sends, in the order a person sends them.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from catalog.models import SKU
from core.models import OutboxMessage, StatusChange
from marketing.models import IssuedCoupon
from marketing.services.points import balance
from orders.forms import new_checkout_token
from orders.models import Order, OrderLine, Payment, SandboxPGPayment
from orders.payments.sandbox import SandboxPG
from orders.services import confirm_payment, place_order
from orders.services.unpaid import cancel_unpaid_order
from tests.accounts.factories import UserFactory
from tests.marketing.factories import give_coupon, give_points
from tests.orders.factories import DELIVERY, make_product
from tests.orders.helpers import pay, pg_window

CHECKOUT = {"recipient": "김구매", "phone": "010-1234-5678", "postcode": "06236", "address1": "서울 강남구 테헤란로 152",
            "payment_method": "card", "installment_months": "0", "agree": "on"}


def _form(**extra) -> dict:
    return {**CHECKOUT, "checkout_token": new_checkout_token(), **extra}


@pytest.mark.django_db
def test_the_checkout_page_carries_a_one_time_token(client):
    shopper = UserFactory()
    _, (sku,) = make_product()
    client.force_login(shopper)
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 1})
    first = client.get("/checkout/").context["checkout_token"]
    second = client.get("/checkout/").context["checkout_token"]
    assert len(first) >= 16 and first != second
    html = client.get("/checkout/").content.decode()
    assert 'name="checkout_token" value="' in html


@pytest.mark.django_db
def test_posting_the_same_checkout_twice_leads_to_the_same_order_and_takes_stock_once(client):
    shopper = UserFactory()
    _, (sku,) = make_product(stock=1)  # the last unit: a second order would say "sold out"
    client.force_login(shopper)
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 1})
    form = _form()
    first = client.post("/checkout/", form)
    second = client.post("/checkout/", form)
    assert first.status_code == second.status_code == 302
    assert first["Location"].startswith("/pg-sandbox/pay/?token=")
    assert second["Location"].startswith("/pg-sandbox/pay/?token=")
    assert Order.objects.filter(user=shopper).count() == 1
    assert SKU.objects.get(pk=sku.pk).stock_quantity == 0


@pytest.mark.django_db
def test_a_replayed_buy_now_checkout_finds_its_order_although_the_buy_now_item_is_gone(client):
    shopper = UserFactory()
    _, (sku,) = make_product(stock=3)
    client.force_login(shopper)
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 1, "buy_now": "on"})
    form = _form(mode="now")
    client.post("/checkout/?mode=now", form)
    order = Order.objects.get(user=shopper)
    pay(order)
    replay = client.post("/checkout/?mode=now", form)
    assert replay["Location"] == f"/orders/{order.number}/complete/"
    assert Order.objects.filter(user=shopper).count() == 1


@pytest.mark.django_db
def test_a_checkout_without_its_token_places_nothing_and_says_why(client):
    shopper = UserFactory()
    _, (sku,) = make_product()
    client.force_login(shopper)
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 1})
    response = client.post("/checkout/", CHECKOUT)
    assert response.status_code == 200 and not Order.objects.exists()
    assert "expired" in response.content.decode()
    assert len(response.context["checkout_token"]) >= 16  # a fresh one to pay with


@pytest.mark.django_db
def test_the_service_returns_the_first_order_for_a_token_again():
    shopper = UserFactory()
    _, (sku,) = make_product(stock=1)
    first = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card",
                        checkout_token="a" * 32)
    again = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card",
                        checkout_token="a" * 32)
    assert again.pk == first.pk and again.replayed and not first.replayed
    assert Order.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_pay_over_http_makes_one_order_and_no_false_sold_out():
    """Two requests of one checkout form at once (a double click): both end at the PG window of
    one order; neither tells the shopper the item they hold is sold out."""
    _, (sku,) = make_product(stock=1)
    shopper = UserFactory()
    client = Client()
    client.force_login(shopper)
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 1})
    form = _form()
    barrier = threading.Barrier(2, timeout=30)

    def click():
        try:
            barrier.wait()
            response = client.post("/checkout/", form)
            return response.status_code, response.get("Location", ""), response.content.decode()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: click(), range(2)))
    assert [status for status, _location, _html in results] == [302, 302]
    assert all(location.startswith("/pg-sandbox/pay/?token=") for _status, location, _html in results)
    assert Order.objects.count() == 1 and OrderLine.objects.count() == 1
    assert SKU.objects.get(pk=sku.pk).stock_quantity == 0


# --- An unpaid order: pay now, or cancel -----------------------------------------------------


def _unpaid_card_order(client, shopper, *, stock=5):
    _, (sku,) = make_product(stock=stock, price=40000)
    client.force_login(shopper)
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 2})
    window = client.post("/checkout/", _form())["Location"]
    assert window.startswith("/pg-sandbox/pay/")
    return Order.objects.get(user=shopper), sku  # the shopper closed the PG window


@pytest.mark.django_db
def test_an_order_left_in_the_pg_window_offers_pay_now_and_cancel(client):
    shopper = UserFactory()
    order, _sku = _unpaid_card_order(client, shopper)
    html = client.get(f"/orders/{order.number}/").content.decode()
    assert f"/orders/{order.number}/pay/" in html and f"/orders/{order.number}/cancel/" in html
    assert "Payment pending" in html  # a card order is not waiting for a deposit
    again = client.get(f"/orders/{order.number}/pay/")
    assert again["Location"].startswith("/pg-sandbox/pay/?token=")


def _strip(html: str) -> dict[str, int]:
    """The my-page status strip as the shopper reads it: label → count."""
    import re

    return {label: int(count) for count, label in re.findall(
        r'class="order-steps__step[^"]*"><a [^>]*><strong>(\d+)</strong><span>([^<]+)</span>', html)}


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_mypage_strip_reads_payment_pending_for_a_card_order_and_awaiting_deposit_for_a_virtual_account(client):
    shopper = UserFactory()
    _unpaid_card_order(client, shopper)  # 2 units, one line, still in the PG window
    strip = _strip(client.get("/accounts/mypage/").content.decode())
    assert strip["Payment pending"] == 1 and "Awaiting payment" not in strip
    _, (sku,) = make_product(stock=5, price=10000)
    place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="virtual_account")
    strip = _strip(client.get("/accounts/mypage/").content.decode())
    assert strip["Payment pending"] == 1 and strip["Awaiting payment"] == 1
    client.cookies["django_language"] = "ko"  # the language switcher's choice
    html = client.get("/accounts/mypage/").content.decode()
    assert _strip(html).get("결제대기") == 1 and _strip(html).get("입금대기") == 1


@pytest.mark.django_db
def test_cancelling_an_unpaid_order_gives_everything_back(client):
    shopper = UserFactory()
    give_points(shopper, 5000)
    _, (sku,) = make_product(stock=5, price=40000)
    coupon = give_coupon(shopper, kind="cart", discount_value=2000, name="2천원")
    client.force_login(shopper)
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 2})
    client.post("/checkout/", _form(coupon_cart=coupon.pk, points_amount="3000"))
    order = Order.objects.get(user=shopper)
    assert balance(user=shopper) == 2000 and SKU.objects.get(pk=sku.pk).stock_quantity == 3
    assert IssuedCoupon.objects.get(pk=coupon.pk).status != IssuedCoupon.Status.AVAILABLE

    response = client.post(f"/orders/{order.number}/cancel/")
    assert response["Location"] == f"/orders/{order.number}/"
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.CANCELLED
    assert list(order.lines.values_list("status", flat=True)) == [OrderLine.Status.CANCELLED]
    assert Payment.objects.get(order=order).status == Payment.Status.CANCELED
    assert SKU.objects.get(pk=sku.pk).stock_quantity == 5
    assert balance(user=shopper) == 5000
    assert IssuedCoupon.objects.get(pk=coupon.pk).status == IssuedCoupon.Status.AVAILABLE
    assert StatusChange.objects.filter(object_id=order.pk, field="payment_status",
                                       to_status=Order.PaymentStatus.CANCELLED, actor=shopper).exists()
    assert OutboxMessage.objects.filter(event="order.cancelled_unpaid").count() == 2  # mail and 알림톡
    html = client.get(f"/orders/{order.number}/").content.decode()
    assert f"/orders/{order.number}/cancel/" not in html and f"/orders/{order.number}/pay/" not in html


@pytest.mark.django_db
def test_an_unpaid_virtual_account_is_closed_at_the_pg_when_cancelled(client):
    shopper = UserFactory()
    _, (sku,) = make_product(stock=5)
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="virtual_account")
    pg = SandboxPG.authorize(window=pg_window(order), bank_code="088")
    confirm_payment(order_number=order.number, payment_key=pg.payment_key, amount=order.total_amount, user=shopper)
    client.force_login(shopper)
    html = client.get(f"/orders/{order.number}/").content.decode()
    assert f"/orders/{order.number}/cancel/" in html and f"/orders/{order.number}/pay/" not in html
    client.post(f"/orders/{order.number}/cancel/")
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.CANCELLED
    assert SandboxPGPayment.objects.get(payment_key=pg.payment_key).status == "CANCELED"
    assert SKU.objects.get(pk=sku.pk).stock_quantity == 5


@pytest.mark.django_db
def test_a_virtual_account_paid_meanwhile_is_not_cancelled_as_unpaid():
    shopper = UserFactory()
    _, (sku,) = make_product(stock=5)
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="virtual_account")
    pg = SandboxPG.authorize(window=pg_window(order), bank_code="088")
    confirm_payment(order_number=order.number, payment_key=pg.payment_key, amount=order.total_amount, user=shopper)
    SandboxPGPayment.objects.filter(payment_key=pg.payment_key).update(status="DONE")  # deposit, callback lost
    with pytest.raises(Exception, match="deposit has arrived"):
        cancel_unpaid_order(order=order, shopper=shopper)
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID
    assert SKU.objects.get(pk=sku.pk).stock_quantity == 4


@pytest.mark.django_db
def test_a_paid_order_or_someone_elses_cannot_be_cancelled_as_unpaid(client):
    shopper = UserFactory()
    _, (sku,) = make_product(stock=5)
    paid = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(paid)
    client.force_login(shopper)
    changes = StatusChange.objects.count()
    client.post(f"/orders/{paid.number}/cancel/")
    paid.refresh_from_db()
    assert paid.payment_status == Order.PaymentStatus.PAID and StatusChange.objects.count() == changes
    unpaid = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    client.force_login(UserFactory())
    assert client.post(f"/orders/{unpaid.number}/cancel/").status_code == 404
    assert client.get(f"/orders/{unpaid.number}/pay/").status_code == 404
    unpaid.refresh_from_db()
    assert unpaid.payment_status == Order.PaymentStatus.AWAITING


@pytest.mark.korean
@pytest.mark.django_db
def test_a_card_order_waiting_for_payment_reads_gyeoljedaegi_and_a_virtual_account_ipgeumdaegi(client):
    shopper = UserFactory()
    _, (sku,) = make_product(stock=5)
    card = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    account = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="virtual_account")
    client.force_login(shopper)
    with translation.override("ko"):
        card_html = client.get(f"/orders/{card.number}/").content.decode()
        account_html = client.get(f"/orders/{account.number}/").content.decode()
        list_html = client.get("/orders/").content.decode()
    assert 'status--pending_payment">결제대기<' in card_html
    assert 'status--pending_payment">입금대기<' in account_html
    assert "결제대기" in list_html and "입금대기" in list_html
