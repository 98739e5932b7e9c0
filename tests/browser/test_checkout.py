"""A shopper on a phone buys: cart → checkout → the sandbox PG's window → order complete → my orders.

The sandbox PG's deposit callback is a real HTTP request from the live server to itself
(settings.SITE_URL is the live server): the server is threaded, so it answers it while the
deposit request waits.
"""

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order, OrderLine, Payment, PaymentEvent, SandboxPGCallback
from tests.accounts.factories import PASSWORD, AddressFactory, UserFactory
from tests.browser.conftest import ADD_TO_CART, BUY_NOW, PAID, log_in_with_cookie, log_in_with_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHECKOUT_FIELDS = {"recipient": "김구매", "phone": "010-1234-5678", "postcode": "06236",
                   "address1": "서울특별시 강남구 테헤란로 152", "address2": "12층"}


def choose_options(page, *, colour: str, size: str) -> None:
    page.get_by_label("색상", exact=True).select_option(label=colour)
    page.get_by_label("사이즈", exact=True).select_option(label=size)
    expect(page.locator("[data-selected-sku]")).to_be_visible()


def test_card_checkout(page, catalog, snap):
    shopper = UserFactory(email="buyer@example.com", name="김구매")
    sku = catalog.sku(catalog.cashmere, "아이보리 / M")

    # Log in with the form, as a shopper does.
    page.goto("/accounts/login/")
    log_in_with_form(page, email=shopper.email, password=PASSWORD)
    expect(page.locator(".tab-bar a[href='/accounts/mypage/']")).to_be_visible()

    # The product page: choose 아이보리 / M, two of them, into the cart.
    page.goto(f"/products/{catalog.cashmere.pk}/")
    choose_options(page, colour="아이보리", size="M")
    page.locator("[data-step='1']").tap()
    expect(page.locator("[data-buy-bar-price]")).to_have_text("78,000원")
    page.get_by_role("button", name=ADD_TO_CART).tap()

    # The cart: the line is there, selected; order it.
    expect(page).to_have_url(re.compile(r"/cart/$"))
    line = page.locator(".cart-line")
    expect(line).to_have_count(1)
    expect(line).to_contain_text(catalog.cashmere.name)
    expect(line).to_contain_text("아이보리 / M")
    expect(page.locator(".summary__total")).to_contain_text("78,000원")  # free shipping from 50,000원
    snap(page, "cart")
    page.locator("button[name=action][value=order]").tap()

    # Checkout: type the address (no saved one yet), card, agree, pay.
    expect(page).to_have_url(re.compile(r"/checkout/"))
    for name, value in CHECKOUT_FIELDS.items():
        page.locator(f"[name={name}]").fill(value)
    page.locator("input[name=save_address]").check()
    page.locator("input[name=payment_method][value=card]").check()
    page.locator("input[name=agree]").check()
    expect(page.locator(".summary__total")).to_contain_text("78,000원")
    page.locator(".pay-methods").scroll_into_view_if_needed()
    snap(page, "checkout")
    page.locator("form.checkout [data-pay]").tap()

    # The sandbox PG's payment window.
    expect(page).to_have_url(re.compile(r"/pg-sandbox/pay/\?token="))
    expect(page.locator(".pg-window__amount")).to_have_text("78,000원")
    page.locator("select#card").select_option("신한카드")
    snap(page, "pg-window")
    page.get_by_role("button", name="결제 승인").tap()

    # Order complete, with its number.
    order = Order.objects.get(user=shopper)
    expect(page).to_have_url(re.compile(rf"/orders/{order.number}/complete/$"))
    expect(page.locator(".order-number")).to_contain_text(order.number)
    expect(page.locator(".order-complete")).to_contain_text("신한카드")
    snap(page, "complete")

    # My page → my orders lists it as paid.
    page.locator(".tab-bar a[href='/accounts/mypage/']").tap()
    page.locator("a.menu-list__item[href='/orders/']").tap()
    card = page.locator(".order-card", has_text=order.number)
    expect(card).to_be_visible()
    expect(card.locator(".status")).to_have_text(PAID)
    expect(card).to_contain_text("78,000원")
    snap(page, "my-orders")

    # The database agrees: paid, stock taken, the address saved, the cart emptied.
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID
    assert order.total_amount == 78000
    assert order.payment.status == Payment.Status.DONE
    assert list(order.lines.values_list("sku_id", "quantity", "status")) == [(sku.pk, 2, OrderLine.Status.PAID)]
    sku.refresh_from_db()
    assert sku.stock_quantity == 20 - 2
    assert shopper.addresses.filter(postcode="06236").exists()
    assert not shopper.cart.lines.exists()


def test_virtual_account_paid_by_the_deposit_button(page, phone, client, site, catalog, snap):
    shopper = UserFactory(name="이입금")
    AddressFactory(user=shopper, recipient="이입금", label="집")
    sku = catalog.sku(catalog.cardigan, "블랙 / S")
    log_in_with_cookie(phone, client, shopper, site.url)

    # Buy now: straight to checkout with the saved address filled in.
    page.goto(f"/products/{catalog.cardigan.pk}/")
    choose_options(page, colour="블랙", size="S")
    page.get_by_role("button", name=BUY_NOW).tap()
    expect(page).to_have_url(re.compile(r"/checkout/\?mode=now"))
    expect(page.locator("[name=recipient]")).to_have_value("이입금")
    expect(page.locator("[name=address1]")).to_have_value("서울특별시 강남구 테헤란로 152")
    page.locator("input[name=payment_method][value=virtual_account]").check()
    page.locator("input[name=agree]").check()
    page.locator("form.checkout [data-pay]").tap()

    # The window: choose a bank and have the account issued.
    expect(page).to_have_url(re.compile(r"/pg-sandbox/pay/"))
    page.locator("select#bank").select_option(label="신한은행")
    snap(page, "pg-window")
    page.get_by_role("button", name="계좌 발급").tap()

    # The complete page tells where and by when to pay.
    order = Order.objects.get(user=shopper)
    expect(page).to_have_url(re.compile(rf"/orders/{order.number}/complete/$"))
    payment = Payment.objects.get(order=order)
    assert payment.status == Payment.Status.WAITING_FOR_DEPOSIT
    box = page.locator(".order-complete")
    expect(box).to_contain_text("신한은행")
    expect(box.locator(".account-number")).to_have_text(payment.account_number)
    expect(box).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"))  # the deadline
    assert order.payment_status == Order.PaymentStatus.AWAITING
    sku.refresh_from_db()
    assert sku.stock_quantity == 19  # held for the order while it waits for the deposit
    snap(page, "complete")

    # The sandbox PG's console: press 입금 on this order's row.
    box.get_by_role("link", name=re.compile(r"샌드박스|sandbox", re.IGNORECASE)).tap()
    expect(page).to_have_url(re.compile(r"/pg-sandbox/$"))
    row = page.locator("tr", has_text=order.number)
    expect(row).to_contain_text("WAITING_FOR_DEPOSIT")
    snap(page, "console")
    row.get_by_role("button", name="입금").tap()
    expect(page).to_have_url(re.compile(r"/pg-sandbox/$"))
    expect(page.locator("tr", has_text=order.number)).to_contain_text("DONE")

    # The callback reached the shop: the order page (reloaded) says paid.
    page.goto(f"/orders/{order.number}/")
    expect(page.locator(".order-line .status")).to_have_text(PAID)
    snap(page, "paid")
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID
    assert order.payment.status == Payment.Status.DONE
    assert set(order.lines.values_list("status", flat=True)) == {OrderLine.Status.PAID}
    callback = SandboxPGCallback.objects.get(event_type="DEPOSIT_CALLBACK")
    assert (callback.delivered, callback.last_status, callback.attempts) == (True, 200, 1)
    assert callback.url == f"{site.url}/payments/webhook/sandbox/"
    assert PaymentEvent.objects.filter(order_number=order.number, status=PaymentEvent.Status.PROCESSED).exists()


def test_guest_cart_follows_the_shopper_at_login(page, catalog, snap):
    shopper = UserFactory(email="guest@example.com")

    # A guest taps "add to cart" before choosing: the page asks for the options and stays.
    page.goto(f"/products/{catalog.cashmere.pk}/")
    page.get_by_role("button", name=ADD_TO_CART).tap()
    expect(page.locator("[data-selected-label]")).to_have_text(re.compile(r"옵션|option", re.IGNORECASE))
    expect(page.get_by_label("색상", exact=True)).to_be_focused()
    expect(page).to_have_url(re.compile(rf"/products/{catalog.cashmere.pk}/$"))

    # Then puts 아이보리 / S in the cart.
    choose_options(page, colour="아이보리", size="S")
    page.get_by_role("button", name=ADD_TO_CART).tap()
    expect(page).to_have_url(re.compile(r"/cart/$"))
    expect(page.locator(".cart-line")).to_contain_text(catalog.cashmere.name)

    # Then logs in: on a phone the tab bar's "My page" leads a guest to the login page, and back.
    page.locator(".tab-bar a[href^='/accounts/login/']").tap()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/cart/"))
    log_in_with_form(page, email=shopper.email, password=PASSWORD)
    expect(page).to_have_url(re.compile(r"/cart/$"))
    expect(page.locator(".tab-bar a[href='/accounts/mypage/']")).to_be_visible()

    # The cart is the member's now and still holds the item.
    page.locator("a.cart-link").tap()
    line = page.locator(".cart-line")
    expect(line).to_have_count(1)
    expect(line).to_contain_text("아이보리 / S")
    snap(page, "cart-after-login")
    cart_lines = list(shopper.cart.lines.values_list("sku_id", "quantity"))
    assert cart_lines == [(catalog.sku(catalog.cashmere, "아이보리 / S").pk, 1)]


# --- Issue 9: one order per checkout; points only when asked -----------------------------------


def _to_checkout(page, phone, client, site, shopper, sku, *, quantity=1):
    from orders.models import Cart

    AddressFactory(user=shopper, recipient=shopper.name, label="집", is_default=True)
    Cart.objects.create(user=shopper).lines.create(sku=sku, quantity=quantity)
    log_in_with_cookie(phone, client, shopper, site.url)
    page.goto("/checkout/")
    expect(page.locator("[name=recipient]")).to_have_value(shopper.name)


@pytest.mark.parametrize("script_guard", [True, False], ids=["as-shipped", "without-the-script-guard"])
def test_a_double_click_on_the_pay_button_makes_one_order(page, phone, client, site, catalog, snap, script_guard):
    """The last unit, a double click on 결제하기: one order, the shopper lands in the PG window of
    it (not on "sold out"). Without the page's script guard both requests reach the server, which
    places the order once (the form's one-time token)."""
    from catalog.models import SKU

    shopper = UserFactory(name="최더블")
    sku = catalog.sku(catalog.cashmere, "아이보리 / M")
    SKU.objects.filter(pk=sku.pk).update(stock_quantity=1)
    _to_checkout(page, phone, client, site, shopper, sku)
    page.locator("input[name=payment_method][value=card]").check()
    page.locator("input[name=agree]").check()
    if not script_guard:
        page.evaluate("document.querySelector('form.checkout').removeAttribute('data-checkout')")
    page.locator("form.checkout [data-pay]").dblclick()
    expect(page).to_have_url(re.compile(r"/pg-sandbox/pay/\?token="))
    snap(page, "pg-window-after-double-click")
    assert Order.objects.filter(user=shopper).count() == 1
    assert SKU.objects.get(pk=sku.pk).stock_quantity == 0
    order = Order.objects.get(user=shopper)
    expect(page.locator(".pg-window__amount")).to_have_text(f"{order.total_amount:,}원")


def test_changing_a_coupon_does_not_spend_the_points(page, phone, client, site, catalog, snap):
    from marketing.models import Coupon
    from marketing.services.points import balance
    from tests.marketing.factories import give_coupon, give_points

    shopper = UserFactory(name="정포인트")
    give_points(shopper, 5000)
    small = give_coupon(shopper, kind=Coupon.Kind.CART, discount_value=1000, name="천원 쿠폰")
    give_coupon(shopper, kind=Coupon.Kind.CART, discount_value=3000, name="삼천원 쿠폰")
    sku = catalog.sku(catalog.cashmere, "아이보리 / M")
    _to_checkout(page, phone, client, site, shopper, sku)
    expect(page.locator("input[name=points_amount]")).to_have_value("")

    # The shopper picks the smaller coupon: the page recalculates, and spends no points.
    page.locator("select[name=coupon_cart]").select_option(str(small.pk))
    expect(page.locator("select[name=coupon_cart]")).to_have_value(str(small.pk))
    expect(page.locator("input[name=points_amount]")).to_have_value("")
    expect(page.locator(".summary")).to_contain_text("−1,000원")  # the coupon chosen
    expect(page.locator(".summary")).not_to_contain_text("−5,000원")  # no points
    snap(page, "coupon-changed")

    # Only "use all points" uses them.
    page.locator("button[name=action][value=use_points]").tap()
    expect(page.locator("input[name=points_amount]")).to_have_value("5000")
    expect(page.locator(".summary")).to_contain_text("−5,000원")
    assert balance(user=shopper) == 5000 and not Order.objects.filter(user=shopper).exists()
