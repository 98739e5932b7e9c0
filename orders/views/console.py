"""The order console (seed 002): lines by status, bulk moves, the order page, waybills by Excel.

Every view needs a signed-in, active staff member with the page's permission (anonymous →
login, anyone else → 403): orders.view_order to see, orders.manage_fulfilment to move lines
and enter waybills, orders.handle_order_cs for memos, delays and stock cancels. Views are
thin: a form, one service, a message, a redirect; domain errors become messages.
"""

import logging
from functools import cached_property

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import DomainError
from core.outbox import messages_about
from core.views_console import console_permission_required
from orders.forms_console import (
    BULK_ACTIONS,
    STATUS_TABS,
    BackorderForm,
    BulkActionForm,
    BulkJobForm,
    DelayForm,
    MemoForm,
    OrderLineSearchForm,
    StockCancelForm,
    WaybillForm,
    WaybillUploadForm,
)
from orders.models import BulkLineJob, BulkLineResult, Courier, Order, OrderLine, PaymentMethod
from orders.selectors import (
    count_lines_by_status,
    count_search_results,
    forget_line_status_counts,
    get_order_for_console,
    get_order_timeline,
    list_lines_to_ship,
    search_console_lines,
)
from orders.services import bulk as bulk_services
from orders.services import fulfilment
from orders.services import waybills as waybill_services
from orders.services.memos import add_order_memo

logger = logging.getLogger(__name__)

VIEW_ORDER = "orders.view_order"
MANAGE_FULFILMENT = "orders.manage_fulfilment"
HANDLE_CS = "orders.handle_order_cs"
LINES_PER_PAGE = 50
PREVIEW_ROWS_PER_PAGE = 200
SEARCH_COUNT_CAP = 5000
S = OrderLine.Status

WAYBILL_STATUSES = (S.PREPARING, S.READY_TO_SHIP)
CS_STATUSES = (S.PAID, S.PREPARING)
# A ship-by date means something only until the line ships; a cancelled line shows none.
OPEN_STATUSES = (S.PAID, S.PREPARING, S.READY_TO_SHIP)


class KnownCountPaginator(Paginator):
    """A paginator told its count (from the cached tab counts) instead of running COUNT(*)."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def _active_couriers() -> list[Courier]:
    return list(Courier.objects.filter(is_active=True))


def _next_url(request, default: str) -> str:
    from core.http import safe_next_url

    return safe_next_url(request, default)


# --- The line list ---------------------------------------------------------------------------

@require_GET
@console_permission_required(VIEW_ORDER)
def line_list(request):
    form = OrderLineSearchForm(request.GET or None)
    if form.is_bound and form.is_valid():
        search = form.selector_kwargs()
    else:
        requested = request.GET.get("status", "")
        search = {"status": requested if requested in dict(STATUS_TABS) else ""}
    status = search["status"] or "all"
    counts = count_lines_by_status()
    lines = search_console_lines(**search)
    searching = form.is_bound and form.has_search()
    count_capped = False
    if searching:  # count at most SEARCH_COUNT_CAP lines: a broad search must not COUNT a million
        found = count_search_results(lines, cap=SEARCH_COUNT_CAP)
        count_capped = found > SEARCH_COUNT_CAP
        paginator = KnownCountPaginator(lines, LINES_PER_PAGE, count=min(found, SEARCH_COUNT_CAP))
    else:  # a plain tab: its count is the cached GROUP BY, not a COUNT over the table
        paginator = KnownCountPaginator(lines, LINES_PER_PAGE, count=counts.get(status, 0))
    page = paginator.get_page(request.GET.get("page"))
    rows = _group_by_order(list(page.object_list))
    can_manage = request.user.has_perm(MANAGE_FULFILMENT)
    statuses_on_page = {line.status for line in rows}
    actions = []
    if can_manage:
        actions = [(key, label) for key, (label, starts) in BULK_ACTIONS.items() if starts & statuses_on_page]
        movable = set().union(*(BULK_ACTIONS[key][1] for key, _label in actions)) if actions else set()
        for line in rows:
            line.selectable = line.status in movable
            line.waybill_editable = line.status in WAYBILL_STATUSES
    tabs = [(key, label, counts.get(key, 0)) for key, label in STATUS_TABS]
    # "Select all N results": the whole search in a background job, offered when it spans pages.
    job_actions = []
    if can_manage and paginator.num_pages > 1 and not count_capped:
        starts = {status} if status != "all" else set(S.values)
        job_actions = [(key, label) for key, (label, action_starts) in BULK_ACTIONS.items() if action_starts & starts]
    query = request.GET.copy()
    query.pop("page", None)
    if "status" not in query:
        query["status"] = status
    return render(request, "console/orders/line_list.html", {
        "form": form, "page": page, "rows": rows, "tabs": tabs, "status": status, "searching": searching,
        "actions": actions, "can_manage": can_manage, "couriers": _active_couriers() if can_manage else [],
        "list_url": request.get_full_path(), "count_capped": count_capped, "job_actions": job_actions,
        "search_query": query.urlencode(), "open_statuses": OPEN_STATUSES, **_delay_bounds(),
    }, status=400 if form.is_bound and form.errors else 200)


def _delay_bounds() -> dict:
    """The bulk delay's date picker: tomorrow .. today + DISPATCH_DELAY_MAX_DAYS, and the reasons."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from orders.services.fulfilment import DELAY_REASONS

    today = timezone.localdate()
    return {"delay_min": (today + timedelta(days=1)).isoformat(),
            "delay_max": (today + timedelta(days=settings.DISPATCH_DELAY_MAX_DAYS)).isoformat(),
            "delay_reasons": list(DELAY_REASONS.items())}


def _group_by_order(lines: list[OrderLine]) -> list[OrderLine]:
    """Keep each order's lines together (in line order) and mark where an order starts."""
    groups: dict[int, list[OrderLine]] = {}
    for line in lines:
        groups.setdefault(line.order_id, []).append(line)
    rows = []
    for group in groups.values():
        group.sort(key=lambda line: line.pk)
        for index, line in enumerate(group):
            line.starts_order = index == 0
            line.order_line_count = len(group)
            line.selectable = False
            line.waybill_editable = False
            rows.append(line)
    return rows


@require_POST
@console_permission_required(VIEW_ORDER, MANAGE_FULFILMENT)
def bulk_action(request):
    form = BulkActionForm(request.POST)
    target = _next_url(request, reverse("console:orders:line_list"))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(target)
    action = form.cleaned_data["action"]
    label = BULK_ACTIONS[action][0]
    try:
        results = bulk_services.run_bulk_action(action=action, line_ids=form.cleaned_data["lines"],
                                                actor=request.user, params=form.params())
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(target)
    forget_line_status_counts()
    _report_results(request, label, results)
    return redirect(target)


# --- "Select all N results": a bulk move over a whole search, in Celery ----------------------

@require_POST
@console_permission_required(VIEW_ORDER, MANAGE_FULFILMENT)
def bulk_job_start(request):
    form = BulkJobForm(request.POST)
    back = reverse("console:orders:line_list") + "?" + (request.POST.get("query") or "")
    if not form.is_valid():
        if "action" in form.errors:
            messages.error(request, _("Choose an action."))
        for field, errors in form.errors.items():
            for error in errors if field != "action" else ():
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    try:
        job = bulk_services.start_bulk_job(action=data["action"], query=data["query"], actor=request.user,
                                           params=form.params())
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    if job.total != data["expected"]:
        messages.info(request, _("%(count)s of the lines you saw can take this action now.") % {
            "count": f"{job.total:,}"})
    _start_job(job.pk)
    return redirect("console:orders:bulk_job", job_id=job.pk)


def _start_job(job_id: int) -> None:
    """Queue the job; if the broker is down, do the work in this request instead."""
    from orders import tasks

    try:
        tasks.run_bulk_line_job.delay(job_id)
    except Exception as exc:  # broker unreachable: slower, but the operator is not stuck
        logger.warning("bulk job %s could not be queued (%s); running it in the request", job_id, exc)
        tasks.run_bulk_line_job.run(job_id)


def _owned_job(request, job_id: int) -> BulkLineJob:
    job = get_object_or_404(BulkLineJob, pk=job_id)
    if job.owner_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    return job


def _job_payload(job: BulkLineJob) -> dict:
    finished = job.status in (BulkLineJob.Status.DONE, BulkLineJob.Status.FAILED)
    return {"phase": job.status, "done": job.done, "total": job.total, "finished": finished,
            "percent": 100 if finished else (int(job.done * 100 / job.total) if job.total else 0),
            "succeeded": job.succeeded, "refused": job.refused,
            "next_url": reverse("console:orders:bulk_job", args=[job.pk]) if finished else ""}


@require_GET
@console_permission_required(VIEW_ORDER, MANAGE_FULFILMENT)
def bulk_job(request, job_id: int):
    job = _owned_job(request, job_id)
    finished = job.status in (BulkLineJob.Status.DONE, BulkLineJob.Status.FAILED)
    if finished:
        forget_line_status_counts()
    shown = request.GET.get("show", "refused")
    results = BulkLineResult.objects.filter(job=job).select_related("line__order").order_by("id")
    if shown == "refused":
        results = results.filter(ok=False)
    page = Paginator(results, PREVIEW_ROWS_PER_PAGE).get_page(request.GET.get("page")) if finished else None
    return render(request, "console/orders/bulk_job.html", {
        "job": job, "label": BULK_ACTIONS.get(job.action, (job.action,))[0], "finished": finished,
        "progress": _job_payload(job), "page": page, "shown": shown,
        "list_url": reverse("console:orders:line_list") + "?" + job.query,
    })


@require_GET
@console_permission_required(VIEW_ORDER, MANAGE_FULFILMENT)
def bulk_job_progress(request, job_id: int):
    return JsonResponse(_job_payload(_owned_job(request, job_id)))


@require_GET
@console_permission_required(VIEW_ORDER, MANAGE_FULFILMENT)
def bulk_job_report(request, job_id: int):
    """The per-line report as CSV (Excel opens it): line, order, product, result, reason."""
    import csv

    job = _owned_job(request, job_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bulk-{job.action}-{job.pk}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 (Hangul) only with the byte-order mark
    writer = csv.writer(response)
    writer.writerow([_("Line"), _("Order number"), _("Product"), _("Result"), _("Reason")])
    rows = BulkLineResult.objects.filter(job=job).select_related("line__order").order_by("id")
    for result in rows.iterator(chunk_size=2000):
        writer.writerow([result.line_id, result.line.order.number, result.line.product_name,
                         _("Done") if result.ok else _("Refused"), result.message])
    return response


def _report_results(request, label: str, results: list) -> None:
    done = sum(1 for result in results if result.ok)
    refused = [result for result in results if not result.ok]
    summary = _("%(action)s: %(done)s done, %(refused)s refused.") % {
        "action": label, "done": done, "refused": len(refused)}
    (messages.success if not refused else messages.warning)(request, summary)
    if not refused:
        return
    shown = refused[:20]
    lines = {line.pk: line for line in OrderLine.objects.filter(pk__in=[r.line_id for r in shown]).select_related(
        "order").only("id", "product_name", "order__number")}
    for result in shown:
        line = lines.get(result.line_id)
        where = f"{line.order.number} · {line.product_name}" if line else ""
        messages.error(request, _("Line %(line)s (%(where)s): %(reason)s") % {
            "line": result.line_id, "where": where, "reason": result.message})
    if len(refused) > len(shown):
        messages.error(request, _("… and %(count)s more refused lines.") % {"count": len(refused) - len(shown)})


# --- The order page --------------------------------------------------------------------------

def _get_order(number: str) -> Order:
    order = get_order_for_console(number=number)
    if order is None:
        raise Http404
    return order


def _payment(order: Order):
    return getattr(order, "payment", None) if hasattr(order, "payment") else None


def _render_order_detail(request, order: Order, *, bound=None, memo_form=None, status: int = 200):
    """The order page; ``bound`` is (line id, form name, form) for a form that failed validation."""
    user = request.user
    couriers = _active_couriers()
    payment = _payment(order)
    needs_account = bool(payment and payment.method == PaymentMethod.VIRTUAL_ACCOUNT)
    can_manage, can_cs = user.has_perm(MANAGE_FULFILMENT), user.has_perm(HANDLE_CS)
    lines = list(order.lines.all())
    for line in lines:
        line.forms = {}
        if can_manage and line.status in WAYBILL_STATUSES:
            line.forms["waybill"] = WaybillForm(couriers=couriers, auto_id=f"id_waybill_{line.pk}_%s", initial={
                "courier": line.courier.code if line.courier_id else "", "waybill_number": line.waybill_number})
        if can_cs and line.status in CS_STATUSES:
            line.forms["delay"] = DelayForm(prefix=f"delay-{line.pk}")
            line.forms["backorder"] = BackorderForm(prefix=f"backorder-{line.pk}")
            line.forms["cancel"] = StockCancelForm(prefix=f"cancel-{line.pk}", needs_account=needs_account)
        line.open_form = ""
        if bound and bound[0] == line.pk:
            line.forms[bound[1]] = bound[2]
            line.open_form = bound[1]
        line.can_acknowledge = can_manage and line.status == S.PAID
        line.can_ship = can_manage and line.status == S.READY_TO_SHIP
        line.can_deliver = can_manage and line.status == S.SHIPPING
    return render(request, "console/orders/order_detail.html", {
        "order": order, "lines": lines, "payment": payment, "cancels": list(payment.cancels.all()) if payment else [],
        "timeline": get_order_timeline(order=order), "outbox": list(messages_about(order)),
        "memos": list(order.memos.all()), "memo_form": memo_form or MemoForm(), "can_manage": can_manage,
        "can_cs": can_cs, "needs_account": needs_account, "shippings": list(order.shippings.all()),
        "items_total": sum(line.items_amount for line in lines),
        "refunded_total": sum(line.refunded_amount for line in lines), "open_statuses": OPEN_STATUSES,
    }, status=status)


@require_GET
@console_permission_required(VIEW_ORDER)
def order_detail(request, number: str):
    return _render_order_detail(request, _get_order(number))


@require_POST
@console_permission_required(VIEW_ORDER, HANDLE_CS)
def add_memo(request, number: str):
    order = _get_order(number)
    form = MemoForm(request.POST)
    if not form.is_valid():
        return _render_order_detail(request, order, memo_form=form, status=400)
    try:
        add_order_memo(order=order, author=request.user, body=form.cleaned_data["body"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Memo added."))
    return redirect(reverse("console:orders:order_detail", args=[order.number]) + "#memos")


def _line_or_404(line_id: int) -> OrderLine:
    return get_object_or_404(OrderLine.objects.select_related("order"), pk=line_id)


def _detail_url(line: OrderLine) -> str:
    return reverse("console:orders:order_detail", args=[line.order.number]) + f"#line-{line.pk}"


def _line_form_view(request, line: OrderLine, name: str, form, apply, success: str):
    """Shared shape of the per-line forms: invalid → the order page again, with errors."""
    from_detail = request.POST.get("origin") != "list"
    target = _next_url(request, _detail_url(line)) if not from_detail else _detail_url(line)
    if not form.is_valid():
        if from_detail:
            return _render_order_detail(request, _get_order(line.order.number), bound=(line.pk, name, form),
                                        status=400)
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("Line %(line)s: %(error)s") % {"line": line.pk, "error": error})
        return redirect(target)
    try:
        apply(form.cleaned_data)
    except DomainError as error:
        messages.error(request, _("Line %(line)s: %(error)s") % {"line": line.pk, "error": error.message})
    else:
        forget_line_status_counts()
        messages.success(request, success)
    return redirect(target)


@require_POST
@console_permission_required(VIEW_ORDER, MANAGE_FULFILMENT)
def set_waybill(request, line_id: int):
    line = _line_or_404(line_id)
    form = WaybillForm(request.POST, couriers=_active_couriers(), auto_id=f"id_waybill_{line_id}_%s")
    return _line_form_view(
        request, line, "waybill", form,
        lambda data: fulfilment.set_waybill(line_id=line.pk, courier_code=data["courier"],
                                            waybill_number=data["waybill_number"], actor=request.user),
        _("Waybill saved for line %(line)s.") % {"line": line.pk})


@require_POST
@console_permission_required(VIEW_ORDER, HANDLE_CS)
def register_delay(request, line_id: int):
    line = _line_or_404(line_id)
    form = DelayForm(request.POST, prefix=f"delay-{line.pk}")
    return _line_form_view(
        request, line, "delay", form,
        lambda data: fulfilment.register_delay(line_id=line.pk, new_ship_by=data["new_ship_by"],
                                               reason_code=data["reason"], note=data["note"], actor=request.user),
        _("Delay registered for line %(line)s; the shopper is told.") % {"line": line.pk})


@require_POST
@console_permission_required(VIEW_ORDER, HANDLE_CS)
def backorder(request, line_id: int):
    line = _line_or_404(line_id)
    form = BackorderForm(request.POST, prefix=f"backorder-{line.pk}")
    return _line_form_view(
        request, line, "backorder", form,
        lambda data: fulfilment.backorder_line(line_id=line.pk, expected_date=data["expected_date"],
                                               note=data["note"], actor=request.user),
        _("Line %(line)s is backordered; the shopper is told.") % {"line": line.pk})


@require_POST
@console_permission_required(VIEW_ORDER, HANDLE_CS)
def cancel_for_stock(request, line_id: int):
    line = _line_or_404(line_id)
    payment = getattr(line.order, "payment", None) if hasattr(line.order, "payment") else None
    needs_account = bool(payment and payment.method == PaymentMethod.VIRTUAL_ACCOUNT)
    form = StockCancelForm(request.POST, prefix=f"cancel-{line.pk}", needs_account=needs_account)
    return _line_form_view(
        request, line, "cancel", form,
        lambda data: fulfilment.cancel_line_for_stock(line_id=line.pk, actor=request.user, reason=data["reason"],
                                                      refund_account=form.refund_account()),
        _("Line %(line)s is cancelled and refunded; the shopper is told.") % {"line": line.pk})


# --- Waybills by Excel -----------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@console_permission_required(VIEW_ORDER, MANAGE_FULFILMENT)
def waybill_upload(request):
    form = WaybillUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            raw_rows = waybill_services.read_waybill_file(upload)
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            reference = waybill_services.store_upload(raw_rows=raw_rows, filename=upload.name, owner_id=request.user.pk)
            if len(raw_rows) > waybill_services.ASYNC_THRESHOLD:
                _start_task("validate_waybill_import", reference)
                return redirect("console:orders:waybill_progress", reference=reference)
            waybill_services.run_validation(reference=reference)
            return redirect("console:orders:waybill_preview", reference=reference)
    return render(request, "console/orders/waybill_upload.html", {
        "form": form, "to_ship_count": count_lines_by_status().get(S.PREPARING, 0),
        "threshold": waybill_services.ASYNC_THRESHOLD, "headers": waybill_services.HEADERS,
        "couriers": _active_couriers(),
    }, status=400 if form.errors else 200)


def _start_task(name: str, *args) -> None:
    """Queue a waybill task; if the broker is down, do the work in this request instead."""
    from orders import tasks

    task = getattr(tasks, name)
    try:
        task.delay(*args)
    except Exception as exc:  # broker unreachable: slower, but the operator is not stuck
        logger.warning("waybill task %s could not be queued (%s); running it in the request", name, exc)
        task.run(*args)


@require_GET
@console_permission_required(VIEW_ORDER, MANAGE_FULFILMENT)
def waybill_download(request):
    data = waybill_services.build_waybill_workbook(lines=list_lines_to_ship().iterator(chunk_size=2000))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{waybill_services.waybill_filename()}"'
    return response


def _owned_progress(request, reference: str) -> dict:
    progress = waybill_services.get_progress(reference)
    if not progress or progress.get("owner") != request.user.pk:
        raise Http404
    return progress


@require_GET
@console_permission_required(VIEW_ORDER, MANAGE_FULFILMENT)
def waybill_preview(request, reference: str):
    progress = _owned_progress(request, reference)
    stored = waybill_services.load_upload(reference, owner_id=request.user.pk)
    if stored is None:
        messages.warning(request, _("That upload has expired or was already applied. Upload the file again."))
        return redirect("console:orders:waybill_upload")
    summary = waybill_services.load_validation(reference)
    if summary is None:
        return redirect("console:orders:waybill_progress", reference=reference)
    error_count = summary.error_count
    only_errors = request.GET.get("errors") == "1" and error_count > 0
    shown = [row for row in summary.rows if row.error] if only_errors else summary.rows
    page = Paginator(shown, PREVIEW_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "console/orders/waybill_preview.html", {
        "reference": reference, "filename": stored["filename"], "page": page, "total": len(summary.rows),
        "error_count": error_count, "unchanged_count": summary.unchanged_count,
        "apply_count": len(summary.to_apply), "only_errors": only_errors, "progress": progress,
        "status_labels": dict(S.choices), "is_large": len(summary.rows) > waybill_services.ASYNC_THRESHOLD,
    })


@require_POST
@console_permission_required(VIEW_ORDER, MANAGE_FULFILMENT)
def waybill_apply(request, reference: str):
    _owned_progress(request, reference)
    stored = waybill_services.load_upload(reference, owner_id=request.user.pk)
    if stored is None:
        messages.warning(request, _("That upload has expired or was already applied. Upload the file again."))
        return redirect("console:orders:waybill_upload")
    if len(stored["rows"]) > waybill_services.ASYNC_THRESHOLD:
        waybill_services.set_progress(reference, phase="queued", done=0)
        _start_task("apply_waybill_import", reference, request.user.pk)
        return redirect("console:orders:waybill_progress", reference=reference)
    waybill_services.run_apply(reference=reference, actor=request.user)
    return _finish(request, reference, waybill_services.get_progress(reference))


def _finish(request, reference: str, progress: dict):
    """Where an upload goes once its work is over: the list (applied) or the preview (failed)."""
    if progress.get("phase") == "applied":
        forget_line_status_counts()
        messages.success(request, ngettext(
            "%(count)s waybill entered: the line is ready to ship.",
            "%(count)s waybills entered: the lines are ready to ship.", progress.get("applied", 0))
            % {"count": progress.get("applied", 0)})
        return redirect(reverse("console:orders:line_list") + f"?status={S.READY_TO_SHIP}")
    messages.error(request, progress.get("message") or _("The waybills could not be applied."))
    return redirect("console:orders:waybill_preview", reference=reference)


def _progress_payload(reference: str, progress: dict) -> dict:
    phase = progress.get("phase", "")
    total, done = progress.get("total") or 0, progress.get("done") or 0
    finished = phase in ("validated", "applied", "failed")
    return {"phase": phase, "done": done, "total": total, "finished": finished,
            "percent": 100 if finished else (int(done * 100 / total) if total else 0),
            "next_url": reverse("console:orders:waybill_progress", args=[reference]) if finished else ""}


@require_GET
@console_permission_required(VIEW_ORDER, MANAGE_FULFILMENT)
def waybill_progress(request, reference: str):
    progress = _owned_progress(request, reference)
    phase = progress.get("phase")
    if phase == "validated":
        return redirect("console:orders:waybill_preview", reference=reference)
    if phase in ("applied", "failed"):
        return _finish(request, reference, progress)
    return render(request, "console/orders/waybill_progress.html", {
        "reference": reference, "progress": _progress_payload(reference, progress),
        "applying": phase in ("queued", "applying"),
    })


@require_GET
@console_permission_required(VIEW_ORDER, MANAGE_FULFILMENT)
def waybill_progress_json(request, reference: str):
    return JsonResponse(_progress_payload(reference, _owned_progress(request, reference)))


# --- Money received after an order ended unpaid -----------------------------------------------


@require_http_methods(["GET", "POST"])
@console_permission_required(VIEW_ORDER, HANDLE_CS)
def deposits_after_cancel(request):
    """The deposits that crossed an unpaid order's end, to refund: a virtual account needs the account
    the shopper gives CS; a failed refund is retried here with the same PG key."""
    from orders.payments import RefundAccount
    from orders.services.late_deposits import list_deposits_to_refund, refund_deposit_after_cancel

    if request.method == "POST":
        deposit_id = request.POST.get("deposit", "")
        if not deposit_id.isascii() or not deposit_id.isdigit():
            raise Http404
        deposit = get_object_or_404(list_deposits_to_refund(), pk=int(deposit_id))
        account = None
        if request.POST.get("refund_account_number", "").strip():
            account = RefundAccount(request.POST.get("refund_bank_code", "").strip()[:10],
                                    request.POST.get("refund_account_number", "").replace("-", "").strip()[:40],
                                    request.POST.get("refund_holder", "").strip()[:60])
        try:
            refund_deposit_after_cancel(deposit_id=deposit.pk, refund_account=account, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(amount)s won refunded for order %(number)s.") % {
                "amount": f"{deposit.amount:,}", "number": deposit.order.number})
        return redirect("console:orders:deposits_after_cancel")
    from orders.payments.sandbox import BANKS

    return render(request, "console/orders/deposits_after_cancel.html",
                  {"deposits": list(list_deposits_to_refund()), "banks": BANKS.items()})
