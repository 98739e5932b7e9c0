"""Everything settlement reads from orders, claims, marketing and partners, in ONE place.

The order-line and claim machines are being rewritten in parallel; when their fields change,
this module is the only one to adapt. Settlement never writes those apps' rows.

What is read (current field names):

- ``orders.OrderLine``: seller, status, quantity, items_amount, shipping_share_amount, paid_amount,
  points_share_amount, refunded_quantity, refunded_amount (net cash, shipping included),
  refunded_gross_amount (item cash before deductions), refunded_shipping_amount,
  refunded_points_amount, confirmed_at, updated_at; its ``order``'s paid_at and created_at.
- ``claims.Claim`` / ``ClaimLine`` (the per-line record the claims fix when a refund is committed):
  claim status (open or closed, below), type, refunded_at, updated_at, exchange_fee_amount and
  exchange_fee_paid_amount; claim line quantity, return_fee_amount, shipping_charge_amount,
  damage_amount, exchange_fee_amount (``CLAIMED_SQL``). ``ClaimPayment`` (the exchange fee's PG
  payment) is read by reconcile only.
- ``marketing.OrderLineDiscount``: seller_amount / platform_amount per coupon per line.
- ``marketing.Review``: reward_amount, reward_funder, created_at, reward_revoked_at (one per line).
- ``marketing.AffiliateCommission`` (commission_amount, created_at per line) and
  ``AffiliateProgramMembership`` (seller, joined_at, left_at).
- ``partners.Seller`` bank account, read defensively (the onboarding branch adds the fields):
  ``bank_name``, ``bank_account_number``, ``bank_account_holder``, ``bank_account_verified``.
"""

from dataclasses import dataclass

from django.db.models import Sum

# Claim statuses after which a claim no longer changes the line's money. Anything else (including
# states other branches add, such as REFUNDING) is open: the line waits.
CLOSED_CLAIM_STATUSES = ("completed", "rejected", "withdrawn", "converted", "refunded")
# Claim types that refund money (their deductions were taken from the refund; the seller keeps them).
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
    from claims.models import Claim, ClaimLine, ClaimPayment
    from marketing.models import AffiliateCommission, AffiliateProgramMembership, Review
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
        "claim_payment": ClaimPayment._meta.db_table, "review": Review._meta.db_table,
        "affiliate_commission": AffiliateCommission._meta.db_table,
        "affiliate_membership": AffiliateProgramMembership._meta.db_table,
    }


def _in(values) -> str:
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


# What claims recorded per claim line (claims.ClaimLine, fixed when the refund was committed), summed per
# order line over the claims that ended with money: cancels and returns refunded (refunded_at set), and
# exchanges completed with their fee paid. ``units``: units refunded; ``fee``: what was deducted from the
# shopper's refund and stays with the seller whose line it is (return fee, original shipping charged back,
# damage deduction); ``exchange_fee``: the line's part of the exchange fee, deducted from a refund or
# paid through the PG (ClaimPayment) for a completed exchange. The points clawback is not here: it
# gives the platform back points the platform paid.
CLAIMED_SQL = """
    SELECT cl.order_line_id AS line_id,
           SUM(CASE WHEN c.refunded_at IS NOT NULL THEN cl.quantity ELSE 0 END) AS units,
           SUM(CASE WHEN c.refunded_at IS NOT NULL
                    THEN cl.return_fee_amount + cl.shipping_charge_amount + cl.damage_amount ELSE 0 END) AS fee,
           SUM(CASE WHEN c.refunded_at IS NOT NULL THEN cl.exchange_fee_amount
                    WHEN c.type = 'exchange' AND c.status = 'completed' AND c.exchange_fee_amount > 0
                         AND c.exchange_fee_paid_amount >= c.exchange_fee_amount THEN cl.exchange_fee_amount
                    ELSE 0 END) AS exchange_fee
    FROM {claim_line} cl JOIN {claim} c ON c.id = cl.claim_id
    WHERE c.status IN {closed}
      AND ((c.type IN {fee_types} AND c.refunded_at IS NOT NULL) OR c.type = 'exchange')
    GROUP BY cl.order_line_id
"""
REFUNDED_SHIPPING_SQL = "ol.refunded_shipping_amount"


def claimed_sql(only_lines: str = "") -> str:
    names = tables()
    sql = CLAIMED_SQL.format(claim_line=names["claim_line"], claim=names["claim"], closed=_in(CLOSED_CLAIM_STATUSES),
                             fee_types=_in(FEE_CLAIM_TYPES))
    if only_lines:  # the close's changed lines only (an index probe per line, not every claim line ever)
        sql = sql.replace("GROUP BY cl.order_line_id",
                          f"AND cl.order_line_id IN (SELECT line_id FROM {only_lines})\n    GROUP BY cl.order_line_id")
    return sql


# A seller-funded review reward (marketing.Review, reward_funder = seller) written before the close's end,
# unless it was taken back (the line returned) before it: the seller pays it.
REVIEW_REWARD_SQL = """(CASE WHEN rv.reward_funder = 'seller' AND rv.created_at < %(up_to)s
                             AND (rv.reward_revoked_at IS NULL OR rv.reward_revoked_at >= %(up_to)s)
                        THEN -rv.reward_amount ELSE 0 END)"""
# The affiliate commission of the line (accruals and reversals written before the close's end), borne by the
# seller when it was in the affiliate program when the order was placed.
AFFILIATE_FEE_SQL = """(CASE WHEN COALESCE(aff.amount, 0) <> 0 AND EXISTS (
                             SELECT 1 FROM {membership} am WHERE am.seller_id = ol.seller_id
                             AND am.joined_at <= o.created_at AND (am.left_at IS NULL OR am.left_at > o.created_at))
                        THEN -aff.amount ELSE 0 END)"""


def settleable_lines_sql(*, only_lines: str = "") -> str:
    """A SELECT of the lines whose money is final, with what each kind of money should add up to.

    Columns: id, seller_id, effective_at, and the target of every line kind of money (see
    docs/settlement.md for the signs). Parameter ``%(up_to)s``: only lines settled before it.
    A line is settleable when its order was paid, no claim on it is open, and it is confirmed or
    ended by a claim (cancelled, returned, exchanged). Its effective time is the confirmation, or
    the last claim's refund or completion. Claim money is read from what the claims recorded per
    claim line (``CLAIMED_SQL``).

    ``only_lines``: the name of a table with a ``line_id`` column (the close's changed lines, see
    ``changed_lines_sql``): only those lines are read, and only their claim lines and commissions summed.
    """
    names = tables()
    line_filter = f"AND ol.id IN (SELECT line_id FROM {only_lines})" if only_lines else ""
    aff_filter = f"AND ac.line_id IN (SELECT line_id FROM {only_lines})" if only_lines else ""
    closed = _in(CLOSED_CLAIM_STATUSES)
    ended = _in(ENDED_BY_CLAIM)
    refunded_units = "COALESCE(claimed.units, 0)"
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
               COALESCE(claimed.fee, 0) AS claim_fee,
               COALESCE(claimed.exchange_fee, 0) AS exchange_fee,
               {REVIEW_REWARD_SQL} AS review_reward,
               {AFFILIATE_FEE_SQL.format(membership=names['affiliate_membership'])} AS affiliate_fee
        FROM {names['line']} ol
        JOIN {names['order']} o ON o.id = ol.order_id
        JOIN {names['commission']} lc ON lc.order_line_id = ol.id
        LEFT JOIN ({claimed_sql(only_lines)}) claimed ON claimed.line_id = ol.id
        LEFT JOIN {names['review']} rv ON rv.line_id = ol.id
        LEFT JOIN (SELECT ac.line_id, SUM(ac.commission_amount) AS amount FROM {names['affiliate_commission']} ac
                   WHERE ac.created_at < %(up_to)s {aff_filter} GROUP BY ac.line_id) aff ON aff.line_id = ol.id
        WHERE o.paid_at IS NOT NULL {line_filter}
          AND ((ol.status = '{CONFIRMED}' AND ol.confirmed_at < %(up_to)s) OR ol.status IN {ended})
          AND NOT EXISTS (SELECT 1 FROM {names['claim_line']} open_line JOIN {names['claim']} open_claim
                          ON open_claim.id = open_line.claim_id
                          WHERE open_line.order_line_id = ol.id AND open_claim.status NOT IN {closed})
    """


# The line kinds of money and the column of settleable_lines_sql holding each target.
LINE_KINDS = ("sale", "shipping", "commission", "seller_coupon", "claim_sale", "claim_commission", "claim_coupon",
              "claim_shipping", "claim_fee", "exchange_fee", "review_reward", "affiliate_fee")
# Line kinds that are not the shopper's money for the goods: marketing costs the seller bears (reconcile
# checks them in their own equation).
MARKETING_KINDS = ("review_reward", "affiliate_fee")


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
    # A review reward granted or taken back (review_reward), and affiliate commission accrued or reversed
    # (affiliate_fee), may come after the line was booked. The review table is small beside the lines
    # (one review at most per line), so a scan of its two timestamps is cheap; commissions are indexed.
    "SELECT rv.line_id FROM {review} rv WHERE rv.created_at >= %(since)s OR rv.reward_revoked_at >= %(since)s",
    "SELECT ac.line_id FROM {affiliate_commission} ac WHERE ac.created_at >= %(since)s",
)


def changed_lines_sql() -> str:
    """SELECT line_id of every line whose settlement may have changed at or after ``%(since)s``."""
    names = tables()
    return " UNION ".join(source.format(**names) for source in CHANGED_LINE_SOURCES)
