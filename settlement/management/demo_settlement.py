"""Demo settlement history for `seed_demo`: two months of weekly closes for the demo sellers, with
paid, closed (awaiting payout) and held statements, a return, a stock-out cancel and a negative
balance carried over. Built through the real services (orders placed and paid through the sandbox
PG, lines confirmed, periods closed), then the confirmation dates are moved into the past weeks.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

WEEKS = 9


def seed_settlement_history(*, operator, stdout=None) -> None:
    from accounts.models import User
    from catalog.models import SKU, Product
    from orders.models import OrderLine
    from orders.payments.sandbox import SandboxPG
    from orders.services import Delivery, confirm_payment, place_order
    from orders.services.fulfilment import cancel_line_for_stock
    from partners.models import SellerStaff
    from settlement.models import PeriodClose, SettlementAdjustment, Statement
    from settlement.services import (
        add_adjustment,
        close_settlement_period,
        hold_settlement,
        mark_statement_failed,
        mark_statement_paid,
        period_of,
    )

    if PeriodClose.objects.exists():
        return
    seller_ids = list(SellerStaff.objects.filter(user__email__in=["seller1@example.com", "seller2@example.com"])
                      .values_list("seller_id", flat=True).distinct())
    skus = list(SKU.objects.filter(product__seller_id__in=seller_ids, product__status=Product.Status.ON_SALE,
                                   stock_quantity__gte=30, is_active=True).select_related("product").order_by("pk"))
    by_seller = {}
    for sku in skus:
        by_seller.setdefault(sku.product.seller_id, []).append(sku)
    if len(by_seller) < 2:
        return
    buyer = User.objects.filter(email="buyer@example.com").first() or User.objects.create_user(
        "buyer@example.com", None, name="이정산", phone="010-3456-7890")
    delivery = Delivery(recipient="이정산", phone="010-3456-7890", postcode="04524", address1="서울특별시 중구 세종대로 110")

    def paid_order(items):
        order = place_order(user=buyer, items=items, delivery=delivery, payment_method="card")
        window = {"order_id": order.number, "order_name": "데모", "amount": order.total_amount, "method": "card",
                  "success_url": "", "fail_url": "", "customer_name": "이정산", "webhook_url": ""}
        pg = SandboxPG.authorize(window=window, card_company="국민카드")
        confirm_payment(order_number=order.number, payment_key=pg.payment_key, amount=order.total_amount, user=buyer)
        return order

    today = timezone.localdate()
    this_week = period_of(today, "weekly")[0]
    weeks = [this_week - timedelta(days=7 * back) for back in range(WEEKS, 0, -1)]
    (first_seller, first_skus), (second_seller, second_skus) = list(by_seller.items())[:2]
    lines_by_week = {week: [] for week in weeks}
    for index, week in enumerate(weeks):
        for sellers_skus in (first_skus, second_skus):
            for number in range(2):
                sku = sellers_skus[(index * 2 + number) % len(sellers_skus)]
                order = paid_order([(sku.pk, 1 + (index + number) % 3)])
                lines_by_week[week].extend(order.lines.all())
    # A stock-out cancel (settles as zero) and a confirmed line of this (open) week.
    cancelled = paid_order([(second_skus[0].pk, 1)])
    cancel_line_for_stock(line_id=cancelled.lines.get().pk, actor=operator, reason="재고 부족")
    open_order = paid_order([(first_skus[0].pk, 2)])
    seoul = timezone.get_current_timezone()
    for week, lines in lines_by_week.items():
        for offset, line in enumerate(lines):
            when = datetime.combine(week + timedelta(days=offset % 5), time(14), tzinfo=seoul)
            OrderLine.objects.filter(pk=line.pk).update(status=OrderLine.Status.CONFIRMED, confirmed_at=when,
                                                        delivered_at=when - timedelta(days=3))
    OrderLine.objects.filter(order=open_order).update(status=OrderLine.Status.CONFIRMED, confirmed_at=timezone.now(),
                                                      delivered_at=timezone.now() - timedelta(days=3))
    # A disputed line of the second seller stays held; a claim-cost adjustment makes one week negative.
    hold_settlement(seller=second_seller_obj(second_seller), order_line=lines_by_week[weeks[-2]][-1], actor=operator,
                    reason="구매자 분쟁: 파손 사진 확인 중")
    for index, week in enumerate(weeks):
        if index == WEEKS - 4:
            adjustment = add_adjustment(seller=second_seller_obj(second_seller), actor=operator, amount=-250000,
                                        reason="택배 분실 보상 판매자 부담분")
            # Recorded during that week (demo history), so that week's close books it.
            SettlementAdjustment.objects.filter(pk=adjustment.pk).update(
                created_at=datetime.combine(week + timedelta(days=3), time(11), tzinfo=seoul))
        close_settlement_period(cycle="weekly", period_start=week, actor=operator,
                                now=datetime.combine(week + timedelta(days=8), time(10), tzinfo=seoul))
    # Everything older than three weeks is paid; one transfer bounced; the last weeks wait.
    for statement in Statement.objects.filter(period_end__lt=this_week - timedelta(days=21)).order_by("pk"):
        if statement.period_start == weeks[1] and statement.seller_id == first_seller:
            mark_statement_failed(statement_id=statement.pk, actor=operator, reason="예금주 불일치")
        elif statement.entries.exists():
            mark_statement_paid(statement_id=statement.pk, actor=operator)
    if stdout:
        stdout.write(f"Settlement: {Statement.objects.count()} statements over {WEEKS} weeks "
                     f"({Statement.objects.filter(status='paid').count()} paid).")


def second_seller_obj(seller_id):
    from partners.models import Seller

    return Seller.objects.get(pk=seller_id)
