"""TossGateway against a local fake Toss server (tests/orders/fake_toss.py). No database needed."""

import base64
import json
import socket
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from orders.payments import GatewayError, PGStatus, RefundAccount, get_gateway
from orders.payments.toss import TossGateway, deposit_secret_matches
from tests.orders import fake_toss as fake_toss_module
from tests.orders.fake_toss import (
    METHOD_CARD,
    METHOD_EASY_PAY,
    METHOD_MOBILE,
    METHOD_TRANSFER,
    METHOD_VIRTUAL_ACCOUNT,
)

fake_toss = fake_toss_module.fake_toss  # the fixture: a running fake Toss with settings pointed at it

KST_OFFSET = timedelta(hours=9)


def _paid_card(fake_toss, *, amount=10000, order_id="20260101-000001"):
    payment_key = fake_toss.create_payment(order_id=order_id, amount=amount, method=METHOD_CARD)
    TossGateway().confirm(payment_key=payment_key, order_id=order_id, amount=amount)
    return payment_key


def _virtual_account(fake_toss, *, amount=25000, order_id="20260101-000002"):
    payment_key = fake_toss.create_payment(order_id=order_id, amount=amount, method=METHOD_VIRTUAL_ACCOUNT,
                                           customer_name="김고객", bank_code="20")
    payment = TossGateway().confirm(payment_key=payment_key, order_id=order_id, amount=amount)
    return payment_key, payment


# --- confirm -----------------------------------------------------------------------------------


def test_confirm_card_is_done_with_the_card_fields(fake_toss):
    payment_key = fake_toss.create_payment(order_id="20260101-000001", amount=12900, method=METHOD_CARD,
                                           installment_months=3)

    payment = TossGateway().confirm(payment_key=payment_key, order_id="20260101-000001", amount=12900)

    assert payment.status is PGStatus.DONE
    assert payment.payment_key == payment_key
    assert payment.order_id == "20260101-000001"
    assert payment.method == "card"
    assert payment.total_amount == payment.balance_amount == 12900
    assert payment.approved_at is not None and payment.approved_at.utcoffset() == KST_OFFSET
    assert payment.card_company == "61"
    assert payment.installment_months == 3
    assert payment.receipt_url.endswith(f"/receipt/{payment_key}")
    assert payment.cancels == []
    assert payment.raw["paymentKey"] == payment_key and payment.raw["method"] == "카드"
    request = fake_toss.requests_to("/v1/payments/confirm")[0]
    assert request["body"] == {"paymentKey": payment_key, "orderId": "20260101-000001", "amount": 12900}
    expected = base64.b64encode(f"{fake_toss.secret_key}:".encode()).decode()
    assert request["headers"]["authorization"] == f"Basic {expected}"


def test_confirm_virtual_account_waits_for_deposit_with_account_due_date_and_secret(fake_toss):
    payment_key, payment = _virtual_account(fake_toss)

    assert payment.status is PGStatus.WAITING_FOR_DEPOSIT
    assert payment.method == "virtual_account"
    assert payment.bank_code == "20" and payment.bank_name == "우리은행"
    assert payment.account_number.startswith("X") and len(payment.account_number) == 14
    assert payment.account_holder == "김고객"
    assert payment.due_date is not None and payment.due_date.utcoffset() == KST_OFFSET
    assert timedelta(days=6) < payment.due_date - datetime.now(payment.due_date.tzinfo) <= timedelta(days=7)
    assert payment.secret.startswith("ps_")
    assert payment.secret == fake_toss.payments[payment_key]["secret"]
    assert payment.approved_at is None
    assert payment.total_amount == payment.balance_amount == 25000


@pytest.mark.parametrize(("method", "provider", "expected"), [
    (METHOD_EASY_PAY, "카카오페이", "kakao_pay"),
    (METHOD_EASY_PAY, "네이버페이", "naver_pay"),
    (METHOD_EASY_PAY, "토스페이", "easy_pay"),
    (METHOD_MOBILE, "", "mobile"),
    (METHOD_TRANSFER, "", "transfer"),
])
def test_confirm_maps_toss_method_names_to_our_codes(fake_toss, method, provider, expected):
    payment_key = fake_toss.create_payment(order_id="20260101-000003", amount=5000, method=method,
                                           easy_pay_provider=provider)

    payment = TossGateway().confirm(payment_key=payment_key, order_id="20260101-000003", amount=5000)

    assert payment.status is PGStatus.DONE
    assert payment.method == expected


def test_confirm_with_the_wrong_amount_is_refused_with_tosss_code(fake_toss):
    payment_key = fake_toss.create_payment(order_id="20260101-000004", amount=10000)

    with pytest.raises(GatewayError) as caught:
        TossGateway().confirm(payment_key=payment_key, order_id="20260101-000004", amount=100)

    assert caught.value.code == "INVALID_REQUEST"
    assert caught.value.status == 400
    assert caught.value.retryable is False
    assert caught.value.message  # Toss's own message, for the log
    assert fake_toss.payments[payment_key]["status"] == "IN_PROGRESS"


def test_confirm_of_an_unknown_payment_key_is_not_found(fake_toss):
    with pytest.raises(GatewayError) as caught:
        TossGateway().confirm(payment_key="tnope", order_id="20260101-000005", amount=1000)

    assert (caught.value.code, caught.value.status, caught.value.retryable) == ("NOT_FOUND_PAYMENT", 404, False)


def test_a_wrong_secret_key_is_unauthorized(fake_toss):
    payment_key = fake_toss.create_payment(order_id="20260101-000006", amount=1000)

    with pytest.raises(GatewayError) as caught:
        TossGateway(secret_key="test_sk_someone_else").confirm(payment_key=payment_key, order_id="20260101-000006",
                                                                amount=1000)

    assert (caught.value.code, caught.value.status, caught.value.retryable) == ("UNAUTHORIZED_KEY", 401, False)
    assert fake_toss.payments[payment_key]["status"] == "IN_PROGRESS"


def test_confirming_again_returns_the_payment_confirmed_before(fake_toss):
    payment_key = _paid_card(fake_toss, amount=8000, order_id="20260101-000007")

    payment = TossGateway().confirm(payment_key=payment_key, order_id="20260101-000007", amount=8000)

    assert payment.status is PGStatus.DONE and payment.total_amount == 8000
    assert len(fake_toss.requests_to("/v1/payments/confirm")) == 2
    assert [r["method"] for r in fake_toss.requests_to(f"/v1/payments/{payment_key}")] == ["GET"]


def test_confirming_again_for_another_amount_is_still_an_error(fake_toss):
    payment_key = _paid_card(fake_toss, amount=8000, order_id="20260101-000008")

    with pytest.raises(GatewayError) as caught:
        TossGateway().confirm(payment_key=payment_key, order_id="20260101-000008", amount=9000)

    assert caught.value.code == "ALREADY_PROCESSED_PAYMENT"
    assert caught.value.retryable is False


def test_get_payment_by_key_and_by_order_id(fake_toss):
    payment_key = _paid_card(fake_toss, amount=3000, order_id="20260101-000009")

    by_key = TossGateway().get_payment(payment_key=payment_key)
    by_order = TossGateway().get_payment_by_order_id(order_id="20260101-000009")

    assert by_key.payment_key == by_order.payment_key == payment_key
    assert by_key.status is by_order.status is PGStatus.DONE


# --- cancel ------------------------------------------------------------------------------------


def test_partial_then_full_cancel(fake_toss):
    payment_key = _paid_card(fake_toss, amount=10000)
    gateway = TossGateway()

    partial = gateway.cancel(payment_key=payment_key, amount=3000, reason="Line 1 cancelled",
                             idempotency_key="cancel-1")

    assert partial.status is PGStatus.PARTIAL_CANCELED
    assert (partial.total_amount, partial.balance_amount) == (10000, 7000)
    assert [(c.amount, c.reason) for c in partial.cancels] == [(3000, "Line 1 cancelled")]
    assert partial.cancels[0].transaction_key and partial.cancels[0].canceled_at.utcoffset() == KST_OFFSET

    full = gateway.cancel(payment_key=payment_key, amount=7000, reason="Order cancelled", idempotency_key="cancel-2")

    assert full.status is PGStatus.CANCELED
    assert full.balance_amount == 0
    assert [c.amount for c in full.cancels] == [3000, 7000]
    assert full.cancels[0].transaction_key != full.cancels[1].transaction_key
    requests = fake_toss.requests_to("/cancel")
    assert [r["headers"]["idempotency-key"] for r in requests] == ["cancel-1", "cancel-2"]
    assert requests[0]["body"] == {"cancelReason": "Line 1 cancelled", "cancelAmount": 3000}


def test_cancelling_more_than_the_balance_is_refused(fake_toss):
    payment_key = _paid_card(fake_toss, amount=10000)

    with pytest.raises(GatewayError) as caught:
        TossGateway().cancel(payment_key=payment_key, amount=10001, reason="Too much", idempotency_key="cancel-x")

    assert caught.value.code == "NOT_CANCELABLE_AMOUNT"
    assert caught.value.status == 403
    assert caught.value.retryable is False
    assert fake_toss.payments[payment_key]["balanceAmount"] == 10000
    assert fake_toss.payments[payment_key]["cancels"] is None


def test_the_same_idempotency_key_cancels_once(fake_toss):
    payment_key = _paid_card(fake_toss, amount=10000)
    gateway = TossGateway()

    first = gateway.cancel(payment_key=payment_key, amount=4000, reason="Return", idempotency_key="claim-7-refund")
    again = gateway.cancel(payment_key=payment_key, amount=4000, reason="Return", idempotency_key="claim-7-refund")

    assert len(fake_toss.requests_to("/cancel")) == 2
    assert again.raw == first.raw
    assert again.balance_amount == 6000
    assert len(fake_toss.payments[payment_key]["cancels"]) == 1
    assert fake_toss.payments[payment_key]["balanceAmount"] == 6000


def test_a_deposited_virtual_account_is_refunded_to_the_shoppers_account(fake_toss):
    payment_key, _ = _virtual_account(fake_toss, amount=25000)
    fake_toss.deposit(payment_key)
    gateway = TossGateway()

    with pytest.raises(GatewayError) as caught:
        gateway.cancel(payment_key=payment_key, amount=25000, reason="Out of stock", idempotency_key="va-1")
    assert caught.value.code == "INVALID_REQUEST" and caught.value.retryable is False

    account = RefundAccount(bank_code="88", account_number="110123456789", holder_name="김고객")
    payment = gateway.cancel(payment_key=payment_key, amount=10000, reason="Out of stock", idempotency_key="va-2",
                             refund_account=account)

    assert payment.status is PGStatus.PARTIAL_CANCELED and payment.balance_amount == 15000
    assert fake_toss.requests_to("/cancel")[-1]["body"] == {
        "cancelReason": "Out of stock",
        "cancelAmount": 10000,
        "refundReceiveAccount": {"bank": "88", "accountNumber": "110123456789", "holderName": "김고객"},
    }


def test_a_virtual_account_not_yet_deposited_is_cancelled_in_full_without_an_account(fake_toss):
    payment_key, _ = _virtual_account(fake_toss, amount=25000)

    payment = TossGateway().cancel(payment_key=payment_key, amount=25000, reason="Changed my mind",
                                   idempotency_key="va-3")

    assert payment.status is PGStatus.CANCELED and payment.balance_amount == 0
    assert "refundReceiveAccount" not in fake_toss.requests_to("/cancel")[-1]["body"]


# --- failures the caller retries ---------------------------------------------------------------


def test_a_server_error_is_retryable(fake_toss):
    payment_key = fake_toss.create_payment(order_id="20260101-000010", amount=5000)
    fake_toss.fail_next(status=500)
    gateway = TossGateway()

    with pytest.raises(GatewayError) as caught:
        gateway.confirm(payment_key=payment_key, order_id="20260101-000010", amount=5000)

    assert caught.value.retryable is True
    assert caught.value.status == 500
    assert caught.value.code == "FAILED_INTERNAL_SYSTEM_PROCESSING"
    # The retry goes through.
    assert gateway.confirm(payment_key=payment_key, order_id="20260101-000010", amount=5000).status is PGStatus.DONE


def test_a_timeout_is_retryable(fake_toss):
    payment_key = fake_toss.create_payment(order_id="20260101-000011", amount=5000)
    fake_toss.delay_seconds = 1.0

    with pytest.raises(GatewayError) as caught:
        TossGateway(timeout=0.2).get_payment(payment_key=payment_key)

    assert caught.value.code == "TIMEOUT"
    assert caught.value.retryable is True


def test_an_unreachable_server_is_retryable(settings):
    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.TOSS_API_BASE = f"http://127.0.0.1:{port}"

    with pytest.raises(GatewayError) as caught:
        TossGateway(secret_key="test_sk", timeout=2).get_payment(payment_key="tany")

    assert caught.value.code == "NETWORK_ERROR"
    assert caught.value.retryable is True


# --- webhooks ----------------------------------------------------------------------------------


def test_payment_status_changed_is_parsed_as_a_hint_with_a_stable_id(fake_toss):
    payment_key = _paid_card(fake_toss, amount=10000, order_id="20260101-000012")
    body = fake_toss.payment_status_changed_body(payment_key)
    gateway = TossGateway()

    event = gateway.parse_webhook(body=body, headers={"Content-Type": "application/json"})

    assert event.event_type == "PAYMENT_STATUS_CHANGED"
    assert (event.payment_key, event.order_id, event.status) == (payment_key, "20260101-000012", "DONE")
    assert event.payload == json.loads(body)
    assert gateway.parse_webhook(body=body, headers={}).event_id == event.event_id  # a resend dedupes
    gateway.cancel(payment_key=payment_key, amount=10000, reason="Cancel", idempotency_key="wh-1")
    later = gateway.parse_webhook(body=fake_toss.payment_status_changed_body(payment_key), headers={})
    assert later.status == "CANCELED" and later.event_id != event.event_id


def test_deposit_callback_carries_the_secret_for_the_service_to_compare(fake_toss):
    payment_key, confirmed = _virtual_account(fake_toss, order_id="20260101-000013")
    fake_toss.deposit(payment_key)
    body = fake_toss.deposit_callback_body(payment_key)
    gateway = TossGateway()

    event = gateway.parse_webhook(body=body, headers={})

    assert event.event_type == "DEPOSIT_CALLBACK"
    assert (event.order_id, event.status) == ("20260101-000013", "DONE")
    assert event.payload["secret"] == confirmed.secret
    assert deposit_secret_matches(event=event, stored_secret=confirmed.secret)
    assert gateway.parse_webhook(body=body, headers={}).event_id == event.event_id

    forged = gateway.parse_webhook(body=fake_toss.deposit_callback_body(payment_key, secret="ps_guess"), headers={})
    assert not deposit_secret_matches(event=forged, stored_secret=confirmed.secret)
    assert not deposit_secret_matches(event=event, stored_secret="")


def test_deposit_callback_wrapped_in_data_is_accepted_too():
    body = json.dumps({"eventType": "DEPOSIT_CALLBACK", "createdAt": "2026-01-01T10:00:00.000000",
                       "data": {"secret": "ps_abc", "orderId": "20260101-000014", "status": "DONE",
                                "transactionKey": "T1"}}).encode()

    event = TossGateway(secret_key="test_sk", api_base="http://unused").parse_webhook(body=body, headers={})

    assert (event.event_type, event.order_id, event.status) == ("DEPOSIT_CALLBACK", "20260101-000014", "DONE")
    assert event.payload["secret"] == "ps_abc"
    assert event.event_id == "DEPOSIT_CALLBACK:20260101-000014:T1:DONE:2026-01-01T10:00:00.000000"


@pytest.mark.parametrize("body", [
    b"",
    b"not json",
    b"\xff\xfe\x00",
    b"[]",
    b'"DONE"',
    b"{}",
    b'{"eventType": "PAYMENT_STATUS_CHANGED"}',
    b'{"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": "2026-01-01T00:00:00", "data": {"status": "DONE"}}',
    b'{"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": "2026-01-01T00:00:00", "data": "DONE"}',
    b'{"eventType": "DEPOSIT_CALLBACK", "createdAt": "2026-01-01T00:00:00", "orderId": "1", "status": "DONE"}',
    b'{"createdAt": "2026-01-01T00:00:00", "secret": "", "orderId": "1", "status": "DONE"}',
])
def test_garbage_webhooks_are_refused(body):
    gateway = TossGateway(secret_key="test_sk", api_base="http://unused")

    with pytest.raises(GatewayError) as caught:
        gateway.parse_webhook(body=body, headers={})

    assert caught.value.code == "INVALID_WEBHOOK"


def test_an_event_type_we_do_not_handle_is_returned_for_the_view_to_ignore():
    body = b'{"eventType": "METHOD_UPDATED", "createdAt": "2026-01-01T00:00:00", "data": {"customerKey": "c1"}}'
    gateway = TossGateway(secret_key="test_sk", api_base="http://unused")

    event = gateway.parse_webhook(body=body, headers={})

    assert event.event_type == "METHOD_UPDATED" and event.payment_key == ""
    assert event.event_id == gateway.parse_webhook(body=body, headers={}).event_id


def test_event_ids_fit_the_event_table_even_for_long_payment_keys():
    body = json.dumps({"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": "2026-01-01T00:00:00.000000",
                       "data": {"paymentKey": "k" * 200, "orderId": "1", "status": "DONE"}}).encode()

    event = TossGateway(secret_key="test_sk", api_base="http://unused").parse_webhook(body=body, headers={})

    assert len(event.event_id) <= 200 and event.event_id.startswith("PAYMENT_STATUS_CHANGED:")


# --- the rest of the interface -----------------------------------------------------------------


def test_window_url_is_the_shops_own_sdk_page():
    payment = SimpleNamespace(order=SimpleNamespace(number="20260101-000015"))

    url = TossGateway(secret_key="test_sk", api_base="http://unused").window_url(
        payment=payment, success_url="/orders/pay/success/", fail_url="/orders/pay/fail/")

    assert url == "/orders/pay/toss/20260101-000015/"


def test_get_gateway_finds_toss_by_name(settings):
    settings.TOSS_SECRET_KEY = "test_sk_from_settings"
    settings.TOSS_API_BASE = "https://api.tosspayments.com/"

    gateway = get_gateway("toss")

    assert isinstance(gateway, TossGateway) and gateway.name == "toss"
    assert gateway.secret_key == "test_sk_from_settings"
    assert gateway.api_base == "https://api.tosspayments.com"
    assert gateway.timeout == 10
