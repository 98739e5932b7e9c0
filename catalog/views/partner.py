"""Products in the seller portal (/partner/products/): list, editor, images, Excel registration and bulk edit.

Every view is wrapped in ``portal_view(Area.PRODUCTS)`` and reads only ``request.seller``'s rows:
another seller's product, image or Excel job is a 404.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.exceptions import CatalogError
from catalog.forms import ImageMoveForm
from catalog.models import SKU, Product, ProductImage
from catalog.services import images as image_services
from catalog.views import excel
from catalog.views.editor import handle_editor, save_image_order
from partners.portal import Area, portal_view

PER_PAGE = 20
STATUS_TABS = [
    ("", None), ("on_sale", Product.Status.ON_SALE), ("sold_out", Product.Status.SOLD_OUT),
    ("hidden", Product.Status.HIDDEN), ("suspended", Product.Status.SUSPENDED),
]


def _own_product(request, product_id: int) -> Product:
    return get_object_or_404(Product.objects.select_related("seller", "category"), pk=product_id,
                             seller=request.seller)


@require_GET
@portal_view(Area.PRODUCTS)
def product_list(request):
    products = Product.objects.filter(seller=request.seller)
    counts = dict(products.values_list("status").annotate(count=Count("pk")).values_list("status", "count"))
    review_count = products.exclude(review_status=Product.Review.APPROVED).count()
    status = request.GET.get("status", "")
    query = (request.GET.get("q") or "").strip()[:100]
    listed = products
    if status == "review":
        listed = listed.exclude(review_status=Product.Review.APPROVED)
    elif status in Product.Status.values:
        listed = listed.filter(status=status)
    if query:
        listed = listed.filter(Q(name__icontains=query) | Q(pk__in=SKU.objects.filter(
            product__seller=request.seller, code__icontains=query).values("product_id")))
    listed = (listed.select_related("category")
              .annotate(sku_count=Count("skus", distinct=True), stock_total=Sum("skus__stock_quantity"))
              .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")))
              .order_by("-created_at", "-id"))
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    for product in page:
        product.main_image = next(iter(product.images.all()), None)
    tabs = [{"key": "", "label": _("All"), "count": sum(counts.values())}]
    tabs += [{"key": value, "label": label, "count": counts.get(value, 0)} for value, label in Product.Status.choices]
    tabs.append({"key": "review", "label": _("In review"), "count": review_count})
    return render(request, "partner/products/list.html", {
        "page": page, "tabs": tabs, "status": status, "query": query,
    })


def _render_editor(request, context: dict, *, product=None):
    context.update({
        "image_move_url_name": "partner:product_image_move",
        "image_delete_url_name": "partner:product_image_delete",
        "image_order_url_name": "partner:product_image_order",
        "cancel_url": reverse("partner:product_list"),
    })
    return render(request, "partner/products/editor.html", context, status=400 if context["form"].errors else 200)


@require_http_methods(["GET", "POST"])
@portal_view(Area.PRODUCTS)
def product_create(request):
    saved, context = handle_editor(request, product=None, seller=request.seller, as_operator=False)
    if saved is not None:
        if saved.review_status == Product.Review.PENDING:
            messages.success(request, _("Product registered. It shows in the storefront once an operator approves it."))
        else:
            messages.success(request, _("Product registered."))
        return redirect("partner:product_edit", product_id=saved.pk)
    return _render_editor(request, context)


@require_http_methods(["GET", "POST"])
@portal_view(Area.PRODUCTS)
def product_edit(request, product_id: int):
    product = _own_product(request, product_id)
    saved, context = handle_editor(request, product=product, seller=request.seller, as_operator=False)
    if saved is not None:
        messages.success(request, _("Changes saved."))
        return redirect("partner:product_edit", product_id=saved.pk)
    return _render_editor(request, context, product=product)


@require_POST
@portal_view(Area.PRODUCTS)
def product_image_move(request, product_id: int, image_id: int):
    product = _own_product(request, product_id)
    image = get_object_or_404(ProductImage, pk=image_id, product=product)
    form = ImageMoveForm(request.POST)
    if form.is_valid():
        try:
            image_services.move_product_image(image_id=image.pk, direction=form.cleaned_data["direction"],
                                              actor=request.user)
        except CatalogError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Image order saved."))
    return redirect(reverse("partner:product_edit", args=[product.pk]) + "#pe-images")


@require_POST
@portal_view(Area.PRODUCTS)
def product_image_order(request, product_id: int):
    product = _own_product(request, product_id)
    save_image_order(request, product)
    return redirect(reverse("partner:product_edit", args=[product.pk]) + "#pe-images")


@require_POST
@portal_view(Area.PRODUCTS)
def product_image_delete(request, product_id: int, image_id: int):
    product = _own_product(request, product_id)
    image = get_object_or_404(ProductImage, pk=image_id, product=product)
    image_services.delete_product_image(image_id=image.pk, actor=request.user)
    messages.success(request, _("Image deleted."))
    return redirect(reverse("partner:product_edit", args=[product.pk]) + "#pe-images")


# --- Excel: registration and bulk edit (catalog/views/excel.py, shared with the console) ---------

@require_http_methods(["GET", "POST"])
@portal_view(Area.PRODUCTS)
def excel_upload(request):
    return excel.upload(request, excel.PORTAL, request.seller)


@require_GET
@portal_view(Area.PRODUCTS)
def excel_template(request):
    return excel.template(request)


@require_GET
@portal_view(Area.PRODUCTS)
def excel_bulk_download(request):
    return excel.bulk_download(request, request.seller)


@require_GET
@portal_view(Area.PRODUCTS)
def excel_progress(request, reference: str):
    return excel.progress(request, excel.PORTAL, request.seller, reference)


@require_GET
@portal_view(Area.PRODUCTS)
def excel_progress_json(request, reference: str):
    return excel.progress_json(request, excel.PORTAL, request.seller, reference)


@require_GET
@portal_view(Area.PRODUCTS)
def excel_preview(request, reference: str):
    return excel.preview(request, excel.PORTAL, request.seller, reference)


@require_POST
@portal_view(Area.PRODUCTS)
def excel_apply(request, reference: str):
    return excel.apply(request, excel.PORTAL, request.seller, reference)
