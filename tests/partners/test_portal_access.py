"""Who gets into the partner portal: the role table written from the issue, not read from the code."""

import pytest
from django.urls import reverse

from partners.models import Seller, SellerStaff
from partners.portal import Area, can
from tests.accounts.factories import UserFactory
from tests.partners.factories import SellerFactory

# Expected: which roles may SEE / CHANGE each area (issue 10: owner, manager, products,
# orders/CS, settlement read-only; only the owner manages staff).
EXPECTED_READ = {
    "owner": {"dashboard", "products", "orders", "settlement", "store", "staff"},
    "manager": {"dashboard", "products", "orders", "settlement", "store"},
    "products": {"dashboard", "products"},
    "orders": {"dashboard", "orders"},
    "settlement": {"dashboard", "settlement"},
}
EXPECTED_WRITE = {
    "owner": {"products", "orders", "store", "staff"},
    "manager": {"products", "orders", "store"},
    "products": {"products"},
    "orders": {"orders"},
    "settlement": set(),
}
AREAS = [Area.DASHBOARD, Area.PRODUCTS, Area.ORDERS, Area.SETTLEMENT, Area.STORE, Area.STAFF]


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(EXPECTED_READ))
def test_each_role_sees_and_changes_only_its_areas(role):
    staff = SellerStaff.objects.create(user=UserFactory(), seller=SellerFactory(), role=role)
    assert {area for area in AREAS if can(staff, area)} == EXPECTED_READ[role]
    assert {area for area in AREAS if can(staff, area, write=True)} == EXPECTED_WRITE[role]


@pytest.mark.django_db
def test_a_suspended_seller_reads_but_cannot_change():
    staff = SellerStaff.objects.create(
        user=UserFactory(), seller=SellerFactory(status=Seller.Status.SUSPENDED), role="owner"
    )
    assert can(staff, Area.ORDERS)
    assert not can(staff, Area.ORDERS, write=True)


@pytest.mark.django_db
def test_anonymous_goes_to_login_and_a_non_seller_to_the_application(client):
    response = client.get(reverse("partner:dashboard"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(UserFactory())
    response = client.get(reverse("partner:dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("partner:apply")


@pytest.mark.django_db
def test_staff_sees_its_own_seller_on_the_dashboard(client):
    seller = SellerFactory(name="바른생활")
    user = UserFactory()
    SellerStaff.objects.create(user=user, seller=seller, role="settlement")
    client.force_login(user)
    response = client.get(reverse("partner:dashboard"))
    assert response.status_code == 200
    assert "바른생활" in response.content.decode()
