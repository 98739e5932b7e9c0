from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import TimeStampedModel
from core.storage import private_storage


class Claim(TimeStampedModel):
    """A cancel, exchange or return (취교반) of one or more lines of one order."""

    class Type(models.TextChoices):
        CANCEL = "cancel", _("Cancel")
        EXCHANGE = "exchange", _("Exchange")
        RETURN = "return", _("Return")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")  # waiting for the seller or operator
        APPROVED = "approved", _("Approved")  # accepted; pickup comes next (exchange, return)
        PICKUP_STARTED = "pickup_started", _("Pickup in progress")  # 수거중
        PICKED_UP = "picked_up", _("Picked up")  # 수거완료: back at the seller, to inspect
        HELD = "held", _("On hold")  # 보류: inspection found a problem to settle
        REPLACEMENT_SHIPPED = "replacement_shipped", _("Replacement shipped")  # exchange
        REFUNDING = "refunding", _("Refund in progress")  # amounts fixed and committed; the PG call follows
        REFUND_FAILED = "refund_failed", _("Refund failed")  # the PG refused or did not answer: retry from the console
        REFUNDED = "refunded", pgettext_lazy("claim status", "Refunded")  # return: money and points went back
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")  # 철회 by the shopper
        CONVERTED = "converted", _("Converted")  # turned into a claim of the other type

    class Fault(models.TextChoices):
        SHOPPER = "shopper", _("Shopper")
        SELLER = "seller", _("Seller")

    class HoldReason(models.TextChoices):
        """Naver's hold classes (보류 사유); a fee class carries its amount."""

        RETURN_FEE_UNPAID = "return_fee_unpaid", _("Return fee not paid")
        EXTRA_FEE = "extra_fee", _("Extra fee")
        PRODUCT_NOT_RETURNED = "product_not_returned", _("Product not returned")
        EXCHANGE_FEE_UNPAID = "exchange_fee_unpaid", _("Exchange fee not paid")
        REPLACEMENT_NOT_READY = "replacement_not_ready", _("Replacement not ready")
        OTHER = "other", _("Other")

    class Route(models.TextChoices):
        PG = "pg", _("Payment cancel")  # card, transfer, mobile, easy pay: a PG (partial) cancel
        BANK = "bank", _("Bank account")  # virtual account: to the shopper's account, through the PG

    class Condition(models.TextChoices):
        RESELLABLE = "resellable", _("As new")
        OPENED = "opened", _("Opened, resellable")
        DAMAGED = "damaged", _("Damaged")

    class PickupMethod(models.TextChoices):
        SHOPPER_SENDS = "shopper_sends", _("I will send it back")
        SELLER_COLLECTS = "seller_collects", _("Please collect it")

    number = models.CharField(_("claim number"), max_length=24, unique=True)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="claims")
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.REQUESTED)
    reason_code = models.CharField(_("reason"), max_length=30)
    reason_detail = models.TextField(_("details"), blank=True)
    fault = models.CharField(_("fault"), max_length=20, choices=Fault.choices)
    pickup_method = models.CharField(_("pickup"), max_length=20, choices=PickupMethod.choices, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    pickup_courier = models.ForeignKey("orders.Courier", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    pickup_waybill = models.CharField(_("pickup waybill"), max_length=30, blank=True)
    picked_up_at = models.DateTimeField(null=True, blank=True)
    replacement_courier = models.ForeignKey("orders.Courier", null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="+")
    replacement_waybill = models.CharField(_("replacement waybill"), max_length=30, blank=True)
    hold_reason = models.CharField(_("hold reason"), max_length=200, blank=True)
    hold_reason_code = models.CharField(_("hold class"), max_length=30, choices=HoldReason.choices, blank=True)
    hold_fee_amount = models.BigIntegerField(default=0, help_text="the fee a fee-class hold asks for")
    reject_reason = models.CharField(_("reject reason"), max_length=200, blank=True)
    reject_reason_code = models.CharField(_("reject class"), max_length=30, choices=HoldReason.choices, blank=True)
    # 보류 및 거부 승인: a hold or rejection after inspection takes effect once an operator approves it.
    decision_pending = models.CharField(max_length=20, blank=True, help_text="'held' or 'rejected' awaiting approval")
    decision_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                             on_delete=models.SET_NULL, related_name="+")
    decision_approved_at = models.DateTimeField(null=True, blank=True)
    internal_note = models.TextField(_("internal note"), blank=True, help_text="never shown to the shopper")
    # Inspection (검수)
    inspected_condition = models.CharField(_("condition"), max_length=20, choices=Condition.choices, blank=True)
    damage_amount = models.BigIntegerField(_("damage deduction"), default=0)
    damage_reason = models.CharField(_("damage reason"), max_length=200, blank=True)
    restock = models.BooleanField(_("back to stock"), default=True, help_text="false: the units go to the damaged bin")
    # Goods sent back to the shopper after a rejection following pickup
    return_to_shopper_courier = models.ForeignKey("orders.Courier", null=True, blank=True, on_delete=models.PROTECT,
                                                  related_name="+")
    return_to_shopper_waybill = models.CharField(_("waybill back to the shopper"), max_length=30, blank=True)
    converted_to = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="converted_from")
    # Money, computed when the claim is requested and fixed when refunded (whole won).
    items_refund_amount = models.BigIntegerField(default=0, help_text="cash the lines' units cost")
    shipping_refund_amount = models.BigIntegerField(default=0, help_text="original shipping given back")
    shipping_charge_amount = models.BigIntegerField(default=0, help_text="original shipping charged back")
    return_fee_amount = models.BigIntegerField(default=0, help_text="return fee borne by the shopper")
    exchange_fee_amount = models.BigIntegerField(default=0, help_text="exchange fee borne by the shopper")
    exchange_fee_paid_amount = models.BigIntegerField(default=0, help_text="exchange fee collected (refund or PG)")
    points_clawback_amount = models.BigIntegerField(default=0, help_text="earned points already spent, off the cash")
    points_refund_amount = models.BigIntegerField(default=0)
    refund_amount = models.BigIntegerField(default=0, help_text="what goes back by the payment route")
    refund_route = models.CharField(max_length=10, choices=Route.choices, blank=True)
    refund_error = models.CharField(max_length=300, blank=True, help_text="the PG's answer when the refund failed")
    refund_attempts = models.PositiveSmallIntegerField(default=0)
    refund_due_date = models.DateField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    refund_bank_code = models.CharField(max_length=10, blank=True)
    refund_account_number = models.CharField(max_length=40, blank=True)
    refund_holder = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        permissions = [("handle_claims", "Can carry claims through their steps and refund them")]
        indexes = [models.Index(fields=["type", "status", "-created_at"]),
                   models.Index(fields=["status", "refund_due_date"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(refund_amount__gte=0), name="claim_refund_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number


class ClaimLine(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="claim_lines")
    quantity = models.PositiveIntegerField()
    replacement_sku = models.ForeignKey("catalog.SKU", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    # The money of these units, fixed when the refund is committed (the same figures everywhere).
    gross_amount = models.BigIntegerField(default=0, help_text="cash the units cost, before any deduction")
    shipping_refund_amount = models.BigIntegerField(default=0, help_text="original shipping given back")
    return_fee_amount = models.BigIntegerField(default=0)
    exchange_fee_amount = models.BigIntegerField(default=0)
    shipping_charge_amount = models.BigIntegerField(default=0, help_text="original shipping charged back")
    damage_amount = models.BigIntegerField(default=0)
    points_clawback_amount = models.BigIntegerField(default=0)
    refund_amount = models.BigIntegerField(default=0, help_text="net cash of these units, by the claim's route")
    points_amount = models.BigIntegerField(default=0, help_text="points of these units")

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gte=1), name="claim_line_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.claim_id}: line {self.order_line_id} ×{self.quantity}"


class ClaimPhoto(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="claims/%Y/%m/", storage=private_storage)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"photo {self.pk} of claim {self.claim_id}"


class ClaimMemo(models.Model):
    """A note on a claim by an operator or the seller's staff (CS history)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="memos")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("memo"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"memo {self.pk} on claim {self.claim_id}"


class ClaimPayment(models.Model):
    """An extra payment a claim asks of the shopper through the PG (the exchange fee): its own small
    checkout, separate from the order's payment, so a later refund of the order never mixes them."""

    class Status(models.TextChoices):
        READY = "ready", _("Waiting for payment")
        DONE = "done", _("Paid")
        FAILED = "failed", _("Payment failed")
        CANCELLED = "cancelled", _("Cancelled")  # no longer owed (the exchange became a return)

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="payments")
    pg_order_id = models.CharField(max_length=40, unique=True, help_text="the order id the PG knows it by")
    gateway = models.CharField(max_length=20)
    method = models.CharField(max_length=20, default="card")
    amount = models.BigIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.READY)
    payment_key = models.CharField(max_length=200, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="claim_payment_positive")]

    def __str__(self) -> str:
        return f"{self.pg_order_id} {self.amount} {self.status}"
