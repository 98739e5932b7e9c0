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

    from django.db.models import Count
    from django.utils import timezone

    S = OrderLine.Status
    steps = [S.PENDING_PAYMENT, S.PAID, S.PREPARING, S.READY_TO_SHIP, S.SHIPPING, S.DELIVERED]
    counts = dict(
        OrderLine.objects.filter(order__user=user, created_at__gte=timezone.now() - timedelta(days=days),
                                 status__in=steps)
        .values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return [(status, S(status).label, counts.get(status, 0)) for status in steps]


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
