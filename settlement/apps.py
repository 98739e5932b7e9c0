from django.apps import AppConfig


class SettlementConfig(AppConfig):
    name = "settlement"

    def ready(self) -> None:
        from orders.signals import order_placed

        from .services.commissions import on_order_placed

        order_placed.connect(on_order_placed, dispatch_uid="settlement.freeze_commissions")
