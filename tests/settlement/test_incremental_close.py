"""A close after the first one reads only the lines that changed since the previous close of its cycle
(issue 11: a close over a million lines under 60 s, and later closes paying only for what changed).

The histories are backdated (lines, claims, holds, contracts stamped in the weeks they happen), as
they would be in production where each close runs after its week: a close then reads only what was
stamped after the previous one. Each test checks both that the change is booked in the right
statement and that the close read only the changed lines (``PeriodClose.lines_checked``), and that
re-reading every line (the portal's full preview) finds nothing left to book.

Expected amounts from the domain: 10,000 won a unit, commission 10 % rounded down.
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Sum

from claims.models import Claim, ClaimLine
from orders.models import OrderLine
from settlement.models import LedgerEntry, PeriodClose, SettlementContract, SettlementHold, Statement
from settlement.services import close_settlement_period, hold_settlement, release_settlement_hold
from settlement.services.periods import local_midnight, pending_rows_sql
from tests.accounts.factories import OperatorFactory
from tests.orders.factories import make_product

from .helpers import at, confirm, deliver, paid_order

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

WEEK1 = date(2026, 10, 5)  # Mondays: 5, 12, 19, 26 Oct, 2 Nov
WEEKS = [WEEK1 + timedelta(days=7 * n) for n in range(6)]


def week_close(monday, **kwargs):
    return close_settlement_period(cycle="weekly", period_start=monday, now=at(monday + timedelta(days=8)), **kwargs)


def statement_rows(seller, monday):
    statement = Statement.objects.filter(seller=seller, period_start=monday).first()
    if statement is None:
        return []
    return sorted((entry.order_line_id or 0, entry.kind, entry.amount)
                  for entry in LedgerEntry.objects.filter(statement=statement))


def nothing_left_to_book():
    """Re-read every line as a full close would: nothing may be waiting for an eligible, unheld seller."""
    end = WEEKS[-1] + timedelta(days=6)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({pending_rows_sql()}) p",
                       {"up_to": local_midnight(end + timedelta(days=1)), "end": end, "cycle": "weekly"})
        return cursor.fetchone()[0] == 0


def backdate(day, *, lines=(), holds=(), sellers=()):
    """Stamp what happened as happening on ``day`` (noon, Seoul), as if the test ran through those weeks."""
    when = at(day)
    OrderLine.objects.filter(pk__in=[line.pk for line in lines]).update(updated_at=when, confirmed_at=when)
    SettlementHold.objects.filter(pk__in=[hold.pk for hold in holds]).update(created_at=when, updated_at=when)
    SettlementContract.objects.filter(seller__in=sellers).update(created_at=when, updated_at=when)


def confirmed_lines(sku, quantities, *, on):
    lines = []
    for quantity in quantities:
        order = paid_order([(sku.pk, quantity)])
        deliver(order)
        line = order.lines.get()
        confirm(line, on=on)
        lines.append(line)
    backdate(on, lines=lines, sellers=[sku.product.seller])
    return lines


@pytest.fixture
def shop(settings):
    settings.SETTLEMENT_DEFAULT_COMMISSION_RATE = "10"
    _, (sku,) = make_product(price=10000, stock=50, fee=0, free_threshold=0)
    return sku


def test_a_claim_completing_on_a_line_settled_many_closes_ago_is_booked_by_the_next_close(shop):
    seller = shop.product.seller
    line, *others = confirmed_lines(shop, [2, 1, 1], on=WEEKS[0] + timedelta(days=2))
    first = week_close(WEEKS[0])
    assert first.lines_checked == 3  # the first close of the cycle reads every line
    assert statement_rows(seller, WEEKS[0]) == sorted(
        [(line.pk, "sale", 20000), (line.pk, "commission", -2000)]
        + [row for other in others for row in ((other.pk, "sale", 10000), (other.pk, "commission", -1000))])
    for monday in WEEKS[1:4]:
        assert week_close(monday).lines_checked == 0  # nothing changed: nothing read
    # Three closes later a return of one unit completes on the settled line. The claim carries the
    # change (its own timestamps); the line's refund fields are written without stamping the line, as a
    # bare UPDATE (or the claims rewrite, which keeps amounts on the claim) would.
    claim = Claim.objects.create(number="C-INCREMENTAL-1", order=line.order, type=Claim.Type.RETURN,
                                 status="completed", reason_code="defective", fault="seller",
                                 refunded_at=at(WEEKS[4] + timedelta(days=1)))
    ClaimLine.objects.create(claim=claim, order_line=line, quantity=1, refund_amount=10000)
    Claim.objects.filter(pk=claim.pk).update(updated_at=at(WEEKS[4] + timedelta(days=1)))
    OrderLine.objects.filter(pk=line.pk).update(refunded_quantity=1, refunded_amount=10000)
    record = week_close(WEEKS[4])
    assert record.lines_checked == 1  # only the claimed line was read
    # One unit of 10,000 back: −10,000 sale, +1,000 commission returned, in the week the claim closed;
    # that statement ends at −9,000, carried out to the next one.
    assert statement_rows(seller, WEEKS[4]) == [(0, "carry_over", 9000), (line.pk, "claim_commission", 1000),
                                                (line.pk, "claim_sale", -10000)]
    assert LedgerEntry.objects.filter(order_line=line).aggregate(t=Sum("amount"))["t"] == 9000
    assert nothing_left_to_book()


def test_a_line_hold_released_later_is_booked_by_the_close_after_the_release(shop):
    seller = shop.product.seller
    held, free = confirmed_lines(shop, [1, 3], on=WEEKS[0] + timedelta(days=1))
    operator = OperatorFactory(groups=["settlement"])
    hold = hold_settlement(seller=seller, order_line=held, actor=operator, reason="구매자 분쟁 조사")
    backdate(WEEKS[0] + timedelta(days=3), holds=[hold])
    assert week_close(WEEKS[0]).lines_checked == 1  # the held line is not booked
    assert statement_rows(seller, WEEKS[0]) == [(free.pk, "commission", -3000), (free.pk, "sale", 30000)]
    for monday in WEEKS[1:3]:
        record = week_close(monday)
        assert (record.lines_checked, record.entry_count) == (0, 0)
    release_settlement_hold(hold_id=hold.pk, actor=operator)
    SettlementHold.objects.filter(pk=hold.pk).update(released_at=at(WEEKS[3] + timedelta(days=2)),
                                                     updated_at=at(WEEKS[3] + timedelta(days=2)))
    record = week_close(WEEKS[3])
    assert record.lines_checked == 1
    assert statement_rows(seller, WEEKS[3]) == [(held.pk, "commission", -1000), (held.pk, "sale", 10000)]
    assert nothing_left_to_book()


def test_a_hold_that_ends_on_its_release_date_is_booked_without_anyone_touching_it(shop):
    seller = shop.product.seller
    (held,) = confirmed_lines(shop, [2], on=WEEKS[0] + timedelta(days=1))
    hold = hold_settlement(seller=seller, order_line=held, actor=OperatorFactory(), reason="서류 확인",
                           release_on=WEEKS[2] + timedelta(days=2))
    backdate(WEEKS[0] + timedelta(days=2), holds=[hold])
    week_close(WEEKS[0])
    week_close(WEEKS[1])
    assert not LedgerEntry.objects.exists()
    record = week_close(WEEKS[2])  # the release date falls in this week: nothing was stamped
    assert record.lines_checked == 1
    assert statement_rows(seller, WEEKS[2]) == [(held.pk, "commission", -2000), (held.pk, "sale", 20000)]
    assert nothing_left_to_book()


def test_a_whole_seller_hold_released_later_books_all_that_sellers_waiting_lines(shop):
    seller = shop.product.seller
    _, (other_sku,) = make_product(price=10000, stock=9, fee=0, free_threshold=0)
    waiting = confirmed_lines(shop, [1, 2], on=WEEKS[0] + timedelta(days=1))
    (other,) = confirmed_lines(other_sku, [1], on=WEEKS[0] + timedelta(days=1))
    operator = OperatorFactory(groups=["settlement"])
    hold = hold_settlement(seller=seller, actor=operator, reason="사업자 서류 누락")
    backdate(WEEKS[0] + timedelta(days=2), holds=[hold])
    week_close(WEEKS[0])
    assert statement_rows(other_sku.product.seller, WEEKS[0]) == [(other.pk, "commission", -1000),
                                                                  (other.pk, "sale", 10000)]
    assert week_close(WEEKS[1]).lines_checked == 0
    release_settlement_hold(hold_id=hold.pk, actor=operator)
    SettlementHold.objects.filter(pk=hold.pk).update(released_at=at(WEEKS[2]), updated_at=at(WEEKS[2]))
    record = week_close(WEEKS[2])
    assert record.lines_checked == 2  # the released seller's lines, not the other seller's
    assert statement_rows(seller, WEEKS[2]) == sorted(
        [(waiting[0].pk, "sale", 10000), (waiting[0].pk, "commission", -1000),
         (waiting[1].pk, "sale", 20000), (waiting[1].pk, "commission", -2000)])
    assert nothing_left_to_book()


def test_a_line_confirmed_after_the_period_but_before_the_close_ran_is_read_by_the_next_close(shop):
    seller = shop.product.seller
    (early,) = confirmed_lines(shop, [1], on=WEEKS[0] + timedelta(days=4))
    # Confirmed at 01:00 on the Monday after week 1, before week 1's close ran that morning.
    (late,) = confirmed_lines(shop, [2], on=WEEKS[1])
    OrderLine.objects.filter(pk=late.pk).update(confirmed_at=local_midnight(WEEKS[1]) + timedelta(hours=1),
                                                updated_at=local_midnight(WEEKS[1]) + timedelta(hours=1))
    week_close(WEEKS[0])
    assert statement_rows(seller, WEEKS[0]) == [(early.pk, "commission", -1000), (early.pk, "sale", 10000)]
    week_close(WEEKS[1])
    assert statement_rows(seller, WEEKS[1]) == [(late.pk, "commission", -2000), (late.pk, "sale", 20000)]


def test_a_seller_switching_from_monthly_to_weekly_has_its_waiting_lines_booked_by_the_weekly_close(shop):
    seller = shop.product.seller
    SettlementContract.objects.update_or_create(seller=seller, defaults={"cycle": "monthly",
                                                                         "valid_from": date(2026, 9, 1)})
    (line,) = confirmed_lines(shop, [1], on=WEEKS[0] + timedelta(days=1))
    backdate(date(2026, 9, 1), sellers=[seller])
    week_close(WEEKS[0])  # a monthly seller: not in the weekly close
    assert not LedgerEntry.objects.exists()
    SettlementContract.objects.create(seller=seller, cycle="weekly", valid_from=WEEKS[1])
    SettlementContract.objects.filter(valid_from=WEEKS[1]).update(created_at=at(WEEKS[1]), updated_at=at(WEEKS[1]))
    record = week_close(WEEKS[1])
    assert record.lines_checked == 1
    assert statement_rows(seller, WEEKS[1]) == [(line.pk, "commission", -1000), (line.pk, "sale", 10000)]


def test_a_full_close_reads_every_line_and_books_the_same(shop):
    confirmed_lines(shop, [1, 1], on=WEEKS[0] + timedelta(days=1))
    week_close(WEEKS[0])
    record = week_close(WEEKS[1], full=True)
    assert (record.lines_checked, record.entry_count) == (2, 0)
    assert PeriodClose.objects.count() == 2
