"""A local fake of the Toss Payments API v1, for tests: a real HTTP server on 127.0.0.1.

It keeps payments in memory and answers as Toss documents: Basic auth with the secret key
(401 UNAUTHORIZED_KEY otherwise), confirm, read by paymentKey or orderId, cancel (full or
partial, idempotent per ``Idempotency-Key``), the virtual-account flow (confirm → WAITING_FOR_DEPOSIT
with an account and a ``secret``; :meth:`FakeToss.deposit` plays the shopper's bank transfer) and
webhook bodies. :meth:`FakeToss.fail_next` and :attr:`FakeToss.delay_seconds` make it fail with a
5xx or answer late.

Use the ``fake_toss`` fixture (import it into a test module or a conftest), or
``with running_fake_toss() as toss: ...``. Point the gateway at ``toss.url`` with ``toss.secret_key``.

The shopper's part, the payment window, happens in the browser and is not faked: a test creates the
payment as the window would have left it with :meth:`FakeToss.create_payment` (IN_PROGRESS, waiting
for the shop's confirm).
"""

import base64
import contextlib
import itertools
import json
import secrets
import threading
import time
import urllib.parse
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

KST = timezone(timedelta(hours=9))
TEST_SECRET_KEY = "test_sk_fake0000000000000000000"
VIRTUAL_ACCOUNT_DAYS = 7  # Toss's default deposit deadline

METHOD_CARD = "카드"
METHOD_VIRTUAL_ACCOUNT = "가상계좌"
METHOD_EASY_PAY = "간편결제"
METHOD_MOBILE = "휴대폰"
METHOD_TRANSFER = "계좌이체"


def _now() -> str:
    return datetime.now(KST).isoformat(timespec="seconds")


def _error(status: int, code: str, message: str) -> tuple[int, dict]:
    return status, {"code": code, "message": message}


class FakeToss:
    """The fake's state and rules. Thread-safe: the server answers each request in its own thread."""

    def __init__(self, *, secret_key: str = TEST_SECRET_KEY):
        self.secret_key = secret_key
        self.url = ""
        self.payments: dict[str, dict] = {}
        self.requests: list[dict] = []  # every request received: method, path, headers, body
        self.delay_seconds = 0.0
        self._failures: list[int] = []
        self._idempotent: dict[tuple[str, str], tuple[int, dict]] = {}
        self._lock = threading.Lock()
        self._sequence = itertools.count(1)

    # --- what a test arranges ---------------------------------------------------------------

    def create_payment(self, *, order_id: str, amount: int, method: str = METHOD_CARD, order_name: str = "주문",
                       easy_pay_provider: str = "", customer_name: str = "김토스", bank_code: str = "20",
                       installment_months: int = 0) -> str:
        """A payment the shopper has just authorised in Toss's window; returns its paymentKey."""
        number = next(self._sequence)
        payment_key = f"tfake{number:04d}{secrets.token_hex(8)}"
        self.payments[payment_key] = {
            "mId": "tosspayments",
            "version": "2022-11-16",
            "lastTransactionKey": None,
            "paymentKey": payment_key,
            "orderId": order_id,
            "orderName": order_name,
            "currency": "KRW",
            "method": method,
            "status": "IN_PROGRESS",
            "requestedAt": _now(),
            "approvedAt": None,
            "useEscrow": False,
            "cultureExpense": False,
            "card": None,
            "virtualAccount": None,
            "transfer": None,
            "mobilePhone": None,
            "giftCertificate": None,
            "cashReceipt": None,
            "discount": None,
            "cancels": None,
            "secret": None,
            "type": "NORMAL",
            "easyPay": None,
            "country": "KR",
            "failure": None,
            "isPartialCancelable": True,
            "receipt": None,
            "checkout": {"url": f"{self.url}/v1/payments/{payment_key}/checkout"},
            "totalAmount": amount,
            "balanceAmount": amount,
            "suppliedAmount": amount - amount // 11,
            "vat": amount // 11,
            "taxFreeAmount": 0,
            "taxExemptionAmount": 0,
            # Not part of Toss's object: what the window collected, applied at confirm.
            "_window": {"easy_pay_provider": easy_pay_provider, "customer_name": customer_name,
                        "bank_code": bank_code, "installment_months": installment_months},
        }
        return payment_key

    def deposit(self, payment_key: str) -> dict:
        """The shopper pays into the virtual account: WAITING_FOR_DEPOSIT → DONE."""
        with self._lock:
            payment = self.payments[payment_key]
            assert payment["status"] == "WAITING_FOR_DEPOSIT", payment["status"]
            payment["status"] = "DONE"
            payment["approvedAt"] = _now()
            payment["lastTransactionKey"] = self._transaction_key()
            return self._public(payment)

    def fail_next(self, count: int = 1, *, status: int = 500) -> None:
        """The next ``count`` requests (after auth) fail with ``status`` and Toss's internal-error body."""
        with self._lock:
            self._failures.extend([status] * count)

    def payment_status_changed_body(self, payment_key: str) -> bytes:
        payment = self._public(self.payments[payment_key])
        return json.dumps({"eventType": "PAYMENT_STATUS_CHANGED",
                           "createdAt": datetime.now(KST).replace(tzinfo=None).isoformat(timespec="microseconds"),
                           "data": payment}, ensure_ascii=False).encode()

    def deposit_callback_body(self, payment_key: str, *, secret: str | None = None) -> bytes:
        payment = self.payments[payment_key]
        return json.dumps({
            "createdAt": datetime.now(KST).replace(tzinfo=None).isoformat(timespec="microseconds"),
            "secret": payment["secret"] if secret is None else secret,
            "orderId": payment["orderId"],
            "status": payment["status"],
            "transactionKey": payment["lastTransactionKey"] or self._transaction_key(),
        }).encode()

    def requests_to(self, path_suffix: str) -> list[dict]:
        return [request for request in self.requests if request["path"].endswith(path_suffix)]

    # --- the API ----------------------------------------------------------------------------

    def handle(self, method: str, path: str, headers: dict, raw_body: bytes) -> tuple[int, dict]:
        try:
            body = json.loads(raw_body) if raw_body else {}
        except ValueError:
            body = None
        with self._lock:
            self.requests.append({"method": method, "path": path, "headers": headers, "body": body})
        if not self._authorised(headers.get("authorization", "")):
            return _error(401, "UNAUTHORIZED_KEY", "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.")
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure:
            return _error(failure, "FAILED_INTERNAL_SYSTEM_PROCESSING",
                          "내부 시스템 처리 작업이 실패했습니다. 잠시 후 다시 시도해주세요.")
        if body is None or not isinstance(body, dict):
            return _error(400, "INVALID_REQUEST", "잘못된 요청입니다.")

        parts = [urllib.parse.unquote(part) for part in path.strip("/").split("/")]
        with self._lock:
            if method == "POST" and parts == ["v1", "payments", "confirm"]:
                return self._confirm(body)
            if method == "GET" and len(parts) == 4 and parts[:3] == ["v1", "payments", "orders"]:
                return self._get_by_order(parts[3])
            if method == "GET" and len(parts) == 3 and parts[:2] == ["v1", "payments"]:
                return self._get(parts[2])
            if method == "POST" and len(parts) == 4 and parts[:2] == ["v1", "payments"] and parts[3] == "cancel":
                key = headers.get("idempotency-key", "")
                if key and (self.secret_key, key) in self._idempotent:
                    return self._idempotent[(self.secret_key, key)]
                answer = self._cancel(parts[2], body)
                if key:
                    self._idempotent[(self.secret_key, key)] = answer
                return answer
        return _error(404, "NOT_FOUND", "존재하지 않는 정보 입니다.")

    def _authorised(self, header: str) -> bool:
        scheme, _, token = header.partition(" ")
        if scheme != "Basic":
            return False
        try:
            decoded = base64.b64decode(token, validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return False
        return decoded == f"{self.secret_key}:"

    def _confirm(self, body: dict) -> tuple[int, dict]:
        payment_key, order_id, amount = body.get("paymentKey"), body.get("orderId"), body.get("amount")
        if not payment_key or not order_id or not isinstance(amount, int):
            return _error(400, "INVALID_REQUEST", "잘못된 요청입니다.")
        payment = self.payments.get(payment_key)
        if payment is None:
            return _error(404, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.")
        if payment["status"] not in ("READY", "IN_PROGRESS"):
            return _error(400, "ALREADY_PROCESSED_PAYMENT", "이미 처리된 결제 입니다.")
        if payment["orderId"] != order_id or payment["totalAmount"] != amount:
            return _error(400, "INVALID_REQUEST", "결제 금액 또는 주문번호가 결제 요청과 일치하지 않습니다.")

        window = payment["_window"]
        payment["lastTransactionKey"] = self._transaction_key()
        payment["receipt"] = {"url": f"{self.url}/receipt/{payment_key}"}
        if payment["method"] == METHOD_VIRTUAL_ACCOUNT:
            payment["status"] = "WAITING_FOR_DEPOSIT"
            payment["secret"] = f"ps_{secrets.token_urlsafe(18)}"
            due = datetime.now(KST).replace(microsecond=0) + timedelta(days=VIRTUAL_ACCOUNT_DAYS)
            payment["virtualAccount"] = {
                "accountType": "일반",
                "accountNumber": f"X{secrets.randbelow(10**13):013d}",  # test accounts start with X
                "bankCode": window["bank_code"],
                "customerName": window["customer_name"],
                "dueDate": due.isoformat(),
                "refundStatus": "NONE",
                "expired": False,
                "settlementStatus": "INCOMPLETED",
                "refundReceiveAccount": None,
                "depositorName": None,
            }
            return 200, self._public(payment)

        payment["status"] = "DONE"
        payment["approvedAt"] = _now()
        if payment["method"] in (METHOD_CARD, METHOD_EASY_PAY):
            payment["card"] = {
                "issuerCode": "61", "acquirerCode": "31", "number": "43301234****123*",
                "installmentPlanMonths": window["installment_months"], "isInterestFree": False,
                "interestPayer": None, "approveNo": f"{secrets.randbelow(10**8):08d}", "useCardPoint": False,
                "cardType": "신용", "ownerType": "개인", "acquireStatus": "READY", "amount": payment["totalAmount"],
            }
        if payment["method"] == METHOD_EASY_PAY:
            payment["easyPay"] = {"provider": window["easy_pay_provider"], "amount": 0, "discountAmount": 0}
        return 200, self._public(payment)

    def _get(self, payment_key: str) -> tuple[int, dict]:
        payment = self.payments.get(payment_key)
        if payment is None:
            return _error(404, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.")
        return 200, self._public(payment)

    def _get_by_order(self, order_id: str) -> tuple[int, dict]:
        for payment in self.payments.values():
            if payment["orderId"] == order_id:
                return 200, self._public(payment)
        return _error(404, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.")

    def _cancel(self, payment_key: str, body: dict) -> tuple[int, dict]:
        payment = self.payments.get(payment_key)
        if payment is None:
            return _error(404, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.")
        reason = body.get("cancelReason")
        if not isinstance(reason, str) or not reason or len(reason) > 200:
            return _error(400, "INVALID_REQUEST", "잘못된 요청입니다.")
        if payment["status"] == "CANCELED":
            return _error(400, "ALREADY_CANCELED_PAYMENT", "이미 취소된 결제 입니다.")
        if payment["status"] not in ("DONE", "PARTIAL_CANCELED", "WAITING_FOR_DEPOSIT"):
            return _error(403, "NOT_CANCELABLE_PAYMENT", "취소 할 수 없는 결제 입니다.")
        balance = payment["balanceAmount"]
        amount = body.get("cancelAmount", balance)
        if amount is None:
            amount = balance
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            return _error(400, "INVALID_REQUEST", "잘못된 요청입니다.")
        if amount > balance:
            return _error(403, "NOT_CANCELABLE_AMOUNT", "취소 할 수 없는 금액 입니다.")

        refund_account = body.get("refundReceiveAccount")
        if payment["method"] == METHOD_VIRTUAL_ACCOUNT:
            if payment["status"] == "WAITING_FOR_DEPOSIT":
                # Nothing was paid yet: cancelling closes the account; there is nothing to refund.
                if amount != balance:
                    return _error(403, "NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT",
                                  "입금 대기중인 결제는 부분 환불이 불가합니다.")
            else:
                if not isinstance(refund_account, dict) or not all(
                    refund_account.get(name) for name in ("bank", "accountNumber", "holderName")
                ):
                    return _error(400, "INVALID_REQUEST", "가상계좌 결제 취소에는 환불받을 계좌(refundReceiveAccount)가 필요합니다.")
                payment["virtualAccount"]["refundReceiveAccount"] = {
                    "bankCode": refund_account["bank"],
                    "accountNumber": refund_account["accountNumber"],
                    "holderName": refund_account["holderName"],
                }
                payment["virtualAccount"]["refundStatus"] = "COMPLETED"

        transaction_key = self._transaction_key()
        payment["balanceAmount"] = balance - amount
        payment["cancels"] = (payment["cancels"] or []) + [{
            "transactionKey": transaction_key,
            "cancelReason": reason,
            "taxExemptionAmount": 0,
            "canceledAt": _now(),
            "easyPayDiscountAmount": 0,
            "receiptKey": None,
            "cancelStatus": "DONE",
            "cancelRequestId": None,
            "cancelAmount": amount,
            "taxFreeAmount": 0,
            "refundableAmount": balance - amount,
        }]
        payment["lastTransactionKey"] = transaction_key
        payment["status"] = "CANCELED" if payment["balanceAmount"] == 0 else "PARTIAL_CANCELED"
        return 200, self._public(payment)

    def _transaction_key(self) -> str:
        return secrets.token_hex(16).upper()

    @staticmethod
    def _public(payment: dict) -> dict:
        return json.loads(json.dumps({key: value for key, value in payment.items() if not key.startswith("_")}))


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeToss/1.0"
    fake: FakeToss  # set on the subclass made per server

    def do_GET(self):
        self._answer("GET")

    def do_POST(self):
        self._answer("POST")

    def _answer(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, document = self.fake.handle(method, self.path, headers, raw_body)
        if self.fake.delay_seconds:
            time.sleep(self.fake.delay_seconds)
        payload = json.dumps(document, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@contextlib.contextmanager
def running_fake_toss(*, secret_key: str = TEST_SECRET_KEY):
    """Serve a FakeToss on 127.0.0.1 (a free port) in a thread for the duration of the block."""
    fake = FakeToss(secret_key=secret_key)
    handler = type("FakeTossHandler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-toss",
                              daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def fake_toss(settings, monkeypatch):
    """A running fake Toss with the gateway's settings pointed at it."""
    # An HTTP proxy in the environment must not swallow requests to the local server.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    with running_fake_toss() as fake:
        settings.TOSS_API_BASE = fake.url
        settings.TOSS_SECRET_KEY = fake.secret_key
        yield fake
