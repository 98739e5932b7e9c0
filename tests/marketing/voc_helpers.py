"""Orders taken through the real services to purchase confirmation, for the VOC tests."""

from orders.models import OrderLine
from orders.services import place_order
from orders.services.fulfilment import (
    acknowledge_line,
    confirm_purchase,
    mark_delivered,
    mark_shipped,
    set_waybill,
)
from tests.accounts.factories import OperatorFactory
from tests.orders.factories import DELIVERY
from tests.orders.helpers import pay

_waybill = iter(range(500000000000, 599999999999, 7))


def deliver_line(order, line, *, operator=None) -> OrderLine:
    operator = operator or OperatorFactory(groups=["fulfilment"])
    acknowledge_line(line_id=line.pk, actor=operator)
    set_waybill(line_id=line.pk, courier_code="cj", waybill_number=str(next(_waybill)), actor=operator)
    mark_shipped(line_id=line.pk, actor=operator)
    mark_delivered(line_id=line.pk, actor=operator)
    line.refresh_from_db()
    return line


def confirmed_line(shopper, sku, *, quantity: int = 1) -> OrderLine:
    """Place, pay, acknowledge, ship, deliver and confirm one line; the shopper confirms."""
    order = place_order(user=shopper, items=[(sku.pk, quantity)], delivery=DELIVERY, payment_method="card")
    pay(order)
    line = order.lines.get()
    deliver_line(order, line)
    confirm_purchase(line_id=line.pk, shopper=shopper)
    line.refresh_from_db()
    return line
