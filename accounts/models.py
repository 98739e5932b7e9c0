from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

phone_validator = RegexValidator(
    r"^01[016789]-?\d{3,4}-?\d{4}$|^0\d{1,2}-?\d{3,4}-?\d{4}$",
    _("Enter a Korean phone number, e.g. 010-1234-5678."),
)
postcode_validator = RegexValidator(r"^\d{5}$", _("A postcode has five digits."))


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("The email must be set")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """Everyone who signs in: shoppers, operators (is_staff) and seller staff (partners.SellerStaff).

    Login is by email; ``username`` is not used.
    """

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email"), unique=True)
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, validators=[phone_validator])
    marketing_opt_in = models.BooleanField(_("receive marketing messages"), default=False)
    # Korean law (정보통신망법 §50) asks for the date of each consent: shoppers are reminded of
    # their marketing consent every two years, and the terms agreement must be provable.
    terms_agreed_at = models.DateTimeField(_("agreed to the terms at"), null=True, blank=True)
    marketing_opt_in_at = models.DateTimeField(_("marketing consent given at"), null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name


class Address(TimeStampedModel):
    """A shopper's saved delivery address (배송지)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(_("address name"), max_length=30, blank=True)
    recipient = models.CharField(_("recipient"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, validators=[phone_validator])
    postcode = models.CharField(_("postcode"), max_length=5, validators=[postcode_validator])
    address1 = models.CharField(_("address"), max_length=200)
    address2 = models.CharField(_("address detail"), max_length=200, blank=True)
    delivery_request = models.CharField(_("delivery request"), max_length=200, blank=True)
    is_default = models.BooleanField(_("default address"), default=False)

    class Meta:
        ordering = ["-is_default", "-updated_at"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(is_default=True), name="one_default_address_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient} ({self.postcode}) {self.address1} {self.address2}".strip()
