"""Affiliates: last click within 24 hours, exclusions, commission accrued on confirmed lines and
reversed for refunded units, monthly statements with the 10,000-won minimum and carry-over."""

import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from marketing.funnel.middleware import VisitState, current_visit
from marketing.funnel.sources import Source
from marketing.models import (
    Affiliate,
    AffiliateCategoryRate,
    AffiliateClick,
    AffiliateCommission,
    AffiliateOrder,
    AffiliateStatement,
)
from marketing.services import affiliates
from orders.models import OrderLine
from orders.services import place_order
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.orders.factories import DELIVERY, make_product
from tests.partners.factories import SellerStaffFactory

pytestmark = pytest.mark.django_db


def approved_affiliate(**fields) -> Affiliate:
    affiliate = affiliates.apply_as_affiliate(user=fields.pop("user", None) or UserFactory(), kind="individual",
                                              name="리뷰왕", bank_name="국민은행", account_number="123-45-6789",
                                              account_holder="김리뷰")
    return affiliates.decide_affiliate(affiliate_id=affiliate.pk, to=Affiliate.Status.APPROVED,
                                       actor=OperatorFactory(groups=["marketing"]))


def click_on(affiliate, *, hours_ago: float = 1):
    link = affiliates.create_link(affiliate=affiliate, target_path="/products/1/")
    _link, click = affiliates.record_click(code=link.code)
    AffiliateClick.objects.filter(pk=click.pk).update(created_at=timezone.now() - timedelta(hours=hours_ago))
    click.refresh_from_db()
    return click


def buy(user, click, *, price=100_000, quantity=2, product=None):
    if product is None:
        product, skus = make_product(price=price, stock=20)
    else:
        skus = list(product.skus.all())
    state = VisitState(visitor_id="v" * 24, session_id="s" * 24, now=time.time(), source=Source(),
                       device="desktop", affiliate_click_id=click.pk if click else None)
    token = current_visit.set(state)
    try:
        return place_order(user=user, items=[(skus[0].pk, quantity)], delivery=DELIVERY, payment_method="card")
    finally:
        current_visit.reset(token)


def confirm(order, *, refunded_quantity=0, refunded_amount=0):
    OrderLine.objects.filter(order=order).update(status=OrderLine.Status.CONFIRMED, confirmed_at=timezone.now(),
                                                 refunded_quantity=refunded_quantity, refunded_amount=refunded_amount)


# --- Attribution ----------------------------------------------------------------------------------

def test_a_click_within_24_hours_claims_the_order():
    affiliate = approved_affiliate()
    order = buy(UserFactory(), click_on(affiliate, hours_ago=23))
    assert AffiliateOrder.objects.get(order=order).affiliate == affiliate


def test_a_click_older_than_24_hours_claims_nothing():
    order = buy(UserFactory(), click_on(approved_affiliate(), hours_ago=25))
    assert not AffiliateOrder.objects.filter(order=order).exists()


def test_self_referral_operators_and_seller_staff_are_excluded():
    affiliate = approved_affiliate()
    own = buy(affiliate.user, click_on(affiliate))
    operator = buy(OperatorFactory(), click_on(affiliate))
    staff_user = SellerStaffFactory().user
    seller_staff = buy(staff_user, click_on(affiliate))
    assert AffiliateOrder.objects.filter(order__in=[own, operator, seller_staff]).count() == 0


def test_a_suspended_affiliate_earns_nothing():
    affiliate = approved_affiliate()
    click = click_on(affiliate)
    affiliates.decide_affiliate(affiliate_id=affiliate.pk, to=Affiliate.Status.SUSPENDED, actor=OperatorFactory())
    buy(UserFactory(), click)
    assert AffiliateOrder.objects.count() == 0


def test_a_business_needs_its_registration_number():
    with pytest.raises(affiliates.AffiliateError):
        affiliates.apply_as_affiliate(user=UserFactory(), kind="business", name="주식회사 리뷰", bank_name="신한",
                                      account_number="1", account_holder="리뷰", business_number="123")
    assert Affiliate.objects.count() == 0


def test_links_only_point_at_this_shop():
    affiliate = approved_affiliate()
    with pytest.raises(affiliates.AffiliateError):
        affiliates.create_link(affiliate=affiliate, target_path="//evil.example/")
    link = affiliates.create_link(affiliate=affiliate, target_path="https://anything.example/products/9/?a=1")
    assert link.target_path == "/products/9/?a=1"


# --- Commission ------------------------------------------------------------------------------------

def test_commission_accrues_only_when_confirmed_then_reverses_for_refunds():
    affiliate = approved_affiliate()
    order = buy(UserFactory(), click_on(affiliate), price=100_000, quantity=2)
    line = order.lines.get()
    goods = line.paid_amount - line.shipping_share_amount
    assert goods == 200_000

    assert affiliates.accrue_commissions() == 0  # paid or not, nothing before purchase confirmation
    confirm(order)
    assert affiliates.accrue_commissions() == 1
    assert affiliates.accrue_commissions() == 0  # idempotent
    assert list(AffiliateCommission.objects.values_list("kind", "units", "base_amount", "commission_amount")) == [
        ("accrual", 2, 200_000, 6_000)]

    # one unit refunded after confirmation (100,000 won back): 3% of it is reversed
    confirm(order, refunded_quantity=1, refunded_amount=100_000)
    affiliates.accrue_commissions()
    rows = list(AffiliateCommission.objects.order_by("id").values_list("kind", "units", "commission_amount"))
    assert rows == [("accrual", 2, 6_000), ("reversal", -1, -3_000)]


def test_category_override_rate():
    affiliate = approved_affiliate()
    product, _skus = make_product(price=50_000, stock=5)
    AffiliateCategoryRate.objects.create(category=product.category, rate_percent=Decimal("5.0"))
    order = buy(UserFactory(), click_on(affiliate), product=product, quantity=1)
    confirm(order)
    affiliates.accrue_commissions()
    assert AffiliateCommission.objects.get().commission_amount == 2_500


def test_a_line_cancelled_before_confirmation_earns_nothing():
    order = buy(UserFactory(), click_on(approved_affiliate()))
    OrderLine.objects.filter(order=order).update(status=OrderLine.Status.CANCELLED, refunded_quantity=2)
    assert affiliates.accrue_commissions() == 0


# --- Statements ------------------------------------------------------------------------------------

def _earn(affiliate, amount, when):
    _product, skus = make_product()
    order = place_order(user=UserFactory(), items=[(skus[0].pk, 1)], delivery=DELIVERY, payment_method="card")
    AffiliateCommission.objects.create(affiliate=affiliate, line=order.lines.get(), kind="accrual", units=1,
                                       base_amount=amount * 100 // 3, rate_percent=Decimal("3.0"),
                                       commission_amount=amount, created_at=when)


def _at(year, month, day):
    return timezone.make_aware(datetime(year, month, day, 12))


def test_statements_carry_small_balances_over_until_the_minimum():
    affiliate = approved_affiliate()
    _earn(affiliate, 6_000, _at(2026, 8, 10))
    _earn(affiliate, 5_000, _at(2026, 9, 3))
    _earn(affiliate, 12_000, _at(2026, 10, 20))

    august = affiliates.close_month(month=date(2026, 8, 1))
    september = affiliates.close_month(month=date(2026, 9, 1))
    october = affiliates.close_month(month=date(2026, 10, 1))
    november = affiliates.close_month(month=date(2026, 11, 1))

    rows = [(s.month, s.carried_in_amount, s.earned_amount, s.total_amount, s.status)
            for s in august + september + october + november]
    assert rows == [
        (date(2026, 8, 1), 0, 6_000, 6_000, "carried"),
        (date(2026, 9, 1), 6_000, 5_000, 11_000, "payable"),
        (date(2026, 10, 1), 0, 12_000, 12_000, "payable"),
    ]
    assert affiliates.close_month(month=date(2026, 9, 1)) == []  # once per month
    assert AffiliateStatement.objects.count() == 3


def test_payout_file_lists_payable_statements_with_bank_accounts():
    affiliate = approved_affiliate()
    small = approved_affiliate(user=UserFactory())
    _earn(affiliate, 15_000, _at(2026, 8, 10))
    _earn(small, 900, _at(2026, 8, 11))
    affiliates.close_month(month=date(2026, 8, 1))

    sheet = load_workbook(BytesIO(affiliates.payout_workbook(month=date(2026, 8, 1)))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2  # header + the one payable statement
    assert rows[1][0] == "리뷰왕" and rows[1][3] == "국민은행" and rows[1][-1] == 15_000
