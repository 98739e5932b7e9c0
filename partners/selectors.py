"""Reads about sellers, scoped by who asks."""

from datetime import datetime, time, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from partners.models import Seller, SellerStaff


def get_seller_for_user(*, user) -> Seller | None:
    """The seller this user works for (with its shipping policy), or None for anyone else."""
    if not getattr(user, "is_authenticated", False):
        return None
    staff = (
        SellerStaff.objects.select_related("seller", "seller__shipping_policy")
        .filter(user_id=user.pk)
        .first()
    )
    return staff.seller if staff else None


def get_seller_staff(*, user, seller: Seller) -> SellerStaff | None:
    """The user's staff membership of this seller, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return SellerStaff.objects.filter(user_id=user.pk, seller=seller).first()


def list_sellers(*, status: str | None = None) -> QuerySet[Seller]:
    """Sellers for the operator console, newest applications first when filtered by status."""
    sellers = Seller.objects.select_related("shipping_policy")
    if status:
        sellers = sellers.filter(status=status).order_by("-created_at")
    return sellers


# --- The partner portal: the seller's own order lines, claims and messages --------------------
# Every function takes the seller and filters by it first: nothing here can reach another
# seller's rows, whatever id the caller passes.

LOW_STOCK_QUANTITY = 5
LINES_PER_PAGE = 30


def _line_filters(*, today, now) -> dict:
    from orders.models import OrderLine

    status = OrderLine.Status
    unshipped = (status.PAID, status.PREPARING)
    return {
        "new": Q(status=status.PAID, order__paid_at__gte=now - timedelta(hours=24)),
        "paid": Q(status=status.PAID),
        "preparing": Q(status=status.PREPARING),
        "ready_to_ship": Q(status=status.READY_TO_SHIP),
        "shipping": Q(status=status.SHIPPING),
        "delivered": Q(status=status.DELIVERED),
        "confirmed": Q(status=status.CONFIRMED),
        "closed": Q(status__in=(status.CANCELLED, status.RETURNED, status.EXCHANGED)),
        "ship_today": Q(status__in=(*unshipped, status.READY_TO_SHIP), ship_by_date=today),
        "delayed": Q(status__in=unshipped, ship_by_date__lt=today),
        "backorder": Q(status__in=unshipped, backorder_expected_date__isnull=False),
        "all": ~Q(status=status.PENDING_PAYMENT),
    }


LINE_TABS = ("paid", "preparing", "ready_to_ship", "shipping", "delivered", "confirmed", "closed", "all")
LINE_FILTER_KEYS = ("new", "ship_today", "delayed", "backorder")


def count_seller_lines(*, seller, today=None, now=None) -> dict[str, int]:
    """Every tab's and filter's count for the seller's lines, in one aggregate query."""
    from orders.models import OrderLine

    now = now or timezone.now()
    today = today or timezone.localdate()
    filters = _line_filters(today=today, now=now)
    return OrderLine.objects.filter(seller=seller).aggregate(
        **{key: Count("id", filter=condition) for key, condition in filters.items()})


def list_seller_lines(*, seller, tab: str = "all", query: str = "", today=None, now=None):
    """The seller's lines in a tab or filter, newest first, searchable by order number, recipient,
    orderer or product name (pending payments are never shown: nothing to do for the seller)."""
    from orders.models import OrderLine

    now = now or timezone.now()
    filters = _line_filters(today=today or timezone.localdate(), now=now)
    lines = (OrderLine.objects.filter(seller=seller).filter(filters.get(tab, filters["all"]))
             .exclude(status=OrderLine.Status.PENDING_PAYMENT)
             .select_related("order", "courier").order_by("-order__created_at", "-id"))
    query = (query or "").strip()
    if query:
        lines = lines.filter(Q(order__number=query) | Q(order__recipient=query) | Q(order__orderer_name=query)
                             | Q(product_name__icontains=query) | Q(sku_code__iexact=query)
                             | Q(waybill_number=query.replace("-", "")))
    return lines


def get_seller_line(*, seller, line_id: int):
    """One of the seller's lines (any other id: None, so the view answers 404)."""
    from orders.models import OrderLine

    return (OrderLine.objects.filter(seller=seller, pk=line_id).exclude(status=OrderLine.Status.PENDING_PAYMENT)
            .select_related("order", "courier", "order__payment").first())


def list_seller_lines_to_ship(*, seller):
    """The seller's acknowledged lines for the courier label program (the waybill Excel)."""
    from orders.models import OrderLine

    return (OrderLine.objects.filter(seller=seller, status=OrderLine.Status.PREPARING).select_related("order")
            .order_by("order_id", "id"))


def seller_claims(*, seller):
    """Claims that cover at least one line of the seller (a subquery, so no duplicate rows)."""
    from claims.models import Claim, ClaimLine

    return Claim.objects.filter(pk__in=ClaimLine.objects.filter(order_line__seller=seller).values("claim_id"))


def _claim_filters() -> dict:
    from claims.models import Claim

    claim_type, status = Claim.Type, Claim.Status
    return {
        "cancel_requests": Q(type=claim_type.CANCEL, status=status.REQUESTED),
        "return_requests": Q(type=claim_type.RETURN, status=status.REQUESTED),
        "exchange_requests": Q(type=claim_type.EXCHANGE, status=status.REQUESTED),
        "to_pick_up": Q(type__in=(claim_type.RETURN, claim_type.EXCHANGE),
                        status__in=(status.APPROVED, status.PICKUP_STARTED)),
        "to_inspect": Q(status=status.PICKED_UP),
        "held": Q(status=status.HELD),
        "refunds_due": Q(type=claim_type.RETURN, status__in=(status.PICKED_UP, status.HELD)),
        "to_ship_replacement": Q(type=claim_type.EXCHANGE, status=status.PICKED_UP),
        "open": ~Q(status__in=(status.COMPLETED, status.REJECTED, status.WITHDRAWN, status.CONVERTED)),
        "all": Q(),
    }


CLAIM_TABS = ("cancel_requests", "return_requests", "exchange_requests", "to_pick_up", "to_inspect", "held",
              "refunds_due", "open", "all")


def count_seller_claims(*, seller) -> dict[str, int]:
    return seller_claims(seller=seller).aggregate(
        **{key: Count("id", filter=condition) for key, condition in _claim_filters().items()})


def list_seller_claims(*, seller, tab: str = "open", query: str = ""):
    from claims.models import ClaimLine

    filters = _claim_filters()
    claims = (seller_claims(seller=seller).filter(filters.get(tab, filters["open"])).select_related("order")
              .prefetch_related(Prefetch("lines", queryset=ClaimLine.objects.select_related("order_line")
                                         .order_by("id")))
              .order_by("-created_at", "-id"))
    query = (query or "").strip()
    if query:
        claims = claims.filter(Q(number=query) | Q(order__number=query))
    return claims


def get_seller_claim(*, seller, claim_id: int):
    from claims.models import ClaimLine

    return (seller_claims(seller=seller).filter(pk=claim_id).select_related("order", "pickup_courier",
                                                                             "replacement_courier")
            .prefetch_related(Prefetch("lines", queryset=ClaimLine.objects.select_related(
                "order_line", "order_line__courier", "replacement_sku").order_by("id")))
            .first())


def list_seller_messages(*, seller, limit: int | None = None):
    """Messages sent to the seller (outbox rows to its contact email or phone whose key names it)."""
    from core.models import OutboxMessage

    messages = (OutboxMessage.objects.filter(recipient__in=[seller.contact_email, seller.contact_phone],
                                             dedupe_key__contains=f":{seller.pk}:")
                .order_by("-id"))
    return messages[:limit] if limit else messages


def list_low_stock_skus(*, seller, threshold: int = LOW_STOCK_QUANTITY):
    from catalog.models import SKU

    return (SKU.objects.filter(product__seller=seller, is_active=True, stock_quantity__lte=threshold)
            .select_related("product").order_by("stock_quantity", "product_id", "id"))


def _questions_waiting(seller) -> int:
    from marketing.models import ProductQuestion

    return ProductQuestion.objects.filter(seller=seller, answered_at__isnull=True, is_hidden=False).count()


def get_seller_dashboard(*, seller, today=None, now=None) -> dict:
    """Every number of the portal's home in a constant number of queries (five, whatever the volume)."""
    from orders.models import OrderLine

    now = now or timezone.now()
    today = today or timezone.localdate()
    lines = count_seller_lines(seller=seller, today=today, now=now)
    claims = count_seller_claims(seller=seller)
    start = timezone.make_aware(datetime.combine(today, time.min))
    sales = OrderLine.objects.filter(seller=seller, order__paid_at__gte=start).exclude(
        status=OrderLine.Status.PENDING_PAYMENT).aggregate(amount=Sum("items_amount"), count=Count("id"))
    return {
        "lines": lines,
        "claims": claims,
        "low_stock": list_low_stock_skus(seller=seller).count(),
        "questions_waiting": _questions_waiting(seller),
        "sales_amount": sales["amount"] or 0,
        "sales_count": sales["count"],
        "messages": list(list_seller_messages(seller=seller, limit=5)),
    }
