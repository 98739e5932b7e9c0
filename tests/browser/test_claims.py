"""A return, end to end: the shopper asks on a phone (one of two lines, with the refund preview), the
operator approves, marks the pickup done and refunds on a desktop, and the shopper sees the refund."""

import re

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from claims.models import Claim
from orders.models import OrderLine, Payment
from orders.services import place_order
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.browser.conftest import ACTION_TIMEOUT_MS, log_in_with_cookie
from tests.orders.factories import DELIVERY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "ko-KR"}
RETURN_REQUEST = re.compile(r"반품\s*신청|Request a return")
REFUNDED = re.compile(r"환불\s*완료|환불일|Refunded on|Refunded")


def digits(text: str) -> int:
    return int(re.sub(r"\D", "", text) or 0)


def test_a_return_from_request_to_refund(page, catalog, site, snap, _playwright_browser):
    from tests.orders.helpers import pay

    shopper = UserFactory(name="김구매")
    cotton = catalog.sku(catalog.cotton, "FREE")  # 19,900
    cardigan = catalog.sku(catalog.cardigan, "블랙 / M")  # 59,000
    order = place_order(user=shopper, items=[(cotton.pk, 1), (cardigan.pk, 1)], delivery=DELIVERY,
                        payment_method="card")
    pay(order)
    OrderLine.objects.filter(order=order).update(status=OrderLine.Status.DELIVERED, delivered_at=timezone.now())
    cotton_line = order.lines.get(sku=cotton)

    # The shopper, on a phone: the order page offers a return for the cotton knit.
    log_in_with_cookie(page.context, Client(), shopper, site.url)
    page.goto(f"/orders/{order.number}/")
    page.locator(f"a[href$='/claims/return/?line={cotton_line.pk}']").click()
    expect(page.locator("h1")).to_have_text(RETURN_REQUEST)
    expect(page.locator(f"input[name=line_{cotton_line.pk}]")).to_be_checked()
    page.locator("input[name=reason][value=defective]").check()
    page.locator("textarea[name=detail]").fill("봉제선이 터져 있어요")
    page.locator("button[value=preview]").click()
    page.wait_for_load_state()
    # The seller's fault: the whole line comes back, no shipping charged (the cardigan keeps free shipping).
    expect(page.locator("[data-amount=refund]")).to_be_visible()
    assert digits(page.locator("[data-amount=refund]").inner_text()) == cotton_line.paid_amount
    assert not Claim.objects.exists()
    snap(page, "preview", full_page=True)
    page.locator("button[value=submit]").click()
    page.wait_for_load_state()
    claim = Claim.objects.get()
    expect(page).to_have_url(re.compile(rf"/claims/{claim.number}/$"))
    snap(page, "requested", full_page=True)

    # The operator, on a desktop: approve, pickup done, refund.
    desktop = _playwright_browser.new_context(base_url=site.url, **DESKTOP)
    desktop.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        log_in_with_cookie(desktop, Client(), OperatorFactory(groups=["cs"]), site.url)
        console = desktop.new_page()
        console.on("dialog", lambda dialog: dialog.accept())
        console.goto("/console/claims/?type=return&status=requested")
        console.locator(f"a[href='/console/claims/{claim.number}/']").click()
        console.locator("button[data-step=approve]").click()
        console.wait_for_load_state()
        expect(console.locator("button[data-step=start_pickup], summary[data-step=start_pickup]")).to_be_visible()
        console.locator("summary[data-step=start_pickup]").click()
        console.locator("select[name=pickup-courier]").select_option("cj")
        console.locator("input[name=pickup-waybill_number]").fill("123412341234")
        console.locator("form[action$='/start_pickup/'] button[type=submit]").click()
        console.wait_for_load_state()
        console.locator("button[data-step=complete_pickup]").click()
        console.wait_for_load_state()
        expect(console.locator("[data-amount=refund-now]")).to_be_visible()
        assert digits(console.locator("[data-amount=refund-now]").inner_text()) == cotton_line.paid_amount
        snap(console, "console-refund", full_page=True)
        console.locator("button[data-step=refund]").click()
        console.wait_for_load_state()
        expect(console.locator("button[data-step=complete]")).to_be_visible()
    finally:
        desktop.close()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REFUNDED and claim.pickup_waybill == "123412341234"
    assert Payment.objects.get(order=order).cancelled_amount == cotton_line.paid_amount

    # The shopper sees the refund on the claim page.
    page.reload()
    expect(page.locator(".claim-refunded")).to_be_visible()
    expect(page.locator(".claim-refunded")).to_contain_text(REFUNDED)
    assert digits(page.locator("[data-amount=refund]").inner_text()) == cotton_line.paid_amount
    snap(page, "refunded", full_page=True)


CONFIRM = re.compile(r"구매\s*확정|Confirm purchase")


def test_a_shopper_with_an_open_exchange_sees_no_purchase_confirm_button(page, catalog, site, snap):
    """Issue 9 point 1: while the exchange is open the shopper cannot confirm (points, settlement)."""
    from claims.services import request_claim
    from tests.orders.helpers import pay

    shopper = UserFactory(name="김교환")
    cardigan = catalog.sku(catalog.cardigan, "블랙 / M")
    other = catalog.cardigan.skus.exclude(pk=cardigan.pk).filter(price_delta_amount=cardigan.price_delta_amount,
                                                                 is_active=True).first()
    cotton = catalog.sku(catalog.cotton, "FREE")
    order = place_order(user=shopper, items=[(cardigan.pk, 1), (cotton.pk, 1)], delivery=DELIVERY,
                        payment_method="card")
    pay(order)
    OrderLine.objects.filter(order=order).update(status=OrderLine.Status.DELIVERED, delivered_at=timezone.now())
    line = order.lines.get(sku=cardigan)
    request_claim(order=order, claim_type="exchange", items=[(line.pk, 1)], reason_code="wrong_option",
                  requested_by=shopper, pickup_method="seller_collects", replacements={line.pk: other.pk})

    log_in_with_cookie(page.context, Client(), shopper, site.url)
    page.goto(f"/orders/{order.number}/")
    confirm_forms = page.locator("form[action*='confirm']")
    # The cotton knit (no claim) can be confirmed; the cardigan being exchanged cannot.
    expect(confirm_forms).to_have_count(1)
    expect(confirm_forms.locator("button")).to_have_text(CONFIRM)
    assert f"/{line.pk}/" not in (confirm_forms.first.get_attribute("action") or "")
    snap(page, "open-exchange-no-confirm", full_page=True)
