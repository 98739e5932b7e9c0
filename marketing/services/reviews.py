"""Reviews (후기): only from a purchase-confirmed line, once per line, within the review window.

A review may carry a points reward (text or photo amount from settings), funded by the platform
or by the seller when the seller opted in; the page discloses it. A review whose line is later
returned in full loses its reward (``revoke_rewards_of_returned_lines``, run by beat).
"""

import io
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from accounts.roles import is_operator
from core.transitions import move
from marketing.exceptions import MarketingError
from marketing.models import PointEntry, Review, ReviewPhoto, ReviewReport, ReviewRewardOptIn, ReviewVote

MAX_PHOTOS = 5
THUMBNAIL_WIDTH = 480
ALLOWED = {
    Review.Status.PUBLISHED: {Review.Status.HIDDEN},
    Review.Status.HIDDEN: {Review.Status.PUBLISHED},
}


class ReviewError(MarketingError):
    pass


def _line_model():
    from orders.models import OrderLine

    return OrderLine


def review_problem(line, *, user, now=None) -> str:
    """Why ``user`` may not review ``line`` now ("" when they may)."""
    OrderLine = _line_model()
    now = now or timezone.now()
    if line.order.user_id != getattr(user, "pk", None):
        return _("You can only review your own purchases.")
    if line.confirmed_at is None or line.status in (OrderLine.Status.CANCELLED, OrderLine.Status.RETURNED):
        return _("You can review a product once you have confirmed the purchase.")
    if line.refunded_quantity >= line.quantity:
        return _("This purchase was refunded.")
    if line.confirmed_at + timedelta(days=settings.REVIEW_WINDOW_DAYS) < now:
        return _("Reviews can be written within %(days)d days of confirming the purchase.") % {
            "days": settings.REVIEW_WINDOW_DAYS}
    if Review.objects.filter(line_id=line.pk).exists():
        return _("You have already reviewed this purchase.")
    return ""


def reward_for(*, has_photos: bool) -> int:
    return settings.REVIEW_REWARD_PHOTO_AMOUNT if has_photos else settings.REVIEW_REWARD_TEXT_AMOUNT


def _thumbnail(uploaded) -> ContentFile:
    uploaded.seek(0)
    with Image.open(uploaded) as picture:
        picture = picture.convert("RGB")
        if picture.width > THUMBNAIL_WIDTH:
            picture = picture.resize((THUMBNAIL_WIDTH, round(picture.height * THUMBNAIL_WIDTH / picture.width)))
        buffer = io.BytesIO()
        picture.save(buffer, "WEBP", quality=80)
    return ContentFile(buffer.getvalue())


def _check_photos(files) -> list[str]:
    from catalog.exceptions import InvalidImage
    from catalog.services.images import ACCEPTED_FORMATS, check_image_file

    if len(files) > MAX_PHOTOS:
        raise ReviewError(_("Attach at most %(max)d photos.") % {"max": MAX_PHOTOS}, code="photos")
    extensions = []
    for uploaded in files:
        try:
            image_format, _width, _height = check_image_file(uploaded)
        except InvalidImage as error:
            raise ReviewError(error.message, code=error.code) from None
        extensions.append(ACCEPTED_FORMATS[image_format])
    return extensions


@transaction.atomic
def write_review(*, line_id: int, user, rating: int, body: str, photos=(), now=None) -> Review:
    """Write the review of a confirmed line (photos checked first: all stored or none) and credit
    the reward points. Raises ReviewError with a message the shopper can read."""
    from marketing.services.points import _expiry, _lock_user

    OrderLine = _line_model()
    now = now or timezone.now()
    line = (OrderLine.objects.select_for_update(of=("self",)).select_related("order", "product")
            .filter(pk=line_id).first())
    if line is None:
        raise ReviewError(_("This purchase does not exist."), code="missing")
    problem = review_problem(line, user=user, now=now)
    if problem:
        raise ReviewError(problem, code="not_allowed")
    body = (body or "").strip()
    if not 1 <= int(rating) <= 5:
        raise ReviewError(_("Choose a rating from 1 to 5."), code="rating")
    if len(body) < settings.REVIEW_MIN_LENGTH:
        raise ReviewError(_("Write at least %(count)d characters.") % {"count": settings.REVIEW_MIN_LENGTH},
                          code="body")
    photos = list(photos)
    extensions = _check_photos(photos)
    funder = (Review.Funder.SELLER if ReviewRewardOptIn.objects.filter(seller_id=line.seller_id).exists()
              else Review.Funder.PLATFORM)
    reward = reward_for(has_photos=bool(photos))
    try:
        with transaction.atomic():
            review = Review.objects.create(
                line=line, product_id=line.product_id, seller_id=line.seller_id, user=user, sku_id=line.sku_id,
                option_label=line.option_label, rating=int(rating), body=body, has_photos=bool(photos),
                reward_amount=reward, reward_funder=funder,
            )
    except IntegrityError:
        raise ReviewError(_("You have already reviewed this purchase."), code="duplicate") from None
    for position, (uploaded, extension) in enumerate(zip(photos, extensions, strict=True)):
        name = f"{review.pk}-{uuid.uuid4().hex[:12]}"
        photo = ReviewPhoto(review=review, position=position)
        photo.thumbnail.save(f"{name}-w{THUMBNAIL_WIDTH}.webp", _thumbnail(uploaded), save=False)
        uploaded.seek(0)
        photo.image.save(f"{name}.{extension}", uploaded, save=False)
        photo.save()
    if reward:
        _lock_user(user.pk)
        PointEntry.objects.create(
            user=user, kind=PointEntry.Kind.REVIEW, amount=reward, remaining=reward, expires_at=_expiry(now),
            order_id=line.order_id, line=line,
            reason=_("Review reward: %(name)s") % {"name": line.product_name},
        )
    return review


@transaction.atomic
def revoke_review_reward(*, review_id: int, actor=None, now=None) -> int:
    """Take the reward back (the reviewed line was returned). Takes what is left of the reward credit,
    then from other credits up to the balance; returns the points taken. Once per review."""
    from django.db.models import Q, Sum
    from django.db.models.functions import Coalesce

    from marketing.services.points import _consume, _lock_user

    now = now or timezone.now()
    review = Review.objects.select_for_update().get(pk=review_id)
    if not review.reward_amount or review.reward_revoked_at is not None:
        return 0
    _lock_user(review.user_id)
    credit = PointEntry.objects.select_for_update().filter(line_id=review.line_id, kind=PointEntry.Kind.REVIEW).first()
    taken = 0
    if credit is not None and credit.remaining:
        taken = min(credit.remaining, review.reward_amount)
        PointEntry.objects.filter(pk=credit.pk).update(remaining=F("remaining") - taken)
    spendable = (PointEntry.objects.filter(user_id=review.user_id, remaining__gt=0)
                 .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
                 .aggregate(total=Coalesce(Sum("remaining"), 0))["total"])
    rest = min(review.reward_amount - taken, spendable)
    if rest > 0:
        _consume(review.user, rest, now=now)
        taken += rest
    if taken:
        PointEntry.objects.create(
            user_id=review.user_id, kind=PointEntry.Kind.REVIEW_CLAWBACK, amount=-taken, order_id=review.line.order_id,
            line_id=review.line_id, actor=actor if getattr(actor, "pk", None) else None,
            reason=_("Review reward taken back: the purchase was returned"),
        )
    review.reward_revoked_at = now
    review.save(update_fields=["reward_revoked_at", "updated_at"])
    return taken


def revoke_rewards_of_returned_lines(*, now=None, limit: int = 500) -> int:
    """Beat: every rewarded review whose line was returned (all its units refunded) loses its reward."""
    OrderLine = _line_model()
    ids = list(
        Review.objects.filter(reward_amount__gt=0, reward_revoked_at__isnull=True)
        .filter(line__status__in=[OrderLine.Status.RETURNED, OrderLine.Status.CANCELLED])
        .values_list("pk", flat=True)[:limit]
    ) + list(
        Review.objects.filter(reward_amount__gt=0, reward_revoked_at__isnull=True,
                              line__refunded_quantity__gte=F("line__quantity"))
        .values_list("pk", flat=True)[:limit]
    )
    for review_id in sorted(set(ids)):
        revoke_review_reward(review_id=review_id, now=now)
    return len(set(ids))


@transaction.atomic
def vote_helpful(*, review_id: int, user) -> bool:
    """One "helpful" vote per person; not on one's own review. False when already voted."""
    review = Review.objects.filter(pk=review_id, status=Review.Status.PUBLISHED).first()
    if review is None:
        raise ReviewError(_("This review does not exist."), code="missing")
    if review.user_id == user.pk:
        raise ReviewError(_("You cannot vote for your own review."), code="own")
    try:
        with transaction.atomic():
            ReviewVote.objects.create(review=review, user=user)
    except IntegrityError:
        return False
    Review.objects.filter(pk=review.pk).update(helpful_count=F("helpful_count") + 1)
    return True


@transaction.atomic
def report_review(*, review_id: int, user, reason: str) -> bool:
    reason = (reason or "").strip()[:200]
    if not reason:
        raise ReviewError(_("Tell us what is wrong with this review."), code="reason")
    review = Review.objects.filter(pk=review_id).first()
    if review is None:
        raise ReviewError(_("This review does not exist."), code="missing")
    try:
        with transaction.atomic():
            ReviewReport.objects.create(review=review, user=user, reason=reason)
    except IntegrityError:
        return False
    Review.objects.filter(pk=review.pk).update(report_count=F("report_count") + 1)
    return True


@transaction.atomic
def set_review_visibility(*, review_id: int, actor, hidden: bool, reason: str = "") -> Review:
    """An operator hides a review (reason required) or shows it again; audited."""
    if not (is_operator(actor) and actor.has_perm("marketing.change_review")):
        raise ReviewError(_("You may not moderate reviews."), code="forbidden")
    reason = (reason or "").strip()
    if hidden and not reason:
        raise ReviewError(_("Give a reason for hiding the review."), code="reason")
    review = Review.objects.select_for_update().get(pk=review_id)
    target = Review.Status.HIDDEN if hidden else Review.Status.PUBLISHED
    review.hidden_reason = reason if hidden else ""
    move(review, to=target, table=ALLOWED, actor=actor, reason=reason, extra_update_fields=("hidden_reason",))
    return review


@transaction.atomic
def reply_to_review(*, review_id: int, actor, body: str) -> Review:
    """The seller's one public reply (its staff with the orders/CS right, or an operator)."""
    from partners.portal import Area, can, staff_of

    body = (body or "").strip()
    if not body:
        raise ReviewError(_("Write a reply."), code="body")
    review = Review.objects.select_for_update().get(pk=review_id)
    staff = staff_of(actor)
    if not (is_operator(actor) or (staff is not None and staff.seller_id == review.seller_id
                                   and can(staff, Area.ORDERS, write=True))):
        raise ReviewError(_("You may not reply to this review."), code="forbidden")
    if review.replied_at is not None:
        raise ReviewError(_("This review already has a reply."), code="replied")
    review.reply, review.replied_at, review.replied_by = body[:1000], timezone.now(), actor
    review.save(update_fields=["reply", "replied_at", "replied_by", "updated_at"])
    return review
