from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "marketing"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from marketing.funnel.attribution import on_order_placed, on_user_logged_in
        from orders.signals import order_placed

        order_placed.connect(on_order_placed, dispatch_uid="marketing.attribution")
        user_logged_in.connect(on_user_logged_in, dispatch_uid="marketing.funnel.login")
