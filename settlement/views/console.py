"""Settlement in the console (/console/settlement/): settlement.view_statement to see,
settlement.manage_settlement to close, hold, adjust and pay. Views are thin: a form, one service,
the domain error as a message, redirect."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import DomainError
from core.views_console import console_permission_required
from orders.models import OrderLine
from partners.models import Seller

from .. import exports, selectors, services
from ..forms import (
    AdjustmentForm,
    ClosePeriodForm,
    CommissionRuleForm,
    DateRangeForm,
    FailureForm,
    HoldForm,
    PayoutBatchForm,
)
from ..models import CommissionRule, PayoutBatch, PeriodClose, SettlementAdjustment, Statement
from ..reconcile import reconcile
from ..statistics import bar_chart, sales_statistics

VIEW, MANAGE = "settlement.view_statement", "settlement.manage_settlement"


@require_GET
@console_permission_required(VIEW)
def dashboard(request):
    return render(request, "console/settlement/dashboard.html", {
        **selectors.dashboard_figures(), "closes": PeriodClose.objects.select_related("closed_by")[:10],
        "close_form": ClosePeriodForm(initial={"cycle": "weekly", "period_start": _last_monday()}),
    })


def _last_monday():
    from datetime import timedelta

    today = timezone.localdate()
    return today - timedelta(days=today.weekday() + 7)


@require_POST
@console_permission_required(VIEW, MANAGE)
def close_period(request):
    form = ClosePeriodForm(request.POST)
    if form.is_valid():
        try:
            record = services.close_settlement_period(cycle=form.cleaned_data["cycle"],
                                                      period_start=form.cleaned_data["period_start"],
                                                      actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Period closed: %(statements)d statements, %(entries)d ledger rows.") % {
                "statements": record.statement_count, "entries": record.entry_count})
            return redirect(f"{_url('console:settlement:statements')}?period_end_from={record.period_end}"
                            f"&period_end_to={record.period_end}")
    else:
        messages.error(request, _("Choose a cycle and the period's first day."))
    return redirect("console:settlement:dashboard")


def _url(name, *args):
    from django.urls import reverse

    return reverse(name, args=args)


@require_GET
@console_permission_required(VIEW)
def statement_list(request):
    seller = Seller.objects.filter(pk=request.GET.get("seller")).first() if request.GET.get("seller", "").isdigit() \
        else None
    range_form = DateRangeForm({"date_from": request.GET.get("period_end_from"),
                                "date_to": request.GET.get("period_end_to")})
    range_form.is_valid()
    statements = selectors.list_statements(
        seller=seller, status=request.GET.get("status", "") if request.GET.get("status") in Statement.Status.values
        else "", period_end_from=range_form.cleaned_data.get("date_from"),
        period_end_to=range_form.cleaned_data.get("date_to"))
    page = Paginator(statements, 50).get_page(request.GET.get("page"))
    return render(request, "console/settlement/statements.html", {
        "page": page, "statements": page.object_list, "seller": seller, "statuses": Statement.Status.choices,
        "status": request.GET.get("status", ""),
    })


@require_GET
@console_permission_required(VIEW)
def statement_detail(request, statement_id: int):
    statement = selectors.get_statement(statement_id=statement_id)
    view = selectors.statement_view(statement)
    return render(request, "console/settlement/statement_detail.html", {
        "statement": statement, "view": view, "rows": exports.statement_rows(view),
        "columns": exports.statement_columns(), "sums": view.sums,
        "fail_form": FailureForm(), "account": selectors.bank_account(statement.seller),
    })


@require_GET
@console_permission_required(VIEW)
def statement_excel(request, statement_id: int):
    statement = selectors.get_statement(statement_id=statement_id)
    return _xlsx(exports.statement_workbook(selectors.statement_view(statement)),
                 exports.statement_filename(statement))


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@console_permission_required(VIEW, MANAGE)
def statement_paid(request, statement_id: int):
    try:
        services.mark_statement_paid(statement_id=statement_id, actor=request.user)
        messages.success(request, _("Marked as paid."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("console:settlement:statement_detail", statement_id=statement_id)


@require_POST
@console_permission_required(VIEW, MANAGE)
def statement_failed(request, statement_id: int):
    form = FailureForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason the transfer failed."))
    else:
        try:
            services.mark_statement_failed(statement_id=statement_id, actor=request.user,
                                           reason=form.cleaned_data["reason"])
            messages.success(request, _("The payout failed: its amount goes back to the seller's balance."))
        except DomainError as exc:
            messages.error(request, str(exc))
    return redirect("console:settlement:statement_detail", statement_id=statement_id)


@console_permission_required(VIEW)
def holds(request):
    form = HoldForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm(MANAGE):
            return HttpResponse(status=403)
        if form.is_valid():
            data = form.cleaned_data
            seller = Seller.objects.filter(pk=data["seller"]).first()
            line = OrderLine.objects.filter(pk=data["order_line"]).first() if data["order_line"] else None
            if seller is None or (data["order_line"] and line is None):
                form.add_error(None, _("No such seller or order line."))
            else:
                try:
                    services.hold_settlement(seller=seller, order_line=line, reason=data["reason"],
                                             release_on=data["release_on"], actor=request.user)
                    messages.success(request, _("Hold recorded."))
                    return redirect("console:settlement:holds")
                except DomainError as exc:
                    form.add_error(None, str(exc))
    return render(request, "console/settlement/holds.html", {"holds": selectors.held_lines(), "form": form},
                  status=400 if form.errors else 200)


@require_POST
@console_permission_required(VIEW, MANAGE)
def release_hold(request, hold_id: int):
    try:
        services.release_settlement_hold(hold_id=hold_id, actor=request.user)
        messages.success(request, _("Hold released: the next close books what it held."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("console:settlement:holds")


@console_permission_required(VIEW)
def adjustments(request):
    form = AdjustmentForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm(MANAGE):
            return HttpResponse(status=403)
        if form.is_valid():
            data = form.cleaned_data
            seller = Seller.objects.filter(pk=data["seller"]).first()
            line = OrderLine.objects.filter(pk=data["order_line"]).first() if data["order_line"] else None
            if seller is None or (data["order_line"] and line is None):
                form.add_error(None, _("No such seller or order line."))
            else:
                try:
                    services.add_adjustment(seller=seller, order_line=line, amount=data["amount"],
                                            reason=data["reason"], actor=request.user)
                    messages.success(request, _("Adjustment recorded: the next close books it."))
                    return redirect("console:settlement:adjustments")
                except DomainError as exc:
                    form.add_error(None, str(exc))
    rows = SettlementAdjustment.objects.select_related("seller", "created_by").prefetch_related("entries__statement")[:200]
    return render(request, "console/settlement/adjustments.html", {"adjustments": rows, "form": form},
                  status=400 if form.errors else 200)


@console_permission_required(VIEW)
def payout_batches(request):
    form = PayoutBatchForm(request.POST or None, initial={"payout_date": timezone.localdate()})
    if request.method == "POST":
        if not request.user.has_perm(MANAGE):
            return HttpResponse(status=403)
        if form.is_valid():
            batch, held = services.create_payout_batch(payout_date=form.cleaned_data["payout_date"],
                                                       actor=request.user)
            for statement in held:
                messages.warning(request, _("%(seller)s is held: its bank account is not verified.") % {
                    "seller": statement.seller.name})
            return redirect("console:settlement:batch_detail", batch_id=batch.pk)
    batches = PayoutBatch.objects.all()[:50]
    return render(request, "console/settlement/batches.html", {"batches": batches, "form": form},
                  status=400 if form.errors else 200)


@require_GET
@console_permission_required(VIEW)
def batch_detail(request, batch_id: int):
    batch = get_object_or_404(PayoutBatch, pk=batch_id)
    statements = selectors.with_totals(batch.statements.select_related("seller")).order_by("seller__name")
    return render(request, "console/settlement/batch_detail.html", {
        "batch": batch, "statements": statements, "total": sum(s.total_amount or 0 for s in statements)})


@require_GET
@console_permission_required(VIEW)
def batch_excel(request, batch_id: int):
    batch = get_object_or_404(PayoutBatch, pk=batch_id)
    return _xlsx(exports.bank_transfer_workbook(batch), f"transfers-{batch.payout_date:%Y%m%d}.xlsx")


@console_permission_required(VIEW)
def commission_rules(request):
    form = CommissionRuleForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("settlement.add_commissionrule"):
            return HttpResponse(status=403)
        if form.is_valid():
            rule = form.save(commit=False)
            rule.created_by = request.user
            rule.save()
            messages.success(request, _("Commission rule added. Orders already placed keep their rate."))
            return redirect("console:settlement:commission_rules")
    rules = CommissionRule.objects.select_related("seller", "category")[:300]
    return render(request, "console/settlement/commission_rules.html", {"rules": rules, "form": form},
                  status=400 if form.errors else 200)


@require_GET
@console_permission_required(VIEW)
def reconciliation(request):
    form = DateRangeForm(request.GET or None)
    date_from, date_to = form.range(default_days=90, today=timezone.localdate())
    report = reconcile(date_from=date_from, date_to=date_to)
    return render(request, "console/settlement/reconcile.html", {"report": report, "form": form,
                                                                 "focus": request.GET.get("equation", "")})


@require_GET
@console_permission_required(VIEW)
def statistics(request):
    form = DateRangeForm(request.GET or None)
    date_from, date_to = form.range(default_days=30, today=timezone.localdate())
    seller = Seller.objects.filter(pk=request.GET.get("seller")).first() if request.GET.get("seller", "").isdigit() \
        else None
    return render(request, "console/settlement/statistics.html", _statistics_context(
        form, seller=seller, date_from=date_from, date_to=date_to, by=request.GET.get("by") or "day"))


def _statistics_context(form, *, seller, date_from, date_to, by):
    stats = sales_statistics(seller=seller, date_from=date_from, date_to=date_to, by=by if by == "month" else "day")
    return {"form": form, "stats": stats, "seller": seller, "date_from": date_from, "date_to": date_to,
            "sales_chart": bar_chart(stats["sales"], title=_("Sales")),
            "orders_chart": bar_chart(stats["orders"], title=_("Orders")),
            "refunds_chart": bar_chart(stats["refunds"], title=_("Cancelled or returned units"))}


@require_GET
@console_permission_required(VIEW)
def tax_invoices(request):
    month_text = request.GET.get("month") or (timezone.localdate().replace(day=1) - _days(1)).strftime("%Y-%m")
    try:
        from datetime import date

        year, month = (int(part) for part in month_text.split("-"))
        month_start = date(year, month, 1)
    except ValueError:
        messages.error(request, _("Choose a month as YYYY-MM."))
        return redirect("console:settlement:dashboard")
    if request.GET.get("format") == "xlsx":
        return _xlsx(exports.tax_invoice_workbook(month_start), f"tax-invoices-{month_start:%Y%m}.xlsx")
    return render(request, "console/settlement/tax_invoices.html", {
        "invoices": exports.commission_invoices(month_start), "month": month_start})


def _days(count):
    from datetime import timedelta

    return timedelta(days=count)
