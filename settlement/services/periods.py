"""Closing a settlement period by set-based SQL (issue 11).

A close books, for every seller on the cycle, every line whose money became final before the
period ended (confirmed, or ended by a claim; no claim open; not held) — only the difference
between what each kind of money should add up to and what the ledger already holds, so a claim
after payout books its reversal into the next statement — plus pending adjustments and carry-ins.
A statement that ends negative carries its balance out to the next one. No per-line Python loop:
four INSERT … SELECT statements whatever the number of lines.
"""

import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import DomainError

from .. import sources
from ..models import LedgerEntry, PeriodClose, SettlementContract, Statement

Cycle = SettlementContract.Cycle


class SettlementError(DomainError):
    """A settlement action that is not allowed (closing an open or closed period, …)."""


def add_business_days(start: date, days: int) -> date:
    """``days`` business days after ``start`` (weekends skipped; public holidays not yet)."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def period_of(day: date, cycle: str) -> tuple[date, date]:
    """The period holding ``day``: Monday–Sunday for weekly, the calendar month for monthly."""
    if cycle == Cycle.WEEKLY:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    start = day.replace(day=1)
    next_month = (start + timedelta(days=32)).replace(day=1)
    return start, next_month - timedelta(days=1)


def payout_date_for(period_end: date) -> date:
    """The statement's payout date: ``SETTLEMENT_PAY_WITHIN_DAYS`` business days after the close."""
    return add_business_days(period_end, settings.SETTLEMENT_PAY_WITHIN_DAYS)


def legal_due_date(settled_on: date) -> date:
    """The date the law requires a line to be paid by: ``SETTLEMENT_LEGAL_DUE_DAYS`` (40, the
    Large-Scale Retail Business Act) days after the monthly close of the month it settled in."""
    month_end = period_of(settled_on, Cycle.MONTHLY)[1]
    return month_end + timedelta(days=int(getattr(settings, "SETTLEMENT_LEGAL_DUE_DAYS", 40)))


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, clock.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def db_datetime(value: datetime):
    """A datetime as the database compares it in raw SQL (SQLite stores naive UTC text)."""
    if connection.vendor == "sqlite":
        return value.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _seller_cycle_sql(names: dict) -> str:
    return (f"COALESCE((SELECT sc.cycle FROM {names['contract']} sc WHERE sc.seller_id = {{seller}} "
            f"AND sc.valid_from <= %(end)s ORDER BY sc.valid_from DESC, sc.id DESC LIMIT 1), 'weekly')")


def _held_seller_sql(names: dict, seller: str) -> str:
    return (f"EXISTS (SELECT 1 FROM {names['hold']} h WHERE h.seller_id = {seller} AND h.order_line_id IS NULL "
            f"AND h.released_at IS NULL AND (h.release_on IS NULL OR h.release_on > %(end)s))")


def pending_rows_sql(*, seller_filter: str = "") -> str:
    """SELECT of the ledger rows a close would book now: seller_id, line_id, kind, amount, effective_at.
    ``seller_filter`` is an extra SQL condition on ``s.seller_id`` (the portal's preview)."""
    names = sources.tables()
    if connection.vendor == "postgresql":
        # One pass over the lines (LATERAL VALUES) instead of one scan per kind of money.
        values = ", ".join(f"('{kind}', s.{kind})" for kind in sources.LINE_KINDS)
        unpivot = (f"SELECT s.id AS line_id, s.seller_id, s.effective_at, v.kind, v.amount FROM s "
                   f"CROSS JOIN LATERAL (VALUES {values}) AS v(kind, amount)")
    else:
        unpivot = " UNION ALL ".join(
            f"SELECT s.id AS line_id, s.seller_id, s.effective_at, '{kind}' AS kind, s.{kind} AS amount FROM s"
            for kind in sources.LINE_KINDS)
    # Sellers on this cycle and not held, and held lines, are computed once (not per row).
    return f"""
        WITH eligible AS (SELECT sel.id FROM {names['seller']} sel
                          WHERE {_seller_cycle_sql(names).format(seller='sel.id')} = %(cycle)s
                            AND NOT {_held_seller_sql(names, 'sel.id')}),
        held AS (SELECT h.order_line_id FROM {names['hold']} h WHERE h.order_line_id IS NOT NULL
                 AND h.released_at IS NULL AND (h.release_on IS NULL OR h.release_on > %(end)s)),
        s AS (SELECT * FROM ({sources.settleable_lines_sql()}) settleable
              WHERE settleable.effective_at < %(up_to)s {seller_filter}
                AND settleable.seller_id IN (SELECT id FROM eligible)
                AND settleable.id NOT IN (SELECT order_line_id FROM held)),
        targets AS ({unpivot}),
        booked AS (SELECT e.order_line_id, e.kind, SUM(e.amount) AS amount FROM {names['ledger']} e
                   WHERE e.order_line_id IN (SELECT id FROM s) GROUP BY e.order_line_id, e.kind)
        SELECT t.seller_id, t.line_id, t.kind, t.amount - COALESCE(b.amount, 0) AS amount, t.effective_at
        FROM targets t LEFT JOIN booked b ON b.order_line_id = t.line_id AND b.kind = t.kind
        WHERE t.amount <> COALESCE(b.amount, 0)
    """


def close_settlement_period(*, cycle: str, period_start: date, actor=None, now: datetime | None = None) -> PeriodClose:
    """Close ``cycle``'s period starting ``period_start`` for every seller on that cycle.

    Precondition: the period has ended (its last day is before today) and was not closed yet.
    Side effects, in one transaction: a Statement per seller with something to book, the ledger
    rows booked into it (line money, pending adjustments, carry-ins), a carry-out row for each
    statement that ended negative, and a PeriodClose record with the counts and the time taken.
    """
    if cycle not in Cycle.values:
        raise SettlementError(_("Choose weekly or monthly."))
    start, end = period_of(period_start, cycle)
    if start != period_start:
        raise SettlementError(_("A period starts on a Monday (weekly) or the first of a month (monthly)."))
    now = now or timezone.now()
    if end >= timezone.localdate(now):
        raise SettlementError(_("This period has not ended yet."))
    try:
        with transaction.atomic():
            return _close(cycle=cycle, start=start, end=end, actor=actor, now=now)
    except IntegrityError as exc:
        if PeriodClose.objects.filter(cycle=cycle, period_start=start).exists():
            raise SettlementError(_("This period is already closed.")) from exc
        raise


def _close(*, cycle, start, end, actor, now) -> PeriodClose:
    began = time.monotonic()
    names = sources.tables()
    record = PeriodClose.objects.create(cycle=cycle, period_start=start, period_end=end, closed_at=now,
                                        closed_by=actor if getattr(actor, "pk", None) else None)
    params = {"start": start, "end": end, "up_to": db_datetime(local_midnight(end + timedelta(days=1))),
              "cycle": cycle, "now": db_datetime(now), "actor": getattr(actor, "pk", None),
              "payout": payout_date_for(end)}
    steps = {}
    mark = time.monotonic()

    def step(name):
        nonlocal mark
        steps[name] = round(time.monotonic() - mark, 2)
        mark = time.monotonic()

    adjustments = (f"SELECT a.id, a.seller_id, a.order_line_id, a.amount, a.reason, a.created_at "
                   f"FROM {names['adjustment']} a WHERE a.created_at < %(up_to)s AND NOT EXISTS "
                   f"(SELECT 1 FROM {names['ledger']} e WHERE e.adjustment_id = a.id)")
    carries = (f"SELECT e.seller_id, e.statement_id, e.amount FROM {names['ledger']} e "
               f"WHERE e.kind = 'carry_over' AND e.carried_from_id IS NULL AND NOT EXISTS "
               f"(SELECT 1 FROM {names['ledger']} c WHERE c.carried_from_id = e.statement_id)")
    in_statement = (f"JOIN {names['statement']} st ON st.seller_id = {{seller}} AND st.period_start = %(start)s "
                    f"AND st.period_end = %(end)s")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A batch over every line of the period: hash joins, not a million index probes (the planner
            # underestimates the lines a CASE-filtered period keeps), and room to hash them.
            cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute("SET LOCAL work_mem = '256MB'")
        # A statement for every seller on the cycle and not held (the empty ones are removed at the end),
        # so the line rows are inserted straight from the pending query in one pass.
        cursor.execute(f"""
            INSERT INTO {names['statement']} (seller_id, cycle, period_start, period_end, payout_due_on, status,
                                              closed_by_id, failure_reason, paid_amount, created_at, updated_at)
            SELECT sel.id, %(cycle)s, %(start)s, %(end)s, %(payout)s, 'closed', %(actor)s, '', 0, %(now)s, %(now)s
            FROM {names['seller']} sel
            WHERE {_seller_cycle_sql(names).format(seller='sel.id')} = %(cycle)s
              AND NOT {_held_seller_sql(names, 'sel.id')}
        """, params)
        step("statements")
        cursor.execute(f"""
            INSERT INTO {names['ledger']} (seller_id, statement_id, order_line_id, kind, amount, effective_at, reason,
                                           created_at)
            SELECT r.seller_id, st.id, r.line_id, r.kind, r.amount, r.effective_at, '', %(now)s
            FROM ({pending_rows_sql()}) r {in_statement.format(seller='r.seller_id')}
        """, params)
        entry_count = cursor.rowcount
        step("line rows")
        cursor.execute(f"""
            INSERT INTO {names['ledger']} (seller_id, statement_id, order_line_id, kind, amount, effective_at, reason,
                                           adjustment_id, created_at)
            SELECT adj.seller_id, st.id, adj.order_line_id, 'adjustment', adj.amount, adj.created_at, adj.reason,
                   adj.id, %(now)s
            FROM ({adjustments}) adj {in_statement.format(seller='adj.seller_id')}
        """, params)
        entry_count += cursor.rowcount
        cursor.execute(f"""
            INSERT INTO {names['ledger']} (seller_id, statement_id, kind, amount, effective_at, reason, carried_from_id,
                                           created_at)
            SELECT car.seller_id, st.id, 'carry_over', -car.amount, %(now)s, 'carried in', car.statement_id, %(now)s
            FROM ({carries}) car {in_statement.format(seller='car.seller_id')}
        """, params)
        entry_count += cursor.rowcount
        # A statement that ends negative pays nothing: its balance is carried out to the next one.
        cursor.execute(f"""
            INSERT INTO {names['ledger']} (seller_id, statement_id, kind, amount, effective_at, reason, created_at)
            SELECT st.seller_id, st.id, 'carry_over', -SUM(e.amount), %(now)s, 'negative balance carried out', %(now)s
            FROM {names['statement']} st JOIN {names['ledger']} e ON e.statement_id = st.id
            WHERE st.period_start = %(start)s AND st.period_end = %(end)s AND st.cycle = %(cycle)s
            GROUP BY st.id, st.seller_id HAVING SUM(e.amount) < 0
        """, params)
        entry_count += cursor.rowcount
        cursor.execute(f"""
            DELETE FROM {names['statement']} WHERE period_start = %(start)s AND period_end = %(end)s
              AND cycle = %(cycle)s
              AND NOT EXISTS (SELECT 1 FROM {names['ledger']} e WHERE e.statement_id = {names['statement']}.id)
        """, params)
        step("adjustments, carry-overs")
    statement_count = Statement.objects.filter(cycle=cycle, period_start=start, period_end=end).count()
    record.statement_count = statement_count
    record.entry_count = entry_count
    record.seconds = round(time.monotonic() - began, 3)
    record.save(update_fields=["statement_count", "entry_count", "seconds"])
    record.step_seconds = steps  # for bench/settlement.py (not stored)
    return record


def statement_total(statement: Statement) -> int:
    from django.db.models import Sum

    return LedgerEntry.objects.filter(statement=statement).aggregate(total=Sum("amount"))["total"] or 0
