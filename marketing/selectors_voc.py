"""Reads for reviews, questions, inquiries and the survey, each page a constant number of queries."""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Avg, Count, Prefetch, Q
from django.utils import timezone

from marketing.models import (
    Inquiry,
    ProductQuestion,
    Review,
    ReviewPhoto,
    ReviewVote,
    SurveyInvitation,
    SurveyResponse,
)

REVIEWS_PER_PAGE = 10
QUESTIONS_PER_PAGE = 10
SORTS = {
    "photo": ("-has_photos", "-created_at", "-id"),  # the default: photo reviews first
    "newest": ("-created_at", "-id"),
    "highest": ("-rating", "-created_at", "-id"),
    "lowest": ("rating", "-created_at", "-id"),
    "helpful": ("-helpful_count", "-created_at", "-id"),
}


@dataclass
class ReviewSummary:
    count: int = 0
    average: float = 0.0
    distribution: list = field(default_factory=list)  # [(stars, count, percent)] from 5 to 1
    photo_count: int = 0


def get_review_summary(*, product_id: int) -> ReviewSummary:
    """Average, count, the 5..1 distribution and the photo-review count: one aggregate query."""
    published = Q(reviews__status=Review.Status.PUBLISHED)
    from catalog.models import Product

    row = Product.objects.filter(pk=product_id).aggregate(
        count=Count("reviews", filter=published), average=Avg("reviews__rating", filter=published),
        photos=Count("reviews", filter=published & Q(reviews__has_photos=True)),
        **{f"s{stars}": Count("reviews", filter=published & Q(reviews__rating=stars)) for stars in range(1, 6)},
    )
    count = row["count"] or 0
    distribution = [(stars, row[f"s{stars}"], round(100 * row[f"s{stars}"] / count) if count else 0)
                    for stars in range(5, 0, -1)]
    return ReviewSummary(count=count, average=round(float(row["average"] or 0), 1), distribution=distribution,
                         photo_count=row["photos"] or 0)


def list_review_options(*, product_id: int) -> list[str]:
    return list(Review.objects.filter(product_id=product_id, status=Review.Status.PUBLISHED)
                .exclude(option_label="").values_list("option_label", flat=True).distinct().order_by("option_label"))


def list_product_reviews(*, product_id: int, sort: str = "photo", option: str = "", photos_only: bool = False,
                         page: int = 1, viewer=None):
    """One page of published reviews with photos (and the viewer's votes): 3 queries + the count."""
    queryset = Review.objects.filter(product_id=product_id, status=Review.Status.PUBLISHED)
    if option:
        queryset = queryset.filter(option_label=option)
    if photos_only:
        queryset = queryset.filter(has_photos=True)
    queryset = queryset.select_related("user").order_by(*SORTS.get(sort, SORTS["photo"]))
    queryset = queryset.prefetch_related(Prefetch("photos", queryset=ReviewPhoto.objects.order_by("position", "id")))
    paginator = Paginator(queryset, REVIEWS_PER_PAGE)
    page_obj = paginator.get_page(page)
    voted = set()
    if getattr(viewer, "is_authenticated", False):
        voted = set(ReviewVote.objects.filter(user=viewer, review__in=[review.pk for review in page_obj])
                    .values_list("review_id", flat=True))
    for review in page_obj:
        review.voted = review.pk in voted
    return page_obj


def list_product_questions(*, product_id: int, viewer, page: int = 1, mine: bool = False):
    """Questions of a product, newest first; a secret one is shown as such to those who may not read it."""
    from marketing.services.questions import can_read

    queryset = ProductQuestion.objects.filter(product_id=product_id, is_hidden=False).select_related("user")
    if mine and getattr(viewer, "is_authenticated", False):
        queryset = queryset.filter(user=viewer)
    page_obj = Paginator(queryset.order_by("-created_at", "-id"), QUESTIONS_PER_PAGE).get_page(page)
    staff_seller_id = None
    if getattr(viewer, "is_authenticated", False):
        from partners.portal import staff_of

        staff = staff_of(viewer)
        staff_seller_id = staff.seller_id if staff else None
    for question in page_obj:
        question.readable = can_read(question, viewer) if staff_seller_id is None else (
            not question.is_secret or question.seller_id == staff_seller_id or question.user_id == viewer.pk)
    return page_obj


def list_reviewable_lines(*, user, now=None):
    """The shopper's confirmed lines still open for a review (within the window, not reviewed)."""
    from datetime import timedelta

    from django.conf import settings

    from orders.models import OrderLine

    now = now or timezone.now()
    return (OrderLine.objects.filter(order__user=user, confirmed_at__isnull=False,
                                     confirmed_at__gte=now - timedelta(days=settings.REVIEW_WINDOW_DAYS),
                                     review__isnull=True)
            .exclude(status__in=[OrderLine.Status.CANCELLED, OrderLine.Status.RETURNED])
            .select_related("order", "product").order_by("-confirmed_at"))


def list_my_reviews(*, user):
    return (Review.objects.filter(user=user).select_related("product")
            .prefetch_related("photos").order_by("-created_at"))


def list_open_surveys(*, user):
    return SurveyInvitation.objects.filter(user=user, answered_at__isnull=True).select_related("order")


def inquiry_queue(*, status: str = "", overdue_only: bool = False, assignee=None, now=None):
    now = now or timezone.now()
    queryset = Inquiry.objects.select_related("user", "assignee", "order", "escalated_seller")
    if status in Inquiry.Status.values:
        queryset = queryset.filter(status=status)
    if overdue_only:
        queryset = queryset.filter(first_answered_at__isnull=True, first_answer_due_at__lt=now).exclude(
            status=Inquiry.Status.CLOSED)
    if assignee is not None:
        queryset = queryset.filter(assignee=assignee)
    return queryset.order_by("first_answer_due_at", "id") if status in ("", "new", "in_progress") else \
        queryset.order_by("-last_message_at", "-id")


def inquiry_counts(*, now=None) -> dict:
    now = now or timezone.now()
    row = Inquiry.objects.aggregate(
        **{value: Count("pk", filter=Q(status=value)) for value in Inquiry.Status.values},
        overdue=Count("pk", filter=Q(first_answered_at__isnull=True, first_answer_due_at__lt=now)
                      & ~Q(status=Inquiry.Status.CLOSED)),
    )
    return row


def nps_of(responses) -> dict:
    """NPS = % promoters (9–10) − % detractors (0–6), with the counts."""
    row = responses.aggregate(total=Count("pk"), promoters=Count("pk", filter=Q(nps__gte=9)),
                              detractors=Count("pk", filter=Q(nps__lte=6)))
    total = row["total"] or 0
    score = round(100 * (row["promoters"] - row["detractors"]) / total) if total else None
    return {**row, "score": score}


def nps_by_month(*, months: int = 12) -> list[dict]:
    from django.db.models.functions import TruncMonth

    rows = (SurveyResponse.objects.annotate(month=TruncMonth("created_at")).values("month")
            .annotate(total=Count("pk"), promoters=Count("pk", filter=Q(nps__gte=9)),
                      detractors=Count("pk", filter=Q(nps__lte=6))).order_by("month"))
    result = []
    for row in list(rows)[-months:]:
        total = row["total"]
        result.append({**row, "score": round(100 * (row["promoters"] - row["detractors"]) / total) if total else 0})
    return result


def nps_by_seller(*, limit: int = 20) -> list[dict]:
    """An answer counts for every seller (and category) of its order."""
    rows = (SurveyResponse.objects.values("invitation__order__lines__seller__name").annotate(
        total=Count("pk", distinct=True), promoters=Count("pk", filter=Q(nps__gte=9), distinct=True),
        detractors=Count("pk", filter=Q(nps__lte=6), distinct=True)).order_by("-total")[:limit])
    return [{"name": row["invitation__order__lines__seller__name"], **row,
             "score": round(100 * (row["promoters"] - row["detractors"]) / row["total"]) if row["total"] else 0}
            for row in rows]


def nps_by_category(*, limit: int = 20) -> list[dict]:
    rows = (SurveyResponse.objects.values("invitation__order__lines__product__category__name").annotate(
        total=Count("pk", distinct=True), promoters=Count("pk", filter=Q(nps__gte=9), distinct=True),
        detractors=Count("pk", filter=Q(nps__lte=6), distinct=True)).order_by("-total")[:limit])
    return [{"name": row["invitation__order__lines__product__category__name"], **row,
             "score": round(100 * (row["promoters"] - row["detractors"]) / row["total"]) if row["total"] else 0}
            for row in rows]
