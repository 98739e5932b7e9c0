"""The seller's order lines (주문/배송 관리): tabs, search, acknowledge, waybills one by one and by
Excel, delays, backorders and stock-out cancels, all on ``orders.services`` with the seller's staff
as the actor (the services check that the line is the seller's too). Every line is looked up through
``partners.selectors`` scoped by ``request.seller``: another seller's line is a 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from orders.forms_console import BackorderForm, DelayForm, StockCancelForm, WaybillForm, WaybillUploadForm
from orders.models import Courier, OrderLine, PaymentMethod
from orders.services import fulfilment
from orders.services import waybills as waybill_services

from .. import selectors
from ..portal import Area, portal_view
from ..privacy import contact_visible, mask_address, mask_name, mask_phone

S = OrderLine.Status
TAB_LABELS = {
    "new": gettext_lazy("New orders"),
    "paid": gettext_lazy("To acknowledge"),
    "preparing": S.PREPARING.label,
    "ready_to_ship": S.READY_TO_SHIP.label,
    "shipping": S.SHIPPING.label,
    "delivered": S.DELIVERED.label,
    "confirmed": S.CONFIRMED.label,
    "closed": gettext_lazy("Cancelled / returned"),
    "all": gettext_lazy("All"),
    "ship_today": gettext_lazy("Ship today"),
    "delayed": gettext_lazy("Delayed"),
    "backorder": gettext_lazy("Backordered"),
}


def _couriers(seller) -> list[Courier]:
    """Active couriers, the seller's own first (its shipping policy's list)."""
    couriers = list(Courier.objects.filter(is_active=True))
    preferred = getattr(getattr(seller, "shipping_policy", None), "courier_codes", None) or []
    return sorted(couriers, key=lambda courier: (courier.code not in preferred, courier.position, courier.name))


def _waybill_form(*args, seller, **kwargs) -> WaybillForm:
    """The console's waybill form without its ``next`` field (the portal redirects to the line)."""
    form = WaybillForm(*args, couriers=_couriers(seller), **kwargs)
    del form.fields["next"]
    return form


def _line_or_404(request, line_id: int) -> OrderLine:
    line = selectors.get_seller_line(seller=request.seller, line_id=line_id)
    if line is None:
        raise Http404
    return line


def _next(request, default: str) -> str:
    target = request.POST.get("next") or ""
    if target.startswith("/partner/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _decorate(lines, *, now) -> None:
    for line in lines:
        visible = contact_visible(line, now=now)
        order = line.order
        line.show_recipient = order.recipient if visible else mask_name(order.recipient)
        line.show_phone = order.recipient_phone if visible else mask_phone(order.recipient_phone)
        line.show_address = " ".join(p for p in (order.address1, order.address2) if p) if visible \
            else mask_address(order.address1)
        line.contact_visible = visible


@portal_view(Area.ORDERS)
def line_list(request):
    seller = request.seller
    counts = selectors.count_seller_lines(seller=seller)
    tab = request.GET.get("tab") if request.GET.get("tab") in TAB_LABELS else "paid"
    query = request.GET.get("q", "").strip()[:40]
    page = Paginator(selectors.list_seller_lines(seller=seller, tab=tab, query=query),
                     selectors.LINES_PER_PAGE).get_page(request.GET.get("page"))
    lines = list(page.object_list)
    now = timezone.now()
    _decorate(lines, now=now)
    today = timezone.localdate()
    for line in lines:
        line.is_late = line.ship_by_date is not None and line.ship_by_date < today and line.status in (S.PAID, S.PREPARING)
    return render(request, "partner/orders/list.html", {
        "tab": tab, "query": query, "page": page, "lines": lines, "today": today,
        "tabs": [(key, TAB_LABELS[key], counts[key]) for key in selectors.LINE_TABS],
        "filters": [(key, TAB_LABELS[key], counts[key]) for key in selectors.LINE_FILTER_KEYS],
        "tab_label": TAB_LABELS[tab], "list_url": request.get_full_path(),
    })


@require_POST
@portal_view(Area.ORDERS)
def bulk_acknowledge(request):
    ids = [int(value) for value in request.POST.getlist("lines") if value.isdigit()]
    own = set(OrderLine.objects.filter(seller=request.seller, pk__in=ids).values_list("pk", flat=True))
    if not own:
        messages.error(request, _("Select at least one line."))
        return redirect(_next(request, reverse("partner:line_list")))
    results = fulfilment.for_each_line(sorted(own), fulfilment.acknowledge_line, actor=request.user)
    done = sum(result.ok for result in results)
    refused = [result for result in results if not result.ok]
    (messages.success if not refused else messages.warning)(
        request, _("Acknowledged: %(done)s done, %(refused)s refused.") % {"done": done, "refused": len(refused)})
    for result in refused[:10]:
        messages.error(request, _("Line %(line)s: %(error)s") % {"line": result.line_id, "error": result.message})
    return redirect(_next(request, reverse("partner:line_list")))


def _forms_for(line: OrderLine, seller, bound: tuple | None = None) -> dict:
    needs_account = bool(hasattr(line.order, "payment") and line.order.payment.method == PaymentMethod.VIRTUAL_ACCOUNT)
    courier_default = (getattr(seller.shipping_policy, "courier_codes", None) or [""])[0]
    forms = {
        "waybill": _waybill_form(seller=seller, initial={
            "courier": line.courier.code if line.courier_id else courier_default,
            "waybill_number": line.waybill_number}),
        "delay": DelayForm(prefix="delay"),
        "backorder": BackorderForm(prefix="backorder"),
        "cancel": StockCancelForm(prefix="cancel", needs_account=needs_account),
    }
    if bound:
        forms[bound[0]] = bound[1]
    return forms


def _render_line(request, line: OrderLine, *, bound=None, status: int = 200):
    from core.transitions import history

    _decorate([line], now=timezone.now())
    claims = list(selectors.seller_claims(seller=request.seller).filter(lines__order_line=line).distinct())
    timeline = list(history(line))
    labels = dict(S.choices)
    for change in timeline:
        change.label = labels.get(change.to_status, change.to_status)
    return render(request, "partner/orders/detail.html", {
        "line": line, "order": line.order, "forms": _forms_for(line, request.seller, bound),
        "timeline": timeline, "claims": claims,
        "can_acknowledge": line.status == S.PAID,
        "can_waybill": line.status in (S.PREPARING, S.READY_TO_SHIP),
        "can_ship": line.status == S.READY_TO_SHIP,
        "can_delay": line.status in (S.PAID, S.PREPARING),
    }, status=status)


@portal_view(Area.ORDERS)
def line_detail(request, line_id: int):
    return _render_line(request, _line_or_404(request, line_id))


def _act(request, line: OrderLine, action, success: str):
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(_next(request, reverse("partner:line_detail", args=[line.pk])))


@require_POST
@portal_view(Area.ORDERS)
def acknowledge(request, line_id: int):
    line = _line_or_404(request, line_id)
    return _act(request, line, lambda: fulfilment.acknowledge_line(line_id=line.pk, actor=request.user),
                _("Acknowledged: the line is being prepared."))


@require_POST
@portal_view(Area.ORDERS)
def set_waybill(request, line_id: int):
    line = _line_or_404(request, line_id)
    form = _waybill_form(request.POST, seller=request.seller)
    if not form.is_valid():
        return _render_line(request, line, bound=("waybill", form), status=400)
    data = form.cleaned_data
    return _act(request, line, lambda: fulfilment.set_waybill(
        line_id=line.pk, courier_code=data["courier"], waybill_number=data["waybill_number"], actor=request.user),
        _("Waybill saved."))


@require_POST
@portal_view(Area.ORDERS)
def mark_shipped(request, line_id: int):
    line = _line_or_404(request, line_id)
    return _act(request, line, lambda: fulfilment.mark_shipped(line_id=line.pk, actor=request.user),
                _("Shipped: the shopper gets the tracking link."))


@require_POST
@portal_view(Area.ORDERS)
def register_delay(request, line_id: int):
    line = _line_or_404(request, line_id)
    form = DelayForm(request.POST, prefix="delay")
    if not form.is_valid():
        return _render_line(request, line, bound=("delay", form), status=400)
    data = form.cleaned_data
    return _act(request, line, lambda: fulfilment.register_delay(
        line_id=line.pk, new_ship_by=data["new_ship_by"], reason_code=data["reason"], note=data["note"],
        actor=request.user), _("Delay registered; the shopper is told."))


@require_POST
@portal_view(Area.ORDERS)
def backorder(request, line_id: int):
    line = _line_or_404(request, line_id)
    form = BackorderForm(request.POST, prefix="backorder")
    if not form.is_valid():
        return _render_line(request, line, bound=("backorder", form), status=400)
    data = form.cleaned_data
    return _act(request, line, lambda: fulfilment.backorder_line(
        line_id=line.pk, expected_date=data["expected_date"], note=data["note"], actor=request.user),
        _("Backordered; the shopper is told."))


@require_POST
@portal_view(Area.ORDERS)
def cancel_for_stock(request, line_id: int):
    line = _line_or_404(request, line_id)
    needs_account = bool(hasattr(line.order, "payment") and line.order.payment.method == PaymentMethod.VIRTUAL_ACCOUNT)
    form = StockCancelForm(request.POST, prefix="cancel", needs_account=needs_account)
    if not form.is_valid():
        return _render_line(request, line, bound=("cancel", form), status=400)
    return _act(request, line, lambda: fulfilment.cancel_line_for_stock(
        line_id=line.pk, actor=request.user, reason=form.cleaned_data["reason"],
        refund_account=form.refund_account()), _("Cancelled and refunded; the shopper is told."))


# --- Waybills by Excel (the seller's lines only) ----------------------------------------------------

def _scope_rows(summary, seller) -> None:
    """Rows naming a line of another seller read exactly like a line that does not exist."""
    ids = [row.line_id for row in summary.rows if row.line_id]
    own = set(OrderLine.objects.filter(seller=seller, pk__in=ids).values_list("pk", flat=True))
    for row in summary.rows:
        if row.line_id and row.line_id not in own:
            row.error = _("There is no order line %(line)s.") % {"line": row.line_id}
            row.order_number = row.product_name = row.option_label = row.recipient = row.status = ""
            row.unchanged = False


@portal_view(Area.ORDERS)
def waybill_download(request):
    data = waybill_services.build_waybill_workbook(lines=selectors.list_seller_lines_to_ship(seller=request.seller))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{waybill_services.waybill_filename()}"'
    return response


@portal_view(Area.ORDERS)
def waybill_upload(request):
    form = WaybillUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            raw_rows = waybill_services.read_waybill_file(upload)
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            reference = waybill_services.store_upload(raw_rows=raw_rows, filename=upload.name,
                                                      owner_id=request.user.pk)
            return redirect("partner:waybill_preview", reference=reference)
    return render(request, "partner/orders/waybill_upload.html", {
        "form": form, "headers": waybill_services.HEADERS,
        "to_ship": selectors.count_seller_lines(seller=request.seller)["preparing"],
    }, status=400 if request.method == "POST" else 200)


def _stored_upload(request, reference: str) -> dict:
    stored = waybill_services.load_upload(reference, owner_id=request.user.pk)
    if stored is None:
        raise Http404  # expired, or someone else's upload
    return stored


@portal_view(Area.ORDERS)
def waybill_preview(request, reference: str):
    stored = _stored_upload(request, reference)
    summary = waybill_services.validate_waybill_rows(stored["rows"])
    _scope_rows(summary, request.seller)
    return render(request, "partner/orders/waybill_preview.html", {
        "reference": reference, "filename": stored["filename"], "summary": summary,
        "rows": summary.rows[:500], "hidden_rows": max(0, len(summary.rows) - 500),
        "status_labels": dict(S.choices),
    })


@require_POST
@portal_view(Area.ORDERS)
def waybill_apply(request, reference: str):
    stored = _stored_upload(request, reference)
    summary = waybill_services.validate_waybill_rows(stored["rows"])
    _scope_rows(summary, request.seller)
    if summary.error_count:
        messages.error(request, _("Nothing was applied: %(count)s rows have errors.") % {"count": summary.error_count})
        return redirect("partner:waybill_preview", reference=reference)
    try:
        with transaction.atomic():
            result = waybill_services.apply_waybill_rows(raw_rows=stored["rows"], actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("partner:waybill_preview", reference=reference)
    messages.success(request, _("%(applied)s waybills saved (%(unchanged)s unchanged).") % {
        "applied": result.applied, "unchanged": result.unchanged})
    return redirect(f"{reverse('partner:line_list')}?tab=ready_to_ship")
