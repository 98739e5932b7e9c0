import json
import re

import pytest
from django.urls import reverse

from catalog.models import Product, ProductImage
from catalog.services import OptionSpec, create_product
from partners.models import Seller
from tests.catalog.factories import BrandFactory, CategoryFactory, ProductFactory, SKUFactory
from tests.partners.factories import SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _korean(settings):
    settings.LANGUAGE_CODE = "ko"


def _product(**kwargs):
    stock = kwargs.pop("stock", 10)
    product = ProductFactory(**kwargs)
    SKUFactory(product=product, stock_quantity=stock)
    return product


def _with_image(product):
    ProductImage.objects.create(product=product, original=f"products/{product.pk}.jpg", width=960, height=960)
    return product


def _product_ids(response):
    """The products shown as cards, in page order."""
    return [int(pk) for pk in re.findall(r'class="product-card" href="/products/(\d+)/"', response.content.decode())]


# --- home and categories ------------------------------------------------------------------------


def test_home_shows_hero_categories_new_arrivals_and_best_sellers(client):
    root = CategoryFactory(name="패션의류")
    popular = _with_image(_product(category=root, name="인기 니트", sales_count=500))
    fresh = _product(category=root, name="신상 원피스", sales_count=1)
    hidden = _product(category=root, name="숨긴 상품", status=Product.Status.HIDDEN, sales_count=900)

    response = client.get(reverse("shop:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="hero"' in html  # no banner yet: the built-in hero
    assert "패션의류" in html
    assert [p.pk for p in response.context["best_sellers"]] == [popular.pk, fresh.pk]
    assert [p.pk for p in response.context["new_arrivals"]] == [fresh.pk, popular.pk]
    assert hidden.name not in html
    assert f'src="/media/products/{popular.pk}.jpg"' in html


@pytest.mark.parametrize("count", [2, 20])
def test_home_runs_constant_queries(client, count, django_assert_num_queries):
    category = CategoryFactory()
    for _ in range(count):
        _with_image(_product(category=category))
    # top categories; for each section: ids, rows, main images; the banners (marketing; cached once warm)
    with django_assert_num_queries(8):
        assert client.get(reverse("shop:home")).status_code == 200


def test_categories_page_shows_the_tree(client):
    root = CategoryFactory(name="뷰티")
    child = CategoryFactory(name="스킨케어", parent=root)
    CategoryFactory(name="토너", parent=child)

    response = client.get(reverse("shop:categories"))

    assert response.status_code == 200
    html = response.content.decode()
    for name in ("뷰티", "스킨케어", "토너"):
        assert name in html
    assert reverse("shop:category", args=[child.slug]) in html


# --- category page ------------------------------------------------------------------------------


def test_category_page_lists_category_and_descendant_products(client):
    root = CategoryFactory(name="패션의류")
    child = CategoryFactory(name="여성의류", parent=root)
    leaf = CategoryFactory(name="니트", parent=child)
    in_leaf = _product(category=leaf)
    in_child = _product(category=child)
    elsewhere = _product(category=CategoryFactory())

    response = client.get(reverse("shop:category", args=[child.slug]))

    assert response.status_code == 200
    assert set(_product_ids(response)) == {in_leaf.pk, in_child.pk}
    assert elsewhere.pk not in _product_ids(response)
    html = response.content.decode()
    assert [c.name for c in response.context["breadcrumbs"]] == ["패션의류", "여성의류"]
    assert reverse("shop:category", args=[leaf.slug]) in html  # sub-category chip
    assert response.context["listing"].count == 2


def test_category_page_never_shows_hidden_suspended_or_inactive_seller_products(client):
    category = CategoryFactory()
    shown = _product(category=category)
    sold_out = _product(category=category, status=Product.Status.SOLD_OUT)
    hidden = _product(category=category, status=Product.Status.HIDDEN)
    suspended = _product(category=category, status=Product.Status.SUSPENDED)
    inactive = _product(category=category, seller=SellerFactory(status=Seller.Status.SUSPENDED))

    response = client.get(reverse("shop:category", args=[category.slug]))

    assert set(_product_ids(response)) == {shown.pk, sold_out.pk}
    html = response.content.decode()
    for product in (hidden, suspended, inactive):
        assert product.name not in html
    assert "품절" in html or "Sold out" in html


def test_unknown_or_inactive_category_is_404(client):
    assert client.get(reverse("shop:category", args=["nope"])).status_code == 404
    off = CategoryFactory(is_active=False)
    assert client.get(reverse("shop:category", args=[off.slug])).status_code == 404


def test_category_filters_really_filter(client):
    category = CategoryFactory()
    brand_a, brand_b = BrandFactory(), BrandFactory()
    seller_a, seller_b = SellerFactory(), SellerFactory()
    cheap = _product(category=category, brand=brand_a, seller=seller_a, list_price_amount=10000, sale_price_amount=9000)
    mid = _product(category=category, brand=brand_b, seller=seller_a, list_price_amount=30000, sale_price_amount=25000,
                   stock=0)
    dear = _product(category=category, brand=brand_b, seller=seller_b, list_price_amount=90000, sale_price_amount=80000)
    url = reverse("shop:category", args=[category.slug])

    def shown(query):
        return set(_product_ids(client.get(url + query)))

    assert shown("?price_min=20000") == {mid.pk, dear.pk}
    assert shown("?price_max=25000") == {cheap.pk, mid.pk}
    assert shown("?price_min=30000&price_max=20000") == {mid.pk}  # swapped bounds still work
    assert shown(f"?brand={brand_a.pk}") == {cheap.pk}
    assert shown(f"?brand={brand_a.pk}&brand={brand_b.pk}") == {cheap.pk, mid.pk, dear.pk}
    assert shown(f"?seller={seller_b.pk}") == {dear.pk}
    assert shown("?in_stock=1") == {cheap.pk, dear.pk}
    # Nonsense is ignored rather than an error.
    assert shown("?price_min=abc&brand=x&seller=-1&sort=drop") == {cheap.pk, mid.pk, dear.pk}


def test_category_filter_panel_lists_brands_and_sellers_with_selection(client):
    category = CategoryFactory()
    brand = BrandFactory(name="무드온")
    _product(category=category, brand=brand, seller=SellerFactory(name="무드온 공식스토어"))

    response = client.get(reverse("shop:category", args=[category.slug]) + f"?brand={brand.pk}")

    html = response.content.decode()
    assert "<details" in html and 'name="price_min"' in html
    assert f'name="brand" value="{brand.pk}" checked' in html
    assert "무드온 공식스토어" in html


def test_category_sorts_really_sort(client):
    category = CategoryFactory()
    a = _product(category=category, sale_price_amount=15000, sales_count=5)
    b = _product(category=category, sale_price_amount=9000, sales_count=50)
    c = _product(category=category, sale_price_amount=19000, sales_count=1)
    url = reverse("shop:category", args=[category.slug])

    assert _product_ids(client.get(url)) == [c.pk, b.pk, a.pk]
    assert _product_ids(client.get(url + "?sort=popular")) == [b.pk, a.pk, c.pk]
    assert _product_ids(client.get(url + "?sort=price_asc")) == [b.pk, a.pk, c.pk]
    assert _product_ids(client.get(url + "?sort=price_desc")) == [c.pk, a.pk, b.pk]


def test_category_pagination_keeps_the_filters(client, settings):
    settings.CATALOG_PAGE_SIZE = 2
    category = CategoryFactory()
    brand = BrandFactory()
    products = [_product(category=category, brand=brand) for _ in range(5)]
    url = reverse("shop:category", args=[category.slug])

    first = client.get(url + f"?brand={brand.pk}&sort=new")
    second = client.get(url + f"?brand={brand.pk}&sort=new&page=2")

    html = first.content.decode()
    assert f"?brand={brand.pk}&amp;sort=new&amp;page=2" in html
    assert first.context["listing"].count == 5
    shown = _product_ids(first) + _product_ids(second) + _product_ids(client.get(url + f"?brand={brand.pk}&page=3"))
    assert shown == [p.pk for p in reversed(products)]


@pytest.mark.parametrize("count", [2, 20])
def test_category_page_runs_constant_queries(client, count, django_assert_num_queries):
    root = CategoryFactory()
    category = CategoryFactory(parent=root)
    for _ in range(count):
        _with_image(_product(category=category))
    # category, breadcrumbs, sub-categories, header categories, count, page ids, rows, images, 2 facets;
    # the banners (marketing; cached once warm)
    with django_assert_num_queries(11):
        response = client.get(reverse("shop:category", args=[category.slug]))
    assert len(_product_ids(response)) == count


# --- search -----------------------------------------------------------------------------------


def test_search_finds_korean_text_and_brand_names(client):
    cardigan = _product(name="캐시미어 니트 가디건", brand=BrandFactory(name="무드온", name_en="MoodOn"))
    apple = _product(name="청송 꿀사과 5kg", brand=BrandFactory(name="청송농원", name_en="Cheongsong Farm"))
    url = reverse("shop:search")

    assert _product_ids(client.get(url, {"q": "니트"})) == [cardigan.pk]
    assert _product_ids(client.get(url, {"q": "무드온"})) == [cardigan.pk]
    assert _product_ids(client.get(url, {"q": "moodon"})) == [cardigan.pk]
    assert _product_ids(client.get(url, {"q": "Cheongsong"})) == [apple.pk]


def test_search_uses_the_same_filters_and_sorts(client):
    cheap = _product(name="니트 A", list_price_amount=10000, sale_price_amount=9000)
    dear = _product(name="니트 B", list_price_amount=90000, sale_price_amount=80000)
    url = reverse("shop:search")

    assert _product_ids(client.get(url, {"q": "니트", "price_min": 50000})) == [dear.pk]
    assert _product_ids(client.get(url, {"q": "니트", "sort": "price_asc"})) == [cheap.pk, dear.pk]
    assert _product_ids(client.get(url, {"q": "니트", "sort": "price_desc"})) == [dear.pk, cheap.pk]


def test_search_never_shows_invisible_products(client):
    _product(name="숨긴 니트", status=Product.Status.HIDDEN)
    _product(name="정지 니트", status=Product.Status.SUSPENDED)
    _product(name="판매자정지 니트", seller=SellerFactory(status=Seller.Status.SUSPENDED))
    response = client.get(reverse("shop:search"), {"q": "니트"})
    assert response.status_code == 200
    assert _product_ids(response) == []


def test_empty_search_shows_a_prompt_and_popular_products(client):
    popular = _product(name="인기 상품", sales_count=10)
    response = client.get(reverse("shop:search"))
    assert response.status_code == 200
    assert 'id="search-page-q"' in response.content.decode()
    assert _product_ids(response) == [popular.pk]


def test_search_without_results_suggests_popular_products(client):
    popular = _product(name="인기 상품", sales_count=10)
    response = client.get(reverse("shop:search"), {"q": "존재하지않는상품"})
    assert response.status_code == 200
    assert response.context["listing"].count == 0
    assert "존재하지않는상품" in response.content.decode()
    assert _product_ids(response) == [popular.pk]


@pytest.mark.parametrize("count", [2, 20])
def test_search_runs_constant_queries(client, count, django_assert_num_queries):
    for index in range(count):
        _with_image(_product(name=f"니트 {index}"))
    # matching brands, count, page ids, rows, images, 2 facets
    with django_assert_num_queries(7):
        response = client.get(reverse("shop:search"), {"q": "니트"})
    assert len(_product_ids(response)) == count


@pytest.mark.postgres
def test_search_orders_by_trigram_similarity_on_postgres(client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    close = _product(name="니트 가디건", sales_count=0)
    far = _product(name="부드러운 캐시미어 울 블렌드 라운드넥 니트 풀오버 세트", sales_count=999)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("shop:search"), {"q": "니트 가디건"})

    assert response.context["sort"] == "relevance"
    assert _product_ids(response)[0] == close.pk
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    assert "SIMILARITY(" in sql.upper() and "ILIKE" in sql
    # Popularity still sorts when asked.
    response = client.get(reverse("shop:search"), {"q": "니트", "sort": "popular"})
    assert _product_ids(response) == [far.pk, close.pk]


# --- product page -----------------------------------------------------------------------------


def _knit(**kwargs):
    seller = kwargs.pop("seller", None) or SellerFactory(name="무드온 공식스토어")
    product = create_product(
        seller=seller, category=CategoryFactory(name="니트", parent=CategoryFactory(name="여성의류")),
        brand=BrandFactory(name="무드온"),
        name="캐시미어 니트 가디건", list_price_amount=89000, sale_price_amount=59900,
        options=[OptionSpec("색상", ["아이보리", "차콜"]), OptionSpec("사이즈", ["S", "L"], {"L": 2000})],
        initial_stock=3, description_html="<p>부드러운 <strong>캐시미어</strong></p>",
        notice={"소재": "캐시미어 30%", "제조국": "대한민국"}, **kwargs,
    )
    product.skus.filter(option_label="차콜 / S").update(stock_quantity=0)
    return product


def test_product_page_shows_price_seller_shipping_options_and_notice(client):
    product = _knit()
    ProductImage.objects.create(product=product, original="products/main.jpg", width=960, height=960, position=0)
    ProductImage.objects.create(product=product, original="products/side.jpg", width=960, height=960, position=1)

    response = client.get(reverse("shop:product", args=[product.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "캐시미어 니트 가디건" in html and "무드온" in html and "무드온 공식스토어" in html
    assert "59,900원" in html and "89,000원" in html and "32%" in html
    assert "3,000원" in html and "50,000원" in html  # fee, free threshold
    assert "<strong>캐시미어</strong>" in html  # sanitised description rendered as HTML
    assert "소재" in html and "캐시미어 30%" in html
    assert "products/side.jpg" in html  # thumbnail strip
    # the no-JS picker: every SKU, sold-out disabled, option price
    assert 'name="sku"' in html and 'name="quantity"' in html
    assert re.search(r'<option value="\d+" disabled>차콜 / S · 59,900원 \((품절|Sold out)\)</option>', html)
    assert "아이보리 / L · 61,900원" in html
    # the form posts to the cart, with "buy now" next to "add to cart"
    assert 'action="/cart/add/"' in html
    assert re.search(r'<button type="submit" class="button button--primary" name="action" value="buy">', html)


def test_product_page_embeds_sku_data_for_the_option_picker(client):
    product = _knit()
    response = client.get(reverse("shop:product", args=[product.pk]))
    html = response.content.decode()
    match = re.search(r'<script id="product-options" type="application/json">(.*?)</script>', html, re.S)
    data = json.loads(match.group(1))
    assert [g["name"] for g in data["groups"]] == ["색상", "사이즈"]
    by_label = {sku["label"]: sku for sku in data["skus"]}
    assert by_label["차콜 / S"]["available"] is False
    assert by_label["아이보리 / L"]["price"] == 61900
    assert "static/js/product.js" in html or "/static/js/product.js" in html


def test_product_page_without_images_shows_a_placeholder(client):
    product = _product(name="이미지 없는 상품")
    html = client.get(reverse("shop:product", args=[product.pk])).content.decode()
    assert "image-placeholder" in html


@pytest.mark.parametrize("status", [Product.Status.HIDDEN, Product.Status.SUSPENDED])
def test_product_page_is_404_when_not_visible(client, status):
    product = _product(status=status)
    assert client.get(reverse("shop:product", args=[product.pk])).status_code == 404


@pytest.mark.parametrize("seller_status", [Seller.Status.SUSPENDED, Seller.Status.APPLIED])
def test_product_page_is_404_for_an_inactive_seller(client, seller_status):
    product = _product(seller=SellerFactory(status=seller_status))
    assert client.get(reverse("shop:product", args=[product.pk])).status_code == 404


def test_sold_out_product_shows_sold_out(client):
    product = _knit()
    Product.objects.filter(pk=product.pk).update(status=Product.Status.SOLD_OUT)
    response = client.get(reverse("shop:product", args=[product.pk]))
    assert response.status_code == 200
    assert response.context["is_sold_out"] is True
    html = response.content.decode()
    assert "button--soldout" in html and 'value="buy"' not in html


def test_product_with_every_sku_out_of_stock_is_sold_out(client):
    product = _product(stock=0)
    assert client.get(reverse("shop:product", args=[product.pk])).context["is_sold_out"] is True


def test_single_sku_product_posts_its_sku_without_a_picker(client):
    product = _product(stock=2)
    html = client.get(reverse("shop:product", args=[product.pk])).content.decode()
    sku = product.skus.get()
    assert f'<input type="hidden" name="sku" value="{sku.pk}">' in html
    assert "data-option-picker" not in html


def test_product_page_runs_constant_queries(client, django_assert_num_queries):
    product = _knit()
    # product with seller, policy, brand, category and its ancestors (the breadcrumbs); images; option
    # values with their groups; skus with their value ids; the downloadable coupons for the product
    # (marketing), the product-page banner slot (cached under the cms version once warm), and first of
    # all the product's seller, whose version token keys the page
    with django_assert_num_queries(7):
        assert client.get(reverse("shop:product", args=[product.pk])).status_code == 200


def test_card_shows_free_shipping_badge_and_sold_out(client):
    seller = SellerFactory()
    seller.shipping_policy.free_threshold_amount = 30000
    seller.shipping_policy.save()
    category = CategoryFactory()
    free = _product(category=category, seller=seller, list_price_amount=40000, sale_price_amount=35000)
    _product(category=category, seller=seller, list_price_amount=20000, sale_price_amount=15000, stock=0)

    response = client.get(reverse("shop:category", args=[category.slug]))

    html = response.content.decode()
    cards = html.split('class="product-card"')[1:]
    free_card = next(card for card in cards if f"/products/{free.pk}/" in card)
    other_card = next(card for card in cards if f"/products/{free.pk}/" not in card)
    assert "badge--free" in free_card and "product-card__soldout" not in free_card
    assert "badge--free" not in other_card and "product-card__soldout" in other_card
