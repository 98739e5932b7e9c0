from django.utils.functional import SimpleLazyObject


def cart(request):
    """``cart_count`` for the header, counted only when a template shows it (one query)."""

    def count():
        from orders.models import CartLine
        from orders.services.cart import SESSION_CART_TOKEN

        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            return CartLine.objects.filter(cart__user=request.user).count()
        token = request.session.get(SESSION_CART_TOKEN) if hasattr(request, "session") else None
        return CartLine.objects.filter(cart__session_key=token).count() if token else 0

    return {"cart_count": SimpleLazyObject(count)}
