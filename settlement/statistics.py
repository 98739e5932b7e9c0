"""Sales statistics for operators (every seller) and sellers (their own), with SVG charts drawn on
the server (no JS, no CDN). Sales are what paid orders' lines sold (items amount) by the day of
payment; cancels/returns are the units refunded, by the day of the line's last change."""

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.safestring import mark_safe

from orders.models import OrderLine

from .services.periods import local_midnight


@dataclass
class Series:
    label: str
    points: list  # (label, value)

    @property
    def total(self) -> int:
        return sum(value for _label, value in self.points)


def _lines(*, seller=None, date_from: date, date_to: date):
    lines = OrderLine.objects.filter(order__paid_at__gte=local_midnight(date_from),
                                     order__paid_at__lt=local_midnight(date_to + timedelta(days=1)))
    if seller is not None:
        lines = lines.filter(seller=seller)
    return lines


def sales_statistics(*, seller=None, date_from: date, date_to: date, by: str = "day") -> dict:
    """Sales, orders, cancelled/returned units by day or month, top categories and products, AOV."""
    tz = timezone.get_current_timezone()
    lines = _lines(seller=seller, date_from=date_from, date_to=date_to)
    bucket = TruncMonth("order__paid_at", tzinfo=tz) if by == "month" else TruncDate("order__paid_at", tzinfo=tz)
    rows = (lines.annotate(bucket=bucket).values("bucket")
            .annotate(sales=Sum("items_amount"), orders=Count("order", distinct=True),
                      refunded=Sum("refunded_quantity"), units=Sum("quantity"))
            .order_by("bucket"))
    by_bucket = {}
    for row in rows:
        key = row["bucket"].date() if hasattr(row["bucket"], "date") else row["bucket"]
        by_bucket[key] = row
    keys = []
    if by == "month":
        current = date_from.replace(day=1)
        while current <= date_to:
            keys.append(current)
            current = (current + timedelta(days=32)).replace(day=1)
    else:
        current = date_from
        while current <= date_to:
            keys.append(current)
            current += timedelta(days=1)
    label = (lambda day: day.strftime("%Y-%m")) if by == "month" else (lambda day: day.strftime("%m-%d"))
    sales = Series("sales", [(label(key), int(by_bucket.get(key, {}).get("sales") or 0)) for key in keys])
    orders = Series("orders", [(label(key), int(by_bucket.get(key, {}).get("orders") or 0)) for key in keys])
    refunds = Series("refunds", [(label(key), int(by_bucket.get(key, {}).get("refunded") or 0)) for key in keys])
    totals = lines.aggregate(sales=Sum("items_amount"), orders=Count("order", distinct=True),
                             paid=Sum("paid_amount"), refunded_units=Sum("refunded_quantity"), units=Sum("quantity"))
    order_count = totals["orders"] or 0
    categories = list(lines.values(name=F("product__category__name")).annotate(sales=Sum("items_amount"))
                      .order_by("-sales")[:10])
    products = list(lines.values("product_id", "product_name").annotate(sales=Sum("items_amount"), units=Sum("quantity"))
                    .order_by("-sales")[:10])
    return {"sales": sales, "orders": orders, "refunds": refunds, "total_sales": totals["sales"] or 0,
            "order_count": order_count, "average_order_value": (totals["paid"] or 0) // order_count if order_count else 0,
            "units": totals["units"] or 0, "refunded_units": totals["refunded_units"] or 0,
            "categories": categories, "products": products, "by": by}


def bar_chart(series: Series, *, width: int = 640, height: int = 180, title: str = "") -> str:
    """An accessible SVG bar chart (title, one bar per point, the largest value labelled)."""
    points = series.points
    if not points:
        return ""
    top = max(value for _label, value in points) or 1
    gap = 2
    bar_width = max(1, (width - gap * len(points)) // len(points))
    chart_height = height - 24
    bars = []
    for index, (label, value) in enumerate(points):
        bar_height = int(chart_height * value / top)
        x = index * (bar_width + gap)
        bars.append(f'<rect x="{x}" y="{chart_height - bar_height}" width="{bar_width}" height="{bar_height}" '
                    f'class="chart-bar"><title>{escape(label)}: {value:,}</title></rect>')
    first, last = escape(points[0][0]), escape(points[-1][0])
    svg = (f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
           f'width="100%" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg">'
           f'<title>{escape(title)}</title>{"".join(bars)}'
           f'<text x="0" y="{height - 6}" class="chart-axis">{first}</text>'
           f'<text x="{width}" y="{height - 6}" text-anchor="end" class="chart-axis">{last}</text>'
           f'<text x="{width}" y="12" text-anchor="end" class="chart-axis">max {top:,}</text></svg>')
    return mark_safe(svg)  # noqa: S308 - every label is escaped above
