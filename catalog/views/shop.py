"""The storefront: home, categories, a category's products, search and the product page.

Read-only pages: each view parses its query string, calls selectors and renders. What a page
shows everyone alike (title, category bar, main content) is rendered once and cached, keyed by
the language, the full path and the version tokens of what it shows (``core.cache_versions``);
the header (login state, cart count), messages, CSRF tokens and the footer are rendered live on
every request. See docs/performance.md for the decision.
"""

import hashlib

from django import forms
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from catalog import selectors
from catalog.models import Product
from core import cache_versions
from marketing.selectors import list_downloadable_coupons_for_product

PRICE_LIMIT = 100_000_000
MAX_MULTI_VALUES = 30
FEW_LEFT = 5  # at or below this stock a SKU says "only N left"

# How long a rendered page part may live in the cache. Freshness does not depend on it (the
# version tokens do); it only bounds the memory that pages nobody asks for any more hold.
DEFAULT_PAGE_CACHE_SECONDS = 600
FRAGMENT_BASE = "shop/_fragments.html"
FRAGMENT_SPLIT = "<!--fragment-split-->"
FRAGMENT_PARTS = ("title", "body_class", "extra_head", "category_nav", "content")
# What the cached product page carries instead of a CSRF token and the shopper's coupon block.
# The token's stand-in is only ever matched inside the exact hidden input Django renders, and the
# coupon marker is a tag that cleaned seller HTML (nh3) and escaped text can never contain.
CSRF_STAND_IN = "csrf-stand-in"
CSRF_STAND_IN_INPUT = f'name="csrfmiddlewaretoken" value="{CSRF_STAND_IN}"'
COUPONS_HOLE = "<coupons-hole></coupons-hole>"
# Everything a template could read about the shopper, blanked while a cacheable part renders.
_NOBODY = {"user": AnonymousUser(), "perms": None, "cart_count": 0, "messages": (), "csrf_token": CSRF_STAND_IN}


def _page_cache_seconds() -> int:
    return getattr(settings, "STOREFRONT_CACHE_SECONDS", DEFAULT_PAGE_CACHE_SECONDS)


def _page_key(request, name: str) -> str:
    identity = "|".join([name, get_language() or "", request.get_full_path()])
    return "page:" + hashlib.sha1(identity.encode()).hexdigest()


def _build_fragment(request, template: str, context: dict) -> dict:
    html = render_to_string(template, {**context, **_NOBODY, "base_template": FRAGMENT_BASE}, request)
    parts = html.split(FRAGMENT_SPLIT)
    if len(parts) != len(FRAGMENT_PARTS):
        raise ValueError(f"{template} must render exactly the blocks of {FRAGMENT_BASE}")
    return dict(zip(FRAGMENT_PARTS, parts, strict=True))


def _sees_nothing_personal(request) -> bool:
    """No session and no messages: the whole page is the same for every such visitor but the CSRF token.

    Reading ``request.user`` here costs no query: without a session cookie there is no session.
    """
    return (settings.SESSION_COOKIE_NAME not in request.COOKIES and CookieStorage.cookie_name not in request.COOKIES
            and not request.user.is_authenticated)


def _serve(request, *, name: str, template: str, scopes: tuple[str, ...], build, context: dict | None = None,
           live_coupons: bool = False) -> HttpResponse:
    """Render a storefront page from its cached parts, building them with ``build()`` on a miss.

    Two levels: the shared parts (title, category bar, content) for everyone, keyed by language
    and full path and valid while the version tokens they were built from are current; and, for a
    visitor with no session and no messages, the whole page likewise. The tokens and both entries
    come in one cache request. Both carry a stand-in for the CSRF token (and, on the product page,
    a hole for the coupon block), filled per request. ``build`` may raise Http404 (nothing is
    cached then). When the cache cannot tell the version tokens (down or degraded), the page is
    rendered from the database every time.
    """
    seconds = _page_cache_seconds()
    key = _page_key(request, name) if seconds else None
    whole_key = f"{key}:whole" if key and _sees_nothing_personal(request) else None
    versions, stored = cache_versions.read(scopes, [key, whole_key] if whole_key else [key]) if key else (None, {})
    if versions is None:
        key = whole_key = None  # the cache cannot tell what is current: render from the database
    whole = stored.get(whole_key) if whole_key else None
    if whole is not None and whole["versions"] == versions:
        return _personalised(request, whole, live_coupons=live_coupons)
    fragment = stored.get(key) if key else None
    to_store = {}
    if fragment is None or fragment["versions"] != versions:
        page_context = build()
        fragment = {**_build_fragment(request, template, page_context), **page_context.get("fragment_data", {}),
                    "versions": versions}
        if key:
            to_store[key] = fragment
    parts = {part: mark_safe(fragment[part]) for part in FRAGMENT_PARTS}  # rendered by our own templates
    page_context = {"fragment": parts, **(context or {}), "csrf_token": CSRF_STAND_IN}
    if whole_key:
        page_context.update(_NOBODY)
    whole = {**fragment, "html": render_to_string("shop/cached_page.html", page_context, request)}
    if whole_key:
        to_store[whole_key] = whole
    if to_store:
        cache.set_many(to_store, seconds)  # both parts of a miss in one round trip
    return _personalised(request, whole, live_coupons=live_coupons)


def _personalised(request, whole: dict, *, live_coupons: bool) -> HttpResponse:
    """The page with this visitor's CSRF token and, on a product page, this shopper's coupon block."""
    csrf_input = format_html('name="csrfmiddlewaretoken" value="{}"', get_token(request))
    html = whole["html"].replace(CSRF_STAND_IN_INPUT, csrf_input)
    if live_coupons:
        target = Product(pk=whole["product_id"], seller_id=whole["seller_id"], category_path=whole["category_path"])
        coupons = list_downloadable_coupons_for_product(product=target, user=request.user)
        html = html.replace(COUPONS_HOLE, render_to_string("shop/marketing/_product_coupons.html",
                                                           {"product_coupons": coupons}, request), 1)
    if "result_count" in whole:
        # The funnel's search event (marketing/funnel/middleware.py) needs the count on a cache hit too.
        request.funnel_result_count = whole["result_count"]
    return HttpResponse(html)


def _stock_text(stock: int) -> str:
    if stock <= 0:
        return _("Sold out")
    if stock <= FEW_LEFT:
        return _("Only {count} left").format(count=stock)
    return _("In stock")


def _sort_choices(*, with_relevance: bool):
    choices = [
        (selectors.SORT_NEW, gettext_lazy("Newest")),
        (selectors.SORT_POPULAR, gettext_lazy("Best selling")),
        (selectors.SORT_PRICE_ASC, gettext_lazy("Price: low to high")),
        (selectors.SORT_PRICE_DESC, gettext_lazy("Price: high to low")),
    ]
    if with_relevance:
        choices.insert(0, (selectors.SORT_RELEVANCE, gettext_lazy("Relevance")))
    return choices


class ProductFilterForm(forms.Form):
    """The GET filter panel of the category and search pages. Bad values are ignored, never an error page."""

    price_min = forms.IntegerField(label=gettext_lazy("Minimum price"), required=False, min_value=0,
                                   max_value=PRICE_LIMIT)
    price_max = forms.IntegerField(label=gettext_lazy("Maximum price"), required=False, min_value=0,
                                   max_value=PRICE_LIMIT)
    in_stock = forms.BooleanField(label=gettext_lazy("In stock only"), required=False)
    sort = forms.ChoiceField(label=gettext_lazy("Sort"), required=False)

    def __init__(self, data, *, with_relevance: bool = False):
        super().__init__(data)
        self.fields["sort"].choices = _sort_choices(with_relevance=with_relevance)
        self.with_relevance = with_relevance

    @staticmethod
    def _ids(values) -> tuple[int, ...]:
        ids = []
        for value in values[:MAX_MULTI_VALUES]:
            if value.isdigit() and len(value) < 12:
                ids.append(int(value))
        return tuple(dict.fromkeys(ids))

    def chosen_filters(self) -> selectors.ProductFilters:
        self.is_valid()
        cleaned = {name: self.cleaned_data.get(name) for name in ("price_min", "price_max", "in_stock")
                   if name not in self.errors}
        price_min, price_max = cleaned.get("price_min"), cleaned.get("price_max")
        if price_min is not None and price_max is not None and price_min > price_max:
            price_min, price_max = price_max, price_min
        return selectors.ProductFilters(
            brand_ids=self._ids(self.data.getlist("brand")),
            seller_ids=self._ids(self.data.getlist("seller")),
            price_min=price_min,
            price_max=price_max,
            in_stock=bool(cleaned.get("in_stock")),
        )

    def chosen_sort(self) -> str:
        value = self.data.get("sort", "")
        allowed = {key for key, _label in self.fields["sort"].choices}
        if value in allowed:
            return value
        return selectors.SORT_RELEVANCE if self.with_relevance else selectors.SORT_NEW


def _listing_context(request, listing: selectors.ProductListing, form: ProductFilterForm) -> dict:
    filters = listing.filters
    return {
        "listing": listing,
        "page_obj": listing.page,
        "products": listing.products,
        "form": form,
        "sort": listing.sort,
        "sort_choices": form.fields["sort"].choices,
        "selected_brands": set(filters.brand_ids),
        "selected_sellers": set(filters.seller_ids),
        "filters_active": filters.is_active,
        "page_range": listing.page.paginator.get_elided_page_range(listing.page.number, on_each_side=2, on_ends=1),
    }


def home(request):
    def build():
        context = {
            "banners": selectors.list_home_banners(),
            "top_categories": selectors.list_top_categories(),
            "new_arrivals": selectors.list_new_arrivals(),
            "best_sellers": selectors.list_best_sellers(),
        }
        context["nav_categories"] = context["top_categories"]
        return context

    return _serve(request, name="home", template="shop/home.html",
                  scopes=(cache_versions.CATALOG, cache_versions.BANNERS), build=build)


def categories(request):
    return _serve(request, name="categories", template="shop/categories.html", scopes=(cache_versions.CATALOG,),
                  build=lambda: {"tree": selectors.list_category_tree()})


def category(request, slug):
    def build():
        current = selectors.get_category_by_slug(slug=slug)
        form = ProductFilterForm(request.GET)
        listing = selectors.paginate_products(
            category=current, filters=form.chosen_filters(), sort=form.chosen_sort(),
            page_number=request.GET.get("page", 1),
        )
        breadcrumbs = selectors.get_breadcrumbs(current)
        return {
            "category": current,
            "breadcrumbs": breadcrumbs,
            "root_category": breadcrumbs[0],
            "parent_category": breadcrumbs[-2] if len(breadcrumbs) > 1 else None,
            "subcategories": selectors.list_child_categories(current),
            "nav_categories": selectors.list_top_categories(),
            **_listing_context(request, listing, form),
        }

    # The category_top banner slot is part of the cached content: a banner change must reach it.
    return _serve(request, name="category", template="shop/category.html",
                  scopes=(cache_versions.CATALOG, cache_versions.BANNERS), build=build)


def search(request):
    query = selectors.normalize_query(request.GET.get("q"))
    return _serve(request, name="search", template="shop/search.html", scopes=(cache_versions.CATALOG,),
                  build=lambda: _search_context(request, query),
                  context={"query": query})  # the header's search box shows it


def _search_context(request, query: str) -> dict:
    context = {"query": query}
    if query:
        form = ProductFilterForm(request.GET, with_relevance=True)
        listing = selectors.paginate_products(
            query=query, filters=form.chosen_filters(), sort=form.chosen_sort(), page_number=request.GET.get("page", 1)
        )
        context.update(_listing_context(request, listing, form))
        # Kept with the cached page: every search, hit or miss, records its event with the count.
        context["fragment_data"] = {"result_count": listing.count}
        if not listing.count:
            context["suggestions"] = selectors.list_best_sellers(limit=10)
    else:
        context["suggestions"] = selectors.list_best_sellers(limit=10)
        context["top_categories"] = selectors.list_top_categories()
    return context


def _product_seller_id(product_id: int) -> int:
    """The product's seller (it never changes): which seller's token the cached page depends on."""
    key = f"product-seller:{product_id}"
    seller_id = cache.get(key)
    if seller_id is None:
        seller_id = Product.objects.filter(pk=product_id).values_list("seller_id", flat=True).first()
        if seller_id is None:
            raise Http404("no such product")
        cache.set(key, seller_id, None)
    return seller_id


def product_detail(request, product_id):
    # The coupon block is live: it says which coupons this shopper already holds, and marketing's
    # coupons are not versioned here.
    # The product_page banner slot is part of the cached content: a banner change must reach it.
    scopes = (cache_versions.product_scope(product_id),
              cache_versions.seller_scope(_product_seller_id(product_id)), cache_versions.BANNERS)
    return _serve(request, name="product", template="shop/product_detail.html", scopes=scopes,
                  build=lambda: _product_context(product_id), live_coupons=True)


def _product_context(product_id: int) -> dict:
    product = selectors.get_product_for_shop(product_id=product_id)
    option_data = selectors.product_option_data(product)
    option_data["i18n"] = {
        "soldOut": _("Sold out"),
        "inStock": _("In stock"),
        # Translators: {count} is a number of items left in stock.
        "fewLeft": _("Only {count} left"),
        "chooseAll": _("Choose every option first."),
        # Translators: a price in Korean won; {amount} is already grouped with commas.
        "won": _("{amount}원"),
    }
    option_data["fewLeftFrom"] = FEW_LEFT
    skus = option_data["skus"]
    single_sku = skus[0] if len(skus) == 1 and not option_data["groups"] else None
    images = list(product.images.all())
    is_sold_out = product.status == Product.Status.SOLD_OUT or not any(sku["available"] for sku in skus)
    context = {
        "product": product,
        "images": images,
        "main_image": images[0] if images else None,
        "option_groups": product.shop_option_groups,
        "sku_choices": skus,
        "single_sku": single_sku,
        "single_sku_stock_text": _stock_text(single_sku["stock"]) if single_sku else "",
        "option_data": option_data,
        "is_sold_out": is_sold_out,
        "shipping": getattr(product.seller, "shipping_policy", None),
        "breadcrumbs": selectors.get_breadcrumbs(product.category),
        "notice_rows": list((product.notice or {}).items()),
        "coupons_hole": mark_safe(COUPONS_HOLE),
        # What the live coupon block needs on a cache hit, when the product is not loaded.
        "fragment_data": {"product_id": product.pk, "seller_id": product.seller_id,
                          "category_path": product.category_path},
    }
    return context
