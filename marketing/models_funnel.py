"""First-party funnel events (CDP), after Umami's model: a visit (session) and its events.

Rows are written in batches by ``marketing.funnel.writer`` from the Redis buffer (or one by one in
embedded mode); the request never waits for PostgreSQL. Ids are strings made by the request so
that events can reference their visit before either row exists.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Visit(models.Model):
    """One session: a first-party cookie; 30 minutes without a page ends it."""

    class Device(models.TextChoices):
        MOBILE = "mobile", _("Phone")
        TABLET = "tablet", _("Tablet")
        DESKTOP = "desktop", _("Desktop")

    id = models.CharField(primary_key=True, max_length=32)
    visitor_id = models.CharField(max_length=32, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", db_constraint=False)
    started_at = models.DateTimeField(db_index=True)
    landing_path = models.CharField(max_length=300, blank=True)
    referrer_host = models.CharField(max_length=120, blank=True)
    source = models.CharField(max_length=100, blank=True, help_text="utm_source or derived; empty = direct")
    medium = models.CharField(max_length=100, blank=True)
    campaign = models.CharField(max_length=100, blank=True)
    content = models.CharField(max_length=100, blank=True)
    term = models.CharField(max_length=100, blank=True)
    click_id_kind = models.CharField(max_length=20, blank=True, help_text="gclid, fbclid, … when present")
    device = models.CharField(max_length=10, choices=Device.choices, default=Device.DESKTOP)
    is_human = models.BooleanField(default=False, help_text="the page's script answered (no-JS bots never do)")

    class Meta:
        indexes = [models.Index(fields=["user", "started_at"], name="visit_user_started")]

    def __str__(self) -> str:
        return self.id


class Event(models.Model):
    """One thing a visitor did. ``name`` follows GA4 where GA4 has a name."""

    class Name(models.TextChoices):
        PAGE_VIEW = "page_view", _("Page view")
        PRODUCT_VIEW = "view_item", _("Product view")
        ADD_TO_CART = "add_to_cart", _("Add to cart")
        CHECKOUT = "begin_checkout", _("Checkout started")
        ORDER_PLACED = "purchase", _("Order placed")
        ORDER_PAID = "order_paid", _("Order paid")
        VIEW_PROMOTION = "view_promotion", _("Promotion impression")
        SELECT_PROMOTION = "select_promotion", _("Promotion click")
        SEARCH = "search", _("Search")
        SIGN_IN = "login", _("Sign-in")

    session_id = models.CharField(max_length=32, db_index=True)
    visitor_id = models.CharField(max_length=32)
    user_id = models.BigIntegerField(null=True, blank=True)
    name = models.CharField(max_length=20, choices=Name.choices)
    created_at = models.DateTimeField()
    path = models.CharField(max_length=300, blank=True)
    referrer = models.CharField(max_length=300, blank=True)
    product_id = models.BigIntegerField(null=True, blank=True)
    order_id = models.BigIntegerField(null=True, blank=True)
    value_amount = models.BigIntegerField(null=True, blank=True)
    promotion_id = models.CharField(max_length=40, blank=True)
    promotion_name = models.CharField(max_length=80, blank=True)
    creative = models.CharField(max_length=80, blank=True)
    slot = models.CharField(max_length=20, blank=True)
    search_query = models.CharField(max_length=100, blank=True)
    result_count = models.IntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["name", "created_at"], name="event_name_time"),
            models.Index(fields=["product_id", "name"], name="event_product",
                         condition=models.Q(product_id__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.session_id}"


class OrderAttribution(models.Model):
    """Where an order came from, frozen when it was placed: the last non-direct touch within
    ``ATTRIBUTION_WINDOW_DAYS`` and the first touch known for the shopper."""

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="attribution")
    session_id = models.CharField(max_length=32, blank=True, db_index=True)
    visitor_id = models.CharField(max_length=32, blank=True)
    source = models.CharField(max_length=100, blank=True, help_text="empty = direct")
    medium = models.CharField(max_length=100, blank=True)
    campaign = models.CharField(max_length=100, blank=True)
    content = models.CharField(max_length=100, blank=True)
    term = models.CharField(max_length=100, blank=True)
    click_id_kind = models.CharField(max_length=20, blank=True)
    touched_at = models.DateTimeField(null=True, blank=True)
    first_source = models.CharField(max_length=100, blank=True)
    first_medium = models.CharField(max_length=100, blank=True)
    first_campaign = models.CharField(max_length=100, blank=True)
    first_touched_at = models.DateTimeField(null=True, blank=True)
    device = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.order_id}: {self.source or 'direct'}/{self.medium}"
