import pytest
from django.contrib.auth.models import AnonymousUser

from partners.models import Seller
from partners.selectors import get_seller_for_user, get_seller_staff, list_sellers
from tests.accounts.factories import UserFactory
from tests.partners.factories import SellerFactory, SellerStaffFactory

pytestmark = pytest.mark.django_db


def test_get_seller_for_user_returns_their_seller_with_its_policy(django_assert_num_queries):
    staff = SellerStaffFactory()

    with django_assert_num_queries(1):
        seller = get_seller_for_user(user=staff.user)
        assert seller.shipping_policy.base_fee_amount == 3000

    assert seller == staff.seller


def test_get_seller_for_user_is_none_for_others():
    SellerStaffFactory()

    assert get_seller_for_user(user=UserFactory()) is None
    assert get_seller_for_user(user=AnonymousUser()) is None


def test_get_seller_staff_is_scoped_to_the_seller():
    staff = SellerStaffFactory()

    assert get_seller_staff(user=staff.user, seller=staff.seller) == staff
    assert get_seller_staff(user=staff.user, seller=SellerFactory()) is None


def test_list_sellers_filters_by_status():
    SellerFactory(status=Seller.Status.ACTIVE)
    applied = SellerFactory(status=Seller.Status.APPLIED)

    assert list(list_sellers(status=Seller.Status.APPLIED)) == [applied]
    assert list_sellers().count() == 2
