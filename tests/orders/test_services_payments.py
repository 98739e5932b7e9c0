import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from core.models import OutboxMessage, StatusChange
from orders.exceptions import AmountMismatch, PaymentError
from orders.models import Order, OrderLine, Payment, PaymentCancel, PaymentEvent, SandboxPGCallback
from orders.payments import RefundAccount
from orders.payments.sandbox import SandboxPG, deliver_callback
from orders.services import cancel_payment, confirm_payment, expire_unpaid_orders, fail_payment, place_order
from tests.accounts.factories import UserFactory
from tests.orders.factories import DELIVERY, make_product
from tests.orders.helpers import pay, pg_window, post_webhook

OP = Order.PaymentStatus


def _order(method="card", quantity=1, stock=5, price=15900):
    _, (sku,) = make_product(stock=stock, price=price)
    order = place_order(user=UserFactory(), items=[(sku.pk, quantity)], delivery=DELIVERY, payment_method=method)
    return order, sku


@pytest.mark.django_db
def test_a_tampered_amount_is_never_confirmed_and_the_stock_comes_back():
    order, sku = _order(quantity=2)
    pg = SandboxPG.authorize(window=pg_window(order))
    with pytest.raises(AmountMismatch):
        confirm_payment(order_number=order.number, payment_key=pg.payment_key, amount=100, user=order.user)
    order.refresh_from_db()
    sku.refresh_from_db()
    assert order.payment_status == OP.FAILED and order.payment.status == Payment.Status.ABORTED
    assert sku.stock_quantity == 5
    assert SandboxPG.get(payment_key=pg.payment_key).status == "IN_PROGRESS"  # never confirmed at the PG
    assert not OutboxMessage.objects.filter(event="order.paid").exists()


@pytest.mark.django_db
def test_reloading_the_success_page_confirms_once():
    order, _ = _order()
    pg = pay(order)
    confirm_payment(order_number=order.number, payment_key=pg.payment_key, amount=order.total_amount,
                    user=order.user)
    assert StatusChange.objects.filter(field="payment_status", to_status=OP.PAID).count() == 1


@pytest.mark.django_db
def test_another_shopper_cannot_confirm_an_order():
    order, _ = _order()
    pg = SandboxPG.authorize(window=pg_window(order))
    with pytest.raises(PaymentError):
        confirm_payment(order_number=order.number, payment_key=pg.payment_key, amount=order.total_amount,
                        user=UserFactory())


@pytest.mark.django_db
def test_declining_in_the_window_fails_the_order_and_releases_stock():
    order, sku = _order(quantity=3)
    fail_payment(order_number=order.number, user=order.user, code="PAY_PROCESS_CANCELED")
    order.refresh_from_db()
    sku.refresh_from_db()
    assert order.payment_status == OP.FAILED and sku.stock_quantity == 5
    assert set(order.lines.values_list("status", flat=True)) == {OrderLine.Status.CANCELLED}


@pytest.mark.django_db
def test_paid_order_queues_messages_for_the_shopper_and_each_seller():
    order, _ = _order()
    pay(order)
    events = sorted(OutboxMessage.objects.values_list("event", "channel"))
    assert events == [("order.paid", "alimtalk"), ("order.paid", "email"),
                      ("seller.new_lines", "alimtalk"), ("seller.new_lines", "email")]


@pytest.mark.django_db
def test_virtual_account_waits_for_the_deposit_callback(client, django_capture_on_commit_callbacks):
    order, _ = _order(method="virtual_account")
    pg = pay(order, bank_code="088")
    assert order.payment_status == OP.AWAITING
    payment = order.payment
    assert payment.status == Payment.Status.WAITING_FOR_DEPOSIT
    assert payment.bank_name == "신한은행" and payment.account_number and payment.due_at
    assert order.expires_at == payment.due_at
    assert OutboxMessage.objects.filter(event="order.virtual_account_issued").count() == 2

    with django_capture_on_commit_callbacks(execute=False):
        SandboxPG.deposit(payment_key=pg.payment_key)
    callback = SandboxPGCallback.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(client, callback.body)
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.payment_status == OP.PAID and order.payment.status == Payment.Status.DONE
    assert set(order.lines.values_list("status", flat=True)) == {OrderLine.Status.PAID}


@pytest.mark.django_db
def test_the_same_callback_twenty_times_changes_the_order_once(client, django_capture_on_commit_callbacks):
    order, _ = _order(method="virtual_account")
    pg = pay(order)
    with django_capture_on_commit_callbacks(execute=False):
        SandboxPG.deposit(payment_key=pg.payment_key)
    body = SandboxPGCallback.objects.get().body
    with django_capture_on_commit_callbacks(execute=True):
        answers = [post_webhook(client, body) for _ in range(20)]
    assert all(a.status_code == 200 for a in answers)
    assert sum(not a.json()["duplicate"] for a in answers) == 1
    assert PaymentEvent.objects.count() == 1
    assert StatusChange.objects.filter(field="payment_status", to_status=OP.PAID).count() == 1
    assert OutboxMessage.objects.filter(event="order.paid", channel="email").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("forgery", ["signature", "secret", "garbage", "unknown_order"])
def test_a_forged_callback_gets_4xx_and_changes_nothing(client, forgery):
    order, _ = _order(method="virtual_account")
    pg = pay(order)
    body = {"eventType": "DEPOSIT_CALLBACK", "secret": order.payment.deposit_secret, "orderId": order.number,
            "status": "DONE", "transactionKey": "t1", "createdAt": "2026-11-22T10:00:00+09:00"}
    if forgery == "signature":
        response = post_webhook(client, body, sign=False)
    elif forgery == "secret":
        response = post_webhook(client, {**body, "secret": "guessed"})
    elif forgery == "garbage":
        response = post_webhook(client, {"hello": "world"})
    else:
        response = post_webhook(client, {**body, "orderId": "20260101-999999"})
    assert 400 <= response.status_code < 500
    order.refresh_from_db()
    assert order.payment_status == OP.AWAITING
    assert not PaymentEvent.objects.exists()
    assert SandboxPG.get(payment_key=pg.payment_key).status == "WAITING_FOR_DEPOSIT"


@pytest.mark.django_db
def test_a_deposit_callback_without_a_deposit_at_the_pg_changes_nothing(client, django_capture_on_commit_callbacks):
    """Even a correctly signed callback only makes the shop ask the PG, whose answer wins."""
    order, _ = _order(method="virtual_account")
    pay(order)
    body = {"eventType": "DEPOSIT_CALLBACK", "secret": order.payment.deposit_secret, "orderId": order.number,
            "status": "DONE", "transactionKey": "early", "createdAt": "2026-11-22T10:00:00+09:00"}
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook(client, body).status_code == 200
    order.refresh_from_db()
    assert order.payment_status == OP.AWAITING


@pytest.mark.django_db
def test_events_out_of_order_end_in_the_state_the_pg_reports(client, django_capture_on_commit_callbacks):
    order, _ = _order(method="virtual_account")
    pg = pay(order)
    stale = {"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": "2026-11-22T09:00:00+09:00",
             "data": {"paymentKey": pg.payment_key, "orderId": order.number, "status": "WAITING_FOR_DEPOSIT"}}
    with django_capture_on_commit_callbacks(execute=False):
        SandboxPG.deposit(payment_key=pg.payment_key)
    deposit = SandboxPGCallback.objects.get().body
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(client, deposit)
        post_webhook(client, stale)  # arrives late, says "waiting"
    order.refresh_from_db()
    assert order.payment_status == OP.PAID
    assert PaymentEvent.objects.filter(status=PaymentEvent.Status.PROCESSED).count() == 2


@pytest.mark.django_db
def test_unpaid_orders_expire_and_release_their_stock():
    order, sku = _order(method="virtual_account", quantity=2)
    pay(order)
    sku.refresh_from_db()
    assert sku.stock_quantity == 3
    assert expire_unpaid_orders(now=timezone.now()) == 0  # not due yet
    assert expire_unpaid_orders(now=order.expires_at + timedelta(seconds=1)) == 1
    order.refresh_from_db()
    sku.refresh_from_db()
    assert order.payment_status == OP.EXPIRED and order.payment.status == Payment.Status.EXPIRED
    assert sku.stock_quantity == 5
    assert OutboxMessage.objects.filter(event="order.expired", channel="email").exists()


@pytest.mark.django_db
def test_an_abandoned_payment_window_expires_too():
    order, sku = _order(quantity=1)
    assert expire_unpaid_orders(now=order.expires_at + timedelta(minutes=1)) == 1
    sku.refresh_from_db()
    assert sku.stock_quantity == 5


@pytest.mark.django_db
def test_a_deposit_whose_callback_was_lost_is_honoured_at_expiry(django_capture_on_commit_callbacks):
    order, _ = _order(method="virtual_account")
    pg = pay(order)
    with django_capture_on_commit_callbacks(execute=False):  # the callback never arrives
        SandboxPG.deposit(payment_key=pg.payment_key)
    expire_unpaid_orders(now=order.expires_at + timedelta(seconds=1))
    order.refresh_from_db()
    assert order.payment_status == OP.PAID


@pytest.mark.django_db
def test_partial_then_full_cancel_through_the_pg_with_idempotency():
    order, _ = _order(quantity=2, price=20000)
    pay(order)
    first = cancel_payment(order=order, amount=5000, reason="부분 취소", idempotency_key="c1")
    again = cancel_payment(order=order, amount=5000, reason="부분 취소", idempotency_key="c1")
    assert first.pk == again.pk
    payment = Payment.objects.get(order=order)
    assert payment.cancelled_amount == 5000 and payment.status == Payment.Status.PARTIAL_CANCELED
    with pytest.raises(PaymentError):
        cancel_payment(order=order, amount=payment.balance_amount + 1, reason="too much", idempotency_key="c2")
    cancel_payment(order=order, amount=payment.balance_amount, reason="전액", idempotency_key="c3")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELED and payment.balance_amount == 0
    assert PaymentCancel.objects.count() == 2
    assert SandboxPG.get(payment_key=payment.payment_key).balance_amount == 0


@pytest.mark.django_db
def test_a_paid_virtual_account_is_refunded_to_the_shoppers_bank_account(django_capture_on_commit_callbacks):
    order, _ = _order(method="virtual_account")
    pg = pay(order)
    with django_capture_on_commit_callbacks(execute=False):
        SandboxPG.deposit(payment_key=pg.payment_key)
    expire_unpaid_orders(now=order.expires_at + timedelta(seconds=1))  # picks up the deposit
    with pytest.raises(PaymentError):
        cancel_payment(order=order, amount=1000, reason="환불", idempotency_key="v1")
    account = RefundAccount(bank_code="004", account_number="123-456-7890", holder_name="김구매")
    record = cancel_payment(order=order, amount=1000, reason="환불", idempotency_key="v2", refund_account=account)
    assert record.refund_account_number == "123-456-7890"


class _FlakyShop(BaseHTTPRequestHandler):
    answers = [500, 503, 200]
    seen = []

    def do_POST(self):
        self.seen.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(self.answers.pop(0) if self.answers else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.django_db
def test_the_sandbox_retries_a_callback_until_the_shop_answers_200(django_capture_on_commit_callbacks):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FlakyShop)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        order, _ = _order(method="virtual_account")
        window = {**pg_window(order), "webhook_url": f"http://127.0.0.1:{server.server_port}/hook"}
        pg = SandboxPG.authorize(window=window)
        confirm_payment(order_number=order.number, payment_key=pg.payment_key, amount=order.total_amount,
                        user=order.user)
        with django_capture_on_commit_callbacks(execute=False):
            SandboxPG.deposit(payment_key=pg.payment_key)
        callback = SandboxPGCallback.objects.get()
        results = [deliver_callback(callback.pk) for _ in range(4)]
        callback.refresh_from_db()
        assert results == [False, False, True, True]
        assert callback.attempts == 3 and callback.delivered and callback.last_status == 200
        assert callback.next_attempt_at > timezone.now()
    finally:
        server.shutdown()
