"""Funnel and marketing reports (console and partner portal), each in a few aggregate queries.

Only visits whose page script answered count (``Visit.is_human``): bots without JavaScript never
do. A step counts sessions (not events): "3 product views in one visit" is one session at that
step. Orders are tied to sessions by their frozen attribution (``OrderAttribution.session_id``).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from marketing.models_funnel import Event, OrderAttribution, Visit

STEPS = (
    ("sessions", "Visits"),
    ("view_item", "Product views"),
    ("add_to_cart", "Added to cart"),
    ("begin_checkout", "Checkout started"),
    ("purchase", "Orders placed"),
    ("paid", "Orders paid"),
)


@dataclass(frozen=True)
class ReportFilters:
    start: date
    end: date  # inclusive
    source: str = ""
    medium: str = ""
    campaign: str = ""
    device: str = ""

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))


def default_filters(*, days: int = 30, today: date | None = None) -> ReportFilters:
    today = today or timezone.localdate()
    return ReportFilters(start=today - timedelta(days=days - 1), end=today)


def human_visits(filters: ReportFilters):
    visits = Visit.objects.filter(started_at__gte=filters.start_at, started_at__lt=filters.end_at, is_human=True)
    for name in ("source", "medium", "campaign", "device"):
        value = getattr(filters, name)
        if value == "(direct)" and name == "source":
            visits = visits.filter(source="")
        elif value:
            visits = visits.filter(**{name: value})
    return visits


@dataclass
class Step:
    key: str
    label: str
    count: int
    rate_from_previous: float | None  # percent
    rate_from_start: float | None


def _rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def funnel(filters: ReportFilters) -> list[Step]:
    """Sessions at each step: visits → product view → cart → checkout → order placed → paid."""
    visits = human_visits(filters)
    session_ids = visits.values("id")
    counts = {"sessions": visits.count()}
    counts.update(Event.objects.filter(session_id__in=session_ids).aggregate(**{
        name: Count("session_id", distinct=True, filter=Q(name=name))
        for name in ("view_item", "add_to_cart", "begin_checkout")}))
    orders = OrderAttribution.objects.filter(session_id__in=session_ids).aggregate(
        purchase=Count("session_id", distinct=True),
        paid=Count("session_id", distinct=True, filter=Q(order__paid_at__isnull=False)))
    counts.update(orders)
    steps, previous = [], None
    for key, label in STEPS:
        count = counts.get(key) or 0
        steps.append(Step(key, label, count, _rate(count, previous) if previous is not None else None,
                          _rate(count, counts["sessions"])))
        previous = count
    return steps


def by_source(filters: ReportFilters, *, group: tuple[str, ...] = ("source", "medium", "campaign")) -> list[dict]:
    """Visits, orders, paid revenue and conversion per source / medium / campaign (or device).

    Visits group by their landing source; orders by their frozen last-touch attribution."""
    visits = human_visits(filters)
    rows: dict[tuple, dict] = {}
    for row in visits.values(*group).annotate(sessions=Count("id")):
        key = tuple(row[name] for name in group)
        rows[key] = {**{name: row[name] for name in group}, "sessions": row["sessions"], "orders": 0,
                     "revenue_amount": 0}
    attribution_group = tuple(group)
    orders = (OrderAttribution.objects.filter(order__created_at__gte=filters.start_at,
                                              order__created_at__lt=filters.end_at)
              .values(*attribution_group)
              .annotate(orders=Count("order_id"),
                        revenue=Sum("order__total_amount", filter=Q(order__paid_at__isnull=False))))
    for row in orders:
        key = tuple(row[name] for name in group)
        target = rows.setdefault(key, {**{name: row[name] for name in group}, "sessions": 0, "orders": 0,
                                       "revenue_amount": 0})
        target["orders"] += row["orders"]
        target["revenue_amount"] += row["revenue"] or 0
    result = sorted(rows.values(), key=lambda item: (-item["sessions"], -item["orders"]))
    for item in result:
        item["conversion"] = _rate(item["orders"], item["sessions"])
    return result


def daily(filters: ReportFilters) -> list[tuple[date, int, int]]:
    """(day, visits, orders placed) for each day of the range."""
    visits = dict(human_visits(filters).annotate(day=TruncDate("started_at")).values("day")
                  .annotate(total=Count("id")).values_list("day", "total"))
    orders = dict(OrderAttribution.objects.filter(order__created_at__gte=filters.start_at,
                                                  order__created_at__lt=filters.end_at)
                  .annotate(day=TruncDate("order__created_at")).values("day").annotate(total=Count("id"))
                  .values_list("day", "total"))
    days, day = [], filters.start
    while day <= filters.end:
        days.append((day, visits.get(day, 0), orders.get(day, 0)))
        day += timedelta(days=1)
    return days


def searches(filters: ReportFilters, *, zero_only: bool = False, limit: int = 20) -> list[dict]:
    """The most frequent searches (or those that found nothing), with how often they ran."""
    queryset = Event.objects.filter(name="search", created_at__gte=filters.start_at, created_at__lt=filters.end_at)
    if zero_only:
        queryset = queryset.filter(result_count=0)
    return list(queryset.values("search_query").annotate(times=Count("id"), sessions=Count("session_id", distinct=True))
                .order_by("-times", "search_query")[:limit])


def promotions(filters: ReportFilters) -> list[dict]:
    """Per banner / exhibition: impressions, clicks, click-through rate, orders and paid revenue
    of the sessions that clicked it (orders placed in the same session)."""
    events = Event.objects.filter(created_at__gte=filters.start_at, created_at__lt=filters.end_at,
                                  name__in=["view_promotion", "select_promotion"])
    rows = {}
    for row in events.values("promotion_id", "name").annotate(total=Count("id")):
        item = rows.setdefault(row["promotion_id"], {"promotion_id": row["promotion_id"], "impressions": 0,
                                                     "clicks": 0, "orders": 0, "revenue_amount": 0, "name": ""})
        item["impressions" if row["name"] == "view_promotion" else "clicks"] = row["total"]
    names = dict(events.exclude(promotion_name="").values_list("promotion_id", "promotion_name").distinct())
    clicked = events.filter(name="select_promotion")
    orders = (OrderAttribution.objects.filter(session_id__in=clicked.values("session_id"))
              .values("session_id", "order_id", "order__total_amount", "order__paid_at"))
    by_session = defaultdict(list)
    for row in orders:
        by_session[row["session_id"]].append(row)
    promotion_sessions = defaultdict(set)
    for promotion_id, session_id in clicked.values_list("promotion_id", "session_id").distinct():
        promotion_sessions[promotion_id].add(session_id)
    for promotion_id, sessions in promotion_sessions.items():
        item = rows[promotion_id]
        seen = set()
        for session_id in sessions:
            for order in by_session.get(session_id, []):
                if order["order_id"] in seen:
                    continue
                seen.add(order["order_id"])
                item["orders"] += 1
                if order["order__paid_at"]:
                    item["revenue_amount"] += order["order__total_amount"]
    result = sorted(rows.values(), key=lambda item: (-item["clicks"], -item["impressions"], item["promotion_id"]))
    for item in result:
        item["name"] = names.get(item["promotion_id"], item["promotion_id"])
        item["ctr"] = _rate(item["clicks"], item["impressions"])
    return result


def repeat_cohorts(*, months: int = 6, today: date | None = None) -> list[dict]:
    """Shoppers by the month of their first paid order, and the share who bought again in each
    following month (month 0 = the first month itself: a second order within it)."""
    from orders.models import Order

    paid = Order.objects.filter(paid_at__isnull=False)
    rows = paid.annotate(month=TruncMonth("paid_at")).values("user_id", "month").annotate(orders=Count("id"))
    by_user = defaultdict(dict)
    for row in rows:
        month = row["month"].date() if isinstance(row["month"], datetime) else row["month"]
        by_user[row["user_id"]][month] = row["orders"]
    today = today or timezone.localdate()
    first_month = _add_months(today.replace(day=1), -(months - 1))
    cohorts = {}
    for orders_by_month in by_user.values():
        first = min(orders_by_month)
        if first < first_month:
            continue
        cohort = cohorts.setdefault(first, {"month": first, "customers": 0, "returned": [0] * months})
        cohort["customers"] += 1
        for month, count in orders_by_month.items():
            offset = _month_diff(first, month)
            if offset == 0 and count > 1 or offset > 0:
                if offset < months:
                    cohort["returned"][offset] += 1
    result = []
    for month in sorted(cohorts):
        cohort = cohorts[month]
        span = _month_diff(month, today.replace(day=1)) + 1
        cohort["rates"] = [_rate(count, cohort["customers"]) for count in cohort["returned"][:span]]
        result.append(cohort)
    return result


def _month_diff(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# --- Sellers ---------------------------------------------------------------------------------

def seller_funnel(*, seller, filters: ReportFilters) -> dict:
    """A seller's own products: product-view sessions, add-to-cart sessions, orders and units,
    paid revenue, and conversion (orders ÷ product-view sessions). Three queries."""
    from orders.models import OrderLine

    human = Visit.objects.filter(is_human=True, started_at__gte=filters.start_at - timedelta(days=1),
                                 started_at__lt=filters.end_at).values("id")
    product_ids = seller.products.values("id")
    events = Event.objects.filter(created_at__gte=filters.start_at, created_at__lt=filters.end_at,
                                  product_id__in=product_ids, session_id__in=human).aggregate(
        views=Count("session_id", distinct=True, filter=Q(name="view_item")),
        carts=Count("session_id", distinct=True, filter=Q(name="add_to_cart")))
    lines = OrderLine.objects.filter(seller=seller, order__created_at__gte=filters.start_at,
                                     order__created_at__lt=filters.end_at).aggregate(
        orders=Count("order_id", distinct=True), units=Sum("quantity"),
        paid_orders=Count("order_id", distinct=True, filter=Q(order__paid_at__isnull=False)),
        revenue=Sum("items_amount", filter=Q(order__paid_at__isnull=False)))
    return {"views": events["views"], "carts": events["carts"], "orders": lines["orders"],
            "paid_orders": lines["paid_orders"], "units": lines["units"] or 0, "revenue_amount": lines["revenue"] or 0,
            "cart_rate": _rate(events["carts"], events["views"]), "conversion": _rate(lines["orders"], events["views"])}


def seller_top_products(*, seller, filters: ReportFilters, limit: int = 10) -> list[dict]:
    """The seller's products by product-view sessions, with carts."""
    from catalog.models import Product

    rows = list(Event.objects.filter(created_at__gte=filters.start_at, created_at__lt=filters.end_at,
                                     product_id__in=seller.products.values("id"),
                                     name__in=["view_item", "add_to_cart"])
                .values("product_id").annotate(views=Count("session_id", distinct=True, filter=Q(name="view_item")),
                                               carts=Count("session_id", distinct=True, filter=Q(name="add_to_cart")))
                .order_by("-views", "product_id")[:limit])
    names = dict(Product.objects.filter(pk__in=[row["product_id"] for row in rows]).values_list("pk", "name"))
    for row in rows:
        row["name"] = names.get(row["product_id"], "")
        row["cart_rate"] = _rate(row["carts"], row["views"])
    return rows
