"""Issue 9, point 7: points expire 12 calendar months after they are credited, not 360 days."""

from datetime import date

import pytest
from django.utils import timezone

from marketing.models import PointEntry
from orders.models import OrderLine
from orders.services import place_order
from orders.services.fulfilment import confirm_purchase
from tests.accounts.factories import UserFactory
from tests.orders.factories import DELIVERY, make_product
from tests.orders.helpers import pay


def _same_date_next_year(day: date) -> date:
    return day.replace(year=day.year + 1) if (day.month, day.day) != (2, 29) else date(day.year + 1, 2, 28)


@pytest.mark.django_db
def test_points_earned_at_purchase_confirmation_expire_on_the_same_date_next_year(settings):
    settings.POINTS_EXPIRY_MONTHS = 12
    shopper = UserFactory()
    _, (sku,) = make_product(price=50000)
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(order)
    line = order.lines.get()
    OrderLine.objects.filter(pk=line.pk).update(status=OrderLine.Status.DELIVERED, delivered_at=timezone.now())
    confirm_purchase(line_id=line.pk, shopper=shopper)
    earned = PointEntry.objects.get(user=shopper, kind=PointEntry.Kind.EARN)
    credited_on = timezone.localtime(earned.created_at).date()
    assert timezone.localtime(earned.expires_at).date() == _same_date_next_year(credited_on)
    assert (earned.expires_at - earned.created_at).days >= 364  # 360 days would fall short
