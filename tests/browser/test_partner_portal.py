"""The seller's journey (issue 10), in a browser: a new seller applies on a phone, an operator approves
it with a contract on a desktop, the seller (with a 2×3 option product made by the catalog service: the
product editor is another branch's) gets an order, acknowledges it and ships it with a waybill on a
phone, the shopper returns it, and the seller approves the return."""

import io
import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from claims.models import Claim
from orders.models import OrderLine
from orders.services import place_order
from partners.models import Seller
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.browser.conftest import log_in_with_cookie
from tests.orders.factories import DELIVERY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "ko-KR"}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (230, 240, 250)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_seller_applies_is_approved_ships_and_approves_a_return(page, site, snap, _playwright_browser):
    from catalog.services import OptionSpec, create_product
    from orders.services.fulfilment import mark_delivered
    from tests.catalog.factories import BrandFactory, CategoryFactory
    from tests.orders.helpers import pay

    # 1. A new seller applies on a phone.
    applicant = UserFactory(name="윤사장", email="owner@haneul.example.com")
    log_in_with_cookie(page.context, Client(), applicant, site.url)
    page.goto("/partner/")
    expect(page).to_have_url(re.compile(r"/partner/apply/$"))
    fields = {"name": "하늘공방", "business_name": "(주)하늘공방", "business_number": "220-81-62517",
              "representative": "윤사장", "mail_order_number": "2026-서울마포-1234", "address": "서울 마포구 양화로 45",
              "contact_name": "윤사장", "contact_phone": "010-4444-5555", "contact_email": "owner@haneul.example.com",
              "cs_phone": "1588-4321", "bank_name": "우리은행", "bank_account_number": "1002-123-456789",
              "bank_account_holder": "(주)하늘공방"}
    for name, value in fields.items():
        page.locator(f"[name={name}]").fill(value)
    page.locator("input[name=business_registration]").set_input_files(
        {"name": "registration.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.locator("input[name=bank_book]").set_input_files(
        {"name": "bankbook.png", "mimeType": "image/png", "buffer": png_bytes()})
    page.locator("input[name=agree_terms]").check()
    snap(page, "apply", full_page=True)
    page.locator("form.apply-form button[type=submit]").tap()
    expect(page.locator(".partner-steps .is-current")).to_have_text(re.compile(r"입점 신청|Applied|신청"))
    seller = Seller.objects.get(name="하늘공방")
    assert seller.status == Seller.Status.APPLIED and seller.documents.count() == 2

    # 2. An operator approves it with a contract, on a desktop.
    desktop = _playwright_browser.new_context(base_url=site.url, **DESKTOP)
    console = desktop.new_page()
    log_in_with_cookie(desktop, Client(), OperatorFactory(groups=["settlement"]), site.url)
    console.goto("/console/sellers/?status=applied")
    console.locator(f"tr[data-seller='{seller.pk}'] a").click()
    expect(console.locator("h1")).to_have_text("하늘공방")
    console.locator("[name=approve-commission_rate]").fill("10.5")
    console.locator("[name=approve-cycle]").select_option("weekly")
    console.locator("[name=approve-ship_within_days]").fill("2")
    snap(console, "console-approve", full_page=True)
    console.locator("form[action$='/approve/'] button[type=submit]").click()
    expect(console.locator(".status")).to_have_text(re.compile(r"운영중|Active"))
    seller.refresh_from_db()
    assert seller.status == Seller.Status.ACTIVE

    # 3. Its product: colour × size (2×3) made by the catalog service; a shopper buys one.
    product = create_product(
        seller=seller, category=CategoryFactory(), brand=BrandFactory(), name="하늘 린넨 셔츠",
        list_price_amount=39000, sale_price_amount=35000, initial_stock=10,
        options=[OptionSpec(name="색상", values=["화이트", "스카이"]),
                 OptionSpec(name="사이즈", values=["S", "M", "L"])])
    assert product.skus.count() == 6
    shopper = UserFactory(name="김구매")
    sku = product.skus.get(option_label="스카이 / M")
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(order)
    line = order.lines.get()

    # 4. The seller sees the new order on its phone, acknowledges it, enters the waybill and ships.
    page.goto("/partner/")
    new_box = page.locator("[data-box=paid] .partner-box__count")
    expect(new_box).to_have_text("1")
    snap(page, "dashboard", full_page=True)
    new_box.tap()
    expect(page).to_have_url(re.compile(r"/partner/orders/\?tab=paid"))
    page.locator(f"tr[data-line='{line.pk}'] .partner-line__order a").tap()
    expect(page.locator("h1")).to_contain_text(order.number)
    expect(page.locator(".info-list")).to_contain_text(["스카이 / M"])
    page.locator("form[action$='/acknowledge/'] button").tap()
    page.locator("select[name=courier]").select_option("cj")
    page.locator("input[name=waybill_number]").fill("123456789012")
    page.locator("form[action$='/waybill/'] button[type=submit]").tap()
    expect(page.locator(".status").first).to_have_text(re.compile(r"배송준비중|Ready to ship"))
    page.locator("form[action$='/ship/'] button").tap()
    expect(page.locator(".status").first).to_have_text(re.compile(r"배송중|Shipping"))
    line.refresh_from_db()
    assert (line.status, line.waybill_number) == (OrderLine.Status.SHIPPING, "123456789012")
    mark_delivered(line_id=line.pk, reason="택배사 배송완료")

    # 5. The shopper returns it (on their own phone).
    shopper_context = _playwright_browser.new_context(base_url=site.url, viewport={"width": 390, "height": 844},
                                                      locale="ko-KR")
    shop = shopper_context.new_page()
    log_in_with_cookie(shopper_context, Client(), shopper, site.url)
    shop.goto(f"/orders/{order.number}/")
    shop.locator(f"a[href$='/claims/return/?line={line.pk}']").click()
    shop.locator("input[name=reason][value=wrong_option]").check()
    shop.locator("button[value=preview]").click()
    shop.locator("button[value=submit]").click()
    shop.wait_for_load_state()
    claim = Claim.objects.get(order=order)
    assert claim.type == Claim.Type.RETURN and claim.status == Claim.Status.REQUESTED

    # 6. The seller approves the return from its claims list.
    page.goto("/partner/")
    expect(page.locator("[data-box=return_requests] .partner-box__count")).to_have_text("1")
    page.locator("[data-box=return_requests]").tap()
    page.locator(f"[data-claim='{claim.pk}'] a").tap()
    expect(page.locator("h1")).to_contain_text(claim.number)
    page.locator(f"form[action$='/claims/{claim.pk}/approve/'] button").tap()
    expect(page.locator(".page-head .status")).to_have_text(re.compile(r"승인|Approved"))
    snap(page, "return-approved", full_page=True)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED
    shopper_context.close()
    desktop.close()
