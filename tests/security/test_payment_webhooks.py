"""Issue 15, point 2: only the configured gateway's webhook is mounted; an unsigned (Toss) event
writes nothing unless the PG, asked directly, reports a change; each client is rate limited; a
non-ASCII signature is a 401, not a 500."""

import json

import pytest

from orders.models import Order, Payment, PaymentEvent
from orders.payments.toss import TossGateway
from orders.services import confirm_payment, place_order
from tests.accounts.factories import UserFactory
from tests.orders.factories import DELIVERY, make_product
from tests.orders.helpers import pay, post_webhook


def _sandbox_order(method="card"):
    _, (sku,) = make_product(stock=5)
    return place_order(user=UserFactory(), items=[(sku.pk, 1)], delivery=DELIVERY, payment_method=method)


def _toss_paid_order(settings, fake_toss):
    settings.PAYMENT_GATEWAY = "toss"
    order = _sandbox_order()
    payment_key = fake_toss.create_payment(order_id=order.number, amount=order.total_amount)
    confirm_payment(order_number=order.number, payment_key=payment_key, amount=order.total_amount, user=order.user)
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID and order.payment.gateway == "toss"
    return order, payment_key


def _payment_row(order):
    payment = Payment.objects.get(order=order)
    return (payment.status, payment.cancelled_amount, payment.updated_at, payment.raw)


def _post(client, gateway, body: bytes, **headers):
    return client.post(f"/payments/webhook/{gateway}/", data=body, content_type="application/json", **headers)


@pytest.mark.django_db
def test_the_toss_route_is_not_mounted_while_the_shop_uses_the_sandbox(client):
    order = _sandbox_order(method="virtual_account")
    pg = pay(order, bank_code="088")
    before = _payment_row(order)
    body = json.dumps({"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": "2026-01-01T00:00:00",
                       "data": {"paymentKey": pg.payment_key, "orderId": order.number, "status": "DONE"}}).encode()

    response = _post(client, "toss", body)

    assert response.status_code == 404
    assert PaymentEvent.objects.count() == 0
    assert _payment_row(order) == before


@pytest.mark.django_db
def test_an_unsigned_event_that_the_pg_does_not_confirm_writes_nothing(client, settings, fake_toss):
    order, payment_key = _toss_paid_order(settings, fake_toss)
    before = _payment_row(order)
    forged = json.dumps({"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": "2026-01-01T00:00:00",
                         "data": {"paymentKey": payment_key, "orderId": order.number, "status": "CANCELED",
                                  "balanceAmount": 0}}).encode()

    answers = [_post(client, "toss", forged), _post(client, "toss", fake_toss.payment_status_changed_body(payment_key))]

    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[0].json() == {"ok": True, "changed": False}
    assert PaymentEvent.objects.count() == 0
    assert _payment_row(order) == before
    assert len(fake_toss.requests_to(f"/v1/payments/{payment_key}")) == 2  # the PG was asked each time


@pytest.mark.django_db
def test_an_unsigned_event_is_stored_and_applied_once_the_pg_shows_the_change(client, settings, fake_toss,
                                                                              django_capture_on_commit_callbacks):
    order, payment_key = _toss_paid_order(settings, fake_toss)
    TossGateway().cancel(payment_key=payment_key, amount=order.total_amount, reason="test", idempotency_key="k1")

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "toss", fake_toss.payment_status_changed_body(payment_key))

    assert response.status_code == 200 and response.json()["ok"] is True
    assert PaymentEvent.objects.filter(order_number=order.number, status=PaymentEvent.Status.PROCESSED).count() == 1
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.cancelled_amount) == (Payment.Status.CANCELED, order.total_amount)


@pytest.mark.django_db
def test_an_unsigned_event_while_the_pg_is_unreachable_stores_nothing_and_asks_for_a_retry(client, settings,
                                                                                          fake_toss):
    order, payment_key = _toss_paid_order(settings, fake_toss)
    before = _payment_row(order)
    fake_toss.fail_next(3)

    response = _post(client, "toss", fake_toss.payment_status_changed_body(payment_key))

    assert response.status_code == 503
    assert PaymentEvent.objects.count() == 0 and _payment_row(order) == before


@pytest.mark.django_db
def test_a_sandbox_event_for_a_toss_payment_is_refused(client, settings, fake_toss):
    order, payment_key = _toss_paid_order(settings, fake_toss)
    before = _payment_row(order)
    settings.PAYMENT_GATEWAY = "sandbox"

    response = post_webhook(client, {"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": "x",
                                      "data": {"paymentKey": payment_key, "status": "CANCELED"}})

    assert response.status_code == 404
    assert PaymentEvent.objects.count() == 0 and _payment_row(order) == before


@pytest.mark.django_db
@pytest.mark.parametrize("signature", ["sha256=한글서명", "sha256=\u00e9\u00e8", "\u202e" * 64])
def test_a_non_ascii_signature_is_a_401(client, signature):
    order = _sandbox_order(method="virtual_account")
    pg = pay(order, bank_code="088")
    body = json.dumps({"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": "x",
                       "data": {"paymentKey": pg.payment_key, "status": "DONE"}}).encode()

    response = _post(client, "sandbox", body, HTTP_X_SANDBOX_SIGNATURE=signature)

    assert response.status_code == 401
    assert PaymentEvent.objects.count() == 0


@pytest.mark.django_db
def test_a_non_ascii_deposit_secret_is_refused_not_a_500(client):
    order = _sandbox_order(method="virtual_account")
    pay(order, bank_code="088")

    response = post_webhook(client, {"eventType": "DEPOSIT_CALLBACK", "orderId": order.number, "status": "DONE",
                                     "secret": "비밀번호", "transactionKey": "t1", "createdAt": "x"})

    assert response.status_code == 401
    assert PaymentEvent.objects.count() == 0


@pytest.mark.django_db
def test_each_client_is_rate_limited(client, settings):
    settings.PAYMENT_WEBHOOK_RATE_PER_MINUTE = 5
    body = json.dumps({"hello": "world"}).encode()

    mine = [_post(client, "sandbox", body, REMOTE_ADDR="203.0.113.7").status_code for _ in range(7)]
    theirs = _post(client, "sandbox", body, REMOTE_ADDR="203.0.113.8").status_code

    assert mine == [401] * 5 + [429] * 2
    assert theirs == 401


@pytest.mark.django_db
def test_the_rate_limit_lets_webhooks_through_when_the_cache_is_down(client, settings):
    settings.PAYMENT_WEBHOOK_RATE_PER_MINUTE = 2
    settings.CACHES = {"default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    body = json.dumps({"hello": "world"}).encode()

    answers = [_post(client, "sandbox", body).status_code for _ in range(4)]

    assert answers == [401] * 4


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b'{"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": "x", '
                                  b'"data": {"paymentKey": "k\\u0000", "status": "DONE"}}',
                                  b'{"eventType": "DEPOSIT_CALLBACK\x00"}'])
def test_a_nul_in_a_webhook_body_is_a_400(client, settings, body):
    settings.PAYMENT_GATEWAY = "toss"

    response = _post(client, "toss", body)

    assert response.status_code == 400
    assert PaymentEvent.objects.count() == 0
