"""Whatever the sequence of partial claims, a line never gets back more than it cost."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.exceptions import ClaimError
from claims.models import Claim
from claims.services import approve_claim, complete_pickup, refund_return, request_claim, start_pickup
from orders.models import OrderLine, Payment
from orders.services import place_order
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


steps = st.lists(st.tuples(st.sampled_from(["cancel", "return"]), st.integers(0, 2), st.integers(1, 3),
                           st.sampled_from(["change_of_mind", "defective"])), min_size=1, max_size=6)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(quantities=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)), sequence=steps,
       points=st.sampled_from([0, 1000, 2350]), coupon=st.booleans())
def test_refunds_never_exceed_what_was_paid(quantities, sequence, points, coupon):
    shopper = UserFactory()
    give_points(shopper, 10000)
    order = _order_with_three_lines(shopper, quantities, points=points, coupon=coupon)
    operator = OperatorFactory(groups=["cs"])
    lines = list(order.lines.order_by("pk"))
    delivered = False
    for kind, index, quantity, reason in sequence:
        line = OrderLine.objects.get(pk=lines[index].pk)
        try:
            if kind == "cancel" and not delivered:
                request_claim(order=order, claim_type=T.CANCEL, items=[(line.pk, quantity)], reason_code=reason,
                              requested_by=shopper)
            else:
                if not delivered:
                    OrderLine.objects.filter(order=order).exclude(status="cancelled").update(
                        status="delivered", delivered_at=timezone.now())
                    delivered = True
                claim = request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, quantity)],
                                      reason_code=reason, requested_by=shopper, pickup_method="seller_collects")
                approve_claim(claim_id=claim.pk, actor=operator)
                start_pickup(claim_id=claim.pk, actor=operator)
                complete_pickup(claim_id=claim.pk, actor=operator)
                refund_return(claim_id=claim.pk, actor=operator)
        except ClaimError:
            continue
    payment = Payment.objects.get(order=order)
    refunded_cash = sum(c.refund_amount for c in Claim.objects.filter(order=order, refunded_at__isnull=False))
    assert payment.cancelled_amount == refunded_cash <= payment.amount
    for line in OrderLine.objects.filter(order=order):
        assert 0 <= line.refunded_amount <= line.paid_amount
        assert 0 <= line.refunded_points_amount <= line.points_share_amount
        assert line.refunded_quantity <= line.quantity
        if line.refunded_quantity == line.quantity and line.status == "cancelled":
            assert line.refunded_amount - line.refunded_shipping_amount == line.paid_amount - line.shipping_share_amount


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
