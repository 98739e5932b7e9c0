from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import phone_validator
from core.models import TimeStampedModel

from .validators import validate_business_number


class Seller(TimeStampedModel):
    """A business that sells on the marketplace (판매자 / 입점사)."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")  # signed up, waiting for the operator's review
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

    class Meta:
        ordering = ["name"]
        verbose_name = _("seller")
        verbose_name_plural = _("sellers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["applied", "active", "suspended"]), name="seller_status_valid"
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
