import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from marketing.discounts import Selection
from marketing.exceptions import CouponError, PointsError
from marketing.models import Coupon, IssuedCoupon, OrderLineDiscount, PointEntry
from marketing.services import coupons as coupon_services
from marketing.services import points
from orders.exceptions import CheckoutError
from orders.models import Order
from orders.services import expire_unpaid_orders, place_order
from orders.services.fulfilment import confirm_purchase
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.marketing.factories import CouponFactory, give_coupon, give_points
from tests.orders.factories import DELIVERY, make_product
from tests.orders.helpers import pay
from tests.partners.factories import SellerFactory

# --- Issuing -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_issue_limits_total_and_per_shopper():
    coupon = CouponFactory(total_limit=2, per_user_limit=1, downloadable=True, valid_days=7)
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    issued = coupon_services.download_coupon(coupon_id=coupon.pk, user=first)
    assert issued.expires_at.date() == (timezone.now() + timedelta(days=7)).date()
    with pytest.raises(CouponError) as error:
        coupon_services.download_coupon(coupon_id=coupon.pk, user=first)
    assert error.value.code == "limit"
    coupon_services.download_coupon(coupon_id=coupon.pk, user=second)
    with pytest.raises(CouponError) as error:
        coupon_services.download_coupon(coupon_id=coupon.pk, user=third)
    assert error.value.code == "sold_out"
    coupon.refresh_from_db()
    assert coupon.issued_count == 2 == IssuedCoupon.objects.count()


@pytest.mark.django_db
def test_paused_and_ended_coupons_are_not_issued_and_codes_work():
    operator = OperatorFactory(groups=["marketing"])
    coupon = CouponFactory(code="WELCOME10")
    coupon_services.change_coupon_status(coupon_id=coupon.pk, to=Coupon.Status.PAUSED, actor=operator)
    with pytest.raises(CouponError):
        coupon_services.redeem_coupon_code(code="welcome10", user=UserFactory())
    coupon_services.change_coupon_status(coupon_id=coupon.pk, to=Coupon.Status.ACTIVE, actor=operator)
    assert coupon_services.redeem_coupon_code(code=" welcome10 ", user=UserFactory()).source == "code"
    with pytest.raises(CouponError):
        coupon_services.redeem_coupon_code(code="NOPE", user=UserFactory())


@pytest.mark.django_db
def test_welcome_and_first_purchase_coupons_are_issued_by_themselves():
    from accounts.services import sign_up

    CouponFactory(auto_issue=Coupon.AutoIssue.SIGN_UP, name="가입 축하")
    CouponFactory(auto_issue=Coupon.AutoIssue.FIRST_PURCHASE, name="첫 구매 감사")
    user = sign_up(email="new@example.com", password="a-Strong-pass-42", name="신규", phone="010-2222-3333",
                   agreed_to_terms=True)
    assert list(IssuedCoupon.objects.filter(user=user).values_list("coupon__name", flat=True)) == ["가입 축하"]
    _, (sku,) = make_product()
    pay(place_order(user=user, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card"))
    _, (sku2,) = make_product()
    pay(place_order(user=user, items=[(sku2.pk, 1)], delivery=DELIVERY, payment_method="card"))
    assert IssuedCoupon.objects.filter(user=user, coupon__name="첫 구매 감사").count() == 1


# --- Checkout with coupons -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_checkout_with_coupons_records_each_lines_discount_and_its_funder():
    shopper = UserFactory()
    seller = SellerFactory()
    _, (a,) = make_product(seller=seller, price=30000)
    _, (b,) = make_product(price=20000)
    product_coupon = give_coupon(shopper, kind="product", discount_value=3000, funder="seller",
                                 funding_seller=seller, seller_share_percent=50)
    cart_coupon = give_coupon(shopper, kind="cart", discount_type="percent", discount_value=10, min_order_amount=40000)
    order = place_order(user=shopper, items=[(a.pk, 1), (b.pk, 1)], delivery=DELIVERY, payment_method="card",
                        coupons=Selection(product=((a.pk, product_coupon.pk),), cart=cart_coupon.pk))
    assert order.discount_amount == 3000 + 4700  # 10% of (27,000 + 20,000)
    lines = {line.sku_id: line for line in order.lines.all()}
    assert sum(line.discount_share_amount for line in lines.values()) == order.discount_amount
    assert sum(line.paid_amount for line in lines.values()) == order.total_amount
    seller_part = OrderLineDiscount.objects.get(line=lines[a.pk], kind="product")
    assert (seller_part.amount, seller_part.seller_amount, seller_part.platform_amount) == (3000, 1500, 1500)
    assert OrderLineDiscount.objects.filter(kind="cart").count() == 2
    assert set(IssuedCoupon.objects.values_list("status", flat=True)) == {"used"}


@pytest.mark.django_db
def test_a_coupon_that_does_not_apply_refuses_the_order_and_changes_nothing():
    shopper = UserFactory()
    _, (sku,) = make_product(price=10000, stock=3)
    issued = give_coupon(shopper, kind="cart", min_order_amount=50000)
    with pytest.raises(CheckoutError):
        place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card",
                    coupons=Selection(cart=issued.pk))
    issued.refresh_from_db()
    sku.refresh_from_db()
    assert issued.status == "available" and sku.stock_quantity == 3 and not Order.objects.exists()


@pytest.mark.django_db
def test_someone_elses_coupon_cannot_be_used():
    _, (sku,) = make_product()
    issued = give_coupon(UserFactory())
    with pytest.raises(CheckoutError):
        place_order(user=UserFactory(), items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card",
                    coupons=Selection(cart=issued.pk))


@pytest.mark.django_db
def test_an_unpaid_order_gives_its_coupons_and_points_back():
    shopper = UserFactory()
    give_points(shopper, 5000)
    _, (sku,) = make_product(price=20000)
    issued = give_coupon(shopper)
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card",
                        coupons=Selection(cart=issued.pk), points_amount=2000)
    assert points.balance(user=shopper) == 3000
    expire_unpaid_orders(now=order.expires_at + timedelta(seconds=1))
    issued.refresh_from_db()
    assert issued.status == "available" and points.balance(user=shopper) == 5000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_cannot_spend_one_coupon_twice():
    shopper = UserFactory()
    _, (sku,) = make_product(stock=10)
    issued = give_coupon(shopper)
    barrier = threading.Barrier(2, timeout=30)

    def checkout(_):
        barrier.wait()
        try:
            place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card",
                        coupons=Selection(cart=issued.pk))
            return "ok"
        except (CouponError, CheckoutError):
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(checkout, range(2)))
    assert results == ["ok", "refused"]
    assert Order.objects.count() == 1
    sku.refresh_from_db()
    assert sku.stock_quantity == 9


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_cannot_spend_the_same_points_twice():
    shopper = UserFactory()
    give_points(shopper, 3000)
    _, (sku,) = make_product(stock=10, price=20000)
    barrier = threading.Barrier(2, timeout=30)

    def checkout(_):
        barrier.wait()
        try:
            place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card", points_amount=2000)
            return "ok"
        except PointsError:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(checkout, range(2)))
    assert results == ["ok", "refused"] and points.balance(user=shopper) == 1000


# --- Points --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("balance", "amount", "code"), [(500, 100, "minimum"), (5000, 105, "unit"),
                                                           (5000, 6000, "balance"), (50000, 20000, "share")])
def test_points_rules_at_checkout(balance, amount, code):
    shopper = UserFactory()
    give_points(shopper, balance)
    _, (sku,) = make_product(price=20000)
    with pytest.raises(PointsError) as error:
        place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card", points_amount=amount)
    assert error.value.code == code
    assert points.balance(user=shopper) == balance


@pytest.mark.django_db
def test_points_are_used_from_the_credit_that_expires_first():
    shopper = UserFactory()
    late = give_points(shopper, 3000, expires_in_days=300)
    soon = give_points(shopper, 2000, expires_in_days=10)
    _, (sku,) = make_product(price=20000)
    place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card", points_amount=2500)
    late.refresh_from_db()
    soon.refresh_from_db()
    assert (soon.remaining, late.remaining) == (0, 2500)
    assert points.balance(user=shopper) == 2500


@pytest.mark.django_db
def test_points_are_earned_at_purchase_confirmation_not_at_payment(settings):
    settings.POINTS_EARN_RATE_PERCENT = 1
    shopper = UserFactory()
    _, (sku,) = make_product(price=25000)
    order = place_order(user=shopper, items=[(sku.pk, 2)], delivery=DELIVERY, payment_method="card")
    pay(order)
    assert points.balance(user=shopper) == 0
    line = order.lines.get()
    type(line).objects.filter(pk=line.pk).update(status="delivered")
    confirm_purchase(line_id=line.pk, shopper=shopper)
    assert points.balance(user=shopper) == 500  # 1% of 50,000 (shipping excluded)
    earned = PointEntry.objects.get(kind="earn")
    assert earned.line_id == line.pk and earned.expires_at > timezone.now() + timedelta(days=300)


@pytest.mark.django_db
def test_a_products_own_rate_wins(settings):
    shopper = UserFactory()
    product, (sku,) = make_product(price=10000)
    type(product).objects.filter(pk=product.pk).update(points_rate_percent="5.0")
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(order)
    line = order.lines.get()
    type(line).objects.filter(pk=line.pk).update(status="delivered")
    confirm_purchase(line_id=line.pk, shopper=shopper)
    assert points.balance(user=shopper) == 500


@pytest.mark.django_db
def test_points_expire_oldest_first():
    shopper = UserFactory()
    give_points(shopper, 1000, expires_in_days=-2)
    give_points(shopper, 2000, expires_in_days=-1)
    keep = give_points(shopper, 4000, expires_in_days=30)
    assert points.expire_points() == 2
    assert points.balance(user=shopper) == 4000
    expired = list(PointEntry.objects.filter(kind="expire").order_by("id").values_list("amount", flat=True))
    assert expired == [-1000, -2000]
    keep.refresh_from_db()
    assert keep.remaining == 4000
    assert points.expire_points() == 0


@pytest.mark.django_db
def test_points_restored_by_a_claim_and_clawed_back_on_a_return():
    shopper = UserFactory()
    _, (sku,) = make_product(price=50000)
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(order)
    line = order.lines.get()
    type(line).objects.filter(pk=line.pk).update(status="delivered")
    confirm_purchase(line_id=line.pk, shopper=shopper)
    assert points.balance(user=shopper) == 500
    points.restore_points(user=shopper, amount=1200, order=order, line=line, reason="claim refund")
    assert points.balance(user=shopper) == 1700
    shortfall = points.clawback_points_for_line(line=line)
    assert shortfall == 0 and points.balance(user=shopper) == 1200
    assert points.clawback_points_for_line(line=line) == 0  # once
    assert points.balance(user=shopper) == 1200


@pytest.mark.django_db
def test_a_clawback_of_points_already_spent_reports_the_shortfall():
    shopper = UserFactory()
    _, (sku,) = make_product(price=200000)
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(order)
    line = order.lines.get()
    type(line).objects.filter(pk=line.pk).update(status="delivered")
    confirm_purchase(line_id=line.pk, shopper=shopper)  # earns 2,000
    _, (other,) = make_product(price=20000)
    place_order(user=shopper, items=[(other.pk, 1)], delivery=DELIVERY, payment_method="card", points_amount=1500)
    assert points.clawback_points_for_line(line=line) == 1500
    assert points.balance(user=shopper) == 0


@pytest.mark.django_db
def test_operators_grant_and_deduct_with_a_reason():
    shopper = UserFactory()
    marketer = OperatorFactory(groups=["marketing"])
    points.adjust_points(user=shopper, amount=3000, reason="이벤트 당첨", actor=marketer)
    points.adjust_points(user=shopper, amount=-1000, reason="오지급 회수", actor=marketer)
    assert points.balance(user=shopper) == 2000
    with pytest.raises(PointsError):
        points.adjust_points(user=shopper, amount=-5000, reason="too much", actor=marketer)
    with pytest.raises(PointsError):
        points.adjust_points(user=shopper, amount=100, reason=" ", actor=marketer)
    with pytest.raises(PointsError):
        points.adjust_points(user=shopper, amount=100, reason="x", actor=OperatorFactory(groups=["cs"]))
    assert points.balance(user=shopper) == 2000
