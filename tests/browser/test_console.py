"""An operator works the order console on a desktop (1366x900): acknowledge the new lines, download
the waybill Excel, fill it (openpyxl, as the courier's label program would), upload it, check the
preview, apply it, mark the lines shipped; then the shopper's order page shows them as shipping."""

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from orders.models import OrderLine
from orders.services import place_order
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.browser.conftest import ACTION_TIMEOUT_MS, log_in_with_cookie
from tests.orders.factories import DELIVERY, make_product
from tests.orders.helpers import pay

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "ko-KR"}
SHIPPING = re.compile(r"배송\s*중|Shipping")


@pytest.fixture
def desktop(_playwright_browser, site):
    context = _playwright_browser.new_context(base_url=site.url, **DESKTOP)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    yield context
    context.close()


def test_operator_ships_by_excel_and_the_shopper_sees_it(desktop, _playwright_browser, site, client, tmp_path, snap):
    shopper = UserFactory(name="김구매")
    _, skus = make_product(stock=20, name="울 니트 가디건")
    orders = []
    for _ in range(2):
        order = place_order(user=shopper, items=[(skus[0].pk, 1)], delivery=DELIVERY, payment_method="card")
        pay(order)
        orders.append(order)
    operator = OperatorFactory(groups=["fulfilment"])
    log_in_with_cookie(desktop, client, operator, site.url)
    page = desktop.new_page()
    page.on("dialog", lambda dialog: dialog.accept())

    # 결제완료 tab: select every line and acknowledge (발주확인).
    page.goto("/console/orders/?status=paid")
    expect(page.locator(".line-table tbody tr")).to_have_count(2)
    page.locator("input[data-select-all]").check()
    page.locator("#bulk-form button[value=acknowledge]").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_be_visible()
    snap(page, "acknowledged")
    assert set(OrderLine.objects.values_list("status", flat=True)) == {OrderLine.Status.PREPARING}

    # Download the lines to ship and fill in 택배사 / 송장번호.
    page.goto("/console/orders/waybills/")
    with page.expect_download() as download_info:
        page.locator("a[href$='download.xlsx']").click()
    workbook = load_workbook(io.BytesIO(open(download_info.value.path(), "rb").read()))
    sheet = workbook.active
    numbers = []
    for index, row in enumerate(sheet.iter_rows(min_row=2)):
        numbers.append(f"56000000000{index}")
        row[10].value, row[11].value = "CJ대한통운", numbers[-1]
    assert len(numbers) == 2
    filled = tmp_path / "waybills.xlsx"
    workbook.save(filled)

    # Upload, check the preview (every row OK), apply.
    page.locator("input[type=file]").set_input_files(str(filled))
    page.locator("form.import-form button[type=submit]").click()
    expect(page.locator(".waybill-preview .row--ok")).to_have_count(2)
    snap(page, "preview")
    page.locator("form.apply-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"status=ready_to_ship"))
    expect(page.locator(".line-table tbody tr")).to_have_count(2)

    # Hand over to the courier: mark shipped.
    page.locator("input[data-select-all]").check()
    page.locator("#bulk-form button[value=ship]").click()
    page.wait_for_load_state()
    assert set(OrderLine.objects.values_list("status", flat=True)) == {OrderLine.Status.SHIPPING}

    # The shopper's order page.
    shopper_context = _playwright_browser.new_context(base_url=site.url, **DESKTOP)
    try:
        from django.test import Client

        log_in_with_cookie(shopper_context, Client(), shopper, site.url)
        shopper_page = shopper_context.new_page()
        shopper_page.goto(f"/orders/{orders[0].number}/")
        expect(shopper_page.locator("body")).to_contain_text(SHIPPING)
        waybill = OrderLine.objects.get(order=orders[0]).waybill_number
        if waybill in shopper_page.content():  # the lead adds the tracking link
            expect(shopper_page.locator("body")).to_contain_text(waybill)
    finally:
        shopper_context.close()
