import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts import services
from accounts.models import Address, User
from tests.accounts.factories import PASSWORD, AddressFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "new@example.com",
    "password1": "s3cure-pass-99",
    "password2": "s3cure-pass-99",
    "name": "김신규",
    "phone": "010-2222-3333",
    "agree_terms": "on",
}
ADDRESS = {
    "label": "집",
    "recipient": "홍길동",
    "phone": "010-1234-5678",
    "postcode": "06236",
    "address1": "서울특별시 강남구 테헤란로 152",
    "address2": "12층",
    "delivery_request": "",
}


def _login(client, email, password, **extra):
    return client.post(reverse("accounts:login"), {"username": email, "password": password, **extra})


# --- sign up ----------------------------------------------------------------------------------


def test_signup_page_renders(client):
    response = client.get(reverse("accounts:signup"))

    assert response.status_code == 200
    for name in ("email", "password1", "password2", "name", "phone", "agree_terms", "marketing_opt_in"):
        assert f'name="{name}"' in response.content.decode()


def test_signup_creates_the_account_and_logs_in(client):
    response = client.post(reverse("accounts:signup"), {**SIGNUP, "marketing_opt_in": "on"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mypage")
    user = User.objects.get(email="new@example.com")
    assert user.marketing_opt_in and user.terms_agreed_at
    assert client.get(reverse("accounts:mypage")).status_code == 200


def test_signup_honours_a_safe_next(client):
    response = client.post(reverse("accounts:signup") + "?next=/accounts/addresses/", SIGNUP)

    assert response["Location"] == "/accounts/addresses/"


def test_signup_ignores_an_unsafe_next(client):
    response = client.post(reverse("accounts:signup"), {**SIGNUP, "next": "https://evil.example/"})

    assert response["Location"] == reverse("accounts:mypage")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"agree_terms": ""}, "agree_terms"),
        ({"password2": "different-99"}, "password2"),
        ({"password1": "12345678", "password2": "12345678"}, "password1"),
        ({"phone": "555"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"name": ""}, "name"),
    ],
)
def test_signup_shows_errors_and_creates_nothing(client, change, field):
    data = {key: value for key, value in {**SIGNUP, **change}.items() if value != ""}

    response = client.post(reverse("accounts:signup"), data)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert "field--error" in response.content.decode()
    assert not User.objects.exists()


def test_signup_refuses_a_registered_email(client):
    UserFactory(email="new@example.com")

    response = client.post(reverse("accounts:signup"), {**SIGNUP, "email": "NEW@example.com"})

    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert User.objects.count() == 1


# --- log in / log out -------------------------------------------------------------------------


def test_login_by_email_and_next(client):
    UserFactory(email="shopper@example.com")

    response = _login(client, "Shopper@Example.com", PASSWORD, next="/accounts/addresses/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/addresses/"
    assert client.session.get("_auth_user_id")


def test_login_ignores_an_unsafe_next(client):
    UserFactory(email="shopper@example.com")

    response = _login(client, "shopper@example.com", PASSWORD, next="https://evil.example/steal")

    assert response.status_code == 302
    assert response["Location"] == reverse("shop:home")


def test_login_with_a_wrong_password_shows_an_error(client):
    UserFactory(email="shopper@example.com")

    response = _login(client, "shopper@example.com", "wrong-password")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "form-alert" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_form_uses_the_username_field_name(client):
    content = client.get(reverse("accounts:login")).content.decode()

    assert 'name="username"' in content
    assert 'type="email"' in content


def test_the_sixth_attempt_is_refused_even_with_the_right_password(client):
    UserFactory(email="shopper@example.com")
    for _ in range(5):
        _login(client, "shopper@example.com", "wrong-password")

    response = _login(client, "shopper@example.com", PASSWORD)

    assert response.status_code == 429
    assert "accounts/locked.html" in [t.name for t in response.templates]
    assert "in 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_below_the_limit_do_not_lock(client):
    UserFactory(email="shopper@example.com")
    for _ in range(4):
        _login(client, "shopper@example.com", "wrong-password")

    response = _login(client, "shopper@example.com", PASSWORD)

    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_logout_is_post_only(client):
    client.force_login(UserFactory())

    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# --- password reset and change ----------------------------------------------------------------


def test_password_reset_sends_a_mail_whose_link_sets_a_new_password(client):
    UserFactory(email="shopper@example.com", name="김고객")

    response = client.post(reverse("accounts:password_reset"), {"email": "SHOPPER@example.com"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["shopper@example.com"]
    assert "\n" not in message.subject
    assert "김고객" in message.body
    assert message.alternatives and "text/html" in message.alternatives[0][1]
    link = re.search(r"https?://testserver(/accounts/password/reset/\S+/)", message.body).group(1)

    response = client.get(link)  # Django swaps the token for a session marker and redirects
    assert response.status_code == 302
    set_password_url = response["Location"]
    response = client.get(set_password_url)
    assert response.context["validlink"]
    response = client.post(
        set_password_url, {"new_password1": "brand-new-pass-77", "new_password2": "brand-new-pass-77"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert User.objects.get(email="shopper@example.com").check_password("brand-new-pass-77")
    response = _login(client, "shopper@example.com", "brand-new-pass-77")
    assert response.status_code == 302


def test_password_reset_for_an_unknown_email_sends_nothing_but_says_the_same(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})

    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_a_password_reset_lifts_the_login_lockout(client):
    UserFactory(email="shopper@example.com")
    for _ in range(5):
        _login(client, "shopper@example.com", "wrong-password")
    assert _login(client, "shopper@example.com", PASSWORD).status_code == 429

    client.post(reverse("accounts:password_reset"), {"email": "shopper@example.com"})
    link = re.search(r"https?://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    set_password_url = client.get(link)["Location"]
    client.post(set_password_url, {"new_password1": "brand-new-pass-77", "new_password2": "brand-new-pass-77"})

    assert _login(client, "shopper@example.com", "brand-new-pass-77").status_code == 302


def test_an_invalid_reset_link_says_so(client):
    response = client.get(reverse("accounts:password_reset_confirm", args=["MQ", "bad-token"]))

    assert response.status_code == 200
    assert not response.context["validlink"]


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "brand-new-pass-77", "new_password2": "brand-new-pass-77"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mypage")
    user.refresh_from_db()
    assert user.check_password("brand-new-pass-77")


def test_password_change_with_a_wrong_old_password_shows_an_error(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "nope", "new_password1": "brand-new-pass-77", "new_password2": "brand-new-pass-77"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]


# --- my page ----------------------------------------------------------------------------------


def test_mypage_requires_login(client):
    response = client.get(reverse("accounts:mypage"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_mypage_greets_and_links(client, django_assert_max_num_queries):
    user = UserFactory(name="김고객")
    AddressFactory(user=user, is_default=True, address1="서울특별시 종로구 세종대로 1")
    client.force_login(user)

    # session, user, default address, order steps, points balance and usable coupons (one query),
    # the my-page banners (marketing; cached once warm), the open post-purchase surveys (VOC) …
    with django_assert_max_num_queries(8):
        response = client.get(reverse("accounts:mypage"))

    content = response.content.decode()
    assert "김고객" in content
    assert "세종대로 1" in content
    for name in ("accounts:address_list", "accounts:password_change", "accounts:logout"):
        assert reverse(name) in content


# --- address book -----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 20])
def test_address_list_runs_a_constant_number_of_queries(client, django_assert_max_num_queries, count):
    user = UserFactory()
    for _ in range(count):
        services.create_address(user=user, **{k: v for k, v in ADDRESS.items() if k != "delivery_request"})
    client.force_login(user)

    with django_assert_max_num_queries(4):
        response = client.get(reverse("accounts:address_list"))

    assert response.status_code == 200
    assert len(response.context["addresses"]) == count


def test_address_list_shows_only_my_addresses(client):
    user, other = UserFactory(), UserFactory()
    AddressFactory(user=user, address1="내 주소", is_default=True)
    AddressFactory(user=other, address1="남의 주소", is_default=True)
    client.force_login(user)

    content = client.get(reverse("accounts:address_list")).content.decode()

    assert "내 주소" in content
    assert "남의 주소" not in content


def test_empty_address_book(client):
    client.force_login(UserFactory())

    response = client.get(reverse("accounts:address_list"))

    assert "empty-state" in response.content.decode()


def test_add_an_address(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("accounts:address_create"), {**ADDRESS, "phone": "01012345678"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:address_list")
    address = Address.objects.get(user=user)
    assert address.is_default and address.phone == "010-1234-5678"


def test_add_an_address_returns_to_a_safe_next(client):
    client.force_login(UserFactory())

    response = client.post(reverse("accounts:address_create"), {**ADDRESS, "next": "/checkout/"})

    assert response["Location"] == "/checkout/"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"postcode": "1234"}, "postcode"),
        ({"postcode": "abcde"}, "postcode"),
        ({"phone": "1234"}, "phone"),
        ({"recipient": ""}, "recipient"),
        ({"address1": ""}, "address1"),
    ],
)
def test_add_an_invalid_address_rerenders_the_form(client, change, field):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("accounts:address_create"), {**ADDRESS, **change})

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    content = response.content.decode()
    assert "field--error" in content and "form-alert" in content
    assert not Address.objects.filter(user=user).exists()


def test_edit_my_address(client):
    user = UserFactory()
    address = AddressFactory(user=user, is_default=True)
    client.force_login(user)

    response = client.post(reverse("accounts:address_update", args=[address.pk]), {**ADDRESS, "address2": "13층"})

    assert response.status_code == 302
    address.refresh_from_db()
    assert address.address2 == "13층" and address.is_default


def test_edit_can_make_an_address_the_default(client):
    user = UserFactory()
    first = AddressFactory(user=user, is_default=True)
    second = AddressFactory(user=user)
    client.force_login(user)

    client.post(reverse("accounts:address_update", args=[second.pk]), {**ADDRESS, "is_default": "on"})

    first.refresh_from_db()
    second.refresh_from_db()
    assert second.is_default and not first.is_default


def test_edit_form_of_the_default_address_cannot_unset_it(client):
    user = UserFactory()
    address = AddressFactory(user=user, is_default=True)
    client.force_login(user)

    response = client.get(reverse("accounts:address_update", args=[address.pk]))
    assert response.context["form"].fields["is_default"].disabled
    client.post(reverse("accounts:address_update", args=[address.pk]), ADDRESS)  # checkbox not sent

    address.refresh_from_db()
    assert address.is_default


def test_edit_with_an_error_keeps_the_address(client):
    user = UserFactory()
    address = AddressFactory(user=user, is_default=True)
    client.force_login(user)

    response = client.post(reverse("accounts:address_update", args=[address.pk]), {**ADDRESS, "postcode": "12"})

    assert response.status_code == 200
    assert response.context["form"].errors["postcode"]
    address.refresh_from_db()
    assert address.postcode == "06236"


def test_delete_asks_then_deletes_and_promotes(client):
    user = UserFactory()
    default = AddressFactory(user=user, is_default=True)
    other = AddressFactory(user=user)
    client.force_login(user)

    assert client.get(reverse("accounts:address_delete", args=[default.pk])).status_code == 200
    response = client.post(reverse("accounts:address_delete", args=[default.pk]))

    assert response.status_code == 302
    assert not Address.objects.filter(pk=default.pk).exists()
    other.refresh_from_db()
    assert other.is_default


def test_set_default_is_post_only(client):
    user = UserFactory()
    AddressFactory(user=user, is_default=True)
    other = AddressFactory(user=user)
    client.force_login(user)

    assert client.get(reverse("accounts:address_set_default", args=[other.pk])).status_code == 405
    response = client.post(reverse("accounts:address_set_default", args=[other.pk]))

    assert response.status_code == 302
    other.refresh_from_db()
    assert other.is_default


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("accounts:address_update", "get"),
        ("accounts:address_update", "post"),
        ("accounts:address_delete", "get"),
        ("accounts:address_delete", "post"),
        ("accounts:address_set_default", "post"),
    ],
)
def test_someone_elses_address_is_404(client, name, method):
    owner = UserFactory()
    address = AddressFactory(user=owner, is_default=True, recipient="주인")
    client.force_login(UserFactory())

    response = getattr(client, method)(reverse(name, args=[address.pk]), {**ADDRESS, "recipient": "도둑"})

    assert response.status_code == 404
    address.refresh_from_db()
    assert address.recipient == "주인" and address.is_default


@pytest.mark.parametrize("name", ["accounts:address_list", "accounts:address_create"])
def test_address_book_requires_login(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_shopper_at_the_console_is_refused_without_a_login_loop(client):
    client.force_login(UserFactory())

    response = client.get("/console/", follow=True)

    assert response.status_code == 403
    assert not response.redirect_chain
