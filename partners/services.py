"""Writes for sellers: the application (입점 신청), the operator's decisions, the shipping policy.

Seller status moves only through ``SELLER_STATUS_TRANSITIONS`` and ``core.transitions.move``,
so every move is locked, checked and audited (``core.models.StatusChange``).
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import phone_validator
from accounts.roles import is_operator
from accounts.services import normalize_phone
from core import cache_versions
from core.exceptions import TransitionNotAllowed
from core.transitions import move
from partners.exceptions import DuplicateBusinessNumber, PartnerError, SellerPermissionDenied
from partners.models import Seller, SellerStaff, ShippingPolicy
from partners.validators import normalize_business_number, validate_business_number

Status = Seller.Status

# The operator's decisions. There is no "rejected": an application that is not approved
# simply stays applied (the operator tells the applicant why), and can be approved later.
SELLER_STATUS_TRANSITIONS = {
    Status.APPLIED: {Status.ACTIVE},
    Status.ACTIVE: {Status.SUSPENDED},
    Status.SUSPENDED: {Status.ACTIVE},
}

SHIPPING_POLICY_AMOUNT_FIELDS = (
    "base_fee_amount",
    "free_threshold_amount",
    "return_fee_amount",
    "exchange_fee_amount",
    "jeju_surcharge_amount",
    "island_surcharge_amount",
)
SHIPPING_POLICY_FIELDS = (*SHIPPING_POLICY_AMOUNT_FIELDS, "courier_name", "ship_within_days", "return_address")
# Guards against a typo of three extra zeros; no Korean parcel costs a million won to ship.
MAX_SHIPPING_AMOUNT = 1_000_000
# Korean e-commerce law expects goods to be sent promptly; two weeks covers made-to-order goods.
MAX_SHIP_WITHIN_DAYS = 14


def _required(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise PartnerError(message, code="required")
    return value


def _unique_slug(name: str) -> str:
    base = slugify(name, allow_unicode=True)[:50] or "seller"
    slug, n = base, 1
    while Seller.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _clean_business_number(value: str) -> str:
    value = (value or "").strip()
    try:
        validate_business_number(value)
    except ValidationError as error:
        raise PartnerError(" ".join(error.messages), code=error.code or "business_number") from error
    return normalize_business_number(value)


def _duplicate_business_number() -> DuplicateBusinessNumber:
    return DuplicateBusinessNumber(
        _("This business registration number is already registered. If it is yours, please contact us."),
        code="business_number_taken",
    )


@transaction.atomic
def apply_seller(
    *,
    user,
    name: str,
    business_name: str,
    business_number: str,
    representative: str,
    contact_name: str,
    contact_phone: str,
    contact_email: str,
    description: str = "",
) -> Seller:
    """A user applies to sell: a Seller in APPLIED, the user as its OWNER, a default shipping policy.

    The business registration number must pass the check-digit test; it is stored as
    123-45-67890 and must not be registered yet. A user works for one seller at most.
    Raises ``PartnerError`` / ``DuplicateBusinessNumber`` with a message for the applicant.
    """
    if not getattr(user, "pk", None):
        raise PartnerError(_("Log in to apply."), code="login_required")
    if SellerStaff.objects.filter(user=user).exists():
        raise PartnerError(_("Your account already belongs to a seller."), code="already_staff")
    name = _required(name, _("Enter the store name."))
    business_name = _required(business_name, _("Enter the company name."))
    representative = _required(representative, _("Enter the representative's name."))
    contact_name = _required(contact_name, _("Enter the contact person's name."))
    number = _clean_business_number(business_number)
    phone = normalize_phone(_required(contact_phone, _("Enter the contact phone number.")))
    try:
        phone_validator(phone)
        validate_email(contact_email)
    except ValidationError as error:
        raise PartnerError(" ".join(error.messages), code="invalid") from error
    if Seller.objects.filter(business_number=number).exists():
        raise _duplicate_business_number()
    if Seller.objects.filter(name__iexact=name).exists():
        raise PartnerError(_("This store name is already taken. Please choose another."), code="name_taken")
    try:
        with transaction.atomic():
            seller = Seller.objects.create(
                name=name,
                slug=_unique_slug(name),
                status=Status.APPLIED,
                business_name=business_name,
                business_number=number,
                representative=representative,
                contact_name=contact_name,
                contact_phone=phone,
                contact_email=contact_email.strip().lower(),
                description=(description or "").strip(),
            )
    except IntegrityError as error:  # a concurrent application won the race for the number or name
        if Seller.objects.filter(business_number=number).exists():
            raise _duplicate_business_number() from error
        raise PartnerError(_("This store name is already taken. Please choose another."), code="name_taken") from error
    SellerStaff.objects.create(user=user, seller=seller, role=SellerStaff.Role.OWNER)
    ShippingPolicy.objects.create(seller=seller)
    return seller


def _move_seller(*, seller: Seller, actor, to: str, only_from: str, reason: str) -> Seller:
    if not is_operator(actor):
        raise SellerPermissionDenied(_("Only an operator can change a seller's status."))
    locked = Seller.objects.select_for_update().get(pk=seller.pk)
    if locked.status != only_from:
        labels = dict(Status.choices)
        raise TransitionNotAllowed(
            _("Cannot change from “%(current)s” to “%(target)s”.")
            % {"current": labels.get(locked.status, locked.status), "target": labels.get(to, to)}
        )
    move(locked, to=to, table=SELLER_STATUS_TRANSITIONS, actor=actor, reason=reason)
    seller.status, seller.updated_at = locked.status, locked.updated_at
    cache_versions.bump_seller(locked.pk)
    return locked


@transaction.atomic
def approve_seller(*, seller: Seller, actor, reason: str = "") -> Seller:
    """An operator approves an application: APPLIED → ACTIVE; the seller may now sell."""
    return _move_seller(seller=seller, actor=actor, to=Status.ACTIVE, only_from=Status.APPLIED, reason=reason)


@transaction.atomic
def suspend_seller(*, seller: Seller, actor, reason: str) -> Seller:
    """An operator stops an active seller: ACTIVE → SUSPENDED; its products leave the storefront.

    The reason is required: it is what the seller is told and what the audit trail shows.
    """
    reason = _required(reason, _("Give the reason for the suspension."))
    return _move_seller(seller=seller, actor=actor, to=Status.SUSPENDED, only_from=Status.ACTIVE, reason=reason)


@transaction.atomic
def reinstate_seller(*, seller: Seller, actor, reason: str = "") -> Seller:
    """An operator lifts a suspension: SUSPENDED → ACTIVE."""
    return _move_seller(seller=seller, actor=actor, to=Status.ACTIVE, only_from=Status.SUSPENDED, reason=reason)


def can_manage_seller(*, user, seller: Seller) -> bool:
    """Operators manage every seller; seller staff only their own."""
    if is_operator(user):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return SellerStaff.objects.filter(user_id=user.pk, seller_id=seller.pk).exists()


@transaction.atomic
def update_shipping_policy(*, seller: Seller, actor, **fields) -> ShippingPolicy:
    """Change the seller's shipping policy (fees in whole won, courier, dispatch days, return address).

    The actor must be staff of this seller or an operator (``SellerPermissionDenied``).
    Amounts are whole won between 0 and 1,000,000; dispatch days between 1 and 14.
    Raises ``PartnerError`` for an invalid value (nothing is saved) and ``TypeError`` for a
    field that is not part of the policy.
    """
    unknown = set(fields) - set(SHIPPING_POLICY_FIELDS)
    if unknown:
        raise TypeError(f"unknown shipping policy fields: {', '.join(sorted(unknown))}")
    if not can_manage_seller(user=actor, seller=seller):
        raise SellerPermissionDenied(_("You cannot change the shipping policy of this seller."))
    policy, _created = ShippingPolicy.objects.select_for_update().get_or_create(seller=seller)
    for field_name, value in fields.items():
        label = ShippingPolicy._meta.get_field(field_name).verbose_name
        if field_name in SHIPPING_POLICY_AMOUNT_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SHIPPING_AMOUNT:
                raise PartnerError(
                    _("%(field)s must be a whole number of won between 0 and %(max)s.")
                    % {"field": label, "max": f"{MAX_SHIPPING_AMOUNT:,}"},
                    code="invalid_amount",
                )
        elif field_name == "ship_within_days":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SHIP_WITHIN_DAYS:
                raise PartnerError(
                    _("%(field)s must be between 1 and %(max)d.") % {"field": label, "max": MAX_SHIP_WITHIN_DAYS},
                    code="invalid_days",
                )
        elif field_name == "courier_name":
            value = _required(value, _("Enter the courier."))
        else:
            value = (value or "").strip()
        setattr(policy, field_name, value)
    if fields:
        policy.save(update_fields=[*fields, "updated_at"])
    cache_versions.bump_seller(seller.pk)
    return policy
