"""Whatever the sequence of partial claims, refunds happen exactly and a line never gets back more than it cost."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.models import Claim, ClaimLine
from claims.services import (
    approve_claim,
    cancel_line_for_stock,
    complete_pickup,
    convert_claim,
    hold_claim,
    line_costs,
    refund_return,
    release_hold,
    request_claim,
    start_pickup,
)
from core.exceptions import DomainError
from marketing.models import IssuedCoupon, PointEntry
from orders.models import OrderLine, Payment
from orders.payments.sandbox import SandboxPG
from orders.services import place_order
from orders.services.fulfilment import acknowledge_line
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.marketing.factories import give_coupon, give_points
from tests.orders.factories import DELIVERY, make_product
from tests.orders.helpers import pay

T = Claim.Type


def _order_with_three_lines(shopper, quantities, *, points, coupon):
    _, (a,) = make_product(price=19900, stock=50)
    b = make_product(seller=a.product.seller, price=7300, stock=50)[1][0]
    _, (c,) = make_product(price=33300, stock=50)
    from marketing.discounts import Selection

    issued = give_coupon(shopper, kind="cart", discount_type="percent", discount_value=7) if coupon else None
    order = place_order(user=shopper, items=list(zip([a.pk, b.pk, c.pk], quantities, strict=True)), delivery=DELIVERY,
                        payment_method="card", points_amount=points,
                        coupons=Selection(cart=issued.pk) if issued else None)
    pay(order)
    return order


OPEN = ["requested", "approved", "pickup_started", "picked_up", "held", "replacement_shipped", "refunding",
        "refund_failed"]
ACTIONS = ["cancel", "acknowledged_cancel", "stock_out", "return", "held_return", "return_to_exchange",
           "exchange_to_return"]
steps = st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 2), st.integers(1, 3),
                           st.sampled_from(["change_of_mind", "defective"])), min_size=1, max_size=6)


def _through_pickup(claim, operator):
    approve_claim(claim_id=claim.pk, actor=operator)
    start_pickup(claim_id=claim.pk, actor=operator)
    complete_pickup(claim_id=claim.pk, actor=operator)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(quantities=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)), sequence=steps,
       points=st.sampled_from([0, 1000, 2350]), coupon=st.booleans())
def test_refunds_happen_exactly_and_never_exceed_what_was_paid(quantities, sequence, points, coupon):
    """Cancels (at once and after acknowledgement), stock-out cancels, returns with holds, and conversions
    both ways, in any order: every refund that the sequence made really happened (PG, points, lines),
    the figures agree everywhere, and no line gets back more than it cost."""
    shopper = UserFactory()
    give_points(shopper, 10000)
    order = _order_with_three_lines(shopper, quantities, points=points, coupon=coupon)
    operator = OperatorFactory(groups=["fulfilment"])
    lines = list(order.lines.order_by("pk"))
    delivered = False
    refunded_claims = set()
    for kind, index, quantity, reason in sequence:
        line = OrderLine.objects.get(pk=lines[index].pk)
        try:
            if kind in ("cancel", "acknowledged_cancel", "stock_out") and not delivered:
                if kind == "stock_out":
                    cancel_line_for_stock(line_id=line.pk, actor=operator, reason="품절")
                    refunded_claims.add(Claim.objects.filter(order=order).latest("id").pk)
                    continue
                if kind == "acknowledged_cancel" and line.status == "paid":
                    acknowledge_line(line_id=line.pk, actor=operator)
                claim = request_claim(order=order, claim_type=T.CANCEL, items=[(line.pk, quantity)],
                                      reason_code=reason, requested_by=shopper)
                if claim.status == Claim.Status.REQUESTED:
                    approve_claim(claim_id=claim.pk, actor=operator)
                refunded_claims.add(claim.pk)
                continue
            if not delivered:
                OrderLine.objects.filter(order=order).exclude(status="cancelled").update(
                    status="delivered", delivered_at=timezone.now())
                delivered = True
            if kind in ("exchange_to_return", "return_to_exchange"):
                sku = line.sku
                claim = request_claim(order=order, claim_type=T.EXCHANGE if kind == "exchange_to_return" else T.RETURN,
                                      items=[(line.pk, quantity)], reason_code=reason, requested_by=shopper,
                                      pickup_method="seller_collects", replacements={line.pk: sku.pk})
                _through_pickup(claim, operator)
                claim = convert_claim(claim_id=claim.pk, actor=operator, replacements={line.pk: sku.pk})
                if claim.type == T.RETURN:
                    refund_return(claim_id=claim.pk, actor=operator)
                    refunded_claims.add(claim.pk)
                continue
            claim = request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, quantity)],
                                  reason_code=reason, requested_by=shopper, pickup_method="seller_collects")
            _through_pickup(claim, operator)
            if kind == "held_return":
                hold_claim(claim_id=claim.pk, actor=operator, reason="확인 중", reason_code="other")
                release_hold(claim_id=claim.pk, actor=operator)
            refund_return(claim_id=claim.pk, actor=operator)
            refunded_claims.add(claim.pk)
        except DomainError:
            continue
    payment = Payment.objects.get(order=order)
    refunded = list(Claim.objects.filter(order=order, refunded_at__isnull=False))
    # Every refund the sequence made happened, and nothing else was refunded.
    assert {claim.pk for claim in refunded} == refunded_claims
    assert not Claim.objects.filter(order=order, status__in=["refunding", "refund_failed"]).exists()
    assert payment.cancelled_amount == sum(c.refund_amount for c in refunded) <= payment.amount
    assert SandboxPG.get(payment_key=payment.payment_key).balance_amount == payment.amount - payment.cancelled_amount
    restored = PointEntry.objects.filter(order=order, kind=PointEntry.Kind.RESTORE).aggregate(
        total=Sum("amount"))["total"] or 0
    assert restored == sum(c.points_refund_amount for c in refunded)
    for claim in refunded:  # one set of figures: claim = its lines = gross + shipping − deductions
        claim_lines = list(claim.lines.all())
        assert claim.refund_amount == sum(cl.refund_amount for cl in claim_lines)
        assert claim.points_refund_amount == sum(cl.points_amount for cl in claim_lines)
        assert all(cl.refund_amount == cl.gross_amount + cl.shipping_refund_amount - cl.return_fee_amount
                   - cl.exchange_fee_amount - cl.shipping_charge_amount - cl.damage_amount
                   - cl.points_clawback_amount >= 0 for cl in claim_lines)
    order_lines = list(OrderLine.objects.filter(order=order))
    assert sum(line.refunded_amount for line in order_lines) == payment.cancelled_amount
    for line in order_lines:
        assert 0 <= line.refunded_amount <= line.paid_amount
        assert 0 <= line.refunded_points_amount <= line.points_share_amount
        assert line.refunded_quantity <= line.claimed_quantity <= line.quantity
        open_units = ClaimLine.objects.filter(order_line=line, claim__status__in=OPEN).aggregate(
            total=Sum("quantity"))["total"] or 0
        assert line.held_quantity == open_units  # the claims still open hold exactly their units
        if line.refunded_quantity == line.quantity:
            assert line.status in ("cancelled", "returned")
            assert line.refunded_gross_amount == line_costs(line)[0]
    all_cancelled = all(line.status == "cancelled" for line in order_lines)
    if coupon:
        assert IssuedCoupon.objects.filter(user=shopper, status="available").exists() == all_cancelled


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_refunds_at_once_cannot_exceed_the_line():
    shopper = UserFactory()
    _, (sku,) = make_product(price=20000, stock=10)
    order = place_order(user=shopper, items=[(sku.pk, 2)], delivery=DELIVERY, payment_method="card")
    pay(order)
    OrderLine.objects.filter(order=order).update(status="delivered", delivered_at=timezone.now())
    line = order.lines.get()
    operator = OperatorFactory(groups=["cs"])
    claims = []
    for _ in range(2):
        claim = request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 1)], reason_code="defective",
                              requested_by=shopper, pickup_method="seller_collects")
        approve_claim(claim_id=claim.pk, actor=operator)
        start_pickup(claim_id=claim.pk, actor=operator)
        complete_pickup(claim_id=claim.pk, actor=operator)
        claims.append(claim)
    barrier = threading.Barrier(2, timeout=30)

    def refund(claim):
        barrier.wait()
        try:
            refund_return(claim_id=claim.pk, actor=operator)
            return "ok"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(refund, claims)) == ["ok", "ok"]
    line.refresh_from_db()
    assert line.refunded_amount == line.paid_amount and line.refunded_quantity == 2
    assert Payment.objects.get(order=order).cancelled_amount == line.paid_amount
