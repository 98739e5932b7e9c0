"""CMS: banners in named slots, exhibitions (기획전), notices and FAQ.

Rows here change what the storefront shows; every service that writes them calls
``marketing.services.cms.content_changed()`` so cached pages are rebuilt.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class Banner(TimeStampedModel):
    """One banner (배너) in one slot, shown on its schedule to its audience, in ``sort_order``."""

    class Slot(models.TextChoices):
        HOME_HERO = "home_hero", _("Home: hero carousel")
        HOME_STRIP = "home_strip", _("Home: strip")
        CATEGORY_TOP = "category_top", _("Category page: top")
        PRODUCT_PAGE = "product_page", _("Product page")
        MYPAGE = "mypage", _("My page")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Everyone")
        SIGNED_IN = "signed_in", _("Signed-in shoppers")
        FIRST_TIME = "first_time", _("First-time buyers (no order yet)")

    slot = models.CharField(_("slot"), max_length=20, choices=Slot.choices)
    title = models.CharField(_("title"), max_length=80)
    subtitle = models.CharField(_("subtitle"), max_length=120, blank=True)
    image_desktop = models.ImageField(_("desktop image"), upload_to="banners/%Y/%m/", blank=True)
    image_mobile = models.ImageField(_("phone image"), upload_to="banners/%Y/%m/", blank=True)
    link_url = models.CharField(_("link"), max_length=300, help_text=_("A path on this shop (/exhibitions/…) or https://…"))
    starts_at = models.DateTimeField(_("starts"), default=timezone.now)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["slot", "sort_order", "-starts_at", "id"]
        indexes = [models.Index(fields=["slot", "is_active", "starts_at"], name="banner_slot_live")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=models.F("starts_at")),
                                   name="banner_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def promotion_id(self) -> str:
        return f"banner-{self.pk}"

    @property
    def image_url(self) -> str:
        image = self.image_desktop or self.image_mobile
        return image.url if image else ""

    @property
    def mobile_image_url(self) -> str:
        image = self.image_mobile or self.image_desktop
        return image.url if image else ""


class Exhibition(TimeStampedModel):
    """A curated page (기획전): hero, text, product sections and downloadable coupons."""

    slug = models.SlugField(_("address"), max_length=60, unique=True, allow_unicode=False)
    title = models.CharField(_("title"), max_length=80)
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    body_html = models.TextField(_("text"), blank=True)
    hero_image = models.ImageField(_("hero image"), upload_to="exhibitions/%Y/%m/", blank=True)
    starts_at = models.DateTimeField(_("starts"), default=timezone.now)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    coupons = models.ManyToManyField("marketing.Coupon", blank=True, related_name="exhibitions",
                                     verbose_name=_("coupons"))

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=models.F("starts_at")),
                                   name="exhibition_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def promotion_id(self) -> str:
        return f"exhibition-{self.pk}"

    def is_expired(self, now=None) -> bool:
        return self.ends_at is not None and self.ends_at <= (now or timezone.now())

    def is_upcoming(self, now=None) -> bool:
        return self.starts_at > (now or timezone.now())


class ExhibitionSection(models.Model):
    """A block of products on an exhibition: picked by hand, or chosen by a rule."""

    class Kind(models.TextChoices):
        PICKED = "picked", _("Picked by hand")
        RULE = "rule", _("By rule")

    exhibition = models.ForeignKey(Exhibition, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("section title"), max_length=80)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PICKED)
    products = models.ManyToManyField("catalog.Product", blank=True, related_name="+", verbose_name=_("products"))
    rule_category = models.ForeignKey("catalog.Category", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("category (and below)"))
    rule_seller = models.ForeignKey("partners.Seller", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("seller"))
    rule_brand = models.ForeignKey("catalog.Brand", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("brand"))
    rule_min_discount_percent = models.PositiveSmallIntegerField(_("discount at least (%)"), null=True, blank=True)
    limit = models.PositiveSmallIntegerField(_("at most"), default=20)

    class Meta:
        ordering = ["exhibition", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rule_min_discount_percent__isnull=True)
                                   | models.Q(rule_min_discount_percent__lte=100),
                                   name="exhibition_rule_discount_at_most_100"),
        ]

    def __str__(self) -> str:
        return self.title


class Notice(TimeStampedModel):
    """A notice (공지사항) for shoppers or for sellers."""

    class Audience(models.TextChoices):
        SHOPPERS = "shoppers", _("Shoppers")
        SELLERS = "sellers", _("Sellers")

    audience = models.CharField(_("for"), max_length=10, choices=Audience.choices, default=Audience.SHOPPERS)
    title = models.CharField(_("title"), max_length=120)
    body_html = models.TextField(_("text"))
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_published = models.BooleanField(_("published"), default=True)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")

    class Meta:
        ordering = ["-is_pinned", "-published_at", "-id"]
        indexes = [models.Index(fields=["audience", "is_published", "-published_at"], name="notice_feed")]

    def __str__(self) -> str:
        return self.title


class Faq(models.Model):
    """One question and answer (자주 묻는 질문), grouped by topic."""

    class Topic(models.TextChoices):
        ORDER = "order", _("Orders and payment")
        SHIPPING = "shipping", _("Shipping")
        CLAIM = "claim", _("Cancel, exchange, return")
        BENEFIT = "benefit", _("Coupons and points")
        ACCOUNT = "account", _("Account")

    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    question = models.CharField(_("question"), max_length=200)
    answer_html = models.TextField(_("answer"))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        ordering = ["topic", "sort_order", "id"]

    def __str__(self) -> str:
        return self.question
