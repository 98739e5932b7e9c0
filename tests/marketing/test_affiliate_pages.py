"""One affiliate's numbers, on the console's affiliate page and on the affiliate's own page in the
shop: clicks on every link, each order once, confirmed orders, commission accrued / reversed / paid
(through carried-over statements too), statements; drill-down to the order; who may see it."""

import time
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from marketing import selectors_affiliates
from marketing.funnel.middleware import VisitState, current_visit
from marketing.funnel.sources import Source
from marketing.models import AffiliateCommission, AffiliateStatement
from marketing.services import affiliates
from orders.services import place_order
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.marketing.test_affiliates import _earn, approved_affiliate, buy, click_on, confirm
from tests.orders.factories import DELIVERY, make_product
from tests.partners.factories import seller_with_staff

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _at(year, month, day):
    return timezone.make_aware(datetime(year, month, day, 12))


def _buy_items(click, items):
    """Like test_affiliates.buy, for an order of several lines."""
    state = VisitState(visitor_id="v" * 24, session_id="s" * 24, now=time.time(), source=Source(),
                       device="desktop", affiliate_click_id=click.pk)
    token = current_visit.set(state)
    try:
        return place_order(user=UserFactory(), items=items, delivery=DELIVERY, payment_method="card")
    finally:
        current_visit.reset(token)


@pytest.fixture
def activity():
    """Written by hand: 2 links with 3 + 1 clicks; three orders:
    - a two-line order (100,000 + 100,000 won), both lines confirmed: 3% → 6,000;
    - a one-line order of 2 × 100,000, not confirmed: nothing;
    - a one-line order of 2 × 100,000 confirmed: 6,000; November is closed (12,000, payable) and
      paid; in December one unit of it is refunded: −3,000 (not on a statement yet).
    """
    affiliate = approved_affiliate()
    first = click_on(affiliate)
    for _extra in range(2):
        affiliates.record_click(code=first.link.code)
    second = click_on(affiliate)

    _product_a, skus_a = make_product(price=100_000, stock=5)
    _product_b, skus_b = make_product(price=100_000, stock=5)
    two_lines = _buy_items(first, [(skus_a[0].pk, 1), (skus_b[0].pk, 1)])
    unconfirmed = buy(UserFactory(), second, price=100_000, quantity=2)
    refunded = buy(UserFactory(), second, price=100_000, quantity=2)
    confirm(two_lines)
    confirm(refunded)
    affiliates.accrue_commissions(now=_at(2026, 11, 20))
    [november] = affiliates.close_month(month=date(2026, 11, 1))
    affiliates.mark_statements_paid(statement_ids=[november.pk], actor=OperatorFactory())
    confirm(refunded, refunded_quantity=1, refunded_amount=100_000)
    affiliates.accrue_commissions(now=_at(2026, 12, 3))
    return {"affiliate": affiliate, "orders": [two_lines, unconfirmed, refunded], "november": november}


def test_the_summary_counts_every_click_each_order_once_and_commission_by_kind(activity):
    summary = selectors_affiliates.get_affiliate_summary(affiliate=activity["affiliate"])
    assert (summary.clicks, summary.orders, summary.confirmed_orders) == (4, 3, 2)
    assert (summary.accrued_amount, summary.reversed_amount, summary.commission_amount) == (12_000, 3_000, 9_000)
    assert (summary.paid_amount, summary.unpaid_amount) == (12_000, -3_000)


def test_ledger_rows_say_whether_they_were_paid():
    affiliate = approved_affiliate()
    _earn(affiliate, 6_000, _at(2026, 8, 10))  # carried over into September
    _earn(affiliate, 5_000, _at(2026, 9, 3))
    _earn(affiliate, 12_000, _at(2026, 10, 20))  # payable, not paid yet
    _earn(affiliate, 1_000, _at(2026, 11, 2))  # month not closed
    for month in (8, 9, 10):
        affiliates.close_month(month=date(2026, month, 1))
    september = AffiliateStatement.objects.get(month=date(2026, 9, 1))
    affiliates.mark_statements_paid(statement_ids=[september.pk], actor=OperatorFactory())

    rows = selectors_affiliates.list_commission_rows(affiliate=affiliate)
    assert [(row.commission_amount, row.payment_status) for row in rows] == [
        (1_000, "pending"), (12_000, "payable"), (5_000, "paid"), (6_000, "paid")]
    assert selectors_affiliates.get_affiliate_summary(affiliate=affiliate).paid_amount == 11_000


def test_console_affiliate_page_shows_links_orders_ledger_and_statements(client, activity):
    affiliate = activity["affiliate"]
    client.force_login(OperatorFactory(groups=["marketing", "cs"]))  # cs: may open order pages
    response = client.get(reverse("console:marketing:affiliate_detail", args=[affiliate.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for kpi, shown in (("clicks", "4"), ("orders", "3"), ("confirmed", "2"), ("commission", "₩9,000"),
                       ("accrued", "₩12,000"), ("reversed", "₩3,000"), ("paid", "₩12,000")):
        assert f'data-kpi="{kpi}">{shown}</dd>' in html, kpi
    for order in activity["orders"]:
        assert reverse("console:orders:order_detail", args=[order.number]) in html  # drill-down
    assert html.count('data-kind="accrual"') == 3 and html.count('data-kind="reversal"') == 1
    assert html.count('data-payment="paid"') == 3 and html.count('data-payment="pending"') == 1
    assert "2026-11" in html.split('data-table="statements"')[1]
    # the order page the link leads to opens for this operator
    order_page = client.get(reverse("console:orders:order_detail", args=[activity["orders"][0].number]))
    assert order_page.status_code == 200


def test_console_affiliate_page_without_order_rights_shows_numbers_but_no_order_links(client, activity):
    client.force_login(OperatorFactory(groups=["marketing"]))
    html = client.get(reverse("console:marketing:affiliate_detail", args=[activity["affiliate"].pk])).content.decode()
    assert activity["orders"][0].number in html
    assert reverse("console:orders:order_detail", args=[activity["orders"][0].number]) not in html


def test_console_affiliate_page_access(client, activity):
    url = reverse("console:marketing:affiliate_detail", args=[activity["affiliate"].pk])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    _seller, owner = seller_with_staff(role="owner")
    for user in (UserFactory(), owner, activity["affiliate"].user, OperatorFactory(groups=["cs"])):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(OperatorFactory(groups=["marketing"]))
    assert client.get(reverse("console:marketing:affiliate_detail", args=[999_999])).status_code == 404


def test_decide_from_the_affiliate_page_comes_back_to_it(client):
    affiliate = approved_affiliate()
    client.force_login(OperatorFactory(groups=["marketing"]))
    response = client.post(reverse("console:marketing:affiliate_decide", args=[affiliate.pk]),
                           {"to": "suspended", "back": "detail"})
    assert response["Location"] == reverse("console:marketing:affiliate_detail", args=[affiliate.pk])
    affiliate.refresh_from_db()
    assert affiliate.status == "suspended"


def test_the_affiliates_own_page_shows_its_numbers_and_only_its_own(client, activity):
    affiliate = activity["affiliate"]
    other = approved_affiliate(user=UserFactory())
    click_on(other)
    client.force_login(affiliate.user)
    html = client.get(reverse("shop:affiliate_home")).content.decode()
    kpis = html.split('class="kpis"')[1].split("</dl>")[0]
    assert [part.split("</dd>")[0] for part in kpis.split("<dd>")[1:]] == ["4", "3", "2", "₩9,000"]
    assert "₩12,000" in html and "₩3,000" in html  # accrued, reversed (and paid 12,000)
    assert other.links.get().code not in html
    client.force_login(other.user)
    kpis = client.get(reverse("shop:affiliate_home")).content.decode().split('class="kpis"')[1].split("</dl>")[0]
    assert [part.split("</dd>")[0] for part in kpis.split("<dd>")[1:]] == ["1", "0", "0", "₩0"]
    assert AffiliateCommission.objects.filter(affiliate=other).count() == 0
