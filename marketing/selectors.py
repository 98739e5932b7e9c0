"""Reads of coupons and points for the storefront and the console.

Each function returns what one page needs in a constant number of queries: the coupon lists
annotate their counts with subqueries, the shopper's lists select and prefetch what they show.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from marketing.models import Coupon, IssuedCoupon, OrderLineDiscount, PointEntry

IS = IssuedCoupon.Status

TAB_USABLE, TAB_USED, TAB_EXPIRED = "usable", "used", "expired"
COUPON_BOX_TABS = (TAB_USABLE, TAB_USED, TAB_EXPIRED)


def _scope_prefetches(prefix: str = ""):
    """What a coupon's scope needs to be described in words (four queries, whatever the count)."""
    from catalog.models import Category, Product
    from partners.models import Seller

    return (
        Prefetch(f"{prefix}categories", queryset=Category.objects.only("id", "name", "path").order_by("path")),
        Prefetch(f"{prefix}products", queryset=Product.objects.only("id", "name").order_by("id")),
        Prefetch(f"{prefix}sellers", queryset=Seller.objects.only("id", "name").order_by("name")),
        Prefetch(f"{prefix}excluded_products", queryset=Product.objects.only("id", "name").order_by("id")),
    )


def _owned_count(user) -> Subquery:
    return Coalesce(Subquery(
        IssuedCoupon.objects.filter(coupon=OuterRef("pk"), user=user).order_by()
        .values("coupon").annotate(total=Count("pk")).values("total")[:1],
        output_field=IntegerField()), 0)


def _downloadable(now) -> QuerySet:
    """Coupons a shopper can take now: active, downloadable, not ended by date, some left."""
    return (
        Coupon.objects.filter(status=Coupon.Status.ACTIVE, downloadable=True)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .filter(Q(total_limit__isnull=True) | Q(total_limit__gt=F("issued_count")))
    )


def _with_owned(queryset: QuerySet, user) -> QuerySet:
    if getattr(user, "is_authenticated", False):
        return queryset.annotate(owned_count=_owned_count(user))
    return queryset.annotate(owned_count=Value(0, output_field=IntegerField()))


def list_downloadable_coupons(*, user=None, now=None) -> list[Coupon]:
    """The coupon zone: every coupon a shopper can download now, with ``owned_count`` (theirs)."""
    now = now or timezone.now()
    queryset = _with_owned(_downloadable(now), user).select_related("funding_seller").prefetch_related(
        *_scope_prefetches()).order_by(
        "valid_until", "-id")
    return list(queryset)


def list_downloadable_coupons_for_product(*, product, user=None, now=None) -> list[Coupon]:
    """Downloadable coupons that apply to ``product`` (one query).

    Matches the engine's rule (``discounts.CouponInput.applies_to``): the scope (everything, one of
    the product's categories or their ancestors, the product, its seller), not excluded, and a
    seller-funded coupon only on that seller's products. Product coupons and cart coupons both
    show; shipping coupons too, when their scope includes the product.
    """
    now = now or timezone.now()
    through_categories = Coupon.categories.through
    through_products = Coupon.products.through
    through_sellers = Coupon.sellers.through
    through_excluded = Coupon.excluded_products.through
    paths = _ancestor_paths(product.category_path)
    in_scope = (
        Q(scope=Coupon.Scope.ALL)
        | Q(scope=Coupon.Scope.CATEGORIES,
            pk__in=through_categories.objects.filter(category__path__in=paths).values("coupon_id"))
        | Q(scope=Coupon.Scope.PRODUCTS,
            pk__in=through_products.objects.filter(product_id=product.pk).values("coupon_id"))
        | Q(scope=Coupon.Scope.SELLERS,
            pk__in=through_sellers.objects.filter(seller_id=product.seller_id).values("coupon_id"))
    )
    queryset = (
        _downloadable(now)
        .filter(in_scope)
        .exclude(Exists(through_excluded.objects.filter(coupon_id=OuterRef("pk"), product_id=product.pk)))
        .exclude(Q(funder=Coupon.Funder.SELLER) & ~Q(funding_seller_id=product.seller_id))
    )
    coupons = list(_with_owned(queryset, user).order_by("-discount_value", "-id"))
    # The ones the shopper can still take come first (the page shows the first two open).
    return sorted(coupons, key=lambda coupon: coupon.owned_count >= coupon.per_user_limit)


def _ancestor_paths(category_path: str) -> list[str]:
    parts = [part for part in (category_path or "").split("/") if part]
    return ["".join(f"{part}/" for part in parts[: index + 1]) for index in range(len(parts))]


# --- The shopper's coupon box ------------------------------------------------------------------

def _usable_q(now) -> Q:
    return (Q(status=IS.AVAILABLE) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            & ~Q(coupon__status=Coupon.Status.ENDED))


def _tab_q(tab: str, now) -> Q:
    if tab == TAB_USED:
        return Q(status=IS.USED)
    if tab == TAB_EXPIRED:
        return Q(status__in=[IS.EXPIRED, IS.REVOKED]) | (Q(status=IS.AVAILABLE) & ~_usable_q(now))
    return _usable_q(now)


def count_coupon_box(*, user, now=None) -> dict[str, int]:
    """How many coupons sit in each tab of the coupon box (one aggregate query)."""
    now = now or timezone.now()
    return IssuedCoupon.objects.filter(user=user).aggregate(
        **{tab: Count("pk", filter=_tab_q(tab, now)) for tab in COUPON_BOX_TABS})


def list_coupon_box(*, user, tab: str = TAB_USABLE, now=None) -> QuerySet:
    """The coupons of one tab: usable ones soonest to expire first, the others latest first."""
    now = now or timezone.now()
    queryset = (IssuedCoupon.objects.filter(user=user).filter(_tab_q(tab, now))
                .select_related("coupon__funding_seller", "order").prefetch_related(*_scope_prefetches("coupon__")))
    if tab == TAB_USABLE:
        return queryset.order_by("expires_at", "id")
    if tab == TAB_USED:
        return queryset.order_by("-used_at", "-id")
    return queryset.order_by("-expires_at", "-id")


# --- Points ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PointSummary:
    balance: int
    expiring_amount: int
    expiring_days: int


def get_point_summary(*, user, days: int = 30, now=None) -> PointSummary:
    """Balance and what expires within ``days`` (one aggregate query)."""
    now = now or timezone.now()
    totals = PointEntry.objects.filter(user=user).aggregate(
        balance=Coalesce(Sum("amount"), 0),
        expiring=Coalesce(Sum("remaining", filter=Q(remaining__gt=0, expires_at__gt=now,
                                                    expires_at__lte=now + timedelta(days=days))), 0),
    )
    return PointSummary(balance=totals["balance"], expiring_amount=totals["expiring"], expiring_days=days)


def list_expiring_credits(*, user, days: int = 30, now=None) -> QuerySet:
    now = now or timezone.now()
    return (PointEntry.objects.filter(user=user, remaining__gt=0, expires_at__gt=now,
                                      expires_at__lte=now + timedelta(days=days))
            .order_by("expires_at", "id"))


def list_point_entries(*, user) -> QuerySet:
    """The ledger, newest first, with the order each entry belongs to."""
    return PointEntry.objects.filter(user=user).select_related("order", "actor").order_by("-created_at", "-id")


def get_shopper_benefits(*, user, now=None) -> dict[str, int]:
    """My page: the points balance and the number of usable coupons, in one query."""
    now = now or timezone.now()
    row = get_user_model().objects.filter(pk=user.pk).annotate(
        points_balance=Coalesce(Subquery(
            PointEntry.objects.filter(user=OuterRef("pk")).order_by().values("user")
            .annotate(total=Sum("amount")).values("total")[:1]), 0),
        usable_coupons=Coalesce(Subquery(
            IssuedCoupon.objects.filter(_usable_q(now), user=OuterRef("pk")).order_by().values("user")
            .annotate(total=Count("pk")).values("total")[:1], output_field=IntegerField()), 0),
    ).values("points_balance", "usable_coupons").first() or {"points_balance": 0, "usable_coupons": 0}
    return row


# --- Console ---------------------------------------------------------------------------------

def list_coupons_for_console(*, status: str = "") -> QuerySet:
    """Coupons with issued / used counts and what the used ones cost each funder (one query)."""
    used_discounts = OrderLineDiscount.objects.filter(issued_coupon__coupon=OuterRef("pk"),
                                                      issued_coupon__status=IS.USED).order_by()

    def discount_sum(field):
        return Coalesce(Subquery(used_discounts.values("issued_coupon__coupon")
                                 .annotate(total=Sum(field)).values("total")[:1]), 0)

    queryset = Coupon.objects.select_related("funding_seller").annotate(
        used_count=Coalesce(Subquery(
            IssuedCoupon.objects.filter(coupon=OuterRef("pk"), status=IS.USED).order_by().values("coupon")
            .annotate(total=Count("pk")).values("total")[:1], output_field=IntegerField()), 0),
        discount_total=discount_sum("amount"),
        platform_cost=discount_sum("platform_amount"),
        seller_cost=discount_sum("seller_amount"),
    ).order_by("-created_at", "-id")
    if status in Coupon.Status.values:
        queryset = queryset.filter(status=status)
    return queryset


def count_coupons_by_status() -> dict[str, int]:
    return Coupon.objects.aggregate(
        all=Count("pk"), **{value: Count("pk", filter=Q(status=value)) for value in Coupon.Status.values})


def get_coupon_for_console(*, coupon_id: int) -> Coupon:
    return (list_coupons_for_console().prefetch_related(*_scope_prefetches()).get(pk=coupon_id))


def list_recent_issues(*, coupon, limit: int = 20) -> list[IssuedCoupon]:
    return list(IssuedCoupon.objects.filter(coupon=coupon).select_related("user", "order")
                .order_by("-issued_at", "-id")[:limit])


def find_shopper_by_email(*, email: str):
    email = (email or "").strip()
    if not email:
        return None
    return get_user_model().objects.filter(email__iexact=email).first()


def search_products_for_coupon(*, query: str, limit: int = 20) -> list:
    """Console helper for the coupon form: products by id or name."""
    from catalog.models import Product

    query = (query or "").strip()
    if not query:
        return []
    products = Product.objects.select_related("seller").only("id", "name", "sale_price_amount", "seller__name")
    if query.isdigit():
        products = products.filter(Q(pk=int(query)) | Q(name__icontains=query))
    else:
        products = products.filter(name__icontains=query)
    return list(products.order_by("-id")[:limit])
