"""Seller penalties from facts (issue 10; SmartStore's points in DOMAIN.md): late dispatch 1 (3 when 4+
business days late), announced delay not kept 2, stock-out cancel 2, claim not processed within
3 business days of pickup 1; weekends and the seller's holidays are not business days."""

from datetime import date, datetime, time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim
from core.models import StatusChange
from orders.models import Order, OrderLine
from partners.models import SellerHoliday
from partners.penalties import compute_penalties
from tests.partners.factories import paid_order, return_claim, seller_with_staff

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
LS = OrderLine.Status
TODAY = date(2026, 11, 25)  # a Wednesday


def at(day: date, hour: int = 10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def line_paid(seller, paid: date, **fields):
    order, line = paid_order(seller=seller)
    Order.objects.filter(pk=order.pk).update(paid_at=at(paid))
    OrderLine.objects.filter(pk=line.pk).update(**fields)
    return line


def test_points_are_computed_from_dates_not_from_reasons():
    seller, _owner = seller_with_staff(shipping_policy__ship_within_days=2)
    # Paid Mon 16th, due Wed 18th, shipped Thu 19th: 1 business day late → 1 point.
    late = line_paid(seller, date(2026, 11, 16), status=LS.SHIPPING, shipped_at=at(date(2026, 11, 19)))
    # Paid Mon 2nd, due Wed 4th, shipped Mon 9th: 3 business days late (the weekend does not count) → 1.
    three_late = line_paid(seller, date(2026, 11, 2), status=LS.DELIVERED, shipped_at=at(date(2026, 11, 9)))
    # Paid Mon 2nd, shipped Tue 10th: 4 business days late → 3.
    long_late = line_paid(seller, date(2026, 11, 2), status=LS.SHIPPING, shipped_at=at(date(2026, 11, 10)))
    # On time: paid Mon 16th, shipped Wed 18th → nothing.
    line_paid(seller, date(2026, 11, 16), status=LS.SHIPPING, shipped_at=at(date(2026, 11, 18)))
    # A delay announced to Fri 20th, shipped Mon 23rd → 2 (and no late-dispatch points on top).
    broken = line_paid(seller, date(2026, 11, 16), status=LS.SHIPPING, shipped_at=at(date(2026, 11, 23)),
                       ship_by_date=date(2026, 11, 20), delay_reason="made_to_order")
    # A delay announced to Fri 20th and kept → nothing.
    line_paid(seller, date(2026, 11, 16), status=LS.SHIPPING, shipped_at=at(date(2026, 11, 20)),
              ship_by_date=date(2026, 11, 20), delay_reason="customer_request")
    # Cancelled for lack of stock on the 24th → 2, whatever the reason text says.
    stock = line_paid(seller, date(2026, 11, 23), status=LS.CANCELLED, cancel_reason="고객 요청",
                      updated_at=at(date(2026, 11, 24)))
    # Still not shipped, paid Mon 23rd, due Wed 25th (today) → not late yet.
    line_paid(seller, date(2026, 11, 23), status=LS.PREPARING)

    report = compute_penalties(seller=seller, today=TODAY)

    found = sorted((entry.kind, entry.line_id, entry.points) for entry in report.entries)
    assert found == sorted([
        ("late_dispatch", late.pk, 1), ("late_dispatch", three_late.pk, 1),
        ("late_dispatch_long", long_late.pk, 3), ("delay_not_kept", broken.pk, 2), ("stock_cancel", stock.pk, 2),
    ])
    assert report.points == 1 + 1 + 3 + 2 + 2


def test_the_sellers_holidays_are_not_business_days():
    seller, _owner = seller_with_staff(shipping_policy__ship_within_days=2)
    SellerHoliday.objects.create(seller=seller, date=date(2026, 11, 19))
    line_paid(seller, date(2026, 11, 16), status=LS.SHIPPING, shipped_at=at(date(2026, 11, 19)))

    assert compute_penalties(seller=seller, today=TODAY).entries == []


def test_a_claim_not_processed_within_three_business_days_of_pickup_costs_a_point():
    seller, _owner = seller_with_staff()
    slow = return_claim(seller=seller)
    quick = return_claim(seller=seller)
    waiting = return_claim(seller=seller)
    claim_type = ContentType.objects.get_for_model(Claim)
    # Picked up Mon 16th, due Thu 19th: refunded Fri 20th → late; refunded Thu 19th → on time.
    for claim, decided in ((slow, date(2026, 11, 20)), (quick, date(2026, 11, 19))):
        Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.REFUNDED, picked_up_at=at(date(2026, 11, 16)))
        change = StatusChange.objects.create(content_type=claim_type, object_id=claim.pk, field="status",
                                             from_status="picked_up", to_status="refunded")
        StatusChange.objects.filter(pk=change.pk).update(created_at=at(decided))
    # Picked up Mon 23rd and still waiting on Wed 25th: not late yet.
    Claim.objects.filter(pk=waiting.pk).update(status=Claim.Status.PICKED_UP, picked_up_at=at(date(2026, 11, 23)))

    report = compute_penalties(seller=seller, today=TODAY)

    assert [(entry.kind, entry.claim_id, entry.points) for entry in report.entries
            if entry.claim_id] == [("claim_late", slow.pk, 1)]


def test_the_penalty_page_shows_the_last_30_days(client):
    seller, owner = seller_with_staff(shipping_policy__ship_within_days=2)
    line_paid(seller, timezone.localdate() - timezone.timedelta(days=20), status=LS.CANCELLED,
              cancel_reason="품절", updated_at=timezone.now())
    client.force_login(owner)
    page = client.get(reverse("partner:penalties")).content.decode()
    assert 'data-points="2"' in page and 'data-kind="stock_cancel"' in page
