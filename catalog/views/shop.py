"""The storefront: home, categories, a category's products, search and the product page.

Read-only pages: each view parses its query string, calls selectors and renders.
"""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import selectors
from catalog.models import Product
from marketing.selectors import list_downloadable_coupons_for_product

PRICE_LIMIT = 100_000_000
MAX_MULTI_VALUES = 30
FEW_LEFT = 5  # at or below this stock a SKU says "only N left"


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
    context = {
        "banners": selectors.list_home_banners(),
        "top_categories": selectors.list_top_categories(),
        "new_arrivals": selectors.list_new_arrivals(),
        "best_sellers": selectors.list_best_sellers(),
    }
    context["nav_categories"] = context["top_categories"]
    return render(request, "shop/home.html", context)


def categories(request):
    return render(request, "shop/categories.html", {"tree": selectors.list_category_tree()})


def category(request, slug):
    current = selectors.get_category_by_slug(slug=slug)
    form = ProductFilterForm(request.GET)
    listing = selectors.paginate_products(
        category=current, filters=form.chosen_filters(), sort=form.chosen_sort(), page_number=request.GET.get("page", 1)
    )
    breadcrumbs = selectors.get_breadcrumbs(current)
    context = {
        "category": current,
        "breadcrumbs": breadcrumbs,
        "root_category": breadcrumbs[0],
        "parent_category": breadcrumbs[-2] if len(breadcrumbs) > 1 else None,
        "subcategories": selectors.list_child_categories(current),
        "nav_categories": selectors.list_top_categories(),
        **_listing_context(request, listing, form),
    }
    return render(request, "shop/category.html", context)


def search(request):
    query = selectors.normalize_query(request.GET.get("q"))
    context = {"query": query}
    if query:
        form = ProductFilterForm(request.GET, with_relevance=True)
        listing = selectors.paginate_products(
            query=query, filters=form.chosen_filters(), sort=form.chosen_sort(), page_number=request.GET.get("page", 1)
        )
        context.update(_listing_context(request, listing, form))
        request.funnel_result_count = listing.count  # the funnel's search event (marketing/funnel/middleware.py)
        if not listing.count:
            context["suggestions"] = selectors.list_best_sellers(limit=10)
    else:
        context["suggestions"] = selectors.list_best_sellers(limit=10)
        context["top_categories"] = selectors.list_top_categories()
    return render(request, "shop/search.html", context)


def product_detail(request, product_id):
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
        "option_groups": list(product.option_groups.all()),
        "sku_choices": skus,
        "single_sku": single_sku,
        "single_sku_stock_text": _stock_text(single_sku["stock"]) if single_sku else "",
        "option_data": option_data,
        "is_sold_out": is_sold_out,
        "shipping": getattr(product.seller, "shipping_policy", None),
        "breadcrumbs": selectors.get_breadcrumbs(product.category),
        "notice_rows": list((product.notice or {}).items()),
        "product_coupons": list_downloadable_coupons_for_product(product=product, user=request.user),
    }
    return render(request, "shop/product_detail.html", context)
