"""Seller penalties (판매관리 페널티), computed from what happened, never from the reason a seller picks.

Points follow Naver SmartStore's published rules (DOMAIN.md, "Seller center"):

| fact (from the data)                                                      | points |
| ------------------------------------------------------------------------- | ------ |
| dispatched 1–3 business days after the ship-by date, no delay announced    | 1      |
| dispatched 4 or more business days late (or still not dispatched)          | 3      |
| a delay was announced and the announced date was not kept                  | 2      |
| a paid line cancelled because the seller had no stock (품절 취소)            | 2      |
| a return/exchange not processed within 3 business days of its pickup       | 1      |

The ship-by date is payment + the seller's ``ship_within_days`` business days. Business days skip
Saturdays, Sundays, the shop's public holidays (``core.dates.public_holidays``) and the seller's own
holidays (``SellerHoliday``), as the ship-by date stored on a line does
(``orders.services.fulfilment.ship_by_for``). A line cancelled before it
was due is never late. A seller is sanctioned at 10 points or more in 30 days when the points are
also at least 40 % of its paid orders in that time (both shown on the penalty page).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import dates

WINDOW_DAYS = 30
CLAIM_PROCESSING_BUSINESS_DAYS = 3
LONG_LATE_BUSINESS_DAYS = 4
SANCTION_POINTS = 10
SANCTION_RATIO_PERCENT = 40

LATE_DISPATCH, LATE_DISPATCH_LONG, DELAY_NOT_KEPT, STOCK_CANCEL, CLAIM_LATE, QUESTION_LATE = (
    "late_dispatch", "late_dispatch_long", "delay_not_kept", "stock_cancel", "claim_late", "question_late")
# QUESTION_LATE is the shop's own rule (issue 12), not SmartStore's: a product question left without
# an answer for QUESTION_ANSWER_BUSINESS_DAYS business days.
POINTS = {LATE_DISPATCH: 1, LATE_DISPATCH_LONG: 3, DELAY_NOT_KEPT: 2, STOCK_CANCEL: 2, CLAIM_LATE: 1,
          QUESTION_LATE: 1}
LABELS = {
    LATE_DISPATCH: _("Dispatched late"),
    LATE_DISPATCH_LONG: _("Dispatched 4+ business days late"),
    DELAY_NOT_KEPT: _("Announced delay not kept"),
    STOCK_CANCEL: _("Cancelled for lack of stock"),
    CLAIM_LATE: _("Claim not processed within 3 business days of pickup"),
    QUESTION_LATE: _("Product question not answered within 2 business days"),
}


@dataclass
class PenaltyEntry:
    kind: str
    day: date
    reference: str
    detail: str = ""
    line_id: int | None = None
    claim_id: int | None = None

    @property
    def points(self) -> int:
        return POINTS[self.kind]

    @property
    def label(self) -> str:
        return str(LABELS[self.kind])


@dataclass
class PenaltyReport:
    start: date
    end: date
    entries: list[PenaltyEntry] = field(default_factory=list)
    paid_orders: int = 0

    @property
    def points(self) -> int:
        return sum(entry.points for entry in self.entries)

    @property
    def ratio_percent(self) -> int:
        return (self.points * 100 // self.paid_orders) if self.paid_orders else 0

    @property
    def sanctioned(self) -> bool:
        return self.points >= SANCTION_POINTS and self.ratio_percent >= SANCTION_RATIO_PERCENT

    def by_kind(self) -> list[tuple[str, str, int, int]]:
        """(kind, label, count, points) for every kind, in the table's order."""
        return [(kind, str(LABELS[kind]), sum(1 for e in self.entries if e.kind == kind),
                 sum(e.points for e in self.entries if e.kind == kind)) for kind in POINTS]


def is_business_day(day: date, holidays=frozenset()) -> bool:
    return dates.is_business_day(day, holidays)


def add_business_days(start: date, days: int, holidays=frozenset()) -> date:
    return dates.add_business_days(start, days, holidays)


def business_days_late(deadline: date, done: date, holidays=frozenset()) -> int:
    """Business days after ``deadline`` up to and including ``done`` (0 when on time)."""
    return dates.business_days_after(deadline, done, holidays)


def compute_penalties(*, seller, today: date | None = None) -> PenaltyReport:
    """The seller's penalty entries of the last 30 days (today included), in six queries."""
    from claims.models import Claim
    from core.models import StatusChange
    from orders.models import OrderLine
    from partners.models import SellerHoliday, ShippingPolicy

    today = today or timezone.localdate()
    start = today - timedelta(days=WINDOW_DAYS - 1)
    report = PenaltyReport(start=start, end=today)
    holidays = set(SellerHoliday.objects.filter(seller=seller).values_list("date", flat=True))
    policy = ShippingPolicy.objects.filter(seller=seller).first()
    within = policy.ship_within_days if policy else 2
    status = OrderLine.Status
    # Lines paid early enough to fall due in the window (ship-by is at most 14 business days out).
    earliest_paid = timezone.make_aware(timezone.datetime.combine(start - timedelta(days=30), timezone.datetime.min.time()))
    lines = (OrderLine.objects.filter(seller=seller, order__paid_at__gte=earliest_paid)
             .exclude(status=status.PENDING_PAYMENT).select_related("order")
             .only("id", "status", "ship_by_date", "delay_reason", "shipped_at", "cancel_reason", "updated_at",
                   "order__number", "order__paid_at"))
    unshipped = (status.PAID, status.PREPARING, status.READY_TO_SHIP)
    paid_orders = set()
    for line in lines:
        paid_on = timezone.localdate(line.order.paid_at)
        if paid_on >= start:
            paid_orders.add(line.order_id)
        reference = f"{line.order.number} #{line.pk}"
        shipped_on = timezone.localdate(line.shipped_at) if line.shipped_at else None
        if line.status == status.CANCELLED and line.cancel_reason:  # only the stock-out cancel sets it
            day = timezone.localdate(line.updated_at)
            if start <= day <= today:
                report.entries.append(PenaltyEntry(STOCK_CANCEL, day, reference, line.cancel_reason, line_id=line.pk))
            continue
        if shipped_on is None and line.status not in unshipped:
            continue  # cancelled or returned before dispatch: never late
        done = shipped_on or today
        if line.delay_reason and line.ship_by_date:
            if done > line.ship_by_date and (shipped_on is not None or today > line.ship_by_date):
                day = shipped_on or line.ship_by_date + timedelta(days=1)
                if start <= day <= today:
                    report.entries.append(PenaltyEntry(
                        DELAY_NOT_KEPT, day, reference, str(_("announced %(date)s") % {"date": line.ship_by_date}),
                        line_id=line.pk))
            continue
        deadline = add_business_days(paid_on, within, holidays)
        late = business_days_late(deadline, done, holidays)
        if late < 1:
            continue
        day = shipped_on or add_business_days(deadline, 1, holidays)
        if start <= day <= today:
            kind = LATE_DISPATCH_LONG if late >= LONG_LATE_BUSINESS_DAYS else LATE_DISPATCH
            report.entries.append(PenaltyEntry(kind, day, reference, str(_("%(days)s business days late") % {
                "days": late}), line_id=line.pk))
    report.paid_orders = len(paid_orders)
    # Claims: from pickup to a decision (refund, replacement, rejection, conversion) in 3 business days.
    from partners.selectors import seller_claims

    claims = list(seller_claims(seller=seller).filter(
        type__in=(Claim.Type.RETURN, Claim.Type.EXCHANGE), picked_up_at__isnull=False,
        picked_up_at__gte=earliest_paid).only("id", "number", "picked_up_at", "status"))
    decided = {Claim.Status.REFUNDED, Claim.Status.REPLACEMENT_SHIPPED, Claim.Status.REJECTED,
               Claim.Status.CONVERTED, Claim.Status.WITHDRAWN, Claim.Status.COMPLETED}
    decisions: dict[int, date] = {}
    if claims:
        from django.contrib.contenttypes.models import ContentType

        changes = StatusChange.objects.filter(
            Q(content_type=ContentType.objects.get_for_model(Claim)), object_id__in=[c.pk for c in claims],
            field="status", to_status__in=decided).order_by("created_at").values_list("object_id", "created_at")
        for claim_id, created_at in changes:
            decisions.setdefault(claim_id, timezone.localdate(created_at))
    for claim in claims:
        picked_on = timezone.localdate(claim.picked_up_at)
        done = decisions.get(claim.pk)
        if done is None and claim.status in decided:
            continue
        due = add_business_days(picked_on, CLAIM_PROCESSING_BUSINESS_DAYS, holidays)
        if business_days_late(due, done or today, holidays) < 1:
            continue
        day = done or add_business_days(due, 1, holidays)
        if start <= day <= today:
            report.entries.append(PenaltyEntry(CLAIM_LATE, day, claim.number, str(_("picked up %(date)s") % {
                "date": picked_on}), claim_id=claim.pk))
    _late_questions(report, seller=seller, start=start, today=today)
    report.entries.sort(key=lambda entry: (entry.day, entry.reference), reverse=True)
    return report


def _late_questions(report: PenaltyReport, *, seller, start: date, today: date) -> None:
    """Product questions answered late, or still waiting, past their deadline (one query)."""
    from django.conf import settings

    from marketing.models import ProductQuestion
    from marketing.services.questions import add_business_days_at

    now = timezone.now()
    since = timezone.make_aware(timezone.datetime.combine(start - timedelta(days=7), timezone.datetime.min.time()))
    for question in ProductQuestion.objects.filter(seller=seller, is_hidden=False, created_at__gte=since).only(
            "id", "created_at", "answered_at"):
        deadline = add_business_days_at(question.created_at, settings.QUESTION_ANSWER_BUSINESS_DAYS)
        if (question.answered_at or now) <= deadline:
            continue
        day = timezone.localtime(deadline).date()
        if start <= day <= today:
            report.entries.append(PenaltyEntry(QUESTION_LATE, day, f"Q{question.pk}", str(
                _("asked %(date)s") % {"date": timezone.localtime(question.created_at).date()})))
