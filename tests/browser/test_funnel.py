"""A visitor lands from a Naver ad (UTM), clicks the home banner, signs in and buys; the console's
funnel and banner report count that visit, and the order shows where it came from."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from marketing.funnel.writer import flush_buffer
from marketing.models import Banner, OrderAttribution, Visit
from orders.models import Order
from tests.accounts.factories import PASSWORD, OperatorFactory, UserFactory
from tests.browser.conftest import ADD_TO_CART, PHONE, log_in_with_cookie, log_in_with_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Headless Chromium says "HeadlessChrome", which the shop rightly takes for a bot: be a phone.
PHONE_AGENT = ("Mozilla/5.0 (Linux; Android 14; SM-S921N) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/126.0.0.0 Mobile Safari/537.36")
CHECKOUT_FIELDS = {"recipient": "김구매", "phone": "010-1234-5678", "postcode": "06236",
                   "address1": "서울특별시 강남구 테헤란로 152", "address2": "12층"}


def _is_ping(request) -> bool:
    return request.url.endswith("/e/") and request.method == "POST"


def test_utm_landing_banner_click_purchase_and_reports(_playwright_browser, site, client, catalog, snap):
    banner = Banner.objects.create(slot=Banner.Slot.HOME_HERO, title="가을 캐시미어 특가", subtitle="최대 30%",
                                   link_url=f"/products/{catalog.cashmere.pk}/", starts_at=timezone.now())
    shopper = UserFactory(email="visitor@example.com", name="김구매")
    visitor = _playwright_browser.new_context(base_url=site.url, user_agent=PHONE_AGENT, **PHONE)
    page = visitor.new_page()

    # Land from the ad; the page's script answers (a person, and the banner was on screen).
    with page.expect_request(_is_ping):
        page.goto("/?utm_source=naver&utm_medium=cpc&utm_campaign=fall_knit")
    banner_link = page.locator(f"[data-promo-id='banner-{banner.pk}']")
    expect(banner_link).to_contain_text("가을 캐시미어 특가")
    snap(page, "landing")

    # The banner leads to the product; sign in on the way.
    banner_link.tap()
    expect(page).to_have_url(re.compile(rf"/products/{catalog.cashmere.pk}/$"))
    page.goto(f"/accounts/login/?next=/products/{catalog.cashmere.pk}/")
    log_in_with_form(page, email=shopper.email, password=PASSWORD)
    expect(page).to_have_url(re.compile(rf"/products/{catalog.cashmere.pk}/$"))
    page.get_by_label("색상", exact=True).select_option(label="아이보리")
    page.get_by_label("사이즈", exact=True).select_option(label="M")
    page.get_by_role("button", name=ADD_TO_CART).tap()
    expect(page).to_have_url(re.compile(r"/cart/$"))
    page.locator("button[name=action][value=order]").tap()
    expect(page).to_have_url(re.compile(r"/checkout/"))
    for name, value in CHECKOUT_FIELDS.items():
        page.locator(f"[name={name}]").fill(value)
    page.locator("input[name=payment_method][value=card]").check()
    page.locator("input[name=agree]").check()
    page.locator("form.checkout button[data-pay]").tap()
    expect(page).to_have_url(re.compile(r"/pg-sandbox/pay/\?token="))
    page.locator("select#card").select_option("신한카드")
    page.get_by_role("button", name="결제 승인").tap()
    order = Order.objects.get(user=shopper)
    expect(page).to_have_url(re.compile(rf"/orders/{order.number}/complete/$"))
    snap(page, "complete")
    visitor.close()

    # The beat's batch writer runs (in embedded mode the events are already in the database).
    flush_buffer()
    visit = Visit.objects.get()
    assert (visit.source, visit.medium, visit.campaign, visit.user_id, visit.is_human) == (
        "naver", "cpc", "fall_knit", shopper.pk, True)
    attribution = OrderAttribution.objects.get(order=order)
    assert (attribution.source, attribution.medium, attribution.campaign, attribution.session_id) == (
        "naver", "cpc", "fall_knit", visit.id)

    # The operator's console: the funnel and the banner report count the visit and the order.
    console = _playwright_browser.new_context(base_url=site.url, **PHONE)
    log_in_with_cookie(console, client, OperatorFactory(groups=["marketing", "cs"]), site.url)
    report = console.new_page()
    report.goto("/console/marketing/reports/funnel/")
    for step in ("sessions", "view_item", "add_to_cart", "begin_checkout", "purchase", "paid"):
        expect(report.locator(f"[data-step='{step}'] [data-count]")).to_have_text("1")
    expect(report.locator("[data-report='sources']")).to_contain_text("fall_knit")
    snap(report, "console-funnel", full_page=True)
    report.goto("/console/marketing/reports/promotions/")
    row = report.locator(f"[data-promotion='banner-{banner.pk}']")
    expect(row.locator("[data-clicks]")).to_have_text("1")
    expect(row.locator("[data-orders]")).to_have_text("1")
    snap(report, "console-banners", full_page=True)

    # The order page shows its source.
    report.goto(f"/console/orders/{order.number}/")
    expect(report.locator("[data-attribution='last']")).to_contain_text("naver / cpc / fall_knit")
    console.close()
