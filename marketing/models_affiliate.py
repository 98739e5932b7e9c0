"""Affiliates (제휴 마케팅): applications, short links, clicks, attributed orders, commission
ledger and monthly statements."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import TimeStampedModel


class Affiliate(TimeStampedModel):
    """A person or business who brings shoppers with links and earns commission."""

    class Kind(models.TextChoices):
        # Contexts: the same English words mean other things for sellers (입점신청, 판매중지, 사업자 정보).
        INDIVIDUAL = "individual", pgettext_lazy("affiliate", "Individual")
        BUSINESS = "business", pgettext_lazy("affiliate", "Business")

    class Status(models.TextChoices):
        APPLIED = "applied", pgettext_lazy("affiliate", "Applied")  # waiting for an operator
        APPROVED = "approved", pgettext_lazy("affiliate", "Approved")  # links work, commission accrues
        REJECTED = "rejected", pgettext_lazy("affiliate", "Rejected")
        SUSPENDED = "suspended", pgettext_lazy("affiliate", "Suspended")  # links redirect but earn nothing

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="affiliate")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name or business name"), max_length=80)
    business_number = models.CharField(_("business registration number"), max_length=12, blank=True)
    channel_url = models.URLField(_("blog, channel or site"), blank=True)
    bank_name = models.CharField(_("bank"), max_length=30)
    account_number = models.CharField(_("account number"), max_length=40)
    account_holder = models.CharField(_("account holder"), max_length=50)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.APPLIED)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class AffiliateCategoryRate(models.Model):
    """A commission rate for one category (and its children) instead of the default."""

    category = models.OneToOneField("catalog.Category", on_delete=models.CASCADE, related_name="+")
    rate_percent = models.DecimalField(_("commission (%)"), max_digits=4, decimal_places=1)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(rate_percent__gte=0, rate_percent__lte=50),
                                              name="affiliate_rate_in_range")]

    def __str__(self) -> str:
        return f"{self.category_id}: {self.rate_percent}%"


class AffiliateLink(TimeStampedModel):
    """A short link (/r/<code>) to any page of the shop."""

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="links")
    code = models.CharField(max_length=12, unique=True)
    target_path = models.CharField(_("page"), max_length=300)
    label = models.CharField(_("label"), max_length=80, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.code


class AffiliateClick(models.Model):
    link = models.ForeignKey(AffiliateLink, on_delete=models.CASCADE, related_name="clicks")
    visitor_id = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.link_id} @ {self.created_at}"


class AffiliateOrder(models.Model):
    """An order an affiliate's click brought in (last click within AFFILIATE_WINDOW_HOURS)."""

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="affiliate_attribution")
    affiliate = models.ForeignKey(Affiliate, on_delete=models.PROTECT, related_name="orders")
    link = models.ForeignKey(AffiliateLink, on_delete=models.PROTECT, related_name="+")
    click = models.ForeignKey(AffiliateClick, null=True, on_delete=models.SET_NULL, related_name="+")
    clicked_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.order_id} ← {self.affiliate_id}"


class AffiliateStatement(models.Model):
    """One affiliate's month: what was earned, what carried over from before, what is paid."""

    class Status(models.TextChoices):
        CARRIED = "carried", _("Carried over")  # under the minimum: moves to next month
        PAYABLE = "payable", _("To be paid")
        PAID = "paid", _("Paid")

    affiliate = models.ForeignKey(Affiliate, on_delete=models.PROTECT, related_name="statements")
    month = models.DateField(help_text="first day of the month")
    carried_in_amount = models.BigIntegerField(default=0)
    earned_amount = models.BigIntegerField(default=0)
    total_amount = models.BigIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "affiliate_id"]
        constraints = [
            models.UniqueConstraint(fields=["affiliate", "month"], name="affiliate_statement_once_a_month"),
            models.CheckConstraint(condition=models.Q(total_amount=models.F("carried_in_amount")
                                                      + models.F("earned_amount")),
                                   name="affiliate_statement_adds_up"),
        ]

    def __str__(self) -> str:
        return f"{self.affiliate_id} {self.month:%Y-%m}"


class AffiliateCommission(models.Model):
    """The commission ledger: one row per change on one order line. The accrual job writes the
    difference between what a line should earn now and what its rows already say, so a refund
    after confirmation shows as a negative (reversal) row."""

    class Kind(models.TextChoices):
        ACCRUAL = "accrual", _("Accrued")
        REVERSAL = "reversal", _("Reversed")

    affiliate = models.ForeignKey(Affiliate, on_delete=models.PROTECT, related_name="commissions")
    line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    units = models.IntegerField()
    base_amount = models.BigIntegerField()
    rate_percent = models.DecimalField(max_digits=4, decimal_places=1)
    commission_amount = models.BigIntegerField()
    statement = models.ForeignKey(AffiliateStatement, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="commissions")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["line"], name="affiliate_commission_line")]

    def __str__(self) -> str:
        return f"{self.kind} {self.commission_amount} on line {self.line_id}"


class AffiliateProgramMembership(models.Model):
    """A seller that joined the affiliate program: it bears the affiliate fee of its lines (a settlement
    ledger row, kind ``affiliate_fee``) for orders placed while it was a member; otherwise the
    platform bears it. Leaving closes the row (``left_at``), so past orders keep who paid."""

    seller = models.ForeignKey("partners.Seller", on_delete=models.CASCADE, related_name="affiliate_memberships")
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-joined_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["seller"], condition=models.Q(left_at__isnull=True),
                                    name="affiliate_membership_one_open"),
            models.CheckConstraint(condition=models.Q(left_at__isnull=True) | models.Q(left_at__gte=models.F("joined_at")),
                                   name="affiliate_membership_period"),
        ]

    def __str__(self) -> str:
        return f"{self.seller_id} in the affiliate program from {self.joined_at:%Y-%m-%d}"
