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

from core.dates import add_business_days
from core.exceptions import DomainError

from .. import sources
from ..models import LedgerEntry, PeriodClose, SettlementContract, Statement

Cycle = SettlementContract.Cycle


class SettlementError(DomainError):
    """A settlement action that is not allowed (closing an open or closed period, …)."""


def period_of(day: date, cycle: str) -> tuple[date, date]:
    """The period holding ``day``: Monday–Sunday for weekly, the calendar month for monthly."""
    if cycle == Cycle.WEEKLY:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    start = day.replace(day=1)
    next_month = (start + timedelta(days=32)).replace(day=1)
    return start, next_month - timedelta(days=1)


def payout_date_for(period_end: date) -> date:
    """The statement's payout date: ``SETTLEMENT_PAY_WITHIN_DAYS`` business days after the close (weekends and
    the shop's public holidays skipped: core.dates, the calendar ship-by dates use too)."""
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


def _eligible_sellers_sql(names: dict) -> str:
    """Sellers on the close's cycle at the period's end and not held as a whole."""
    return (f"SELECT sel.id FROM {names['seller']} sel "
            f"WHERE {_seller_cycle_sql(names).format(seller='sel.id')} = %(cycle)s "
            f"AND NOT {_held_seller_sql(names, 'sel.id')}")


def _held_lines_sql(names: dict) -> str:
    return (f"SELECT h.order_line_id FROM {names['hold']} h WHERE h.order_line_id IS NOT NULL "
            f"AND h.released_at IS NULL AND (h.release_on IS NULL OR h.release_on > %(end)s)")


def targets_sql(*, only_lines: str = "", seller_filter: str = "") -> str:
    """SELECT of the lines a close books (settleable before ``%(up_to)s``, seller on the cycle and not
    held, line not held) with every kind's target. ``only_lines``: a table of the line ids to read
    (the changed lines); ``seller_filter``: an extra condition on ``settleable.seller_id``."""
    names = sources.tables()
    return f"""
        SELECT settleable.* FROM ({sources.settleable_lines_sql(only_lines=only_lines)}) settleable
        WHERE settleable.effective_at < %(up_to)s {seller_filter}
          AND settleable.seller_id IN ({_eligible_sellers_sql(names)})
          AND settleable.id NOT IN ({_held_lines_sql(names)})
    """


def _unpivot_sql(relation: str) -> str:
    """(id, seller_id, effective_at, kind, amount): one row per line per kind of money, from a relation
    with settleable_lines_sql's columns."""
    if connection.vendor == "postgresql":
        # One pass over the lines (LATERAL VALUES) instead of one scan per kind of money.
        values = ", ".join(f"('{kind}', t.{kind}::bigint)" for kind in sources.LINE_KINDS)
        return (f"SELECT t.id, t.seller_id, t.effective_at, v.kind, v.amount FROM {relation} t "
                f"CROSS JOIN LATERAL (VALUES {values}) AS v(kind, amount)")
    return " UNION ALL ".join(f"SELECT t.id, t.seller_id, t.effective_at, '{kind}' AS kind, t.{kind} AS amount "
                              f"FROM {relation} t" for kind in sources.LINE_KINDS)


def _line_kinds_in() -> str:
    return "(" + ", ".join(f"'{kind}'" for kind in sources.LINE_KINDS) + ")"


def pending_rows_sql(*, seller_filter: str = "") -> str:
    """SELECT of the ledger rows a close would book now: seller_id, line_id, kind, amount, effective_at,
    re-reading every line (the portal's preview; the close itself reads only the changed lines).
    ``seller_filter`` is an extra SQL condition on ``settleable.seller_id``."""
    names = sources.tables()
    return f"""
        WITH s AS ({targets_sql(seller_filter=seller_filter)}),
        targets AS ({_unpivot_sql('s')}),
        booked AS (SELECT e.order_line_id, e.kind, SUM(e.amount) AS amount FROM {names['ledger']} e
                   WHERE e.order_line_id IN (SELECT id FROM s) AND e.kind IN {_line_kinds_in()}
                   GROUP BY e.order_line_id, e.kind)
        SELECT t.seller_id, t.id AS line_id, t.kind, t.amount - COALESCE(b.amount, 0) AS amount, t.effective_at
        FROM targets t LEFT JOIN booked b ON b.order_line_id = t.id AND b.kind = t.kind
        WHERE t.amount <> COALESCE(b.amount, 0)
    """


def changed_lines_sql() -> str:
    """SELECT line_id of the lines whose booking may differ from what the previous close of the cycle
    left (``%(since)s``: its ``changes_before``; ``%(prev_end)s``: its period's end):

    - the lines the other apps changed since (``sources.changed_lines_sql``: line, confirmation, claims);
    - the lines of a hold that ended since (released, or its release date passed after the previous
      period), and every line of a seller whose whole-seller hold ended or whose contract changed since
      (a seller switching cycle was not read by this cycle's previous close).

    Anything else left unbooked by the previous close stays so for a reason one of these would record.
    """
    names = sources.tables()
    ended = ("(h.released_at IS NOT NULL OR (h.release_on IS NOT NULL AND h.release_on <= %(end)s)) "
             "AND (h.updated_at >= %(since)s OR h.released_at >= %(since)s OR h.release_on > %(prev_end)s)")
    return f"""
        {sources.changed_lines_sql()}
        UNION SELECT h.order_line_id FROM {names['hold']} h WHERE h.order_line_id IS NOT NULL AND {ended}
        UNION SELECT ol.id FROM {names['line']} ol WHERE ol.seller_id IN (
            SELECT h.seller_id FROM {names['hold']} h WHERE h.order_line_id IS NULL AND {ended}
            UNION SELECT sc.seller_id FROM {names['contract']} sc
            WHERE sc.created_at >= %(since)s OR sc.updated_at >= %(since)s
               OR (sc.valid_from > %(prev_end)s AND sc.valid_from <= %(end)s))
    """


def close_settlement_period(*, cycle: str, period_start: date, actor=None, now: datetime | None = None,
                            full: bool = False) -> PeriodClose:
    """Close ``cycle``'s period starting ``period_start`` for every seller on that cycle.

    Precondition: the period has ended (its last day is before today) and was not closed yet.
    Side effects, in one transaction: a Statement per seller with something to book, the ledger
    rows booked into it (line money, pending adjustments, carry-ins), a carry-out row for each
    statement that ended negative, and a PeriodClose record with the counts and the time taken.
    The first close of a cycle (or ``full=True``) reads every line; a later one reads only the lines
    changed since the previous close of the cycle (``changed_lines_sql``).
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
            return _close(cycle=cycle, start=start, end=end, actor=actor, now=now, full=full)
    except IntegrityError as exc:
        if PeriodClose.objects.filter(cycle=cycle, period_start=start).exists():
            raise SettlementError(_("This period is already closed.")) from exc
        raise


# Temporary tables of one close (dropped at its end; PostgreSQL writes no WAL for them).
TEMP_TABLES = ("settlement_changed", "settlement_targets", "settlement_booked", "settlement_totals")


def change_margin() -> timedelta:
    """How far before the previous close the next one starts reading changes: a transaction that
    stamped a line before the close but committed after the close's snapshot is still read."""
    return timedelta(minutes=int(getattr(settings, "SETTLEMENT_CHANGE_MARGIN_MINUTES", 60)))


def _close(*, cycle, start, end, actor, now, full=False) -> PeriodClose:
    began = time.monotonic()
    names = sources.tables()
    postgres = connection.vendor == "postgresql"
    up_to = local_midnight(end + timedelta(days=1))
    previous = None if full else (PeriodClose.objects.filter(cycle=cycle, changes_before__isnull=False)
                                  .order_by("-changes_before").first())
    record = PeriodClose.objects.create(cycle=cycle, period_start=start, period_end=end, closed_at=now,
                                        closed_by=actor if getattr(actor, "pk", None) else None,
                                        changes_before=min(up_to, timezone.now()) - change_margin())
    params = {"start": start, "end": end, "up_to": db_datetime(up_to),
              "cycle": cycle, "now": db_datetime(now), "actor": getattr(actor, "pk", None),
              "payout": payout_date_for(end),
              "since": db_datetime(previous.changes_before) if previous else None,
              "prev_end": previous.period_end if previous else None}
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
    ledger_columns = "seller_id, statement_id, order_line_id, kind, amount, effective_at, reason, adjustment_id, " \
                     "carried_from_id, created_at"

    with connection.cursor() as cursor:

        def analyze(table):
            if postgres:
                cursor.execute(f"ANALYZE {table}")

        def book(select_sql):
            """INSERT the SELECT's rows (``ledger_columns``) into the ledger; on PostgreSQL the statement
            totals come back from the insert itself (RETURNING), with no second read of the ledger."""
            insert = f"INSERT INTO {names['ledger']} ({ledger_columns}) {select_sql}"
            if postgres:
                cursor.execute(f"WITH booked_rows AS ({insert} RETURNING statement_id, amount) "
                               f"INSERT INTO settlement_totals SELECT statement_id, SUM(amount), COUNT(*) "
                               f"FROM booked_rows GROUP BY statement_id", params)
            else:
                cursor.execute(insert, params)

        def totals_from_ledger():
            """SQLite (no RETURNING in a WITH): the statement totals read back from the ledger."""
            cursor.execute("DELETE FROM settlement_totals")
            cursor.execute(f"""
                INSERT INTO settlement_totals SELECT e.statement_id, SUM(e.amount), COUNT(*)
                FROM {names['ledger']} e {in_statement.format(seller='e.seller_id')} AND st.id = e.statement_id
                GROUP BY e.statement_id
            """, params)

        if postgres:
            # No JIT: the close's plans look expensive, and compiling them cost seconds of a 2-core machine.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '256MB'")
        for table in TEMP_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute("CREATE TEMP TABLE settlement_totals (statement_id bigint, amount bigint, entries bigint)")
        # A statement for every seller on the cycle and not held (the empty ones are removed at the end),
        # so the line rows are inserted straight into it.
        cursor.execute(f"""
            INSERT INTO {names['statement']} (seller_id, cycle, period_start, period_end, payout_due_on, status,
                                              closed_by_id, failure_reason, paid_amount, created_at, updated_at)
            SELECT sel.id, %(cycle)s, %(start)s, %(end)s, %(payout)s, 'closed', %(actor)s, '', 0, %(now)s, %(now)s
            FROM {names['seller']} sel
            WHERE {_seller_cycle_sql(names).format(seller='sel.id')} = %(cycle)s
              AND NOT {_held_seller_sql(names, 'sel.id')}
        """, params)
        step("statements")
        # 1. The lines to read: after a first close, only those changed since the previous close.
        if previous is not None:
            cursor.execute(f"CREATE TEMP TABLE settlement_changed AS {changed_lines_sql()}", params)
            analyze("settlement_changed")
            step("changed lines")
        elif postgres:
            # Every line of history: hash joins, not a million index probes (the planner underestimates
            # the lines a CASE-filtered period keeps).
            cursor.execute("SET LOCAL enable_nestloop = off")
        # 2. Their targets (what each kind of money should add up to), for the lines this close books.
        only = "settlement_changed" if previous is not None else ""
        cursor.execute(f"CREATE TEMP TABLE settlement_targets AS {targets_sql(only_lines=only)}", params)
        if postgres and previous is None:
            cursor.execute("SET LOCAL enable_nestloop = on")
        cursor.execute("SELECT COUNT(*) FROM settlement_targets")
        lines_checked = cursor.fetchone()[0]
        analyze("settlement_targets")
        step("targets")
        # 3. What the ledger already holds for those lines: one probe of the ledger_line index per line
        # (LATERAL), so the cost follows the lines read, never the ledger's history (a hash join would scan
        # the whole ledger, and stale statistics right after a big close make the planner pick it).
        if postgres:
            booked = (f"SELECT t.id AS line_id, b.kind, b.amount FROM settlement_targets t "
                      f"CROSS JOIN LATERAL (SELECT e.kind, SUM(e.amount) AS amount FROM {names['ledger']} e "
                      f"WHERE e.order_line_id = t.id AND e.kind IN {_line_kinds_in()} GROUP BY e.kind) b")
        else:  # SQLite has no LATERAL
            booked = (f"SELECT e.order_line_id AS line_id, e.kind, SUM(e.amount) AS amount FROM {names['ledger']} e "
                      f"WHERE e.order_line_id IN (SELECT id FROM settlement_targets) AND e.kind IN {_line_kinds_in()} "
                      f"GROUP BY e.order_line_id, e.kind")
        cursor.execute(f"CREATE TEMP TABLE settlement_booked AS {booked}")
        analyze("settlement_booked")
        step("booked")
        # 4. The differences, one row per line per kind, straight into the statements.
        book(f"""
            SELECT t.seller_id, st.id, t.id, t.kind, t.amount - COALESCE(b.amount, 0), t.effective_at, '', NULL,
                   NULL, %(now)s
            FROM ({_unpivot_sql('settlement_targets')}) t {in_statement.format(seller='t.seller_id')}
            LEFT JOIN settlement_booked b ON b.line_id = t.id AND b.kind = t.kind
            WHERE t.amount <> COALESCE(b.amount, 0)
        """)
        step("line rows")
        book(f"""
            SELECT adj.seller_id, st.id, adj.order_line_id, 'adjustment', adj.amount, adj.created_at, adj.reason,
                   adj.id, NULL, %(now)s
            FROM ({adjustments}) adj {in_statement.format(seller='adj.seller_id')}
        """)
        book(f"""
            SELECT car.seller_id, st.id, NULL, 'carry_over', -car.amount, %(now)s, 'carried in', NULL,
                   car.statement_id, %(now)s
            FROM ({carries}) car {in_statement.format(seller='car.seller_id')}
        """)
        if not postgres:
            totals_from_ledger()
        # A statement that ends negative pays nothing: its balance is carried out to the next one.
        book(f"""
            SELECT st.seller_id, st.id, NULL, 'carry_over', -tot.amount, %(now)s, 'negative balance carried out',
                   NULL, NULL, %(now)s
            FROM (SELECT statement_id, SUM(amount) AS amount FROM settlement_totals GROUP BY statement_id
                  HAVING SUM(amount) < 0) tot JOIN {names['statement']} st ON st.id = tot.statement_id
        """)
        if not postgres:  # the carry-out rows are counted too
            totals_from_ledger()
        cursor.execute(f"""
            DELETE FROM {names['statement']} WHERE period_start = %(start)s AND period_end = %(end)s
              AND cycle = %(cycle)s AND id NOT IN (SELECT statement_id FROM settlement_totals)
        """, params)
        cursor.execute("SELECT COALESCE(SUM(entries), 0) FROM settlement_totals")
        entry_count = int(cursor.fetchone()[0])
        for table in TEMP_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        step("adjustments, carry-overs")
    statement_count = Statement.objects.filter(cycle=cycle, period_start=start, period_end=end).count()
    record.statement_count = statement_count
    record.entry_count = entry_count
    record.lines_checked = lines_checked
    record.seconds = round(time.monotonic() - began, 3)
    record.save(update_fields=["statement_count", "entry_count", "lines_checked", "seconds"])
    record.step_seconds = steps  # for bench/settlement.py (not stored)
    return record


def statement_total(statement: Statement) -> int:
    from django.db.models import Sum

    return LedgerEntry.objects.filter(statement=statement).aggregate(total=Sum("amount"))["total"] or 0
