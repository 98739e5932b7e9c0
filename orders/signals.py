from django.dispatch import Signal

order_placed = Signal()  # sent inside place_order's transaction: sender=Order, order=..., lines=[...]
