import pytest
from django.db import IntegrityError, transaction

from accounts import services
from accounts.exceptions import AccountError, AddressBookFull, EmailAlreadyRegistered
from accounts.models import Address, User
from tests.accounts.factories import AddressFactory, UserFactory

pytestmark = pytest.mark.django_db

ADDRESS = {
    "recipient": "홍길동",
    "phone": "01012345678",
    "postcode": "06236",
    "address1": "서울특별시 강남구 테헤란로 152",
    "address2": "12층",
}


def _defaults(user):
    return list(Address.objects.filter(user=user, is_default=True).values_list("pk", flat=True))


# --- sign_up --------------------------------------------------------------------------------


def test_sign_up_creates_a_shopper_with_consent_dates():
    user = services.sign_up(
        email=" Kim@Example.COM ",
        password="s3cure-pass-99",
        name="김쇼핑",
        phone="01098765432",
        agreed_to_terms=True,
        marketing_opt_in=True,
    )

    user.refresh_from_db()
    assert user.email == "kim@example.com"
    assert user.phone == "010-9876-5432"
    assert user.check_password("s3cure-pass-99")
    assert not user.is_staff and not user.is_superuser
    assert user.terms_agreed_at is not None
    assert user.marketing_opt_in and user.marketing_opt_in_at is not None


def test_sign_up_without_marketing_records_no_marketing_date():
    user = services.sign_up(email="a@example.com", password="s3cure-pass-99", name="가", agreed_to_terms=True)

    assert not user.marketing_opt_in
    assert user.marketing_opt_in_at is None


def test_sign_up_requires_the_terms():
    with pytest.raises(AccountError):
        services.sign_up(email="a@example.com", password="s3cure-pass-99", name="가", agreed_to_terms=False)

    assert not User.objects.exists()


def test_sign_up_refuses_a_taken_email_in_any_case():
    UserFactory(email="taken@example.com")

    with pytest.raises(EmailAlreadyRegistered):
        services.sign_up(email="TAKEN@example.com", password="s3cure-pass-99", name="가", agreed_to_terms=True)

    assert User.objects.count() == 1


def test_sign_up_refuses_a_weak_password():
    with pytest.raises(AccountError):
        services.sign_up(email="a@example.com", password="1234", name="가", agreed_to_terms=True)

    assert not User.objects.exists()


def test_sign_up_refuses_a_wrong_phone():
    with pytest.raises(AccountError):
        services.sign_up(
            email="a@example.com", password="s3cure-pass-99", name="가", phone="12345", agreed_to_terms=True
        )


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("01012345678", "010-1234-5678"),
        ("010-1234-5678", "010-1234-5678"),
        ("0111234567", "011-123-4567"),
        ("0212345678", "02-1234-5678"),
        ("021234567", "02-123-4567"),
        ("0311234567", "031-123-4567"),
        ("hello", "hello"),
    ],
)
def test_normalize_phone(raw, normalized):
    assert services.normalize_phone(raw) == normalized


# --- address book ---------------------------------------------------------------------------


def test_the_first_address_becomes_the_default():
    user = UserFactory()

    address = services.create_address(user=user, **ADDRESS)

    assert address.is_default
    assert address.phone == "010-1234-5678"
    assert _defaults(user) == [address.pk]


def test_a_second_address_is_not_default_unless_asked():
    user = UserFactory()
    first = services.create_address(user=user, **ADDRESS)

    second = services.create_address(user=user, **ADDRESS)

    assert not second.is_default
    assert _defaults(user) == [first.pk]


def test_a_new_default_address_flips_the_old_one():
    user = UserFactory()
    first = services.create_address(user=user, **ADDRESS)

    second = services.create_address(user=user, is_default=True, **ADDRESS)

    first.refresh_from_db()
    assert not first.is_default
    assert _defaults(user) == [second.pk]


def test_create_address_validates_the_fields():
    user = UserFactory()

    with pytest.raises(AccountError):
        services.create_address(user=user, **{**ADDRESS, "postcode": "1234"})
    with pytest.raises(AccountError):
        services.create_address(user=user, **{**ADDRESS, "phone": "123"})
    with pytest.raises(AccountError):
        services.create_address(user=user, **{**ADDRESS, "recipient": "  "})

    assert not Address.objects.exists()


def test_the_address_book_has_a_limit():
    user = UserFactory()
    for _ in range(services.ADDRESS_BOOK_LIMIT):
        services.create_address(user=user, **ADDRESS)

    with pytest.raises(AddressBookFull):
        services.create_address(user=user, **ADDRESS)

    assert Address.objects.filter(user=user).count() == services.ADDRESS_BOOK_LIMIT


def test_set_default_address_keeps_exactly_one_default():
    user = UserFactory()
    first = services.create_address(user=user, **ADDRESS)
    second = services.create_address(user=user, **ADDRESS)
    third = services.create_address(user=user, **ADDRESS)

    services.set_default_address(user=user, address_id=third.pk)
    assert _defaults(user) == [third.pk]
    services.set_default_address(user=user, address_id=second.pk)
    assert _defaults(user) == [second.pk]
    services.set_default_address(user=user, address_id=second.pk)  # already default: nothing moves
    assert _defaults(user) == [second.pk]
    first.refresh_from_db()
    assert not first.is_default


def test_set_default_address_of_someone_else_is_refused():
    owner, other = UserFactory(), UserFactory()
    services.create_address(user=other, **ADDRESS)
    address = services.create_address(user=owner, **ADDRESS)
    services.create_address(user=owner, is_default=True, **ADDRESS)

    with pytest.raises(Address.DoesNotExist):
        services.set_default_address(user=other, address_id=address.pk)

    address.refresh_from_db()
    assert not address.is_default


def test_update_address_changes_fields_and_can_take_the_default():
    user = UserFactory()
    first = services.create_address(user=user, **ADDRESS)
    second = services.create_address(user=user, **ADDRESS)

    updated = services.update_address(
        user=user, address_id=second.pk, is_default=True, **{**ADDRESS, "address2": "13층", "phone": "0212345678"}
    )

    assert updated.address2 == "13층"
    assert updated.phone == "02-1234-5678"
    assert _defaults(user) == [second.pk]
    first.refresh_from_db()
    assert not first.is_default


def test_update_address_never_leaves_a_shopper_without_a_default():
    user = UserFactory()
    only = services.create_address(user=user, **ADDRESS)

    services.update_address(user=user, address_id=only.pk, is_default=False, recipient="임꺽정")

    only.refresh_from_db()
    assert only.is_default and only.recipient == "임꺽정"


def test_update_address_validation_error_changes_nothing():
    user = UserFactory()
    address = services.create_address(user=user, **ADDRESS)

    with pytest.raises(AccountError):
        services.update_address(user=user, address_id=address.pk, postcode="abcde")

    address.refresh_from_db()
    assert address.postcode == "06236"


def test_update_address_of_someone_else_is_refused():
    owner, other = UserFactory(), UserFactory()
    address = services.create_address(user=owner, **ADDRESS)

    with pytest.raises(Address.DoesNotExist):
        services.update_address(user=other, address_id=address.pk, recipient="도둑")

    address.refresh_from_db()
    assert address.recipient == "홍길동"


def test_update_address_refuses_unknown_fields():
    user = UserFactory()
    address = services.create_address(user=user, **ADDRESS)

    with pytest.raises(TypeError):
        services.update_address(user=user, address_id=address.pk, user_id=999)


def test_deleting_the_default_promotes_the_most_recent_other_address():
    user = UserFactory()
    default = services.create_address(user=user, **ADDRESS)
    older = services.create_address(user=user, **{**ADDRESS, "address2": "older"})
    newer = services.create_address(user=user, **{**ADDRESS, "address2": "newer"})
    services.update_address(user=user, address_id=older.pk, delivery_request="문 앞")  # now the most recent

    services.delete_address(user=user, address_id=default.pk)

    assert not Address.objects.filter(pk=default.pk).exists()
    assert _defaults(user) == [older.pk]
    newer.refresh_from_db()
    assert not newer.is_default


def test_deleting_another_address_keeps_the_default():
    user = UserFactory()
    default = services.create_address(user=user, **ADDRESS)
    other = services.create_address(user=user, **ADDRESS)

    services.delete_address(user=user, address_id=other.pk)

    assert _defaults(user) == [default.pk]


def test_deleting_the_last_address_leaves_an_empty_book():
    user = UserFactory()
    only = services.create_address(user=user, **ADDRESS)

    services.delete_address(user=user, address_id=only.pk)

    assert not Address.objects.filter(user=user).exists()


def test_deleting_someone_elses_address_is_refused():
    owner, other = UserFactory(), UserFactory()
    address = services.create_address(user=owner, **ADDRESS)

    with pytest.raises(Address.DoesNotExist):
        services.delete_address(user=other, address_id=address.pk)

    assert Address.objects.filter(pk=address.pk).exists()


def test_the_database_refuses_two_defaults_for_one_shopper():
    user = UserFactory()
    AddressFactory(user=user, is_default=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        AddressFactory(user=user, is_default=True)


def test_defaults_of_different_shoppers_are_independent():
    first, second = UserFactory(), UserFactory()

    a = services.create_address(user=first, **ADDRESS)
    b = services.create_address(user=second, **ADDRESS)

    assert a.is_default and b.is_default
