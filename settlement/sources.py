"""Everything settlement reads from orders, claims, marketing and partners, in ONE place.

The order-line and claim machines are being rewritten in parallel; when their fields change,
this module is the only one to adapt. Settlement never writes those apps' rows.

What is read (current field names):

- ``orders.OrderLine``: seller, status, quantity, items_amount, shipping_share_amount,
  discount_share_amount, points_share_amount, paid_amount, refunded_quantity, refunded_amount
  (cash, including refunded shipping), refunded_shipping_amount, refunded_points_amount,
  confirmed_at, updated_at; its ``order``'s paid_at.
- ``claims.Claim`` / ``ClaimLine``: status (open or closed, below), type, shipping_charge_amount
  (the return / exchange fee the shopper bore, kept by the seller), items_refund_amount,
  shipping_refund_amount, refunded_at, updated_at; claim line quantity and refund_amount.
- ``marketing.OrderLineDiscount``: seller_amount / platform_amount per coupon per line.
- ``partners.Seller`` bank account, read defensively (the onboarding branch adds the fields):
  ``bank_name``, ``bank_account_number``, ``bank_account_holder``, ``bank_account_verified``.
"""

from dataclasses import dataclass

from django.db.models import Sum

# Claim statuses after which a claim no longer changes the line's money. Anything else (including
# states other branches add, such as REFUNDING) is open: the line waits.
CLOSED_CLAIM_STATUSES = ("completed", "rejected", "withdrawn", "converted", "refunded")
# Claim types whose shopper-borne fee was taken from a refund (the seller keeps it).
FEE_CLAIM_TYPES = ("return", "cancel")
# Line statuses that end a line's life: confirmed, or everything gone through a claim.
CONFIRMED = "confirmed"
ENDED_BY_CLAIM = ("cancelled", "returned", "exchanged")

BANK_FIELDS = ("bank_name", "bank_account_number", "bank_account_holder")


@dataclass(frozen=True)
class BankAccount:
    bank_name: str
    account_number: str
    holder: str
    verified: bool


def seller_bank_account(seller) -> BankAccount:
    """The seller's payout account; missing fields read as empty and unverified."""
    values = [str(getattr(seller, field, "") or "") for field in BANK_FIELDS]
    verified = bool(getattr(seller, "bank_account_verified", False)) and all(values)
    return BankAccount(*values, verified=verified)


def seller_discounts(line_ids) -> dict[int, int]:
    """Seller-funded coupon amount per line (OrderLineDiscount.seller_amount summed)."""
    from marketing.models import OrderLineDiscount

    return dict(OrderLineDiscount.objects.filter(line_id__in=line_ids).values_list("line_id")
                .annotate(total=Sum("seller_amount")).values_list("line_id", "total"))


def line_category_path(line) -> str:
    return line.product.category_path


def tables() -> dict[str, str]:
    """The real table names used in the set-based SQL."""
    from claims.models import Claim, ClaimLine
    from orders.models import Order, OrderLine, Payment, PaymentCancel
    from partners.models import Seller

    from .models import (
        LedgerEntry,
        LineCommission,
        SettlementAdjustment,
        SettlementContract,
        SettlementHold,
        Statement,
    )

    return {
        "line": OrderLine._meta.db_table, "order": Order._meta.db_table, "claim": Claim._meta.db_table,
        "claim_line": ClaimLine._meta.db_table, "payment": Payment._meta.db_table,
        "payment_cancel": PaymentCancel._meta.db_table, "commission": LineCommission._meta.db_table,
        "ledger": LedgerEntry._meta.db_table, "hold": SettlementHold._meta.db_table,
        "statement": Statement._meta.db_table, "adjustment": SettlementAdjustment._meta.db_table,
        "seller": Seller._meta.db_table, "contract": SettlementContract._meta.db_table,
    }


def _in(values) -> str:
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


# A line cancelled or returned whole counts every unit as refunded, even when it was cancelled
# for stock outside a claim (today's stock-out cancel refunds the money but not refunded_quantity;
# the claims rewrite makes it a seller-fault claim). Likewise its shipping share went back.
REFUNDED_UNITS_SQL = "(CASE WHEN ol.status IN ('cancelled', 'returned') THEN ol.quantity ELSE ol.refunded_quantity END)"
REFUNDED_SHIPPING_SQL = ("(CASE WHEN ol.status = 'cancelled' AND ol.refunded_quantity = 0 "
                         "THEN ol.shipping_share_amount ELSE ol.refunded_shipping_amount END)")


def settleable_lines_sql(*, only_lines: str = "") -> str:
    """A SELECT of the lines whose money is final, with what each kind of money should add up to.

    Columns: id, seller_id, effective_at, and the target of every line kind of money (see
    docs/settlement.md for the signs). Parameter ``%(up_to)s``: only lines settled before it.
    A line is settleable when its order was paid, no claim on it is open, and it is confirmed or
    ended by a claim (cancelled, returned, exchanged). Its effective time is the confirmation, or
    the last claim's refund or completion.

    ``only_lines``: the name of a table with a ``line_id`` column (the close's changed lines, see
    ``changed_lines_sql``): only those lines are read, and only their claims' fees are summed.
    """
    names = tables()
    line_filter = f"AND ol.id IN (SELECT line_id FROM {only_lines})" if only_lines else ""
    claim_filter = (f"AND c.id IN (SELECT only_cl.claim_id FROM {names['claim_line']} only_cl "
                    f"WHERE only_cl.order_line_id IN (SELECT line_id FROM {only_lines}))") if only_lines else ""
    closed = _in(CLOSED_CLAIM_STATUSES)
    fee_types = _in(FEE_CLAIM_TYPES)
    ended = _in(ENDED_BY_CLAIM)
    refunded_units = REFUNDED_UNITS_SQL
    kept = f"(ol.quantity - {refunded_units})"
    return f"""
        SELECT ol.id, ol.seller_id, CASE WHEN ol.status = '{CONFIRMED}' THEN ol.confirmed_at
               ELSE COALESCE((SELECT MAX(COALESCE(c.refunded_at, c.updated_at)) FROM {names['claim_line']} cl
                              JOIN {names['claim']} c ON c.id = cl.claim_id WHERE cl.order_line_id = ol.id),
                             ol.updated_at) END AS effective_at,
               ol.items_amount AS sale,
               ol.shipping_share_amount AS shipping,
               -lc.commission_amount AS commission,
               -lc.seller_discount_amount AS seller_coupon,
               -(ol.items_amount * {refunded_units} / ol.quantity) AS claim_sale,
               lc.commission_amount - lc.commission_amount * {kept} / ol.quantity AS claim_commission,
               lc.seller_discount_amount - lc.seller_discount_amount * {kept} / ol.quantity AS claim_coupon,
               -{REFUNDED_SHIPPING_SQL} AS claim_shipping,
               COALESCE(fees.amount, 0) AS claim_fee
        FROM {names['line']} ol
        JOIN {names['order']} o ON o.id = ol.order_id
        JOIN {names['commission']} lc ON lc.order_line_id = ol.id
        LEFT JOIN (SELECT first_line.line_id, SUM(first_line.fee) AS amount
                   FROM (SELECT MIN(cl.order_line_id) AS line_id,
                                MIN(CASE WHEN c.shipping_charge_amount < c.items_refund_amount + c.shipping_refund_amount
                                         THEN c.shipping_charge_amount
                                         ELSE c.items_refund_amount + c.shipping_refund_amount END) AS fee
                         FROM {names['claim']} c JOIN {names['claim_line']} cl ON cl.claim_id = c.id
                         WHERE c.type IN {fee_types} AND c.refunded_at IS NOT NULL AND c.status IN {closed}
                           AND c.shipping_charge_amount > 0 {claim_filter}
                         GROUP BY c.id) first_line
                   GROUP BY first_line.line_id) fees ON fees.line_id = ol.id
        WHERE o.paid_at IS NOT NULL {line_filter}
          AND ((ol.status = '{CONFIRMED}' AND ol.confirmed_at < %(up_to)s) OR ol.status IN {ended})
          AND NOT EXISTS (SELECT 1 FROM {names['claim_line']} open_line JOIN {names['claim']} open_claim
                          ON open_claim.id = open_line.claim_id
                          WHERE open_line.order_line_id = ol.id AND open_claim.status NOT IN {closed})
    """


# The line kinds of money and the column of settleable_lines_sql holding each target.
LINE_KINDS = ("sale", "shipping", "commission", "seller_coupon", "claim_sale", "claim_commission", "claim_coupon",
              "claim_shipping", "claim_fee")


# What can change a line's money, its settleability or its effective time, as SELECTs of order line ids
# touched at or after %(since)s. A close after the first one reads only these lines (plus the lines
# whose hold ended and the sellers whose cycle or hold changed, see settlement/services/periods.py):
# anything new that a column of settleable_lines_sql reads must be listed here, or a change to it
# is never booked. Each is served by an index (settlement migration 0007).
CHANGED_LINE_SOURCES = (
    # Every status move and every refund recorded on the line (record_refund) stamps updated_at.
    "SELECT ol.id AS line_id FROM {line} ol WHERE ol.updated_at >= %(since)s",
    # Purchase confirmation writes confirmed_at with a bare UPDATE (after the move that stamped updated_at).
    "SELECT ol.id AS line_id FROM {line} ol WHERE ol.confirmed_at >= %(since)s",
    # A claim that moves (opens, completes, is refunded) changes what its lines settle for, and when.
    "SELECT cl.order_line_id AS line_id FROM {claim_line} cl JOIN {claim} c ON c.id = cl.claim_id "
    "WHERE c.updated_at >= %(since)s",
    "SELECT cl.order_line_id AS line_id FROM {claim_line} cl JOIN {claim} c ON c.id = cl.claim_id "
    "WHERE c.refunded_at >= %(since)s",
)


def changed_lines_sql() -> str:
    """SELECT line_id of every line whose settlement may have changed at or after ``%(since)s``."""
    names = tables()
    return " UNION ".join(source.format(**names) for source in CHANGED_LINE_SOURCES)
