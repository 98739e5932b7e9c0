"""Every write to orders: cart, checkout, payments, line moves."""

from .cart import (
    add_to_cart,
    change_cart_quantity,
    get_cart,
    merge_guest_cart,
    remove_cart_lines,
    select_cart_lines,
)
from .checkout import Delivery, apply_benefits, next_order_number, place_order, quote_items
from .lines import LINE_TRANSITIONS, ORDER_PAYMENT_TRANSITIONS, PAYMENT_TRANSITIONS, move_line
from .payments import (
    apply_pg_state,
    cancel_payment,
    confirm_payment,
    expire_unpaid_orders,
    fail_payment,
    payment_window_url,
    process_payment_event,
    receive_webhook,
)

__all__ = [
    "LINE_TRANSITIONS", "ORDER_PAYMENT_TRANSITIONS", "PAYMENT_TRANSITIONS", "Delivery", "add_to_cart", "apply_benefits",
    "apply_pg_state", "cancel_payment", "change_cart_quantity", "confirm_payment", "expire_unpaid_orders",
    "fail_payment", "get_cart", "merge_guest_cart", "move_line", "next_order_number", "payment_window_url",
    "place_order", "process_payment_event", "quote_items", "receive_webhook", "remove_cart_lines",
    "select_cart_lines",
]
