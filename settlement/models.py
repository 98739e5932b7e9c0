"""Settlement (정산): commission rules and each seller's contract terms.

The ledger, statements and payouts build on these (see docs/settlement.md when it exists).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import TimeStampedModel


class CommissionRule(TimeStampedModel):
    """A commission rate for a scope: site default (no seller, no category), a category (and its
    subtree), a seller, or a seller within a category. The most specific rule in force wins:
    seller + category > seller > category > site. Rates are percent; amounts round down to won."""

    seller = models.ForeignKey("partners.Seller", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="commission_rules")
    category = models.ForeignKey("catalog.Category", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="commission_rules")
    rate = models.DecimalField(_("commission rate (%)"), max_digits=5, decimal_places=2,
                               validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Empty: open-ended."))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("commission rule")
        verbose_name_plural = _("commission rules")
        constraints = [
            models.CheckConstraint(condition=models.Q(rate__gte=0, rate__lte=100), name="commission_rate_range"),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=models.F("valid_from")),
                name="commission_rule_period",
            ),
        ]
        indexes = [models.Index(fields=["seller", "category", "valid_from"])]

    def __str__(self) -> str:
        scope = " / ".join(str(part) for part in (self.seller, self.category) if part) or "site"
        return f"{scope}: {self.rate}%"


class SettlementContract(TimeStampedModel):
    """The settlement terms a seller was approved with; a new row from ``valid_from`` replaces the
    previous one (the history stays)."""

    class Cycle(models.TextChoices):
        WEEKLY = "weekly", _("Weekly (Monday to Sunday of confirmation)")
        MONTHLY = "monthly", _("Monthly")

    seller = models.ForeignKey("partners.Seller", on_delete=models.CASCADE, related_name="settlement_contracts")
    cycle = models.CharField(_("settlement cycle"), max_length=10, choices=Cycle.choices, default=Cycle.WEEKLY)
    pg_fee_borne_by_seller = models.BooleanField(_("seller bears the PG fee"), default=False)
    valid_from = models.DateField(_("valid from"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("settlement contract")
        verbose_name_plural = _("settlement contracts")
        constraints = [
            models.CheckConstraint(condition=models.Q(cycle__in=["weekly", "monthly"]), name="contract_cycle_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.seller}: {self.cycle} from {self.valid_from}"


class LineCommission(models.Model):
    """The commission frozen on an order line when the order was placed (a later rule change never
    reaches a placed order). Written once by the ``orders.signals.order_placed`` receiver."""

    order_line = models.OneToOneField("orders.OrderLine", on_delete=models.CASCADE, related_name="settlement_commission")
    seller = models.ForeignKey("partners.Seller", on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(CommissionRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rate = models.DecimalField(max_digits=5, decimal_places=2)
    base_amount = models.BigIntegerField(help_text="items amount less seller-funded coupons")
    commission_amount = models.BigIntegerField(help_text="percent_of(base, rate), rounded down")
    seller_discount_amount = models.BigIntegerField(default=0, help_text="seller-funded coupon share of the line")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(commission_amount__gte=0, base_amount__gte=0),
                                   name="line_commission_not_negative"),
            models.CheckConstraint(condition=models.Q(commission_amount__lte=models.F("base_amount")),
                                   name="line_commission_not_above_base"),
        ]

    def __str__(self) -> str:
        return f"line {self.order_line_id}: {self.rate}% = {self.commission_amount}"


class PayoutBatch(TimeStampedModel):
    """The statements paid on one payout date: one bank transfer file."""

    payout_date = models.DateField(unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-payout_date"]

    def __str__(self) -> str:
        return f"payout {self.payout_date}"


class Statement(TimeStampedModel):
    """A seller's statement for one closed period. Its total is always the sum of its ledger rows;
    only the payout status lives here."""

    class Status(models.TextChoices):
        CLOSED = "closed", _("Closed")  # the period is closed; waiting for its payout date
        PAID = "paid", pgettext_lazy("settlement", "Paid")  # the transfer went out
        FAILED = "failed", _("Payout failed")  # the amount went back to the balance (carried over)

    seller = models.ForeignKey("partners.Seller", on_delete=models.PROTECT, related_name="statements")
    cycle = models.CharField(max_length=10, choices=SettlementContract.Cycle.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    payout_due_on = models.DateField(_("payout date"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CLOSED)
    batch = models.ForeignKey(PayoutBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="statements")
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_amount = models.BigIntegerField(default=0, help_text="what was transferred (its total when marked paid)")
    failure_reason = models.CharField(max_length=200, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["-period_end", "seller_id"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        constraints = [
            models.UniqueConstraint(fields=["seller", "period_start", "period_end"], name="statement_once_per_period"),
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                   name="statement_period_valid"),
        ]
        indexes = [models.Index(fields=["period_end", "status"], name="statement_period_status")]
        permissions = [("manage_settlement", "Can close periods, hold, adjust and pay settlements")]

    def __str__(self) -> str:
        return f"{self.seller} {self.period_start}–{self.period_end}"


class SettlementAdjustment(TimeStampedModel):
    """An operator's adjustment (plus or minus, with a reason); the next close books it as a ledger row."""

    seller = models.ForeignKey("partners.Seller", on_delete=models.PROTECT, related_name="+")
    order_line = models.ForeignKey("orders.OrderLine", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    amount = models.BigIntegerField(_("amount"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=~models.Q(reason="") & ~models.Q(amount=0),
                                              name="adjustment_has_reason_and_amount")]

    def __str__(self) -> str:
        return f"adjustment {self.amount:+d} seller {self.seller_id}"


class LedgerEntry(models.Model):
    """One row of the append-only settlement ledger: an amount of one kind of money for a seller,
    usually for one order line, in one statement. Rows are only ever inserted, already in their
    statement (a close books them); PostgreSQL refuses UPDATE and DELETE. Positive = owed to the seller."""

    class Kind(models.TextChoices):
        SALE = "sale", _("Sale")  # items amount, before any discount
        SHIPPING = "shipping", _("Shipping fee")
        COMMISSION = "commission", _("Commission")  # negative
        SELLER_COUPON = "seller_coupon", _("Seller-funded coupon")  # negative
        CLAIM_SALE = "claim_sale", _("Claim: sale reversed")  # negative, per refunded unit
        CLAIM_COMMISSION = "claim_commission", _("Claim: commission returned")  # positive
        CLAIM_COUPON = "claim_coupon", _("Claim: coupon share returned")  # positive
        CLAIM_SHIPPING = "claim_shipping", _("Claim: shipping refunded")  # negative
        CLAIM_FEE = "claim_fee", _("Return fee and deductions kept")  # positive: deducted from the shopper's refund
        EXCHANGE_FEE = "exchange_fee", _("Exchange fee kept")  # positive: the shopper paid it (PG or off a refund)
        REVIEW_REWARD = "review_reward", _("Review reward (seller-funded)")  # negative; back (+) when clawed back
        AFFILIATE_FEE = "affiliate_fee", _("Affiliate fee (seller in the program)")  # negative; reversals (+)
        ADJUSTMENT = "adjustment", _("Adjustment")  # by an operator, with a reason
        CARRY_OVER = "carry_over", _("Carry-over")  # out of one statement (+/-) and into the next (-/+)

    # No database FK constraints on the ledger's links: a close inserts millions of rows set-based from the
    # rows it has just read, and the per-row FK triggers cost more than the close itself (measured in
    # bench/settlement.py). PROTECT still guards ORM deletes; the append-only trigger refuses DELETE.
    seller = models.ForeignKey("partners.Seller", on_delete=models.PROTECT, related_name="+", db_constraint=False,
                               db_index=False)
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="entries", db_constraint=False)
    order_line = models.ForeignKey("orders.OrderLine", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", db_constraint=False, db_index=False)  # ledger_line index
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount = models.BigIntegerField()
    # When the money arose (the confirmation or claim completion it stems from).
    effective_at = models.DateTimeField()
    # Unique when set (partial indexes: the millions of line rows, where both are empty, add no entry).
    adjustment = models.ForeignKey(SettlementAdjustment, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="entries", db_index=False, db_constraint=False)
    # A carry-in row names the statement whose balance it carries (once).
    carried_from = models.ForeignKey(Statement, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="carried_into", db_index=False, db_constraint=False)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(order_line__isnull=False) | models.Q(kind__in=["adjustment", "carry_over"]),
                name="ledger_line_money_has_line"),
            models.CheckConstraint(condition=~models.Q(kind="adjustment") | models.Q(adjustment__isnull=False),
                                   name="ledger_adjustment_has_source"),
        ]
        # What the ledger holds for a line (the close's booked sums, statement pages): the line alone, a bigint
        # (with the kind, a collated varchar, the index cost a million-line close ~5 s more to maintain).
        indexes = [models.Index(fields=["order_line"], name="ledger_line"),
                   # carry-outs waiting for their carry-in are looked up at every close: a tiny partial index
                   models.Index(fields=["statement"], condition=models.Q(kind="carry_over"), name="ledger_carry_overs")]
        constraints += [
            models.UniqueConstraint(fields=["adjustment"], condition=models.Q(adjustment__isnull=False),
                                    name="ledger_adjustment_once"),
            models.UniqueConstraint(fields=["carried_from"], condition=models.Q(carried_from__isnull=False),
                                    name="ledger_carried_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount:+d} seller {self.seller_id}"

    def save(self, *args, **kwargs):
        # Append-only: the one write path is an insert (the database refuses updates too).
        if not self._state.adding:
            raise ValueError("ledger entries are never updated")
        super().save(*args, **kwargs)


class SettlementHold(TimeStampedModel):
    """An operator's hold on one order line or on a whole seller (fraud, a missing document): what it
    covers is booked by no close while it is in force; nothing else waits."""

    seller = models.ForeignKey("partners.Seller", on_delete=models.PROTECT, related_name="settlement_holds")
    order_line = models.ForeignKey("orders.OrderLine", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", help_text="empty: the whole seller")
    reason = models.CharField(_("reason"), max_length=200)
    release_on = models.DateField(_("release on"), null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("settlement hold")
        verbose_name_plural = _("settlement holds")
        constraints = [models.CheckConstraint(condition=~models.Q(reason=""), name="settlement_hold_has_reason")]

    def __str__(self) -> str:
        return f"hold {self.seller_id}/{self.order_line_id or '*'}: {self.reason}"


class PeriodClose(models.Model):
    """One close of one cycle's period: closing the same period twice is refused by the database."""

    cycle = models.CharField(max_length=10, choices=SettlementContract.Cycle.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    statement_count = models.PositiveIntegerField(default=0)
    entry_count = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    # The next close of this cycle re-reads only the lines changed at or after this instant (the period's
    # end or the moment the close ran, whichever is earlier, less a margin for transactions still
    # committing). Empty: the close read every line (it is never used as a starting point).
    changes_before = models.DateTimeField(null=True, blank=True)
    # How many order lines the close read (all of them without a previous close, else the changed ones).
    lines_checked = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-period_end", "cycle"]
        constraints = [models.UniqueConstraint(fields=["cycle", "period_start"], name="period_closed_once")]

    def __str__(self) -> str:
        return f"{self.cycle} {self.period_start}–{self.period_end}"
