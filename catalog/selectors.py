"""Reads of the catalog for the storefront.

Every list here runs a constant number of queries, whatever its length: a product list is a
count, an id page, the page's rows (with brand, seller and shipping policy joined) and one
query for the main images. Only products of active sellers in a visible status ever leave
this module for the storefront.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, F, FloatField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.db.models.lookups import Lookup
from django.http import Http404

from catalog.models import SKU, Brand, Category, OptionGroup, OptionValue, Product, ProductImage
from core import cache_versions
from core.cache_versions import SHOWN_STOCK_LIMIT
from partners.models import Seller

# The sorts a shopper can choose. "relevance" exists only for a search.
SORT_NEW = "new"
SORT_POPULAR = "popular"
SORT_PRICE_ASC = "price_asc"
SORT_PRICE_DESC = "price_desc"
SORT_RELEVANCE = "relevance"
SORTS = (SORT_NEW, SORT_POPULAR, SORT_PRICE_ASC, SORT_PRICE_DESC, SORT_RELEVANCE)

# Every ordering ends on the primary key so that pages never overlap or skip a product.
_ORDERINGS = {
    SORT_NEW: ("-created_at", "-id"),
    SORT_POPULAR: ("-sales_count", "-id"),
    SORT_PRICE_ASC: ("sale_price_amount", "id"),
    SORT_PRICE_DESC: ("-sale_price_amount", "-id"),
}

FACET_LIMIT = 30
HOME_SECTION_SIZE = 10
TREE_DEPTH = 3


# --- Search helpers ---------------------------------------------------------------------------


class _ILike(Lookup):
    """``lhs ILIKE rhs`` on PostgreSQL.

    Django's ``icontains`` compiles to ``UPPER(name) LIKE UPPER(...)`` there, which the
    ``gin_trgm_ops`` indexes on the bare columns (migration 0002) cannot serve; ``ILIKE`` on
    the column itself can. Used as an expression in ``filter()``, never registered.
    """

    lookup_name = "trigram_ilike"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs_sql} ILIKE {rhs_sql}", (*lhs_params, *rhs_params)


def _like_pattern(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def normalize_query(query: str | None) -> str:
    """The search text as matched: trimmed, inner whitespace collapsed, at most 100 characters.

    Control characters (NUL among them: PostgreSQL refuses it in a text parameter) are dropped.
    """
    printable = "".join(character for character in (query or "") if character.isprintable() or character.isspace())
    return " ".join(printable.split())[:100]


MAX_MATCHING_BRANDS = 500


def _search_filter(query: str) -> Q:
    """Products whose name, or whose brand's Korean or English name, contains ``query``.

    The matching brands are looked up first (a small table; one query) so that the product
    condition is ``name ILIKE … OR brand_id IN (1, 2, …)``: PostgreSQL answers that with a
    BitmapOr of the trigram index on product names and the brand index, where an OR across a
    join or a subquery would scan the whole product table.
    """
    if _is_postgres():
        pattern = Value(_like_pattern(query))
        brands = Brand.objects.filter(_ILike(F("name"), pattern) | _ILike(F("name_en"), pattern))
        name_matches = Q(_ILike(F("name"), pattern))
    else:
        brands = Brand.objects.filter(Q(name__icontains=query) | Q(name_en__icontains=query))
        name_matches = Q(name__icontains=query)
    brand_ids = list(brands.order_by().values_list("pk", flat=True)[:MAX_MATCHING_BRANDS])
    return name_matches | Q(brand_id__in=brand_ids) if brand_ids else name_matches


# --- Products -----------------------------------------------------------------------------------


def visible_products() -> QuerySet[Product]:
    """Products a shopper may see: a visible status and an active seller. No joins but the seller."""
    return Product.objects.filter(status__in=Product.VISIBLE_STATUSES, seller__status=Seller.Status.ACTIVE)


def _in_stock_subquery():
    return Exists(SKU.objects.filter(product_id=OuterRef("pk"), is_active=True, stock_quantity__gt=0))


def _main_image_prefetch() -> Prefetch:
    """Only each product's main image (lowest position), as ``product.card_images``."""
    main_image_id = (
        ProductImage.objects.filter(product_id=OuterRef("product_id")).order_by("position", "id").values("pk")[:1]
    )
    return Prefetch(
        "images",
        queryset=ProductImage.objects.filter(pk=Subquery(main_image_id)).only(
            "id", "product_id", "original", "thumbnails", "alt", "position", "width", "height"
        ),
        to_attr="card_images",
    )


def _for_cards(queryset: QuerySet[Product]) -> QuerySet[Product]:
    """What a product card shows: brand, the seller's free-shipping threshold, the main image, stock."""
    return (
        queryset.select_related("brand", "seller__shipping_policy")
        .defer("description_html", "notice", "summary")
        .annotate(has_stock=_in_stock_subquery())
        .prefetch_related(_main_image_prefetch())
    )


def _load_cards(ids: list[int]) -> list[Product]:
    """The products with these ids, in this order, ready for cards (2 queries; none if no ids)."""
    if not ids:
        return []
    rows = {product.pk: product for product in _for_cards(Product.objects.filter(pk__in=ids).order_by())}
    return [rows[pk] for pk in ids if pk in rows]


def _top_cards(ordered: QuerySet[Product], limit: int) -> list[Product]:
    """The first ``limit`` products of an ordered list: ids on the lean query, then the card rows."""
    return _load_cards(list(ordered.values_list("pk", flat=True)[:limit]))


@dataclass(frozen=True)
class ProductFilters:
    """What a shopper narrowed a product list by; all optional."""

    brand_ids: tuple[int, ...] = ()
    seller_ids: tuple[int, ...] = ()
    price_min: int | None = None
    price_max: int | None = None
    in_stock: bool = False

    @property
    def is_active(self) -> bool:
        return bool(self.brand_ids or self.seller_ids or self.price_min is not None
                    or self.price_max is not None or self.in_stock)


def _scoped_products(*, category: Category | None, query: str | None) -> QuerySet[Product]:
    queryset = visible_products()
    if category is not None:
        # One indexed prefix match covers the category and all its descendants.
        queryset = queryset.filter(category_path__startswith=category.path)
    query = normalize_query(query)
    if query:
        queryset = queryset.filter(_search_filter(query))
    return queryset


def _apply_filters(queryset: QuerySet[Product], filters: ProductFilters) -> QuerySet[Product]:
    if filters.brand_ids:
        queryset = queryset.filter(brand_id__in=filters.brand_ids)
    if filters.seller_ids:
        queryset = queryset.filter(seller_id__in=filters.seller_ids)
    if filters.price_min is not None:
        queryset = queryset.filter(sale_price_amount__gte=filters.price_min)
    if filters.price_max is not None:
        queryset = queryset.filter(sale_price_amount__lte=filters.price_max)
    if filters.in_stock:
        queryset = queryset.filter(_in_stock_subquery(), status=Product.Status.ON_SALE)
    return queryset


def _order(queryset: QuerySet[Product], *, sort: str, query: str) -> QuerySet[Product]:
    if sort == SORT_RELEVANCE:
        if query and _is_postgres():
            from django.contrib.postgres.search import TrigramSimilarity

            similarity = Greatest(
                TrigramSimilarity("name", query),
                Coalesce(TrigramSimilarity("brand__name", query), Value(0.0), output_field=FloatField()),
                Coalesce(TrigramSimilarity("brand__name_en", query), Value(0.0), output_field=FloatField()),
            )
            return queryset.annotate(relevance=similarity).order_by("-relevance", "-sales_count", "-id")
        # SQLite has no similarity: the best sellers among the matches come first.
        sort = SORT_POPULAR
    return queryset.order_by(*_ORDERINGS.get(sort, _ORDERINGS[SORT_NEW]))


def list_products_for_shop(
    *,
    category: Category | None = None,
    query: str | None = None,
    brand_ids=(),
    seller_ids=(),
    price_min: int | None = None,
    price_max: int | None = None,
    in_stock: bool = False,
    sort: str = SORT_NEW,
) -> QuerySet[Product]:
    """Visible products of ``category`` (and its descendants) matching ``query`` and the filters.

    Sorted by ``sort`` (new, popular, price_asc, price_desc; relevance for a search), ready for
    product cards: brand, seller's shipping policy, main image (``card_images``) and
    ``has_stock``. To page through a large list use ``paginate_products`` instead of slicing
    this (it counts and offsets on lean queries).
    """
    query = normalize_query(query)
    filters = ProductFilters(tuple(brand_ids), tuple(seller_ids), price_min, price_max, in_stock)
    queryset = _apply_filters(_scoped_products(category=category, query=query), filters)
    return _for_cards(_order(queryset, sort=sort, query=query))


def _cached(kind: str, queryset: QuerySet, compute):
    """Counts, facets and the ids of a page are the same for everyone: cache them by their SQL and
    the catalog's version token (``core.cache_versions``), so any write that changes a list
    (price, status, stock to or from zero, a new product, a seller's status) is seen at once.

    ``settings.CATALOG_LIST_CACHE_SECONDS`` is only how long an entry may live (0 turns the cache
    off; the tests run with it off except the tests of this cache). A cache that cannot answer
    means computing from the database.
    """
    seconds = getattr(settings, "CATALOG_LIST_CACHE_SECONDS", 0)
    if not seconds:
        return compute()
    import hashlib

    from django.core.cache import cache

    versions = cache_versions.get_versions(cache_versions.CATALOG)
    if versions is None:
        return compute()
    sql, params = queryset.query.sql_with_params()
    identity = f"{versions[cache_versions.CATALOG]}|{sql}|{params!r}"
    key = f"catalog:{kind}:{hashlib.sha1(identity.encode()).hexdigest()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


class ProductPaginator(Paginator):
    """Pages through a product list without the usual pitfalls on a large table.

    The count runs on the lean, filtered query (never over joins, annotations or prefetches);
    the page is a "deferred join": OFFSET skips over narrow id rows of the ordered query, and
    only the page's ids are then loaded with what the cards need.
    """

    def __init__(self, ordered: QuerySet[Product], per_page: int, *, count_queryset: QuerySet[Product]):
        super().__init__(ordered, per_page, allow_empty_first_page=True)
        self._count_queryset = count_queryset

    @cached_property
    def count(self) -> int:
        counted = self._count_queryset.order_by()
        return _cached("count", counted, counted.count)

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        ids_query = self.object_list.values_list("pk", flat=True)[bottom:top]
        ids = _cached(f"ids:{bottom}:{top}", ids_query, lambda: list(ids_query)) if self.count else []
        return Page(_load_cards(ids), number, self)


@dataclass
class ProductListing:
    """One page of a storefront product list with what the filter panel needs."""

    page: Page
    filters: ProductFilters
    sort: str
    brand_facets: list[dict] = field(default_factory=list)
    seller_facets: list[dict] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.page.paginator.count

    @property
    def products(self) -> list[Product]:
        return list(self.page.object_list)


def paginate_products(
    *,
    category: Category | None = None,
    query: str | None = None,
    filters: ProductFilters | None = None,
    sort: str = SORT_NEW,
    page_number=1,
    page_size: int | None = None,
    with_facets: bool = True,
) -> ProductListing:
    """One page of the category or search list: 4 queries for the page, 2 more for the facets."""
    query = normalize_query(query)
    filters = filters or ProductFilters()
    if sort not in SORTS or (sort == SORT_RELEVANCE and not query):
        sort = SORT_RELEVANCE if query else SORT_NEW
    scoped = _scoped_products(category=category, query=query)
    filtered = _apply_filters(scoped, filters)
    paginator = ProductPaginator(
        _order(filtered, sort=sort, query=query), page_size or settings.CATALOG_PAGE_SIZE, count_queryset=filtered
    )
    page = paginator.get_page(page_number)
    listing = ProductListing(page=page, filters=filters, sort=sort)
    if with_facets:
        listing.brand_facets = _cached("brands", scoped, lambda: list_brand_facets(scoped))
        listing.seller_facets = _cached("sellers", scoped, lambda: list_seller_facets(scoped))
    return listing


def list_brand_facets(products: QuerySet[Product], *, limit: int = FACET_LIMIT) -> list[dict]:
    """The brands among ``products``, most products first, at most ``limit``: ``{id, name, count}``."""
    rows = (
        products.filter(brand__isnull=False)
        .values("brand_id", "brand__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "brand__name")[:limit]
    )
    return [{"id": row["brand_id"], "name": row["brand__name"], "count": row["count"]} for row in rows]


def list_seller_facets(products: QuerySet[Product], *, limit: int = FACET_LIMIT) -> list[dict]:
    """The sellers among ``products``, most products first, at most ``limit``: ``{id, name, count}``."""
    rows = (
        products.values("seller_id", "seller__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "seller__name")[:limit]
    )
    return [{"id": row["seller_id"], "name": row["seller__name"], "count": row["count"]} for row in rows]


def _home_candidates() -> QuerySet[Product]:
    # Home sections show what can be bought now. A single status also lets PostgreSQL walk the
    # (status, -created_at) and (status, -sales_count) indexes in order and stop after ``limit``.
    return visible_products().filter(status=Product.Status.ON_SALE)


def list_new_arrivals(*, limit: int = HOME_SECTION_SIZE) -> list[Product]:
    """The newest products on sale, for the home page (3 queries)."""
    return _top_cards(_home_candidates().order_by(*_ORDERINGS[SORT_NEW]), limit)


def list_best_sellers(*, limit: int = HOME_SECTION_SIZE) -> list[Product]:
    """The products on sale sold most (``sales_count``), for the home page and empty searches (3 queries)."""
    return _top_cards(_home_candidates().order_by(*_ORDERINGS[SORT_POPULAR]), limit)


# A product's category and all its ancestors in one join (categories nest at most MAX_DEPTH = 5 levels).
CATEGORY_WITH_ANCESTORS = "category" + "__parent" * 4


def get_product_for_shop(*, product_id: int) -> Product:
    """A visible product of an active seller with all its product page needs, or Http404.

    Four queries, whatever the options: the product joined with its seller and shipping policy,
    brand and category with every ancestor (the breadcrumbs: categories nest at most 5 levels); its
    images; its option values joined with their groups (``product.shop_option_groups``: groups in
    order, each with ``.choices``); its SKUs left-joined with their option value ids
    (``product.shop_skus``: dicts, SKU order). ``product_option_data`` and the page use only these.
    """
    queryset = (
        visible_products()
        .select_related("seller__shipping_policy", "brand", CATEGORY_WITH_ANCESTORS)
        .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")))
    )
    try:
        product = queryset.get(pk=product_id)
    except Product.DoesNotExist:
        raise Http404("no such product") from None
    product.shop_option_groups = _option_groups_with_values(product.pk)
    product.shop_skus = _skus_with_value_ids(product.pk)
    return product


def _option_groups_with_values(product_id: int) -> list[OptionGroup]:
    """The product's option groups in order, each with its values in order as ``group.choices`` (one query).

    A group without values offers nothing to choose, so it is left out (the editor never makes one).
    """
    groups: dict[int, OptionGroup] = {}
    values = (OptionValue.objects.filter(group__product_id=product_id).select_related("group")
              .order_by("group__position", "group_id", "position", "id"))
    for value in values:
        group = groups.setdefault(value.group_id, value.group)
        if not hasattr(group, "choices"):
            group.choices = []
        group.choices.append(value)
    return list(groups.values())


def _skus_with_value_ids(product_id: int) -> list[dict]:
    """The product's SKUs in order with the ids of their option values (one query, a left join)."""
    skus: dict[int, dict] = {}
    rows = (SKU.objects.filter(product_id=product_id).order_by("position", "id", "option_values__id")
            .values_list("id", "option_label", "price_delta_amount", "stock_quantity", "is_active",
                         "option_values__id"))
    for sku_id, label, delta, stock, is_active, value_id in rows:
        sku = skus.setdefault(sku_id, {"id": sku_id, "label": label, "delta": delta, "stock": stock,
                                       "is_active": is_active, "values": []})
        if value_id is not None:
            sku["values"].append(value_id)
    return list(skus.values())


# --- Categories -----------------------------------------------------------------------------------


def get_category_by_slug(*, slug: str) -> Category:
    """An active category by slug, or Http404."""
    try:
        return Category.objects.get(slug=slug, is_active=True)
    except Category.DoesNotExist:
        raise Http404("no such category") from None


def get_breadcrumbs(category: Category) -> list[Category]:
    """The category's ancestors and itself, root first.

    No query when the parents are already loaded up to the root (``CATEGORY_WITH_ANCESTORS``),
    else one on the materialised path.
    """
    chain = [category]
    while chain[-1].parent_id is not None and Category.parent.is_cached(chain[-1]):
        chain.append(chain[-1].parent)
    if chain[-1].parent_id is None:
        return chain[::-1]
    paths = category.ancestor_paths()
    if not paths:
        return [category]
    by_path = {c.path: c for c in Category.objects.filter(path__in=paths[:-1]).only("id", "name", "slug", "path")}
    return [by_path[path] for path in paths[:-1] if path in by_path] + [category]


def list_child_categories(category: Category) -> list[Category]:
    """The active direct children of ``category``; for a leaf, its siblings (so the chips stay useful).

    One query: children and siblings are fetched together and the children win.
    """
    scope = Q(parent=category)
    if category.parent_id is not None:
        scope |= Q(parent_id=category.parent_id)
    rows = list(Category.objects.filter(scope, is_active=True).order_by("position", "path"))
    children = [row for row in rows if row.parent_id == category.pk]
    return children or [row for row in rows if row.parent_id == category.parent_id and category.parent_id]


def list_top_categories() -> list[Category]:
    """Active root categories, for the home shortcuts and the header's category bar."""
    return list(Category.objects.filter(parent__isnull=True, is_active=True).order_by("position", "path"))


@dataclass
class CategoryNode:
    category: Category
    children: list[CategoryNode] = field(default_factory=list)


def list_category_tree(*, max_depth: int = TREE_DEPTH) -> list[CategoryNode]:
    """The active categories to ``max_depth`` levels as a tree, in one query.

    A category under an inactive parent is left out with it.
    """
    nodes: dict[int, CategoryNode] = {}
    roots: list[CategoryNode] = []
    rows = Category.objects.filter(is_active=True, depth__lt=max_depth).order_by("depth", "position", "path")
    for category in rows:
        node = CategoryNode(category)
        if category.parent_id is None:
            roots.append(node)
        elif category.parent_id in nodes:
            nodes[category.parent_id].children.append(node)
        else:
            continue
        nodes[category.pk] = node
    return roots


# --- Home -----------------------------------------------------------------------------------------


def list_home_banners(*, user=None) -> list:
    """The home hero carousel's banners on schedule now (marketing owns them; its ``content_changed``
    bumps the ``cms`` cache version). Each offers ``title``, ``subtitle``, ``link_url``, ``image_url``."""
    from marketing.selectors_cms import list_banners

    return list_banners(slot="home_hero", user=user)


# --- Product page helpers --------------------------------------------------------------------


def product_option_data(product: Product) -> dict:
    """The option picker's data for ``static/js/product.js`` (rendered with ``json_script``).

    Uses only what ``get_product_for_shop`` loaded (no query).
    """
    groups = [
        {"id": group.pk, "name": group.name, "values": [{"id": v.pk, "label": v.value} for v in group.choices]}
        for group in product.shop_option_groups
    ]
    orderable = product.status == Product.Status.ON_SALE
    skus = [
        {
            "id": sku["id"],
            "label": sku["label"],
            "values": sku["values"],
            "price": product.sale_price_amount + sku["delta"],
            "delta": sku["delta"],
            # Capped: above the cap the page shows the same, so a sale there changes no cached page.
            "stock": min(sku["stock"], SHOWN_STOCK_LIMIT) if available and orderable else 0,
            "available": orderable and available,
        }
        for sku in product.shop_skus
        if sku["is_active"]
        for available in [sku["stock"] > 0]
    ]
    return {"groups": groups, "skus": skus}
