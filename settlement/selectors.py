"""Reads for the settlement screens (console and portal), each with a constant number of queries."""

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils import timezone

from . import sources
from .models import (
    LedgerEntry,
    LineCommission,
    SettlementAdjustment,
    SettlementContract,
    SettlementHold,
    Statement,
)
from .services.periods import (
    db_datetime,
    legal_due_date,
    payout_date_for,
    pending_rows_sql,
    period_of,
)

K = LedgerEntry.Kind
CLAIM_KINDS = (K.CLAIM_SALE, K.CLAIM_COMMISSION, K.CLAIM_COUPON, K.CLAIM_SHIPPING)


def with_totals(statements):
    return statements.annotate(total_amount=Sum("entries__amount"), entry_count=Count("entries"))


def list_statements(*, seller=None, status: str = "", period_end_from: date | None = None,
                    period_end_to: date | None = None):
    statements = Statement.objects.select_related("seller", "batch")
    if seller is not None:
        statements = statements.filter(seller=seller)
    if status:
        statements = statements.filter(status=status)
    if period_end_from:
        statements = statements.filter(period_end__gte=period_end_from)
    if period_end_to:
        statements = statements.filter(period_end__lte=period_end_to)
    return with_totals(statements).order_by("-period_end", "seller__name")


def get_statement(*, statement_id: int, seller=None) -> Statement:
    """The statement, scoped to ``seller`` when given: another seller's statement is a 404."""
    statements = Statement.objects.select_related("seller", "batch")
    if seller is not None:
        statements = statements.filter(seller=seller)
    statement = with_totals(statements).filter(pk=statement_id).first()
    if statement is None:
        raise Http404
    return statement


@dataclass
class LineRow:
    """One order line of a statement with its money by kind (what the screen and the Excel show)."""

    line: object
    rate: object
    settled_on: date | None = None
    sale: int = 0
    shipping: int = 0
    commission: int = 0
    seller_coupon: int = 0
    claims: int = 0
    fees: int = 0  # return fee, deductions and exchange fee the seller keeps
    marketing: int = 0  # review rewards and affiliate fees the seller bears (negative), their reversals
    entries: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return (self.sale + self.shipping + self.commission + self.seller_coupon + self.claims + self.fees
                + self.marketing)

    @property
    def due_on(self) -> date | None:
        return legal_due_date(self.settled_on) if self.settled_on else None


@dataclass
class StatementView:
    statement: Statement
    lines: list
    other: list  # adjustments and carry-overs

    @property
    def sums(self) -> dict:
        names = ("sale", "shipping", "commission", "seller_coupon", "claims", "fees", "marketing")
        sums = {name: sum(getattr(row, name) for row in self.lines) for name in names}
        sums["adjustments"] = sum(entry.amount for entry in self.other if entry.kind == K.ADJUSTMENT)
        sums["carry_over"] = sum(entry.amount for entry in self.other if entry.kind == K.CARRY_OVER)
        sums["total"] = sum(sums.values())
        return sums


def statement_view(statement: Statement) -> StatementView:
    """Every ledger row of ``statement`` grouped by order line, with the frozen rate (3 queries)."""
    entries = list(LedgerEntry.objects.filter(statement=statement)
                   .select_related("order_line__order").order_by("order_line_id", "id"))
    rates = dict(LineCommission.objects.filter(order_line_id__in={e.order_line_id for e in entries if e.order_line_id})
                 .values_list("order_line_id", "rate"))
    lines: OrderedDict = OrderedDict()
    other = []
    for entry in entries:
        if entry.order_line_id is None:
            other.append(entry)
            continue
        row = lines.get(entry.order_line_id)
        if row is None:
            row = lines[entry.order_line_id] = LineRow(line=entry.order_line, rate=rates.get(entry.order_line_id))
        row.entries.append(entry)
        day = timezone.localdate(entry.effective_at)
        row.settled_on = min(row.settled_on, day) if row.settled_on else day
        if entry.kind in (K.SALE, K.SHIPPING, K.COMMISSION, K.SELLER_COUPON):
            setattr(row, entry.kind, getattr(row, entry.kind) + entry.amount)
        elif entry.kind in (K.CLAIM_FEE, K.EXCHANGE_FEE):
            row.fees += entry.amount
        elif entry.kind in (K.REVIEW_REWARD, K.AFFILIATE_FEE):
            row.marketing += entry.amount
        elif entry.kind == K.ADJUSTMENT:
            other.append(entry)
        else:
            row.claims += entry.amount
    return StatementView(statement, list(lines.values()), other)


def seller_cycle(seller, on: date | None = None) -> str:
    contract = SettlementContract.objects.filter(seller=seller, valid_from__lte=on or timezone.localdate()).first()
    return contract.cycle if contract else SettlementContract.Cycle.WEEKLY


def open_balance(*, seller) -> dict:
    """What the next close would book for ``seller`` now (the open statement), by kind, and its payout date."""
    cycle = seller_cycle(seller)
    today = timezone.localdate()
    start, end = period_of(today, cycle)
    params = {"up_to": db_datetime(timezone.now()), "end": end, "cycle": cycle, "seller": seller.pk}
    by_kind: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT kind, SUM(amount) FROM ({pending_rows_sql(seller_filter='AND settleable.seller_id = %(seller)s')}) p "
                       "GROUP BY kind", params)
        for kind, amount in cursor.fetchall():
            by_kind[kind] = int(amount)
    carried = LedgerEntry.objects.filter(seller=seller, kind=K.CARRY_OVER, carried_from__isnull=True,
                                         statement__carried_into__isnull=True).aggregate(t=Sum("amount"))["t"] or 0
    adjustments = SettlementAdjustment.objects.filter(seller=seller, entries__isnull=True).aggregate(
        t=Sum("amount"))["t"] or 0
    total = sum(by_kind.values()) - carried + adjustments
    return {"cycle": cycle, "period_start": start, "period_end": end, "payout_on": payout_date_for(end),
            "by_kind": by_kind, "carry_in": -carried, "adjustments": adjustments, "total": total}


def held_lines(*, seller=None):
    holds = SettlementHold.objects.select_related("seller", "order_line__order", "created_by").filter(
        released_at__isnull=True).filter(Q(release_on__isnull=True) | Q(release_on__gt=timezone.localdate()))
    if seller is not None:
        holds = holds.filter(seller=seller)
    return holds


def dashboard_figures() -> dict:
    """The console dashboard: to pay this week, held, negative balances, due dates at risk."""
    today = timezone.localdate()
    week_end = today + timedelta(days=7)
    unpaid = Statement.objects.filter(status=Statement.Status.CLOSED)
    to_pay = with_totals(unpaid.filter(payout_due_on__lte=week_end).select_related("seller")).order_by("payout_due_on")
    negative = (LedgerEntry.objects.filter(kind=K.CARRY_OVER, carried_from__isnull=True,
                                           statement__carried_into__isnull=True, amount__gt=0)
                .select_related("seller", "statement"))
    # Lines whose legal due date comes within a week but are not paid yet: in an unpaid statement.
    risk_cutoff = today + timedelta(days=7)
    at_risk = []
    for entry in (LedgerEntry.objects.filter(statement__status__in=(Statement.Status.CLOSED, Statement.Status.FAILED),
                                             kind=K.SALE).select_related("statement__seller", "order_line__order")
                  .order_by("effective_at")[:500]):
        due = legal_due_date(timezone.localdate(entry.effective_at))
        if due <= risk_cutoff:
            at_risk.append({"entry": entry, "due": due, "late": entry.statement.payout_due_on > due})
    return {"to_pay": to_pay, "to_pay_total": sum(s.total_amount or 0 for s in to_pay),
            "held": held_lines(), "negative": negative, "at_risk": at_risk[:50], "today": today}


def bank_account(seller) -> sources.BankAccount:
    return sources.seller_bank_account(seller)
