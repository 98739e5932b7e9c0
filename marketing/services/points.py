"""Points (적립금): a ledger. Credits (earn, grant, restore) carry ``remaining`` and an expiry;
debits (use, deduct, expire, clawback) consume credits oldest-expiring first.

Each shopper's point operations are serialised by locking the user's row.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import percent_of
from marketing.exceptions import PointsError
from marketing.models import PointEntry

K = PointEntry.Kind


def _lock_user(user_id: int) -> None:
    get_user_model().objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True).first()


def _expiry(now=None):
    """Points expire POINTS_EXPIRY_MONTHS calendar months after they are credited (Korea time),
    on the same date: 12 months from 2026-03-15 is 2027-03-15, not 360 days later."""
    from core.dates import add_months

    now = timezone.localtime(now or timezone.now())
    return add_months(now, settings.POINTS_EXPIRY_MONTHS)


def balance(*, user) -> int:
    return PointEntry.objects.filter(user=user).aggregate(total=Coalesce(Sum("amount"), 0))["total"]


def expiring_soon(*, user, days: int = 30, now=None) -> int:
    now = now or timezone.now()
    return PointEntry.objects.filter(user=user, remaining__gt=0, expires_at__lte=now + timedelta(days=days)).aggregate(
        total=Coalesce(Sum("remaining"), 0))["total"]


def max_usable(*, user, payable_amount: int) -> int:
    """How many points this shopper may use on an order of ``payable_amount`` (0 if none)."""
    have = balance(user=user)
    if have < settings.POINTS_MIN_BALANCE_TO_USE:
        return 0
    cap = min(have, percent_of(payable_amount, settings.POINTS_MAX_USE_PERCENT))
    return cap - cap % settings.POINTS_USE_UNIT


def validate_use(*, user, amount: int, payable_amount: int) -> None:
    if amount == 0:
        return
    unit, minimum = settings.POINTS_USE_UNIT, settings.POINTS_MIN_BALANCE_TO_USE
    if amount < 0 or amount % unit:
        raise PointsError(_("Use points in units of %(unit)d won.") % {"unit": unit}, code="unit")
    have = balance(user=user)
    if have < minimum:
        raise PointsError(_("Points can be used from a balance of %(minimum)s won.") % {"minimum": f"{minimum:,}"},
                          code="minimum")
    if amount > have:
        raise PointsError(_("You have %(balance)s won in points.") % {"balance": f"{have:,}"}, code="balance")
    limit = percent_of(payable_amount, settings.POINTS_MAX_USE_PERCENT)
    if amount > limit:
        raise PointsError(_("Points can pay at most %(percent)d%% of the order (%(limit)s won).") % {
            "percent": settings.POINTS_MAX_USE_PERCENT, "limit": f"{limit:,}"}, code="share")


def _consume(user, amount: int, *, now) -> None:
    """Take ``amount`` from the user's credits, the soonest to expire first."""
    left = amount
    credits = (PointEntry.objects.select_for_update().filter(user=user, remaining__gt=0)
               .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
               .order_by(F("expires_at").asc(nulls_last=True), "id"))
    for credit in credits:
        if left == 0:
            break
        take = min(left, credit.remaining)
        PointEntry.objects.filter(pk=credit.pk).update(remaining=F("remaining") - take)
        left -= take
    if left:
        raise PointsError(_("Not enough points."), code="balance")


@transaction.atomic
def use_points(*, user, amount: int, payable_amount: int, order) -> PointEntry | None:
    """Spend points on an order (inside the order's transaction)."""
    if not amount:
        return None
    _lock_user(user.pk)
    validate_use(user=user, amount=amount, payable_amount=payable_amount)
    now = timezone.now()
    _consume(user, amount, now=now)
    return PointEntry.objects.create(user=user, kind=K.USE, amount=-amount, order=order,
                                     reason=_("Used on order %(number)s") % {"number": order.number})


@transaction.atomic
def restore_points(*, user, amount: int, order=None, line=None, reason: str = "") -> PointEntry | None:
    """Give used points back (an unpaid order ended, or a claim refunded them): a new credit."""
    if amount <= 0:
        return None
    _lock_user(user.pk)
    return PointEntry.objects.create(user=user, kind=K.RESTORE, amount=amount, remaining=amount,
                                     expires_at=_expiry(), order=order, line=line, reason=reason)


def restore_order_points(*, order, reason: str = "") -> PointEntry | None:
    used = -PointEntry.objects.filter(order=order, kind=K.USE).aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    restored = PointEntry.objects.filter(order=order, kind=K.RESTORE).aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    return restore_points(user=order.user, amount=used - restored, order=order, reason=reason)


def earn_rate(line) -> Decimal:
    rate = line.product.points_rate_percent
    return Decimal(str(settings.POINTS_EARN_RATE_PERCENT)) if rate is None else rate


@transaction.atomic
def earn_points_for_line(*, line) -> PointEntry | None:
    """Purchase confirmed: points on what the shopper paid for the items (not shipping, not points)."""
    base = line.items_amount - line.discount_share_amount - line.points_share_amount - line.refunded_amount
    amount = percent_of(max(0, base), earn_rate(line))
    if amount <= 0:
        return None
    _lock_user(line.order.user_id)
    try:
        with transaction.atomic():
            return PointEntry.objects.create(
                user_id=line.order.user_id, kind=K.EARN, amount=amount, remaining=amount, expires_at=_expiry(),
                order_id=line.order_id, line=line,
                reason=_("Purchase confirmed: %(name)s") % {"name": line.product_name})
    except IntegrityError:  # already earned for this line
        return PointEntry.objects.get(line=line, kind=K.EARN)


@transaction.atomic
def clawback_points_for_line(*, line, actor=None) -> int:
    """A returned line takes back the points it earned; returns what could not be taken back
    because the shopper already spent it (the claim deducts that from the refund)."""
    _lock_user(line.order.user_id)
    earned = PointEntry.objects.select_for_update().filter(line=line, kind=K.EARN).first()
    if earned is None or PointEntry.objects.filter(line=line, kind=K.CLAWBACK).exists():
        return 0
    take = earned.remaining
    if take:
        PointEntry.objects.filter(pk=earned.pk).update(remaining=0)
        PointEntry.objects.create(user_id=earned.user_id, kind=K.CLAWBACK, amount=-take, order_id=line.order_id,
                                  line=line, actor=actor, reason=_("Returned: %(name)s") % {"name": line.product_name})
    return earned.amount - take


@transaction.atomic
def adjust_points(*, user, amount: int, reason: str, actor) -> PointEntry:
    """An operator grants (amount > 0) or deducts (amount < 0) points, with a reason."""
    if not actor.is_staff or not actor.has_perm("marketing.add_pointentry"):
        raise PointsError(_("You may not adjust points."), code="forbidden")
    if not reason.strip():
        raise PointsError(_("Give a reason."), code="reason")
    if amount == 0:
        raise PointsError(_("Enter an amount other than zero."), code="amount")
    _lock_user(user.pk)
    if amount > 0:
        return PointEntry.objects.create(user=user, kind=K.GRANT, amount=amount, remaining=amount,
                                         expires_at=_expiry(), reason=reason, actor=actor)
    if -amount > balance(user=user):
        raise PointsError(_("The shopper has only %(balance)s won in points.") % {
            "balance": f"{balance(user=user):,}"}, code="balance")
    _consume(user, -amount, now=timezone.now())
    return PointEntry.objects.create(user=user, kind=K.DEDUCT, amount=amount, reason=reason, actor=actor)


def expire_points(*, now=None, limit: int = 5000) -> int:
    """Credits past their expiry lose what remains of them, oldest first (Celery beat)."""
    now = now or timezone.now()
    expired = 0
    for credit_id in (PointEntry.objects.filter(remaining__gt=0, expires_at__lte=now)
                      .order_by("expires_at", "id").values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            credit = PointEntry.objects.select_for_update().get(pk=credit_id)
            if credit.remaining <= 0:
                continue
            PointEntry.objects.create(user_id=credit.user_id, kind=K.EXPIRE, amount=-credit.remaining,
                                      reason=_("Expired (earned %(date)s)") % {"date": credit.created_at.date()})
            PointEntry.objects.filter(pk=credit.pk).update(remaining=0)
            expired += 1
    return expired
