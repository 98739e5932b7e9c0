"""The storefront's cached pages: nothing stale that matters, nothing of one shopper in another's page.

Every page that shows a product (home, its category, a search that finds it, its own page) is
requested once to fill the cache, the product is changed through the service that changes it,
and the very next request must show the change. A control request without the write shows the
page really came from the cache (so each test can fail).
"""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.roles import OPERATOR_GROUPS
from catalog.models import Product
from catalog.services import change_product_status, create_category, create_product, reserve_stock, set_stock
from core import cache_versions
from partners.services import suspend_seller, update_shipping_policy
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.catalog.factories import BrandFactory
from tests.partners.factories import SellerFactory

pytestmark = pytest.mark.django_db

SEARCH_WORD = "캐시니트"


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.STOREFRONT_CACHE_SECONDS = 600
    settings.CATALOG_LIST_CACHE_SECONDS = 600
    cache.clear()


@pytest.fixture
def category():
    return create_category(name="캐시 카테고리", slug="cache-category")


def _make(category, *, name=f"{SEARCH_WORD} 가디건", price=15900, stock=10, seller=None, sales_count=0):
    product = create_product(seller=seller or SellerFactory(), category=category, brand=BrandFactory(), name=name,
                             list_price_amount=price, sale_price_amount=price, options=[], initial_stock=stock)
    if sales_count:
        Product.objects.filter(pk=product.pk).update(sales_count=sales_count)
    return product


def _pages(product):
    """Every page that shows the product: home, its category, a search for it, its own page."""
    return {
        "home": reverse("shop:home"),
        "category": reverse("shop:category", args=[product.category.slug]),
        "search": reverse("shop:search") + f"?q={SEARCH_WORD}",
        "product": reverse("shop:product", args=[product.pk]),
    }


def _fill(client, pages):
    for url in pages.values():
        assert client.get(url).status_code == 200


def _html(client, url):
    return client.get(url).content.decode()


def _card_ids(html):
    return [int(pk) for pk in re.findall(r'class="product-card" href="/products/(\d+)/"', html)]


def _shows_sold_out(name, html, product):
    if name == "product":
        return 'class="product-page is-sold-out"' in html
    card = re.search(rf'class="product-card" href="/products/{product.pk}/".*?</a>', html, re.S)
    assert card, f"no card of the product on the {name} page"
    return "product-card__soldout" in card.group(0)


def _list_pages(pages):
    return {name: url for name, url in pages.items() if name != "product"}


# --- the cache really serves ----------------------------------------------------------------------


def test_an_unannounced_write_is_not_seen_so_the_pages_are_cached(client, category):
    """The control: a change made without its version bump stays invisible (the cache served)."""
    product = _make(category, price=15900)
    pages = _pages(product)
    _fill(client, pages)

    Product.objects.filter(pk=product.pk).update(sale_price_amount=12300)

    for url in pages.values():
        html = _html(client, url)
        assert "15,900" in html and "12,300" not in html


def test_a_cached_page_runs_no_catalog_queries(client, category, django_assert_max_num_queries):
    product = _make(category)
    pages = _pages(product)
    _fill(client, pages)
    for name, url in pages.items():
        # Anonymous: nothing for the header; the product page asks marketing for its coupons.
        with django_assert_max_num_queries(1 if name == "product" else 0):
            assert client.get(url).status_code == 200


# --- staleness: each change visible on the very next request of every page ------------------------


def test_a_price_change_is_seen_at_once_on_every_page(client, category):
    product = _make(category, price=15900)
    pages = _pages(product)
    _fill(client, pages)

    # No price-editing service exists yet; whoever writes one bumps like this after the update.
    Product.objects.filter(pk=product.pk).update(list_price_amount=12300, sale_price_amount=12300)
    cache_versions.bump_products(product.pk)

    for name, url in pages.items():
        html = _html(client, url)
        assert "12,300" in html, name
        assert "15,900" not in html, name


def test_a_sell_out_is_seen_at_once_on_every_page(client, category):
    product = _make(category, stock=1)
    pages = _pages(product)
    _fill(client, pages)
    for name, url in pages.items():
        assert not _shows_sold_out(name, _html(client, url), product)

    reserve_stock(items=[(product.skus.get().pk, 1)], reference="ORDER-1")  # the last unit is ordered

    for name, url in pages.items():
        assert _shows_sold_out(name, _html(client, url), product), name
    in_stock_only = _html(client, pages["category"] + "?in_stock=on")
    assert product.pk not in _card_ids(in_stock_only)


def test_stock_coming_back_is_seen_at_once(client, category):
    product = _make(category, stock=0)
    pages = _pages(product)
    _fill(client, pages)

    for name, url in pages.items():
        assert _shows_sold_out(name, _html(client, url), product)

    set_stock(sku_id=product.skus.get().pk, quantity=40, actor=None)

    for name, url in pages.items():
        assert not _shows_sold_out(name, _html(client, url), product), name


def test_few_left_on_the_product_page_follows_each_sale(client, category):
    product = _make(category, stock=4)
    url = reverse("shop:product", args=[product.pk])
    assert "Only 4 left" in _html(client, url)

    reserve_stock(items=[(product.skus.get().pk, 1)], reference="ORDER-2")

    assert "Only 3 left" in _html(client, url)


def test_a_sale_far_above_the_shown_stock_keeps_the_cache(client, category, django_assert_max_num_queries):
    """Checkout takes stock on every order; above what a page shows, no page is thrown away."""
    product = _make(category, stock=500)
    pages = _pages(product)
    _fill(client, pages)

    reserve_stock(items=[(product.skus.get().pk, 1)], reference="ORDER-3")

    for name, url in pages.items():
        with django_assert_max_num_queries(1 if name == "product" else 0):
            assert client.get(url).status_code == 200


def test_a_hidden_product_leaves_every_page_at_once(client, category):
    product = _make(category)
    pages = _pages(product)
    _fill(client, pages)
    operator = OperatorFactory(groups=list(OPERATOR_GROUPS))

    change_product_status(product_id=product.pk, to=Product.Status.HIDDEN, actor=operator, as_operator=True)

    for name, url in _list_pages(pages).items():
        assert product.pk not in _card_ids(_html(client, url)), name
    assert client.get(pages["product"]).status_code == 404


def test_a_new_product_appears_at_once_on_every_list(client, category):
    old = _make(category, name=f"{SEARCH_WORD} 예전 상품")
    pages = _pages(old)
    _fill(client, pages)

    new = _make(category, name=f"{SEARCH_WORD} 새 상품")

    for name, url in _list_pages(pages).items():
        assert new.pk in _card_ids(_html(client, url)), name


def test_a_suspended_seller_disappears_from_every_page_at_once(client, category):
    seller = SellerFactory()
    product = _make(category, seller=seller)
    pages = _pages(product)
    _fill(client, pages)
    operator = OperatorFactory(groups=list(OPERATOR_GROUPS))

    suspend_seller(seller=seller, actor=operator, reason="위조 상품 신고")

    for name, url in _list_pages(pages).items():
        assert product.pk not in _card_ids(_html(client, url)), name
    assert client.get(pages["product"]).status_code == 404


def test_a_changed_shipping_policy_reaches_the_product_page(client, category):
    seller = SellerFactory(shipping_policy__base_fee_amount=3300, shipping_policy__free_threshold_amount=0)
    product = _make(category, seller=seller, price=15900)
    url = reverse("shop:product", args=[product.pk])
    assert "3,300" in _html(client, url)

    update_shipping_policy(seller=seller, actor=OperatorFactory(groups=list(OPERATOR_GROUPS)), base_fee_amount=2700)

    html = _html(client, url)
    assert "2,700" in html and "3,300" not in html


def test_a_changed_banner_is_seen_at_once_on_the_home_page(client, category):
    """Marketing's banner service (which bumps the banner version) against the cached home page."""
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from marketing.services.cms import save_banner
    from tests.accounts.factories import OperatorFactory

    _make(category)
    home = reverse("shop:home")
    assert 'class="hero"' in _html(client, home)
    assert 'class="hero"' in _html(client, home)  # now served from the page cache

    buffer = BytesIO()
    Image.new("RGB", (1200, 480), (30, 90, 200)).save(buffer, "PNG")
    banner = save_banner(actor=OperatorFactory(groups=["marketing"]), slot="home_hero", title="겨울 세일 배너",
                         subtitle="최대 50%", link_url="/search/?q=세일", audience="everyone", is_active=True,
                         starts_at=timezone.now() - timedelta(hours=1),
                         image_desktop=SimpleUploadedFile("b.png", buffer.getvalue(), content_type="image/png"))

    html = _html(client, home)
    assert "겨울 세일 배너" in html and 'class="hero"' not in html

    save_banner(banner=banner, actor=OperatorFactory(groups=["marketing"]), slot="home_hero", title="봄 세일 배너",
                link_url="/search/?q=봄", audience="everyone", is_active=True, starts_at=banner.starts_at)
    html = _html(client, home)
    assert "봄 세일 배너" in html and "겨울 세일 배너" not in html


def test_a_new_category_appears_in_the_category_bar_at_once(client, category):
    _make(category)
    _fill(client, {"home": reverse("shop:home")})

    create_category(name="새 카테고리", slug="brand-new-category")

    assert "새 카테고리" in _html(client, reverse("shop:home"))


def test_a_write_rolled_back_leaves_pages_correct(client, category):
    """A bump inside a transaction that rolls back costs a cache miss, never wrong data."""
    from django.db import transaction

    product = _make(category, price=15900)
    pages = _pages(product)
    _fill(client, pages)
    with pytest.raises(RuntimeError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(sale_price_amount=12300)
        cache_versions.bump_products(product.pk)
        raise RuntimeError("the write fails")

    for url in pages.values():
        assert "15,900" in _html(client, url)


# --- never one shopper's data in another's page ---------------------------------------------------


def _signed_in_with_cart(client, product, *, staff=False):
    user = (OperatorFactory if staff else UserFactory)()
    client.force_login(user)
    client.post("/cart/add/", {"sku": product.skus.get().pk, "quantity": 3})
    return user


def _csrf_in_form(html):
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)


def test_a_signed_in_shoppers_page_never_reaches_an_anonymous_one(client, category):
    from django.test import Client

    product = _make(category)
    pages = _pages(product)
    _signed_in_with_cart(client, product, staff=True)
    signed_in_tokens = set()
    for name, url in pages.items():
        html = _html(client, url)  # fills the cache as the signed-in operator
        assert 'class="cart-link__count">1<' in html, name
        assert "My page" in html and "Console" in html, name
        signed_in_tokens.update(_csrf_in_form(html))

    anonymous = Client()
    for name, url in pages.items():
        html = _html(anonymous, url)
        assert "cart-link__count" not in html, name
        assert "My page" not in html.split('class="tab-bar"')[0] and "Console" not in html, name
        assert "Log in" in html, name
        assert not signed_in_tokens & set(_csrf_in_form(html)), name


def test_an_anonymous_page_never_reaches_a_signed_in_shopper(client, category):
    from django.test import Client

    product = _make(category)
    pages = _pages(product)
    anonymous = Client()
    _fill(anonymous, pages)

    _signed_in_with_cart(client, product)
    for name, url in pages.items():
        html = _html(client, url)
        assert 'class="cart-link__count">1<' in html, name
        assert "My page" in html, name


def test_the_cached_product_pages_buy_form_carries_the_viewers_own_csrf_token(category):
    from django.test import Client

    product = _make(category)
    url = reverse("shop:product", args=[product.pk])
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get(url)  # fills the cache with the first shopper's page

    html = _html(second, url)
    tokens = _csrf_in_form(html)
    assert tokens and "csrf-stand-in" not in html

    response = second.post("/cart/add/", {"sku": product.skus.get().pk, "quantity": 1,
                                          "csrfmiddlewaretoken": tokens[0]})
    assert response.status_code == 302  # accepted: the token belongs to this shopper's cookie


def test_coupons_already_taken_stay_per_shopper(client, category):
    """The product page's coupon block is live: one shopper's download never shows for another."""
    from django.test import Client

    from marketing.models import IssuedCoupon
    from tests.marketing.factories import CouponFactory

    product = _make(category)
    coupon = CouponFactory(name="캐시 쿠폰", downloadable=True)
    url = reverse("shop:product", args=[product.pk])
    taker = UserFactory()
    client.force_login(taker)
    assert "캐시 쿠폰" in _html(client, url)
    IssuedCoupon.objects.create(coupon=coupon, user=taker, source="download")
    assert "Downloaded" in _html(client, url)

    other = Client()
    other.force_login(UserFactory())
    html = _html(other, url)
    assert "캐시 쿠폰" in html and "Downloaded" not in html


def test_each_language_has_its_own_cached_page(client, category, settings):
    product = _make(category)
    url = reverse("shop:product", args=[product.pk])
    assert "Add to cart" in _html(client, url)

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    html = _html(client, url)
    assert "장바구니" in html and "Add to cart" not in html


# --- queries and a cache that cannot answer -------------------------------------------------------


@pytest.mark.parametrize("count", [2, 20])
def test_pages_built_afresh_run_at_most_ten_constant_queries(client, category, count, django_assert_num_queries):
    products = [_make(category, name=f"{SEARCH_WORD} {index}") for index in range(count)]
    pages = _pages(products[0])
    # home: top categories, then ids, rows, main images per section; category: the category, count,
    # ids, rows, images, brand and seller facets, children, top categories; search: brands matching,
    # count, ids, rows, images, two facets; product: its seller, the product, then its
    # images, option values with their groups, SKUs with their value ids, banners, coupons.
    expected = {"home": 8, "category": 10, "search": 7, "product": 7}  # + marketing's banner slots
    for name, url in pages.items():
        cache.clear()
        with django_assert_num_queries(expected[name]):
            assert client.get(url).status_code == 200
        assert expected[name] <= 10


def test_pages_answer_from_the_database_when_the_cache_cannot(client, category, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    product = _make(category, price=15900)
    pages = _pages(product)
    _fill(client, pages)
    Product.objects.filter(pk=product.pk).update(sale_price_amount=12300)  # no bump reaches anything

    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200
        assert "12,300" in response.content.decode(), name


@pytest.mark.parametrize("shape", ["two option axes, level-3 category", "no options, top category"])
def test_the_signed_in_product_page_built_afresh_runs_ten_queries_whatever_the_product(
        client, category, shape, django_assert_num_queries):
    """A signed-in shopper with a cart, the page cache cold: at most 10 queries, the same for any product.

    The session, the user and the cart count (the header), the product's seller id (first visit
    after a flush), the product joined with its seller, brand and every ancestor category (the
    breadcrumbs), its images, its option values with their groups, its SKUs with their value ids,
    marketing's banners (cold) and the shopper's coupons.
    """
    from catalog.services.products import OptionSpec

    if shape.startswith("two"):
        middle = create_category(name="중분류", slug="middle", parent=category)
        leaf = create_category(name="소분류", slug="leaf", parent=middle)
        product = create_product(seller=SellerFactory(), category=leaf, brand=BrandFactory(), name="옵션 가디건",
                                 list_price_amount=15900, sale_price_amount=15900, initial_stock=10,
                                 options=[OptionSpec("색상", ["아이보리", "차콜", "네이비"]),
                                          OptionSpec("사이즈", ["S", "M", "L"])])
    else:
        product = _make(category)
    user = UserFactory()
    client.force_login(user)
    assert client.post("/cart/add/", {"sku": product.skus.first().pk, "quantity": 1}).status_code == 302
    url = reverse("shop:product", args=[product.pk])

    cache.clear()
    with django_assert_num_queries(10):
        html = _html(client, url)
    assert 'class="cart-link__count">1<' in html and product.name in html
    if shape.startswith("two"):
        assert ">중분류</a>" in html and ">소분류</a>" in html and ">캐시 카테고리</a>" in html  # the breadcrumbs
        assert html.count('<option value="') >= 6 + 9  # both axes' values and the 9 SKUs


def _banner(slot, title):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from marketing.services.cms import save_banner

    buffer = BytesIO()
    Image.new("RGB", (1200, 480), (30, 90, 200)).save(buffer, "PNG")
    return save_banner(actor=OperatorFactory(groups=["marketing"]), slot=slot, title=title, link_url="/search/?q=세일",
                       audience="everyone", is_active=True, starts_at=timezone.now() - timedelta(hours=1),
                       image_desktop=SimpleUploadedFile("b.png", buffer.getvalue(), content_type="image/png"))


def test_a_new_banner_reaches_the_cached_category_and_product_pages_at_once(client, category):
    """The category_top and product_page banner slots are inside the cached content."""
    product = _make(category)
    pages = {"category": (reverse("shop:category", args=[category.slug]), "category_top"),
             "product": (reverse("shop:product", args=[product.pk]), "product_page")}
    for url, _slot in pages.values():
        _html(client, url)  # cached
    for name, (url, slot) in pages.items():
        _banner(slot, f"{name} 배너 세일")
        assert f"{name} 배너 세일" in _html(client, url), name
