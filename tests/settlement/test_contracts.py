"""Commission rules: the most specific rule in force wins (issue 11), written as independent cases."""

from datetime import date
from decimal import Decimal

import pytest

from settlement.models import CommissionRule
from settlement.services import commission_rate_for, set_seller_contract
from tests.accounts.factories import UserFactory
from tests.catalog.factories import CategoryFactory
from tests.partners.factories import SellerFactory

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 2)


def test_most_specific_rule_in_force_wins(settings):
    settings.SETTLEMENT_DEFAULT_COMMISSION_RATE = "10"
    seller, other = SellerFactory(), SellerFactory()
    fashion = CategoryFactory()
    knit = CategoryFactory(parent=fashion)
    food = CategoryFactory()
    operator = UserFactory(is_staff=True)

    assert commission_rate_for(seller_id=seller.pk, category_path=knit.path, on=DAY)[1] == Decimal("10")
    CommissionRule.objects.create(rate=Decimal("11"), valid_from=date(2026, 1, 1))
    CommissionRule.objects.create(category=fashion, rate=Decimal("12"), valid_from=date(2026, 1, 1))
    assert commission_rate_for(seller_id=seller.pk, category_path=knit.path, on=DAY)[1] == Decimal("12")
    assert commission_rate_for(seller_id=seller.pk, category_path=food.path, on=DAY)[1] == Decimal("11")

    set_seller_contract(seller=seller, actor=operator, commission_rate=Decimal("8"),
                        category_rates={knit: Decimal("6.5")}, valid_from=date(2026, 10, 1))
    assert commission_rate_for(seller_id=seller.pk, category_path=knit.path, on=DAY)[1] == Decimal("6.5")
    assert commission_rate_for(seller_id=seller.pk, category_path=food.path, on=DAY)[1] == Decimal("8")
    assert commission_rate_for(seller_id=other.pk, category_path=knit.path, on=DAY)[1] == Decimal("12")
    # Before the contract the category rule applied.
    assert commission_rate_for(seller_id=seller.pk, category_path=knit.path, on=date(2026, 9, 30))[1] == Decimal("12")


def test_a_new_contract_closes_the_old_rules_the_day_before():
    seller, operator = SellerFactory(), UserFactory(is_staff=True)
    set_seller_contract(seller=seller, actor=operator, commission_rate=Decimal("8"), valid_from=date(2026, 1, 1))
    set_seller_contract(seller=seller, actor=operator, commission_rate=Decimal("9"), valid_from=date(2026, 6, 1))
    old = CommissionRule.objects.get(seller=seller, rate=Decimal("8"))
    assert old.valid_until == date(2026, 5, 31)
    assert commission_rate_for(seller_id=seller.pk, category_path="", on=date(2026, 5, 31))[1] == Decimal("8")
    assert commission_rate_for(seller_id=seller.pk, category_path="", on=date(2026, 6, 1))[1] == Decimal("9")
