from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import SKU
from claims.exceptions import ClaimError
from claims.models import Claim
from claims.services import (
    approve_claim,
    complete_claim,
    complete_pickup,
    compute_refund,
    convert_claim,
    hold_claim,
    refund_return,
    reject_claim,
    release_hold,
    request_claim,
    start_pickup,
    withdraw_claim,
)
from core.exceptions import DomainError
from core.models import StatusChange
from marketing.discounts import Selection
from marketing.services.points import balance
from orders.models import Order, OrderLine, Payment
from orders.payments import RefundAccount
from orders.payments.sandbox import SandboxPG
from orders.services import place_order
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.marketing.factories import give_coupon, give_points
from tests.orders.factories import DELIVERY, make_product, sized_product
from tests.orders.helpers import pay

T, St = Claim.Type, Claim.Status
LS = OrderLine.Status


def cs():
    return OperatorFactory(groups=["cs"])


def deliver(order):
    OrderLine.objects.filter(order=order).update(status=LS.DELIVERED, delivered_at=timezone.now())


def pg_balance(order):
    payment = Payment.objects.get(order=order)
    return SandboxPG.get(payment_key=payment.payment_key).balance_amount


@pytest.mark.django_db
def test_cancel_of_a_paid_line_is_immediate_with_its_exact_refund():
    shopper = UserFactory()
    _, (a,) = make_product(price=30000, stock=5)
    b = make_product(seller=a.product.seller, price=25000, stock=5)[1][0]
    order = place_order(user=shopper, items=[(a.pk, 1), (b.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(order)
    line_b = order.lines.get(sku=b)
    claim = request_claim(order=order, claim_type=T.CANCEL, items=[(line_b.pk, 1)], reason_code="change_of_mind",
                          requested_by=shopper)
    assert claim.status == St.COMPLETED
    line_b.refresh_from_db()
    # The bundle (55,000) shipped free; after the cancel 30,000 stays < 50,000: the 3,000 fee is charged.
    assert claim.items_refund_amount == line_b.paid_amount == 25000
    assert claim.shipping_charge_amount == 3000 and claim.refund_amount == 22000
    # The line records the cash that really went back (net) and the units' value before deductions.
    assert line_b.status == LS.CANCELLED and line_b.refunded_amount == 22000 and line_b.refunded_gross_amount == 25000
    assert pg_balance(order) == order.total_amount - 22000
    b.refresh_from_db()
    assert b.stock_quantity == 5  # back on the shelf


@pytest.mark.django_db
def test_cancelling_everything_refunds_shipping_and_gives_coupons_back():
    shopper = UserFactory()
    give_points(shopper, 5000)
    _, (sku,) = make_product(price=20000)
    issued = give_coupon(shopper, kind="cart", discount_value=2000)
    order = place_order(user=shopper, items=[(sku.pk, 2)], delivery=DELIVERY, payment_method="card",
                        coupons=Selection(cart=issued.pk), points_amount=1000)
    pay(order)
    line = order.lines.get()
    claim = request_claim(order=order, claim_type=T.CANCEL, items=[(line.pk, 2)], reason_code="change_of_mind",
                          requested_by=shopper)
    assert claim.refund_amount == order.total_amount and claim.points_refund_amount == 1000
    assert pg_balance(order) == 0
    order.refresh_from_db()
    issued.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.CANCELLED and issued.status == "available"
    assert balance(user=shopper) == 5000


@pytest.mark.django_db
def test_a_cancel_of_a_line_ready_to_ship_waits_for_the_seller():
    shopper = UserFactory()
    _, (sku,) = make_product()
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(order)
    OrderLine.objects.filter(order=order).update(status=LS.READY_TO_SHIP)
    claim = request_claim(order=order, claim_type=T.CANCEL, items=[(order.lines.get().pk, 1)],
                          reason_code="change_of_mind", requested_by=shopper)
    assert claim.status == St.REQUESTED
    approve_claim(claim_id=claim.pk, actor=cs())
    claim.refresh_from_db()
    assert claim.status == St.COMPLETED and order.lines.get().status == LS.CANCELLED


@pytest.mark.django_db
def test_no_cancel_once_shipped_and_no_return_before_delivery():
    shopper = UserFactory()
    _, (sku,) = make_product()
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(order)
    OrderLine.objects.filter(order=order).update(status=LS.SHIPPING)
    line = order.lines.get()
    with pytest.raises(ClaimError) as error:
        request_claim(order=order, claim_type=T.CANCEL, items=[(line.pk, 1)], reason_code="change_of_mind",
                      requested_by=shopper)
    assert error.value.code == "shipped"
    with pytest.raises(ClaimError):
        request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 1)], reason_code="change_of_mind",
                      requested_by=shopper, pickup_method="seller_collects")
    assert not Claim.objects.exists()


@pytest.mark.django_db
def test_the_return_window_is_seven_days_or_ninety_for_the_sellers_fault():
    shopper = UserFactory()
    _, (sku,) = make_product()
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(order)
    OrderLine.objects.filter(order=order).update(status=LS.DELIVERED, delivered_at=timezone.now() - timedelta(days=8))
    line = order.lines.get()
    with pytest.raises(ClaimError) as error:
        request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 1)], reason_code="change_of_mind",
                      requested_by=shopper, pickup_method="seller_collects")
    assert error.value.code == "window"
    claim = request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 1)], reason_code="defective",
                          requested_by=shopper, pickup_method="seller_collects")
    assert claim.fault == Claim.Fault.SELLER


@pytest.mark.django_db
def test_a_return_goes_through_pickup_hold_and_refund_less_the_return_fee():
    shopper = UserFactory()
    _, (sku,) = make_product(price=20000, stock=5)
    order = place_order(user=shopper, items=[(sku.pk, 2)], delivery=DELIVERY, payment_method="card")
    pay(order)
    deliver(order)
    line = order.lines.get()
    claim = request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 1)], reason_code="change_of_mind",
                          requested_by=shopper, pickup_method="seller_collects")
    # 40,000 shipped free (≥ 50,000? no: 3,000 fee paid). One unit back: 20,000, minus the 3,000 return fee.
    assert (claim.items_refund_amount, claim.return_fee_amount, claim.shipping_charge_amount,
            claim.refund_amount) == (20000, 3000, 0, 17000)
    operator = cs()
    approve_claim(claim_id=claim.pk, actor=operator)
    start_pickup(claim_id=claim.pk, actor=operator, courier_code="cj", waybill_number="123412341234")
    complete_pickup(claim_id=claim.pk, actor=operator)
    claim.refresh_from_db()
    assert claim.refund_due_date > timezone.localdate()
    hold_claim(claim_id=claim.pk, actor=operator, reason="구성품 누락 확인 중")
    release_hold(claim_id=claim.pk, actor=operator)
    refund_return(claim_id=claim.pk, actor=operator)
    complete_claim(claim_id=claim.pk, actor=operator)
    claim.refresh_from_db()
    line.refresh_from_db()
    sku.refresh_from_db()
    assert claim.status == St.COMPLETED and claim.refund_amount == 17000
    assert line.status == LS.DELIVERED and line.refunded_quantity == 1  # one unit kept
    assert sku.stock_quantity == 4  # 5 − 2 ordered + 1 returned
    assert pg_balance(order) == order.total_amount - 17000
    history = [c.to_status for c in StatusChange.objects.filter(object_id=claim.pk, field="status").order_by("id")
               if c.content_type.model == "claim"]
    assert history == ["requested", "approved", "pickup_started", "picked_up", "held", "picked_up", "refunding",
                       "refunded", "completed"]


@pytest.mark.django_db
def test_a_partial_return_breaking_free_shipping_is_charged_the_original_fee():
    shopper = UserFactory()
    _, (sku,) = make_product(price=30000, stock=5)
    order = place_order(user=shopper, items=[(sku.pk, 2)], delivery=DELIVERY, payment_method="card")
    pay(order)
    assert order.shipping_amount == 0
    deliver(order)
    preview = compute_refund(order=order, claim_type=T.RETURN, fault="shopper", items=[(order.lines.get().pk, 1)])
    assert preview.items_amount == 30000 and preview.shipping_charge_amount == 3000  # the original fee
    assert preview.return_fee_amount == 3000 and preview.refund_amount == 24000
    seller_fault = compute_refund(order=order, claim_type=T.RETURN, fault="seller", items=[(order.lines.get().pk, 1)])
    assert seller_fault.shipping_charge_amount == seller_fault.return_fee_amount == 0
    assert seller_fault.refund_amount == 30000


@pytest.mark.django_db
def test_the_multi_seller_scenario_cancel_exchange_converted_to_return():
    """Three lines from two sellers: one partly cancelled, one exchanged then turned into a return
    because the replacement sold out; every refund exact to the won by its route."""
    shopper = UserFactory()
    give_points(shopper, 10000)
    product, (small, medium, large) = sized_product(price=20000, stock=5)
    seller_a = product.seller
    _, (mug,) = make_product(seller=seller_a, price=15000, stock=5)
    _, (book,) = make_product(price=12000, stock=5)
    order = place_order(user=shopper, items=[(small.pk, 1), (mug.pk, 3), (book.pk, 1)], delivery=DELIVERY,
                        payment_method="card", points_amount=3000)
    pay(order)
    lines = {line.sku_id: line for line in order.lines.all()}
    operator = cs()

    cancel = request_claim(order=order, claim_type=T.CANCEL, items=[(lines[mug.pk].pk, 1)], reason_code="ordered_by_mistake",
                           requested_by=shopper)
    assert cancel.status == St.COMPLETED
    deliver(order)
    exchange = request_claim(order=order, claim_type=T.EXCHANGE, items=[(lines[small.pk].pk, 1)], reason_code="wrong_option",
                             requested_by=shopper, pickup_method="seller_collects",
                             replacements={lines[small.pk].pk: medium.pk})
    approve_claim(claim_id=exchange.pk, actor=operator)
    medium.refresh_from_db()
    assert medium.stock_quantity == 4  # reserved for the exchange
    start_pickup(claim_id=exchange.pk, actor=operator)
    complete_pickup(claim_id=exchange.pk, actor=operator)
    SKU.objects.filter(pk=medium.pk).update(stock_quantity=0)  # … and then it sold out elsewhere: convert
    returned = convert_claim(claim_id=exchange.pk, actor=operator)
    exchange.refresh_from_db()
    assert exchange.status == St.CONVERTED and returned.status == St.PICKED_UP and returned.type == T.RETURN
    refund_return(claim_id=returned.pk, actor=operator)
    returned.refresh_from_db()

    for line in order.lines.all():
        assert line.refunded_amount <= line.paid_amount
        assert line.refunded_points_amount <= line.points_share_amount
    payment = Payment.objects.get(order=order)
    assert payment.cancelled_amount == cancel.refund_amount + returned.refund_amount
    assert pg_balance(order) == order.total_amount - payment.cancelled_amount
    assert balance(user=shopper) == 10000 - 3000 + cancel.points_refund_amount + returned.points_refund_amount
    small.refresh_from_db()
    assert small.stock_quantity == 5  # the returned item went back on the shelf


@pytest.mark.django_db
def test_a_virtual_account_order_is_refunded_to_the_given_bank_account(django_capture_on_commit_callbacks):
    from orders.services import expire_unpaid_orders

    shopper = UserFactory()
    _, (sku,) = make_product(price=20000)
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="virtual_account")
    pg = pay(order)
    with django_capture_on_commit_callbacks(execute=False):
        SandboxPG.deposit(payment_key=pg.payment_key)
    expire_unpaid_orders(now=order.expires_at + timedelta(seconds=1))  # picks up the deposit
    line = order.lines.get()
    with pytest.raises(ClaimError) as error:
        request_claim(order=order, claim_type=T.CANCEL, items=[(line.pk, 1)], reason_code="change_of_mind",
                      requested_by=shopper)
    assert error.value.code == "refund_account"
    account = RefundAccount(bank_code="004", account_number="123-4567-8901", holder_name="김구매")
    claim = request_claim(order=order, claim_type=T.CANCEL, items=[(line.pk, 1)], reason_code="change_of_mind",
                          requested_by=shopper, refund_account=account)
    assert claim.status == St.COMPLETED
    cancel = Payment.objects.get(order=order).cancels.get()
    assert cancel.refund_account_number == "123-4567-8901" and cancel.amount == order.total_amount


@pytest.mark.django_db
def test_withdrawn_and_rejected_claims_free_their_units():
    shopper = UserFactory()
    _, (sku,) = make_product()
    order = place_order(user=shopper, items=[(sku.pk, 2)], delivery=DELIVERY, payment_method="card")
    pay(order)
    deliver(order)
    line = order.lines.get()
    first = request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 2)], reason_code="change_of_mind",
                          requested_by=shopper, pickup_method="shopper_sends")
    with pytest.raises(ClaimError):  # no units left to claim
        request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 1)], reason_code="change_of_mind",
                      requested_by=shopper, pickup_method="shopper_sends")
    withdraw_claim(claim_id=first.pk, shopper=shopper)
    second = request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 1)], reason_code="change_of_mind",
                           requested_by=shopper, pickup_method="shopper_sends")
    reject_claim(claim_id=second.pk, actor=cs(), reason="사용 흔적")
    line.refresh_from_db()
    assert line.claimed_quantity == 0 and line.refunded_amount == 0


@pytest.mark.django_db
def test_operators_and_the_sellers_staff_write_claim_memos(client):
    from claims.services import add_claim_memo
    from tests.partners.factories import SellerStaffFactory

    shopper = UserFactory()
    _, (sku,) = make_product()
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(order)
    OrderLine.objects.filter(order=order).update(status=LS.READY_TO_SHIP)
    claim = request_claim(order=order, claim_type=T.CANCEL, items=[(order.lines.get().pk, 1)],
                          reason_code="change_of_mind", requested_by=shopper)
    add_claim_memo(claim_id=claim.pk, author=SellerStaffFactory(seller=sku.product.seller).user, body="고객 통화 완료")
    with pytest.raises(DomainError):
        add_claim_memo(claim_id=claim.pk, author=shopper, body="no")
    operator = cs()
    client.force_login(operator)
    client.post(f"/console/claims/{claim.number}/memo/", {"body": "환불 계좌 확인"})
    html = client.get(f"/console/claims/{claim.number}/").content.decode()
    assert "고객 통화 완료" in html and "환불 계좌 확인" in html
    assert claim.memos.count() == 2
