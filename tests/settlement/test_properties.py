"""Property (issue 11): whatever happens to orders — partial cancels, stock-outs, partial returns with
fees, exchanges, holds, closes over several weeks, payouts paid or bounced — `reconcile` balances
to the won and no seller is ever credited for a unit that was refunded.

Each example runs inside a savepoint rolled back at its end, so the weeks can be closed again.
"""

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st

from claims.models import Claim, ClaimPayment
from claims.services import (
    approve_claim,
    complete_claim,
    complete_pickup,
    confirm_exchange_fee_payment,
    refund_return,
    request_claim,
    ship_replacement,
    start_exchange_fee_payment,
    start_pickup,
)
from marketing.discounts import Selection
from orders.models import OrderLine
from orders.payments.sandbox import SandboxPG
from orders.services.fulfilment import cancel_line_for_stock
from settlement.models import LedgerEntry, SettlementHold, Statement
from settlement.reconcile import reconcile
from settlement.services import (
    close_settlement_period,
    hold_settlement,
    mark_statement_failed,
    mark_statement_paid,
    period_of,
    release_settlement_hold,
)
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.marketing.factories import give_coupon, give_points
from tests.orders.factories import make_product

from .helpers import at, confirm, deliver, paid_order

T = Claim.Type
ACTIONS = ["none", "cancel_one", "stockout", "return_one", "return_all", "exchange_one", "exchange_all"]

line_plan = st.fixed_dictionaries({
    "quantity": st.integers(1, 3),
    "action": st.sampled_from(ACTIONS),
    "reason": st.sampled_from(["change_of_mind", "defective"]),
    "confirm_week": st.integers(0, 3),  # 3: never confirmed
    "hold": st.booleans(),
})
order_plan = st.fixed_dictionaries({
    "lines": st.lists(line_plan, min_size=1, max_size=2),
    "points": st.sampled_from([0, 1000]),
    "coupon": st.booleans(),
})


def _act(order, line, plan, operator, shopper) -> str:
    """Carry out the planned claim on ``line``; return what happened (asserted by the caller)."""
    action = plan["action"]
    if action == "cancel_one":
        request_claim(order=order, claim_type=T.CANCEL, items=[(line.pk, 1)], reason_code="ordered_by_mistake",
                      requested_by=shopper)
        return "cancelled"
    if action == "stockout":
        cancel_line_for_stock(line_id=line.pk, actor=operator, reason="품절")
        return "stockout"
    return ""


def _after_delivery(order, line, plan, operator, shopper) -> str:
    action = plan["action"]
    line.refresh_from_db()
    if line.status != OrderLine.Status.DELIVERED:
        return ""
    units = 1 if action.endswith("_one") else line.quantity - line.refunded_quantity
    if action.startswith("return"):
        claim = request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, units)], reason_code=plan["reason"],
                              requested_by=shopper, pickup_method="seller_collects")
        approve_claim(claim_id=claim.pk, actor=operator)
        start_pickup(claim_id=claim.pk, actor=operator)
        complete_pickup(claim_id=claim.pk, actor=operator)
        refund_return(claim_id=claim.pk, actor=operator)
        complete_claim(claim_id=claim.pk, actor=operator)
        return "returned"
    if action.startswith("exchange"):
        claim = request_claim(order=order, claim_type=T.EXCHANGE, items=[(line.pk, units)],
                              reason_code="wrong_option" if plan["reason"] == "change_of_mind" else "defective",
                              requested_by=shopper, pickup_method="seller_collects",
                              replacements={line.pk: line.sku_id})
        approve_claim(claim_id=claim.pk, actor=operator)
        start_pickup(claim_id=claim.pk, actor=operator)
        complete_pickup(claim_id=claim.pk, actor=operator)
        if claim.exchange_fee_amount:  # the shopper's fault: they pay the fee in its own PG window, as on the site
            _pay_exchange_fee(claim, shopper)
        ship_replacement(claim_id=claim.pk, actor=operator, courier_code="cj",
                         waybill_number=f"5{claim.pk:011d}")  # one parcel, one waybill (issue 9 point 9)
        complete_claim(claim_id=claim.pk, actor=operator)
        return "exchanged"
    return ""


def _pay_exchange_fee(claim, shopper):
    url = start_exchange_fee_payment(claim_id=claim.pk, shopper=shopper, success_url="/ok", fail_url="/fail")
    window = SandboxPG.read_window_token(parse_qs(urlparse(url).query)["token"][0])
    pg = SandboxPG.authorize(window=window)
    confirm_exchange_fee_payment(pg_order_id=window["order_id"], payment_key=pg.payment_key, amount=window["amount"],
                                 shopper=shopper)
    assert ClaimPayment.objects.filter(claim=claim, status="done").aggregate(t=Sum("amount"))["t"] == \
        claim.exchange_fee_amount


def _line(action, *, quantity=2, reason="change_of_mind", confirm_week=0, hold=False):
    return {"quantity": quantity, "action": action, "reason": reason, "confirm_week": confirm_week, "hold": hold}


# Histories that always run (before the generated ones): every kind of claim, both faults, points and coupons.
RICH = [
    {"lines": [_line("return_one", quantity=3), _line("exchange_one", confirm_week=1)], "points": 1000, "coupon": True},
    {"lines": [_line("cancel_one", reason="defective", confirm_week=2, hold=True), _line("stockout")], "points": 0,
     "coupon": False},
    {"lines": [_line("exchange_all", reason="change_of_mind"), _line("return_all", reason="defective")],
     "points": 1000, "coupon": False},
]


@pytest.mark.postgres
@pytest.mark.django_db
@settings(max_examples=12, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate], suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(orders=st.lists(order_plan, min_size=1, max_size=3), payouts=st.lists(st.booleans(), min_size=3, max_size=3))
@example(orders=RICH, payouts=[True, False, True])
def test_reconcile_balances_and_no_refunded_unit_is_paid(orders, payouts):
    with transaction.atomic():
        happened = _history(orders, payouts)
        transaction.set_rollback(True)
    if orders == RICH:  # the fixed history: every kind of claim ran, with its money
        assert happened >= {"cancelled", "stockout", "returned", "exchanged"}


def _history(orders, payouts):
    this_week = period_of(timezone.localdate(), "weekly")[0]
    weeks = [this_week - timedelta(days=21), this_week - timedelta(days=14), this_week - timedelta(days=7)]
    operator = OperatorFactory(groups=["cs", "settlement"])
    _, (sku_a,) = make_product(price=19900, stock=80, fee=3000, free_threshold=50000)
    _, (sku_b,) = make_product(price=7300, stock=80, fee=2500, free_threshold=0)
    placed = []
    happened = set()
    claimed = []  # (line, outcome, fault) of every return and exchange carried out
    for plan in orders:
        shopper = UserFactory()
        give_points(shopper, 5000)
        skus = [sku_a, sku_b][:len(plan["lines"])]
        issued = give_coupon(shopper, kind="cart", discount_type="percent", discount_value=7) if plan["coupon"] else None
        order = paid_order([(sku.pk, line["quantity"]) for sku, line in zip(skus, plan["lines"], strict=True)],
                           shopper=shopper, points_amount=plan["points"],
                           coupons=Selection(cart=issued.pk) if issued else None)
        lines = {line.sku_id: line for line in order.lines.all()}
        pairs = [(lines[sku.pk], line_plan_) for sku, line_plan_ in zip(skus, plan["lines"], strict=True)]
        for line, line_plan_ in pairs:
            if line_plan_["action"] == "cancel_one" and line.quantity < 2:
                continue
            outcome = _act(order, line, line_plan_, operator, shopper)
            line.refresh_from_db()
            if outcome == "cancelled":
                assert line.refunded_quantity == 1 and line.refunded_gross_amount > 0
            if outcome == "stockout":
                assert line.status == OrderLine.Status.CANCELLED and line.refunded_quantity == line.quantity
            happened.add(outcome)
        deliver(order)
        for line, line_plan_ in pairs:
            if line_plan_["action"] in ("return_one", "exchange_one") and line.quantity - line.refunded_quantity < 2:
                continue
            outcome = _after_delivery(order, line, line_plan_, operator, shopper)
            line.refresh_from_db()
            planned = line_plan_["action"]
            if planned.startswith(("return", "exchange")):
                # Nothing before delivery touched this line: the planned claim really ran to its end.
                assert outcome == ("returned" if planned.startswith("return") else "exchanged"), (planned, outcome)
                claimed.append((line, outcome, "seller" if line_plan_["reason"] == "defective" else "shopper"))
            if outcome == "returned":
                assert line.refunded_quantity >= 1 and line.refunded_gross_amount > 0
            if outcome == "exchanged":
                assert Claim.objects.filter(order=order, type=T.EXCHANGE, status="completed").exists()
            happened.add(outcome)
            if line.status == OrderLine.Status.DELIVERED and line_plan_["confirm_week"] < 3:
                confirm(line, on=weeks[line_plan_["confirm_week"]] + timedelta(days=2))
            if line_plan_["hold"]:
                hold_settlement(seller=line.seller, order_line=line, actor=operator, reason="분쟁 조사")
        placed.append(order)

    # Week 1 closes; its statements are paid or bounce; week 2; holds released; week 3; this week.
    close_settlement_period(cycle="weekly", period_start=weeks[0], actor=operator, now=at(this_week))
    for statement, paid in zip(Statement.objects.filter(status="closed").order_by("pk"), payouts, strict=False):
        total = LedgerEntry.objects.filter(statement=statement).aggregate(t=Sum("amount"))["t"] or 0
        if paid or total <= 0:
            mark_statement_paid(statement_id=statement.pk, actor=operator)
        else:
            mark_statement_failed(statement_id=statement.pk, actor=operator, reason="계좌 오류")
    close_settlement_period(cycle="weekly", period_start=weeks[1], actor=operator, now=at(this_week))
    held_lines = set(SettlementHold.objects.values_list("order_line_id", flat=True))
    held_before_release = set(LedgerEntry.objects.filter(order_line_id__in=held_lines).values_list(
        "order_line_id", flat=True))
    assert held_before_release == set()  # a held line is booked by no close while the hold is in force
    for hold in SettlementHold.objects.all():
        release_settlement_hold(hold_id=hold.pk, actor=operator)
    close_settlement_period(cycle="weekly", period_start=weeks[2], actor=operator, now=at(this_week))
    close_settlement_period(cycle="weekly", period_start=this_week, actor=operator,
                            now=at(this_week + timedelta(days=8)))

    report = reconcile(date_from=this_week - timedelta(days=60), date_to=this_week + timedelta(days=7))
    assert report.balances, [(e.title, e.left, e.right, e.differing[:3]) for e in report.equations]

    for order in placed:
        for line in OrderLine.objects.filter(order=order):
            booked = dict(LedgerEntry.objects.filter(order_line=line).values_list("kind").annotate(t=Sum("amount"))
                          .values_list("kind", "t"))
            final = line.status in ("confirmed", "cancelled", "returned", "exchanged")
            # Every line whose money is final was booked (held ones after their release); no other was.
            assert bool(booked) == final, (line.status, booked)
            if not booked:
                continue
            refunded_units = line.quantity if line.status in ("cancelled", "returned") else line.refunded_quantity
            kept = line.quantity - refunded_units
            # The seller is credited for exactly the kept units, never for a refunded one.
            assert booked.get("sale", 0) + booked.get("claim_sale", 0) == line.unit_total_amount * kept
            if kept == 0:
                assert sum(booked.values()) == booked.get("claim_fee", 0) + booked.get("shipping", 0) \
                    + booked.get("claim_shipping", 0)

    # The fees the shopper bore are the seller's: a return at the shopper's fault books its return fee, an
    # exchange at the shopper's fault the exchange fee paid through the PG (once the line's money is final).
    for line, outcome, fault in claimed:
        booked = dict(LedgerEntry.objects.filter(order_line=line).values_list("kind").annotate(t=Sum("amount"))
                      .values_list("kind", "t"))
        if not booked:
            continue
        if outcome == "returned":
            assert booked.get("claim_sale", 0) < 0
            assert (booked.get("claim_fee", 0) > 0) == (fault == "shopper"), (fault, booked)
        if outcome == "exchanged":
            assert "claim_sale" not in booked
            assert (booked.get("exchange_fee", 0) > 0) == (fault == "shopper"), (fault, booked)
        event(f"booked {outcome} at the {fault}'s fault")
    for outcome in happened - {""}:
        event(f"happened: {outcome}")
    return happened
