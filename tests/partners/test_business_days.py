"""Business days skip weekends, Korean public holidays and the seller's own holidays (issue 10):
the ship-by date stored on a paid line, the dashboard's "to ship today" / delayed boxes and the
penalties all use one calendar (``core.dates``). Expected dates are worked out by hand from the
2026/2027 calendar."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from core import dates
from orders.models import Order, OrderLine
from partners.models import SellerHoliday
from partners.penalties import compute_penalties
from partners.selectors import count_seller_lines
from tests.partners.factories import paid_order, seller_with_staff

LS = OrderLine.Status


def test_public_holidays_and_weekends_are_skipped():
    # Wed 9/23 + 1: Thu 9/24 and Fri 9/25 are 추석, then the weekend → Mon 9/28.
    assert dates.add_business_days(date(2026, 9, 23), 1) == date(2026, 9, 28)
    # Thu 12/24 + 1: Fri 12/25 성탄절, weekend → Mon 12/28.
    assert dates.add_business_days(date(2026, 12, 24), 1) == date(2026, 12, 28)
    # Fri 2027-02-05 + 1: weekend, Mon 2/8 설날 and Tue 2/9 its substitute holiday → Wed 2/10.
    assert dates.add_business_days(date(2027, 2, 5), 1) == date(2027, 2, 10)
    # Fri 2026-02-27 + 1: weekend, Mon 3/2 is the 삼일절 substitute holiday → Tue 3/3.
    assert dates.add_business_days(date(2026, 2, 27), 1) == date(2026, 3, 3)
    # Tue 6/2 + 1: Wed 6/3 is the local election day → Thu 6/4.
    assert dates.add_business_days(date(2026, 6, 2), 1) == date(2026, 6, 4)
    # An ordinary week: Fri 11/20 + 2 = Tue 11/24.
    assert dates.add_business_days(date(2026, 11, 20), 2) == date(2026, 11, 24)
    assert not dates.is_business_day(date(2026, 10, 9))  # 한글날, a Friday
    assert dates.is_business_day(date(2026, 10, 8))


def test_extra_holidays_and_late_counts():
    seller_days = {date(2026, 11, 30)}  # a Monday
    # Fri 11/27 + 2, Mon 11/30 off → Tue 12/1, Wed 12/2.
    assert dates.add_business_days(date(2026, 11, 27), 2, seller_days) == date(2026, 12, 2)
    # Due Wed 9/23, done Tue 9/29: 9/28 and 9/29 count; 9/24–27 do not.
    assert dates.business_days_after(date(2026, 9, 23), date(2026, 9, 29)) == 2
    assert dates.business_days_after(date(2026, 9, 29), date(2026, 9, 29)) == 0


def test_the_setting_replaces_the_built_in_list(settings):
    settings.PUBLIC_HOLIDAYS = ["2026-11-24"]
    assert dates.add_business_days(date(2026, 9, 23), 1) == date(2026, 9, 24)  # 추석 no longer known
    assert dates.add_business_days(date(2026, 11, 23), 1) == date(2026, 11, 25)


def _pay_on(monkeypatch, day: date, **kwargs):
    """Pay an order as if it were ``day`` (10:00 Korea time)."""
    real_localdate, real_now = timezone.localdate, timezone.now
    moment = timezone.make_aware(datetime.combine(day, time(10)))
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: (
        day if value is None else real_localdate(value, timezone)))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    try:
        return paid_order(**kwargs)
    finally:
        monkeypatch.setattr(timezone, "localdate", real_localdate)
        monkeypatch.setattr(timezone, "now", real_now)


@pytest.mark.django_db
@pytest.mark.postgres
def test_the_ship_by_date_of_a_paid_line_skips_the_sellers_holidays(monkeypatch):
    seller, _owner = seller_with_staff(shipping_policy__ship_within_days=2)
    SellerHoliday.objects.create(seller=seller, date=date(2026, 11, 30))  # Monday
    SellerHoliday.objects.create(seller=seller, date=date(2026, 11, 20))  # before the payment: irrelevant

    _order, line = _pay_on(monkeypatch, date(2026, 11, 27), seller=seller)  # a Friday

    line.refresh_from_db()
    assert line.status == LS.PAID
    assert line.ship_by_date == date(2026, 12, 2)  # Tue 12/1 is day 1, Wed 12/2 day 2
    # The dashboard's boxes follow the stored date: nothing to ship on Tuesday, due Wednesday,
    # and not delayed on Wednesday (weekends only would have said due Tuesday, delayed Wednesday).
    assert count_seller_lines(seller=seller, today=date(2026, 12, 1))["ship_today"] == 0
    on_wednesday = count_seller_lines(seller=seller, today=date(2026, 12, 2))
    assert (on_wednesday["ship_today"], on_wednesday["delayed"]) == (1, 0)
    assert count_seller_lines(seller=seller, today=date(2026, 12, 3))["delayed"] == 1


@pytest.mark.django_db
@pytest.mark.postgres
def test_the_ship_by_date_skips_public_holidays(monkeypatch):
    seller, _owner = seller_with_staff(shipping_policy__ship_within_days=2)

    _order, line = _pay_on(monkeypatch, date(2026, 9, 23), seller=seller)  # Wednesday before 추석

    line.refresh_from_db()
    assert line.ship_by_date == date(2026, 9, 29)  # Mon 9/28 is day 1, Tue 9/29 day 2


@pytest.mark.django_db
@pytest.mark.postgres
def test_no_late_dispatch_penalty_over_a_public_holiday():
    seller, _owner = seller_with_staff(shipping_policy__ship_within_days=2)
    order, line = paid_order(seller=seller)
    paid = timezone.make_aware(datetime.combine(date(2026, 9, 23), time(10)))
    Order.objects.filter(pk=order.pk).update(paid_at=paid)
    # Shipped Tue 9/29: on time (due 9/29). Weekends only would say due Fri 9/25, 2 days late.
    OrderLine.objects.filter(pk=line.pk).update(
        status=LS.SHIPPING, shipped_at=timezone.make_aware(datetime.combine(date(2026, 9, 29), time(15))))
    late_order, late_line = paid_order(seller=seller)
    Order.objects.filter(pk=late_order.pk).update(paid_at=paid)
    # Shipped Wed 9/30: 1 business day late → 1 point.
    OrderLine.objects.filter(pk=late_line.pk).update(
        status=LS.SHIPPING, shipped_at=timezone.make_aware(datetime.combine(date(2026, 9, 30), time(15))))

    report = compute_penalties(seller=seller, today=date(2026, 10, 6))

    assert [(entry.kind, entry.line_id, entry.day) for entry in report.entries] == [
        ("late_dispatch", late_line.pk, date(2026, 9, 30))]
    assert report.points == 1
