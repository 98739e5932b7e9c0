import json

from orders.payments.sandbox import SandboxPG, sign_body
from orders.services import confirm_payment


def pg_window(order, method=None):
    return {"order_id": order.number, "order_name": "주문", "amount": order.total_amount,
            "method": method or order.payment_method, "success_url": "/ok", "fail_url": "/fail",
            "customer_name": order.orderer_name, "webhook_url": "http://testserver/payments/webhook/sandbox/"}


def pay(order, **authorize):
    """Approve in the sandbox window and confirm, as the browser round trip would."""
    pg = SandboxPG.authorize(window=pg_window(order), **authorize)
    confirm_payment(order_number=order.number, payment_key=pg.payment_key, amount=order.total_amount,
                    user=order.user)
    order.refresh_from_db()
    return pg


def post_webhook(client, payload: dict, *, sign=True, gateway="sandbox"):
    body = json.dumps(payload).encode()
    headers = {"HTTP_X_SANDBOX_SIGNATURE": sign_body(body) if sign else "sha256=forged"}
    return client.post(f"/payments/webhook/{gateway}/", data=body, content_type="application/json", **headers)
