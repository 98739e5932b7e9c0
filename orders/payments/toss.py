"""Toss Payments (토스페이먼츠) API v1 behind the shop's PG interface.

The API in brief (https://docs.tosspayments.com/reference):

- Every call authenticates with HTTP Basic: ``base64("<secret key>:")`` (the secret key and an empty
  password) from ``settings.TOSS_SECRET_KEY``, against ``settings.TOSS_API_BASE``.
- ``POST /v1/payments/confirm`` ``{paymentKey, orderId, amount}`` confirms what the shopper authorised in
  Toss's window; ``GET /v1/payments/{paymentKey}`` (or ``/v1/payments/orders/{orderId}``) reads a payment;
  ``POST /v1/payments/{paymentKey}/cancel`` ``{cancelReason, cancelAmount, refundReceiveAccount}`` cancels
  all or part of it, idempotently under an ``Idempotency-Key`` header. Each answers the Payment object.
- A refusal is an HTTP 4xx/5xx with ``{"code": ..., "message": ...}``.

Retry rules: 5xx, timeouts and connection failures are ``retryable`` (the caller, a Celery task, tries
again later); 4xx are the PG's answer and are not, except the few codes Toss documents as temporary
(:data:`RETRYABLE_CODES`). A confirm that is retried after a lost answer meets
``ALREADY_PROCESSED_PAYMENT``: the gateway then reads the payment and returns it if it is the same order
and amount, so a retry never turns a paid order into a failed one.

Webhooks carry no signature for payments, so :meth:`TossGateway.parse_webhook` only parses and
validates their shape:

- ``PAYMENT_STATUS_CHANGED`` ``{eventType, createdAt, data: <Payment>}`` is a hint. The handler must
  re-fetch the payment with :meth:`TossGateway.get_payment` and act on what Toss answers, never on
  ``data``.
- ``DEPOSIT_CALLBACK`` (virtual account deposit or cancel) is ``{createdAt, secret, orderId, status,
  transactionKey}``. Its ``secret`` must equal the ``secret`` Toss returned when the payment was confirmed,
  which the shop keeps in ``Payment.deposit_secret``. The gateway cannot see the database, so it returns
  the secret in ``event.payload["secret"]`` and the service compares it with
  :func:`deposit_secret_matches` (constant time) before trusting the event; re-fetching the payment as
  well costs one call and is the safest route.
"""

import base64
import hashlib
import hmac
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

from django.conf import settings

from .base import GatewayError, PaymentGateway, PGCancel, PGPayment, PGStatus, RefundAccount, WebhookEvent

DEFAULT_TIMEOUT_SECONDS = 10.0

# 4xx codes that Toss documents as temporary ("일시적인 오류", "처리 중"): worth trying again later.
RETRYABLE_CODES = frozenset({"PROVIDER_ERROR", "IDEMPOTENT_REQUEST_PROCESSING", "FORBIDDEN_CONSECUTIVE_REQUEST"})

# Toss names payment methods in Korean (API version 2022-11-16); older versions used English codes.
METHODS = {
    "카드": "card",
    "CARD": "card",
    "가상계좌": "virtual_account",
    "VIRTUAL_ACCOUNT": "virtual_account",
    "휴대폰": "mobile",
    "MOBILE_PHONE": "mobile",
    "계좌이체": "transfer",
    "TRANSFER": "transfer",
}
EASY_PAY_METHODS = {"간편결제", "EASY_PAY"}
EASY_PAY_PROVIDERS = {
    "카카오페이": "kakao_pay",
    "KAKAOPAY": "kakao_pay",
    "네이버페이": "naver_pay",
    "NAVERPAY": "naver_pay",
}
# An easy-pay provider the shop does not offer (토스페이, 페이코, …): reported as such, not guessed.
OTHER_EASY_PAY = "easy_pay"

# Toss's two-digit codes for the banks that issue its virtual accounts (shown to the shopper).
BANK_NAMES = {
    "39": "경남은행",
    "34": "광주은행",
    "06": "KB국민은행",
    "03": "IBK기업은행",
    "11": "NH농협은행",
    "31": "iM뱅크(대구)",
    "32": "부산은행",
    "45": "새마을금고",
    "07": "Sh수협은행",
    "88": "신한은행",
    "20": "우리은행",
    "71": "우체국예금보험",
    "37": "전북은행",
    "89": "케이뱅크",
    "81": "하나은행",
}

WEBHOOK_PAYMENT_STATUS_CHANGED = "PAYMENT_STATUS_CHANGED"
WEBHOOK_DEPOSIT_CALLBACK = "DEPOSIT_CALLBACK"
EVENT_ID_MAX_LENGTH = 200  # PaymentEvent.event_id


class TossGateway(PaymentGateway):
    """Toss Payments through its REST API v1, with the standard library's HTTP client."""

    name = "toss"

    def __init__(self, *, secret_key: str | None = None, api_base: str | None = None,
                 timeout: float | None = None):
        self.secret_key = settings.TOSS_SECRET_KEY if secret_key is None else secret_key
        self.api_base = (api_base or settings.TOSS_API_BASE).rstrip("/")
        self.timeout = timeout if timeout is not None else getattr(settings, "TOSS_TIMEOUT_SECONDS",
                                                                   DEFAULT_TIMEOUT_SECONDS)

    # --- the payment window -----------------------------------------------------------------

    def window_url(self, *, payment, success_url: str, fail_url: str) -> str:
        """The shop's own page that will host Toss's JS SDK (future work, not built yet).

        Toss opens its payment window from the browser with the client key
        (``TossPayments(clientKey).requestPayment(...)``), then redirects to ``success_url`` with
        ``paymentKey``, ``orderId`` and ``amount``, which the shop confirms server-side. The shop
        serves no CDN and its CSP forbids inline scripts, so that page must load a self-hosted copy
        of the SDK from ``static/js/``; the page works out the success and fail URLs itself.
        """
        return f"/orders/pay/toss/{payment.order.number}/"

    # --- API calls ----------------------------------------------------------------------------

    def confirm(self, *, payment_key: str, order_id: str, amount: int) -> PGPayment:
        """Confirm (승인) a payment the shopper authorised. Card and easy pay come back DONE; a
        virtual account comes back WAITING_FOR_DEPOSIT with the account and the deposit ``secret``."""
        body = {"paymentKey": payment_key, "orderId": order_id, "amount": int(amount)}
        try:
            data = self._request("POST", "/v1/payments/confirm", body=body)
        except GatewayError as error:
            if error.code != "ALREADY_PROCESSED_PAYMENT":
                raise
            # Confirmed before (typically our own earlier attempt whose answer was lost): the
            # payment as Toss holds it now is the answer, provided it is this order and amount.
            payment = self.get_payment(payment_key=payment_key)
            if payment.order_id != order_id or payment.total_amount != int(amount):
                raise GatewayError(
                    "The payment was already processed for another order or amount.",
                    code="ALREADY_PROCESSED_PAYMENT", status=error.status,
                ) from error
            return payment
        return payment_from_toss(data)

    def get_payment(self, *, payment_key: str) -> PGPayment:
        return payment_from_toss(self._request("GET", f"/v1/payments/{_quote(payment_key)}"))

    def get_payment_by_order_id(self, *, order_id: str) -> PGPayment:
        """Read a payment by the shop's order number (a DEPOSIT_CALLBACK names only the order)."""
        return payment_from_toss(self._request("GET", f"/v1/payments/orders/{_quote(order_id)}"))

    def cancel(self, *, payment_key: str, amount: int, reason: str, idempotency_key: str,
               refund_account: RefundAccount | None = None) -> PGPayment:
        """Cancel ``amount`` won of a payment (partial when less than the balance).

        ``refund_account`` is for a virtual-account payment that was deposited: Toss refunds the
        shopper's bank account, so the caller passes it for those and only those. Toss keeps the
        answer to an ``Idempotency-Key`` and replays it, so a retried cancel cancels once.
        """
        body: dict = {"cancelReason": reason[:200], "cancelAmount": int(amount)}
        if refund_account is not None:
            body["refundReceiveAccount"] = {
                "bank": refund_account.bank_code,
                "accountNumber": refund_account.account_number,
                "holderName": refund_account.holder_name,
            }
        data = self._request("POST", f"/v1/payments/{_quote(payment_key)}/cancel", body=body,
                             headers={"Idempotency-Key": idempotency_key})
        return payment_from_toss(data)

    # --- webhooks -------------------------------------------------------------------------------

    def parse_webhook(self, *, body: bytes, headers: dict) -> WebhookEvent:
        """Parse a Toss webhook; malformed → GatewayError (the view answers 400, Toss retries).

        Nothing here proves the sender is Toss (see the module docstring for what the handler must
        check). Event types the shop does not handle come back as events too, so the view can store
        them as ignored and answer 200 instead of making Toss resend them for days.
        """
        try:
            document = json.loads(body)
        except (TypeError, ValueError, UnicodeDecodeError) as exc:
            raise GatewayError("The webhook body is not JSON.", code="INVALID_WEBHOOK") from exc
        if not isinstance(document, dict):
            raise GatewayError("The webhook body is not a JSON object.", code="INVALID_WEBHOOK")

        event_type = document.get("eventType")
        if event_type == WEBHOOK_PAYMENT_STATUS_CHANGED:
            return _payment_status_changed(document)
        if event_type == WEBHOOK_DEPOSIT_CALLBACK or (event_type is None and "secret" in document):
            return _deposit_callback(document)
        if not isinstance(event_type, str) or not event_type:
            raise GatewayError("The webhook has no eventType.", code="INVALID_WEBHOOK")
        digest = hashlib.sha256(body if isinstance(body, bytes) else str(body).encode()).hexdigest()
        data = document.get("data") if isinstance(document.get("data"), dict) else {}
        return WebhookEvent(
            event_id=_event_id(event_type, digest), event_type=event_type,
            payment_key=_text(data.get("paymentKey")), order_id=_text(data.get("orderId")),
            status=_text(data.get("status")), payload=document, verified=False,
        )

    # --- HTTP -----------------------------------------------------------------------------------

    def _authorization(self) -> str:
        token = base64.b64encode(f"{self.secret_key}:".encode()).decode()
        return f"Basic {token}"

    def _request(self, method: str, path: str, *, body: dict | None = None, headers: dict | None = None) -> dict:
        request = urllib.request.Request(f"{self.api_base}{path}", method=method)
        request.add_header("Authorization", self._authorization())
        request.add_header("Accept", "application/json")
        if body is not None:
            request.data = json.dumps(body).encode()
            request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise _error_from_response(exc) from exc
        except TimeoutError as exc:
            raise GatewayError("Toss did not answer in time.", code="TIMEOUT", retryable=True) from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise GatewayError("Toss did not answer in time.", code="TIMEOUT", retryable=True) from exc
            raise GatewayError(f"Toss could not be reached: {exc.reason}", code="NETWORK_ERROR",
                               retryable=True) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise GatewayError(f"Toss could not be reached: {exc}", code="NETWORK_ERROR", retryable=True) from exc
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise GatewayError("Toss answered something that is not JSON.", code="INVALID_RESPONSE",
                               retryable=True) from exc
        if not isinstance(data, dict):
            raise GatewayError("Toss answered something that is not a JSON object.", code="INVALID_RESPONSE",
                               retryable=True)
        return data


# --- mapping -------------------------------------------------------------------------------------


def payment_from_toss(data: dict) -> PGPayment:
    """A Toss Payment object → PGPayment (the raw JSON is kept in ``.raw``)."""
    try:
        status = PGStatus(data["status"])
        payment_key = _text(data["paymentKey"])
    except (KeyError, ValueError, TypeError) as exc:
        raise GatewayError("Toss answered a payment without a known status or key.", code="INVALID_RESPONSE",
                           retryable=True) from exc
    card = data.get("card") or {}
    account = data.get("virtualAccount") or {}
    receipt = data.get("receipt") or {}
    bank_code = _text(account.get("bankCode"))
    return PGPayment(
        payment_key=payment_key,
        order_id=_text(data.get("orderId")),
        status=status,
        method=method_from_toss(data),
        total_amount=_amount(data.get("totalAmount")),
        balance_amount=_amount(data.get("balanceAmount")),
        approved_at=_datetime(data.get("approvedAt")),
        card_company=_text(card.get("issuerCode") or card.get("company")),
        installment_months=_amount(card.get("installmentPlanMonths")),
        bank_code=bank_code,
        bank_name=BANK_NAMES.get(bank_code, "") or _text(account.get("bank")),
        account_number=_text(account.get("accountNumber")),
        account_holder=_text(account.get("customerName")),
        due_date=_datetime(account.get("dueDate")),
        secret=_text(data.get("secret")),
        receipt_url=_text(receipt.get("url") or card.get("receiptUrl")),
        cancels=[
            PGCancel(
                amount=_amount(cancel.get("cancelAmount")),
                reason=_text(cancel.get("cancelReason")),
                transaction_key=_text(cancel.get("transactionKey")),
                canceled_at=_datetime(cancel.get("canceledAt")),
            )
            for cancel in (data.get("cancels") or [])
            if isinstance(cancel, dict)
        ],
        raw=data,
    )


def method_from_toss(data: dict) -> str:
    """Toss's method name → the shop's PaymentMethod code; easy pay by its provider."""
    easy_pay = data.get("easyPay")
    provider = easy_pay.get("provider") if isinstance(easy_pay, dict) else easy_pay  # a string before 2022
    method = _text(data.get("method"))
    if provider and provider in EASY_PAY_PROVIDERS:
        return EASY_PAY_PROVIDERS[provider]
    if method in EASY_PAY_METHODS:
        return OTHER_EASY_PAY
    return METHODS.get(method, method)


def deposit_secret_matches(*, event: WebhookEvent, stored_secret: str) -> bool:
    """Whether a DEPOSIT_CALLBACK carries the secret Toss gave the shop at confirm (constant time)."""
    sent = _text(event.payload.get("secret"))
    if not sent or not stored_secret:
        return False
    return hmac.compare_digest(sent.encode(), stored_secret.encode())


def _payment_status_changed(document: dict) -> WebhookEvent:
    data = document.get("data")
    created_at = document.get("createdAt")
    if not isinstance(data, dict) or not _text(created_at):
        raise GatewayError("PAYMENT_STATUS_CHANGED without data or createdAt.", code="INVALID_WEBHOOK")
    payment_key = _text(data.get("paymentKey"))
    status = _text(data.get("status"))
    if not payment_key or not status:
        raise GatewayError("PAYMENT_STATUS_CHANGED without paymentKey or status.", code="INVALID_WEBHOOK")
    last_transaction = _text(data.get("lastTransactionKey"))
    return WebhookEvent(
        event_id=_event_id(WEBHOOK_PAYMENT_STATUS_CHANGED, payment_key, status, last_transaction, _text(created_at)),
        event_type=WEBHOOK_PAYMENT_STATUS_CHANGED,
        payment_key=payment_key,
        order_id=_text(data.get("orderId")),
        status=status,
        payload=document,
        verified=False,
    )


def _deposit_callback(document: dict) -> WebhookEvent:
    # Documented flat; some integrations report the fields wrapped in "data", so accept both.
    nested = document.get("data")
    fields = {**document, **nested} if isinstance(nested, dict) else document
    required = {name: _text(fields.get(name)) for name in ("createdAt", "secret", "orderId", "status")}
    missing = [name for name, value in required.items() if not value]
    if missing:
        raise GatewayError(f"DEPOSIT_CALLBACK without {', '.join(missing)}.", code="INVALID_WEBHOOK")
    transaction_key = _text(fields.get("transactionKey"))
    payload = dict(document)
    payload["secret"] = required["secret"]
    return WebhookEvent(
        event_id=_event_id(WEBHOOK_DEPOSIT_CALLBACK, required["orderId"], transaction_key, required["status"],
                           required["createdAt"]),
        event_type=WEBHOOK_DEPOSIT_CALLBACK,
        payment_key=_text(fields.get("paymentKey")),
        order_id=required["orderId"],
        status=required["status"],
        payload=payload,
    )


def _event_id(*parts: str) -> str:
    """A stable id from the event's own fields: the same delivery sent again gets the same id."""
    event_id = ":".join(parts)
    if len(event_id) <= EVENT_ID_MAX_LENGTH:
        return event_id
    return f"{parts[0]}:{hashlib.sha256(event_id.encode()).hexdigest()}"


def _error_from_response(exc: urllib.error.HTTPError) -> GatewayError:
    status = exc.code
    try:
        document = json.loads(exc.read() or b"{}")
    except (ValueError, OSError):
        document = {}
    if not isinstance(document, dict):
        document = {}
    code = _text(document.get("code"))
    message = _text(document.get("message")) or f"Toss answered HTTP {status}."
    retryable = status >= 500 or code in RETRYABLE_CODES
    return GatewayError(message, code=code, retryable=retryable, status=status)


def _quote(value: str) -> str:
    return urllib.parse.quote(str(value), safe="")


def _text(value) -> str:
    return "" if value is None else str(value)


def _amount(value) -> int:
    if value is None or isinstance(value, bool):
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _datetime(value) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None
