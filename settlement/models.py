"""Settlement (정산): commission rules and each seller's contract terms.

The ledger, statements and payouts build on these (see docs/settlement.md when it exists).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

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
