from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from core.models import TimeStampedModel


class Cart(TimeStampedModel):
    """A shopper's cart: one per member, or one per session for a guest (merged at login)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="cart")
    session_key = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(session_key__isnull=False),
                name="cart_has_owner",
            )
        ]

    def __str__(self) -> str:
        return f"cart {self.pk}"


class CartLine(TimeStampedModel):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.SKU", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    selected = models.BooleanField(default=True)
    price_when_added_amount = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "sku"], name="cart_line_unique_sku"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="cart_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.sku_id} ×{self.quantity}"


class DailySequence(models.Model):
    """Per-day counters for readable numbers such as 20261122-000123."""

    name = models.CharField(max_length=20)
    day = models.DateField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="daily_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.name} {self.day}: {self.value}"


class PaymentMethod(models.TextChoices):
    CARD = "card", _("Credit/debit card")
    VIRTUAL_ACCOUNT = "virtual_account", _("Virtual account")
    TRANSFER = "transfer", _("Real-time bank transfer")
    MOBILE = "mobile", pgettext_lazy("payment method", "Mobile phone")
    NAVER_PAY = "naver_pay", _("Naver Pay")
    KAKAO_PAY = "kakao_pay", _("Kakao Pay")


class Order(TimeStampedModel):
    """One checkout. Its lines carry their own status; the order's payment state lives here."""

    class PaymentStatus(models.TextChoices):
        AWAITING = "awaiting", _("Awaiting payment")  # placed; the PG has not confirmed yet
        PAID = "paid", _("Paid")  # the PG confirmed the full amount
        EXPIRED = "expired", _("Expired")  # never paid by the deadline; stock released
        CANCELLED = "cancelled", _("Cancelled")  # cancelled in full (before or after payment)
        FAILED = "failed", _("Payment failed")  # the shopper or the PG declined

    number = models.CharField(_("order number"), max_length=20, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    payment_status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.AWAITING)
    payment_method = models.CharField(_("payment method"), max_length=20, choices=PaymentMethod.choices)
    # Delivery (a copy: later changes to the address book do not rewrite orders)
    orderer_name = models.CharField(_("orderer"), max_length=50)
    orderer_email = models.EmailField(_("email"))
    orderer_phone = models.CharField(_("orderer phone"), max_length=20)
    recipient = models.CharField(_("recipient"), max_length=50)
    recipient_phone = models.CharField(_("recipient phone"), max_length=20)
    postcode = models.CharField(_("postcode"), max_length=5)
    address1 = models.CharField(_("address"), max_length=200)
    address2 = models.CharField(_("address detail"), max_length=200, blank=True)
    delivery_request = models.CharField(_("delivery request"), max_length=200, blank=True)
    # Money, all whole won. total = items + shipping - discount - points.
    items_amount = models.BigIntegerField(_("items"), default=0)
    shipping_amount = models.BigIntegerField(_("shipping"), default=0)
    discount_amount = models.BigIntegerField(_("discount"), default=0)
    points_amount = models.BigIntegerField(_("points used"), default=0)
    total_amount = models.BigIntegerField(_("amount to pay"), default=0)
    from_cart = models.BooleanField(default=False, help_text="ordered from the cart (its lines go once paid)")
    paid_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="unpaid orders are cancelled after this")
    # The one-time token of the checkout form this order came from: a double click or a replayed
    # POST finds this order instead of placing a second one.
    checkout_token = models.CharField(max_length=64, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        permissions = [
            ("manage_fulfilment", "Can acknowledge, ship and deliver order lines"),
            ("handle_order_cs", "Can write memos, register delays and cancel lines out of stock"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_amount=models.F("items_amount") + models.F("shipping_amount")
                                   - models.F("discount_amount") - models.F("points_amount")),
                name="order_total_adds_up",
            ),
            models.CheckConstraint(condition=models.Q(total_amount__gte=0), name="order_total_not_negative"),
            models.UniqueConstraint(fields=["user", "checkout_token"], condition=~models.Q(checkout_token=""),
                                    name="order_checkout_token_once"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="order_user_recent"),
            models.Index(fields=["payment_status", "expires_at"], name="order_unpaid_expiry"),
        ]

    def __str__(self) -> str:
        return self.number


class OrderShipping(models.Model):
    """One seller's bundle in an order: the shipping fee it charged (bundled per seller)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shippings")
    seller = models.ForeignKey("partners.Seller", on_delete=models.PROTECT, related_name="+")
    base_fee_amount = models.BigIntegerField(default=0)
    remote_surcharge_amount = models.BigIntegerField(default=0)
    fee_amount = models.BigIntegerField(default=0)
    free_threshold_amount = models.BigIntegerField(default=0)
    # The seller's claim fees in force when the order was placed (a snapshot: later policy changes
    # never reach this order). Null on orders placed before the snapshot existed: the live policy is read.
    return_fee_amount = models.BigIntegerField(null=True, blank=True, help_text="one-way return fee at order time")
    exchange_fee_amount = models.BigIntegerField(null=True, blank=True, help_text="round-trip exchange fee at order time")
    # The seller's base fee in force when the order was placed, even when this bundle shipped free
    # (base_fee_amount 0): what a return breaking the free-shipping threshold charges back.
    policy_base_fee_amount = models.BigIntegerField(null=True, blank=True,
                                                    help_text="the policy's base fee at order time")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "seller"], name="order_shipping_per_seller")]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.seller_id}: {self.fee_amount}"


class Courier(models.Model):
    """A delivery company (택배사) and where its tracking page lives."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(_("courier"), max_length=40, unique=True)
    tracking_url_template = models.CharField(max_length=300, help_text="{number} is replaced by the waybill number")
    waybill_pattern = models.CharField(max_length=60, default=r"^\d{10,14}$")
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("courier")
        verbose_name_plural = _("couriers")

    def __str__(self) -> str:
        return self.name

    def tracking_url(self, number: str) -> str:
        return self.tracking_url_template.replace("{number}", number)


class OrderLine(TimeStampedModel):
    """One SKU of an order, shipped by its seller, with what it cost to the won."""

    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Awaiting payment")  # 입금대기
        PAID = "paid", _("Paid")  # 결제완료
        PREPARING = "preparing", _("Preparing")  # 상품준비중: the seller acknowledged it
        READY_TO_SHIP = "ready_to_ship", _("Ready to ship")  # 배송준비중: waybill issued
        SHIPPING = "shipping", pgettext_lazy("line status", "Shipping")  # 배송중
        DELIVERED = "delivered", _("Delivered")  # 배송완료
        CONFIRMED = "confirmed", _("Purchase confirmed")  # 구매확정
        CANCELLED = "cancelled", _("Cancelled")  # 취소 (through a cancel, or expiry)
        RETURNED = "returned", _("Returned")  # 반품완료
        EXCHANGED = "exchanged", _("Exchanged")  # 교환완료

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    seller = models.ForeignKey("partners.Seller", on_delete=models.PROTECT, related_name="order_lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey("catalog.SKU", on_delete=models.PROTECT, related_name="+")
    product_name = models.CharField(max_length=120)
    option_label = models.CharField(max_length=120, blank=True)
    sku_code = models.CharField(max_length=40)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT)
    quantity = models.PositiveIntegerField()
    unit_price_amount = models.BigIntegerField(help_text="the product's sale price at order time")
    option_delta_amount = models.BigIntegerField(default=0)
    items_amount = models.BigIntegerField(help_text="(unit price + option delta) × quantity")
    shipping_share_amount = models.BigIntegerField(default=0, help_text="this line's share of its seller's fee")
    discount_share_amount = models.BigIntegerField(default=0, help_text="share of order-level discounts")
    shipping_discount_share_amount = models.BigIntegerField(
        default=0, help_text="part of discount_share_amount that a shipping coupon took off the shipping share")
    points_share_amount = models.BigIntegerField(default=0, help_text="share of points used")
    paid_amount = models.BigIntegerField(default=0, help_text="items + shipping share − discount − points")
    refunded_amount = models.BigIntegerField(default=0, help_text="cash given back (net of claim deductions)")
    refunded_gross_amount = models.BigIntegerField(
        default=0, help_text="item value of the refunded units before deductions (the base of later shares)")
    refunded_points_amount = models.BigIntegerField(default=0)
    refunded_shipping_amount = models.BigIntegerField(default=0, help_text="part of refunded_amount that was shipping")
    refunded_quantity = models.PositiveIntegerField(default=0, help_text="units cancelled or returned and refunded")
    claimed_quantity = models.PositiveIntegerField(default=0, help_text="units in open or finished claims")
    held_quantity = models.PositiveIntegerField(
        default=0, help_text="units held by open claims: fulfilment and confirmation wait for them")
    # Fulfilment
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    ship_by_date = models.DateField(_("ship by"), null=True, blank=True)
    delay_reason = models.CharField(_("delay reason"), max_length=30, blank=True)
    delay_note = models.CharField(_("delay note"), max_length=200, blank=True)
    backorder_expected_date = models.DateField(_("backorder expected"), null=True, blank=True)
    courier = models.ForeignKey(Courier, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    waybill_number = models.CharField(_("waybill number"), max_length=30, blank=True, db_index=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    exchanged_at = models.DateTimeField(null=True, blank=True, help_text="the exchange's replacement was completed")
    cancel_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="order_line_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(paid_amount=models.F("items_amount") + models.F("shipping_share_amount")
                                   - models.F("discount_share_amount") - models.F("points_share_amount")),
                name="order_line_paid_adds_up",
            ),
            models.CheckConstraint(condition=models.Q(refunded_amount__lte=models.F("paid_amount")),
                                   name="order_line_refund_not_above_paid"),
            models.CheckConstraint(condition=models.Q(refunded_points_amount__lte=models.F("points_share_amount")),
                                   name="order_line_points_refund_not_above_used"),
            models.CheckConstraint(condition=models.Q(claimed_quantity__lte=models.F("quantity")),
                                   name="order_line_claimed_not_above_quantity"),
            models.CheckConstraint(condition=models.Q(held_quantity__lte=models.F("claimed_quantity")),
                                   name="order_line_held_not_above_claimed"),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="order_line_status_recent"),
                   models.Index(fields=["seller", "status"], name="order_line_seller_status"),
                   models.Index(fields=["status", "ship_by_date"], name="order_line_ship_by"),
                   models.Index(fields=["status", "delivered_at"], name="order_line_delivered")]

    @property
    def tracking_url(self) -> str:
        return self.courier.tracking_url(self.waybill_number) if self.courier_id and self.waybill_number else ""

    @property
    def is_delayed(self) -> bool:
        from django.utils import timezone

        return (self.status in (self.Status.PAID, self.Status.PREPARING) and self.ship_by_date is not None
                and self.ship_by_date < timezone.localdate())

    def __str__(self) -> str:
        return f"{self.order.number} {self.product_name} {self.option_label} ×{self.quantity}"

    @property
    def can_confirm_purchase(self) -> bool:
        """The shopper's 구매확정 button: delivered (or exchanged) and no open claim holds its units."""
        return self.status in (self.Status.DELIVERED, self.Status.EXCHANGED) and self.held_quantity == 0

    def status_label(self) -> str:
        """The status as the shopper reads it: an unpaid card order is 결제대기 (still in the PG
        window), only a virtual account waits for a deposit (입금대기)."""
        if self.status == self.Status.PENDING_PAYMENT and self.order.payment_method != PaymentMethod.VIRTUAL_ACCOUNT:
            return pgettext("line status", "Payment pending")
        return self.get_status_display()

    @property
    def unit_total_amount(self) -> int:
        return self.unit_price_amount + self.option_delta_amount


class OrderMemo(models.Model):
    """A CS memo on an order, written by an operator (or seller staff later)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="memos")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("memo"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"memo {self.pk} on order {self.order_id}"


class Payment(TimeStampedModel):
    """The PG's side of an order: one payment per order (partial cancels recorded below)."""

    class Status(models.TextChoices):
        READY = "ready", _("Ready")  # created; the shopper is in the PG window
        WAITING_FOR_DEPOSIT = "waiting_for_deposit", _("Waiting for deposit")  # virtual account issued
        DONE = "done", _("Paid")  # confirmed by the PG
        PARTIAL_CANCELED = "partial_canceled", _("Partly cancelled")
        CANCELED = "canceled", _("Cancelled")
        ABORTED = "aborted", _("Failed")  # declined or the confirm failed
        EXPIRED = "expired", _("Expired")  # the virtual account deadline passed

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="payment")
    gateway = models.CharField(max_length=20)
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.READY)
    amount = models.BigIntegerField()
    cancelled_amount = models.BigIntegerField(default=0)
    payment_key = models.CharField(max_length=200, blank=True, db_index=True)
    card_installment_months = models.PositiveSmallIntegerField(default=0)
    card_company = models.CharField(max_length=40, blank=True)
    bank_code = models.CharField(max_length=10, blank=True)
    bank_name = models.CharField(max_length=40, blank=True)
    account_number = models.CharField(max_length=40, blank=True)
    account_holder = models.CharField(max_length=60, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    deposit_secret = models.CharField(max_length=100, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    receipt_url = models.CharField(max_length=300, blank=True)
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(cancelled_amount__lte=models.F("amount")),
                                   name="payment_cancel_not_above_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.order.number} {self.method} {self.amount} {self.status}"

    @property
    def balance_amount(self) -> int:
        return self.amount - self.cancelled_amount


class PaymentCancel(models.Model):
    """One cancel (full or partial) the PG confirmed, with its idempotency key."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="cancels")
    amount = models.BigIntegerField()
    reason = models.CharField(max_length=200)
    idempotency_key = models.CharField(max_length=100, unique=True)
    refund_bank_code = models.CharField(max_length=10, blank=True)
    refund_account_number = models.CharField(max_length=40, blank=True)
    refund_holder = models.CharField(max_length=60, blank=True)
    transaction_key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_cancel_positive")]

    def __str__(self) -> str:
        return f"cancel {self.amount} of payment {self.payment_id}"


class DepositAfterCancel(TimeStampedModel):
    """Money the PG captured for an order the shop had already ended unpaid (cancelled by the shopper,
    expired): a virtual-account deposit that crossed the cancel. It always goes back (docs/lifecycle.md)."""

    class Status(models.TextChoices):
        NEEDS_ACCOUNT = "needs_account", _("Needs the shopper's refund account")  # a virtual account: CS asks
        REFUNDING = "refunding", _("Refunding")  # recorded; the PG cancel is being called
        REFUND_FAILED = "refund_failed", _("Refund failed")  # the PG refused: retry from the console
        REFUNDED = "refunded", _("Refunded")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="deposits_after_cancel")
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="deposit_after_cancel")
    amount = models.BigIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices)
    refund_bank_code = models.CharField(max_length=10, blank=True)
    refund_account_number = models.CharField(max_length=40, blank=True)
    refund_holder = models.CharField(max_length=60, blank=True)
    error = models.CharField(max_length=300, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="deposit_after_cancel_positive")]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.amount} {self.status}"


class PaymentEvent(models.Model):
    """A callback (webhook) from the PG, stored once per event id before it is handled."""

    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("payment callback", "Received")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")

    gateway = models.CharField(max_length=20)
    event_id = models.CharField(max_length=200)
    event_type = models.CharField(max_length=60)
    payment_key = models.CharField(max_length=200, blank=True)
    order_number = models.CharField(max_length=20, blank=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    note = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["gateway", "event_id"], name="payment_event_once")]

    def __str__(self) -> str:
        return f"{self.gateway} {self.event_type} {self.event_id}"


# --- The built-in sandbox PG's own records -----------------------------------------------
# These play the PG's server side, so the sandbox behaves like a real PG: the shop only
# reaches them through orders.payments.sandbox.SandboxGateway, never directly.


class SandboxPGPayment(models.Model):
    payment_key = models.CharField(max_length=64, unique=True)
    order_id = models.CharField(max_length=40, db_index=True)
    order_name = models.CharField(max_length=200, blank=True)
    method = models.CharField(max_length=20)
    amount = models.BigIntegerField()
    balance_amount = models.BigIntegerField()
    status = models.CharField(max_length=30)
    card_company = models.CharField(max_length=40, blank=True)
    installment_months = models.PositiveSmallIntegerField(default=0)
    bank_code = models.CharField(max_length=10, blank=True)
    account_number = models.CharField(max_length=40, blank=True)
    account_holder = models.CharField(max_length=60, blank=True)
    due_date = models.DateTimeField(null=True, blank=True)
    secret = models.CharField(max_length=64, blank=True)
    webhook_url = models.CharField(max_length=300, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.payment_key} {self.status}"


class SandboxPGCancel(models.Model):
    payment = models.ForeignKey(SandboxPGPayment, on_delete=models.CASCADE, related_name="cancels")
    amount = models.BigIntegerField()
    reason = models.CharField(max_length=200)
    idempotency_key = models.CharField(max_length=100, unique=True)
    transaction_key = models.CharField(max_length=64)
    refund_bank_code = models.CharField(max_length=10, blank=True)
    refund_account_number = models.CharField(max_length=40, blank=True)
    refund_holder = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.transaction_key} −{self.amount}"


class SandboxPGCallback(models.Model):
    """A webhook the sandbox PG owes the shop; retried with back-off until answered 200."""

    url = models.CharField(max_length=300)
    body = models.JSONField()
    event_type = models.CharField(max_length=40)
    delivered = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status = models.IntegerField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.url} ({self.attempts})"


class BulkLineJob(models.Model):
    """A console bulk move on every line a search found ("select all N results"), run by Celery.

    It keeps the search (the list's query string), not the ids: a request never carries more
    than a page of ids. Progress and the per-line report live here, so the operator can leave
    the page and come back, and a task delivered twice does each line once.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20)
    query = models.CharField(max_length=2000, blank=True)
    # What the action needs besides the lines (a dispatch delay: new date, reason, note), checked when queued.
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    succeeded = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"bulk {self.action} #{self.pk} ({self.done}/{self.total})"


class BulkLineResult(models.Model):
    """What a bulk job did to one line: done, or refused and why."""

    job = models.ForeignKey(BulkLineJob, on_delete=models.CASCADE, related_name="results")
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="+")
    ok = models.BooleanField()
    message = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["job", "line"], name="bulk_result_once_per_line")]

    def __str__(self) -> str:
        return f"{self.job_id}/{self.line_id}: {'ok' if self.ok else self.message}"
