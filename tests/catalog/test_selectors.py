import pytest
from django.http import Http404

from catalog import selectors
from catalog.models import Category, Product, ProductImage
from catalog.services import OptionSpec, create_product
from partners.models import Seller
from tests.catalog.factories import BrandFactory, CategoryFactory, ProductFactory, SKUFactory
from tests.partners.factories import SellerFactory

pytestmark = pytest.mark.django_db


def _product(**kwargs):
    stock = kwargs.pop("stock", 10)
    product = ProductFactory(**kwargs)
    SKUFactory(product=product, stock_quantity=stock)
    return product


def _image(product, name, position):
    # Dimensions filled in, as an upload has them: the model would otherwise open the file to measure it.
    return ProductImage.objects.create(product=product, original=name, position=position, width=960, height=960)


def _names(products):
    return [p.name for p in products]


# --- visibility --------------------------------------------------------------------------------


def test_list_shows_only_visible_products_of_active_sellers():
    category = CategoryFactory()
    shown = _product(category=category, name="판매중")
    sold_out = _product(category=category, name="품절", status=Product.Status.SOLD_OUT)
    _product(category=category, name="숨김", status=Product.Status.HIDDEN)
    _product(category=category, name="정지", status=Product.Status.SUSPENDED)
    _product(category=category, name="정지판매자", seller=SellerFactory(status=Seller.Status.SUSPENDED))
    _product(category=category, name="심사중판매자", seller=SellerFactory(status=Seller.Status.APPLIED))

    products = list(selectors.list_products_for_shop(category=category))

    assert {p.pk for p in products} == {shown.pk, sold_out.pk}


def test_get_product_for_shop_is_404_for_hidden_suspended_or_inactive_seller():
    hidden = _product(status=Product.Status.HIDDEN)
    suspended = _product(status=Product.Status.SUSPENDED)
    inactive_seller = _product(seller=SellerFactory(status=Seller.Status.SUSPENDED))
    for product in (hidden, suspended, inactive_seller):
        with pytest.raises(Http404):
            selectors.get_product_for_shop(product_id=product.pk)
    with pytest.raises(Http404):
        selectors.get_product_for_shop(product_id=999_999)


def test_get_product_for_shop_prefetches_everything_the_page_needs(django_assert_num_queries):
    category = CategoryFactory()
    product = create_product(
        seller=SellerFactory(), category=category, name="캐시미어 니트 가디건", list_price_amount=89000,
        sale_price_amount=59900, options=[OptionSpec("색상", ["아이보리", "차콜"]), OptionSpec("사이즈", ["S", "M"])],
        initial_stock=3,
    )
    _image(product, "products/a.jpg", 0)

    # product (with seller, shipping policy, brand, category and its ancestors) + images + option
    # values with their groups + skus with their option value ids
    with django_assert_num_queries(4):
        loaded = selectors.get_product_for_shop(product_id=product.pk)
        data = selectors.product_option_data(loaded)
        assert loaded.seller.shipping_policy.base_fee_amount == 3000
        assert loaded.category.name == category.name
        assert len(list(loaded.images.all())) == 1

    assert [g["name"] for g in data["groups"]] == ["색상", "사이즈"]
    assert len(data["skus"]) == 4
    assert all(len(sku["values"]) == 2 and sku["available"] and sku["price"] == 59900 for sku in data["skus"])


def test_option_data_marks_sold_out_and_inactive_skus_and_adds_price_deltas():
    product = create_product(
        seller=SellerFactory(), category=CategoryFactory(), name="꿀사과", list_price_amount=45000,
        sale_price_amount=32900, options=[OptionSpec("중량", ["3kg", "5kg", "10kg"], {"5kg": 9000})], initial_stock=5,
    )
    skus = list(product.skus.order_by("position"))
    skus[0].stock_quantity = 0
    skus[0].save()
    skus[2].is_active = False
    skus[2].save()

    data = selectors.product_option_data(selectors.get_product_for_shop(product_id=product.pk))

    by_label = {sku["label"]: sku for sku in data["skus"]}
    assert set(by_label) == {"3kg", "5kg"}  # an inactive SKU is not offered at all
    assert by_label["3kg"]["available"] is False and by_label["3kg"]["stock"] == 0
    assert by_label["5kg"]["available"] is True and by_label["5kg"]["price"] == 41900


def test_sold_out_status_makes_every_sku_unavailable():
    product = _product(status=Product.Status.SOLD_OUT, stock=10)
    data = selectors.product_option_data(selectors.get_product_for_shop(product_id=product.pk))
    assert [sku["available"] for sku in data["skus"]] == [False]


# --- category scope, filters and sorts --------------------------------------------------------------


def test_category_includes_descendants_but_not_siblings():
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    grandchild = CategoryFactory(parent=child)
    sibling = CategoryFactory(parent=root)
    other_root = CategoryFactory()
    in_root = _product(category=root)
    in_child = _product(category=child)
    in_grandchild = _product(category=grandchild)
    in_sibling = _product(category=sibling)
    _product(category=other_root)

    assert {p.pk for p in selectors.list_products_for_shop(category=child)} == {in_child.pk, in_grandchild.pk}
    assert {p.pk for p in selectors.list_products_for_shop(category=root)} == {
        in_root.pk, in_child.pk, in_grandchild.pk, in_sibling.pk,
    }


def test_filters_by_price_brand_seller_and_stock():
    category = CategoryFactory()
    brand_a, brand_b = BrandFactory(), BrandFactory()
    seller_a, seller_b = SellerFactory(), SellerFactory()
    cheap = _product(category=category, brand=brand_a, seller=seller_a, list_price_amount=10000, sale_price_amount=9000)
    middle = _product(category=category, brand=brand_b, seller=seller_a, list_price_amount=30000,
                      sale_price_amount=25000, stock=0)
    dear = _product(category=category, brand=brand_b, seller=seller_b, list_price_amount=90000, sale_price_amount=80000)

    def ids(**kwargs):
        return {p.pk for p in selectors.list_products_for_shop(category=category, **kwargs)}

    assert ids(price_min=20000) == {middle.pk, dear.pk}
    assert ids(price_max=25000) == {cheap.pk, middle.pk}
    assert ids(price_min=20000, price_max=30000) == {middle.pk}
    assert ids(brand_ids=[brand_b.pk]) == {middle.pk, dear.pk}
    assert ids(brand_ids=[brand_a.pk, brand_b.pk]) == {cheap.pk, middle.pk, dear.pk}
    assert ids(seller_ids=[seller_b.pk]) == {dear.pk}
    assert ids(in_stock=True) == {cheap.pk, dear.pk}


def test_in_stock_ignores_inactive_skus_and_sold_out_status():
    category = CategoryFactory()
    only_inactive_stock = ProductFactory(category=category)
    SKUFactory(product=only_inactive_stock, stock_quantity=5, is_active=False)
    _product(category=category, status=Product.Status.SOLD_OUT, stock=5)
    good = _product(category=category, stock=1)

    assert [p.pk for p in selectors.list_products_for_shop(category=category, in_stock=True)] == [good.pk]


def test_sorts():
    category = CategoryFactory()
    first = _product(category=category, name="A", sale_price_amount=15000, sales_count=5)
    second = _product(category=category, name="B", sale_price_amount=9000, sales_count=50)
    third = _product(category=category, name="C", sale_price_amount=19000, sales_count=1)

    def order(sort):
        return [p.pk for p in selectors.list_products_for_shop(category=category, sort=sort)]

    assert order("new") == [third.pk, second.pk, first.pk]
    assert order("popular") == [second.pk, first.pk, third.pk]
    assert order("price_asc") == [second.pk, first.pk, third.pk]
    assert order("price_desc") == [third.pk, first.pk, second.pk]
    assert order("nonsense") == order("new")


# --- search ----------------------------------------------------------------------------------------


def test_search_matches_korean_substrings_and_brand_names():
    cardigan = _product(name="캐시미어 니트 가디건", brand=BrandFactory(name="무드온", name_en="MoodOn"))
    tee = _product(name="오버핏 반팔 티셔츠", brand=BrandFactory(name="코지핏", name_en="Cozyfit"))
    _product(name="꿀사과 5kg", brand=None)

    assert _names(selectors.list_products_for_shop(query="니트")) == [cardigan.name]
    assert _names(selectors.list_products_for_shop(query="무드온")) == [cardigan.name]
    assert _names(selectors.list_products_for_shop(query="moodon")) == [cardigan.name]
    assert _names(selectors.list_products_for_shop(query="  반팔  ")) == [tee.name]
    assert list(selectors.list_products_for_shop(query="%")) == []


def test_search_does_not_show_hidden_products():
    _product(name="숨긴 니트", status=Product.Status.HIDDEN)
    assert list(selectors.list_products_for_shop(query="니트")) == []


# --- pagination, facets and query counts ----------------------------------------------------------------


def _fill(category, count, *, with_images=True):
    for _ in range(count):
        product = _product(category=category)
        if with_images:
            _image(product, "products/second.jpg", 1)
            _image(product, "products/main.jpg", 0)


@pytest.mark.parametrize("count", [2, 20])
def test_paginate_runs_constant_queries(count, django_assert_num_queries):
    category = CategoryFactory()
    _fill(category, count)

    # count, page ids, page rows, main images, brand facets, seller facets
    with django_assert_num_queries(6):
        listing = selectors.paginate_products(category=category, page_size=24)
        for product in listing.products:
            assert product.brand.name
            assert product.seller.shipping_policy.free_threshold_amount == 50000
            assert product.has_stock is True
            assert [image.original.name for image in product.card_images] == ["products/main.jpg"]

    assert listing.count == count


def test_paginate_pages_do_not_overlap_and_keep_the_order():
    category = CategoryFactory()
    _fill(category, 7, with_images=False)
    seen = []
    for number in (1, 2, 3):
        listing = selectors.paginate_products(category=category, page_number=number, page_size=3, with_facets=False)
        seen += [p.pk for p in listing.products]
    assert seen == [p.pk for p in selectors.list_products_for_shop(category=category)]
    assert len(set(seen)) == 7


def test_paginate_clamps_bad_page_numbers():
    category = CategoryFactory()
    _fill(category, 5, with_images=False)
    assert selectors.paginate_products(category=category, page_number=99, page_size=2).page.number == 3
    assert selectors.paginate_products(category=category, page_number="x", page_size=2).page.number == 1
    empty = selectors.paginate_products(category=CategoryFactory(), page_number=3)
    assert empty.count == 0 and empty.products == []


def test_facets_count_products_per_brand_and_seller_and_are_bounded():
    category = CategoryFactory()
    brand = BrandFactory(name="많은브랜드")
    seller = SellerFactory(name="큰판매자")
    for _ in range(3):
        _product(category=category, brand=brand, seller=seller)
    _product(category=category, brand=None, seller=seller)
    for _ in range(4):
        _product(category=category)

    listing = selectors.paginate_products(category=category)

    assert listing.brand_facets[0] == {"id": brand.pk, "name": "많은브랜드", "count": 3}
    assert listing.seller_facets[0] == {"id": seller.pk, "name": "큰판매자", "count": 4}
    assert len(selectors.list_brand_facets(selectors.visible_products(), limit=2)) == 2


def test_relevance_without_a_query_falls_back_to_newest():
    category = CategoryFactory()
    _fill(category, 2, with_images=False)
    assert selectors.paginate_products(category=category, sort="relevance").sort == "new"


# --- categories -------------------------------------------------------------------------------------


def test_breadcrumbs_follow_the_materialised_path(django_assert_num_queries):
    root = CategoryFactory(name="패션의류")
    child = CategoryFactory(name="여성의류", parent=root)
    leaf = CategoryFactory(name="니트/가디건", parent=child)
    leaf_alone = Category.objects.get(pk=leaf.pk)
    with django_assert_num_queries(1):
        assert _names(selectors.get_breadcrumbs(leaf_alone)) == ["패션의류", "여성의류", "니트/가디건"]
    with django_assert_num_queries(0):
        assert selectors.get_breadcrumbs(root) == [root]
    # The parents already joined (as the product page loads its category): no query.
    leaf_joined = Category.objects.select_related("parent__parent").get(pk=leaf.pk)
    with django_assert_num_queries(0):
        assert _names(selectors.get_breadcrumbs(leaf_joined)) == ["패션의류", "여성의류", "니트/가디건"]


def test_category_tree_has_three_levels_in_one_query(django_assert_num_queries):
    root = CategoryFactory(name="패션의류")
    child = CategoryFactory(name="여성의류", parent=root)
    leaf = CategoryFactory(name="니트", parent=child)
    CategoryFactory(name="너무 깊음", parent=leaf)
    hidden_root = CategoryFactory(name="숨김", is_active=False)
    CategoryFactory(name="숨김의 자식", parent=hidden_root)

    with django_assert_num_queries(1):
        tree = selectors.list_category_tree()

    assert [node.category.name for node in tree] == ["패션의류"]
    assert [node.category.name for node in tree[0].children] == ["여성의류"]
    assert [node.category.name for node in tree[0].children[0].children] == ["니트"]
    assert tree[0].children[0].children[0].children == []


def test_get_category_by_slug_hides_inactive_categories():
    CategoryFactory(slug="off", is_active=False)
    with pytest.raises(Http404):
        selectors.get_category_by_slug(slug="off")
    assert selectors.get_category_by_slug(slug=CategoryFactory(slug="on").slug).slug == "on"


def test_child_categories_or_siblings_for_a_leaf():
    root = CategoryFactory()
    a = CategoryFactory(parent=root)
    b = CategoryFactory(parent=root)
    assert selectors.list_child_categories(root) == [a, b]
    assert selectors.list_child_categories(a) == [a, b]


def test_home_sections_show_products_on_sale():
    category = CategoryFactory()
    old = _product(category=category, sales_count=100)
    new = _product(category=category, sales_count=1)
    _product(category=category, status=Product.Status.HIDDEN, sales_count=1000)
    _product(category=category, status=Product.Status.SOLD_OUT, sales_count=1000)
    assert [p.pk for p in selectors.list_new_arrivals()] == [new.pk, old.pk]
    assert [p.pk for p in selectors.list_best_sellers()] == [old.pk, new.pk]
    assert selectors.list_home_banners() == []


# --- PostgreSQL -------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_search_uses_ilike_on_the_trigram_indexed_columns_and_orders_by_similarity():
    exact = _product(name="니트", sales_count=0)
    longer = _product(name="캐시미어 울 블렌드 라운드넥 니트 가디건 세트", sales_count=999)

    queryset = selectors.list_products_for_shop(query="니트", sort="relevance")
    sql = str(queryset.query)

    assert "ILIKE" in sql and "UPPER(" not in sql
    assert "SIMILARITY" in sql.upper()
    # The closer name wins although the other sold far more.
    assert [p.pk for p in queryset] == [exact.pk, longer.pk]


@pytest.mark.django_db
def test_list_counts_and_facets_are_cached_until_the_catalog_changes(settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.CATALOG_LIST_CACHE_SECONDS = 60
    category = CategoryFactory(slug="cached")
    for _ in range(3):
        SKUFactory(product=ProductFactory(category=category, category_path=category.path))
    with CaptureQueriesContext(connection) as cold:
        first = selectors.paginate_products(category=category)
    with CaptureQueriesContext(connection) as warm:
        second = selectors.paginate_products(category=category)
    assert len(warm) == len(cold) - 4  # the count, both facets and the page's ids come from the cache
    assert first.count == second.count == 3

    create_product(seller=SellerFactory(), category=category, name="새 상품", list_price_amount=1000,
                   sale_price_amount=1000, options=[], initial_stock=1)  # bumps the catalog's version
    with CaptureQueriesContext(connection) as after_write:
        third = selectors.paginate_products(category=category)
    assert len(after_write) == len(cold)
    assert third.count == 4
