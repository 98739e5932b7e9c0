"""Settlement screens: console permissions, the portal scoped to the seller (404 for another's
statement), the Excel file identical to the screen, reconcile on the console."""

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from settlement.models import Statement
from settlement.services import close_settlement_period, period_of
from tests.accounts.factories import OperatorFactory
from tests.orders.factories import make_product
from tests.partners.factories import SellerStaffFactory

from .helpers import at, confirm, deliver, paid_order

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 11, 2)


@pytest.fixture
def closed_week(settings):
    settings.SETTLEMENT_DEFAULT_COMMISSION_RATE = "10"
    _, (sku,) = make_product(price=25000, stock=9, fee=3000, free_threshold=100000)
    _, (other_sku,) = make_product(price=8000, stock=9)
    for item, quantity in ((sku, 2), (other_sku, 1)):
        order = paid_order([(item.pk, quantity)])
        deliver(order)
        confirm(order.lines.get(), on=date(2026, 11, 3))
    close_settlement_period(cycle="weekly", period_start=MONDAY, now=at(date(2026, 11, 20)))
    return Statement.objects.get(seller=sku.product.seller), Statement.objects.get(seller=other_sku.product.seller)


def test_console_pages_need_the_settlement_group(client, closed_week):
    mine, _other = closed_week
    pages = ["/console/settlement/", "/console/settlement/statements/", f"/console/settlement/statements/{mine.pk}/",
             "/console/settlement/holds/", "/console/settlement/adjustments/", "/console/settlement/payouts/",
             "/console/settlement/commission-rules/", "/console/settlement/reconcile/",
             "/console/settlement/statistics/", "/console/settlement/tax-invoices/"]
    client.force_login(OperatorFactory(groups=["cs"]))
    assert {client.get(page).status_code for page in pages} == {403}
    client.force_login(OperatorFactory(groups=["settlement"]))
    assert {page: client.get(page).status_code for page in pages} == dict.fromkeys(pages, 200)
    detail = client.get(f"/console/settlement/statements/{mine.pk}/").content.decode()
    assert "₩50,000" in detail and "₩-5,000" in detail and 'data-testid="statement-sum">₩48,000<' in detail


def test_the_seller_sees_its_statement_and_gets_404_for_another(client, closed_week):
    mine, other = closed_week
    staff = SellerStaffFactory(seller=mine.seller, role="settlement")
    client.force_login(staff.user)
    assert client.get("/partner/settlement/").status_code == 200
    page = client.get(f"/partner/settlement/{mine.pk}/")
    assert page.status_code == 200 and 'data-testid="statement-sum">₩48,000<' in page.content.decode()
    assert client.get(f"/partner/settlement/{other.pk}/").status_code == 404
    assert client.get(f"/partner/settlement/{other.pk}/excel/").status_code == 404
    response = client.get(f"/partner/settlement/{mine.pk}/excel/")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    # header, columns, one line: sale 50,000, shipping 3,000, 10 %, commission −5,000, no coupon, claims, fees or
    # marketing costs → 48,000; the total row.
    assert rows[2][4:13] == (50000, 3000, "10.00", -5000, 0, 0, 0, 0, 48000)
    assert rows[-1][12] == 48000


def test_operators_close_a_week_from_the_dashboard_and_mark_a_statement_paid(client, settings):
    settings.SETTLEMENT_DEFAULT_COMMISSION_RATE = "10"
    _, (sku,) = make_product(price=10000, stock=9)
    order = paid_order([(sku.pk, 1)])
    deliver(order)
    last_week = date.today()
    from settlement.services import period_of

    start = period_of(last_week, "weekly")[0]
    from datetime import timedelta

    start -= timedelta(days=7)
    confirm(order.lines.get(), on=start)
    client.force_login(OperatorFactory(groups=["settlement"]))
    response = client.post("/console/settlement/close/", {"cycle": "weekly", "period_start": start.isoformat()})
    assert response.status_code == 302
    statement = Statement.objects.get()
    client.post(f"/console/settlement/statements/{statement.pk}/paid/")
    statement.refresh_from_db()
    assert statement.status == "paid" and statement.paid_amount == 9000 + 3000  # sale less commission, + shipping
    # Paying twice is refused and changes nothing.
    client.post(f"/console/settlement/statements/{statement.pk}/paid/")
    statement.refresh_from_db()
    assert statement.paid_amount == 12000


def test_a_seller_funded_review_reward_shows_on_both_statement_screens_and_in_the_excel(client, settings):
    from marketing.models import ReviewRewardOptIn
    from marketing.services.reviews import write_review

    settings.SETTLEMENT_DEFAULT_COMMISSION_RATE = "10"
    settings.REVIEW_REWARD_TEXT_AMOUNT = 700
    _, (sku,) = make_product(price=25000, stock=9, fee=3000, free_threshold=100000)
    ReviewRewardOptIn.objects.create(seller=sku.product.seller)
    order = paid_order([(sku.pk, 1)])
    deliver(order)
    line = order.lines.get()
    confirm(line, on=date(2026, 11, 3))
    write_review(line_id=line.pk, user=order.user, rating=5, body="판매자 부담 리뷰 적립금")
    # The review is written today: the close of this week books the line and its reward together.
    this_week = period_of(timezone.localdate(), "weekly")[0]
    close_settlement_period(cycle="weekly", period_start=this_week, now=at(this_week + timedelta(days=8)))
    statement = Statement.objects.get(seller=sku.product.seller)
    client.force_login(OperatorFactory(groups=["settlement"]))
    console = client.get(f"/console/settlement/statements/{statement.pk}/").content.decode()
    assert "Review reward (seller-funded)" in console and "₩-700" in console
    assert "Review rewards and affiliate fees" in console
    client.force_login(SellerStaffFactory(seller=sku.product.seller, role="settlement").user)
    portal = client.get(f"/partner/settlement/{statement.pk}/").content.decode()
    # 25,000 + 3,000 − 2,500 commission − 700 reward = 24,800.
    assert "Review rewards and affiliate fees" in portal and 'data-testid="statement-sum">₩24,800<' in portal
    sheet = load_workbook(io.BytesIO(client.get(f"/partner/settlement/{statement.pk}/excel/").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][11] == "Review rewards and affiliate fees"
    assert rows[2][4:13] == (25000, 3000, "10.00", -2500, 0, 0, 0, -700, 24800)
