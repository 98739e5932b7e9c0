"""Excel product registration and bulk edit pages, one implementation for two sites.

The seller portal (``/partner/products/excel/``, the signed-in person's seller) and the console
(``/console/catalog/sellers/<seller>/excel/``, any seller, for operators with the product
permissions) call these functions with their ``ExcelSite`` and the seller; the wrappers in
``catalog/views/partner.py`` and ``catalog/views/console.py`` only check access. A job
(reference) belongs to the person who uploaded it and to the seller it was uploaded for:
anything else is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from catalog.exceptions import CatalogError
from catalog.forms import SpreadsheetUploadForm
from catalog.models import Category
from catalog.services import bulk as bulk_services
from core.spreadsheets import XLSX_CONTENT_TYPE, progress_payload


@dataclass(frozen=True)
class ExcelSite:
    namespace: str  # "partner" or "console:catalog"
    base_template: str
    list_url_name: str  # where an applied file leads
    seller_in_url: bool  # the console's URLs carry the seller's id
    console: bool = False

    def url(self, name: str, seller, *args) -> str:
        return reverse(f"{self.namespace}:{name}", args=[seller.pk, *args] if self.seller_in_url else list(args))

    def context(self, seller, reference: str = "") -> dict:
        urls = {
            "excel": self.url("product_excel", seller),
            "template": self.url("product_excel_template", seller),
            "bulk_download": self.url("product_excel_bulk_download", seller),
            "list": reverse(self.list_url_name),
        }
        if reference:
            urls.update({
                "apply": self.url("product_excel_apply", seller, reference),
                "progress": self.url("product_excel_progress", seller, reference),
                "progress_json": self.url("product_excel_progress_json", seller, reference),
                "preview": self.url("product_excel_preview", seller, reference),
            })
        return {"base_template": self.base_template, "console": self.console, "excel_seller": seller, "urls": urls}


PORTAL = ExcelSite(namespace="partner", base_template="partner/base.html", list_url_name="partner:product_list",
                   seller_in_url=False)
CONSOLE = ExcelSite(namespace="console:catalog", base_template="console/base.html",
                    list_url_name="console:catalog:product_list", seller_in_url=True, console=True)


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def upload(request, site: ExcelSite, seller):
    """The Excel page: download the templates, upload a registration or bulk-edit file."""
    kind = request.POST.get("kind") or request.GET.get("kind") or bulk_services.REGISTRATION
    if kind not in bulk_services.KINDS:
        kind = bulk_services.REGISTRATION
    form = SpreadsheetUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            reference = bulk_services.start_upload(kind=kind, file=form.cleaned_data["file"], seller=seller,
                                                   owner_id=request.user.pk)
        except CatalogError as error:
            form.add_error("file", error.message)
        else:
            return redirect(site.url("product_excel_progress", seller, reference))
    categories = Category.objects.filter(is_active=True).order_by("path")
    return render(request, "partner/products/excel.html", {
        **site.context(seller), "form": form, "kind": kind, "categories": categories,
        "async_threshold": bulk_services.ASYNC_THRESHOLD,
    }, status=400 if form.errors else 200)


def template(request):
    category = Category.objects.filter(pk=request.GET.get("category") or 0).first() if (
        request.GET.get("category") or "").isdigit() else None
    return _xlsx(bulk_services.registration_template(category=category), "product-registration.xlsx")


def bulk_download(request, seller):
    return _xlsx(bulk_services.bulk_edit_workbook(seller=seller), "product-bulk-edit.xlsx")


def _own_job(request, seller, reference: str) -> tuple[dict, dict]:
    stored = bulk_services.STORE.load(reference, owner_id=request.user.pk)
    progress = bulk_services.STORE.get_progress(reference)
    if not progress or progress.get("owner") != request.user.pk or progress.get("seller") != seller.pk:
        raise Http404
    return stored or {}, progress


def progress(request, site: ExcelSite, seller, reference: str):
    _stored, job = _own_job(request, seller, reference)
    phase = job.get("phase")
    if phase in ("validated", "failed", "applied"):
        return redirect(site.url("product_excel_preview", seller, reference))
    return render(request, "partner/products/excel_progress.html", {
        **site.context(seller, reference), "reference": reference, "progress": progress_payload(job),
        "applying": phase in ("queued", "applying"),
    })


def progress_json(request, site: ExcelSite, seller, reference: str):
    _stored, job = _own_job(request, seller, reference)
    return JsonResponse(progress_payload(job, next_url=site.url("product_excel_preview", seller, reference)))


def preview(request, site: ExcelSite, seller, reference: str):
    stored, job = _own_job(request, seller, reference)
    result = bulk_services.STORE.load_result(reference)
    if job.get("phase") in ("uploaded", "validating", "queued", "applying"):
        return redirect(site.url("product_excel_progress", seller, reference))
    rows = (result or {}).get("rows", [])
    error_count = sum(1 for row in rows if row["error"])
    only_errors = request.GET.get("errors") == "1" and error_count > 0
    shown = [row for row in rows if row["error"]] if only_errors else rows
    page = Paginator(shown, 200).get_page(request.GET.get("page"))
    return render(request, "partner/products/excel_preview.html", {
        **site.context(seller, reference), "reference": reference, "kind": job.get("kind"),
        "filename": stored.get("filename", ""), "progress": job, "page": page, "total": len(rows),
        "error_count": error_count, "ok_count": len(rows) - error_count, "only_errors": only_errors,
        "can_apply": bool(stored) and rows and not error_count and job.get("phase") == "validated",
    })


def apply(request, site: ExcelSite, seller, reference: str):
    stored, job = _own_job(request, seller, reference)
    if not stored:
        messages.warning(request, _("That upload has expired or was already applied. Upload the file again."))
        return redirect(site.url("product_excel", seller))
    bulk_services.start_apply(reference=reference, actor=request.user)
    job = bulk_services.STORE.get_progress(reference)
    if job.get("phase") == "applied":
        messages.success(request, _("%(count)s rows applied.") % {"count": job.get("applied", 0)})
        return redirect(site.context(seller)["urls"]["list"])
    if job.get("phase") == "failed":
        messages.error(request, job.get("message") or _("Nothing was applied."))
        return redirect(site.url("product_excel_preview", seller, reference))
    return redirect(site.url("product_excel_progress", seller, reference))
