"""Signals orders sends so that later apps (settlement) can act without orders importing them.

``order_placed``: sent inside ``place_order``'s transaction once the lines and their coupon
discounts exist; kwargs ``order`` and ``lines``. A receiver that raises fails the checkout whole.
"""

from django.dispatch import Signal

order_placed = Signal()  # receivers: settlement (frozen commission), marketing (attribution)
