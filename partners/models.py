from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import phone_validator
from core.models import TimeStampedModel
from core.storage import private_storage

from .validators import validate_business_number


class Seller(TimeStampedModel):
    """A business that sells on the marketplace (판매자 / 입점사)."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")  # signed up, waiting for the operator's review
        UNDER_REVIEW = "under_review", _("Under review")  # an operator is checking the documents
        REJECTED = "rejected", _("Rejected")  # not approved (reason given); the owner may fix and re-apply
        # "Approved" is ACTIVE: approval signs the contract and opens the store in one step.
        ACTIVE = "active", _("Active")  # may sell; its products show in the storefront
        SUSPENDED = "suspended", _("Suspended")  # stopped by an operator; products hidden

    name = models.CharField(_("store name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True, allow_unicode=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.APPLIED)
    business_name = models.CharField(_("company name"), max_length=100)
    business_number = models.CharField(
        _("business registration number"), max_length=12, unique=True, validators=[validate_business_number]
    )
    representative = models.CharField(_("representative"), max_length=50)
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20, validators=[phone_validator])
    contact_email = models.EmailField(_("contact email"))
    description = models.TextField(_("store introduction"), blank=True)
    # The application (입점 신청): what Korean law and the settlement need to know about the business.
    mail_order_number = models.CharField(_("mail-order business report number"), max_length=40, blank=True)
    address = models.CharField(_("business address"), max_length=200, blank=True)
    cs_phone = models.CharField(_("customer service phone"), max_length=20, blank=True)
    bank_name = models.CharField(_("settlement bank"), max_length=30, blank=True)
    bank_account_number = models.CharField(_("settlement account number"), max_length=30, blank=True)
    bank_account_holder = models.CharField(_("account holder"), max_length=50, blank=True)
    terms_agreed_at = models.DateTimeField(_("seller terms agreed at"), null=True, blank=True)
    status_reason = models.CharField(_("reason of the last decision"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("seller")
        verbose_name_plural = _("sellers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["applied", "under_review", "rejected", "active", "suspended"]),
                name="seller_status_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class SellerStaff(TimeStampedModel):
    """A user who works for a seller in the partner portal."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")  # everything, including staff and the store's settings
        MANAGER = "manager", _("Manager")  # everything but staff
        PRODUCTS = "products", _("Products")  # products, options, stock, images
        ORDERS = "orders", _("Orders and CS")  # order lines, shipping, claims, questions
        SETTLEMENT = "settlement", _("Settlement (read only)")  # statements and sales figures

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seller_staff")
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MANAGER)

    class Meta:
        verbose_name = _("seller staff")
        verbose_name_plural = _("seller staff")

    def __str__(self) -> str:
        return f"{self.user} @ {self.seller}"


class ShippingPolicy(TimeStampedModel):
    """How a seller charges shipping: one per seller, bundled per order (묶음배송)."""

    seller = models.OneToOneField(Seller, on_delete=models.CASCADE, related_name="shipping_policy")
    courier_name = models.CharField(_("courier"), max_length=30, default="CJ대한통운")
    base_fee_amount = models.PositiveIntegerField(_("shipping fee"), default=3000)
    free_threshold_amount = models.PositiveIntegerField(
        _("free shipping from"), default=50000, help_text=_("0 means shipping is never free.")
    )
    return_fee_amount = models.PositiveIntegerField(_("return shipping fee (one way)"), default=3000)
    exchange_fee_amount = models.PositiveIntegerField(_("exchange shipping fee (round trip)"), default=6000)
    jeju_surcharge_amount = models.PositiveIntegerField(_("Jeju surcharge"), default=3000)
    island_surcharge_amount = models.PositiveIntegerField(_("island surcharge"), default=5000)
    ship_within_days = models.PositiveSmallIntegerField(_("ships within (business days)"), default=2)
    return_address = models.CharField(_("return address"), max_length=200, blank=True)
    # Courier codes (orders.Courier.code) the seller ships with; a list, not a relation, because
    # orders already depends on partners (the first one is the default in the portal's forms).
    courier_codes = models.JSONField(_("couriers used"), default=list, blank=True)

    class Meta:
        verbose_name = _("shipping policy")
        verbose_name_plural = _("shipping policies")

    def __str__(self) -> str:
        return f"{self.seller}: {self.base_fee_amount}"

    def fee_for(self, *, items_amount: int, postcode: str = "") -> int:
        """Shipping fee of one seller's bundle: base fee unless free, plus the remote-area surcharge."""
        from core.regions import RemoteArea, remote_area_of

        fee = 0 if (self.free_threshold_amount and items_amount >= self.free_threshold_amount) else self.base_fee_amount
        area = remote_area_of(postcode)
        if area == RemoteArea.JEJU:
            fee += self.jeju_surcharge_amount
        elif area == RemoteArea.ISLAND:
            fee += self.island_surcharge_amount
        return fee


class SellerDocument(models.Model):
    """A document attached to an application, kept private (``core.storage``): served only to
    operators and the seller's own staff through views that check who asks."""

    class Kind(models.TextChoices):
        BUSINESS_REGISTRATION = "business_registration", _("Business registration certificate")
        BANK_BOOK = "bank_book", _("Bank book copy")

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=30, choices=Kind.choices)
    file = models.FileField(upload_to="seller-documents/%Y/%m/", storage=private_storage)
    content_type = models.CharField(max_length=40)
    original_name = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("seller document")
        verbose_name_plural = _("seller documents")

    def __str__(self) -> str:
        return f"{self.seller_id} {self.kind} {self.pk}"


class SellerInvitation(models.Model):
    """The owner invites a person by email with a role; the link's token lets that person join."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=20, choices=SellerStaff.Role.choices)
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.email} → {self.seller_id} ({self.role})"

    @property
    def is_open(self) -> bool:
        from django.utils import timezone

        return self.accepted_at is None and self.cancelled_at is None and self.expires_at > timezone.now()


class SellerHoliday(models.Model):
    """A day the seller does not ship (휴무일): not counted as a business day in its penalties."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=60, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["seller", "date"], name="seller_holiday_once")]

    def __str__(self) -> str:
        return f"{self.seller_id} {self.date}"
