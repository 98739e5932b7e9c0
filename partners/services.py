"""Writes for sellers: the application (입점 신청), the operator's decisions, the shipping policy.

Seller status moves only through ``SELLER_STATUS_TRANSITIONS`` and ``core.transitions.move``,
so every move is locked, checked and audited (``core.models.StatusChange``).
"""

import re
import secrets
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import phone_validator
from accounts.roles import is_operator
from accounts.services import normalize_phone
from core import cache_versions
from core.exceptions import TransitionNotAllowed
from core.outbox import notify
from core.transitions import move
from partners.exceptions import DuplicateBusinessNumber, PartnerError, SellerPermissionDenied
from partners.models import (
    Seller,
    SellerDocument,
    SellerHoliday,
    SellerInvitation,
    SellerStaff,
    ShippingPolicy,
)
from partners.validators import normalize_business_number, validate_business_number

Status = Seller.Status

# applied → under review → approved (ACTIVE: the contract is signed and the store opens in one
# step) or rejected (with the reason; the owner fixes the application and re-applies, back to
# applied) → active ⇄ suspended (with the reason). An operator may approve or reject straight
# from applied when the documents are obviously fine or obviously wrong.
SELLER_STATUS_TRANSITIONS = {
    Status.APPLIED: {Status.UNDER_REVIEW, Status.ACTIVE, Status.REJECTED},
    Status.UNDER_REVIEW: {Status.ACTIVE, Status.REJECTED},
    Status.REJECTED: {Status.APPLIED},
    Status.ACTIVE: {Status.SUSPENDED},
    Status.SUSPENDED: {Status.ACTIVE},
}
# The message the seller gets for each status it reaches (templates/mail/<event>.txt).
STATUS_EVENTS = {
    Status.APPLIED: "seller.applied",
    Status.UNDER_REVIEW: "seller.under_review",
    Status.REJECTED: "seller.rejected",
    Status.ACTIVE: "seller.approved",
    Status.SUSPENDED: "seller.suspended",
}

SHIPPING_POLICY_AMOUNT_FIELDS = (
    "base_fee_amount",
    "free_threshold_amount",
    "return_fee_amount",
    "exchange_fee_amount",
    "jeju_surcharge_amount",
    "island_surcharge_amount",
)
SHIPPING_POLICY_FIELDS = (*SHIPPING_POLICY_AMOUNT_FIELDS, "courier_name", "ship_within_days", "return_address",
                          "courier_codes")
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


APPLICATION_TEXT_FIELDS = ("mail_order_number", "address", "cs_phone", "bank_name", "bank_account_number",
                           "bank_account_holder")
DOCUMENT_MAX_BYTES = 10 * 2**20
REQUIRED_DOCUMENTS = (SellerDocument.Kind.BUSINESS_REGISTRATION, SellerDocument.Kind.BANK_BOOK)


def check_seller_document(uploaded_file) -> tuple[str, str]:
    """Accept a PDF, JPEG or PNG judged by its content, not its name; return (content type, extension).

    A PDF must start with ``%PDF-`` and end with ``%%EOF``; an image must pass the shop's image
    checks (``catalog.services.images.check_image_file``). Raises ``PartnerError`` otherwise.
    """
    from catalog.exceptions import InvalidImage
    from catalog.services.images import check_image_file

    size = getattr(uploaded_file, "size", None)
    if size is not None and size > DOCUMENT_MAX_BYTES:
        raise PartnerError(_("The document is larger than %(megabytes)s MB.") % {"megabytes": DOCUMENT_MAX_BYTES // 2**20},
                           code="document_size")
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    if head.startswith(b"%PDF-"):
        uploaded_file.seek(0)
        data = uploaded_file.read(DOCUMENT_MAX_BYTES + 1)
        if len(data) > DOCUMENT_MAX_BYTES:
            raise PartnerError(_("The document is larger than %(megabytes)s MB.")
                               % {"megabytes": DOCUMENT_MAX_BYTES // 2**20}, code="document_size")
        if b"%%EOF" not in data[-2048:]:
            raise PartnerError(_("This PDF is incomplete or damaged. Save it again and upload it."),
                               code="document_type")
        uploaded_file.seek(0)
        return "application/pdf", "pdf"
    try:
        image_format, _width, _height = check_image_file(uploaded_file)
    except InvalidImage:
        image_format = ""
    if image_format not in ("JPEG", "PNG"):
        raise PartnerError(_("Upload the document as a PDF, JPEG or PNG file."), code="document_type")
    uploaded_file.seek(0)
    return ("image/jpeg", "jpg") if image_format == "JPEG" else ("image/png", "png")


def _store_documents(*, seller: Seller, documents: dict, checked: dict, actor) -> list[SellerDocument]:
    stored = []
    for kind, uploaded in documents.items():
        content_type, extension = checked[kind]
        document = SellerDocument(seller=seller, kind=kind, content_type=content_type,
                                  original_name=(getattr(uploaded, "name", "") or "")[:200],
                                  uploaded_by=actor if getattr(actor, "pk", None) else None)
        uploaded.seek(0)
        document.file.save(f"{seller.pk}-{kind}-{uuid.uuid4().hex[:12]}.{extension}", uploaded, save=False)
        document.save()
        stored.append(document)
    return stored


# Korean customer-service lines are often 8-digit representative numbers (대표번호: 1588-1234).
REPRESENTATIVE_NUMBER = re.compile(r"^1[5-9]\d{2}-?\d{4}$")


def clean_cs_phone(value: str) -> str:
    value = (value or "").strip()
    if REPRESENTATIVE_NUMBER.match(value):
        digits = value.replace("-", "")
        return f"{digits[:4]}-{digits[4:]}"
    value = normalize_phone(value)
    try:
        phone_validator(value)
    except ValidationError as error:
        raise PartnerError(" ".join(error.messages), code="invalid") from error
    return value


def _clean_application(*, fields: dict, documents: dict, agreed_to_terms: bool, documents_required: bool) -> dict:
    """Check the application's own fields and files (nothing is written); returns checked files."""
    if not agreed_to_terms:
        raise PartnerError(_("Agree to the seller terms to apply."), code="terms")
    labels = {
        "mail_order_number": _("Enter the mail-order business report number (통신판매업 신고번호)."),
        "address": _("Enter the business address."),
        "cs_phone": _("Enter the customer service phone number."),
        "bank_name": _("Enter the settlement bank."),
        "bank_account_number": _("Enter the settlement account number."),
        "bank_account_holder": _("Enter the account holder."),
    }
    for name in APPLICATION_TEXT_FIELDS:
        fields[name] = _required(fields.get(name, ""), labels[name])
    fields["cs_phone"] = clean_cs_phone(fields["cs_phone"])
    fields["bank_account_number"] = re.sub(r"[\s]", "", fields["bank_account_number"])
    if not re.fullmatch(r"\d[\d-]{5,28}\d", fields["bank_account_number"]):
        raise PartnerError(_("An account number has digits and dashes only."), code="bank_account")
    unknown = set(documents) - set(SellerDocument.Kind.values)
    if unknown:
        raise TypeError(f"unknown document kinds: {', '.join(sorted(unknown))}")
    if documents_required:
        missing = [SellerDocument.Kind(kind).label for kind in REQUIRED_DOCUMENTS if not documents.get(kind)]
        if missing:
            raise PartnerError(_("Attach: %(documents)s.") % {"documents": ", ".join(str(m) for m in missing)},
                               code="documents")
    return {kind: check_seller_document(uploaded) for kind, uploaded in documents.items() if uploaded}


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
    mail_order_number: str = "",
    address: str = "",
    cs_phone: str = "",
    bank_name: str = "",
    bank_account_number: str = "",
    bank_account_holder: str = "",
    documents: dict | None = None,
    agreed_to_terms: bool = False,
) -> Seller:
    """A user applies to sell (입점 신청): a Seller in APPLIED, the user as its OWNER, a default
    shipping policy, the two documents stored privately; operators are told.

    Every field of the application is required: the business registration number must pass the
    check-digit test (stored as 123-45-67890) and not be registered yet; the documents
    (business registration certificate and bank book copy) are PDF/JPEG/PNG by content; the
    seller terms must be agreed. A user works for one seller at most. Raises ``PartnerError`` /
    ``DuplicateBusinessNumber`` with a message for the applicant; nothing is written then.
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
    documents = dict(documents or {})
    extra = {"mail_order_number": mail_order_number, "address": address, "cs_phone": cs_phone,
             "bank_name": bank_name, "bank_account_number": bank_account_number,
             "bank_account_holder": bank_account_holder}
    checked = _clean_application(fields=extra, documents=documents, agreed_to_terms=agreed_to_terms,
                                 documents_required=True)
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
                terms_agreed_at=timezone.now(),
                **extra,
            )
    except IntegrityError as error:  # a concurrent application won the race for the number or name
        if Seller.objects.filter(business_number=number).exists():
            raise _duplicate_business_number() from error
        raise PartnerError(_("This store name is already taken. Please choose another."), code="name_taken") from error
    SellerStaff.objects.create(user=user, seller=seller, role=SellerStaff.Role.OWNER)
    ShippingPolicy.objects.create(seller=seller)
    _store_documents(seller=seller, documents=documents, checked=checked, actor=user)
    _tell_seller(seller, Status.APPLIED, key=f"{seller.pk}:new")
    return seller


@transaction.atomic
def reapply_seller(*, seller: Seller, actor, documents: dict | None = None, agreed_to_terms: bool = False,
                   **fields) -> Seller:
    """The owner of a rejected application fixes it and sends it again: REJECTED → APPLIED.

    ``fields`` are the application's fields (the business registration number may not change:
    a different business applies anew). New documents replace nothing: the operator sees them all,
    newest first. Raises ``PartnerError`` and writes nothing when a field is invalid.
    """
    if not SellerStaff.objects.filter(user_id=getattr(actor, "pk", None), seller=seller,
                                      role=SellerStaff.Role.OWNER).exists():
        raise SellerPermissionDenied(_("Only the owner can re-apply."))
    allowed = {"business_name", "representative", "contact_name", "contact_phone", "contact_email", "description",
               *APPLICATION_TEXT_FIELDS}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown application fields: {', '.join(sorted(unknown))}")
    documents = dict(documents or {})
    locked = Seller.objects.select_for_update().get(pk=seller.pk)
    extra = {name: fields.get(name, getattr(locked, name)) for name in APPLICATION_TEXT_FIELDS}
    checked = _clean_application(fields=extra, documents=documents, agreed_to_terms=agreed_to_terms,
                                 documents_required=False)
    changed = dict(extra)
    for name in ("business_name", "representative", "contact_name", "description"):
        if name in fields:
            changed[name] = (fields[name] or "").strip()
            if name != "description" and not changed[name]:
                raise PartnerError(_("Fill in every field of the application."), code="required")
    if "contact_phone" in fields:
        changed["contact_phone"] = normalize_phone(fields["contact_phone"])
    if "contact_email" in fields:
        changed["contact_email"] = (fields["contact_email"] or "").strip().lower()
    try:
        phone_validator(changed.get("contact_phone", locked.contact_phone))
        validate_email(changed.get("contact_email", locked.contact_email))
    except ValidationError as error:
        raise PartnerError(" ".join(error.messages), code="invalid") from error
    for name, value in changed.items():
        setattr(locked, name, value)
    locked.terms_agreed_at = timezone.now()
    locked.save(update_fields=[*changed, "terms_agreed_at", "updated_at"])
    change = move(locked, to=Status.APPLIED, table=SELLER_STATUS_TRANSITIONS, actor=actor,
                  reason=_("Re-applied after the rejection"))
    _store_documents(seller=locked, documents=documents, checked=checked, actor=actor)
    _tell_seller(locked, Status.APPLIED, key=f"{locked.pk}:{change.pk}")
    seller.status = locked.status
    return locked


def _tell_seller(seller: Seller, status: str, *, key: str, event: str = "") -> None:
    """The seller's message for the status it reached (mail to the contact, 알림톡 to its phone)."""
    notify(event=event or STATUS_EVENTS[status], key=key, context={"seller": seller, "reason": seller.status_reason},
           email=seller.contact_email, phone=seller.contact_phone, subject_object=seller)


def _move_seller(*, seller: Seller, actor, to: str, only_from, reason: str) -> Seller:
    if not is_operator(actor):
        raise SellerPermissionDenied(_("Only an operator can change a seller's status."))
    only_from = {only_from} if isinstance(only_from, str) else set(only_from)
    locked = Seller.objects.select_for_update().get(pk=seller.pk)
    if locked.status not in only_from:
        labels = dict(Status.choices)
        raise TransitionNotAllowed(
            _("Cannot change from “%(current)s” to “%(target)s”.")
            % {"current": labels.get(locked.status, locked.status), "target": labels.get(to, to)}
        )
    was_suspended = locked.status == Status.SUSPENDED
    locked.status_reason = (reason or "")[:300]
    change = move(locked, to=to, table=SELLER_STATUS_TRANSITIONS, actor=actor, reason=reason,
                  extra_update_fields=("status_reason",))
    _tell_seller(locked, to, key=f"{locked.pk}:{change.pk}", event="seller.reactivated" if was_suspended else "")
    seller.status, seller.updated_at, seller.status_reason = locked.status, locked.updated_at, locked.status_reason
    cache_versions.bump_seller(locked.pk)
    return locked


@transaction.atomic
def start_review(*, seller: Seller, actor, reason: str = "") -> Seller:
    """An operator takes an application: APPLIED → UNDER_REVIEW (the applicant sees it)."""
    return _move_seller(seller=seller, actor=actor, to=Status.UNDER_REVIEW, only_from=Status.APPLIED, reason=reason)


@transaction.atomic
def approve_seller(*, seller: Seller, actor, reason: str = "", commission_rate: Decimal | None = None,
                   category_rates: dict | None = None, cycle: str = "", pg_fee_borne_by_seller: bool = False,
                   ship_within_days: int | None = None) -> Seller:
    """An operator approves an application with its contract: APPLIED / UNDER_REVIEW → ACTIVE.

    The contract (``settlement.services.contracts.set_seller_contract``) records the seller's
    commission rate (None: the category and site rules apply), per-category overrides and the
    settlement cycle (weekly unless given); ``ship_within_days`` goes on the shipping policy.
    All in one transaction with the status change: an invalid term approves nothing.
    """
    from settlement.models import SettlementContract
    from settlement.services.contracts import set_seller_contract

    if commission_rate is not None and not Decimal("0") <= Decimal(commission_rate) <= Decimal("100"):
        raise PartnerError(_("A commission rate is between 0 and 100 percent."), code="commission")
    for rate in (category_rates or {}).values():
        if not Decimal("0") <= Decimal(rate) <= Decimal("100"):
            raise PartnerError(_("A commission rate is between 0 and 100 percent."), code="commission")
    cycle = cycle or SettlementContract.Cycle.WEEKLY
    if cycle not in SettlementContract.Cycle.values:
        raise PartnerError(_("Choose the settlement cycle."), code="cycle")
    locked = _move_seller(seller=seller, actor=actor, to=Status.ACTIVE,
                          only_from={Status.APPLIED, Status.UNDER_REVIEW}, reason=reason)
    set_seller_contract(seller=locked, actor=actor, commission_rate=commission_rate, category_rates=category_rates,
                        cycle=cycle, pg_fee_borne_by_seller=pg_fee_borne_by_seller, reason=reason)
    if ship_within_days is not None:
        update_shipping_policy(seller=locked, actor=actor, ship_within_days=ship_within_days)
    return locked


@transaction.atomic
def reject_seller(*, seller: Seller, actor, reason: str) -> Seller:
    """An operator refuses an application: APPLIED / UNDER_REVIEW → REJECTED, with the reason the
    applicant reads; the owner may fix the application and re-apply."""
    reason = _required(reason, _("Give the reason for the rejection."))
    return _move_seller(seller=seller, actor=actor, to=Status.REJECTED,
                        only_from={Status.APPLIED, Status.UNDER_REVIEW}, reason=reason)


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
        elif field_name == "courier_codes":
            from orders.models import Courier

            codes = list(dict.fromkeys(str(code) for code in (value or [])))
            known = set(Courier.objects.filter(code__in=codes, is_active=True).values_list("code", flat=True))
            if set(codes) - known:
                raise PartnerError(_("Choose couriers from the list."), code="courier")
            value = codes
        else:
            value = (value or "").strip()
        setattr(policy, field_name, value)
    if fields:
        policy.save(update_fields=[*fields, "updated_at"])
    cache_versions.bump_seller(seller.pk)
    return policy


# --- The seller's own staff, profile and holidays (the partner portal) --------------------------

INVITATION_DAYS = 7
PROFILE_FIELDS = ("description", "contact_name", "contact_phone", "contact_email", "cs_phone", "address")


def check_store_right(actor, seller: Seller, area: str) -> SellerStaff:
    """The actor must be staff of ``seller`` with the write right of ``area`` (portal.WRITE)."""
    from partners.portal import can

    staff = SellerStaff.objects.select_related("seller").filter(user_id=getattr(actor, "pk", None),
                                                               seller_id=seller.pk).first()
    if staff is None or not can(staff, area, write=True):
        raise SellerPermissionDenied(_("You may not change this."))
    return staff


@transaction.atomic
def invite_staff(*, seller: Seller, actor, email: str, role: str) -> SellerInvitation:
    """The owner invites a person by email with a role; the person gets a link valid 7 days.

    Refused when the email already works for a seller, or is already invited and not answered.
    """
    from partners.portal import Area

    check_store_right(actor, seller, Area.STAFF)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise PartnerError(" ".join(error.messages), code="invalid") from error
    if role not in SellerStaff.Role.values:
        raise PartnerError(_("Choose a role."), code="role")
    if SellerStaff.objects.filter(user__email__iexact=email).exists():
        raise PartnerError(_("This person already works for a seller."), code="already_staff")
    now = timezone.now()
    if SellerInvitation.objects.filter(seller=seller, email=email, accepted_at=None, cancelled_at=None,
                                       expires_at__gt=now).exists():
        raise PartnerError(_("This person is already invited."), code="already_invited")
    invitation = SellerInvitation.objects.create(
        seller=seller, email=email, role=role, token=secrets.token_urlsafe(32), invited_by=actor,
        expires_at=now + timedelta(days=INVITATION_DAYS))
    notify(event="seller.staff_invited", key=f"{seller.pk}:{invitation.pk}",
           context={"seller": seller, "invitation": invitation, "role": SellerStaff.Role(role).label,
                    "path": f"{settings.SITE_URL}/partner/invitations/{invitation.token}/"},
           email=email, subject_object=seller)
    return invitation


@transaction.atomic
def accept_invitation(*, token: str, user) -> SellerStaff:
    """The invited person (signed in with the invited email) joins the seller with the role."""
    invitation = SellerInvitation.objects.select_for_update().select_related("seller").filter(token=token).first()
    if invitation is None or not getattr(user, "pk", None) or invitation.email != (user.email or "").lower():
        raise PartnerError(_("This invitation is not for this account."), code="not_found")
    if not invitation.is_open:
        raise PartnerError(_("This invitation was used, cancelled or has expired. Ask for a new one."),
                           code="closed")
    if SellerStaff.objects.filter(user=user).exists():
        raise PartnerError(_("Your account already belongs to a seller."), code="already_staff")
    staff = SellerStaff.objects.create(user=user, seller=invitation.seller, role=invitation.role)
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return staff


@transaction.atomic
def cancel_invitation(*, seller: Seller, actor, invitation_id: int) -> SellerInvitation:
    from partners.portal import Area

    check_store_right(actor, seller, Area.STAFF)
    invitation = SellerInvitation.objects.select_for_update().filter(pk=invitation_id, seller=seller).first()
    if invitation is None:
        raise PartnerError(_("No such invitation."), code="not_found")
    if invitation.accepted_at is None and invitation.cancelled_at is None:
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])
    return invitation


def _other_owners(seller: Seller, staff_id: int) -> bool:
    return SellerStaff.objects.filter(seller=seller, role=SellerStaff.Role.OWNER).exclude(pk=staff_id).exists()


@transaction.atomic
def change_staff_role(*, seller: Seller, actor, staff_id: int, role: str) -> SellerStaff:
    """The owner changes a member's role; the seller always keeps at least one owner."""
    from partners.portal import Area

    check_store_right(actor, seller, Area.STAFF)
    if role not in SellerStaff.Role.values:
        raise PartnerError(_("Choose a role."), code="role")
    list(SellerStaff.objects.select_for_update().filter(seller=seller).values_list("pk", flat=True))
    member = SellerStaff.objects.filter(pk=staff_id, seller=seller).first()
    if member is None:
        raise PartnerError(_("No such staff member."), code="not_found")
    if member.role == SellerStaff.Role.OWNER and role != SellerStaff.Role.OWNER and not _other_owners(seller, member.pk):
        raise PartnerError(_("The store needs at least one owner."), code="last_owner")
    member.role = role
    member.save(update_fields=["role", "updated_at"])
    return member


@transaction.atomic
def remove_staff(*, seller: Seller, actor, staff_id: int) -> None:
    """The owner removes a member (the account stays; it just leaves this seller)."""
    from partners.portal import Area

    check_store_right(actor, seller, Area.STAFF)
    list(SellerStaff.objects.select_for_update().filter(seller=seller).values_list("pk", flat=True))
    member = SellerStaff.objects.filter(pk=staff_id, seller=seller).first()
    if member is None:
        raise PartnerError(_("No such staff member."), code="not_found")
    if member.role == SellerStaff.Role.OWNER and not _other_owners(seller, member.pk):
        raise PartnerError(_("The store needs at least one owner."), code="last_owner")
    member.delete()


@transaction.atomic
def update_seller_profile(*, seller: Seller, actor, **fields) -> Seller:
    """The store's public and contact details. The business data and the settlement account
    (checked by the operator at approval) change only through the operator."""
    from partners.portal import Area

    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown profile fields: {', '.join(sorted(unknown))}")
    check_store_right(actor, seller, Area.STORE)
    locked = Seller.objects.select_for_update().get(pk=seller.pk)
    for name, value in fields.items():
        value = (value or "").strip()
        if name == "cs_phone":
            value = clean_cs_phone(value)
        elif name == "contact_phone":
            value = normalize_phone(value)
            try:
                phone_validator(value)
            except ValidationError as error:
                raise PartnerError(" ".join(error.messages), code="invalid") from error
        elif name == "contact_email":
            try:
                validate_email(value)
            except ValidationError as error:
                raise PartnerError(" ".join(error.messages), code="invalid") from error
            value = value.lower()
        elif name in ("contact_name", "cs_phone", "address") and not value:
            raise PartnerError(_("Fill in every field of the application."), code="required")
        setattr(locked, name, value)
    if fields:
        locked.save(update_fields=[*fields, "updated_at"])
    return locked


@transaction.atomic
def add_holiday(*, seller: Seller, actor, day: date, note: str = "") -> SellerHoliday:
    """A day the seller does not ship (today or later; a past day would rewrite penalties)."""
    from partners.portal import Area

    check_store_right(actor, seller, Area.STORE)
    if day < timezone.localdate():
        raise PartnerError(_("A holiday is today or later."), code="past")
    holiday, _created = SellerHoliday.objects.get_or_create(seller=seller, date=day,
                                                           defaults={"note": (note or "").strip()[:60]})
    return holiday


@transaction.atomic
def remove_holiday(*, seller: Seller, actor, holiday_id: int) -> None:
    from partners.portal import Area

    check_store_right(actor, seller, Area.STORE)
    deleted, _rows = SellerHoliday.objects.filter(pk=holiday_id, seller=seller).delete()
    if not deleted:
        raise PartnerError(_("No such holiday."), code="not_found")
