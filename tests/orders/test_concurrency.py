"""Money and stock under real concurrency: PostgreSQL, real threads, each with its own connection."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from catalog.exceptions import OutOfStock
from catalog.models import SKU, StockMovement
from core.models import StatusChange
from orders.forms import new_checkout_token
from orders.models import Order, OrderLine, PaymentEvent
from orders.payments.sandbox import SandboxPG
from orders.services import place_order
from tests.accounts.factories import UserFactory
from tests.orders.factories import DELIVERY, make_product
from tests.orders.helpers import pay, post_webhook

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connection.close()

    return run


def test_fifty_shoppers_race_for_the_last_five_units():
    _, (sku,) = make_product(stock=5)
    shoppers = [UserFactory() for _ in range(50)]
    barrier = threading.Barrier(50, timeout=60)

    @_in_thread
    def buy(shopper):
        barrier.wait()
        try:
            place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
            return "ok"
        except OutOfStock:
            return "sold out"

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(buy, shoppers))

    assert results.count("ok") == 5 and results.count("sold out") == 45
    sku.refresh_from_db()
    assert sku.stock_quantity == 0
    assert Order.objects.count() == 5 and OrderLine.objects.count() == 5
    assert StockMovement.objects.filter(sku=sku, reason=StockMovement.Reason.ORDERED).count() == 5


def test_fifty_shoppers_over_http_get_exactly_five_orders_and_no_500():
    _, (sku,) = make_product(stock=5)
    shoppers = [UserFactory() for _ in range(50)]
    barrier = threading.Barrier(50, timeout=60)

    @_in_thread
    def buy(shopper):
        client = Client()
        client.force_login(shopper)
        client.post("/cart/add/", {"sku": sku.pk, "quantity": 1, "buy_now": "on"})
        connection.close()  # hand the connection back to the pool while waiting
        barrier.wait()
        response = client.post("/checkout/?mode=now", {
            "mode": "now", "recipient": "김구매", "phone": "010-1234-5678", "postcode": "06236",
            "address1": "서울 강남구", "payment_method": "card", "installment_months": "0", "agree": "on",
            "checkout_token": new_checkout_token()})
        return response.status_code, response.get("Location", "")

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(buy, shoppers))

    assert all(status in (200, 302) for status, _ in results)
    assert sum(1 for status, location in results if status == 302 and "pg-sandbox" in location) == 5
    sku.refresh_from_db()
    assert sku.stock_quantity == 0 and Order.objects.count() == 5


def test_two_skus_taken_in_opposite_orders_do_not_deadlock():
    _, (a,) = make_product(stock=40)
    _, (b,) = make_product(stock=40)
    shopper = UserFactory()

    @_in_thread
    def buy(items):
        for _ in range(10):
            place_order(user=shopper, items=items, delivery=DELIVERY, payment_method="card")
        return "ok"

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(buy, [[(a.pk, 1), (b.pk, 1)], [(b.pk, 1), (a.pk, 1)]] * 2))
    assert results == ["ok"] * 4
    assert SKU.objects.get(pk=a.pk).stock_quantity == 0 and SKU.objects.get(pk=b.pk).stock_quantity == 0


def test_twenty_identical_callbacks_at_once_change_the_order_once(django_capture_on_commit_callbacks):
    _, (sku,) = make_product(stock=5)
    order = place_order(user=UserFactory(), items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="virtual_account")
    pg = pay(order)
    with django_capture_on_commit_callbacks(execute=False):
        SandboxPG.deposit(payment_key=pg.payment_key)
    from orders.models import SandboxPGCallback

    body = SandboxPGCallback.objects.get().body
    barrier = threading.Barrier(20, timeout=60)

    @_in_thread
    def deliver(_):
        close_old_connections()
        client = Client()
        barrier.wait()
        return post_webhook(client, body).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(deliver, range(20)))
    assert statuses == [200] * 20
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID
    assert PaymentEvent.objects.count() == 1
    assert StatusChange.objects.filter(field="payment_status", to_status="paid").count() == 1
    assert StatusChange.objects.filter(to_status="paid", field="status").count() == 1  # the one line
