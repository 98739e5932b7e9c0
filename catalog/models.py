from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from catalog.notices import GROUP_CHOICES as NOTICE_GROUP_CHOICES
from catalog.notices import OTHER as NOTICE_OTHER
from core.models import TimeStampedModel
from partners.models import Seller


class Category(models.Model):
    """A node of the category tree (대/중/소분류, any depth).

    ``path`` is the materialised path of zero-padded ids ("000001/000007/000042/"), so a
    category and all its descendants are one indexed prefix match.
    """

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("shown"), default=True)
    notice_group = models.CharField(
        _("product notice group"), max_length=30, blank=True, choices=NOTICE_GROUP_CHOICES,
        help_text=_("상품정보제공고시: which fields its products publish; empty takes the parent's."),
    )

    class Meta:
        ordering = ["path"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        indexes = [
            models.Index(fields=["path"], name="category_path_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestor_paths(self) -> list[str]:
        parts = [p for p in self.path.split("/") if p]
        return ["".join(f"{p}/" for p in parts[: i + 1]) for i in range(len(parts))]

    def effective_notice_group(self) -> str:
        """Its own notice group, else its nearest ancestor's, else "other goods" (one query at most)."""
        if self.notice_group:
            return self.notice_group
        groups = dict(Category.objects.filter(path__in=self.ancestor_paths()).exclude(notice_group="")
                      .values_list("path", "notice_group"))
        for path in reversed(self.ancestor_paths()):
            if path in groups:
                return groups[path]
        return NOTICE_OTHER


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self) -> str:
        return self.name


class Product(TimeStampedModel):
    """A product a seller lists (상품). What is bought is one of its SKUs."""

    class Status(models.TextChoices):
        ON_SALE = "on_sale", _("On sale")  # shown and orderable
        SOLD_OUT = "sold_out", _("Sold out")  # shown, not orderable (seller or stock says so)
        HIDDEN = "hidden", _("Hidden")  # not shown; the seller took it down
        SUSPENDED = "suspended", _("Suspended")  # not shown; an operator stopped it

    class Review(models.TextChoices):
        APPROVED = "approved", _("Approved")  # may show (the default when the seller needs no review)
        PENDING = "pending", _("Waiting for review")  # kept hidden until an operator decides
        REJECTED = "rejected", _("Rejected")  # kept hidden; the seller edits and asks again

    VISIBLE_STATUSES = (Status.ON_SALE, Status.SOLD_OUT)

    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    category_path = models.CharField(max_length=255, editable=False, default="")
    brand = models.ForeignKey(Brand, null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    name = models.CharField(_("product name"), max_length=120)
    summary = models.CharField(_("one-line summary"), max_length=200, blank=True)
    status = models.CharField(_("sale status"), max_length=20, choices=Status.choices, default=Status.ON_SALE)
    list_price_amount = models.PositiveIntegerField(_("list price"))
    sale_price_amount = models.PositiveIntegerField(_("sale price"))
    description_html = models.TextField(_("description"), blank=True)
    notice = models.JSONField(
        _("product information notice"), default=dict, blank=True,
        help_text=_("상품정보제공고시: the legally required fields for the product's kind."),
    )
    notice_kind = models.CharField(_("notice kind"), max_length=30, blank=True)
    points_rate_percent = models.DecimalField(
        _("points rate (%)"), max_digits=4, decimal_places=1, null=True, blank=True,
        help_text=_("Points earned on this product; empty uses the shop's rate."),
    )
    sales_count = models.PositiveIntegerField(_("units sold"), default=0)
    review_count = models.PositiveIntegerField(default=0)
    review_status = models.CharField(_("product review"), max_length=20, choices=Review.choices,
                                     default=Review.APPROVED)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)
    requested_status = models.CharField(
        _("status after approval"), max_length=20, choices=Status.choices, blank=True,
        help_text=_("The sale status the seller chose; it applies when the review approves the product."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        permissions = [("adjust_stock", "Can adjust stock"), ("suspend_product", "Can suspend products")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sale_price_amount__lte=models.F("list_price_amount")),
                name="product_sale_price_not_above_list",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["on_sale", "sold_out", "hidden", "suspended"]),
                name="product_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="product_status_new"),
            models.Index(fields=["status", "-sales_count"], name="product_status_popular"),
            models.Index(fields=["status", "sale_price_amount"], name="product_status_price"),
            models.Index(fields=["category_path", "status"], name="product_category_path",
                         opclasses=["varchar_pattern_ops", "varchar_pattern_ops"]),
            models.Index(fields=["seller", "status"], name="product_seller_status"),
            models.Index(fields=["brand", "status"], name="product_brand_status"),
            models.Index(fields=["review_status", "created_at"], name="product_review_queue"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def discount_rate(self) -> int:
        from core.money import discount_rate

        return discount_rate(self.list_price_amount, self.sale_price_amount)

    @property
    def is_visible(self) -> bool:
        return self.status in self.VISIBLE_STATUSES


class ProductImage(TimeStampedModel):
    """An image of a product; the first (lowest position) is the main image.

    ``thumbnails`` maps a width ("240") to the storage name of a WebP rendition.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    original = models.ImageField(_("image"), upload_to="products/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    thumbnails = models.JSONField(default=dict, blank=True)
    alt = models.CharField(_("alternative text"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        indexes = [models.Index(fields=["product", "position"])]

    def thumbnail_url(self, width: int = 480) -> str:
        from django.core.files.storage import default_storage

        names = self.thumbnails or {}
        if not names:
            return self.original.url if self.original else ""
        available = sorted(int(w) for w in names)
        chosen = next((w for w in available if w >= width), available[-1])
        return default_storage.url(names[str(chosen)])

    def srcset(self) -> str:
        from django.core.files.storage import default_storage

        return ", ".join(
            f"{default_storage.url(name)} {width}w"
            for width, name in sorted((self.thumbnails or {}).items(), key=lambda kv: int(kv[0]))
        )


class OptionGroup(models.Model):
    """One axis of a product's options, e.g. 색상 or 사이즈."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="option_groups")
    name = models.CharField(_("option name"), max_length=30)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["product", "name"], name="option_group_unique_name")]

    def __str__(self) -> str:
        return self.name


class OptionValue(models.Model):
    group = models.ForeignKey(OptionGroup, on_delete=models.CASCADE, related_name="values")
    value = models.CharField(_("option value"), max_length=40)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "value"], name="option_value_unique")]

    def __str__(self) -> str:
        return self.value


class SKU(TimeStampedModel):
    """One orderable combination of option values, with its own code, price delta and stock."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus")
    code = models.CharField(_("SKU code"), max_length=40, unique=True)
    option_values = models.ManyToManyField(OptionValue, related_name="skus", blank=True)
    option_label = models.CharField(_("options"), max_length=120, blank=True)
    price_delta_amount = models.IntegerField(_("price difference"), default=0)
    stock_quantity = models.PositiveIntegerField(_("stock"), default=0)
    is_active = models.BooleanField(_("for sale"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        indexes = [
            models.Index(fields=["product", "stock_quantity"], name="sku_product_stock"),
            models.Index(Upper("code"), name="sku_code_upper"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.option_label}".strip()

    @property
    def price_amount(self) -> int:
        return self.product.sale_price_amount + self.price_delta_amount

    @property
    def is_available(self) -> bool:
        return self.is_active and self.stock_quantity > 0


class StockMovement(models.Model):
    """The stock ledger: every change of a SKU's stock, with its reason. Never edited."""

    class Reason(models.TextChoices):
        RECEIVED = "received", _("Received")  # goods came in (입고)
        COUNTED = "counted", _("Counted")  # a count set the stock (재고실사)
        DAMAGED = "damaged", _("Damaged")  # written off (파손/불량)
        IMPORTED = "imported", _("Bulk import")  # a count from the bulk import file
        ORDERED = "ordered", _("Ordered")  # sold by an order
        RELEASED = "released", _("Released")  # an unpaid or cancelled order gave it back
        RETURNED = "returned", _("Returned")  # a return passed inspection
        INITIAL = "initial", _("Initial stock")

    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, related_name="movements")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    delta = models.IntegerField(_("change"))
    quantity_after = models.PositiveIntegerField(_("stock after"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    reference = models.CharField(max_length=60, blank=True, help_text="e.g. an order number or import batch")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        indexes = [models.Index(fields=["sku", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.sku.code} {self.delta:+d} ({self.reason})"


class SellerCatalogSettings(models.Model):
    """How the catalog treats one seller's products (set by operators)."""

    seller = models.OneToOneField(Seller, on_delete=models.CASCADE, related_name="catalog_settings")
    products_need_review = models.BooleanField(
        _("new products need review"), default=False,
        help_text=_("A new product stays hidden from the storefront until an operator approves it."),
    )

    class Meta:
        verbose_name = _("seller catalog settings")
        verbose_name_plural = _("seller catalog settings")

    def __str__(self) -> str:
        return f"{self.seller}: review={self.products_need_review}"
