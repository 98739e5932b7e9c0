"""Issue 15, point 1: the sandbox PG's console and buttons are for operators (and, where the
embedded demo allows it, for the order's own shopper); nobody else lists or moves a payment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from orders.models import Order, Payment, SandboxPGCallback, SandboxPGPayment
from orders.payments.sandbox import SandboxPG
from orders.services import place_order
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.orders.factories import DELIVERY, make_product
from tests.orders.helpers import pay

ROOT = Path(__file__).resolve().parents[2]


def _waiting_virtual_account(shopper):
    """A shopper's order waiting for its virtual-account deposit, with one undelivered callback."""
    _, (sku,) = make_product(stock=5)
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="virtual_account")
    pg = pay(order, bank_code="088")
    assert order.payment.status == Payment.Status.WAITING_FOR_DEPOSIT
    callback = SandboxPGCallback.objects.create(
        url="http://127.0.0.1:9/payments/webhook/sandbox/", event_type="DEPOSIT_CALLBACK",
        body={"eventType": "DEPOSIT_CALLBACK", "orderId": order.number, "status": "DONE"},
        next_attempt_at=order.created_at)
    return order, pg, callback


def _urls(pg, callback):
    return [
        ("post", f"/pg-sandbox/payments/{pg.payment_key}/deposit/"),
        ("post", f"/pg-sandbox/payments/{pg.payment_key}/expire/"),
        ("post", f"/pg-sandbox/callbacks/{callback.pk}/resend/"),
        ("get", f"/pg-sandbox/payments/{pg.payment_key}/receipt/"),
    ]


def _state(order, pg):
    order.refresh_from_db()
    return (order.payment_status, Payment.objects.get(order=order).status,
            SandboxPGPayment.objects.get(payment_key=pg.payment_key).status,
            SandboxPGCallback.objects.order_by("id").values_list("attempts", flat=True)[::1])


@pytest.mark.django_db
def test_an_anonymous_visitor_gets_403_on_every_sandbox_page_and_pays_nothing(client):
    order, pg, callback = _waiting_virtual_account(UserFactory())
    before = _state(order, pg)

    console = client.get("/pg-sandbox/")
    answers = {url: getattr(client, method)(url).status_code for method, url in _urls(pg, callback)}

    assert console.status_code == 403
    assert order.number.encode() not in console.content
    assert answers == {url: 403 for _method, url in _urls(pg, callback)}
    assert _state(order, pg) == before
    assert before[:3] == (Order.PaymentStatus.AWAITING, Payment.Status.WAITING_FOR_DEPOSIT, "WAITING_FOR_DEPOSIT")


@pytest.mark.django_db
def test_another_shopper_neither_sees_nor_moves_someone_elses_payment(client):
    order, pg, callback = _waiting_virtual_account(UserFactory())
    stranger = UserFactory()
    stranger_order, stranger_pg, _ = _waiting_virtual_account(stranger)
    before = _state(order, pg)
    client.force_login(stranger)

    console = client.get("/pg-sandbox/")
    answers = {url: getattr(client, method)(url).status_code for method, url in _urls(pg, callback)}

    assert console.status_code == 200
    assert order.number.encode() not in console.content and pg.payment_key.encode() not in console.content
    assert stranger_order.number.encode() in console.content  # their own payment is there
    assert answers == {url: 404 for _method, url in _urls(pg, callback)}
    assert _state(order, pg) == before


@pytest.mark.django_db
def test_the_orders_own_shopper_pays_the_virtual_account_from_the_console(client):
    shopper = UserFactory()
    order, pg, _ = _waiting_virtual_account(shopper)
    client.force_login(shopper)

    response = client.post(f"/pg-sandbox/payments/{pg.payment_key}/deposit/")

    assert response.status_code == 302 and response["Location"] == "/pg-sandbox/"
    assert SandboxPGPayment.objects.get(payment_key=pg.payment_key).status == "DONE"


@pytest.mark.django_db
def test_shoppers_are_refused_where_the_shopper_console_is_off(client, settings):
    settings.SANDBOX_PG_SHOPPER_ACCESS = False
    shopper = UserFactory()
    order, pg, _ = _waiting_virtual_account(shopper)
    client.force_login(shopper)

    assert client.get("/pg-sandbox/").status_code == 403
    assert client.post(f"/pg-sandbox/payments/{pg.payment_key}/deposit/").status_code == 403
    assert SandboxPGPayment.objects.get(payment_key=pg.payment_key).status == "WAITING_FOR_DEPOSIT"


@pytest.mark.django_db
def test_an_operator_sees_every_payment_and_works_the_buttons(client):
    order, pg, _ = _waiting_virtual_account(UserFactory())
    other_order, other_pg, _ = _waiting_virtual_account(UserFactory())
    client.force_login(OperatorFactory())

    console = client.get("/pg-sandbox/")
    expired = client.post(f"/pg-sandbox/payments/{other_pg.payment_key}/expire/")

    assert order.number.encode() in console.content and other_order.number.encode() in console.content
    assert expired.status_code == 302
    assert SandboxPGPayment.objects.get(payment_key=other_pg.payment_key).status == "EXPIRED"


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/phish", "//evil.example/", "http:/\\evil.example",
                                    "javascript:alert(1)"])
def test_next_never_leaves_the_site(client, target):
    shopper = UserFactory()
    order, pg, _ = _waiting_virtual_account(shopper)
    client.force_login(shopper)

    response = client.post(f"/pg-sandbox/payments/{pg.payment_key}/deposit/", {"next": target})

    assert response.status_code == 302 and response["Location"] == "/pg-sandbox/"


@pytest.mark.django_db
def test_next_may_go_back_to_a_page_of_the_shop(client):
    shopper = UserFactory()
    order, pg, _ = _waiting_virtual_account(shopper)
    client.force_login(shopper)

    response = client.post(f"/pg-sandbox/payments/{pg.payment_key}/deposit/", {"next": f"/orders/{order.number}/"})

    assert response["Location"] == f"/orders/{order.number}/"


@pytest.mark.django_db
def test_the_sandbox_pages_are_gone_when_another_gateway_is_configured(client, settings):
    order, pg, _ = _waiting_virtual_account(UserFactory())
    settings.PAYMENT_GATEWAY = "toss"
    client.force_login(OperatorFactory())

    assert client.get("/pg-sandbox/").status_code == 404
    assert client.post(f"/pg-sandbox/payments/{pg.payment_key}/deposit/").status_code == 404
    assert SandboxPG.get(payment_key=pg.payment_key).status == "WAITING_FOR_DEPOSIT"


def _production(**extra):
    env = {key: value for key, value in os.environ.items()
           if key not in ("PAYMENT_GATEWAY", "ALLOW_SANDBOX_PG_IN_PRODUCTION", "DJANGO_SETTINGS_MODULE")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", "SECRET_KEY": "x" * 60,
                "ALLOWED_HOSTS": "shop.example.com", **extra})
    return subprocess.run([sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
                           "print('gateway', settings.PAYMENT_GATEWAY)"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_production_refuses_to_start_with_the_sandbox_gateway():
    by_default = _production()
    named = _production(PAYMENT_GATEWAY="sandbox")

    for result in (by_default, named):
        assert result.returncode != 0
        assert "PAYMENT_GATEWAY=sandbox is refused in production" in result.stderr


def test_production_starts_with_toss_or_with_the_deliberate_demo_flag():
    toss = _production(PAYMENT_GATEWAY="toss", TOSS_SECRET_KEY="test_sk")
    demo = _production(PAYMENT_GATEWAY="sandbox", ALLOW_SANDBOX_PG_IN_PRODUCTION="1")

    assert (toss.returncode, toss.stdout.strip()) == (0, "gateway toss"), toss.stderr
    assert (demo.returncode, demo.stdout.strip()) == (0, "gateway sandbox"), demo.stderr
