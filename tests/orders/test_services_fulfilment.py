from datetime import date, timedelta
from itertools import product

import pytest
from django.utils import timezone

from core.exceptions import DomainError
from core.models import OutboxMessage, StatusChange
from orders.exceptions import OrderError
from orders.models import Courier, Order, OrderLine, Payment
from orders.payments import RefundAccount
from orders.services import LINE_TRANSITIONS, place_order
from orders.services.fulfilment import (
    acknowledge_line,
    add_business_days,
    auto_confirm_purchases,
    backorder_line,
    cancel_line_for_stock,
    confirm_purchase,
    for_each_line,
    mark_delivered,
    mark_shipped,
    register_delay,
    set_waybill,
)
from orders.tracking import sync_deliveries
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.orders.factories import DELIVERY, make_product
from tests.orders.helpers import pay
from tests.partners.factories import SellerStaffFactory

S = OrderLine.Status


def paid_line(stock=5, price=20000, method="card", quantity=1):
    _, (sku,) = make_product(stock=stock, price=price)
    order = place_order(user=UserFactory(), items=[(sku.pk, quantity)], delivery=DELIVERY, payment_method=method)
    pay(order)
    return order.lines.get()


def _fulfilment():
    return OperatorFactory(groups=["fulfilment"])


def _cs():
    return OperatorFactory(groups=["cs"])


ACTIONS = {
    S.PREPARING: lambda line, actor: acknowledge_line(line_id=line.pk, actor=actor),
    S.READY_TO_SHIP: lambda line, actor: set_waybill(line_id=line.pk, courier_code="cj", waybill_number="123456789012",
                                                     actor=actor),
    S.SHIPPING: lambda line, actor: mark_shipped(line_id=line.pk, actor=actor),
    S.DELIVERED: lambda line, actor: mark_delivered(line_id=line.pk, actor=actor),
    S.CONFIRMED: lambda line, actor: confirm_purchase(line_id=line.pk, shopper=line.order.user),
}


def _put_line_in(line, status):
    fields = {"status": status}
    if status in (S.READY_TO_SHIP, S.SHIPPING, S.DELIVERED, S.CONFIRMED):
        fields.update(courier=Courier.objects.get(code="cj"), waybill_number="999999999999")
    OrderLine.objects.filter(pk=line.pk).update(**fields)
    line.refresh_from_db()


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "target"), list(product(list(S), list(ACTIONS))))
def test_the_line_transition_matrix(current, target):
    line = paid_line()
    _put_line_in(line, current)
    before = StatusChange.objects.count()
    allowed = target in LINE_TRANSITIONS[current]
    if current == target == S.READY_TO_SHIP:  # correcting a waybill keeps the status
        ACTIONS[target](line, _fulfilment())
        line.refresh_from_db()
        assert line.status == S.READY_TO_SHIP and line.waybill_number == "123456789012"
        assert StatusChange.objects.count() == before
    elif allowed:
        ACTIONS[target](line, _fulfilment())
        line.refresh_from_db()
        assert line.status == target
        assert StatusChange.objects.filter(object_id=line.pk, from_status=current, to_status=target).exists()
    else:
        with pytest.raises(DomainError):
            ACTIONS[target](line, _fulfilment())
        line.refresh_from_db()
        assert line.status == current
        assert StatusChange.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["shopper", "cs_operator", "plain_staff", "other_seller", "own_seller"])
def test_who_may_acknowledge(who):
    line = paid_line()
    actor = {
        "shopper": lambda: line.order.user,
        "cs_operator": _cs,
        "plain_staff": lambda: OperatorFactory(),
        "other_seller": lambda: SellerStaffFactory().user,
        "own_seller": lambda: SellerStaffFactory(seller=line.seller).user,
    }[who]()
    if who == "own_seller":
        acknowledge_line(line_id=line.pk, actor=actor)
        line.refresh_from_db()
        assert line.status == S.PREPARING
    else:
        with pytest.raises(OrderError):
            acknowledge_line(line_id=line.pk, actor=actor)
        line.refresh_from_db()
        assert line.status == S.PAID


@pytest.mark.django_db
def test_paid_lines_get_a_ship_by_date_in_business_days():
    line = paid_line()
    assert line.ship_by_date == add_business_days(timezone.localdate(), 2)
    assert add_business_days(date(2026, 11, 20), 2) == date(2026, 11, 24)  # Friday + 2 working days = Tuesday


@pytest.mark.django_db
def test_bulk_acknowledge_reports_per_line_and_applies_the_good_ones():
    good = paid_line()
    other = paid_line()
    _put_line_in(other, S.SHIPPING)
    results = for_each_line([good.pk, other.pk, 999999], lambda line_id: acknowledge_line(line_id=line_id,
                                                                                         actor=_fulfilment()))
    assert [(r.line_id, r.ok) for r in results] == [(good.pk, True), (other.pk, False), (999999, False)]
    good.refresh_from_db()
    other.refresh_from_db()
    assert (good.status, other.status) == (S.PREPARING, S.SHIPPING)


@pytest.mark.django_db
@pytest.mark.parametrize(("courier", "number", "code"), [
    ("nope", "123456789012", "courier_unknown"), ("cj", "12-34", "waybill_invalid"), ("epost", "123", "waybill_invalid"),
    ("cj", "", "waybill_missing")])
def test_bad_waybills_are_refused(courier, number, code):
    line = paid_line()
    acknowledge_line(line_id=line.pk, actor=_fulfilment())
    with pytest.raises(OrderError) as error:
        set_waybill(line_id=line.pk, courier_code=courier, waybill_number=number, actor=_fulfilment())
    assert error.value.code == code
    line.refresh_from_db()
    assert line.status == S.PREPARING and line.waybill_number == ""


@pytest.mark.django_db
def test_a_waybill_may_cover_one_orders_lines_but_not_two_orders():
    first, second = paid_line(), paid_line()
    for line in (first, second):
        acknowledge_line(line_id=line.pk, actor=_fulfilment())
    set_waybill(line_id=first.pk, courier_code="cj", waybill_number="1234-5678-9012", actor=_fulfilment())
    with pytest.raises(OrderError) as error:
        set_waybill(line_id=second.pk, courier_code="cj", waybill_number="123456789012", actor=_fulfilment())
    assert error.value.code == "waybill_duplicate"


@pytest.mark.django_db
def test_shipping_tells_the_shopper_with_the_tracking_link():
    line = paid_line()
    acknowledge_line(line_id=line.pk, actor=_fulfilment())
    set_waybill(line_id=line.pk, courier_code="cj", waybill_number="123456789012", actor=_fulfilment())
    mark_shipped(line_id=line.pk, actor=_fulfilment())
    message = OutboxMessage.objects.get(event="line.shipped", channel="email")
    assert "https://trace.cjlogistics.com/next/tracking.html?wblNo=123456789012" in message.body


@pytest.mark.django_db
def test_the_sandbox_tracker_delivers_after_a_day(settings):
    line = paid_line()
    acknowledge_line(line_id=line.pk, actor=_fulfilment())
    set_waybill(line_id=line.pk, courier_code="cj", waybill_number="123456789012", actor=_fulfilment())
    mark_shipped(line_id=line.pk, actor=_fulfilment())
    assert sync_deliveries() == 0
    OrderLine.objects.filter(pk=line.pk).update(shipped_at=timezone.now() - timedelta(hours=25))
    assert sync_deliveries() == 1
    line.refresh_from_db()
    assert line.status == S.DELIVERED and line.delivered_at


@pytest.mark.django_db
def test_purchases_confirm_automatically_seven_days_after_delivery():
    line = paid_line()
    _put_line_in(line, S.DELIVERED)
    OrderLine.objects.filter(pk=line.pk).update(delivered_at=timezone.now() - timedelta(days=6))
    assert auto_confirm_purchases() == 0
    OrderLine.objects.filter(pk=line.pk).update(delivered_at=timezone.now() - timedelta(days=7, minutes=1))
    assert auto_confirm_purchases() == 1
    line.refresh_from_db()
    assert line.status == S.CONFIRMED
    assert "7" in StatusChange.objects.get(object_id=line.pk, to_status=S.CONFIRMED).reason


@pytest.mark.django_db
def test_only_the_buyer_confirms_their_purchase():
    line = paid_line()
    _put_line_in(line, S.DELIVERED)
    with pytest.raises(OrderError):
        confirm_purchase(line_id=line.pk, shopper=UserFactory())
    confirm_purchase(line_id=line.pk, shopper=line.order.user)
    line.refresh_from_db()
    assert line.status == S.CONFIRMED


@pytest.mark.django_db
def test_a_dispatch_delay_moves_the_ship_by_date_and_tells_the_shopper():
    line = paid_line()
    new_date = timezone.localdate() + timedelta(days=5)
    register_delay(line_id=line.pk, new_ship_by=new_date, reason_code="made_to_order", note="주문제작", actor=_cs())
    line.refresh_from_db()
    assert line.ship_by_date == new_date and line.delay_reason == "made_to_order"
    assert OutboxMessage.objects.filter(event="line.delayed").count() == 2
    with pytest.raises(OrderError):
        register_delay(line_id=line.pk, new_ship_by=timezone.localdate(), reason_code="preparing", actor=_cs())


@pytest.mark.django_db
def test_lines_past_their_ship_by_date_are_flagged():
    line = paid_line()
    OrderLine.objects.filter(pk=line.pk).update(ship_by_date=timezone.localdate() - timedelta(days=1))
    line.refresh_from_db()
    assert line.is_delayed


@pytest.mark.django_db
def test_backorder_keeps_the_line_with_an_expected_date():
    line = paid_line()
    expected = timezone.localdate() + timedelta(days=10)
    backorder_line(line_id=line.pk, expected_date=expected, actor=_cs())
    line.refresh_from_db()
    assert line.status == S.PAID and line.backorder_expected_date == expected and line.ship_by_date == expected


@pytest.mark.django_db
def test_a_stock_out_cancel_refunds_exactly_that_lines_share():
    _, (a,) = make_product(price=30000)
    b = make_product(seller=a.product.seller, price=25000)[1][0]
    order = place_order(user=UserFactory(), items=[(a.pk, 1), (b.pk, 1)], delivery=DELIVERY, payment_method="card",
                        discount_amount=5000)
    pay(order)
    line_b = order.lines.get(sku=b)
    cancel_line_for_stock(line_id=line_b.pk, actor=_cs(), reason="재고 없음")
    line_b.refresh_from_db()
    payment = Payment.objects.get(order=order)
    assert line_b.status == S.CANCELLED and line_b.refunded_amount == line_b.paid_amount
    assert payment.cancelled_amount == line_b.paid_amount and payment.status == Payment.Status.PARTIAL_CANCELED
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID  # the other line stays
    with pytest.raises(DomainError):
        cancel_line_for_stock(line_id=line_b.pk, actor=_cs(), reason="twice")
    assert Payment.objects.get(order=order).cancelled_amount == line_b.paid_amount


@pytest.mark.django_db
def test_cancelling_every_line_for_stock_cancels_the_order_in_full():
    line = paid_line()
    cancel_line_for_stock(line_id=line.pk, actor=_cs(), reason="품절")
    order = Order.objects.get(pk=line.order_id)
    assert order.payment_status == Order.PaymentStatus.CANCELLED
    assert Payment.objects.get(order=order).status == Payment.Status.CANCELED
    assert OutboxMessage.objects.filter(event="line.cancelled_for_stock").count() == 2


@pytest.mark.django_db
def test_a_virtual_account_stock_out_needs_the_shoppers_bank_account(django_capture_on_commit_callbacks):
    from orders.payments.sandbox import SandboxPG
    from orders.services import expire_unpaid_orders

    _, (sku,) = make_product()
    order = place_order(user=UserFactory(), items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="virtual_account")
    pg = pay(order)
    with django_capture_on_commit_callbacks(execute=False):
        SandboxPG.deposit(payment_key=pg.payment_key)
    expire_unpaid_orders(now=order.expires_at + timedelta(seconds=1))  # applies the deposit
    line = order.lines.get()
    with pytest.raises(DomainError):
        cancel_line_for_stock(line_id=line.pk, actor=_cs(), reason="품절")
    line.refresh_from_db()
    assert line.status == S.PAID and line.refunded_amount == 0
    cancel_line_for_stock(line_id=line.pk, actor=_cs(), reason="품절",
                          refund_account=RefundAccount(bank_code="004", account_number="1234567890", holder_name="김구매"))
    line.refresh_from_db()
    assert line.status == S.CANCELLED
