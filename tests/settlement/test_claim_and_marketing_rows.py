"""The ledger's claim rows come from what claims recorded per claim line; the exchange fee, the
seller-funded review reward and the affiliate fee of a seller in the program are rows of their own;
`reconcile` balances over all of them (issues 9, 11, 12, 13).

Every expected figure is worked out by hand in the comments, from DOMAIN.md and the issues: the
commission is 10 % of the items (rounded down), the return fee 3,000 unless said, coupons are
platform-funded (the factories' default), the affiliate rate 3 %.
"""

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.db.models import Sum
from django.utils import timezone

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
from marketing.funnel.middleware import VisitState, current_visit
from marketing.funnel.sources import Source
from marketing.models import AffiliateCommission, AffiliateOrder, Review, ReviewRewardOptIn
from marketing.services import affiliates, reviews
from orders.models import OrderLine
from orders.payments.sandbox import SandboxPG
from orders.services import place_order
from partners.models import ShippingPolicy
from settlement.models import LedgerEntry, Statement
from settlement.reconcile import reconcile
from settlement.services import close_settlement_period, period_of
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.marketing.factories import give_coupon
from tests.orders.factories import DELIVERY, make_product
from tests.partners.factories import SellerFactory

from .helpers import at, confirm, deliver, paid_order

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def ten_percent(settings):
    settings.SETTLEMENT_DEFAULT_COMMISSION_RATE = "10"


def weeks():
    """(last Monday but one, last Monday, this Monday): closes use `now=` a day after the period."""
    this_week = period_of(timezone.localdate(), "weekly")[0]
    return this_week - timedelta(days=7), this_week


def close(week_start):
    return close_settlement_period(cycle="weekly", period_start=week_start, now=at(week_start + timedelta(days=8)))


def booked(line, statement=None) -> dict:
    """The ledger rows of a line by kind (optionally only those of one statement)."""
    rows = LedgerEntry.objects.filter(order_line=line)
    if statement is not None:
        rows = rows.filter(statement=statement)
    return dict(rows.values_list("kind").annotate(t=Sum("amount")).values_list("kind", "t"))


def equation(report, key):
    return next(item for item in report.equations if item.key == key)


def reconciled():
    today = timezone.localdate()
    report = reconcile(date_from=today - timedelta(days=30), date_to=today + timedelta(days=1))
    assert report.balances, [(e.key, e.left, e.right, e.differing[:3]) for e in report.equations]
    return report


def set_fees(seller, *, return_fee, exchange_fee=6000):
    # Before the order is placed: the fees are snapshotted on the order's bundle.
    ShippingPolicy.objects.filter(seller=seller).update(return_fee_amount=return_fee, exchange_fee_amount=exchange_fee)


def take_back(claim, operator):
    for step in (approve_claim, start_pickup, complete_pickup, refund_return):
        step(claim_id=claim.pk, actor=operator)
    claim.refresh_from_db()
    return claim


def test_a_partial_return_with_a_shipping_coupon_books_the_return_fee_and_only_the_kept_unit():
    """Issue 9 point 8's order: 3 × 7,900 = 23,700 items, product coupon 1,185, cart share 2,251, shipping
    3,500 less a 3,000 shipping coupon, 20,764 paid. 2 of 3 go back (change of mind, seller collects)."""
    shopper, operator = UserFactory(), OperatorFactory(groups=["cs"])
    _, (sku,) = make_product(price=7900, stock=10, fee=3500, free_threshold=1000000)
    set_fees(sku.product.seller, return_fee=3500)
    order = paid_order([(sku.pk, 3)], shopper=shopper, coupons=Selection(
        product=((sku.pk, give_coupon(shopper, kind="product", discount_type="percent", discount_value=5).pk),),
        cart=give_coupon(shopper, kind="cart", discount_type="percent", discount_value=10).pk,
        shipping=give_coupon(shopper, kind="shipping", discount_value=3000).pk))
    line = order.lines.get()
    assert (line.items_amount, line.shipping_share_amount, line.paid_amount) == (23700, 3500, 20764)
    deliver(order)
    claim = take_back(request_claim(order=order, claim_type=Claim.Type.RETURN, items=[(line.pk, 2)],
                                    reason_code="change_of_mind", requested_by=shopper,
                                    pickup_method="seller_collects"), operator)
    complete_claim(claim_id=claim.pk, actor=operator)
    # Claims recorded 13,509 gross (20,264 item cash × 2/3), 3,500 return fee, 10,009 by PG.
    assert (claim.lines.get().gross_amount, claim.lines.get().return_fee_amount, claim.refund_amount) == (
        13509, 3500, 10009)
    last_week, this_week = weeks()
    confirm(line, on=last_week + timedelta(days=2))
    close(last_week)
    # Sale 23,700 and shipping 3,500 (the platform's coupons are not the seller's); commission 10 % of
    # 23,700 = 2,370; two units back: −2 × 7,900 = −15,800 and 2,370 − ⌊2,370 × 1/3⌋ = 1,580 of commission;
    # the shipping stays paid (one unit kept, shopper's fault); the 3,500 return fee is the seller's.
    assert booked(line) == {"sale": 23700, "shipping": 3500, "commission": -2370, "claim_sale": -15800,
                            "claim_commission": 1580, "claim_fee": 3500}
    # = 7,900 − 790 for the kept unit + 3,500 shipping + 3,500 return fee.
    assert sum(booked(line).values()) == 14110
    settled = equation(reconciled(), "settled")
    # Right side: 20,764 paid − 13,509 refunded before deductions + 3,500 kept by the seller + the platform's
    # coupons on what was kept: 3,000 shipping coupon + (7,900 − (20,264 − 13,509)) = 4,145. Left: the ledger
    # 14,110 + the commission kept 790.
    assert dict(settled.right_terms)["platform-funded discounts"] == 4145
    assert dict(settled.right_terms)["deductions kept by sellers (return fee, shipping, damage)"] == 3500
    assert settled.left == settled.right == 14900


def test_a_two_seller_return_gives_each_seller_its_own_return_fee():
    shopper, operator = UserFactory(), OperatorFactory(groups=["cs"])
    _, (sku_a,) = make_product(price=20000, stock=5, fee=3000, free_threshold=1000000)
    _, (sku_b,) = make_product(price=10000, stock=5, fee=2500, free_threshold=1000000)
    set_fees(sku_a.product.seller, return_fee=3000)
    set_fees(sku_b.product.seller, return_fee=2500)
    order = paid_order([(sku_a.pk, 1), (sku_b.pk, 1)], shopper=shopper)
    line_a, line_b = order.lines.get(sku=sku_a), order.lines.get(sku=sku_b)
    deliver(order)
    claim = take_back(request_claim(order=order, claim_type=Claim.Type.RETURN, items=[(line_a.pk, 1), (line_b.pk, 1)],
                                    reason_code="change_of_mind", requested_by=shopper,
                                    pickup_method="seller_collects"), operator)
    # Each bundle's fee off its own line: A 20,000 − 3,000, B 10,000 − 2,500; 24,500 by PG.
    fees = dict(claim.lines.values_list("order_line_id", "return_fee_amount"))
    assert fees == {line_a.pk: 3000, line_b.pk: 2500} and claim.refund_amount == 24500
    complete_claim(claim_id=claim.pk, actor=operator)
    last_week, this_week = weeks()
    close(this_week)
    # Both lines went back whole: sale and commission reversed; the shipping each seller charged stays
    # (shopper's fault); each keeps its own return fee.
    assert booked(line_a) == {"sale": 20000, "shipping": 3000, "commission": -2000, "claim_sale": -20000,
                              "claim_commission": 2000, "claim_fee": 3000}
    assert booked(line_b) == {"sale": 10000, "shipping": 2500, "commission": -1000, "claim_sale": -10000,
                              "claim_commission": 1000, "claim_fee": 2500}
    totals = dict(Statement.objects.values_list("seller_id").annotate(t=Sum("entries__amount"))
                  .values_list("seller_id", "t"))
    assert totals == {sku_a.product.seller_id: 6000, sku_b.product.seller_id: 5000}
    reconciled()


def _pay_fee_in_the_window(claim, shopper):
    url = start_exchange_fee_payment(claim_id=claim.pk, shopper=shopper, success_url="/ok", fail_url="/fail")
    window = SandboxPG.read_window_token(parse_qs(urlparse(url).query)["token"][0])
    pg = SandboxPG.authorize(window=window)
    return confirm_exchange_fee_payment(pg_order_id=window["order_id"], payment_key=pg.payment_key,
                                        amount=window["amount"], shopper=shopper)


def test_an_exchange_fee_paid_through_the_pg_is_kept_by_each_seller_of_the_exchange():
    shopper, operator = UserFactory(), OperatorFactory(groups=["cs"])
    _, (sku_a,) = make_product(price=20000, stock=5, fee=3000, free_threshold=1000000)
    _, (sku_b,) = make_product(price=10000, stock=5, fee=2500, free_threshold=1000000)
    set_fees(sku_a.product.seller, return_fee=3000, exchange_fee=6000)
    set_fees(sku_b.product.seller, return_fee=2500, exchange_fee=5000)
    order = paid_order([(sku_a.pk, 1), (sku_b.pk, 1)], shopper=shopper)
    line_a, line_b = order.lines.get(sku=sku_a), order.lines.get(sku=sku_b)
    deliver(order)
    claim = request_claim(order=order, claim_type=Claim.Type.EXCHANGE, items=[(line_a.pk, 1), (line_b.pk, 1)],
                          reason_code="wrong_option", requested_by=shopper, pickup_method="seller_collects",
                          replacements={line_a.pk: sku_a.pk, line_b.pk: sku_b.pk})
    # One fee per seller bundle (6,000 + 5,000), each on its seller's line.
    assert claim.exchange_fee_amount == 11000
    assert dict(claim.lines.values_list("order_line_id", "exchange_fee_amount")) == {line_a.pk: 6000,
                                                                                    line_b.pk: 5000}
    for step in (approve_claim, start_pickup, complete_pickup):
        step(claim_id=claim.pk, actor=operator)
    claim = _pay_fee_in_the_window(claim, shopper)
    assert ClaimPayment.objects.get(claim=claim).status == "done"
    ship_replacement(claim_id=claim.pk, actor=operator, courier_code="cj", waybill_number="444455556666")
    complete_claim(claim_id=claim.pk, actor=operator)
    line_a.refresh_from_db()
    assert line_a.status == OrderLine.Status.EXCHANGED
    _, this_week = weeks()
    close(this_week)
    # Nothing refunded: the sale stands; each seller keeps its part of the fee the shopper paid by PG.
    assert booked(line_a) == {"sale": 20000, "shipping": 3000, "commission": -2000, "exchange_fee": 6000}
    assert booked(line_b) == {"sale": 10000, "shipping": 2500, "commission": -1000, "exchange_fee": 5000}
    report = reconciled()
    assert equation(report, "exchange_fees").left == 11000  # the PG extra payment = the claim lines' fees
    settled = equation(report, "settled")
    # Left: ledger 27,000 (A: 20,000 + 3,000 − 2,000 + 6,000) + 16,500 (B: 10,000 + 2,500 − 1,000 + 5,000)
    # + commission 3,000 = 46,500. Right: 35,500 paid (20,000 + 3,000 + 10,000 + 2,500) + 11,000 of fees.
    assert dict(settled.right_terms)["exchange fees paid through the PG"] == 11000
    assert settled.left == settled.right == 46500


def test_an_exchange_whose_fee_was_given_back_books_no_fee():
    """The exchange became a return: the paid fee went back (claims), so no exchange fee row; the return's
    own fee is kept instead."""
    shopper, operator = UserFactory(), OperatorFactory(groups=["cs"])
    _, (sku,) = make_product(price=20000, stock=5, fee=3000, free_threshold=1000000)
    order = paid_order([(sku.pk, 1)], shopper=shopper)
    line = order.lines.get()
    deliver(order)
    claim = request_claim(order=order, claim_type=Claim.Type.EXCHANGE, items=[(line.pk, 1)],
                          reason_code="wrong_option", requested_by=shopper, pickup_method="seller_collects",
                          replacements={line.pk: sku.pk})
    claim = _pay_fee_in_the_window(claim, shopper)
    from claims.services import convert_claim
    from claims.services.fees import cancel_fee_payments

    new = convert_claim(claim_id=claim.pk, actor=shopper)
    cancel_fee_payments(claim_id=claim.pk, reason="converted")
    take_back(new, operator)
    complete_claim(claim_id=new.pk, actor=operator)
    close(weeks()[1])
    assert booked(line) == {"sale": 20000, "shipping": 3000, "commission": -2000, "claim_sale": -20000,
                            "claim_commission": 2000, "claim_fee": 3000}
    reconciled()


def test_a_seller_funded_review_reward_is_charged_and_given_back_when_the_line_is_returned(settings):
    settings.REVIEW_REWARD_TEXT_AMOUNT = 1000
    shopper, operator = UserFactory(), OperatorFactory(groups=["cs"])
    _, (sku,) = make_product(price=20000, stock=5, fee=3000, free_threshold=1000000)
    ReviewRewardOptIn.objects.create(seller=sku.product.seller)
    order = paid_order([(sku.pk, 1)], shopper=shopper)
    line = order.lines.get()
    deliver(order)
    last_week, this_week = weeks()
    confirm(line, on=last_week + timedelta(days=2))
    review = reviews.write_review(line_id=line.pk, user=shopper, rating=5, body="판매자가 적립금을 줍니다")
    assert review.reward_funder == Review.Funder.SELLER
    close(last_week)  # the review came after that week: the line's own money only
    assert booked(line) == {"sale": 20000, "shipping": 3000, "commission": -2000}
    close(this_week)
    this_statement = Statement.objects.get(period_start=this_week)
    assert booked(line, this_statement) == {"review_reward": -1000}  # the 1,000 points the seller funds
    # A defect found after confirmation: CS reopens the line and takes it back (seller's fault), as in the
    # marketing tests; the reward is taken back by the beat job.
    OrderLine.objects.filter(pk=line.pk).update(status=OrderLine.Status.DELIVERED, confirmed_at=None)
    take_back(request_claim(order=order, claim_type=Claim.Type.RETURN, items=[(line.pk, 1)], reason_code="defective",
                            requested_by=shopper, pickup_method="seller_collects"), operator)
    assert reviews.revoke_rewards_of_returned_lines() == 1
    close(this_week + timedelta(days=7))
    next_statement = Statement.objects.get(period_start=this_week + timedelta(days=7))
    # Sale and commission reversed; the seller's fault gives the 3,000 shipping back; the reward comes back.
    assert booked(line, next_statement) == {"claim_sale": -20000, "claim_commission": 2000, "claim_shipping": -3000,
                                            "review_reward": 1000}
    assert booked(line)["review_reward"] == 0
    marketing = equation(reconciled(), "marketing")
    assert marketing.left == marketing.right == 0  # the reward was taken back: nobody bears it


def test_a_platform_funded_review_reward_is_not_the_sellers_money(settings):
    settings.REVIEW_REWARD_TEXT_AMOUNT = 1000
    shopper = UserFactory()
    _, (sku,) = make_product(price=20000, stock=5, fee=3000, free_threshold=1000000)
    order = paid_order([(sku.pk, 1)], shopper=shopper)
    line = order.lines.get()
    deliver(order)
    last_week, this_week = weeks()
    confirm(line, on=last_week + timedelta(days=2))
    reviews.write_review(line_id=line.pk, user=shopper, rating=4, body="플랫폼이 적립금을 줍니다")
    close(this_week)
    assert booked(line) == {"sale": 20000, "shipping": 3000, "commission": -2000}
    marketing = equation(reconciled(), "marketing")
    assert dict(marketing.right_terms)["review rewards borne by the platform"] == 1000
    assert marketing.left == marketing.right == 1000


def _attributed_order(shopper, skus_and_units):
    """An order placed within 24 hours of a click on an approved affiliate's link (the real attribution)."""
    from tests.marketing.test_affiliates import approved_affiliate, click_on

    click = click_on(approved_affiliate())
    state = VisitState(visitor_id="v" * 24, session_id="s" * 24, now=time.time(), source=Source(),
                       device="desktop", affiliate_click_id=click.pk)
    token = current_visit.set(state)
    try:
        order = place_order(user=shopper, items=skus_and_units, delivery=DELIVERY, payment_method="card")
    finally:
        current_visit.reset(token)
    from tests.orders.helpers import pay

    pay(order)
    assert AffiliateOrder.objects.filter(order=order).exists()
    return order


def test_the_affiliate_fee_is_the_sellers_in_the_program_and_the_platforms_otherwise():
    shopper, operator = UserFactory(), OperatorFactory(groups=["cs"])
    member, outsider = SellerFactory(), SellerFactory()
    _, (sku_a,) = make_product(price=10000, stock=5, seller=member)
    _, (sku_b,) = make_product(price=10000, stock=5, seller=outsider)
    affiliates.join_affiliate_program(seller=member)
    order = _attributed_order(shopper, [(sku_a.pk, 2), (sku_b.pk, 1)])
    line_a, line_b = order.lines.get(sku=sku_a), order.lines.get(sku=sku_b)
    deliver(order)
    last_week, this_week = weeks()
    confirm(line_a, on=last_week + timedelta(days=2))
    confirm(line_b, on=last_week + timedelta(days=2))
    affiliates.accrue_commissions(now=at(last_week + timedelta(days=3)))
    # 3 % of the goods paid: 20,000 → 600 (member's line), 10,000 → 300 (outsider's line).
    assert AffiliateCommission.objects.get(line=line_a).commission_amount == 600
    close(last_week)
    assert booked(line_a) == {"sale": 20000, "shipping": 3000, "commission": -2000, "affiliate_fee": -600}
    assert booked(line_b) == {"sale": 10000, "shipping": 3000, "commission": -1000}  # the platform pays 300
    # One unit of the member's line turns out defective: CS reopens it and takes it back; the commission
    # on that unit is reversed (base 20,000 − 10,000 → 300), and so is the seller's fee.
    OrderLine.objects.filter(pk=line_a.pk).update(status=OrderLine.Status.DELIVERED, confirmed_at=None)
    take_back(request_claim(order=order, claim_type=Claim.Type.RETURN, items=[(line_a.pk, 1)],
                            reason_code="defective", requested_by=shopper, pickup_method="seller_collects"), operator)
    OrderLine.objects.filter(pk=line_a.pk).update(status=OrderLine.Status.CONFIRMED,
                                                  confirmed_at=at(this_week + timedelta(days=1)))
    affiliates.accrue_commissions()
    assert AffiliateCommission.objects.filter(line=line_a).aggregate(t=Sum("commission_amount"))["t"] == 300
    close(this_week)
    this_statement = Statement.objects.get(period_start=this_week)
    # One unit back (a unit kept, so the shipping stays): −10,000 sale, +1,000 commission, +300 fee back.
    assert booked(line_a, this_statement) == {"claim_sale": -10000, "claim_commission": 1000, "affiliate_fee": 300}
    marketing = equation(reconciled(), "marketing")
    terms = dict(marketing.right_terms)
    assert terms["affiliate fees charged to sellers"] == 300 and terms["affiliate fees borne by the platform"] == 300
    assert marketing.left == marketing.right == 600


def test_a_return_fee_a_seller_keeps_is_its_own_even_when_it_is_the_second_line_of_the_claim():
    """The fee used to go to the claim's first line: here the only seller charging one is the second."""
    shopper, operator = UserFactory(), OperatorFactory(groups=["cs"])
    _, (sku_a,) = make_product(price=20000, stock=5, fee=3000, free_threshold=1000000)
    _, (sku_b,) = make_product(price=10000, stock=5, fee=2500, free_threshold=1000000)
    set_fees(sku_a.product.seller, return_fee=0)
    set_fees(sku_b.product.seller, return_fee=2500)
    order = paid_order([(sku_a.pk, 1), (sku_b.pk, 1)], shopper=shopper)
    line_a, line_b = order.lines.get(sku=sku_a), order.lines.get(sku=sku_b)
    assert line_a.pk < line_b.pk
    deliver(order)
    claim = take_back(request_claim(order=order, claim_type=Claim.Type.RETURN, items=[(line_a.pk, 1), (line_b.pk, 1)],
                                    reason_code="change_of_mind", requested_by=shopper,
                                    pickup_method="seller_collects"), operator)
    complete_claim(claim_id=claim.pk, actor=operator)
    close(weeks()[1])
    assert "claim_fee" not in booked(line_a) and booked(line_b)["claim_fee"] == 2500
    reconciled()
