import re

from django.db.models import Prefetch

from orders.models import CartLine, Order, OrderLine


def list_cart_lines(*, cart):
    if cart is None:
        return []
    return list(
        CartLine.objects.filter(cart=cart)
        .select_related("sku__product__seller__shipping_policy", "sku__product__brand")
        .prefetch_related("sku__product__images")
        .order_by("sku__product__seller_id", "id")
    )


def count_cart_items(*, cart) -> int:
    return 0 if cart is None else CartLine.objects.filter(cart=cart).count()


def count_lines_by_status_for_shopper(*, user, days: int = 90) -> list[tuple[str, str, int]]:
    """The my-page strip: (status, label, count) of the shopper's lines of the last ``days`` days."""
    from datetime import timedelta

    from django.db.models import Count, Q
    from django.utils import timezone
    from django.utils.translation import pgettext

    from orders.models import PaymentMethod

    S = OrderLine.Status
    steps = [S.PENDING_PAYMENT, S.PAID, S.PREPARING, S.READY_TO_SHIP, S.SHIPPING, S.DELIVERED]
    rows = (
        OrderLine.objects.filter(order__user=user, created_at__gte=timezone.now() - timedelta(days=days),
                                 status__in=steps)
        .values_list("status").annotate(
            n=Count("id"),
            deposits=Count("id", filter=Q(order__payment_method=PaymentMethod.VIRTUAL_ACCOUNT)))
    )
    counts = {status: (n, deposits) for status, n, deposits in rows}
    unpaid, deposits = counts.get(S.PENDING_PAYMENT, (0, 0))
    # An unpaid card (mobile, easy pay …) order is still in the PG window: 결제대기; only a virtual
    # account waits for a deposit: 입금대기 (issue 9 point 6). The 입금대기 step stays when nothing is unpaid.
    strip = []
    if unpaid - deposits:
        strip.append((S.PENDING_PAYMENT, pgettext("line status", "Payment pending"), unpaid - deposits))
    if deposits or not unpaid:
        strip.append((S.PENDING_PAYMENT, S.PENDING_PAYMENT.label, deposits))
    return strip + [(status, S(status).label, counts.get(status, (0, 0))[0]) for status in steps[1:]]


def list_orders_for_shopper(*, user):
    return (
        Order.objects.filter(user=user)
        .select_related("payment")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.select_related("product").prefetch_related(
            "product__images")))
        .order_by("-created_at", "-id")
    )


def get_order_for_shopper(*, user, number: str) -> Order | None:
    return (
        Order.objects.filter(user=user, number=number)
        .select_related("payment")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("seller", "product", "courier")
                     .prefetch_related("product__images")),
            "shippings__seller",
            "payment__cancels",
        )
        .first()
    )


# --- The operator console ----------------------------------------------------------------
# Query shapes are chosen for a million lines on PostgreSQL (see bench/console_orders.py and
# the indexes of orders/migrations/0005_console_indexes.py): every list is ordered by the
# line id (index (status, id)), every search term hits an index, and the tab counts are one
# GROUP BY over the lines, cached for a few seconds.

CONSOLE_TAB_STATUSES = [
    OrderLine.Status.PENDING_PAYMENT, OrderLine.Status.PAID, OrderLine.Status.PREPARING,
    OrderLine.Status.READY_TO_SHIP, OrderLine.Status.SHIPPING, OrderLine.Status.DELIVERED,
    OrderLine.Status.CONFIRMED, OrderLine.Status.CANCELLED,
]
STATUS_COUNTS_CACHE_KEY = "console:orders:status-counts"
STATUS_COUNTS_CACHE_SECONDS = 30
DELAYABLE_STATUSES = (OrderLine.Status.PAID, OrderLine.Status.PREPARING)
WHOLE_ORDER_NUMBER = re.compile(r"^\d{8}-\d{6}$")


def count_lines_by_status(*, use_cache: bool = True) -> dict[str, int]:
    """Every line status with its number of lines (one GROUP BY), cached for 30 seconds."""
    from django.core.cache import cache
    from django.db.models import Count

    if use_cache:
        cached = cache.get(STATUS_COUNTS_CACHE_KEY)
        if cached is not None:
            return cached
    counts = {status: 0 for status in OrderLine.Status.values}
    rows = OrderLine.objects.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
    counts.update(dict(rows))
    counts["all"] = sum(counts[status] for status in OrderLine.Status.values)
    if use_cache:
        cache.set(STATUS_COUNTS_CACHE_KEY, counts, STATUS_COUNTS_CACHE_SECONDS)
    return counts


def forget_line_status_counts() -> None:
    """Called after a console action so the operator sees the tabs move at once."""
    from django.core.cache import cache
    from django.utils import timezone

    cache.delete_many([STATUS_COUNTS_CACHE_KEY, f"console:dashboard:{timezone.localdate()}"])


def get_console_dashboard_counts(*, today=None) -> dict[str, int]:
    """The dashboard cards, in one aggregate query with conditional counts (cached 30 seconds).

    Only the open statuses are scanned (index on status), never the delivered history.
    """
    from django.db.models import Count, Q
    from django.utils import timezone

    S = OrderLine.Status
    from django.core.cache import cache

    today = today or timezone.localdate()
    cache_key = f"console:dashboard:{today}"
    cached = cache.get(cache_key)
    if cached is not None:
        return cached
    open_statuses = [S.PENDING_PAYMENT, S.PAID, S.PREPARING, S.READY_TO_SHIP, S.SHIPPING]
    counts = OrderLine.objects.filter(status__in=open_statuses).order_by().aggregate(
        awaiting_deposit=Count("id", filter=Q(status=S.PENDING_PAYMENT)),
        new=Count("id", filter=Q(status=S.PAID)),
        preparing=Count("id", filter=Q(status=S.PREPARING)),
        to_ship=Count("id", filter=Q(status=S.READY_TO_SHIP)),
        shipping=Count("id", filter=Q(status=S.SHIPPING)),
        delayed=Count("id", filter=Q(status__in=DELAYABLE_STATUSES, ship_by_date__lt=today)),
        paid_today=Count("id", filter=Q(status=S.PAID, created_at__date=today)),
    )
    cache.set(cache_key, counts, STATUS_COUNTS_CACHE_SECONDS)
    return counts


def normalize_phone(text: str) -> list[str]:
    """The ways a phone number may be stored: as typed, and hyphenated 3-4-4 / 3-3-4 / 2-4-4."""
    import re

    text = (text or "").strip()
    digits = re.sub(r"\D", "", text)
    forms = {text} if text else set()
    if digits:
        forms.add(digits)
        if len(digits) == 11:
            forms.add(f"{digits[:3]}-{digits[3:7]}-{digits[7:]}")
        elif len(digits) == 10:
            if digits.startswith("02"):
                forms.add(f"{digits[:2]}-{digits[2:6]}-{digits[6:]}")
            forms.add(f"{digits[:3]}-{digits[3:6]}-{digits[6:]}")
        elif len(digits) == 9 and digits.startswith("02"):
            forms.add(f"{digits[:2]}-{digits[2:5]}-{digits[5:]}")
    return sorted(forms)


def search_console_lines(*, status: str = "", number: str = "", name: str = "", phone: str = "", email: str = "",
                         product: str = "", seller=None, date_from=None, date_to=None, payment_method: str = "",
                         delayed_only: bool = False, today=None):
    """The console's order lines, newest first, with their order, seller and courier (one query a page).

    Partial terms, as Korean CS asks for them: a part of the order number, a part of the
    orderer's or the recipient's name (three letters or more anywhere; one or two at its start or
    end), a part of the product name (contains searches, trigram-indexed on PostgreSQL), the last
    4 digits of the orderer's or the recipient's phone (indexes on ``right(phone, 4)``) or the
    orderer's whole number (exact, in its stored forms); the e-mail is exact (case-insensitive). A
    whole order number is an exact match. The dates are the order date (the lines are created
    with their order). ``status`` "all" (the 전체 tab) or "" filters nothing.
    """
    from datetime import datetime, time, timedelta

    from django.db.models import Q
    from django.db.models.functions import Reverse, Right
    from django.utils import timezone

    lines = OrderLine.objects.select_related("order", "seller", "courier")
    if status and status != "all":
        lines = lines.filter(status=status)
    if number:
        number = number.strip()
        if WHOLE_ORDER_NUMBER.fullmatch(number):
            lines = lines.filter(order__number=number)
        else:
            lines = lines.filter(order__number__contains=number)
    if name:
        # The orderer's name or the recipient's (CS searches 주문자/수령자 alike): each side has its
        # own indexes on orders_order, which the planner ORs (BitmapOr), see migration 0014.
        name = name.strip()
        if len(name) >= 3:  # trigram-indexed contains, orders first (see orders_matching_name)
            order_ids = list(orders_matching_name(name)[:NAME_MATCH_ORDER_CAP + 1])
            if len(order_ids) <= NAME_MATCH_ORDER_CAP:
                lines = lines.filter(order_id__in=order_ids)
            else:  # a very common part: matching lines are dense, walking the newest lines finds a page
                lines = lines.filter(Q(order__orderer_name__icontains=name) | Q(order__recipient__icontains=name))
        else:
            # One or two letters ("김", "길동") have no trigram to look up: a Korean name of 2–4
            # letters holds such a part at its start or its end, each answered by a btree
            # (the name, and the name reversed).
            lines = lines.annotate(orderer_name_reversed=Reverse("order__orderer_name"),
                                   recipient_reversed=Reverse("order__recipient")).filter(
                Q(order__orderer_name__startswith=name) | Q(orderer_name_reversed__startswith=name[::-1])
                | Q(order__recipient__startswith=name) | Q(recipient_reversed__startswith=name[::-1]))
    if phone:
        digits = re.sub(r"\D", "", phone)
        if len(digits) == 4:
            lines = lines.annotate(orderer_phone_last4=Right("order__orderer_phone", 4),
                                   recipient_phone_last4=Right("order__recipient_phone", 4)).filter(
                Q(orderer_phone_last4=digits) | Q(recipient_phone_last4=digits))
        else:
            lines = lines.filter(order__orderer_phone__in=normalize_phone(phone))
    if email:
        lines = lines.filter(order__orderer_email__iexact=email.strip())
    if product:
        lines = lines.filter(product_name__icontains=product.strip())
    if seller is not None:
        lines = lines.filter(seller=seller)
    zone = timezone.get_current_timezone()
    if date_from:
        lines = lines.filter(created_at__gte=datetime.combine(date_from, time.min, tzinfo=zone))
    if date_to:
        lines = lines.filter(created_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone))
    if payment_method:
        lines = lines.filter(order__payment_method=payment_method)
    if delayed_only:
        lines = lines.filter(status__in=DELAYABLE_STATUSES, ship_by_date__lt=today or timezone.localdate())
    return lines.order_by("-id")


NAME_MATCH_ORDER_CAP = 2000


def orders_matching_name(name: str):
    """Ids of the orders whose orderer's or recipient's name contains ``name`` (3+ letters): a BitmapOr
    of the two trigram indexes on orders_order.

    Why a query of its own: joined to the lines and ordered by line id, the planner underestimates
    how rare a name is and walks the newest lines backwards, checking each line's order (109k buffer
    hits, 103 ms on 200k lines, 465 ms p50 under load). Looking the orders up first and then their
    lines by ``order_id IN (…)`` reads a few hundred rows (1.6 ms). Past NAME_MATCH_ORDER_CAP orders
    the caller joins instead (matches are then dense and the backward walk is quick)."""
    from django.db.models import Q

    return (Order.objects.filter(Q(orderer_name__icontains=name) | Q(recipient__icontains=name))
            .order_by().values_list("pk", flat=True))


def count_search_results(lines, *, cap: int) -> int:
    """How many lines a search found, counting no further than ``cap`` + 1 (a LIMITed subquery)."""
    return lines.order_by().values("pk")[:cap + 1].count()


def get_order_for_console(*, number: str) -> Order | None:
    """One order with everything its console page shows, in a fixed number of queries."""
    from orders.models import OrderMemo, Payment, PaymentCancel

    return (
        Order.objects.filter(number=number)
        .select_related("user")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("seller", "courier").order_by("id")),
            Prefetch("memos", queryset=OrderMemo.objects.select_related("author")),
            Prefetch("payment", queryset=Payment.objects.prefetch_related(
                Prefetch("cancels", queryset=PaymentCancel.objects.order_by("id")))),
            "shippings__seller",
        )
        .first()
    )


def get_order_timeline(*, order: Order) -> list:
    """The status changes of the order, its lines and its payment, oldest first (one query)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    from core.models import StatusChange
    from orders.models import Payment

    types = ContentType.objects.get_for_models(Order, OrderLine, Payment)
    condition = Q(content_type=types[Order], object_id=order.pk)
    line_ids = [line.pk for line in order.lines.all()]
    if line_ids:
        condition |= Q(content_type=types[OrderLine], object_id__in=line_ids)
    payment = getattr(order, "payment", None) if _has_payment(order) else None
    if payment is not None:
        condition |= Q(content_type=types[Payment], object_id=payment.pk)
    changes = list(StatusChange.objects.filter(condition).select_related("actor").order_by("created_at", "id"))
    lines = {line.pk: line for line in order.lines.all()}
    labels = {
        types[Order].pk: dict(Order.PaymentStatus.choices),
        types[OrderLine].pk: dict(OrderLine.Status.choices),
        types[Payment].pk: dict(Payment.Status.choices),
    }
    for change in changes:
        change.subject_kind = {types[Order].pk: "order", types[OrderLine].pk: "line",
                               types[Payment].pk: "payment"}[change.content_type_id]
        change.line = lines.get(change.object_id) if change.subject_kind == "line" else None
        names = labels[change.content_type_id]
        change.from_label = names.get(change.from_status, change.from_status)
        change.to_label = names.get(change.to_status, change.to_status)
        change.is_note = change.from_status == change.to_status
    return changes


def _has_payment(order: Order) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        order.payment  # noqa: B018 - prefetched (or None)
    except ObjectDoesNotExist:
        return False
    return True


def list_lines_to_ship():
    """Lines the courier label program needs: acknowledged (PREPARING), grouped by order."""
    return (OrderLine.objects.filter(status=OrderLine.Status.PREPARING).select_related("order")
            .order_by("order_id", "id"))
