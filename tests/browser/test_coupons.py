"""A shopper on a phone gets a coupon on a product page, checks out with it and with points, and
sees on the order page what each item's share of the discount was."""

import re

import pytest
from playwright.sync_api import expect

from marketing.models import Coupon, IssuedCoupon, OrderLineDiscount, PointEntry
from orders.models import Order
from tests.accounts.factories import AddressFactory, UserFactory
from tests.browser.conftest import ADD_TO_CART, log_in_with_cookie
from tests.marketing.factories import CouponFactory, give_points

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GET_COUPON = re.compile(r"쿠폰\s*받기|Get coupon", re.IGNORECASE)
DOWNLOADED = re.compile(r"받기\s*완료|받은\s*쿠폰|Downloaded", re.IGNORECASE)
DISCOUNT_SHARE = re.compile(r"할인\s*분담|할인\s*금액|할인|Discount share", re.IGNORECASE)


def test_download_a_coupon_and_pay_with_it_and_points(page, phone, client, site, catalog, snap):
    shopper = UserFactory(name="박쿠폰")
    AddressFactory(user=shopper, recipient="박쿠폰", label="집", is_default=True)
    give_points(shopper, 5000)
    coupon = CouponFactory(name="니트 기획전 10%", kind=Coupon.Kind.CART, discount_type="percent", discount_value=10,
                           max_discount_amount=5000, min_order_amount=30000, scope=Coupon.Scope.CATEGORIES,
                           downloadable=True, valid_days=7)
    coupon.categories.set([catalog.women])  # the knits are below 여성의류
    CouponFactory(name="뷰티 전용 쿠폰", downloadable=True, valid_days=7, scope=Coupon.Scope.PRODUCTS)
    log_in_with_cookie(phone, client, shopper, site.url)

    # The product page shows the coupon that applies (and not the other); get it.
    page.goto(f"/products/{catalog.cashmere.pk}/")
    block = page.locator(".product-coupons")
    expect(block).to_contain_text("니트 기획전 10%")
    expect(block).not_to_contain_text("뷰티 전용 쿠폰")
    block.locator(".product-coupon", has_text="니트 기획전 10%").get_by_role("button", name=GET_COUPON).tap()
    expect(page).to_have_url(re.compile(rf"/products/{catalog.cashmere.pk}/$"))
    expect(page.locator(".product-coupon", has_text="니트 기획전 10%")).to_contain_text(DOWNLOADED)
    snap(page, "coupon-downloaded")
    issued = IssuedCoupon.objects.get(user=shopper)
    assert issued.coupon == coupon and issued.source == "download"

    # Two knits into the cart: 39,000원 + 19,900원 (free shipping from 50,000원).
    page.get_by_label("색상", exact=True).select_option(label="아이보리")
    page.get_by_label("사이즈", exact=True).select_option(label="M")
    page.get_by_role("button", name=ADD_TO_CART).tap()
    expect(page).to_have_url(re.compile(r"/cart/$"))
    page.goto(f"/products/{catalog.cotton.pk}/")
    page.get_by_label("사이즈", exact=True).select_option(label="FREE")
    page.get_by_role("button", name=ADD_TO_CART).tap()
    expect(page).to_have_url(re.compile(r"/cart/$"))
    expect(page.locator(".cart-line")).to_have_count(2)
    page.locator("button[name=action][value=order]").tap()

    # Checkout: the best combination puts the coupon on the order; use 2,000원 of points too.
    expect(page).to_have_url(re.compile(r"/checkout/"))
    expect(page.locator("[name=recipient]")).to_have_value("박쿠폰")
    expect(page.locator("select[name=coupon_cart]")).to_have_value(str(issued.pk))
    summary = page.locator(".summary")
    expect(summary).to_contain_text("5,000원")  # 10% of 58,900원, capped at 5,000원
    page.locator("input[name=points_amount]").fill("2000")
    page.locator("#benefits button[name=action][value=apply]").last.tap()
    expect(page.locator("input[name=points_amount]")).to_have_value("2000")
    expect(page.locator(".summary__total")).to_contain_text("51,900원")  # 58,900 − 5,000 − 2,000
    page.locator("input[name=payment_method][value=card]").check()
    page.locator("input[name=agree]").check()
    page.locator(".summary").scroll_into_view_if_needed()
    snap(page, "checkout")
    page.locator("form.checkout .buy-bar button[type=submit]").tap()

    # The sandbox PG's window, then the order is paid.
    expect(page).to_have_url(re.compile(r"/pg-sandbox/pay/\?token="))
    expect(page.locator(".pg-window__amount")).to_have_text("51,900원")
    page.locator("select#card").select_option("신한카드")
    page.get_by_role("button", name="결제 승인").tap()
    order = Order.objects.get(user=shopper)
    expect(page).to_have_url(re.compile(rf"/orders/{order.number}/complete/$"))

    # The order page: each item shows its share of the coupon and of the points.
    page.goto(f"/orders/{order.number}/")
    lines = page.locator(".order-line")
    expect(lines).to_have_count(2)
    cashmere_line = order.lines.get(product=catalog.cashmere)
    cotton_line = order.lines.get(product=catalog.cotton)
    for line in (cashmere_line, cotton_line):
        box = lines.filter(has_text=line.product_name)
        expect(box).to_contain_text(f"−{line.discount_share_amount:,}원")
        expect(box).to_contain_text(f"−{line.points_share_amount:,}원")
        expect(box).to_contain_text(f"{line.paid_amount:,}원")
    page.locator(".order-line").first.scroll_into_view_if_needed()
    snap(page, "order-detail", full_page=True)

    # The database agrees to the won: the coupon used once, its discount split over both lines
    # (largest remainder), 2,000 points spent, the shopper's coupon box has it under "used".
    order.refresh_from_db()
    assert (order.items_amount, order.discount_amount, order.points_amount, order.total_amount) == (
        58900, 5000, 2000, 51900)
    discounts = {row.line_id: row.amount for row in OrderLineDiscount.objects.filter(issued_coupon=issued)}
    assert discounts == {cashmere_line.pk: 3311, cotton_line.pk: 1689}
    assert cashmere_line.discount_share_amount + cotton_line.discount_share_amount == 5000
    assert cashmere_line.points_share_amount + cotton_line.points_share_amount == 2000
    issued.refresh_from_db()
    assert issued.status == IssuedCoupon.Status.USED and issued.order == order
    assert PointEntry.objects.get(user=shopper, kind=PointEntry.Kind.USE).amount == -2000

    page.goto("/mypage/coupons/?tab=used")
    expect(page.locator(".coupon", has_text="니트 기획전 10%")).to_contain_text(order.number)
    page.goto("/mypage/points/")
    expect(page.locator(".points-summary__balance")).to_contain_text("3,000원")
    expect(page.locator(".points-ledger")).to_contain_text(order.number)
    snap(page, "points")
