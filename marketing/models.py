from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class Coupon(TimeStampedModel):
    """A coupon definition (쿠폰): what it takes off, on what, for whom, and who pays for it."""

    class Kind(models.TextChoices):
        PRODUCT = "product", _("Product coupon")  # off one order line
        CART = "cart", _("Cart coupon")  # off the order's eligible items
        SHIPPING = "shipping", _("Shipping coupon")  # off the shipping fee

    class DiscountType(models.TextChoices):
        AMOUNT = "amount", _("Amount off")
        PERCENT = "percent", _("Percent off")

    class Scope(models.TextChoices):
        ALL = "all", _("Everything")
        CATEGORIES = "categories", _("Categories")
        PRODUCTS = "products", _("Products")
        SELLERS = "sellers", _("Sellers")

    class Funder(models.TextChoices):
        PLATFORM = "platform", _("Platform")
        SELLER = "seller", _("Seller")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")  # can be issued and used
        PAUSED = "paused", _("Paused")  # no new issues; issued ones still usable
        ENDED = "ended", _("Ended")  # nothing more

    class AutoIssue(models.TextChoices):
        NONE = "", _("No")
        SIGN_UP = "sign_up", _("On sign-up")
        FIRST_PURCHASE = "first_purchase", _("After the first purchase")

    name = models.CharField(_("coupon name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    discount_type = models.CharField(_("discount type"), max_length=20, choices=DiscountType.choices)
    discount_value = models.PositiveIntegerField(_("discount"), help_text=_("Won, or percent for percent off"))
    max_discount_amount = models.PositiveIntegerField(_("maximum discount"), null=True, blank=True)
    min_order_amount = models.PositiveIntegerField(_("minimum order amount"), default=0)
    scope = models.CharField(_("applies to"), max_length=20, choices=Scope.choices, default=Scope.ALL)
    categories = models.ManyToManyField("catalog.Category", blank=True, related_name="+")
    products = models.ManyToManyField("catalog.Product", blank=True, related_name="+")
    sellers = models.ManyToManyField("partners.Seller", blank=True, related_name="+")
    excluded_products = models.ManyToManyField("catalog.Product", blank=True, related_name="+")
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    valid_days = models.PositiveSmallIntegerField(_("valid for days after issue"), null=True, blank=True)
    total_limit = models.PositiveIntegerField(_("total issue limit"), null=True, blank=True)
    per_user_limit = models.PositiveSmallIntegerField(_("per shopper limit"), default=1)
    issued_count = models.PositiveIntegerField(default=0, editable=False)
    funder = models.CharField(_("funded by"), max_length=20, choices=Funder.choices, default=Funder.PLATFORM)
    funding_seller = models.ForeignKey("partners.Seller", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="funded_coupons")
    seller_share_percent = models.PositiveSmallIntegerField(_("seller's share (%)"), default=0)
    code = models.CharField(_("coupon code"), max_length=30, unique=True, null=True, blank=True)
    downloadable = models.BooleanField(_("downloadable by shoppers"), default=False)
    auto_issue = models.CharField(_("issue automatically"), max_length=20, choices=AutoIssue.choices, blank=True,
                                  default=AutoIssue.NONE)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        constraints = [
            models.CheckConstraint(condition=~models.Q(discount_type="percent") | models.Q(discount_value__lte=100),
                                   name="coupon_percent_at_most_100"),
            models.CheckConstraint(condition=models.Q(seller_share_percent__lte=100), name="coupon_share_at_most_100"),
            models.CheckConstraint(condition=models.Q(total_limit__isnull=True)
                                   | models.Q(issued_count__lte=models.F("total_limit")),
                                   name="coupon_issued_within_limit"),
        ]

    def __str__(self) -> str:
        return self.name


class IssuedCoupon(models.Model):
    """One coupon in one shopper's coupon box (쿠폰함)."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Usable")
        USED = "used", _("Used")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="issued")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coupons")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AVAILABLE)
    issued_at = models.DateTimeField(auto_now_add=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=20, blank=True, help_text="download, code, sign_up, first_purchase, operator")

    class Meta:
        ordering = ["expires_at", "id"]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.coupon} → {self.user_id} ({self.status})"


class OrderLineDiscount(models.Model):
    """What one coupon took off one order line, and who pays for it (settlement reads this)."""

    line = models.ForeignKey("orders.OrderLine", on_delete=models.CASCADE, related_name="discounts")
    issued_coupon = models.ForeignKey(IssuedCoupon, on_delete=models.PROTECT, related_name="line_discounts")
    kind = models.CharField(max_length=20, choices=Coupon.Kind.choices)
    amount = models.BigIntegerField()
    platform_amount = models.BigIntegerField()
    seller_amount = models.BigIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount=models.F("platform_amount") + models.F("seller_amount")),
                                   name="line_discount_funders_add_up"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} −{self.amount} on line {self.line_id}"


class PointEntry(models.Model):
    """The points (적립금) ledger. The balance is the sum of ``amount``; nothing is ever edited
    except ``remaining`` on credit entries, which usage and expiry consume oldest first."""

    class Kind(models.TextChoices):
        EARN = "earn", _("Earned")  # purchase confirmed
        USE = "use", _("Used")  # spent at checkout
        EXPIRE = "expire", _("Expired")
        GRANT = "grant", _("Granted")  # by an operator
        DEDUCT = "deduct", _("Deducted")  # by an operator
        RESTORE = "restore", _("Restored")  # an order or claim gave used points back
        CLAWBACK = "clawback", _("Clawed back")  # points earned on a returned line
        REVIEW = "review", _("Review reward")  # a review of a confirmed purchase
        REVIEW_CLAWBACK = "review_clawback", _("Review reward taken back")  # the reviewed line was returned

    CREDITS = (Kind.EARN, Kind.GRANT, Kind.RESTORE, Kind.REVIEW)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="point_entries")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount = models.BigIntegerField()
    remaining = models.BigIntegerField(default=0, help_text="for credits: how much is still spendable")
    expires_at = models.DateTimeField(null=True, blank=True)
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    line = models.ForeignKey("orders.OrderLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["user", "expires_at"], name="point_credit_fifo",
                         condition=models.Q(remaining__gt=0)),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(remaining__gte=0), name="point_remaining_not_negative"),
            models.UniqueConstraint(fields=["line"], condition=models.Q(kind="earn"), name="point_earn_once_per_line"),
            models.UniqueConstraint(fields=["line"], condition=models.Q(kind="clawback"),
                                    name="point_clawback_once_per_line"),
            models.UniqueConstraint(fields=["line"], condition=models.Q(kind="review"),
                                    name="point_review_once_per_line"),
            models.UniqueConstraint(fields=["line"], condition=models.Q(kind="review_clawback"),
                                    name="point_review_clawback_once_per_line"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount:+d} for user {self.user_id}"


# The CMS, funnel and affiliate models live in their own modules; Django finds them through here.
from marketing.models_affiliate import (  # noqa: E402,F401
    Affiliate,
    AffiliateCategoryRate,
    AffiliateClick,
    AffiliateCommission,
    AffiliateLink,
    AffiliateOrder,
    AffiliateProgramMembership,
    AffiliateStatement,
)
from marketing.models_cms import Banner, Exhibition, ExhibitionSection, Faq, Notice  # noqa: E402,F401
from marketing.models_funnel import Event, OrderAttribution, Visit  # noqa: E402,F401

from .voc_models import (  # noqa: E402,F401  (registered with the marketing app)
    AnswerTemplate,
    Inquiry,
    InquiryAttachment,
    InquiryMessage,
    ProductQuestion,
    Review,
    ReviewPhoto,
    ReviewReport,
    ReviewRewardOptIn,
    ReviewVote,
    SurveyInvitation,
    SurveyResponse,
    SurveySettings,
)
