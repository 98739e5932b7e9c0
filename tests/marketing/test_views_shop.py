from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from marketing.models import Coupon, IssuedCoupon, PointEntry
from tests.accounts.factories import UserFactory
from tests.catalog.factories import CategoryFactory, ProductFactory, SKUFactory
from tests.marketing.factories import CouponFactory, give_coupon, give_points
from tests.partners.factories import SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper():
    return UserFactory(name="김쇼핑")


@pytest.fixture
def shopper_client(client, shopper):
    client.force_login(shopper)
    return client


def _product(**fields):
    product = ProductFactory(**fields)
    SKUFactory(product=product)
    return product


def _downloadable(**fields):
    defaults = {"downloadable": True, "valid_days": 14}
    defaults.update(fields)
    return CouponFactory(**defaults)


# --- Product page ------------------------------------------------------------------------------

def test_product_page_shows_only_the_downloadable_coupons_that_apply(client):
    parent = CategoryFactory(name="의류")
    child = CategoryFactory(name="니트", parent=parent)
    seller = SellerFactory()
    product = _product(category=child, seller=seller)
    other = _product()
    shown = [
        _downloadable(name="전 상품 3천원"),
        _downloadable(name="의류 10%", scope=Coupon.Scope.CATEGORIES, discount_type="percent", discount_value=10,
                      max_discount_amount=5000),
        _downloadable(name="이 상품 전용", scope=Coupon.Scope.PRODUCTS),
        _downloadable(name="이 판매자 전용", scope=Coupon.Scope.SELLERS),
        _downloadable(name="판매자 부담", funder=Coupon.Funder.SELLER, funding_seller=seller, seller_share_percent=100),
    ]
    shown[1].categories.set([parent])
    shown[2].products.set([product])
    shown[3].sellers.set([seller])
    hidden = [
        _downloadable(name="다른 상품 전용", scope=Coupon.Scope.PRODUCTS),
        _downloadable(name="제외됨"),
        _downloadable(name="다운로드 불가", downloadable=False),
        _downloadable(name="일시 중지", status=Coupon.Status.PAUSED),
        _downloadable(name="기간 끝남", valid_days=None, valid_until=timezone.now() - timedelta(hours=1)),
        _downloadable(name="모두 소진", total_limit=1, issued_count=1),
        _downloadable(name="다른 판매자 부담", funder=Coupon.Funder.SELLER, funding_seller=SellerFactory()),
    ]
    hidden[0].products.set([other])
    hidden[1].excluded_products.set([product])

    html = client.get(reverse("shop:product", args=[product.pk])).content.decode()

    for coupon in shown:
        assert coupon.name in html
    for coupon in hidden:
        assert coupon.name not in html
    assert reverse("shop:coupon_download", args=[shown[0].pk]) in html
    assert "10% off" in html and "up to ₩5,000" in html


def test_product_page_without_coupons_has_no_coupon_block(client):
    product = _product()
    html = client.get(reverse("shop:product", args=[product.pk])).content.decode()
    assert "product-coupons" not in html


def test_product_page_says_downloaded_for_a_coupon_the_shopper_has(shopper_client, shopper):
    product = _product()
    owned = _downloadable(name="받은 쿠폰")
    IssuedCoupon.objects.create(coupon=owned, user=shopper, source="download")
    _downloadable(name="아직 안 받은 쿠폰")

    html = shopper_client.get(reverse("shop:product", args=[product.pk])).content.decode()

    assert html.count("Downloaded") == 1
    assert reverse("shop:coupon_download", args=[owned.pk]) not in html


@pytest.mark.parametrize("count", [2, 12])
def test_product_page_coupon_block_runs_constant_queries(shopper_client, shopper, count,
                                                        django_assert_num_queries):
    product = _product()
    for index in range(count):
        coupon = _downloadable(name=f"쿠폰 {index}")
        if index % 2:
            IssuedCoupon.objects.create(coupon=coupon, user=shopper, source="download")
    # session, user, the cart count, the product's seller (the page cache's key), the product page's 4
    # catalog queries (catalog.selectors.get_product_for_shop), one for its coupons (with the shopper's
    # owned counts) and one for the product-page banner slot
    with django_assert_num_queries(10):
        response = shopper_client.get(reverse("shop:product", args=[product.pk]))
    assert response.content.decode().count("product-coupon__name") == count


# --- Download --------------------------------------------------------------------------------

def test_download_puts_the_coupon_in_the_box_and_goes_back(shopper_client, shopper):
    product = _product()
    coupon = _downloadable(name="웰컴 쿠폰")
    back = reverse("shop:product", args=[product.pk])

    response = shopper_client.post(reverse("shop:coupon_download", args=[coupon.pk]), {"next": back})

    assert response.status_code == 302 and response["Location"] == back
    issued = IssuedCoupon.objects.get(user=shopper)
    assert issued.coupon == coupon and issued.source == "download"
    html = shopper_client.get(back).content.decode()
    assert "웰컴 쿠폰" in html and "Downloaded" in html


def test_download_twice_says_why_and_issues_once(shopper_client, shopper):
    coupon = _downloadable()
    url = reverse("shop:coupon_download", args=[coupon.pk])
    shopper_client.post(url)

    response = shopper_client.post(url, follow=True)

    assert "You already have this coupon." in response.content.decode()
    assert IssuedCoupon.objects.filter(user=shopper).count() == 1
    coupon.refresh_from_db()
    assert coupon.issued_count == 1


def test_download_needs_login_and_comes_back_to_the_product(client):
    product = _product()
    coupon = _downloadable()
    back = reverse("shop:product", args=[product.pk])

    response = client.post(reverse("shop:coupon_download", args=[coupon.pk]), {"next": back})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert response["Location"].endswith("next=" + back)
    assert not IssuedCoupon.objects.exists()


def test_download_ignores_a_next_url_of_another_site(shopper_client):
    coupon = _downloadable()
    response = shopper_client.post(reverse("shop:coupon_download", args=[coupon.pk]),
                                   {"next": "https://evil.example.com/"})
    assert response["Location"] == reverse("shop:coupon_zone")


def test_download_is_post_only(shopper_client):
    coupon = _downloadable()
    assert shopper_client.get(reverse("shop:coupon_download", args=[coupon.pk])).status_code == 405
    assert not IssuedCoupon.objects.exists()


def test_a_coupon_that_is_not_downloadable_cannot_be_downloaded(shopper_client, shopper):
    coupon = CouponFactory(downloadable=False, valid_days=7)
    response = shopper_client.post(reverse("shop:coupon_download", args=[coupon.pk]), follow=True)
    assert "This coupon cannot be downloaded." in response.content.decode()
    assert not IssuedCoupon.objects.exists()


# --- Coupon zone and codes ---------------------------------------------------------------------

def test_coupon_zone_lists_downloadable_coupons_with_terms(client):
    _downloadable(name="가을 세일 10%", discount_type="percent", discount_value=10, max_discount_amount=5000,
                  min_order_amount=30000)
    seller = SellerFactory(name="니트하우스")
    by_seller = _downloadable(name="니트하우스 쿠폰", scope=Coupon.Scope.SELLERS, kind=Coupon.Kind.PRODUCT)
    by_seller.sellers.set([seller])
    CouponFactory(name="숨은 쿠폰", downloadable=False, valid_days=7)

    html = client.get(reverse("shop:coupon_zone")).content.decode()

    assert "가을 세일 10%" in html and "니트하우스 쿠폰" in html and "숨은 쿠폰" not in html
    assert "On orders of ₩30,000 or more" in html
    assert "Up to ₩5,000 off" in html
    assert "Stores: 니트하우스" in html
    assert "Valid for 14 days after download" in html
    assert reverse("shop:coupon_redeem") in html


@pytest.mark.parametrize("count", [2, 20])
def test_coupon_zone_runs_constant_queries(shopper_client, shopper, count, django_assert_num_queries):
    category = CategoryFactory()
    for index in range(count):
        coupon = _downloadable(scope=Coupon.Scope.CATEGORIES)
        coupon.categories.set([category])
        if index % 3 == 0:
            IssuedCoupon.objects.create(coupon=coupon, user=shopper, source="download")
    # session, user, coupons (with owned counts), their 4 scope lists, the header's cart count
    with django_assert_num_queries(8):
        response = shopper_client.get(reverse("shop:coupon_zone"))
    assert response.content.decode().count('class="coupon ') + response.content.decode().count('class="coupon"') == count


def test_redeem_a_code_puts_the_coupon_in_the_box(shopper_client, shopper):
    CouponFactory(name="코드 쿠폰", code="HELLO2026", valid_days=7)
    response = shopper_client.post(reverse("shop:coupon_redeem"),
                                   {"code": " hello2026 ", "next": reverse("shop:coupon_box")}, follow=True)
    assert "“코드 쿠폰” is in your coupon box." in response.content.decode()
    assert IssuedCoupon.objects.get(user=shopper).source == "code"


def test_redeem_an_unknown_or_empty_code_shows_an_error(shopper_client):
    response = shopper_client.post(reverse("shop:coupon_redeem"), {"code": "NOPE"}, follow=True)
    assert "There is no coupon with that code." in response.content.decode()
    response = shopper_client.post(reverse("shop:coupon_redeem"), {"code": ""}, follow=True)
    assert "Enter a coupon code." in response.content.decode()
    assert not IssuedCoupon.objects.exists()


def test_redeem_needs_login(client):
    CouponFactory(code="HELLO2026", valid_days=7)
    response = client.post(reverse("shop:coupon_redeem"), {"code": "HELLO2026"})
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not IssuedCoupon.objects.exists()


# --- Coupon box --------------------------------------------------------------------------------

def test_coupon_box_needs_login(client):
    response = client.get(reverse("shop:coupon_box"))
    assert response["Location"].startswith(reverse("accounts:login"))


def test_coupon_box_tabs_sort_coupons_by_state(shopper_client, shopper):
    now = timezone.now()
    usable = give_coupon(shopper, name="쓸 수 있는 쿠폰", discount_type="percent", discount_value=10,
                         max_discount_amount=5000, min_order_amount=20000)
    IssuedCoupon.objects.filter(pk=usable.pk).update(expires_at=now + timedelta(days=3))
    used = give_coupon(shopper, name="쓴 쿠폰")
    IssuedCoupon.objects.filter(pk=used.pk).update(status=IssuedCoupon.Status.USED, used_at=now)
    expired = give_coupon(shopper, name="기간 지난 쿠폰")
    IssuedCoupon.objects.filter(pk=expired.pk).update(expires_at=now - timedelta(days=1))
    give_coupon(shopper, name="종료된 쿠폰", status=Coupon.Status.ENDED)
    give_coupon(UserFactory(), name="남의 쿠폰")

    html = shopper_client.get(reverse("shop:coupon_box")).content.decode()
    assert "쓸 수 있는 쿠폰" in html and "쓴 쿠폰" not in html and "기간 지난 쿠폰" not in html
    assert "남의 쿠폰" not in html
    assert "10%" in html and "Up to ₩5,000 off" in html and "On orders of ₩20,000 or more" in html
    assert "D-3" in html
    assert "Every product" in html

    html = shopper_client.get(reverse("shop:coupon_box") + "?tab=used").content.decode()
    assert "쓴 쿠폰" in html and "쓸 수 있는 쿠폰" not in html

    html = shopper_client.get(reverse("shop:coupon_box") + "?tab=expired").content.decode()
    assert "기간 지난 쿠폰" in html and "종료된 쿠폰" in html and "쓸 수 있는 쿠폰" not in html


def test_coupon_box_shows_the_source_and_an_unknown_tab_falls_back(shopper_client, shopper):
    coupon = _downloadable(name="다운 쿠폰", kind=Coupon.Kind.SHIPPING)
    IssuedCoupon.objects.create(coupon=coupon, user=shopper, source="download")
    html = shopper_client.get(reverse("shop:coupon_box") + "?tab=bogus").content.decode()
    assert "다운 쿠폰" in html and "Downloaded" in html and "Shipping coupon" in html


@pytest.mark.parametrize("count", [2, 20])
def test_coupon_box_runs_constant_queries(shopper_client, shopper, count, django_assert_num_queries):
    category = CategoryFactory()
    for _ in range(count):
        issued = give_coupon(shopper, scope=Coupon.Scope.CATEGORIES, funder=Coupon.Funder.SELLER,
                             funding_seller=SellerFactory(), seller_share_percent=50)
        issued.coupon.categories.set([category])
    # session, user, tab counts, coupons (with coupon, seller, order), 4 scope lists, cart count
    with django_assert_num_queries(9):
        response = shopper_client.get(reverse("shop:coupon_box"))
    assert response.content.decode().count("coupon--usable") == count


# --- Points ----------------------------------------------------------------------------------

def test_points_page_shows_balance_expiring_and_history(shopper_client, shopper):
    give_points(shopper, 5000, expires_in_days=10)
    give_points(shopper, 3000, expires_in_days=200)
    PointEntry.objects.create(user=shopper, kind=PointEntry.Kind.DEDUCT, amount=-1000, reason="이벤트 회수")

    html = shopper_client.get(reverse("shop:points")).content.decode()

    assert "₩7,000" in html  # balance
    assert "Expiring within 30 days: <strong>₩5,000</strong>" in html
    assert "+₩3,000" in html and "−₩1,000" in html
    assert "이벤트 회수" in html


def test_points_page_links_the_order(shopper_client, shopper):
    from orders.services import place_order
    from tests.orders.factories import DELIVERY, make_product

    _, (sku,) = make_product()
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    PointEntry.objects.create(user=shopper, kind=PointEntry.Kind.RESTORE, amount=500, remaining=500,
                              order=order, reason="주문 취소", expires_at=timezone.now() + timedelta(days=300))
    html = shopper_client.get(reverse("shop:points")).content.decode()
    assert reverse("shop:order_detail", args=[order.number]) in html


def test_points_page_is_paginated(shopper_client, shopper):
    for index in range(25):
        give_points(shopper, 100 + index)
    first = shopper_client.get(reverse("shop:points")).content.decode()
    second = shopper_client.get(reverse("shop:points") + "?page=2").content.decode()
    assert "+₩124" in first and "+₩100" not in first
    assert "+₩100" in second and "2 / 2" in second


def test_points_page_without_points(shopper_client):
    html = shopper_client.get(reverse("shop:points")).content.decode()
    assert "No points yet." in html


def test_points_page_needs_login(client):
    assert client.get(reverse("shop:points"))["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("count", [2, 20])
def test_points_page_runs_constant_queries(shopper_client, shopper, count, django_assert_num_queries):
    for _ in range(count):
        give_points(shopper, 1000, expires_in_days=5)
    # session, user, summary, expiring credits, page count, page of entries, cart count
    with django_assert_num_queries(7):
        shopper_client.get(reverse("shop:points"))


# --- My page -----------------------------------------------------------------------------------

def test_mypage_shows_points_balance_usable_coupons_and_links(shopper_client, shopper):
    give_points(shopper, 12300)
    give_coupon(shopper)
    give_coupon(shopper)
    used = give_coupon(shopper)
    IssuedCoupon.objects.filter(pk=used.pk).update(status=IssuedCoupon.Status.USED)

    html = shopper_client.get(reverse("accounts:mypage")).content.decode()

    assert "₩12,300" in html
    assert "2 coupons" in html
    assert reverse("shop:coupon_box") in html and reverse("shop:points") in html
    assert "Coming soon" not in html
