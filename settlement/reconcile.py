"""Proof that the shop's money balances (issue 11): each equation with both sides, to the won.

Used by ``manage.py reconcile`` and the console's reconciliation page. Reads only.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from . import sources
from .services.periods import db_datetime, local_midnight


@dataclass
class Equation:
    key: str
    title: str
    left_label: str
    right_label: str
    left: int = 0
    right: int = 0
    left_terms: list = field(default_factory=list)  # (label, amount)
    right_terms: list = field(default_factory=list)
    differing: list = field(default_factory=list)  # drill-down rows (dicts)

    @property
    def difference(self) -> int:
        return self.left - self.right

    @property
    def balances(self) -> bool:
        return self.difference == 0


@dataclass
class Report:
    date_from: date
    date_to: date
    equations: list

    @property
    def balances(self) -> bool:
        return all(equation.balances for equation in self.equations)


def _bounds(date_from: date, date_to: date):
    return local_midnight(date_from), local_midnight(date_to + timedelta(days=1))


def _orders_equation(start, end) -> Equation:
    from marketing.models import OrderLineDiscount, PointEntry
    from orders.models import Order, Payment

    paid = Order.objects.filter(paid_at__gte=start, paid_at__lt=end)
    placed = paid.aggregate(items=Sum("items_amount"), shipping=Sum("shipping_amount"))
    captured = Payment.objects.filter(order__in=paid).aggregate(total=Sum("amount"))["total"] or 0
    points = -(PointEntry.objects.filter(order__in=paid, kind=PointEntry.Kind.USE).aggregate(total=Sum("amount"))["total"]
               or 0)
    coupons = OrderLineDiscount.objects.filter(line__order__in=paid).aggregate(total=Sum("amount"))["total"] or 0
    other = paid.aggregate(total=Sum("discount_amount"))["total"] or 0
    equation = Equation("orders", str(_("Orders placed = PG captured + points + coupons")),
                        str(_("orders placed (items + shipping)")), str(_("captured + points + discounts")))
    equation.left_terms = [(str(_("items")), placed["items"] or 0), (str(_("shipping")), placed["shipping"] or 0)]
    equation.right_terms = [(str(_("PG captured")), captured), (str(_("points used")), points),
                            (str(_("coupons")), coupons), (str(_("other order discounts")), other - coupons)]
    equation.left = sum(amount for _label, amount in equation.left_terms)
    equation.right = captured + points + other
    if not equation.balances:
        for order in paid.select_related("payment").order_by("pk")[:2000]:
            order_coupons = OrderLineDiscount.objects.filter(line__order=order).aggregate(t=Sum("amount"))["t"] or 0
            order_points = -(PointEntry.objects.filter(order=order, kind=PointEntry.Kind.USE)
                             .aggregate(t=Sum("amount"))["t"] or 0)
            left = order.items_amount + order.shipping_amount
            right = order.payment.amount + order_points + order.discount_amount
            if left != right or order_coupons > order.discount_amount:
                equation.differing.append({"order": order.number, "left": left, "right": right})
    return equation


def _refunds_equation(start, end) -> Equation:
    from claims.models import Claim
    from orders.models import PaymentCancel

    cancels = PaymentCancel.objects.filter(created_at__gte=start, created_at__lt=end)
    by_claims = cancels.filter(idempotency_key__startswith="claim-").aggregate(t=Sum("amount"))["t"] or 0
    by_stockout = cancels.filter(idempotency_key__startswith="stockout-line-").aggregate(t=Sum("amount"))["t"] or 0
    claims = Claim.objects.filter(refunded_at__gte=start, refunded_at__lt=end, refund_amount__gt=0)
    claimed = claims.aggregate(t=Sum("refund_amount"))["t"] or 0
    equation = Equation("refunds", str(_("Refunds through the PG = claims refunded")),
                        str(_("PG cancels for claims")), str(_("claims refunded")))
    equation.left_terms = [(str(_("PG cancels for claims")), by_claims),
                           (str(_("PG cancels for stock-outs (no claim)")), by_stockout)]
    equation.right_terms = [(str(_("claims refunded")), claimed), (str(_("stock-out cancels")), by_stockout)]
    equation.left, equation.right = by_claims + by_stockout, claimed + by_stockout
    if not equation.balances:
        pg = dict(cancels.filter(idempotency_key__startswith="claim-").values_list("idempotency_key")
                  .annotate(t=Sum("amount")).values_list("idempotency_key", "t"))
        for claim in claims.order_by("pk")[:2000]:
            if pg.get(f"claim-{claim.number}", 0) != claim.refund_amount:
                equation.differing.append({"claim": claim.number, "left": pg.get(f"claim-{claim.number}", 0),
                                           "right": claim.refund_amount})
    return equation


def settled_lines_sql() -> str:
    """Per settled line (it has ledger rows; its order paid in the range): the ledger and the line's own money.

    The units and shipping refunded are read from the order line (what orders recorded), the deductions
    and exchange fees from the claim lines (what claims recorded); the ledger was booked from the claim
    lines' units, so a claim recorded differently on the two sides shows here, on its line."""
    names = sources.tables()
    kept = "(ol.quantity - ol.refunded_quantity)"
    marketing = sources._in(sources.MARKETING_KINDS)
    return f"""
        SELECT ol.id, o.number, ol.seller_id, led.total, -led.commission,
               ol.paid_amount, ol.points_share_amount,
               ol.refunded_gross_amount + ol.refunded_shipping_amount + ol.refunded_points_amount AS refunded_gross,
               COALESCE(claimed.fee, 0) + COALESCE(claimed.deducted_exchange_fee, 0) AS deductions_kept,
               COALESCE(claimed.exchange_fee, 0) - COALESCE(claimed.deducted_exchange_fee, 0) AS exchange_fee_paid,
               ol.items_amount * {kept} / ol.quantity + ol.shipping_share_amount - ol.refunded_shipping_amount
                 - lc.seller_discount_amount * {kept} / ol.quantity AS credited
        FROM (SELECT e.order_line_id, SUM(e.amount) AS total,
                     SUM(CASE WHEN e.kind IN ('commission', 'claim_commission') THEN e.amount ELSE 0 END) AS commission
              FROM {names['ledger']} e WHERE e.order_line_id IS NOT NULL AND e.kind <> 'adjustment'
                AND e.kind NOT IN {marketing}
              GROUP BY e.order_line_id) led
        JOIN {names['line']} ol ON ol.id = led.order_line_id
        JOIN {names['order']} o ON o.id = ol.order_id
        JOIN {names['commission']} lc ON lc.order_line_id = ol.id
        LEFT JOIN (SELECT cm.line_id, cm.fee, cm.exchange_fee, dx.amount AS deducted_exchange_fee
                   FROM ({sources.claimed_sql()}) cm
                   LEFT JOIN (SELECT cl.order_line_id, SUM(cl.exchange_fee_amount) AS amount
                              FROM {names['claim_line']} cl JOIN {names['claim']} c ON c.id = cl.claim_id
                              WHERE c.refunded_at IS NOT NULL AND c.type <> 'exchange'
                              GROUP BY cl.order_line_id) dx ON dx.order_line_id = cm.line_id) claimed
          ON claimed.line_id = ol.id
        WHERE o.paid_at >= %(start)s AND o.paid_at < %(end)s
        ORDER BY ol.id
    """


def _settled_equation(start, end) -> Equation:
    equation = Equation("settled", str(_("Settled lines: seller ledger + commission = what shoppers paid, net")),
                        str(_("seller ledger + platform commission")),
                        str(_("shopper cash + points − refunds before deductions + deductions kept by sellers "
                              "+ exchange fees paid + platform-funded discounts")))
    sums = dict.fromkeys(("ledger", "commission", "cash", "points", "refunds", "fees", "exchange", "platform"), 0)
    with connection.cursor() as cursor:
        cursor.execute(settled_lines_sql(), {"start": db_datetime(start), "end": db_datetime(end)})
        for (line_id, number, seller_id, ledger, commission, paid, points, refunded_gross, fees, exchange,
             credited) in cursor:
            # What the shopper paid for the units kept (before any deduction); the rest of what the seller is
            # credited for them is the platform's coupons and the won of rounding it bears.
            shopper_kept = paid + points - refunded_gross
            platform = credited - shopper_kept
            sums["ledger"] += ledger
            sums["commission"] += commission
            sums["cash"] += paid
            sums["points"] += points
            sums["refunds"] += refunded_gross
            sums["fees"] += fees
            sums["exchange"] += exchange
            sums["platform"] += platform
            right = shopper_kept + fees + exchange + platform
            if (ledger + commission) != right and len(equation.differing) < 2000:
                equation.differing.append({"line": line_id, "order": number, "seller": seller_id,
                                           "left": ledger + commission, "right": right})
    equation.left_terms = [(str(_("seller ledger (line money)")), sums["ledger"]),
                           (str(_("platform commission")), sums["commission"])]
    equation.right_terms = [(str(_("shopper cash paid")), sums["cash"]), (str(_("points used")), sums["points"]),
                            (str(_("refunded before deductions (cash + points)")), -sums["refunds"]),
                            (str(_("deductions kept by sellers (return fee, shipping, damage)")), sums["fees"]),
                            (str(_("exchange fees paid through the PG")), sums["exchange"]),
                            (str(_("platform-funded discounts")), sums["platform"])]
    equation.left = sums["ledger"] + sums["commission"]
    equation.right = sum(amount for _label, amount in equation.right_terms)
    return equation


def _exchange_fees_equation(start, end) -> Equation:
    """Exchange fees collected through the PG (ClaimPayment) = the fees the claim lines record for the
    completed exchanges (what the sellers' ``exchange_fee`` rows are booked from)."""
    from claims.models import Claim, ClaimLine, ClaimPayment

    claims = Claim.objects.filter(type=Claim.Type.EXCHANGE, status=Claim.Status.COMPLETED,
                                  updated_at__gte=start, updated_at__lt=end, exchange_fee_amount__gt=0)
    collected = dict(ClaimPayment.objects.filter(claim__in=claims, status=ClaimPayment.Status.DONE)
                     .values_list("claim_id").annotate(t=Sum("amount")).values_list("claim_id", "t"))
    recorded = dict(ClaimLine.objects.filter(claim__in=claims).values_list("claim_id")
                    .annotate(t=Sum("exchange_fee_amount")).values_list("claim_id", "t"))
    equation = Equation("exchange_fees", str(_("Exchange fees paid through the PG = exchange fees on the claim lines")),
                        str(_("PG extra payments (done)")), str(_("exchange fees on claim lines")),
                        sum(collected.values()), sum(recorded.values()))
    equation.left_terms, equation.right_terms = [(equation.left_label, equation.left)], [(equation.right_label,
                                                                                          equation.right)]
    if not equation.balances:
        for claim in claims.order_by("pk")[:2000]:
            if collected.get(claim.pk, 0) != recorded.get(claim.pk, 0):
                equation.differing.append({"claim": claim.number, "left": collected.get(claim.pk, 0),
                                           "right": recorded.get(claim.pk, 0)})
    return equation


def marketing_lines_sql() -> str:
    """Per settled line: review reward kept by the shopper and affiliate commission, who funds them, and the
    seller's ledger rows for them."""
    names = sources.tables()
    return f"""
        SELECT ol.id, o.number, ol.seller_id,
               CASE WHEN rv.reward_revoked_at IS NULL THEN COALESCE(rv.reward_amount, 0) ELSE 0 END AS reward,
               CASE WHEN rv.reward_revoked_at IS NULL AND rv.reward_funder = 'platform'
                    THEN rv.reward_amount ELSE 0 END AS platform_reward,
               COALESCE(aff.amount, 0) AS affiliate,
               CASE WHEN EXISTS (SELECT 1 FROM {names['affiliate_membership']} am WHERE am.seller_id = ol.seller_id
                                 AND am.joined_at <= o.created_at AND (am.left_at IS NULL OR am.left_at > o.created_at))
                    THEN 0 ELSE COALESCE(aff.amount, 0) END AS platform_affiliate,
               -led.reward, -led.affiliate
        FROM (SELECT e.order_line_id,
                     SUM(CASE WHEN e.kind = 'review_reward' THEN e.amount ELSE 0 END) AS reward,
                     SUM(CASE WHEN e.kind = 'affiliate_fee' THEN e.amount ELSE 0 END) AS affiliate
              FROM {names['ledger']} e WHERE e.order_line_id IS NOT NULL GROUP BY e.order_line_id) led
        JOIN {names['line']} ol ON ol.id = led.order_line_id
        JOIN {names['order']} o ON o.id = ol.order_id
        LEFT JOIN {names['review']} rv ON rv.line_id = ol.id
        LEFT JOIN (SELECT ac.line_id, SUM(ac.commission_amount) AS amount FROM {names['affiliate_commission']} ac
                   GROUP BY ac.line_id) aff ON aff.line_id = ol.id
        WHERE o.paid_at >= %(start)s AND o.paid_at < %(end)s
        ORDER BY ol.id
    """


def _marketing_equation(start, end) -> Equation:
    """Review rewards and affiliate commission of the settled lines = what sellers were charged for them
    (their ledger rows) + what the platform bears (platform-funded rewards, sellers not in the program)."""
    equation = Equation("marketing", str(_("Marketing costs: review rewards + affiliate fees = charged to sellers "
                                           "+ borne by the platform")),
                        str(_("review rewards kept + affiliate commission")),
                        str(_("charged to sellers + borne by the platform")))
    sums = dict.fromkeys(("reward", "affiliate", "seller_reward", "seller_affiliate", "platform_reward",
                          "platform_affiliate"), 0)
    with connection.cursor() as cursor:
        cursor.execute(marketing_lines_sql(), {"start": db_datetime(start), "end": db_datetime(end)})
        for (line_id, number, seller_id, reward, platform_reward, affiliate, platform_affiliate, seller_reward,
             seller_affiliate) in cursor:
            for key, value in (("reward", reward), ("affiliate", affiliate), ("seller_reward", seller_reward),
                               ("seller_affiliate", seller_affiliate), ("platform_reward", platform_reward),
                               ("platform_affiliate", platform_affiliate)):
                sums[key] += value
            left = reward + affiliate
            right = seller_reward + seller_affiliate + platform_reward + platform_affiliate
            if left != right and len(equation.differing) < 2000:
                equation.differing.append({"line": line_id, "order": number, "seller": seller_id,
                                           "left": left, "right": right})
    equation.left_terms = [(str(_("review rewards kept by shoppers")), sums["reward"]),
                           (str(_("affiliate commission")), sums["affiliate"])]
    equation.right_terms = [(str(_("review rewards charged to sellers")), sums["seller_reward"]),
                            (str(_("affiliate fees charged to sellers")), sums["seller_affiliate"]),
                            (str(_("review rewards borne by the platform")), sums["platform_reward"]),
                            (str(_("affiliate fees borne by the platform")), sums["platform_affiliate"])]
    equation.left = sums["reward"] + sums["affiliate"]
    equation.right = sum(amount for _label, amount in equation.right_terms)
    return equation


def _payouts_equation(start, end) -> Equation:
    from .models import LedgerEntry, Statement

    paid = Statement.objects.filter(status=Statement.Status.PAID, paid_at__gte=start, paid_at__lt=end)
    transferred = paid.aggregate(t=Sum("paid_amount"))["t"] or 0
    ledger = LedgerEntry.objects.filter(statement__in=paid).aggregate(t=Sum("amount"))["t"] or 0
    equation = Equation("payouts", str(_("Payouts = the ledger rows of the paid statements")),
                        str(_("transferred")), str(_("ledger rows of paid statements")), transferred, ledger)
    equation.left_terms, equation.right_terms = [(equation.left_label, transferred)], [(equation.right_label, ledger)]
    if not equation.balances:
        totals = dict(LedgerEntry.objects.filter(statement__in=paid).values_list("statement_id")
                      .annotate(t=Sum("amount")).values_list("statement_id", "t"))
        for statement in paid:
            if statement.paid_amount != totals.get(statement.pk, 0):
                equation.differing.append({"statement": statement.pk, "left": statement.paid_amount,
                                           "right": totals.get(statement.pk, 0)})
    return equation


def reconcile(*, date_from: date, date_to: date) -> Report:
    start, end = _bounds(date_from, date_to)
    return Report(date_from, date_to, [_orders_equation(start, end), _refunds_equation(start, end),
                                       _exchange_fees_equation(start, end), _settled_equation(start, end),
                                       _marketing_equation(start, end), _payouts_equation(start, end)])
