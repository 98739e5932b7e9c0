"""Products in the seller portal (/partner/products/): list, editor, images, Excel registration and bulk edit.

Every view is wrapped in ``portal_view(Area.PRODUCTS)`` and reads only ``request.seller``'s rows:
another seller's product, image or Excel job is a 404.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, Sum
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.exceptions import CatalogError
from catalog.forms import ImageMoveForm, SpreadsheetUploadForm
from catalog.models import SKU, Category, Product, ProductImage
from catalog.services import bulk as bulk_services
from catalog.services import images as image_services
from catalog.views.editor import handle_editor
from core.spreadsheets import XLSX_CONTENT_TYPE, progress_payload
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
def product_image_delete(request, product_id: int, image_id: int):
    product = _own_product(request, product_id)
    image = get_object_or_404(ProductImage, pk=image_id, product=product)
    image_services.delete_product_image(image_id=image.pk, actor=request.user)
    messages.success(request, _("Image deleted."))
    return redirect(reverse("partner:product_edit", args=[product.pk]) + "#pe-images")


# --- Excel: registration and bulk edit ------------------------------------------------------------

def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
@portal_view(Area.PRODUCTS)
def excel_upload(request):
    """The Excel page: download the templates, upload a registration or bulk-edit file."""
    kind = request.POST.get("kind") or request.GET.get("kind") or bulk_services.REGISTRATION
    if kind not in bulk_services.KINDS:
        kind = bulk_services.REGISTRATION
    form = SpreadsheetUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            reference = bulk_services.start_upload(kind=kind, file=form.cleaned_data["file"], seller=request.seller,
                                                   owner_id=request.user.pk)
        except CatalogError as error:
            form.add_error("file", error.message)
        else:
            return redirect("partner:product_excel_progress", reference=reference)
    categories = Category.objects.filter(is_active=True).order_by("path")
    return render(request, "partner/products/excel.html", {
        "form": form, "kind": kind, "categories": categories,
        "async_threshold": bulk_services.ASYNC_THRESHOLD,
    }, status=400 if form.errors else 200)


@require_GET
@portal_view(Area.PRODUCTS)
def excel_template(request):
    category = Category.objects.filter(pk=request.GET.get("category") or 0).first() if (
        request.GET.get("category") or "").isdigit() else None
    return _xlsx(bulk_services.registration_template(category=category), "product-registration.xlsx")


@require_GET
@portal_view(Area.PRODUCTS)
def excel_bulk_download(request):
    return _xlsx(bulk_services.bulk_edit_workbook(seller=request.seller), "product-bulk-edit.xlsx")


def _own_job(request, reference: str) -> tuple[dict, dict]:
    stored = bulk_services.STORE.load(reference, owner_id=request.user.pk)
    progress = bulk_services.STORE.get_progress(reference)
    if not progress or progress.get("owner") != request.user.pk or progress.get("seller") != request.seller.pk:
        raise Http404
    return stored or {}, progress


@require_GET
@portal_view(Area.PRODUCTS)
def excel_progress(request, reference: str):
    _stored, progress = _own_job(request, reference)
    phase = progress.get("phase")
    if phase in ("validated", "failed", "applied"):
        return redirect("partner:product_excel_preview", reference=reference)
    return render(request, "partner/products/excel_progress.html", {
        "reference": reference, "progress": progress_payload(progress),
        "applying": phase in ("queued", "applying"),
    })


@require_GET
@portal_view(Area.PRODUCTS)
def excel_progress_json(request, reference: str):
    _stored, progress = _own_job(request, reference)
    return JsonResponse(progress_payload(progress, next_url=reverse("partner:product_excel_preview",
                                                                      args=[reference])))


@require_GET
@portal_view(Area.PRODUCTS)
def excel_preview(request, reference: str):
    stored, progress = _own_job(request, reference)
    result = bulk_services.STORE.load_result(reference)
    if progress.get("phase") in ("uploaded", "validating", "queued", "applying"):
        return redirect("partner:product_excel_progress", reference=reference)
    rows = (result or {}).get("rows", [])
    error_count = sum(1 for row in rows if row["error"])
    only_errors = request.GET.get("errors") == "1" and error_count > 0
    shown = [row for row in rows if row["error"]] if only_errors else rows
    page = Paginator(shown, 200).get_page(request.GET.get("page"))
    return render(request, "partner/products/excel_preview.html", {
        "reference": reference, "kind": progress.get("kind"), "filename": stored.get("filename", ""),
        "progress": progress, "page": page, "total": len(rows), "error_count": error_count,
        "ok_count": len(rows) - error_count, "only_errors": only_errors, "can_apply": bool(stored) and rows
        and not error_count and progress.get("phase") == "validated",
    })


@require_POST
@portal_view(Area.PRODUCTS)
def excel_apply(request, reference: str):
    stored, progress = _own_job(request, reference)
    if not stored:
        messages.warning(request, _("That upload has expired or was already applied. Upload the file again."))
        return redirect("partner:product_excel")
    bulk_services.start_apply(reference=reference, actor=request.user)
    progress = bulk_services.STORE.get_progress(reference)
    if progress.get("phase") == "applied":
        messages.success(request, _("%(count)s rows applied.") % {"count": progress.get("applied", 0)})
        return redirect("partner:product_list")
    if progress.get("phase") == "failed":
        messages.error(request, progress.get("message") or _("Nothing was applied."))
        return redirect("partner:product_excel_preview", reference=reference)
    return redirect("partner:product_excel_progress", reference=reference)
