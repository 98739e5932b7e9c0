"""The built-in sandbox PG: behaves like a Korean PG (Toss-like API) without leaving the machine.

Two halves:
- ``SandboxGateway``: the shop's client, the same interface as the Toss adapter;
- the PG's "server side" (``SandboxPG``): its payment window (a page where the tester
  approves or declines), confirm / get / cancel, virtual accounts with a bank, number and
  deadline, a "deposit" action that sends the deposit callback, and callbacks retried with
  back-off until the shop answers 200. Its records are the ``SandboxPG*`` models.

Webhooks are signed: ``X-Sandbox-Signature: sha256=<hex HMAC of the body>`` with
``settings.SANDBOX_PG_WEBHOOK_SECRET``; a deposit callback also carries the payment's secret.
"""

import hashlib
import hmac
import json
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from .base import GatewayError, PaymentGateway, PGCancel, PGPayment, PGStatus, RefundAccount, WebhookEvent

BANKS = {
    "004": "KB국민은행",
    "088": "신한은행",
    "020": "우리은행",
    "081": "하나은행",
    "011": "NH농협은행",
    "090": "카카오뱅크",
    "092": "토스뱅크",
    "003": "IBK기업은행",
}
CARD_COMPANIES = ["신한카드", "삼성카드", "현대카드", "KB국민카드", "롯데카드", "하나카드", "우리카드", "BC카드", "NH농협카드"]
WINDOW_SALT = "orders.pg-sandbox.window"
SIGNATURE_HEADER = "X-Sandbox-Signature"


def webhook_secret() -> bytes:
    return (settings.SANDBOX_PG_WEBHOOK_SECRET or settings.SECRET_KEY).encode()


def sign_body(body: bytes) -> str:
    return "sha256=" + hmac.new(webhook_secret(), body, hashlib.sha256).hexdigest()


def _to_pg(row) -> PGPayment:
    return PGPayment(
        payment_key=row.payment_key,
        order_id=row.order_id,
        status=PGStatus(row.status),
        method=row.method,
        total_amount=row.amount,
        balance_amount=row.balance_amount,
        approved_at=row.approved_at,
        card_company=row.card_company,
        installment_months=row.installment_months,
        bank_code=row.bank_code,
        bank_name=BANKS.get(row.bank_code, ""),
        account_number=row.account_number,
        account_holder=row.account_holder,
        due_date=row.due_date,
        secret=row.secret,
        receipt_url=reverse("pg_sandbox:receipt", args=[row.payment_key]),
        cancels=[PGCancel(amount=c.amount, reason=c.reason, transaction_key=c.transaction_key,
                          canceled_at=c.created_at) for c in row.cancels.all()],
    )


class SandboxPG:
    """The sandbox PG's server side. Every method is what a PG does on its own servers."""

    @staticmethod
    def window_token(*, order_id: str, order_name: str, amount: int, method: str, success_url: str,
                     fail_url: str, customer_name: str, webhook_url: str, installment_months: int = 0) -> str:
        return signing.dumps(
            {"order_id": order_id, "order_name": order_name, "amount": amount, "method": method,
             "success_url": success_url, "fail_url": fail_url, "customer_name": customer_name,
             "webhook_url": webhook_url, "installment_months": installment_months},
            salt=WINDOW_SALT,
        )

    @staticmethod
    def read_window_token(token: str) -> dict:
        return signing.loads(token, salt=WINDOW_SALT, max_age=60 * 60)

    @staticmethod
    @transaction.atomic
    def authorize(*, window: dict, card_company: str = "", installment_months: int = 0,
                  bank_code: str = "") -> "SandboxPGPayment":  # noqa: F821
        """The tester approved in the window: the PG holds an authorised payment to confirm."""
        from orders.models import SandboxPGPayment

        return SandboxPGPayment.objects.create(
            payment_key=f"sbx_{secrets.token_hex(16)}",
            order_id=window["order_id"],
            order_name=window["order_name"],
            method=window["method"],
            amount=window["amount"],
            balance_amount=window["amount"],
            status=PGStatus.IN_PROGRESS,
            card_company=card_company,
            installment_months=installment_months,
            bank_code=bank_code,
            account_holder=window.get("customer_name", ""),
            webhook_url=window.get("webhook_url", ""),
        )

    @staticmethod
    @transaction.atomic
    def confirm(*, payment_key: str, order_id: str, amount: int) -> PGPayment:
        from orders.models import SandboxPGPayment

        row = SandboxPGPayment.objects.select_for_update().filter(payment_key=payment_key).first()
        if row is None:
            raise GatewayError("존재하지 않는 결제 정보 입니다.", code="NOT_FOUND_PAYMENT", status=404)
        if row.order_id != order_id or row.amount != amount:
            raise GatewayError("결제 금액이 일치하지 않습니다.", code="INVALID_REQUEST", status=400)
        if row.status != PGStatus.IN_PROGRESS:
            raise GatewayError("이미 처리된 결제 입니다.", code="ALREADY_PROCESSED_PAYMENT", status=400)
        now = timezone.now()
        if row.method == "virtual_account":
            row.status = PGStatus.WAITING_FOR_DEPOSIT
            row.account_number = f"{secrets.randbelow(10**4):04d}-{secrets.randbelow(10**6):06d}-{secrets.randbelow(100):02d}"
            row.due_date = now + timedelta(hours=settings.VIRTUAL_ACCOUNT_DUE_HOURS)
            row.secret = secrets.token_urlsafe(24)
        else:
            row.status = PGStatus.DONE
            row.approved_at = now
        row.save()
        return _to_pg(row)

    @staticmethod
    def get(*, payment_key: str) -> PGPayment:
        from orders.models import SandboxPGPayment

        row = SandboxPGPayment.objects.prefetch_related("cancels").filter(payment_key=payment_key).first()
        if row is None:
            raise GatewayError("존재하지 않는 결제 정보 입니다.", code="NOT_FOUND_PAYMENT", status=404)
        return _to_pg(row)

    @staticmethod
    def cancel(*, payment_key: str, amount: int, reason: str, idempotency_key: str,
               refund_account: RefundAccount | None) -> PGPayment:
        from orders.models import SandboxPGCancel, SandboxPGPayment

        try:
            with transaction.atomic():
                row = SandboxPGPayment.objects.select_for_update().filter(payment_key=payment_key).first()
                if row is None:
                    raise GatewayError("존재하지 않는 결제 정보 입니다.", code="NOT_FOUND_PAYMENT", status=404)
                if SandboxPGCancel.objects.filter(idempotency_key=idempotency_key).exists():
                    return SandboxPG.get(payment_key=payment_key)  # the same request again: same answer
                if row.status not in (PGStatus.DONE, PGStatus.PARTIAL_CANCELED, PGStatus.WAITING_FOR_DEPOSIT):
                    raise GatewayError("취소할 수 없는 결제 입니다.", code="NOT_CANCELABLE_PAYMENT", status=400)
                if amount <= 0 or amount > row.balance_amount:
                    raise GatewayError("취소 금액이 취소 가능 금액을 초과했습니다.", code="NOT_CANCELABLE_AMOUNT",
                                       status=400)
                if row.status == PGStatus.WAITING_FOR_DEPOSIT and amount != row.balance_amount:
                    raise GatewayError("입금 전 가상계좌는 전액만 취소할 수 있습니다.", code="INVALID_REQUEST",
                                       status=400)
                deposited_virtual_account = row.method == "virtual_account" and row.status != PGStatus.WAITING_FOR_DEPOSIT
                if deposited_virtual_account and refund_account is None:
                    raise GatewayError("가상계좌 환불에는 환불 계좌가 필요합니다.", code="INVALID_REFUND_ACCOUNT_INFO",
                                       status=400)
                SandboxPGCancel.objects.create(
                    payment=row, amount=amount, reason=reason, idempotency_key=idempotency_key,
                    transaction_key=f"sbxtx_{secrets.token_hex(12)}",
                    refund_bank_code=refund_account.bank_code if refund_account else "",
                    refund_account_number=refund_account.account_number if refund_account else "",
                    refund_holder=refund_account.holder_name if refund_account else "",
                )
                row.balance_amount -= amount
                row.status = PGStatus.CANCELED if row.balance_amount == 0 else PGStatus.PARTIAL_CANCELED
                row.save()
        except IntegrityError:  # two identical requests at once: the other one won
            pass
        return SandboxPG.get(payment_key=payment_key)

    @staticmethod
    @transaction.atomic
    def deposit(*, payment_key: str) -> PGPayment:
        """The shopper paid into the virtual account: DONE, and the deposit callback is queued."""
        from orders.models import SandboxPGPayment

        row = SandboxPGPayment.objects.select_for_update().get(payment_key=payment_key)
        if row.status != PGStatus.WAITING_FOR_DEPOSIT:
            raise GatewayError("입금 대기 중인 가상계좌가 아닙니다.", code="INVALID_REQUEST", status=400)
        row.status = PGStatus.DONE
        row.approved_at = timezone.now()
        row.save()
        SandboxPG.queue_callback(row, event_type="DEPOSIT_CALLBACK", body={
            "createdAt": row.approved_at.isoformat(), "secret": row.secret, "orderId": row.order_id,
            "status": "DONE", "transactionKey": f"sbxdep_{secrets.token_hex(8)}",
        })
        return _to_pg(row)

    @staticmethod
    @transaction.atomic
    def expire(*, payment_key: str) -> PGPayment:
        from orders.models import SandboxPGPayment

        row = SandboxPGPayment.objects.select_for_update().get(payment_key=payment_key)
        if row.status == PGStatus.WAITING_FOR_DEPOSIT:
            row.status = PGStatus.EXPIRED
            row.save()
            SandboxPG.queue_callback(row, event_type="PAYMENT_STATUS_CHANGED", body={
                "eventType": "PAYMENT_STATUS_CHANGED", "createdAt": timezone.now().isoformat(),
                "data": {"paymentKey": row.payment_key, "orderId": row.order_id, "status": row.status},
            })
        return _to_pg(row)

    @staticmethod
    def queue_callback(row, *, event_type: str, body: dict) -> None:
        from orders.models import SandboxPGCallback

        if not row.webhook_url:
            return
        callback = SandboxPGCallback.objects.create(url=row.webhook_url, body={"eventType": event_type, **body},
                                                    event_type=event_type, next_attempt_at=timezone.now())
        transaction.on_commit(lambda: _send_callback_task(callback.pk))


def shop_webhook_path(gateway_name: str = "sandbox") -> str:
    """The shop's webhook as a path: resolved against SITE_URL when sent, so it follows the port."""
    return reverse("shop:payment_webhook", args=[gateway_name])


def absolute_callback_url(url: str) -> str:
    if url.startswith("/"):
        return settings.SITE_URL.rstrip("/") + url
    return url


def _send_callback_task(callback_id: int) -> None:
    from orders.tasks import deliver_sandbox_callback

    try:
        deliver_sandbox_callback.delay(callback_id)
    except Exception:  # broker down: the beat sweep delivers it later
        pass


def deliver_callback(callback_id: int, *, timeout: float = 5.0) -> bool:
    """POST one callback to the shop; True when the shop answered 200."""
    import urllib.error
    import urllib.request

    from orders.models import SandboxPGCallback

    callback = SandboxPGCallback.objects.get(pk=callback_id)
    if callback.delivered:
        return True
    body = json.dumps(callback.body, ensure_ascii=False).encode()
    request = urllib.request.Request(absolute_callback_url(callback.url), data=body, method="POST", headers={
        "Content-Type": "application/json", SIGNATURE_HEADER: sign_body(body)})
    status = None
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except Exception:
        status = None
    callback.attempts += 1
    callback.last_status = status
    callback.delivered = status == 200
    callback.next_attempt_at = timezone.now() + timedelta(seconds=min(3600, 2 ** callback.attempts))
    callback.save(update_fields=["attempts", "last_status", "delivered", "next_attempt_at"])
    return callback.delivered


class SandboxGateway(PaymentGateway):
    name = "sandbox"

    def window_url(self, *, payment, success_url: str, fail_url: str) -> str:
        order = payment.order
        first = order.lines.all()[0]
        count = len(order.lines.all())
        order_name = first.product_name if count == 1 else f"{first.product_name} 외 {count - 1}건"
        token = SandboxPG.window_token(
            order_id=order.number, order_name=order_name, amount=payment.amount, method=payment.method,
            success_url=success_url, fail_url=fail_url, customer_name=order.orderer_name,
            installment_months=payment.card_installment_months,
            webhook_url=settings.SITE_URL.rstrip("/") + reverse("shop:payment_webhook", args=[self.name]),
        )
        return reverse("pg_sandbox:window") + f"?token={token}"

    def confirm(self, *, payment_key: str, order_id: str, amount: int) -> PGPayment:
        return SandboxPG.confirm(payment_key=payment_key, order_id=order_id, amount=amount)

    def get_payment(self, *, payment_key: str) -> PGPayment:
        return SandboxPG.get(payment_key=payment_key)

    def cancel(self, *, payment_key: str, amount: int, reason: str, idempotency_key: str,
               refund_account: RefundAccount | None = None) -> PGPayment:
        return SandboxPG.cancel(payment_key=payment_key, amount=amount, reason=reason,
                                idempotency_key=idempotency_key, refund_account=refund_account)

    def parse_webhook(self, *, body: bytes, headers: dict) -> WebhookEvent:
        signature = headers.get(SIGNATURE_HEADER) or headers.get(SIGNATURE_HEADER.upper().replace("-", "_")) or ""
        # Bytes on both sides: compare_digest raises TypeError for a str with non-ASCII characters.
        if not hmac.compare_digest(str(signature).encode("utf-8", "replace"), sign_body(body).encode()):
            raise GatewayError("bad signature", code="INVALID_SIGNATURE", status=401)
        try:
            payload = json.loads(body)
            event_type = payload["eventType"]
        except (ValueError, KeyError, TypeError) as exc:
            raise GatewayError("malformed webhook", code="INVALID_REQUEST", status=400) from exc
        if event_type == "DEPOSIT_CALLBACK":
            return WebhookEvent(
                event_id=f"DEPOSIT_CALLBACK:{payload.get('orderId')}:{payload.get('transactionKey')}",
                event_type=event_type, order_id=str(payload.get("orderId", "")), status=str(payload.get("status", "")),
                payload=payload,
            )
        data = payload.get("data") or {}
        if not data.get("paymentKey"):
            raise GatewayError("malformed webhook", code="INVALID_REQUEST", status=400)
        return WebhookEvent(
            event_id=f"{event_type}:{data['paymentKey']}:{data.get('status')}:{payload.get('createdAt')}",
            event_type=event_type, payment_key=data["paymentKey"], order_id=str(data.get("orderId", "")),
            status=str(data.get("status", "")), payload=payload,
        )
