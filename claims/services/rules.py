"""The claims' rules as data: reasons (who is at fault) and the allowed moves of each machine."""

from django.utils.translation import gettext_lazy

from claims.models import Claim
from orders.models import OrderLine

ClaimType, Status, Fault = Claim.Type, Claim.Status, Claim.Fault
LineStatus = OrderLine.Status

# The reasons a shopper (or CS for them) may give; the reason decides who bears shipping.
REASONS = {
    "change_of_mind": (Fault.SHOPPER, gettext_lazy("Changed my mind")),
    "wrong_option": (Fault.SHOPPER, gettext_lazy("Chose the wrong size or colour")),
    "ordered_by_mistake": (Fault.SHOPPER, gettext_lazy("Ordered by mistake")),
    "defective": (Fault.SELLER, gettext_lazy("Defective or damaged")),
    "wrong_item": (Fault.SELLER, gettext_lazy("A different item arrived")),
    "late": (Fault.SELLER, gettext_lazy("Shipping is too late")),
    "not_as_described": (Fault.SELLER, gettext_lazy("Not as described")),
}
# Reasons only the shop gives (never offered on the shopper's form).
SHOP_REASONS = {
    "out_of_stock": (Fault.SELLER, gettext_lazy("Out of stock")),
    "unpaid_order_cancelled": (Fault.SHOPPER, gettext_lazy("Cancelled before payment")),
}
ALL_REASONS = {**REASONS, **SHOP_REASONS}


def reason_label(code: str) -> str:
    return str(ALL_REASONS[code][1]) if code in ALL_REASONS else code


# The refund runs in three steps (REFUNDING committed, the PG call, the result): see refunds.py.
TRANSITIONS = {
    ClaimType.CANCEL: {
        Status.REQUESTED: {Status.REFUNDING, Status.REJECTED, Status.WITHDRAWN},
        Status.REFUNDING: {Status.COMPLETED, Status.REFUND_FAILED},
        Status.REFUND_FAILED: {Status.REFUNDING},
        Status.COMPLETED: set(), Status.REJECTED: set(), Status.WITHDRAWN: set(),
    },
    ClaimType.EXCHANGE: {
        Status.REQUESTED: {Status.APPROVED, Status.REJECTED, Status.WITHDRAWN, Status.CONVERTED},
        Status.APPROVED: {Status.PICKUP_STARTED, Status.WITHDRAWN, Status.CONVERTED},
        Status.PICKUP_STARTED: {Status.PICKED_UP, Status.WITHDRAWN},
        Status.PICKED_UP: {Status.HELD, Status.REJECTED, Status.REPLACEMENT_SHIPPED, Status.CONVERTED},
        Status.HELD: {Status.PICKED_UP, Status.REJECTED, Status.CONVERTED},
        Status.REPLACEMENT_SHIPPED: {Status.COMPLETED},
        # A rejected exchange may still be turned into a return request (seed 001: a failed exchange
        # arrives as a return request).
        Status.COMPLETED: set(), Status.REJECTED: {Status.CONVERTED}, Status.WITHDRAWN: set(), Status.CONVERTED: set(),
    },
    ClaimType.RETURN: {
        Status.REQUESTED: {Status.APPROVED, Status.REJECTED, Status.WITHDRAWN, Status.CONVERTED},
        Status.APPROVED: {Status.PICKUP_STARTED, Status.WITHDRAWN, Status.CONVERTED},
        Status.PICKUP_STARTED: {Status.PICKED_UP, Status.WITHDRAWN, Status.CONVERTED},
        Status.PICKED_UP: {Status.HELD, Status.REJECTED, Status.REFUNDING, Status.WITHDRAWN, Status.CONVERTED},
        # A held return is settled (released, rejected, withdrawn), never converted (seed 001).
        Status.HELD: {Status.PICKED_UP, Status.REJECTED, Status.WITHDRAWN},
        Status.REFUNDING: {Status.REFUNDED, Status.REFUND_FAILED},
        Status.REFUND_FAILED: {Status.REFUNDING},
        Status.REFUNDED: {Status.COMPLETED},
        Status.COMPLETED: set(), Status.REJECTED: set(), Status.WITHDRAWN: set(), Status.CONVERTED: set(),
    },
}
ENDED = {Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN, Status.CONVERTED}
# Statuses in which the claim's units are still held (the line waits for the claim).
HOLDING = {Status.REQUESTED, Status.APPROVED, Status.PICKUP_STARTED, Status.PICKED_UP, Status.HELD,
           Status.REPLACEMENT_SHIPPED, Status.REFUNDING, Status.REFUND_FAILED}
# Cancel at once before the seller acknowledged (PAID); from PREPARING on, the seller approves (as on Naver).
CANCELLABLE_AT_ONCE = {LineStatus.PAID}
CANCELLABLE = {LineStatus.PAID, LineStatus.PREPARING, LineStatus.READY_TO_SHIP}
