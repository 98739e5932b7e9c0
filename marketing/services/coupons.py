from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

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
