import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from accounts.roles import CS, FULFILMENT, OPERATOR_GROUPS, is_operator
from tests.accounts.factories import OperatorFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN_URL = "/" + settings.ADMIN_URL


def test_the_migration_created_the_operator_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= set(OPERATOR_GROUPS)


def test_create_operator_command(capsys):
    call_command("create_operator", "--email", "Ops@Shop.example", "--name", "박물류", "--group", "fulfilment")

    user = User.objects.get(email="ops@shop.example")
    assert user.is_staff and not user.is_superuser
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == [FULFILMENT]
    assert "ops@shop.example" in capsys.readouterr().out


def test_create_operator_command_with_a_password_and_two_groups():
    call_command(
        "create_operator", "--email", "cs@shop.example", "--name", "김상담",
        "--group", "cs", "--group", "marketing", "--password", "s3cure-pass-99",
    )

    user = User.objects.get(email="cs@shop.example")
    assert user.check_password("s3cure-pass-99")
    assert set(user.groups.values_list("name", flat=True)) == {"cs", "marketing"}


def test_create_operator_command_refuses_an_unknown_group():
    with pytest.raises(CommandError):
        call_command("create_operator", "--email", "x@shop.example", "--name", "x", "--group", "boss")

    assert not User.objects.filter(email="x@shop.example").exists()


def test_create_operator_command_refuses_a_taken_email():
    UserFactory(email="taken@shop.example")

    with pytest.raises(CommandError):
        call_command("create_operator", "--email", "taken@shop.example", "--name", "x", "--group", "cs")


def test_fulfilment_may_adjust_stock_and_cs_may_not():
    fulfilment = OperatorFactory(groups=[FULFILMENT])
    cs = OperatorFactory(groups=[CS])

    assert User.objects.get(pk=fulfilment.pk).has_perm("catalog.adjust_stock")
    assert not User.objects.get(pk=cs.pk).has_perm("catalog.adjust_stock")
    assert User.objects.get(pk=cs.pk).has_perm("accounts.view_user")


def test_is_operator():
    assert is_operator(OperatorFactory())
    assert not is_operator(UserFactory())
    assert not is_operator(OperatorFactory(is_active=False))


def test_console_sends_anonymous_visitors_to_login(client):
    response = client.get("/console/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_console_refuses_shoppers(client):
    client.force_login(UserFactory())

    response = client.get("/console/")

    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("accounts:login"))


def test_console_admits_operators(client):
    client.force_login(OperatorFactory(groups=[CS]))

    assert client.get("/console/").status_code == 200


@pytest.mark.parametrize("factory", [UserFactory, lambda: OperatorFactory(groups=[FULFILMENT])])
def test_django_admin_is_not_for_shoppers_or_operators(client, factory):
    client.force_login(factory())

    response = client.get(ADMIN_URL)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_django_admin_is_for_superusers(client):
    client.force_login(User.objects.create_superuser(email="root@shop.example", password="x", name="관리자"))

    assert client.get(ADMIN_URL).status_code == 200
    for path in ("accounts/user/", "accounts/user/add/", "accounts/address/", "partners/seller/",
                 "partners/sellerstaff/", "partners/shippingpolicy/"):
        assert client.get(ADMIN_URL + path).status_code == 200, path


def test_django_admin_change_pages_render(client):
    from tests.accounts.factories import AddressFactory
    from tests.partners.factories import SellerStaffFactory

    client.force_login(User.objects.create_superuser(email="root@shop.example", password="x", name="관리자"))
    address = AddressFactory(is_default=True)
    staff = SellerStaffFactory()

    assert client.get(ADMIN_URL + f"accounts/user/{address.user.pk}/change/").status_code == 200
    assert client.get(ADMIN_URL + f"partners/seller/{staff.seller.pk}/change/").status_code == 200


def test_django_admin_creates_a_user_by_email(client):
    client.force_login(User.objects.create_superuser(email="root@shop.example", password="x", name="관리자"))

    response = client.post(
        ADMIN_URL + "accounts/user/add/",
        {"email": "New@Shop.example", "name": "새사람", "usable_password": "true",
         "password1": "s3cure-pass-99", "password2": "s3cure-pass-99"},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert User.objects.get(email="new@shop.example").check_password("s3cure-pass-99")
