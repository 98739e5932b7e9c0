"""Order histories for settlement tests, built through the real services."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone

from orders.models import OrderLine
from orders.services import place_order
from orders.services.fulfilment import confirm_purchase
from tests.accounts.factories import UserFactory
from tests.orders.factories import DELIVERY
from tests.orders.helpers import pay

SEOUL = ZoneInfo("Asia/Seoul")


def at(day, hour=12):
    return datetime.combine(day, time(hour), tzinfo=SEOUL)


def paid_order(items, *, shopper=None, **kwargs):
    order = place_order(user=shopper or UserFactory(), items=items, delivery=DELIVERY, payment_method="card", **kwargs)
    pay(order)
    return order


def deliver(order):
    OrderLine.objects.filter(order=order).exclude(status__in=("cancelled", "returned")).update(
        status=OrderLine.Status.DELIVERED, delivered_at=timezone.now())


def confirm(line, *, on):
    """Confirm a delivered line as the shopper would, on the given day (noon, Seoul)."""
    line.refresh_from_db()
    confirm_purchase(line_id=line.pk, shopper=line.order.user)
    OrderLine.objects.filter(pk=line.pk).update(confirmed_at=at(on))
