import re
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import StatusChange
from core.money import percent_of
from core.transitions import move
from marketing import discounts
from marketing.exceptions import CouponError
from marketing.models import Coupon, IssuedCoupon, OrderLineDiscount

CS = Coupon.Status
COUPON_STATUS_TRANSITIONS = {
    CS.ACTIVE: {CS.PAUSED, CS.ENDED},
    CS.PAUSED: {CS.ACTIVE, CS.ENDED},
    CS.ENDED: set(),
}


@transaction.atomic
def change_coupon_status(*, coupon_id: int, to: str, actor, reason: str = "") -> Coupon:
    """Pause, resume or end a coupon (operator); audited."""
    coupon = Coupon.objects.select_for_update().get(pk=coupon_id)
    move(coupon, to=to, table=COUPON_STATUS_TRANSITIONS, actor=actor, reason=reason)
    return coupon


@transaction.atomic
def issue_coupon(*, coupon_id: int, user, source: str, now=None) -> IssuedCoupon:
    """Put a coupon in a shopper's box, within the coupon's total and per-shopper limits.

    The coupon row is locked, so concurrent downloads cannot exceed the limits.
    """
    now = now or timezone.now()
    coupon = Coupon.objects.select_for_update().filter(pk=coupon_id).first()
    if coupon is None or coupon.status != CS.ACTIVE:
        raise CouponError(_("This coupon is not being issued."), code="inactive")
    if coupon.valid_until and coupon.valid_until <= now:
        raise CouponError(_("This coupon has ended."), code="ended")
    if coupon.total_limit is not None and coupon.issued_count >= coupon.total_limit:
        raise CouponError(_("All of these coupons have been given out."), code="sold_out")
    if IssuedCoupon.objects.filter(coupon=coupon, user=user).count() >= coupon.per_user_limit:
        raise CouponError(_("You already have this coupon."), code="limit")
    if coupon.valid_days:
        starts, expires = now, now + timedelta(days=coupon.valid_days)
        if coupon.valid_until:
            expires = min(expires, coupon.valid_until)
    else:
        starts, expires = coupon.valid_from, coupon.valid_until
    Coupon.objects.filter(pk=coupon.pk).update(issued_count=F("issued_count") + 1)
    return IssuedCoupon.objects.create(coupon=coupon, user=user, starts_at=starts, expires_at=expires, source=source)


def download_coupon(*, coupon_id: int, user) -> IssuedCoupon:
    """A shopper downloads a coupon shown on a product page or in the coupon zone."""
    if not Coupon.objects.filter(pk=coupon_id, downloadable=True).exists():
        raise CouponError(_("This coupon cannot be downloaded."), code="not_downloadable")
    return issue_coupon(coupon_id=coupon_id, user=user, source="download")


def redeem_coupon_code(*, code: str, user) -> IssuedCoupon:
    coupon = Coupon.objects.filter(code__iexact=(code or "").strip()).first()
    if coupon is None:
        raise CouponError(_("There is no coupon with that code."), code="unknown_code")
    return issue_coupon(coupon_id=coupon.pk, user=user, source="code")


def issue_to_users(*, coupon_id: int, users, actor) -> list[tuple[object, str]]:
    """Operator issue to chosen shoppers: (user, error or "") per shopper."""
    results = []
    for user in users:
        try:
            issue_coupon(coupon_id=coupon_id, user=user, source="operator")
            results.append((user, ""))
        except CouponError as exc:
            results.append((user, exc.message))
    return results


def auto_issue(*, user, trigger: str) -> list[IssuedCoupon]:
    """Coupons issued by themselves on sign-up or after the first purchase."""
    issued = []
    for coupon_id in Coupon.objects.filter(auto_issue=trigger, status=CS.ACTIVE).values_list("pk", flat=True):
        try:
            issued.append(issue_coupon(coupon_id=coupon_id, user=user, source=trigger))
        except CouponError:
            continue
    return issued


def usable_coupons(*, user, now=None):
    now = now or timezone.now()
    return (
        IssuedCoupon.objects.filter(user=user, status=IssuedCoupon.Status.AVAILABLE)
        .exclude(coupon__status=CS.ENDED)
        .filter(Q(starts_at__isnull=True) | Q(starts_at__lte=now), Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("coupon")
        .prefetch_related("coupon__categories", "coupon__products", "coupon__sellers", "coupon__excluded_products")
        .order_by("expires_at", "id")
    )


def coupon_input(issued: IssuedCoupon) -> discounts.CouponInput:
    coupon = issued.coupon
    return discounts.CouponInput(
        id=issued.pk, kind=coupon.kind, discount_type=coupon.discount_type, discount_value=coupon.discount_value,
        max_discount_amount=coupon.max_discount_amount, min_order_amount=coupon.min_order_amount, scope=coupon.scope,
        category_paths=frozenset(c.path for c in coupon.categories.all()),
        product_ids=frozenset(p.pk for p in coupon.products.all()),
        seller_ids=frozenset(s.pk for s in coupon.sellers.all()),
        excluded_product_ids=frozenset(p.pk for p in coupon.excluded_products.all()),
        funding_seller_id=coupon.funding_seller_id if coupon.funder == Coupon.Funder.SELLER else None,
    )


def coupon_inputs(issued_coupons) -> dict[int, discounts.CouponInput]:
    return {issued.pk: coupon_input(issued) for issued in issued_coupons}


@transaction.atomic
def redeem_for_order(*, user, order, selection: discounts.Selection, lines_by_key: dict,
                     applied: discounts.Discounts) -> None:
    """Spend the selected coupons on ``order`` (in the order's transaction).

    The issued coupons are locked: two checkouts racing for one coupon cannot both spend it.
    Each (coupon, line) discount is recorded with its funders for settlement.
    """
    ids = selection.coupon_ids
    if not ids:
        return
    locked = {c.pk: c for c in IssuedCoupon.objects.select_for_update(of=("self",)).select_related("coupon")
              .filter(pk__in=ids, user=user)}
    now = timezone.now()
    for coupon_id in ids:
        issued = locked.get(coupon_id)
        if issued is None or issued.status != IssuedCoupon.Status.AVAILABLE or (
                issued.expires_at and issued.expires_at <= now):
            raise CouponError(_("A coupon you chose was already used or has expired. Please choose again."),
                              code="used")
    IssuedCoupon.objects.filter(pk__in=ids).update(status=IssuedCoupon.Status.USED, used_at=now, order=order)
    rows = []
    for (coupon_id, key), amount in applied.per_coupon_line.items():
        coupon = locked[coupon_id].coupon
        seller_amount = percent_of(amount, coupon.seller_share_percent) if coupon.funder == Coupon.Funder.SELLER else 0
        rows.append(OrderLineDiscount(line=lines_by_key[key], issued_coupon_id=coupon_id, kind=coupon.kind,
                                      amount=amount, platform_amount=amount - seller_amount, seller_amount=seller_amount))
    OrderLineDiscount.objects.bulk_create(rows)


@transaction.atomic
def release_order_coupons(*, order) -> int:
    """An order that never got paid, or was cancelled whole, gives its coupons back (unless expired)."""
    now = timezone.now()
    returned = IssuedCoupon.objects.filter(order=order, status=IssuedCoupon.Status.USED)
    count = returned.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).update(
        status=IssuedCoupon.Status.AVAILABLE, used_at=None, order=None)
    returned.update(status=IssuedCoupon.Status.EXPIRED)
    return count


def expire_issued_coupons(*, now=None) -> int:
    now = now or timezone.now()
    return IssuedCoupon.objects.filter(status=IssuedCoupon.Status.AVAILABLE, expires_at__lte=now).update(
        status=IssuedCoupon.Status.EXPIRED)


# --- Operator: create a coupon, issue it to chosen shoppers ---------------------------------------

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{3,29}$")
MAX_VALID_DAYS = 3650
COUPON_M2M_FIELDS = ("categories", "products", "sellers", "excluded_products")


class CouponInvalid(CouponError):
    """The coupon's fields break a rule; ``errors`` maps a field name ("" for the whole form) to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        first = next(iter(errors.values()))[0]
        super().__init__(first, code="invalid")
        self.errors = errors


def validate_coupon_fields(fields: dict, *, now=None) -> dict[str, list[str]]:
    """The rules a coupon definition must follow; returns the errors per field (empty when valid).

    ``fields`` holds model field values; the many-to-many ones are lists (or querysets).
    """
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}

    def error(field, message):
        errors.setdefault(field, []).append(message)

    discount_type, value = fields.get("discount_type"), fields.get("discount_value")
    if not fields.get("name", "").strip():
        error("name", _("Give the coupon a name."))
    if fields.get("kind") not in Coupon.Kind.values:
        error("kind", _("Choose a kind of coupon."))
    if discount_type not in Coupon.DiscountType.values:
        error("discount_type", _("Choose amount off or percent off."))
    if not value or value <= 0:
        error("discount_value", _("Enter a discount above zero."))
    elif discount_type == Coupon.DiscountType.PERCENT and value > 100:
        error("discount_value", _("A percent discount can be at most 100%."))
    max_discount = fields.get("max_discount_amount")
    if max_discount is not None:
        if discount_type != Coupon.DiscountType.PERCENT:
            error("max_discount_amount", _("A maximum discount applies only to percent off; leave it empty."))
        elif max_discount <= 0:
            error("max_discount_amount", _("Enter a maximum above zero, or leave it empty."))
    if (fields.get("min_order_amount") or 0) < 0:
        error("min_order_amount", _("The minimum order cannot be negative."))

    scope = fields.get("scope") or Coupon.Scope.ALL
    needs = {Coupon.Scope.CATEGORIES: ("categories", _("Choose at least one category.")),
             Coupon.Scope.PRODUCTS: ("products", _("Add at least one product.")),
             Coupon.Scope.SELLERS: ("sellers", _("Choose at least one seller."))}
    if scope in needs:
        field, message = needs[scope]
        if not list(fields.get(field) or []):
            error(field, message)
    included = {getattr(p, "pk", p) for p in (fields.get("products") or [])} if scope == Coupon.Scope.PRODUCTS else set()
    excluded = {getattr(p, "pk", p) for p in (fields.get("excluded_products") or [])}
    if included & excluded:
        error("excluded_products", _("A product cannot be both included and excluded."))

    valid_from, valid_until, valid_days = fields.get("valid_from"), fields.get("valid_until"), fields.get("valid_days")
    if not valid_until and not valid_days:
        error("valid_until", _("Give the coupon an end date, or a number of days it stays valid after issue."))
    if valid_days is not None and not 1 <= valid_days <= MAX_VALID_DAYS:
        error("valid_days", _("Enter between 1 and %(max)d days.") % {"max": MAX_VALID_DAYS})
    if valid_days and valid_from:
        error("valid_from", _("A coupon valid for days after issue starts when issued: leave “valid from” empty."))
    if valid_from and valid_until and valid_from >= valid_until:
        error("valid_until", _("The end must come after the start."))
    elif valid_until and valid_until <= now:
        error("valid_until", _("The end date has already passed."))

    total_limit = fields.get("total_limit")
    if total_limit is not None and total_limit <= 0:
        error("total_limit", _("Enter a limit above zero, or leave it empty for no limit."))
    if (fields.get("per_user_limit") or 0) < 1:
        error("per_user_limit", _("Each shopper may hold at least one."))

    funder = fields.get("funder") or Coupon.Funder.PLATFORM
    share = fields.get("seller_share_percent") or 0
    if funder == Coupon.Funder.SELLER:
        if not fields.get("funding_seller"):
            error("funding_seller", _("Choose the seller who funds this coupon."))
        if not 0 <= share <= 100:
            error("seller_share_percent", _("The seller's share is between 0 and 100%."))
    elif fields.get("funding_seller") or share:
        error("funder", _("Only a seller-funded coupon has a funding seller and a seller's share."))

    code = fields.get("code")
    if code:
        if not CODE_PATTERN.match(code):
            error("code", _("Use 4 to 30 letters, digits, “-” or “_”."))
        elif Coupon.objects.filter(code__iexact=code).exists():
            error("code", _("Another coupon already uses this code."))
    return errors


def _normalise_coupon_fields(fields: dict) -> dict:
    fields = dict(fields)
    fields["name"] = (fields.get("name") or "").strip()
    fields["code"] = (fields.get("code") or "").strip().upper() or None
    fields["scope"] = fields.get("scope") or Coupon.Scope.ALL
    fields["funder"] = fields.get("funder") or Coupon.Funder.PLATFORM
    fields["auto_issue"] = fields.get("auto_issue") or Coupon.AutoIssue.NONE
    fields.setdefault("min_order_amount", 0)
    fields["min_order_amount"] = fields["min_order_amount"] or 0
    fields["per_user_limit"] = fields.get("per_user_limit") or 1
    fields["seller_share_percent"] = fields.get("seller_share_percent") or 0
    # The lists a scope does not use are dropped, so the coupon says what it does.
    for scope, field in ((Coupon.Scope.CATEGORIES, "categories"), (Coupon.Scope.PRODUCTS, "products"),
                         (Coupon.Scope.SELLERS, "sellers")):
        if fields["scope"] != scope:
            fields[field] = []
    return fields


@transaction.atomic
def create_coupon(*, actor, **fields) -> Coupon:
    """Create a coupon (operator); raises CouponInvalid with the errors per field.

    ``fields`` are Coupon's fields; ``categories``, ``products``, ``sellers`` and
    ``excluded_products`` are lists of objects or ids. The creation is audited as a status
    change from nothing to active.
    """
    if not getattr(actor, "is_staff", False) or not actor.has_perm("marketing.add_coupon"):
        raise CouponError(_("You may not create coupons."), code="forbidden")
    fields = _normalise_coupon_fields(fields)
    errors = validate_coupon_fields(fields)
    if errors:
        raise CouponInvalid(errors)
    relations = {name: list(fields.pop(name, None) or []) for name in COUPON_M2M_FIELDS}
    coupon = Coupon.objects.create(status=CS.ACTIVE, **fields)
    for name, values in relations.items():
        if values:
            getattr(coupon, name).set(values)
    _audit(coupon, from_status="", to_status=coupon.status, actor=actor, reason=_("Coupon created"))
    return coupon


def _audit(obj, *, from_status: str, to_status: str, actor, reason: str) -> None:
    StatusChange.objects.create(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
                                from_status=from_status, to_status=to_status,
                                actor=actor if getattr(actor, "pk", None) else None, reason=reason)


def parse_emails(text: str) -> list[str]:
    """Emails one per line (commas and spaces also separate), in order, without repeats."""
    emails = []
    for raw in re.split(r"[\s,;]+", text or ""):
        email = raw.strip().lower()
        if email and email not in emails:
            emails.append(email)
    return emails


def issue_to_emails(*, coupon_id: int, emails: list[str], actor) -> list[tuple[str, bool, str]]:
    """Operator issue to the shoppers with these emails: (email, issued?, message) per email.

    Each issue is its own transaction (one shopper's failure does not undo the others) and is
    audited with the operator as the actor.
    """
    if not getattr(actor, "is_staff", False) or not actor.has_perm("marketing.add_issuedcoupon"):
        raise CouponError(_("You may not issue coupons."), code="forbidden")
    users = {user.email_lower: user for user in get_user_model().objects.annotate(email_lower=Lower("email"))
             .filter(email_lower__in=emails, is_active=True)} if emails else {}
    results = []
    for email in emails:
        user = users.get(email)
        if user is None:
            results.append((email, False, _("No shopper has this email.")))
            continue
        try:
            with transaction.atomic():
                issued = issue_coupon(coupon_id=coupon_id, user=user, source="operator")
                _audit(issued, from_status="", to_status=issued.status, actor=actor, reason=_("Issued by an operator"))
        except CouponError as exc:
            results.append((email, False, exc.message))
        else:
            results.append((email, True, _("Issued")))
    return results
