"""The frozen commission, the ledger rows a close books and the statements they make (issue 11).

Every expected figure is written out from the domain: sale 30,000 × 2 at 10 % → commission 6,000.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from claims.models import Claim
from claims.services import (
    approve_claim,
    complete_claim,
    complete_pickup,
    refund_return,
    request_claim,
    start_pickup,
)
from settlement.models import CommissionRule, LedgerEntry, LineCommission, PeriodClose, Statement
from settlement.services import (
    SettlementError,
    close_settlement_period,
    hold_settlement,
    release_settlement_hold,
)
from tests.accounts.factories import OperatorFactory
from tests.orders.factories import make_product

from .helpers import at, confirm, deliver, paid_order

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 11, 2)  # weeks: 2–8 Nov, 9–15 Nov
NOW = at(date(2026, 11, 20))


def rows(statement):
    return sorted((entry.order_line_id is not None, entry.kind, entry.amount)
                  for entry in LedgerEntry.objects.filter(statement=statement))


def total(statement):
    return LedgerEntry.objects.filter(statement=statement).aggregate(t=Sum("amount"))["t"]


def test_commission_is_frozen_at_placement_and_a_later_rule_never_reaches_the_order(settings):
    settings.SETTLEMENT_DEFAULT_COMMISSION_RATE = "10"
    _, (sku,) = make_product(price=30000, stock=5)
    order = paid_order([(sku.pk, 2)])
    line = order.lines.get()
    frozen = LineCommission.objects.get(order_line=line)
    assert (frozen.rate, frozen.base_amount, frozen.commission_amount) == (Decimal("10"), 60000, 6000)
    CommissionRule.objects.create(seller=sku.product.seller, rate=Decimal("3"), valid_from=date(2020, 1, 1))
    frozen.refresh_from_db()
    assert frozen.commission_amount == 6000
    assert LineCommission.objects.get(order_line=paid_order([(sku.pk, 1)]).lines.get()).rate == Decimal("3")


def test_commission_rounds_down_to_whole_won(settings):
    settings.SETTLEMENT_DEFAULT_COMMISSION_RATE = "10.5"
    _, (sku,) = make_product(price=12345, stock=5)
    line = paid_order([(sku.pk, 1)]).lines.get()
    assert LineCommission.objects.get(order_line=line).commission_amount == 1296  # 1,296.2 → 1,296


def test_a_confirmed_line_is_booked_into_its_week_with_sale_shipping_and_commission(settings):
    settings.SETTLEMENT_DEFAULT_COMMISSION_RATE = "10"
    settings.SETTLEMENT_PAY_WITHIN_DAYS = 20
    _, (sku,) = make_product(price=30000, stock=5, fee=3000, free_threshold=100000)
    order = paid_order([(sku.pk, 2)])
    deliver(order)
    confirm(order.lines.get(), on=date(2026, 11, 4))
    operator = OperatorFactory(groups=["settlement"])
    record = close_settlement_period(cycle="weekly", period_start=MONDAY, actor=operator, now=NOW)
    statement = Statement.objects.get()
    assert (record.statement_count, statement.period_start, statement.period_end) == (1, MONDAY, date(2026, 11, 8))
    assert statement.payout_due_on == date(2026, 12, 4)  # 20 business days after Sunday 8 Nov
    assert rows(statement) == [(True, "commission", -6000), (True, "sale", 60000), (True, "shipping", 3000)]
    assert total(statement) == 57000
    # Closing again changes nothing and says so.
    with pytest.raises(SettlementError):
        close_settlement_period(cycle="weekly", period_start=MONDAY, actor=operator, now=NOW)
    assert LedgerEntry.objects.count() == 3 and PeriodClose.objects.count() == 1


def test_lines_confirmed_later_or_not_at_all_wait_and_the_period_must_have_ended():
    _, (sku,) = make_product(price=10000, stock=9)
    waiting = paid_order([(sku.pk, 1)])  # paid, not delivered
    later = paid_order([(sku.pk, 1)])
    deliver(later)
    confirm(later.lines.get(), on=date(2026, 11, 10))
    close_settlement_period(cycle="weekly", period_start=MONDAY, now=NOW)
    assert not LedgerEntry.objects.exists() and not Statement.objects.exists()
    close_settlement_period(cycle="weekly", period_start=date(2026, 11, 9), now=NOW)
    assert set(LedgerEntry.objects.values_list("order_line__order", flat=True)) == {later.pk}
    assert not LedgerEntry.objects.filter(order_line__order=waiting).exists()
    with pytest.raises(SettlementError):
        close_settlement_period(cycle="weekly", period_start=date(2026, 11, 16), now=NOW)  # 16–22 Nov: not over
    with pytest.raises(SettlementError):
        close_settlement_period(cycle="weekly", period_start=date(2026, 11, 3), now=NOW)  # a Tuesday


def test_a_partial_return_settles_only_the_kept_unit_and_the_seller_keeps_the_return_fee(settings):
    settings.SETTLEMENT_DEFAULT_COMMISSION_RATE = "10"
    _, (sku,) = make_product(price=20000, stock=5, fee=3000, free_threshold=100000)
    order = paid_order([(sku.pk, 2)])
    deliver(order)
    line = order.lines.get()
    claim = request_claim(order=order, claim_type=Claim.Type.RETURN, items=[(line.pk, 1)],
                          reason_code="change_of_mind", requested_by=order.user, pickup_method="seller_collects")
    close_settlement_period(cycle="weekly", period_start=MONDAY, now=NOW)
    assert not LedgerEntry.objects.exists()  # delivered with an open claim: waits
    operator = OperatorFactory(groups=["cs"])
    approve_claim(claim_id=claim.pk, actor=operator)
    start_pickup(claim_id=claim.pk, actor=operator, courier_code="cj", waybill_number="123412341234")
    complete_pickup(claim_id=claim.pk, actor=operator)
    refund_return(claim_id=claim.pk, actor=operator)
    complete_claim(claim_id=claim.pk, actor=operator)
    confirm(line, on=date(2026, 11, 11))
    close_settlement_period(cycle="weekly", period_start=date(2026, 11, 9), now=NOW)
    statement = Statement.objects.get()
    # Sale 40,000, shipping 3,000, commission 4,000; one unit back: −20,000 sale, +2,000 commission;
    # the 3,000 return fee the shopper bore stays with the seller.
    assert rows(statement) == [(True, "claim_commission", 2000), (True, "claim_fee", 3000),
                               (True, "claim_sale", -20000), (True, "commission", -4000), (True, "sale", 40000),
                               (True, "shipping", 3000)]
    assert total(statement) == 24000


def test_a_cancel_after_payout_lands_in_the_next_statement_and_a_negative_balance_carries_over(settings):
    settings.SETTLEMENT_DEFAULT_COMMISSION_RATE = "10"
    from orders.services.fulfilment import cancel_line_for_stock
    from settlement.services import add_adjustment, period_of

    this_week = period_of(timezone.localdate(), "weekly")[0]  # the cancel and the adjustment happen today
    earlier, later = this_week - timedelta(days=7), this_week + timedelta(days=7)
    _, (sku,) = make_product(price=10000, stock=9, fee=0, free_threshold=0)
    first = paid_order([(sku.pk, 1)])
    deliver(first)
    confirm(first.lines.get(), on=earlier)
    close_settlement_period(cycle="weekly", period_start=earlier, now=at(this_week))
    week1 = Statement.objects.get()
    assert total(week1) == 9000
    # A fully cancelled paid line of the same seller, cancelled for stock this week (never confirmed):
    # it settles as zero. An operator's −15,000 adjustment makes this week negative.
    second = paid_order([(sku.pk, 1)])
    operator = OperatorFactory(groups=["settlement", "cs"])
    cancel_line_for_stock(line_id=second.lines.get().pk, actor=operator, reason="품절")
    add_adjustment(seller=sku.product.seller, actor=operator, amount=-15000, reason="배송 사고 보상 분담")
    close_settlement_period(cycle="weekly", period_start=this_week, now=at(later + timedelta(days=1)))
    week2 = Statement.objects.get(period_start=this_week)
    kinds = dict(LedgerEntry.objects.filter(statement=week2, order_line__order=second).values_list("kind", "amount"))
    assert kinds == {"sale": 10000, "commission": -1000, "claim_sale": -10000, "claim_commission": 1000}
    assert rows(week2)[:2] == [(False, "adjustment", -15000), (False, "carry_over", 15000)]
    assert total(week2) == 0
    # Next week's sales recover it: 30,000 sold, 3,000 commission, 15,000 carried in → 12,000 to pay.
    third = paid_order([(sku.pk, 3)])
    deliver(third)
    confirm(third.lines.get(), on=later)
    close_settlement_period(cycle="weekly", period_start=later, now=at(later + timedelta(days=8)))
    week3 = Statement.objects.get(period_start=later)
    assert rows(week3) == [(False, "carry_over", -15000), (True, "commission", -3000), (True, "sale", 30000)]
    assert total(week3) == 12000


def test_a_held_line_moves_to_a_later_statement_and_nothing_else_waits(settings):
    settings.SETTLEMENT_DEFAULT_COMMISSION_RATE = "0"
    _, (sku,) = make_product(price=10000, stock=9, fee=0, free_threshold=0)
    held_order, free_order = paid_order([(sku.pk, 1)]), paid_order([(sku.pk, 2)])
    for order in (held_order, free_order):
        deliver(order)
        confirm(order.lines.get(), on=date(2026, 11, 5))
    operator = OperatorFactory(groups=["settlement"])
    hold = hold_settlement(seller=sku.product.seller, order_line=held_order.lines.get(), actor=operator,
                           reason="구매자 분쟁 조사")
    close_settlement_period(cycle="weekly", period_start=MONDAY, now=NOW)
    assert total(Statement.objects.get()) == 20000  # only the free line
    release_settlement_hold(hold_id=hold.pk, actor=operator)
    close_settlement_period(cycle="weekly", period_start=date(2026, 11, 9), now=NOW)
    later = Statement.objects.get(period_start=date(2026, 11, 9))
    assert rows(later) == [(True, "sale", 10000)]


def test_a_whole_seller_hold_skips_only_that_seller():
    _, (held_sku,) = make_product(price=10000, stock=9)
    _, (other_sku,) = make_product(price=10000, stock=9)
    for sku in (held_sku, other_sku):
        order = paid_order([(sku.pk, 1)])
        deliver(order)
        confirm(order.lines.get(), on=date(2026, 11, 5))
    hold_settlement(seller=held_sku.product.seller, actor=OperatorFactory(), reason="사업자 서류 누락")
    close_settlement_period(cycle="weekly", period_start=MONDAY, now=NOW)
    assert list(Statement.objects.values_list("seller", flat=True)) == [other_sku.product.seller_id]


def test_ledger_rows_are_append_only():
    _, (sku,) = make_product(price=10000, stock=9)
    order = paid_order([(sku.pk, 1)])
    deliver(order)
    confirm(order.lines.get(), on=date(2026, 11, 5))
    close_settlement_period(cycle="weekly", period_start=MONDAY, now=NOW)
    entry = LedgerEntry.objects.first()
    entry.amount = 1
    with pytest.raises(ValueError):
        entry.save()


def test_a_monthly_seller_waits_for_the_monthly_close(settings):
    settings.SETTLEMENT_DEFAULT_COMMISSION_RATE = "0"
    settings.SETTLEMENT_PAY_WITHIN_DAYS = 20
    from settlement.services import set_seller_contract

    _, (monthly_sku,) = make_product(price=10000, stock=9, fee=0, free_threshold=0)
    set_seller_contract(seller=monthly_sku.product.seller, actor=OperatorFactory(), commission_rate=None,
                        cycle="monthly", valid_from=date(2026, 1, 1))
    order = paid_order([(monthly_sku.pk, 1)])
    deliver(order)
    confirm(order.lines.get(), on=date(2026, 10, 14))
    close_settlement_period(cycle="weekly", period_start=date(2026, 10, 12), now=NOW)
    assert not Statement.objects.exists()
    with pytest.raises(SettlementError):
        close_settlement_period(cycle="monthly", period_start=date(2026, 10, 5), now=NOW)
    close_settlement_period(cycle="monthly", period_start=date(2026, 10, 1), now=NOW)
    statement = Statement.objects.get()
    assert (statement.period_start, statement.period_end, statement.cycle) == (date(2026, 10, 1), date(2026, 10, 31),
                                                                               "monthly")
    assert statement.payout_due_on == date(2026, 11, 27)  # 20 business days after Saturday 31 Oct
    assert total(statement) == 10000


def test_the_payout_date_skips_weekends_and_public_holidays():
    """SETTLEMENT_PAY_WITHIN_DAYS (20) business days after the week ending Sunday 2026-09-20, counted by hand:
    9/21–23 (3), 추석 9/24–25 skipped, 9/28–10/2 (8), 10/5 개천절 대체공휴일 skipped, 10/6–8 (11), 10/9 한글날
    skipped, 10/12–16 (16), 10/19–22 (20): Thursday 2026-10-22."""
    from settlement.services.periods import payout_date_for

    assert payout_date_for(date(2026, 9, 20)) == date(2026, 10, 22)
