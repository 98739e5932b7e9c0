"""Issue 9: the order line and the claim never contradict each other, whatever order people act in.

Written from the people's side: the service calls the shopper's, operator's and seller's pages
make, in the order they make them. Each test failed on the code before issue 9.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from claims.exceptions import ClaimError
from claims.models import Claim
from claims.services import (
    approve_claim,
    approve_decision,
    cancel_line_for_stock,
    cancel_unpaid_order,
    complete_claim,
    complete_pickup,
    convert_claim,
    hold_claim,
    inspect_claim,
    refund_return,
    reject_claim,
    request_claim,
    retry_refund,
    ship_replacement,
    start_pickup,
)
from core.exceptions import DomainError
from core.models import StatusChange
from marketing.discounts import Selection
from marketing.models import PointEntry
from marketing.services.points import balance
from orders.models import Order, OrderLine, Payment, PaymentCancel
from orders.payments import GatewayError
from orders.payments.sandbox import SandboxPG
from orders.services import place_order
from orders.services.fulfilment import (
    acknowledge_line,
    auto_confirm_purchases,
    confirm_purchase,
    mark_delivered,
    mark_shipped,
    register_delay,
    set_waybill,
)
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.marketing.factories import give_coupon, give_points
from tests.orders.factories import DELIVERY, make_product, sized_product
from tests.orders.helpers import pay

T, St = Claim.Type, Claim.Status
LS = OrderLine.Status

pytestmark = pytest.mark.django_db


def cs():
    """An operator of the fulfilment group: ships lines and handles claims."""
    return OperatorFactory(groups=["fulfilment"])


def paid_order(shopper, items, **kwargs):
    order = place_order(user=shopper, items=items, delivery=DELIVERY, payment_method="card", **kwargs)
    pay(order)
    return order


def ship_and_deliver(line, operator, waybill="123412341234"):
    acknowledge_line(line_id=line.pk, actor=operator)
    set_waybill(line_id=line.pk, courier_code="cj", waybill_number=waybill, actor=operator)
    mark_shipped(line_id=line.pk, actor=operator)
    mark_delivered(line_id=line.pk, actor=operator)


def pg_balance(order):
    return SandboxPG.get(payment_key=Payment.objects.get(order=order).payment_key).balance_amount


def snapshot(line):
    line.refresh_from_db()
    return (line.status, line.waybill_number, line.refunded_amount, StatusChange.objects.count())


# --- Point 1: fulfilment waits for an open claim ---------------------------------------------


def test_a_line_with_a_cancel_request_cannot_be_shipped_and_the_approval_then_refunds_it():
    shopper, operator = UserFactory(), cs()
    _, (sku,) = make_product(price=20000, stock=5)
    order = paid_order(shopper, [(sku.pk, 1)])
    line = order.lines.get()
    acknowledge_line(line_id=line.pk, actor=operator)
    set_waybill(line_id=line.pk, courier_code="cj", waybill_number="111122223333", actor=operator)
    claim = request_claim(order=order, claim_type=T.CANCEL, items=[(line.pk, 1)], reason_code="change_of_mind",
                          requested_by=shopper)
    assert claim.status == St.REQUESTED  # ready to ship: the seller decides
    before = snapshot(line)
    with pytest.raises(DomainError, match="open cancel, return or exchange"):
        mark_shipped(line_id=line.pk, actor=operator)
    with pytest.raises(DomainError):
        set_waybill(line_id=line.pk, courier_code="cj", waybill_number="999922223333", actor=operator)
    assert snapshot(line) == before
    approve_claim(claim_id=claim.pk, actor=operator)
    claim.refresh_from_db()
    line.refresh_from_db()
    assert claim.status == St.COMPLETED and line.status == LS.CANCELLED
    assert pg_balance(order) == 0


def test_an_open_return_stops_the_shoppers_confirmation_and_the_automatic_one():
    shopper, operator = UserFactory(), cs()
    _, (sku,) = make_product(price=20000, stock=5)
    order = paid_order(shopper, [(sku.pk, 2)])
    line = order.lines.get()
    ship_and_deliver(line, operator)
    claim = request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 1)], reason_code="defective",
                          requested_by=shopper, pickup_method="seller_collects")
    line.refresh_from_db()
    assert not line.can_confirm_purchase  # the button is hidden
    before = snapshot(line)
    with pytest.raises(DomainError):
        confirm_purchase(line_id=line.pk, shopper=shopper)
    OrderLine.objects.filter(pk=line.pk).update(delivered_at=timezone.now() - timedelta(days=30))
    assert auto_confirm_purchases() == 0
    assert snapshot(line) == before
    assert not PointEntry.objects.filter(line=line, kind=PointEntry.Kind.EARN).exists()
    # The return runs to its refund; the unit kept is then confirmed automatically.
    approve_claim(claim_id=claim.pk, actor=operator)
    start_pickup(claim_id=claim.pk, actor=operator)
    complete_pickup(claim_id=claim.pk, actor=operator)
    refund_return(claim_id=claim.pk, actor=operator)
    claim.refresh_from_db()
    assert claim.status == St.REFUNDED and claim.refund_amount == 20000  # the unit; shipping stays paid
    assert auto_confirm_purchases() == 1
    line.refresh_from_db()
    assert line.status == LS.CONFIRMED and line.refunded_quantity == 1


def test_stock_out_cancel_and_delay_while_a_cancel_request_is_open():
    shopper, operator = UserFactory(), cs()
    _, (sku,) = make_product(price=20000, stock=5)
    order = paid_order(shopper, [(sku.pk, 2)])
    line = order.lines.get()
    acknowledge_line(line_id=line.pk, actor=operator)
    claim = request_claim(order=order, claim_type=T.CANCEL, items=[(line.pk, 1)], reason_code="change_of_mind",
                          requested_by=shopper)
    assert claim.status == St.REQUESTED  # acknowledged (PREPARING): waits for the seller, as on Naver
    before = snapshot(line)
    with pytest.raises(ClaimError, match="open claim"):
        cancel_line_for_stock(line_id=line.pk, actor=operator, reason="품절")
    assert snapshot(line) == before and Claim.objects.filter(order=order).count() == 1
    # A delay can still be announced: if the request is refused, the line ships later.
    register_delay(line_id=line.pk, new_ship_by=timezone.localdate() + timedelta(days=5), reason_code="restocking",
                   actor=operator)
    reject_claim(claim_id=claim.pk, actor=operator, reason="이미 포장 완료")
    cancel_line_for_stock(line_id=line.pk, actor=operator, reason="품절")
    line.refresh_from_db()
    assert line.status == LS.CANCELLED and line.refunded_quantity == 2


def test_two_claims_cannot_take_the_same_units():
    shopper = UserFactory()
    _, (small, medium, _large) = sized_product(stock=5)
    order = paid_order(shopper, [(small.pk, 1)])
    line = order.lines.get()
    ship_and_deliver(line, cs())
    request_claim(order=order, claim_type=T.EXCHANGE, items=[(line.pk, 1)], reason_code="wrong_option",
                  requested_by=shopper, pickup_method="seller_collects", replacements={line.pk: medium.pk})
    with pytest.raises(ClaimError):
        request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 1)], reason_code="defective",
                      requested_by=shopper, pickup_method="seller_collects")
    assert Claim.objects.filter(order=order).count() == 1


# --- Point 4: an exchanged line reaches purchase confirmation -------------------------------------


def test_an_exchanged_line_is_confirmed_by_the_shopper_and_earns_points():
    shopper, operator = UserFactory(), cs()
    _, (small, medium, _large) = sized_product(price=20000, stock=5)
    order = paid_order(shopper, [(small.pk, 1)])
    line = order.lines.get()
    ship_and_deliver(line, operator)
    claim = request_claim(order=order, claim_type=T.EXCHANGE, items=[(line.pk, 1)], reason_code="defective",
                          requested_by=shopper, pickup_method="seller_collects", replacements={line.pk: medium.pk})
    line.refresh_from_db()
    assert not line.can_confirm_purchase
    with pytest.raises(DomainError):
        confirm_purchase(line_id=line.pk, shopper=shopper)
    for step in (approve_claim, start_pickup, complete_pickup):
        step(claim_id=claim.pk, actor=operator)
    ship_replacement(claim_id=claim.pk, actor=operator, courier_code="cj", waybill_number="444455556666")
    complete_claim(claim_id=claim.pk, actor=operator)
    line.refresh_from_db()
    assert line.status == LS.EXCHANGED and line.can_confirm_purchase
    confirm_purchase(line_id=line.pk, shopper=shopper)
    line.refresh_from_db()
    assert line.status == LS.CONFIRMED
    assert PointEntry.objects.filter(line=line, kind=PointEntry.Kind.EARN).exists()


def test_an_exchanged_line_is_confirmed_automatically():
    shopper, operator = UserFactory(), cs()
    _, (small, medium, _large) = sized_product(stock=5)
    order = paid_order(shopper, [(small.pk, 1)])
    line = order.lines.get()
    ship_and_deliver(line, operator)
    claim = request_claim(order=order, claim_type=T.EXCHANGE, items=[(line.pk, 1)], reason_code="defective",
                          requested_by=shopper, pickup_method="seller_collects", replacements={line.pk: medium.pk})
    for step in (approve_claim, start_pickup, complete_pickup):
        step(claim_id=claim.pk, actor=operator)
    ship_replacement(claim_id=claim.pk, actor=operator, courier_code="cj", waybill_number="444455556666")
    complete_claim(claim_id=claim.pk, actor=operator)
    assert auto_confirm_purchases(now=timezone.now() + timedelta(days=30)) == 1
    line.refresh_from_db()
    assert line.status == LS.CONFIRMED


# --- Point 12: the PG refund outside the lock, failures visible and retried -----------------------


def test_a_pg_error_leaves_a_visible_failed_refund_that_a_retry_finishes(monkeypatch):
    shopper, operator = UserFactory(), cs()
    give_points(shopper, 5000)
    _, (sku,) = make_product(price=20000, stock=5)
    order = paid_order(shopper, [(sku.pk, 1)], points_amount=2000)
    line = order.lines.get()
    real_cancel = SandboxPG.cancel

    def refused(**kwargs):
        raise GatewayError("PG 점검 중", code="PG_MAINTENANCE", retryable=True)

    monkeypatch.setattr(SandboxPG, "cancel", staticmethod(refused))
    claim = request_claim(order=order, claim_type=T.CANCEL, items=[(line.pk, 1)], reason_code="change_of_mind",
                          requested_by=shopper)
    claim.refresh_from_db()
    line.refresh_from_db()
    assert claim.status == St.REFUND_FAILED and "PG 점검 중" in claim.refund_error
    assert pg_balance(order) == order.total_amount and not PaymentCancel.objects.exists()
    assert balance(user=shopper) == 3000  # the points wait for the money: nothing half done
    assert line.status == LS.PAID and line.held_quantity == 1  # fulfilment waits for the claim
    with pytest.raises(DomainError):
        acknowledge_line(line_id=line.pk, actor=operator)
    monkeypatch.setattr(SandboxPG, "cancel", real_cancel)
    retry_refund(claim_id=claim.pk, actor=operator)
    retry_refund_again = Claim.objects.get(pk=claim.pk)
    line.refresh_from_db()
    assert retry_refund_again.status == St.COMPLETED and retry_refund_again.refund_amount == order.total_amount
    assert pg_balance(order) == 0 and balance(user=shopper) == 5000
    assert line.status == LS.CANCELLED and line.held_quantity == 0
    with pytest.raises(ClaimError):  # a finished refund is not retried
        retry_refund(claim_id=claim.pk, actor=operator)
    assert PaymentCancel.objects.count() == 1


def test_the_pg_is_called_once_per_claim_even_when_its_answer_was_lost(monkeypatch):
    """The PG cancelled but the answer never came back: the retry with the same key refunds nothing twice."""
    shopper, operator = UserFactory(), cs()
    _, (sku,) = make_product(price=20000, stock=5)
    order = paid_order(shopper, [(sku.pk, 1)])
    line = order.lines.get()
    real_cancel = SandboxPG.cancel

    def lost_answer(**kwargs):
        real_cancel(**kwargs)
        raise GatewayError("timeout", code="TIMEOUT", retryable=True)

    monkeypatch.setattr(SandboxPG, "cancel", staticmethod(lost_answer))
    claim = request_claim(order=order, claim_type=T.CANCEL, items=[(line.pk, 1)], reason_code="change_of_mind",
                          requested_by=shopper)
    claim.refresh_from_db()
    assert claim.status == St.REFUND_FAILED
    monkeypatch.setattr(SandboxPG, "cancel", real_cancel)
    retry_refund(claim_id=claim.pk, actor=operator)
    assert pg_balance(order) == 0  # once, not twice (the second would have been refused as too much)
    assert Payment.objects.get(order=order).cancelled_amount == order.total_amount


# --- Point 2: a stock-out cancel is a cancel claim at the seller's fault --------------------------


def test_a_stock_out_cancel_gives_back_the_points_and_the_coupons_and_records_the_units():
    shopper, operator = UserFactory(), cs()
    give_points(shopper, 10000)
    _, (sku,) = make_product(price=30000, stock=5)
    issued = give_coupon(shopper, kind="cart", discount_value=2000)
    order = paid_order(shopper, [(sku.pk, 1)], points_amount=3000, coupons=Selection(cart=issued.pk))
    assert balance(user=shopper) == 7000
    line = order.lines.get()
    cancel_line_for_stock(line_id=line.pk, actor=operator, reason="재고 없음")
    line.refresh_from_db()
    order.refresh_from_db()
    issued.refresh_from_db()
    sku.refresh_from_db()
    claim = Claim.objects.get(order=order)
    assert (claim.type, claim.fault, claim.reason_code, claim.status) == ("cancel", "seller", "out_of_stock",
                                                                          "completed")
    assert balance(user=shopper) == 10000  # the 3,000 points came back
    assert issued.status == "available" and order.payment_status == Order.PaymentStatus.CANCELLED
    assert line.status == LS.CANCELLED and line.refunded_quantity == 1 and line.refunded_points_amount == 3000
    assert line.refunded_amount == line.paid_amount == claim.refund_amount == pg_balance(order) + claim.refund_amount
    assert sku.stock_quantity == 4  # not back on the shelf: the goods were not there


# --- Point 8: the refund base and the same figures everywhere -------------------------------------


def test_a_partial_return_with_a_shipping_coupon_refunds_the_items_in_full():
    """The issue's figures: 3 × 7,900, product coupon 1,185, cart share 2,251, shipping 3,500 less a
    3,000 shipping coupon, 20,764 paid. 2 of 3 back: 13,509 before the 3,500 return fee, 10,009 by PG."""
    shopper, operator = UserFactory(), cs()
    _, (sku,) = make_product(price=7900, stock=10, fee=3500, free_threshold=1000000)
    sku.product.seller.shipping_policy.__class__.objects.filter(seller=sku.product.seller).update(
        return_fee_amount=3500)
    product_coupon = give_coupon(shopper, kind="product", discount_type="percent", discount_value=5)
    cart_coupon = give_coupon(shopper, kind="cart", discount_type="percent", discount_value=10)
    shipping_coupon = give_coupon(shopper, kind="shipping", discount_value=3000)
    order = paid_order(shopper, [(sku.pk, 3)], coupons=Selection(product=((sku.pk, product_coupon.pk),),
                                                                  cart=cart_coupon.pk, shipping=shipping_coupon.pk))
    line = order.lines.get()
    assert (line.items_amount, line.shipping_share_amount, line.discount_share_amount, line.paid_amount) == (
        23700, 3500, 1185 + 2251 + 3000, 20764)
    ship_and_deliver(line, operator)
    claim = request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 2)], reason_code="change_of_mind",
                          requested_by=shopper, pickup_method="seller_collects")
    assert (claim.items_refund_amount, claim.return_fee_amount, claim.refund_amount) == (13509, 3500, 10009)
    for step in (approve_claim, start_pickup, complete_pickup, refund_return):
        step(claim_id=claim.pk, actor=operator)
    claim.refresh_from_db()
    line.refresh_from_db()
    claim_line = claim.lines.get()
    # One set of figures: claim, claim line, order line, PG.
    assert (claim_line.gross_amount, claim_line.return_fee_amount, claim_line.refund_amount) == (13509, 3500, 10009)
    assert claim.refund_amount == line.refunded_amount == 10009 and line.refunded_gross_amount == 13509
    assert Payment.objects.get(order=order).cancelled_amount == 10009 == order.total_amount - pg_balance(order)
    assert claim.refund_route == Claim.Route.PG


def test_the_last_unit_gets_exactly_what_is_left_after_deductions_elsewhere():
    shopper, operator = UserFactory(), cs()
    _, (sku,) = make_product(price=10000, stock=10, fee=3000, free_threshold=1000000)
    order = paid_order(shopper, [(sku.pk, 3)])
    line = order.lines.get()
    ship_and_deliver(line, operator)
    for quantity in (2, 1):
        claim = request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, quantity)],
                              reason_code="change_of_mind", requested_by=shopper, pickup_method="seller_collects")
        for step in (approve_claim, start_pickup, complete_pickup, refund_return):
            step(claim_id=claim.pk, actor=operator)
    line.refresh_from_db()
    # 30,000 of items back in gross; 3,000 return fee twice kept; the original 3,000 shipping stays paid.
    assert line.refunded_gross_amount == 30000 and line.refunded_amount == 30000 - 6000
    assert line.status == LS.RETURNED


# --- Point 3: fees from the order's snapshot; the shopper who sends it back ----------------------


def test_return_fees_come_from_the_order_not_the_live_policy_and_self_sending_pays_no_pickup_fee():
    shopper, operator = UserFactory(), cs()
    _, (sku,) = make_product(price=20000, stock=5, fee=3000, free_threshold=1000000)
    order = paid_order(shopper, [(sku.pk, 2)])
    line = order.lines.get()
    ship_and_deliver(line, operator)
    policy = sku.product.seller.shipping_policy
    policy.return_fee_amount, policy.exchange_fee_amount = 9000, 18000
    policy.save()
    pickup = request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 1)], reason_code="change_of_mind",
                           requested_by=shopper, pickup_method="seller_collects")
    assert pickup.return_fee_amount == 3000  # the fee in force when the order was placed
    own = request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 1)], reason_code="change_of_mind",
                        requested_by=shopper, pickup_method="shopper_sends")
    assert own.return_fee_amount == 0 and own.refund_amount == 20000  # the shopper paid the postage


def test_the_exchange_fee_is_the_orders_snapshot_and_shown_on_the_claim():
    shopper, operator = UserFactory(), cs()
    _, (small, medium, _large) = sized_product(price=20000, stock=5)
    order = paid_order(shopper, [(small.pk, 1)])
    line = order.lines.get()
    ship_and_deliver(line, operator)
    policy = small.product.seller.shipping_policy
    policy.exchange_fee_amount = 20000
    policy.save()
    claim = request_claim(order=order, claim_type=T.EXCHANGE, items=[(line.pk, 1)], reason_code="wrong_option",
                          requested_by=shopper, pickup_method="seller_collects", replacements={line.pk: medium.pk})
    assert claim.exchange_fee_amount == 6000


@pytest.mark.postgres
def test_the_original_shipping_charged_back_is_the_orders_snapshot_not_the_live_base_fee():
    """Two units bought over the seller's free-shipping threshold (50,000): the return of one breaks it
    and is charged the base fee in force at the order (3,000), whatever the seller set afterwards."""
    shopper, operator = UserFactory(), cs()
    _, (sku,) = make_product(price=30000, stock=5, fee=3000, free_threshold=50000)
    order = paid_order(shopper, [(sku.pk, 2)])
    assert order.shipping_amount == 0  # 60,000 ≥ 50,000: shipped free
    line = order.lines.get()
    ship_and_deliver(line, operator)
    policy = sku.product.seller.shipping_policy
    policy.base_fee_amount, policy.return_fee_amount = 8000, 9000  # the seller raised its fees after the order
    policy.save()
    claim = request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 1)], reason_code="change_of_mind",
                          requested_by=shopper, pickup_method="seller_collects")
    assert claim.shipping_charge_amount == 3000 and claim.return_fee_amount == 3000
    assert claim.refund_amount == 30000 - 3000 - 3000
    approve_claim(claim_id=claim.pk, actor=operator)
    start_pickup(claim_id=claim.pk, actor=operator)
    complete_pickup(claim_id=claim.pk, actor=operator)
    refund_return(claim_id=claim.pk, actor=operator)
    claim.refresh_from_db()
    line.refresh_from_db()
    assert claim.status in (St.REFUNDED, St.COMPLETED)
    assert (claim.shipping_charge_amount, claim.return_fee_amount, claim.refund_amount) == (3000, 3000, 24000)
    assert line.refunded_amount == 24000 and pg_balance(order) == 60000 - 24000


# --- Point 5: unpaid cancel, holds and rejections with reasons and approval ----------------------


def test_the_shopper_cancels_an_unpaid_order():
    shopper = UserFactory()
    give_points(shopper, 5000)
    _, (sku,) = make_product(price=20000, stock=5)
    order = place_order(user=shopper, items=[(sku.pk, 2)], delivery=DELIVERY, payment_method="virtual_account",
                        points_amount=1000)
    with pytest.raises(ClaimError):
        cancel_unpaid_order(order=order, shopper=UserFactory())
    cancel_unpaid_order(order=order, shopper=shopper)
    order.refresh_from_db()
    sku.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.CANCELLED
    assert set(order.lines.values_list("status", flat=True)) == {LS.CANCELLED}
    assert sku.stock_quantity == 5 and balance(user=shopper) == 5000
    with pytest.raises(ClaimError):  # once only
        cancel_unpaid_order(order=order, shopper=shopper)


def _picked_up_return(shopper, operator, **request):
    _, (sku,) = make_product(price=20000, stock=5)
    order = paid_order(shopper, [(sku.pk, 1)])
    line = order.lines.get()
    ship_and_deliver(line, operator)
    claim = request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 1)], requested_by=shopper,
                          pickup_method="seller_collects", **{"reason_code": "change_of_mind", **request})
    for step in (approve_claim, start_pickup, complete_pickup):
        step(claim_id=claim.pk, actor=operator)
    return claim


def test_a_hold_carries_a_naver_reason_class_a_fee_and_a_private_note():
    shopper, operator = UserFactory(), cs()
    claim = _picked_up_return(shopper, operator)
    with pytest.raises(ClaimError):  # a fee class needs its amount
        hold_claim(claim_id=claim.pk, actor=operator, reason="반품비 미입금", reason_code="return_fee_unpaid")
    hold_claim(claim_id=claim.pk, actor=operator, reason="반품 배송비 3,000원을 입금해 주세요",
               reason_code="return_fee_unpaid", fee_amount=3000, internal_note="고객 통화 2회 부재")
    claim.refresh_from_db()
    assert (claim.status, claim.hold_reason_code, claim.hold_fee_amount) == ("held", "return_fee_unpaid", 3000)
    assert claim.internal_note == "고객 통화 2회 부재" and "통화" not in claim.hold_reason
    with pytest.raises(ClaimError):  # a held return is settled first, never converted
        convert_claim(claim_id=claim.pk, actor=shopper, replacements={})


def test_a_rejection_after_pickup_waits_for_approval_and_sends_the_goods_back():
    shopper, operator = UserFactory(), cs()
    claim = _picked_up_return(shopper, operator)
    with pytest.raises(ClaimError):  # the goods go back with their own waybill
        reject_claim(claim_id=claim.pk, actor=operator, reason="사용 흔적", reason_code="other")
    reject_claim(claim_id=claim.pk, actor=operator, reason="사용 흔적", reason_code="other", courier_code="cj",
                 waybill_number="777788889999")
    claim.refresh_from_db()
    assert claim.status == St.PICKED_UP and claim.decision_pending == St.REJECTED
    assert claim.return_to_shopper_waybill == "777788889999"
    approve_decision(claim_id=claim.pk, actor=operator)
    claim.refresh_from_db()
    line = claim.lines.get().order_line
    line.refresh_from_db()
    assert claim.status == St.REJECTED and claim.decision_approved_by == operator
    assert line.held_quantity == 0 and line.claimed_quantity == 0 and line.can_confirm_purchase


def test_inspection_records_a_damage_deduction_and_keeps_damaged_units_off_the_shelf():
    shopper, operator = UserFactory(), cs()
    claim = _picked_up_return(shopper, operator, reason_code="defective")
    sku = claim.lines.get().order_line.sku
    stock_before = sku.__class__.objects.get(pk=sku.pk).stock_quantity
    inspect_claim(claim_id=claim.pk, actor=operator, condition="damaged", restock=False, damage_amount=5000,
                  damage_reason="오염")
    refund_return(claim_id=claim.pk, actor=operator)
    claim.refresh_from_db()
    # 20,000 item + 3,000 shipping back (seller's fault, nothing kept) − 5,000 damage
    assert claim.refund_amount == 18000 and claim.lines.get().damage_amount == 5000
    assert sku.__class__.objects.get(pk=sku.pk).stock_quantity == stock_before


def test_operators_open_a_claim_for_the_shopper_but_strangers_cannot():
    shopper, operator = UserFactory(), cs()
    _, (sku,) = make_product(price=20000, stock=5)
    order = paid_order(shopper, [(sku.pk, 1)])
    line = order.lines.get()
    with pytest.raises(ClaimError):
        request_claim(order=order, claim_type=T.CANCEL, items=[(line.pk, 1)], reason_code="change_of_mind",
                      requested_by=UserFactory())
    claim = request_claim(order=order, claim_type=T.CANCEL, items=[(line.pk, 1)], reason_code="change_of_mind",
                          requested_by=operator)
    assert claim.status == St.COMPLETED and claim.requested_by == operator


# --- Point 9: the replacement's waybill ------------------------------------------------------------


def test_the_replacement_waybill_refuses_a_number_of_another_order():
    shopper, operator = UserFactory(), cs()
    _, (small, medium, _large) = sized_product(stock=5)
    other = paid_order(UserFactory(), [(small.pk, 1)])
    ship_and_deliver(other.lines.get(), operator, waybill="246824682468")
    order = paid_order(shopper, [(small.pk, 1)])
    line = order.lines.get()
    ship_and_deliver(line, operator, waybill="135713571357")
    claim = request_claim(order=order, claim_type=T.EXCHANGE, items=[(line.pk, 1)], reason_code="defective",
                          requested_by=shopper, pickup_method="seller_collects", replacements={line.pk: medium.pk})
    for step in (approve_claim, start_pickup, complete_pickup):
        step(claim_id=claim.pk, actor=operator)
    with pytest.raises(ClaimError, match="another order"):
        ship_replacement(claim_id=claim.pk, actor=operator, courier_code="cj", waybill_number="246824682468")
    claim.refresh_from_db()
    assert claim.status == St.PICKED_UP and not claim.replacement_waybill


# --- Concurrency: the seller ships while the shopper asks to cancel (real threads, PostgreSQL) -----


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_shipping_and_a_cancel_request_at_the_same_moment_never_both_win():
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    shopper, operator = UserFactory(), cs()
    _, (sku,) = make_product(price=20000, stock=5)
    order = paid_order(shopper, [(sku.pk, 1)])
    line = order.lines.get()
    acknowledge_line(line_id=line.pk, actor=operator)
    set_waybill(line_id=line.pk, courier_code="cj", waybill_number="121212121212", actor=operator)
    barrier = threading.Barrier(2, timeout=30)

    def ship():
        barrier.wait()
        try:
            mark_shipped(line_id=line.pk, actor=operator)
            return "shipped"
        except DomainError:
            return "refused"
        finally:
            connection.close()

    def cancel():
        barrier.wait()
        try:
            request_claim(order=order, claim_type=T.CANCEL, items=[(line.pk, 1)], reason_code="change_of_mind",
                          requested_by=shopper)
            return "requested"
        except DomainError:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(future.result() for future in [pool.submit(ship), pool.submit(cancel)])
    line.refresh_from_db()
    assert results in (["refused", "shipped"], ["refused", "requested"])
    if "shipped" in results:
        assert line.status == LS.SHIPPING and not Claim.objects.filter(order=order).exists()
    else:
        assert line.status == LS.READY_TO_SHIP and line.held_quantity == 1


# --- Point 3: the exchange fee is collected through its own small PG checkout ------------------------


def _pay_fee_in_the_window(claim, shopper):
    from urllib.parse import parse_qs, urlparse

    from claims.services import confirm_exchange_fee_payment, start_exchange_fee_payment

    url = start_exchange_fee_payment(claim_id=claim.pk, shopper=shopper, success_url="/ok", fail_url="/fail")
    window = SandboxPG.read_window_token(parse_qs(urlparse(url).query)["token"][0])
    pg = SandboxPG.authorize(window=window)
    return confirm_exchange_fee_payment(pg_order_id=window["order_id"], payment_key=pg.payment_key,
                                        amount=window["amount"], shopper=shopper)


def test_the_exchange_fee_is_paid_through_the_pg_before_the_replacement_ships():
    from claims.models import ClaimPayment

    shopper, operator = UserFactory(), cs()
    _, (small, medium, _large) = sized_product(price=20000, stock=5)
    order = paid_order(shopper, [(small.pk, 1)])
    line = order.lines.get()
    ship_and_deliver(line, operator)
    claim = request_claim(order=order, claim_type=T.EXCHANGE, items=[(line.pk, 1)], reason_code="wrong_option",
                          requested_by=shopper, pickup_method="seller_collects", replacements={line.pk: medium.pk})
    for step in (approve_claim, start_pickup, complete_pickup):
        step(claim_id=claim.pk, actor=operator)
    with pytest.raises(ClaimError, match="exchange fee"):
        ship_replacement(claim_id=claim.pk, actor=operator, courier_code="cj", waybill_number="444455556666")
    claim = _pay_fee_in_the_window(claim, shopper)
    assert claim.exchange_fee_paid_amount == 6000
    fee = ClaimPayment.objects.get(claim=claim)
    assert fee.status == "done" and SandboxPG.get(payment_key=fee.payment_key).balance_amount == 6000
    assert pg_balance(order) == order.total_amount  # the order's own payment is untouched
    ship_replacement(claim_id=claim.pk, actor=operator, courier_code="cj", waybill_number="444455556666")
    claim.refresh_from_db()
    assert claim.status == St.REPLACEMENT_SHIPPED


def test_a_paid_exchange_fee_goes_back_when_the_exchange_becomes_a_return(django_capture_on_commit_callbacks):
    from claims.models import ClaimPayment

    shopper, operator = UserFactory(), cs()
    _, (small, medium, _large) = sized_product(price=20000, stock=5)
    order = paid_order(shopper, [(small.pk, 1)])
    line = order.lines.get()
    ship_and_deliver(line, operator)
    claim = request_claim(order=order, claim_type=T.EXCHANGE, items=[(line.pk, 1)], reason_code="wrong_option",
                          requested_by=shopper, pickup_method="seller_collects", replacements={line.pk: medium.pk})
    claim = _pay_fee_in_the_window(claim, shopper)
    with django_capture_on_commit_callbacks(execute=True):
        new = convert_claim(claim_id=claim.pk, actor=shopper)
    fee = ClaimPayment.objects.get(claim=claim)
    claim.refresh_from_db()
    assert new.type == "return" and fee.status == "cancelled" and claim.exchange_fee_paid_amount == 0
    assert SandboxPG.get(payment_key=fee.payment_key).balance_amount == 0
    assert new.return_fee_amount == 3000  # the return's own fee comes off its refund instead


def test_a_stock_out_cancel_whose_refund_fails_says_so_and_is_retried(monkeypatch):
    shopper, operator = UserFactory(), cs()
    _, (sku,) = make_product(price=20000, stock=5)
    order = paid_order(shopper, [(sku.pk, 1)])
    line = order.lines.get()
    real_cancel = SandboxPG.cancel

    def refused(**kwargs):
        raise GatewayError("PG 점검 중", code="PG_MAINTENANCE")

    monkeypatch.setattr(SandboxPG, "cancel", staticmethod(refused))
    with pytest.raises(ClaimError, match="Failed refunds"):
        cancel_line_for_stock(line_id=line.pk, actor=operator, reason="품절")
    claim = Claim.objects.get(order=order)
    line.refresh_from_db()
    assert claim.status == St.REFUND_FAILED and line.status == LS.PAID and line.held_quantity == 1
    monkeypatch.setattr(SandboxPG, "cancel", real_cancel)
    retry_refund(claim_id=claim.pk, actor=operator)
    line.refresh_from_db()
    assert line.status == LS.CANCELLED and pg_balance(order) == 0
