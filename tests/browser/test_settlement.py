"""An operator closes last week in the console; the seller opens its statement in the portal and
downloads the Excel: the figure is the same on both screens and in the file (issue 11)."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from settlement.services import period_of
from tests.accounts.factories import OperatorFactory
from tests.browser.conftest import ACTION_TIMEOUT_MS, log_in_with_cookie
from tests.orders.factories import make_product
from tests.partners.factories import SellerStaffFactory
from tests.settlement.helpers import confirm, deliver, paid_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "ko-KR"}


def digits(text: str) -> int:
    return int(re.sub(r"[^\d-]", "", text))


@pytest.fixture
def desktop(_playwright_browser, site):
    contexts = []

    def new():
        context = _playwright_browser.new_context(base_url=site.url, accept_downloads=True, **DESKTOP)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield new
    for context in contexts:
        context.close()


def test_operator_closes_a_week_and_the_seller_sees_the_same_figure_on_screen_and_in_excel(
        desktop, site, client, settings, snap):
    settings.SETTLEMENT_DEFAULT_COMMISSION_RATE = "10"
    _, (sku,) = make_product(price=25000, stock=9, fee=3000, free_threshold=100000, name="린넨 셔츠")
    order = paid_order([(sku.pk, 2)])
    deliver(order)
    last_monday = period_of(timezone.localdate(), "weekly")[0] - timedelta(days=7)
    confirm(order.lines.get(), on=last_monday + timedelta(days=2))

    operator_context = desktop()
    log_in_with_cookie(operator_context, client, OperatorFactory(groups=["settlement"]), site.url)
    console = operator_context.new_page()
    console.goto("/console/settlement/")
    console.locator("select[name=cycle]").select_option("weekly")
    console.locator("input[name=period_start]").fill(last_monday.isoformat())
    console.locator("form[action$='/close/'] button[type=submit]").click()
    expect(console.locator("[data-testid=statement-total]")).to_have_count(1)
    snap(console, "closed")
    listed = digits(console.locator("[data-testid=statement-total]").inner_text())
    console.locator("table a[href*='/console/settlement/statements/']").first.click()
    console_amount = digits(console.locator("[data-testid=statement-amount]").inner_text())
    assert listed == console_amount == 48000  # 50,000 sale + 3,000 shipping − 5,000 commission

    seller_context = desktop()
    staff = SellerStaffFactory(seller=sku.product.seller, role="settlement")
    client.logout()
    log_in_with_cookie(seller_context, client, staff.user, site.url)
    portal = seller_context.new_page()
    portal.goto("/partner/settlement/")
    portal.locator("table a[href*='/partner/settlement/']").first.click()
    portal_amount = digits(portal.locator("[data-testid=statement-amount]").inner_text())
    table_sum = digits(portal.locator("[data-testid=statement-sum]").inner_text())
    snap(portal, "statement")
    with portal.expect_download() as download_info:
        portal.locator("[data-testid=excel]").click()
    sheet = load_workbook(io.BytesIO(open(download_info.value.path(), "rb").read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][12] == portal_amount == table_sum == console_amount == 48000
    assert rows[2][0] == order.number
