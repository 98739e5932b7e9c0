import pytest

from orders.models import Order, OrderLine, Payment
from orders.payments.sandbox import SandboxPG
from orders.services import confirm_payment, place_order
from tests.accounts.factories import UserFactory
from tests.orders.factories import DELIVERY, make_product


@pytest.mark.django_db
def test_card_order_is_placed_and_paid():
    shopper = UserFactory()
    product, (sku,) = make_product(stock=5)
    order = place_order(user=shopper, items=[(sku.pk, 2)], delivery=DELIVERY, payment_method="card")
    assert order.total_amount == 2 * 15900 + 3000
    window = {"order_id": order.number, "order_name": "x", "amount": order.total_amount, "method": "card",
              "success_url": "", "fail_url": "", "customer_name": "", "webhook_url": ""}
    pg = SandboxPG.authorize(window=window, card_company="신한카드")
    confirm_payment(order_number=order.number, payment_key=pg.payment_key, amount=order.total_amount, user=shopper)
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID
    assert set(order.lines.values_list("status", flat=True)) == {OrderLine.Status.PAID}
    assert order.payment.status == Payment.Status.DONE
    sku.refresh_from_db()
    assert sku.stock_quantity == 3
