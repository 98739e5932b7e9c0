"""The product editor shared by the seller portal and the console: one form, one page body.

The portal and console views decide who may edit what (the seller's own products, or any
product for an operator) and where to go after saving; this module reads the form, calls the
services and renders ``catalog/_product_editor.html`` inside the audience's layout.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.utils.translation import gettext as _

from catalog import notices
from catalog.exceptions import CatalogError, InvalidImage
from catalog.forms import ImageOrderForm, ProductEditorForm, editor_options
from catalog.models import Category, Product
from catalog.services import images as image_services
from catalog.services import products as product_services
from catalog.services.products import OptionRow, OptionSpec, option_matrix


def category_notice_groups() -> dict[int, str]:
    """category id → its effective notice group, for the editor's script (one query)."""
    rows = list(Category.objects.values_list("pk", "path", "notice_group"))
    by_path = {path: group for _pk, path, group in rows}
    result = {}
    for pk, path, group in rows:
        if not group:
            parts = [part for part in path.split("/") if part]
            for depth in range(len(parts) - 1, 0, -1):
                group = by_path.get("".join(f"{part}/" for part in parts[:depth]), "")
                if group:
                    break
        result[pk] = group or notices.OTHER
    return result


def _initial(product: Product) -> tuple[dict, list[OptionSpec], list[OptionRow]]:
    groups = list(product.option_groups.prefetch_related("values"))
    specs = [OptionSpec(name=group.name, values=[value.value for value in group.values.all()]) for group in groups]
    skus = list(product.skus.order_by("position", "id"))
    rows = [OptionRow(values=tuple(sku.option_label.split(" / ")) if sku.option_label else (),
                      price_delta_amount=sku.price_delta_amount, stock_quantity=sku.stock_quantity,
                      code=sku.code, is_active=sku.is_active) for sku in skus]
    labels = {" / ".join(combo) for combo in option_matrix(specs)}
    rows = [row for row in rows if row.label in labels]  # switched-off SKUs of old options stay out
    initial = {
        "category": product.category_id, "brand": product.brand_id, "name": product.name,
        "summary": product.summary, "list_price_amount": product.list_price_amount,
        "sale_price_amount": product.sale_price_amount, "description_html": product.description_html,
        "points_rate_percent": product.points_rate_percent,
        "status": product.requested_status or product.status,
        "option_kind": "none" if not specs else ("single" if len(specs) == 1 else "combination"),
    }
    if product.status == Product.Status.SUSPENDED:
        initial["status"] = Product.Status.HIDDEN
    for key, value in notices.values_by_key(product.notice).items():
        initial[f"notice-{key}"] = value
    return initial, specs, rows


def _matrix(specs: list[OptionSpec], rows: list[OptionRow]) -> list[OptionRow]:
    """The rows for every combination of ``specs``, keeping what ``rows`` say about each."""
    by_label = {row.label: row for row in rows}
    return [by_label.get(" / ".join(combo)) or OptionRow(values=combo, is_active=True) for combo in option_matrix(specs)]


def editor_context(form, *, product: Product | None, specs, rows, seller) -> dict:
    specs = list(specs) + [OptionSpec(name="", values=[]) for _index in range(3 - len(specs))]
    shipping = getattr(seller, "shipping_policy", None) if seller is not None else None
    return {
        "form": form, "product": product, "option_specs": specs[:3], "matrix": rows,
        "images": list(product.images.order_by("position", "id")) if product else [],
        "notice_groups": category_notice_groups(), "notice_fields": form.notice_fields(),
        "shipping": shipping, "seller": seller,
    }


def handle_editor(request, *, product: Product | None, seller, as_operator: bool):
    """Run the editor for GET or POST. Returns (saved product or None, context for re-rendering)."""
    if request.method != "POST":
        if product is None:
            form = ProductEditorForm(initial={"status": Product.Status.ON_SALE, "option_kind": "none"})
            return None, editor_context(form, product=None, specs=[], rows=[OptionRow(values=())], seller=seller)
        initial, specs, rows = _initial(product)
        form = ProductEditorForm(initial=initial)
        return None, editor_context(form, product=product, specs=specs, rows=rows, seller=seller)

    form = ProductEditorForm(request.POST, request.FILES)
    valid = form.is_valid()
    kind = request.POST.get("option_kind") or "none"
    specs, rows, option_errors = editor_options(request.POST, kind)
    if kind == "none":
        rows = rows[:1] or [OptionRow(values=())]
        rows[0].values = ()
    if request.POST.get("action") == "matrix":
        # Without the script: "apply to the list" rebuilds the matrix and saves nothing.
        form = ProductEditorForm(initial=request.POST.dict())
        return None, editor_context(form, product=product, specs=specs, rows=_matrix(specs, rows), seller=seller)
    for message in option_errors:
        form.add_error(None, message)
    images = (form.cleaned_data.get("images") or []) if valid else []
    for upload in images:
        try:
            image_services.check_image_file(upload)
        except InvalidImage as error:
            form.add_error("images", _("%(file)s: %(error)s") % {"file": upload.name, "error": error.message})
    if form.errors:
        return None, editor_context(form, product=product, specs=specs, rows=_matrix(specs, rows), seller=seller)
    data = form.cleaned_data
    fields = {
        "category": data["category"], "brand": data["brand"], "name": data["name"], "summary": data["summary"],
        "list_price_amount": data["list_price_amount"], "sale_price_amount": data["sale_price_amount"],
        "description_html": data["description_html"], "notice": form.notice(),
        "points_rate_percent": data["points_rate_percent"], "status": data["status"],
        "actor": request.user, "as_operator": as_operator,
    }
    try:
        with transaction.atomic():
            if product is None:
                saved = product_services.register_product(seller=seller, options=specs, rows=rows, **fields)
            else:
                saved = product_services.update_product(product_id=product.pk, **fields)
                product_services.save_product_options(product=saved, options=specs, rows=rows, actor=request.user)
            for upload in images:
                image_services.add_product_image(product=saved, uploaded_file=upload, actor=request.user,
                                                 alt=data["name"])
    except CatalogError as error:
        form.add_error(None, error.message)
        return None, editor_context(form, product=product, specs=specs, rows=_matrix(specs, rows), seller=seller)
    return saved, {}


def save_image_order(request, product) -> None:
    """Portal and console: put the images in the posted order (the first is the main image)."""
    form = ImageOrderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The image order could not be read. Reload the page and try again."))
        return
    try:
        image_services.reorder_product_images(product=product, image_ids=form.cleaned_data["order"],
                                              actor=request.user)
    except CatalogError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Image order saved."))
