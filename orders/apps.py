from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_merge_cart_at_login, dispatch_uid="orders.merge_cart_at_login")


def _merge_cart_at_login(sender, request, user, **kwargs):
    """The guest's cart follows the shopper into their account (the rule lives in the service)."""
    if request is None or not hasattr(request, "session"):
        return
    from orders.services.cart import SESSION_CART_TOKEN, merge_guest_cart

    token = request.session.pop(SESSION_CART_TOKEN, None)
    merge_guest_cart(cart_token=token, user=user)
