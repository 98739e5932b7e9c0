"""Settlement in the partner portal (/partner/settlement/): the seller's own statements, read-only.
Every query is scoped by ``request.seller``; another seller's statement is a 404."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from partners.portal import Area, portal_view

from .. import exports, selectors
from ..forms import DateRangeForm
from .console import _statistics_context, _xlsx


@require_GET
@portal_view(Area.SETTLEMENT)
def statement_list(request):
    statements = selectors.list_statements(seller=request.seller)[:200]
    return render(request, "partner/settlement/statements.html", {
        "statements": statements, "open": selectors.open_balance(seller=request.seller),
        "holds": selectors.held_lines(seller=request.seller),
    })


@require_GET
@portal_view(Area.SETTLEMENT)
def statement_detail(request, statement_id: int):
    statement = selectors.get_statement(statement_id=statement_id, seller=request.seller)
    view = selectors.statement_view(statement)
    return render(request, "partner/settlement/statement_detail.html", {
        "statement": statement, "view": view, "rows": exports.statement_rows(view),
        "columns": exports.statement_columns(), "sums": view.sums})


@require_GET
@portal_view(Area.SETTLEMENT)
def statement_excel(request, statement_id: int):
    statement = selectors.get_statement(statement_id=statement_id, seller=request.seller)
    return _xlsx(exports.statement_workbook(selectors.statement_view(statement)), exports.statement_filename(statement))


@require_GET
@portal_view(Area.SETTLEMENT)
def statistics(request):
    form = DateRangeForm(request.GET or None)
    date_from, date_to = form.range(default_days=30, today=timezone.localdate())
    return render(request, "partner/settlement/statistics.html", _statistics_context(
        form, seller=request.seller, date_from=date_from, date_to=date_to, by=request.GET.get("by") or "day"))
