"""Funnel numbers on a generated event history (exact counts), by source, searches, promotions,
repeat-purchase cohorts and a seller's own funnel."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from marketing.funnel.writer import write_records
from marketing.models import OrderAttribution
from marketing.selectors_reports import (
    ReportFilters,
    by_source,
    funnel,
    promotions,
    repeat_cohorts,
    searches,
    seller_funnel,
)
from orders.models import Order
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.catalog.factories import ProductFactory
from tests.partners.factories import SellerFactory

pytestmark = pytest.mark.django_db

DAY = timezone.make_aware(datetime(2026, 11, 10, 14, 0))
RANGE = ReportFilters(start=date(2026, 11, 1), end=date(2026, 11, 30))


def _order(user, *, number, paid=True, total=30_000, when=DAY):
    order = Order.objects.create(number=number, user=user, payment_method="card", orderer_name="a",
                                 orderer_email="a@example.com", orderer_phone="010", recipient="a",
                                 recipient_phone="010", postcode="06236", address1="서울", items_amount=total,
                                 total_amount=total, payment_status="paid" if paid else "awaiting",
                                 paid_at=when if paid else None)
    Order.objects.filter(pk=order.pk).update(created_at=when)
    return order


def _session(index, *, source="", medium="", campaign="", human=True, device="mobile", steps=(), product=None,
             extra=()):
    session_id = f"{index:024d}"
    at = DAY.timestamp() + index
    records = [{"kind": "visit", "session_id": session_id, "visitor_id": session_id, "at": at, "source": source,
                "medium": medium, "campaign": campaign, "device": device}]
    if human:
        records.append({"kind": "human", "session_id": session_id})
    for name in ("page_view", *steps):
        records.append({"kind": "event", "name": name, "session_id": session_id, "visitor_id": session_id,
                        "at": at + 1, "product_id": product.pk if product and name in ("view_item", "add_to_cart")
                        else None})
    for event in extra:
        records.append({"kind": "event", "session_id": session_id, "visitor_id": session_id, "at": at + 2, **event})
    write_records(records)
    return session_id


@pytest.fixture
def history():
    """10 human sessions (6 from naver cpc 'fall', 4 direct) and 2 bot-like ones (no script)."""
    seller = SellerFactory()
    mine = ProductFactory(seller=seller)
    other = ProductFactory()
    full = ("view_item", "add_to_cart", "begin_checkout")
    sessions = []
    sessions.append(_session(1, source="naver", medium="cpc", campaign="fall", steps=full, product=mine))
    sessions.append(_session(2, source="naver", medium="cpc", campaign="fall", steps=full, product=mine))
    sessions.append(_session(3, source="naver", medium="cpc", campaign="fall", steps=full, product=other))
    sessions.append(_session(4, source="naver", medium="cpc", campaign="fall", steps=("view_item", "add_to_cart"),
                             product=mine))
    sessions.append(_session(5, source="naver", medium="cpc", campaign="fall", steps=("view_item",), product=mine))
    sessions.append(_session(6, source="naver", medium="cpc", campaign="fall", device="desktop"))
    sessions.append(_session(7, steps=("view_item",), product=other, device="desktop"))
    sessions.append(_session(8, steps=("view_item", "view_item"), product=other))  # twice in one session: once
    sessions.append(_session(9))
    sessions.append(_session(10))
    _session(11, human=False, steps=full, product=mine)
    _session(12, human=False, steps=full, product=mine)
    buyer, second = UserFactory(), UserFactory()
    paid = _order(buyer, number="20261110-0001", total=30_000)
    unpaid = _order(second, number="20261110-0002", paid=False, total=20_000)
    OrderAttribution.objects.create(order=paid, session_id=sessions[0], source="naver", medium="cpc",
                                    campaign="fall", device="mobile")
    OrderAttribution.objects.create(order=unpaid, session_id=sessions[1], source="naver", medium="cpc",
                                    campaign="fall", device="mobile")
    from orders.models import OrderLine

    for order in (paid, unpaid):
        OrderLine.objects.create(order=order, seller=seller, product=mine, sku=_sku(mine), product_name="x",
                                 sku_code="x", quantity=1, unit_price_amount=order.total_amount,
                                 items_amount=order.total_amount, paid_amount=order.total_amount)
    return {"sessions": sessions, "seller": seller, "mine": mine}


def _sku(product):
    from catalog.models import SKU

    return SKU.objects.create(product=product, code=f"SKU-{product.pk}-{SKU.objects.count()}", stock_quantity=5)


def test_funnel_counts_sessions_per_step_people_only(history):
    steps = funnel(RANGE)
    assert [(step.key, step.count) for step in steps] == [
        ("sessions", 10), ("view_item", 7), ("add_to_cart", 4), ("begin_checkout", 3), ("purchase", 2), ("paid", 1)]
    assert [step.rate_from_previous for step in steps] == [None, 70.0, 57.1, 75.0, 66.7, 50.0]
    assert steps[-1].rate_from_start == 10.0


def test_funnel_filtered_by_source_and_device(history):
    counts = [step.count for step in funnel(ReportFilters(start=RANGE.start, end=RANGE.end, source="naver"))]
    assert counts == [6, 5, 4, 3, 2, 1]
    direct = [step.count for step in funnel(ReportFilters(start=RANGE.start, end=RANGE.end, source="(direct)"))]
    assert direct == [4, 2, 0, 0, 0, 0]
    desktop = [step.count for step in funnel(ReportFilters(start=RANGE.start, end=RANGE.end, device="desktop"))]
    assert desktop == [2, 1, 0, 0, 0, 0]


def test_outside_the_date_range_counts_nothing(history):
    assert funnel(ReportFilters(start=date(2026, 10, 1), end=date(2026, 10, 31)))[0].count == 0


def test_by_source_visits_orders_revenue_conversion(history):
    rows = {(row["source"], row["medium"], row["campaign"]): row for row in by_source(RANGE)}
    naver = rows[("naver", "cpc", "fall")]
    assert (naver["sessions"], naver["orders"], naver["revenue_amount"], naver["conversion"]) == (6, 2, 30_000, 33.3)
    direct = rows[("", "", "")]
    assert (direct["sessions"], direct["orders"]) == (4, 0)


def test_zero_result_searches(history):
    write_records([{"kind": "event", "name": "search", "session_id": history["sessions"][0], "visitor_id": "x",
                    "at": DAY.timestamp(), "search_query": query, "result_count": count}
                   for query, count in [("캐시미어", 12), ("없는상품", 0), ("없는상품", 0), ("오타", 0)]])
    assert [(row["search_query"], row["times"]) for row in searches(RANGE, zero_only=True)] == [
        ("없는상품", 2), ("오타", 1)]


def test_promotion_click_through_and_revenue(history):
    first, second, third = history["sessions"][:3]
    impressions = [{"name": "view_promotion", "promotion_id": "banner-1", "promotion_name": "가을 세일"}]
    click = [{"name": "select_promotion", "promotion_id": "banner-1", "promotion_name": "가을 세일"}]
    _ = (first, second, third)
    for index in range(13, 17):  # 4 more human sessions that only saw the banner
        _session(index, extra=impressions)
    write_records([{"kind": "event", "session_id": session, "visitor_id": session, "at": DAY.timestamp(), **event}
                   for session in (first, second) for event in impressions + click])
    row = next(item for item in promotions(RANGE) if item["promotion_id"] == "banner-1")
    assert (row["impressions"], row["clicks"], row["ctr"], row["orders"], row["revenue_amount"]) == (
        6, 2, 33.3, 2, 30_000)
    assert row["name"] == "가을 세일"


def test_repeat_purchase_cohorts_by_first_order_month():
    early, once, again = UserFactory(), UserFactory(), UserFactory()
    when = timezone.make_aware(datetime(2026, 9, 5, 12))
    _order(early, number="A1", when=when)
    _order(early, number="A2", when=when + timedelta(days=2))  # again in its first month
    _order(early, number="A3", when=timezone.make_aware(datetime(2026, 11, 2, 12)))  # and two months later
    _order(once, number="B1", when=when)
    _order(again, number="C1", when=timezone.make_aware(datetime(2026, 10, 8, 12)))
    _order(again, number="C2", when=timezone.make_aware(datetime(2026, 11, 9, 12)))
    _order(UserFactory(), number="D1", paid=False, when=when)  # unpaid: not a customer

    cohorts = repeat_cohorts(months=3, today=date(2026, 11, 20))

    assert [(c["month"], c["customers"], c["returned"], c["rates"]) for c in cohorts] == [
        (date(2026, 9, 1), 2, [1, 0, 1], [50.0, 0.0, 50.0]),
        (date(2026, 10, 1), 1, [0, 1, 0], [0.0, 100.0]),
    ]


def test_seller_sees_the_funnel_of_its_own_products(history):
    summary = seller_funnel(seller=history["seller"], filters=RANGE)
    assert (summary["views"], summary["carts"], summary["orders"], summary["paid_orders"]) == (4, 3, 2, 1)
    assert summary["conversion"] == 50.0 and summary["revenue_amount"] == 30_000


def test_console_report_pages_render_with_charts(client, history):
    client.force_login(OperatorFactory(groups=["marketing"]))
    query = "?start=2026-11-01&end=2026-11-30"
    response = client.get(reverse("console:marketing:report_funnel") + query)
    html = response.content.decode()
    assert response.status_code == 200 and "<svg" in html and 'data-step="paid"' in html
    for name in ("report_searches", "report_promotions", "report_cohorts"):
        assert client.get(reverse(f"console:marketing:{name}") + query).status_code == 200


def test_reports_need_the_marketing_permission(client):
    client.force_login(OperatorFactory(groups=["cs"]))
    assert client.get(reverse("console:marketing:report_funnel")).status_code == 403
