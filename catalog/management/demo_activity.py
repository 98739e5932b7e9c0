"""Demo activity on top of the demo catalog: coupons, points and orders in every state, all made
through the services, so the console, my page and the claims screens have something to show."""

from datetime import timedelta

from django.utils import timezone


def seed_activity(*, shopper, operator, stdout=None) -> None:
    from catalog.models import SKU, Product
    from marketing.models import Coupon
    from marketing.services.coupons import issue_coupon
    from marketing.services.points import adjust_points
    from orders.payments.sandbox import SandboxPG, shop_webhook_path
    from orders.services import Delivery, confirm_payment, place_order
    from orders.services.fulfilment import acknowledge_line, mark_delivered, mark_shipped, set_waybill

    if Coupon.objects.exists():
        return
    now = timezone.now()
    coupons = [
        Coupon.objects.create(name="[웰컴] 첫 주문 10% 할인 (최대 1만원)", kind="cart", discount_type="percent",
                              discount_value=10, max_discount_amount=10000, valid_days=30, auto_issue="sign_up",
                              downloadable=True),
        Coupon.objects.create(name="3만원 이상 3,000원 할인", kind="cart", discount_type="amount", discount_value=3000,
                              min_order_amount=30000, valid_until=now + timedelta(days=60), downloadable=True,
                              code="MARKETON3000"),
        Coupon.objects.create(name="상품 5% 할인 쿠폰", kind="product", discount_type="percent", discount_value=5,
                              max_discount_amount=5000, valid_days=14, downloadable=True),
        Coupon.objects.create(name="무료배송 쿠폰", kind="shipping", discount_type="amount", discount_value=3000,
                              valid_days=30, downloadable=True),
    ]
    for coupon in coupons:
        issue_coupon(coupon_id=coupon.pk, user=shopper, source="operator")
    adjust_points(user=shopper, amount=5000, reason="가입 축하 적립금", actor=operator)

    skus = list(SKU.objects.filter(product__status=Product.Status.ON_SALE, stock_quantity__gte=5, is_active=True,
                                   product__seller__status="active").select_related("product")[:12])
    if len(skus) < 6:
        return
    delivery = Delivery(recipient="김민지", phone="010-2345-6789", postcode="06236",
                        address1="서울특별시 강남구 테헤란로 152", address2="101동 1203호", request="문 앞에 놓아 주세요")

    def pay(order, **authorize):
        window = {"order_id": order.number, "order_name": "데모", "amount": order.total_amount,
                  "method": order.payment_method, "success_url": "", "fail_url": "", "customer_name": "김민지",
                  "webhook_url": shop_webhook_path()}  # resolved against SITE_URL when a callback is sent
        pg = SandboxPG.authorize(window=window, **authorize)
        confirm_payment(order_number=order.number, payment_key=pg.payment_key, amount=order.total_amount,
                        user=shopper)
        order.refresh_from_db()
        return order

    paid = pay(place_order(user=shopper, items=[(skus[0].pk, 1), (skus[1].pk, 2)], delivery=delivery,
                           payment_method="card"), card_company="신한카드")
    preparing = pay(place_order(user=shopper, items=[(skus[2].pk, 1)], delivery=delivery, payment_method="kakao_pay"))
    shipped = pay(place_order(user=shopper, items=[(skus[3].pk, 1)], delivery=delivery, payment_method="card"),
                  card_company="현대카드")
    delivered = pay(place_order(user=shopper, items=[(skus[4].pk, 1), (skus[5].pk, 1)], delivery=delivery,
                                payment_method="naver_pay"))
    pay(place_order(user=shopper, items=[(skus[6 % len(skus)].pk, 1)], delivery=delivery,
                    payment_method="virtual_account"), bank_code="088")
    for order in (preparing, shipped, delivered):
        for line in order.lines.all():
            acknowledge_line(line_id=line.pk, actor=operator)
    for number, order in enumerate((shipped, delivered), start=1):
        for line in order.lines.all():
            set_waybill(line_id=line.pk, courier_code="cj", waybill_number=f"6{number:03d}{line.pk:08d}", actor=operator)
            mark_shipped(line_id=line.pk, actor=operator)
    for line in delivered.lines.all():
        mark_delivered(line_id=line.pk, actor=operator)
    del paid
    _deposit_after_cancel(shopper, skus[7 % len(skus)], delivery, pay)
    if stdout is not None:
        stdout.write("Demo activity: 4 coupons, 5,000 points and 6 orders (paid, preparing, shipping, delivered, "
                     "awaiting deposit, a deposit after expiry) for shopper@example.com")


def _deposit_after_cancel(shopper, sku, delivery, pay) -> None:
    """A virtual-account order that expired unpaid, into which the money arrived anyway (the deposit crossed
    the deadline): it waits in the console's 취소 후 입금 환불 list for the shopper's refund account."""
    from django.utils import timezone

    from orders.models import Order, PaymentEvent
    from orders.payments.sandbox import SandboxPG
    from orders.services import place_order
    from orders.services.payments import expire_unpaid_orders, process_payment_event

    order = pay(place_order(user=shopper, items=[(sku.pk, 1)], delivery=delivery, payment_method="virtual_account"),
                bank_code="004")
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timezone.timedelta(minutes=1))
    expire_unpaid_orders()  # only this one is past its deadline
    SandboxPG.deposit(payment_key=order.payment.payment_key)
    event = PaymentEvent.objects.create(gateway="sandbox", event_id=f"demo-deposit-{order.payment.payment_key}",
                                        event_type="DEPOSIT_CALLBACK", payment_key=order.payment.payment_key,
                                        order_number=order.number, payload={})
    process_payment_event(event_id=event.pk)
