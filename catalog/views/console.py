"""Catalog pages of the operator console: products, stock, the bulk stock import and images.

Every view needs a signed-in, active staff member with the page's permission: anonymous
visitors go to the login page, anyone else gets 403.
"""

import io
import logging
import time
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.exceptions import CatalogError, InvalidImage
from catalog.forms import (
    ImageMoveForm,
    ProductImageUploadForm,
    ProductReviewForm,
    ProductSearchForm,
    StockAdjustForm,
    StockImportForm,
)
from catalog.models import SKU, Product, ProductImage, StockMovement
from catalog.services import images as image_services
from catalog.services import products as product_services
from catalog.services import stock as stock_services
from catalog.views import excel
from catalog.views.editor import handle_editor, save_image_order
from core.exceptions import TransitionNotAllowed

logger = logging.getLogger(__name__)

PRODUCTS_PER_PAGE = 20
MOVEMENTS_PER_PAGE = 25
PREVIEW_ROWS_PER_PAGE = 200
IMPORT_SESSION_KEY = "console_stock_import"

ADJUST_STOCK = "catalog.adjust_stock"
VIEW_PRODUCT = "catalog.view_product"
VIEW_SKU = "catalog.view_sku"
CHANGE_PRODUCT = "catalog.change_product"


def console_permission_required(*permissions: str):
    """Login (else redirect to the login page), staff and every permission named (else 403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user.is_active and user.is_staff and user.has_perms(permissions)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _page(request, queryset_or_list, per_page: int):
    return Paginator(queryset_or_list, per_page).get_page(request.GET.get("page"))


# --- Products -------------------------------------------------------------------------------

@require_GET
@console_permission_required(VIEW_PRODUCT)
def product_list(request):
    form = ProductSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    products = (
        Product.objects.select_related("seller")
        .annotate(sku_count=Count("skus"), stock_total=Sum("skus__stock_quantity"))
        .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")))
        .order_by("-created_at", "-id")
    )
    if query:
        products = products.filter(
            Q(name__icontains=query) | Q(pk__in=SKU.objects.filter(code__icontains=query).values("product_id"))
        )
    page = _page(request, products, PRODUCTS_PER_PAGE)
    for product in page:
        product.main_image = next(iter(product.images.all()), None)
    return render(request, "console/catalog/product_list.html", {"form": form, "page": page, "query": query})


# --- Stock of one product ------------------------------------------------------------------

def _render_product_stock(request, product: Product, form: StockAdjustForm | None = None, status: int = 200):
    skus = list(product.skus.order_by("position", "id"))
    movements = StockMovement.objects.filter(sku__product=product).select_related("sku", "actor").order_by(
        "-created_at", "-id")
    sku_filter = request.GET.get("sku", "")
    if sku_filter.isdigit():
        movements = movements.filter(sku_id=int(sku_filter))
    page = _page(request, movements, MOVEMENTS_PER_PAGE)
    error_sku = None
    if form is not None and form.errors:
        error_sku = str(form.data.get("sku", ""))
    return render(
        request,
        "console/catalog/product_stock.html",
        {
            "product": product,
            "skus": skus,
            "page": page,
            "sku_filter": sku_filter,
            "form": form,
            "error_sku": error_sku,
            "reasons": StockAdjustForm.REASONS,
            "can_adjust": request.user.has_perm(ADJUST_STOCK),
            "stock_total": sum(sku.stock_quantity for sku in skus),
        },
        status=status,
    )


@require_GET
@console_permission_required(VIEW_SKU)
def product_stock(request, product_id: int):
    product = get_object_or_404(Product.objects.select_related("seller"), pk=product_id)
    return _render_product_stock(request, product)


@require_POST
@console_permission_required(ADJUST_STOCK)
def stock_adjust(request, product_id: int):
    product = get_object_or_404(Product.objects.select_related("seller"), pk=product_id)
    form = StockAdjustForm(request.POST)
    if not form.is_valid():
        return _render_product_stock(request, product, form, status=400)
    sku = product.skus.filter(pk=form.cleaned_data["sku"]).first()
    if sku is None:
        raise PermissionDenied  # a SKU of another product: a forged form
    reason, quantity, note = form.cleaned_data["reason"], form.cleaned_data["quantity"], form.cleaned_data["note"]
    try:
        if reason == StockMovement.Reason.COUNTED:
            movement = stock_services.set_stock(sku_id=sku.pk, quantity=quantity, actor=request.user, note=note)
        else:
            delta = quantity if reason == StockMovement.Reason.RECEIVED else -quantity
            movement = stock_services.adjust_stock(sku_id=sku.pk, delta=delta, reason=reason, actor=request.user,
                                                   note=note)
    except CatalogError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(sku)s: stock is now %(quantity)s (%(delta)s).") % {
            "sku": sku.code, "quantity": movement.quantity_after, "delta": f"{movement.delta:+d}"})
    return redirect(reverse("console:catalog:product_stock", args=[product.pk]) + f"#sku-{sku.pk}")


# --- Bulk stock import -----------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@console_permission_required(ADJUST_STOCK)
def stock_import(request):
    form = StockImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        started = time.monotonic()
        try:
            preview = stock_services.parse_stock_file(upload)
        except CatalogError as error:
            form.add_error("file", error.message)
        else:
            reference = stock_services.new_import_reference()
            request.session[IMPORT_SESSION_KEY] = {
                "reference": reference,
                "filename": upload.name[:120],
                "rows": preview.raw_rows(),
            }
            logger.info("stock import %s parsed: %s rows, %s errors in %.2fs", reference, preview.total,
                        preview.error_count, time.monotonic() - started)
            return redirect(reverse("console:catalog:stock_import_preview") + f"?batch={reference}")
    return render(request, "console/catalog/stock_import.html", {"form": form},
                  status=400 if form.errors else 200)


def _stored_import(request):
    stored = request.session.get(IMPORT_SESSION_KEY)
    batch = request.GET.get("batch") or request.POST.get("batch")
    if not stored or stored.get("reference") != batch:
        return None
    return stored


@require_GET
@console_permission_required(ADJUST_STOCK)
def stock_import_preview(request):
    stored = _stored_import(request)
    if stored is None:
        messages.warning(request, _("That import preview has expired or was already applied. Upload the file again."))
        return redirect("console:catalog:stock_import")
    rows = stock_services.validate_stock_rows(stored["rows"])
    error_count = sum(1 for row in rows if row.error)
    only_errors = request.GET.get("errors") == "1" and error_count > 0
    shown = [row for row in rows if row.error] if only_errors else rows
    page = _page(request, shown, PREVIEW_ROWS_PER_PAGE)
    return render(request, "console/catalog/stock_import_preview.html", {
        "reference": stored["reference"],
        "filename": stored["filename"],
        "page": page,
        "total": len(rows),
        "error_count": error_count,
        "ok_count": len(rows) - error_count,
        "only_errors": only_errors,
        "summary": stock_services.import_summary(rows),
    })


@require_POST
@console_permission_required(ADJUST_STOCK)
def stock_import_apply(request):
    stored = _stored_import(request)
    if stored is None:
        messages.warning(request, _("That import preview has expired or was already applied. Upload the file again."))
        return redirect("console:catalog:stock_import")
    try:
        movements = stock_services.apply_stock_import(rows=stored["rows"], actor=request.user,
                                                      reference=stored["reference"])
    except CatalogError as error:
        messages.error(request, error.message)
        return redirect(reverse("console:catalog:stock_import_preview") + f"?batch={stored['reference']}")
    request.session.pop(IMPORT_SESSION_KEY, None)
    changed = sum(1 for movement in movements if movement.delta)
    messages.success(request, _("Import %(reference)s applied: %(count)s SKUs counted, %(changed)s changed.") % {
        "reference": stored["reference"], "count": len(movements), "changed": changed})
    return redirect("console:catalog:stock_import")


@require_GET
@console_permission_required(ADJUST_STOCK)
def stock_import_template(request):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "stock"
    sheet.append(list(stock_services.IMPORT_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 12
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="stock-import-template.xlsx"'
    return response


# --- Images ----------------------------------------------------------------------------------

def _render_product_images(request, product: Product, form: ProductImageUploadForm, status: int = 200):
    return render(request, "console/catalog/product_images.html", {
        "product": product,
        "images": list(product.images.order_by("position", "id")),
        "form": form,
        "max_images": image_services.MAX_IMAGES_PER_PRODUCT,
    }, status=status)


@require_http_methods(["GET", "POST"])
@console_permission_required(CHANGE_PRODUCT)
def product_images(request, product_id: int):
    product = get_object_or_404(Product.objects.select_related("seller"), pk=product_id)
    form = ProductImageUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return _render_product_images(request, product, form)
    if not form.is_valid():
        return _render_product_images(request, product, form, status=400)
    added = 0
    for upload in form.cleaned_data["images"]:
        try:
            image_services.add_product_image(product=product, uploaded_file=upload, actor=request.user,
                                             alt=form.cleaned_data["alt"])
        except InvalidImage as error:
            messages.error(request, _("%(file)s: %(error)s") % {"file": upload.name, "error": error.message})
        else:
            added += 1
    if added:
        messages.success(request, _("%(count)s image(s) added.") % {"count": added})
    return redirect("console:catalog:product_images", product_id=product.pk)


@require_POST
@console_permission_required(VIEW_PRODUCT, CHANGE_PRODUCT)
def product_image_order(request, product_id: int):
    product = get_object_or_404(Product, pk=product_id)
    save_image_order(request, product)
    return redirect(reverse("console:catalog:product_edit", args=[product.pk]) + "#pe-images")


@require_POST
@console_permission_required(CHANGE_PRODUCT)
def product_image_move(request, product_id: int, image_id: int):
    image = get_object_or_404(ProductImage, pk=image_id, product_id=product_id)
    form = ImageMoveForm(request.POST)
    if form.is_valid():
        try:
            image_services.move_product_image(image_id=image.pk, direction=form.cleaned_data["direction"],
                                              actor=request.user)
        except CatalogError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Image order saved."))
    if request.POST.get("return_to") == "editor":
        return redirect(reverse("console:catalog:product_edit", args=[product_id]) + "#pe-images")
    return redirect(reverse("console:catalog:product_images", args=[product_id]) + f"#image-{image.pk}")


@require_POST
@console_permission_required(CHANGE_PRODUCT)
def product_image_delete(request, product_id: int, image_id: int):
    image = get_object_or_404(ProductImage, pk=image_id, product_id=product_id)
    try:
        image_services.delete_product_image(image_id=image.pk, actor=request.user)
    except CatalogError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Image deleted."))
    if request.POST.get("return_to") == "editor":
        return redirect(reverse("console:catalog:product_edit", args=[product_id]) + "#pe-images")
    return redirect("console:catalog:product_images", product_id=product_id)


# --- Product editor and review ---------------------------------------------------------------

def _render_console_editor(request, context: dict, *, product=None, seller=None):
    context.update({
        "image_move_url_name": "console:catalog:product_image_move",
        "image_delete_url_name": "console:catalog:product_image_delete",
        "image_order_url_name": "console:catalog:product_image_order",
        "cancel_url": reverse("console:catalog:product_list"),
        "editing_seller": seller,
    })
    return render(request, "console/catalog/product_editor.html", context,
                  status=400 if context["form"].errors else 200)


@require_http_methods(["GET", "POST"])
@console_permission_required(VIEW_PRODUCT, CHANGE_PRODUCT)
def product_create(request):
    """Register a product for any seller (chosen first)."""
    from partners.models import Seller

    seller_id = request.POST.get("seller") or request.GET.get("seller") or ""
    seller = Seller.objects.filter(pk=seller_id).first() if seller_id.isdigit() else None
    if seller is None:
        return render(request, "console/catalog/product_choose_seller.html", {
            "sellers": Seller.objects.order_by("name")})
    saved, context = handle_editor(request, product=None, seller=seller, as_operator=True)
    if saved is not None:
        messages.success(request, _("Product registered."))
        return redirect("console:catalog:product_edit", product_id=saved.pk)
    return _render_console_editor(request, context, seller=seller)


@require_http_methods(["GET", "POST"])
@console_permission_required(VIEW_PRODUCT, CHANGE_PRODUCT)
def product_edit(request, product_id: int):
    product = get_object_or_404(Product.objects.select_related("seller", "category"), pk=product_id)
    saved, context = handle_editor(request, product=product, seller=product.seller, as_operator=True)
    if saved is not None:
        messages.success(request, _("Changes saved."))
        return redirect("console:catalog:product_edit", product_id=saved.pk)
    return _render_console_editor(request, context, product=product, seller=product.seller)


# --- Excel registration and bulk edit for a chosen seller (the portal's pages, catalog/views/excel.py) --

def _excel_seller(seller_id: int):
    from partners.models import Seller

    return get_object_or_404(Seller, pk=seller_id)


@require_GET
@console_permission_required(VIEW_PRODUCT, CHANGE_PRODUCT)
def excel_choose_seller(request):
    from partners.models import Seller

    seller_id = request.GET.get("seller") or ""
    if seller_id.isdigit() and Seller.objects.filter(pk=seller_id).exists():
        return redirect("console:catalog:product_excel", seller_id=int(seller_id))
    return render(request, "console/catalog/product_choose_seller.html", {
        "sellers": Seller.objects.order_by("name"), "excel": True})


@require_http_methods(["GET", "POST"])
@console_permission_required(VIEW_PRODUCT, CHANGE_PRODUCT)
def excel_upload(request, seller_id: int):
    return excel.upload(request, excel.CONSOLE, _excel_seller(seller_id))


@require_GET
@console_permission_required(VIEW_PRODUCT, CHANGE_PRODUCT)
def excel_template(request, seller_id: int):
    _excel_seller(seller_id)
    return excel.template(request)


@require_GET
@console_permission_required(VIEW_PRODUCT, CHANGE_PRODUCT)
def excel_bulk_download(request, seller_id: int):
    return excel.bulk_download(request, _excel_seller(seller_id))


@require_GET
@console_permission_required(VIEW_PRODUCT, CHANGE_PRODUCT)
def excel_progress(request, seller_id: int, reference: str):
    return excel.progress(request, excel.CONSOLE, _excel_seller(seller_id), reference)


@require_GET
@console_permission_required(VIEW_PRODUCT, CHANGE_PRODUCT)
def excel_progress_json(request, seller_id: int, reference: str):
    return excel.progress_json(request, excel.CONSOLE, _excel_seller(seller_id), reference)


@require_GET
@console_permission_required(VIEW_PRODUCT, CHANGE_PRODUCT)
def excel_preview(request, seller_id: int, reference: str):
    return excel.preview(request, excel.CONSOLE, _excel_seller(seller_id), reference)


@require_POST
@console_permission_required(VIEW_PRODUCT, CHANGE_PRODUCT)
def excel_apply(request, seller_id: int, reference: str):
    return excel.apply(request, excel.CONSOLE, _excel_seller(seller_id), reference)


@require_GET
@console_permission_required(VIEW_PRODUCT, CHANGE_PRODUCT)
def review_list(request):
    """Products waiting for review, oldest first, and which sellers need review."""
    from catalog.models import SellerCatalogSettings
    from partners.models import Seller

    waiting = (Product.objects.filter(review_status=Product.Review.PENDING).select_related("seller", "category")
               .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")))
               .annotate(sku_count=Count("skus")).order_by("created_at", "id"))
    page = _page(request, waiting, PRODUCTS_PER_PAGE)
    for product in page:
        product.main_image = next(iter(product.images.all()), None)
    reviewed = set(SellerCatalogSettings.objects.filter(products_need_review=True).values_list("seller_id", flat=True))
    return render(request, "console/catalog/review_list.html", {
        "page": page, "form": ProductReviewForm(), "sellers": Seller.objects.order_by("name"),
        "reviewed_sellers": reviewed,
    })


@require_POST
@console_permission_required(VIEW_PRODUCT, CHANGE_PRODUCT)
def review_decide(request, product_id: int):
    product = get_object_or_404(Product, pk=product_id)
    form = ProductReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("console:catalog:review_list")
    try:
        if form.cleaned_data["decision"] == "approve":
            product_services.approve_product(product_id=product.pk, actor=request.user,
                                             note=form.cleaned_data["reason"])
            messages.success(request, _("%(name)s approved.") % {"name": product.name})
        else:
            product_services.reject_product(product_id=product.pk, actor=request.user,
                                            reason=form.cleaned_data["reason"])
            messages.success(request, _("%(name)s rejected; the seller was told why.") % {"name": product.name})
    except (CatalogError, TransitionNotAllowed) as error:
        messages.error(request, getattr(error, "message", str(error)))
    return redirect("console:catalog:review_list")


@require_POST
@console_permission_required(VIEW_PRODUCT, CHANGE_PRODUCT)
def review_setting(request):
    from partners.models import Seller

    seller_id = request.POST.get("seller", "")
    seller = get_object_or_404(Seller, pk=int(seller_id) if seller_id.isdigit() and len(seller_id) < 12 else 0)
    need = request.POST.get("need_review") == "1"
    product_services.set_products_need_review(seller=seller, need_review=need, actor=request.user)
    messages.success(request, (_("New products of %(seller)s now need review.") if need else
                               _("New products of %(seller)s show without review.")) % {"seller": seller.name})
    return redirect("console:catalog:review_list")
