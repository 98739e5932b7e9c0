import pytest
from django.contrib.contenttypes.models import ContentType

from core.exceptions import TransitionNotAllowed
from core.models import StatusChange
from partners import services
from partners.exceptions import DuplicateBusinessNumber, PartnerError, SellerPermissionDenied
from partners.models import Seller, SellerStaff, ShippingPolicy
from partners.services import SELLER_STATUS_TRANSITIONS
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.partners.factories import SellerFactory, SellerStaffFactory, application_fields

pytestmark = pytest.mark.django_db

Status = Seller.Status

APPLICATION = {
    "name": "봄날상회",
    "business_name": "(주)봄날",
    "business_number": "1248100998",
    "representative": "김대표",
    "contact_name": "이담당",
    "contact_phone": "0212345678",
    "contact_email": "Spring@Example.com",
}


def application() -> dict:
    """The application with every field the issue asks for (fresh document uploads each time)."""
    return {**APPLICATION, **application_fields()}


def _changes(seller):
    return StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Seller), object_id=seller.pk
    )


# --- apply_seller -----------------------------------------------------------------------------


def test_apply_seller_creates_an_applied_seller_with_its_owner_and_policy():
    user = UserFactory()

    seller = services.apply_seller(user=user, **application())

    seller.refresh_from_db()
    assert seller.status == Status.APPLIED
    assert seller.business_number == "124-81-00998"
    assert seller.contact_phone == "02-1234-5678"
    assert seller.contact_email == "spring@example.com"
    assert seller.slug
    staff = SellerStaff.objects.get(seller=seller)
    assert staff.user == user and staff.role == SellerStaff.Role.OWNER
    policy = ShippingPolicy.objects.get(seller=seller)
    assert policy.base_fee_amount == 3000


def test_apply_seller_refuses_a_duplicate_business_number_in_any_format():
    services.apply_seller(user=UserFactory(), **application())

    with pytest.raises(DuplicateBusinessNumber) as error:
        services.apply_seller(user=UserFactory(), **{**application(), "name": "다른가게", "business_number": "124-81-00998"})

    assert "already registered" in error.value.message
    assert Seller.objects.count() == 1


@pytest.mark.parametrize("number", ["124-81-00999", "12481009", "abc-de-fghij"])
def test_apply_seller_refuses_an_invalid_business_number(number):
    with pytest.raises(PartnerError):
        services.apply_seller(user=UserFactory(), **{**application(), "business_number": number})

    assert not Seller.objects.exists()
    assert not SellerStaff.objects.exists()


def test_apply_seller_refuses_a_taken_store_name():
    services.apply_seller(user=UserFactory(), **application())

    with pytest.raises(PartnerError):
        services.apply_seller(user=UserFactory(), **{**application(), "business_number": "220-81-62517"})

    assert Seller.objects.count() == 1


def test_a_user_applies_for_one_seller_only():
    user = UserFactory()
    services.apply_seller(user=user, **application())

    with pytest.raises(PartnerError):
        services.apply_seller(user=user, **{**application(), "name": "둘째가게", "business_number": "220-81-62517"})

    assert Seller.objects.count() == 1


@pytest.mark.parametrize(
    "change", [{"contact_phone": "12"}, {"contact_email": "nope"}, {"representative": " "}, {"name": ""}]
)
def test_apply_seller_validates_the_contact(change):
    with pytest.raises(PartnerError):
        services.apply_seller(user=UserFactory(), **{**application(), **change})

    assert not Seller.objects.exists()


def test_slugs_stay_unique_for_similar_names():
    first = services.apply_seller(user=UserFactory(), **{**application(), "name": "Good Shop"})
    second = services.apply_seller(
        user=UserFactory(), **{**application(), "name": "Good  Shop", "business_number": "220-81-62517"}
    )

    assert first.slug != second.slug


# --- status transitions -----------------------------------------------------------------------

ACTIONS = {
    "approve": (services.approve_seller, Status.ACTIVE),
    "suspend": (services.suspend_seller, Status.SUSPENDED),
    "reinstate": (services.reinstate_seller, Status.ACTIVE),
}
ALLOWED = {(Status.APPLIED, "approve"), (Status.UNDER_REVIEW, "approve"), (Status.ACTIVE, "suspend"),
           (Status.SUSPENDED, "reinstate")}
ALL_CASES = [(status, action) for status in Status.values for action in ACTIONS]


def test_the_table_is_exactly_the_documented_one():
    # Issue 10: applied → under review → approved (active) / rejected (may re-apply) → active ⇄ suspended.
    assert SELLER_STATUS_TRANSITIONS == {
        Status.APPLIED: {Status.UNDER_REVIEW, Status.ACTIVE, Status.REJECTED},
        Status.UNDER_REVIEW: {Status.ACTIVE, Status.REJECTED},
        Status.REJECTED: {Status.APPLIED},
        Status.ACTIVE: {Status.SUSPENDED},
        Status.SUSPENDED: {Status.ACTIVE},
    }


@pytest.mark.parametrize(("status", "action"), sorted(ALLOWED))
def test_allowed_transitions_move_and_are_audited(status, action):
    operator = OperatorFactory()
    seller = SellerFactory(status=status)
    function, target = ACTIONS[action]

    result = function(seller=seller, actor=operator, reason="심사 완료")

    seller.refresh_from_db()
    assert seller.status == target == result.status
    change = _changes(seller).get()
    assert (change.from_status, change.to_status) == (status, target)
    assert change.actor == operator and change.reason == "심사 완료"


@pytest.mark.parametrize(("status", "action"), sorted(set(ALL_CASES) - ALLOWED))
def test_forbidden_transitions_change_nothing(status, action):
    seller = SellerFactory(status=status)
    function, _target = ACTIONS[action]

    with pytest.raises(TransitionNotAllowed):
        function(seller=seller, actor=OperatorFactory(), reason="시도")

    seller.refresh_from_db()
    assert seller.status == status
    assert not _changes(seller).exists()


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_only_operators_move_sellers(action):
    status = {"approve": Status.APPLIED, "suspend": Status.ACTIVE, "reinstate": Status.SUSPENDED}[action]
    seller = SellerFactory(status=status)
    owner = SellerStaffFactory(seller=seller).user
    function, _target = ACTIONS[action]

    for actor in (owner, UserFactory(), None):
        with pytest.raises(SellerPermissionDenied):
            function(seller=seller, actor=actor, reason="x")

    seller.refresh_from_db()
    assert seller.status == status
    assert not _changes(seller).exists()


def test_a_suspension_needs_a_reason():
    seller = SellerFactory(status=Status.ACTIVE)

    with pytest.raises(PartnerError):
        services.suspend_seller(seller=seller, actor=OperatorFactory(), reason="  ")

    seller.refresh_from_db()
    assert seller.status == Status.ACTIVE
    assert not _changes(seller).exists()


def test_the_full_life_of_a_seller_is_recorded_in_order():
    operator = OperatorFactory()
    seller = services.apply_seller(user=UserFactory(), **application())

    services.approve_seller(seller=seller, actor=operator)
    services.suspend_seller(seller=seller, actor=operator, reason="허위 광고")
    services.reinstate_seller(seller=seller, actor=operator, reason="시정 완료")

    assert seller.status == Status.ACTIVE
    assert list(_changes(seller).values_list("from_status", "to_status")) == [
        ("applied", "active"), ("active", "suspended"), ("suspended", "active"),
    ]


# --- shipping policy --------------------------------------------------------------------------


def test_seller_staff_update_their_own_shipping_policy():
    staff = SellerStaffFactory()

    policy = services.update_shipping_policy(
        seller=staff.seller, actor=staff.user, base_fee_amount=2500, free_threshold_amount=0,
        courier_name=" 롯데택배 ", ship_within_days=3, return_address="경기도 군포시 1",
    )

    policy.refresh_from_db()
    assert (policy.base_fee_amount, policy.free_threshold_amount) == (2500, 0)
    assert policy.courier_name == "롯데택배" and policy.ship_within_days == 3


def test_an_operator_may_update_any_shipping_policy():
    seller = SellerFactory()

    services.update_shipping_policy(seller=seller, actor=OperatorFactory(), jeju_surcharge_amount=4000)

    assert ShippingPolicy.objects.get(seller=seller).jeju_surcharge_amount == 4000


def test_staff_of_another_seller_may_not_update_the_policy():
    seller = SellerFactory()
    intruder = SellerStaffFactory().user

    for actor in (intruder, UserFactory(), None):
        with pytest.raises(SellerPermissionDenied):
            services.update_shipping_policy(seller=seller, actor=actor, base_fee_amount=0)

    assert ShippingPolicy.objects.get(seller=seller).base_fee_amount == 3000


@pytest.mark.parametrize(
    "change",
    [
        {"base_fee_amount": -1},
        {"return_fee_amount": -3000},
        {"free_threshold_amount": 2_000_000},
        {"base_fee_amount": 2500.5},
        {"base_fee_amount": "3000"},
        {"exchange_fee_amount": True},
        {"ship_within_days": 0},
        {"ship_within_days": 30},
        {"courier_name": "  "},
    ],
)
def test_invalid_shipping_values_change_nothing(change):
    staff = SellerStaffFactory()

    with pytest.raises(PartnerError):
        services.update_shipping_policy(seller=staff.seller, actor=staff.user, island_surcharge_amount=9000, **change)

    policy = ShippingPolicy.objects.get(seller=staff.seller)
    assert policy.island_surcharge_amount == 5000
    assert policy.base_fee_amount == 3000


def test_unknown_shipping_fields_are_a_programming_error():
    staff = SellerStaffFactory()

    with pytest.raises(TypeError):
        services.update_shipping_policy(seller=staff.seller, actor=staff.user, seller_id=1)
