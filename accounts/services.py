"""Writes for accounts: sign-up, operators and the address book (배송지 관리).

Address-book rule: a shopper with any address has exactly one default. The database holds
the partial unique constraint ``one_default_address_per_user``; the services keep it true by
locking the user's row first (so two requests for the same shopper run one after the other)
and by clearing the old default before setting the new one, in one transaction.
"""

import re

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.exceptions import AccountError, AddressBookFull, EmailAlreadyRegistered
from accounts.models import Address, User, phone_validator
from accounts.roles import OPERATOR_GROUPS

# Korean shops cap the address book; 20 covers home, office, family and gift addresses.
ADDRESS_BOOK_LIMIT = 20

ADDRESS_FIELDS = ("label", "recipient", "phone", "postcode", "address1", "address2", "delivery_request")


def normalize_phone(value: str) -> str:
    """'01012345678' → '010-1234-5678', '0212345678' → '02-1234-5678'; anything else unchanged."""
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("02") and len(digits) in (9, 10):
        return f"02-{digits[2:-4]}-{digits[-4:]}"
    if digits.startswith("0") and len(digits) in (10, 11):
        return f"{digits[:3]}-{digits[3:-4]}-{digits[-4:]}"
    return (value or "").strip()


def normalize_email(value: str) -> str:
    """Emails are stored lower-case so that login and duplicates ignore case."""
    return (value or "").strip().lower()


def _validate(value, validator) -> None:
    """Run a model validator and turn its failure into a domain error with the same text."""
    try:
        validator(value)
    except ValidationError as error:
        raise AccountError(" ".join(error.messages), code=error.code or "invalid") from error


@transaction.atomic
def sign_up(
    *,
    email: str,
    password: str,
    name: str,
    phone: str = "",
    agreed_to_terms: bool,
    marketing_opt_in: bool = False,
) -> User:
    """Create a shopper account (not staff, no groups).

    The terms must be agreed; the time of each consent is recorded. The email is stored
    lower-case and must not be registered yet (any case); the password must pass the
    configured validators. Raises ``AccountError`` / ``EmailAlreadyRegistered``.
    """
    if not agreed_to_terms:
        raise AccountError(_("Please agree to the terms of use to sign up."), code="terms_required")
    email = normalize_email(email)
    name = (name or "").strip()
    if not email:
        raise AccountError(_("Enter your email address."), code="email_required")
    if not name:
        raise AccountError(_("Enter your name."), code="name_required")
    phone = normalize_phone(phone)
    if phone:
        _validate(phone, phone_validator)
    if User.objects.filter(email__iexact=email).exists():
        raise EmailAlreadyRegistered(_("This email address is already registered."), code="email_taken")
    now = timezone.now()
    user = User(
        email=email,
        name=name,
        phone=phone,
        terms_agreed_at=now,
        marketing_opt_in=bool(marketing_opt_in),
        marketing_opt_in_at=now if marketing_opt_in else None,
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise AccountError(" ".join(error.messages), code="weak_password") from error
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:  # a concurrent sign-up with the same email won the race
        raise EmailAlreadyRegistered(_("This email address is already registered."), code="email_taken") from error
    from marketing.services.coupons import auto_issue  # welcome coupons, if marketing set any

    auto_issue(user=user, trigger="sign_up")
    return user


@transaction.atomic
def create_operator(*, email: str, name: str, groups: list[str], password: str | None = None) -> User:
    """Create a staff user in the given operator groups (see ``accounts.roles``).

    Without a password the account gets an unusable one: the operator sets it through the
    password-reset mail. Raises ``AccountError`` for an unknown group or a taken email.
    """
    unknown = [group for group in groups if group not in OPERATOR_GROUPS]
    if unknown or not groups:
        raise AccountError(
            _("Choose a group among: %(groups)s.") % {"groups": ", ".join(OPERATOR_GROUPS)}, code="group"
        )
    email = normalize_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise EmailAlreadyRegistered(_("This email address is already registered."), code="email_taken")
    user = User(email=email, name=name.strip(), is_staff=True, terms_agreed_at=timezone.now())
    if password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise AccountError(" ".join(error.messages), code="weak_password") from error
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


def clear_login_lockout(*, email: str) -> None:
    """Forget the failed logins of this email (after the owner proved it by a password reset)."""
    from axes.utils import reset

    reset(username=normalize_email(email))


# --- Address book ------------------------------------------------------------------------


def _lock_user(user: User) -> None:
    """Serialise address-book writes of one shopper (a no-op lock on SQLite, which writes one at a time)."""
    User.objects.select_for_update().filter(pk=user.pk).first()


def _clean_address_fields(fields: dict) -> dict:
    unknown = set(fields) - set(ADDRESS_FIELDS)
    if unknown:
        raise TypeError(f"unknown address fields: {', '.join(sorted(unknown))}")
    cleaned = {key: (value or "").strip() for key, value in fields.items()}
    if "phone" in cleaned:
        cleaned["phone"] = normalize_phone(cleaned["phone"])
    return cleaned


def _check_address(address: Address) -> None:
    try:
        address.full_clean(exclude=["user"])
    except ValidationError as error:
        raise AccountError(" ".join(error.messages), code="invalid_address") from error


def _make_default(*, user: User, address: Address) -> None:
    # The old default is cleared first: the unique constraint is checked row by row.
    Address.objects.filter(user=user, is_default=True).exclude(pk=address.pk).update(is_default=False)
    if not address.is_default:
        address.is_default = True
        address.save(update_fields=["is_default", "updated_at"])


@transaction.atomic
def create_address(
    *,
    user: User,
    recipient: str,
    phone: str,
    postcode: str,
    address1: str,
    address2: str = "",
    label: str = "",
    delivery_request: str = "",
    is_default: bool = False,
) -> Address:
    """Add an address to the shopper's book.

    The first address becomes the default whatever ``is_default`` says; ``is_default=True``
    moves the default to the new address. Raises ``AccountError`` when a field is invalid and
    ``AddressBookFull`` at ``ADDRESS_BOOK_LIMIT`` addresses.
    """
    _lock_user(user)
    fields = _clean_address_fields(
        {
            "label": label,
            "recipient": recipient,
            "phone": phone,
            "postcode": postcode,
            "address1": address1,
            "address2": address2,
            "delivery_request": delivery_request,
        }
    )
    existing = Address.objects.filter(user=user).count()
    if existing >= ADDRESS_BOOK_LIMIT:
        raise AddressBookFull(
            _("You can save up to %(limit)d addresses. Delete one you no longer use first.")
            % {"limit": ADDRESS_BOOK_LIMIT},
            code="address_book_full",
        )
    address = Address(user=user, is_default=False, **fields)
    _check_address(address)
    address.save()
    if is_default or existing == 0:
        _make_default(user=user, address=address)
    return address


@transaction.atomic
def update_address(*, user: User, address_id: int, is_default: bool = False, **fields) -> Address:
    """Change one of the shopper's own addresses.

    ``is_default=True`` makes it the default; ``False`` never removes the default flag (a
    shopper with addresses always has one default: they choose another one instead). Raises
    ``Address.DoesNotExist`` for an address that is not the shopper's and ``AccountError`` for
    an invalid field.
    """
    _lock_user(user)
    address = Address.objects.get(pk=address_id, user=user)
    for key, value in _clean_address_fields(fields).items():
        setattr(address, key, value)
    _check_address(address)
    address.save()
    if is_default:
        _make_default(user=user, address=address)
    return address


@transaction.atomic
def delete_address(*, user: User, address_id: int) -> None:
    """Delete one of the shopper's own addresses.

    Deleting the default promotes the most recently updated other address (the next one in
    the list). Raises ``Address.DoesNotExist`` for an address that is not the shopper's.
    """
    _lock_user(user)
    address = Address.objects.get(pk=address_id, user=user)
    was_default = address.is_default
    address.delete()
    if was_default:
        successor = Address.objects.filter(user=user).order_by("-updated_at", "-id").first()
        if successor is not None:
            _make_default(user=user, address=successor)


@transaction.atomic
def set_default_address(*, user: User, address_id: int) -> Address:
    """Make one of the shopper's own addresses the default, clearing the old one.

    Raises ``Address.DoesNotExist`` for an address that is not the shopper's.
    """
    _lock_user(user)
    address = Address.objects.get(pk=address_id, user=user)
    _make_default(user=user, address=address)
    return address

