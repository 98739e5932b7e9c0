"""Claims (취교반): cancel, exchange and return, with money and stock exactly right.

Split like ``orders/services``: ``rules`` (reasons, allowed moves), ``money`` (what a claim gives
back), ``requests`` (opening claims), ``steps`` (approve … complete), ``refunds`` (the refund path,
with the PG call outside the locks), ``stockout`` (the out-of-stock cancel, a claim at the seller's
fault). Every name stays importable as ``from claims.services import X``.
"""

from .fees import (
    cancel_fee_payments,
    confirm_exchange_fee_payment,
    exchange_fee_due,
    start_exchange_fee_payment,
)
from .money import LineRefund, RefundPreview, compute_refund, exchange_fee, line_costs
from .refunds import refund_claim, refund_return, retry_refund
from .requests import cancel_unpaid_order, exchange_shipping_charge, request_claim
from .rules import (
    ALL_REASONS,
    CANCELLABLE,
    CANCELLABLE_AT_ONCE,
    ENDED,
    HOLDING,
    REASONS,
    SHOP_REASONS,
    TRANSITIONS,
    reason_label,
)
from .steps import (
    add_claim_memo,
    approve_claim,
    approve_decision,
    complete_claim,
    complete_pickup,
    convert_claim,
    hold_claim,
    inspect_claim,
    refuse_decision,
    reject_claim,
    release_hold,
    ship_replacement,
    start_pickup,
    withdraw_claim,
)
from .stockout import cancel_line_for_stock

__all__ = [
    "ALL_REASONS", "CANCELLABLE", "CANCELLABLE_AT_ONCE", "ENDED", "HOLDING", "REASONS", "SHOP_REASONS", "TRANSITIONS",
    "LineRefund", "RefundPreview", "add_claim_memo", "approve_claim", "approve_decision", "cancel_line_for_stock",
    "cancel_fee_payments", "cancel_unpaid_order", "confirm_exchange_fee_payment", "exchange_fee_due",
    "start_exchange_fee_payment", "complete_claim", "complete_pickup", "compute_refund", "convert_claim", "exchange_fee",
    "exchange_shipping_charge", "hold_claim", "inspect_claim", "line_costs", "reason_label", "refund_claim",
    "refund_return", "refuse_decision", "reject_claim", "release_hold", "request_claim", "retry_refund", "ship_replacement",
    "start_pickup", "withdraw_claim",
]
