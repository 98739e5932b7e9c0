"""Reads of one affiliate's activity: the same numbers for the affiliate's own page in the shop and
for the console's affiliate page (constant query counts).

Definitions (docs/marketing.md, "Affiliates"):
- clicks: every click on any of the affiliate's links (not only the links shown);
- orders: orders the affiliate's clicks claimed (``AffiliateOrder``), each counted once;
- confirmed orders: those of them with at least one purchase-confirmed line (they earn commission);
- accrued / reversed: the ledger's accrual rows and (as a positive amount) its reversal rows;
  net = accrued − reversed;
- paid: ledger rows whose statement was paid, directly or through the statement a carried-over
  one was carried into; equals the total of the affiliate's paid statements.
"""

from dataclasses import dataclass

from django.db.models import Count, Max, Q, Sum

from marketing.models_affiliate import (
    Affiliate,
    AffiliateClick,
    AffiliateCommission,
    AffiliateLink,
    AffiliateOrder,
    AffiliateStatement,
)

PAYMENT_PENDING = "pending"  # not on a statement yet (the month is not closed)


@dataclass(frozen=True)
class AffiliateSummary:
    clicks: int
    orders: int
    confirmed_orders: int
    accrued_amount: int
    reversed_amount: int
    paid_amount: int

    @property
    def commission_amount(self) -> int:
        return self.accrued_amount - self.reversed_amount

    @property
    def unpaid_amount(self) -> int:
        return self.commission_amount - self.paid_amount


def get_affiliate_summary(*, affiliate: Affiliate) -> AffiliateSummary:
    """Clicks, orders, confirmed orders and commission of ``affiliate`` (four queries)."""
    from orders.models import OrderLine

    clicks = AffiliateClick.objects.filter(link__affiliate=affiliate).count()
    orders = AffiliateOrder.objects.filter(affiliate=affiliate).aggregate(
        orders=Count("id", distinct=True),
        confirmed=Count("id", distinct=True, filter=Q(order__lines__status=OrderLine.Status.CONFIRMED)))
    ledger = AffiliateCommission.objects.filter(affiliate=affiliate).aggregate(
        accrued=Sum("commission_amount", filter=Q(kind=AffiliateCommission.Kind.ACCRUAL)),
        reversed=Sum("commission_amount", filter=Q(kind=AffiliateCommission.Kind.REVERSAL)))
    paid = AffiliateStatement.objects.filter(affiliate=affiliate, status=AffiliateStatement.Status.PAID).aggregate(
        total=Sum("total_amount"))["total"]
    return AffiliateSummary(clicks=clicks, orders=orders["orders"], confirmed_orders=orders["confirmed"],
                            accrued_amount=ledger["accrued"] or 0, reversed_amount=-(ledger["reversed"] or 0),
                            paid_amount=paid or 0)


def list_links_with_clicks(*, affiliate: Affiliate, limit: int = 100) -> list[AffiliateLink]:
    """The affiliate's links, newest first, each with ``click_count``, ``order_count`` and ``last_click_at``."""
    return list(AffiliateLink.objects.filter(affiliate=affiliate)
                .annotate(click_count=Count("clicks", distinct=True),
                          last_click_at=Max("clicks__created_at"))
                .order_by("-created_at", "-id")[:limit])


def list_recent_clicks(*, affiliate: Affiliate, limit: int = 50) -> list[AffiliateClick]:
    return list(AffiliateClick.objects.filter(link__affiliate=affiliate).select_related("link")
                .order_by("-created_at", "-id")[:limit])


def list_attributed_orders(*, affiliate: Affiliate, limit: int = 100) -> list[AffiliateOrder]:
    """The orders the affiliate claimed, newest first, with the order, its link, ``line_count`` and
    ``confirmed_line_count`` and the net commission booked on them (``commission_amount``)."""
    from orders.models import OrderLine

    rows = list(AffiliateOrder.objects.filter(affiliate=affiliate).select_related("order", "link")
                .annotate(line_count=Count("order__lines", distinct=True),
                          confirmed_line_count=Count("order__lines", distinct=True,
                                                     filter=Q(order__lines__status=OrderLine.Status.CONFIRMED)))
                .order_by("-created_at", "-id")[:limit])
    booked = dict(AffiliateCommission.objects.filter(affiliate=affiliate,
                                                     line__order_id__in=[row.order_id for row in rows])
                  .values("line__order_id").annotate(total=Sum("commission_amount"))
                  .values_list("line__order_id", "total"))
    for row in rows:
        row.commission_amount = booked.get(row.order_id, 0)
    return rows


def _effective_statuses(affiliate: Affiliate) -> dict[int, str]:
    """Statement id → what happened to its money: a carried-over statement's money goes with the
    next statement (paid, to be paid, or still carried)."""
    statements = list(AffiliateStatement.objects.filter(affiliate=affiliate).order_by("-month", "-id")
                      .values_list("id", "status"))
    effective, later = {}, AffiliateStatement.Status.CARRIED
    for statement_id, status in statements:  # newest first: a carried one inherits the later fate
        later = later if status == AffiliateStatement.Status.CARRIED else status
        effective[statement_id] = later
    return effective


def list_commission_rows(*, affiliate: Affiliate, limit: int = 200) -> list[AffiliateCommission]:
    """The ledger rows, newest first, with the line, its order and product, the statement, and
    ``payment_status``: "pending" (no statement yet) or the statement's effective status."""
    rows = list(AffiliateCommission.objects.filter(affiliate=affiliate)
                .select_related("line__order", "statement")
                .order_by("-created_at", "-id")[:limit])
    effective = _effective_statuses(affiliate)
    for row in rows:
        row.payment_status = effective.get(row.statement_id, PAYMENT_PENDING)
    return rows


def list_statements(*, affiliate: Affiliate, limit: int = 24) -> list[AffiliateStatement]:
    return list(AffiliateStatement.objects.filter(affiliate=affiliate).order_by("-month", "-id")[:limit])

