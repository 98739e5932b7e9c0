"""The voice of the customer (VOC): reviews (후기), product Q&A (상품문의), 1:1 inquiries (1:1 문의)
and the post-purchase survey. Imported by marketing/models.py so Django registers them."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import TimeStampedModel
from core.storage import private_storage


class Review(TimeStampedModel):
    """One review per purchase-confirmed order line (an exchanged line is the same line: once)."""

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        HIDDEN = "hidden", _("Hidden")  # by an operator, with a reason

    class Funder(models.TextChoices):
        PLATFORM = "platform", _("Platform")
        SELLER = "seller", _("Seller")

    line = models.OneToOneField("orders.OrderLine", on_delete=models.PROTECT, related_name="review")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="reviews")
    seller = models.ForeignKey("partners.Seller", on_delete=models.CASCADE, related_name="reviews")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    sku = models.ForeignKey("catalog.SKU", on_delete=models.SET_NULL, null=True, related_name="+")
    option_label = models.CharField(_("option bought"), max_length=120, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    body = models.TextField(_("review"), max_length=2000)
    has_photos = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PUBLISHED)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)
    helpful_count = models.PositiveIntegerField(default=0)
    report_count = models.PositiveIntegerField(default=0)
    # The reward (an economic benefit the review must disclose: FTC guidance, Dec 2025).
    reward_amount = models.PositiveIntegerField(default=0)
    reward_funder = models.CharField(max_length=10, choices=Funder.choices, default=Funder.PLATFORM)
    reward_revoked_at = models.DateTimeField(null=True, blank=True)
    # The seller's one public reply.
    reply = models.TextField(_("seller's reply"), blank=True, max_length=1000)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"),
            models.CheckConstraint(condition=models.Q(status__in=["published", "hidden"]), name="review_status_valid"),
        ]
        indexes = [
            models.Index(fields=["product", "status", "-has_photos", "-created_at"], name="review_product_photos"),
            models.Index(fields=["product", "status", "-helpful_count"], name="review_product_helpful"),
            models.Index(fields=["product", "status", "rating"], name="review_product_rating"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} ★{self.rating} by {self.user_id}"

    @property
    def has_reward(self) -> bool:
        return self.reward_amount > 0 and self.reward_revoked_at is None


class ReviewPhoto(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="reviews/%Y/%m/")
    thumbnail = models.ImageField(upload_to="reviews/%Y/%m/", blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.image.name


class ReviewVote(models.Model):
    """"Helpful" (도움돼요): one per person per review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "user"], name="review_vote_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.review_id}"


class ReviewReport(models.Model):
    """A shopper reports a review (abuse, advertising, privacy); operators see reported ones."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "user"], name="review_report_once")]

    def __str__(self) -> str:
        return f"report {self.review_id}"


class ProductQuestion(TimeStampedModel):
    """상품문의: a signed-in shopper asks; the seller (or an operator) answers once."""

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="questions")
    seller = models.ForeignKey("partners.Seller", on_delete=models.CASCADE, related_name="questions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="product_questions")
    body = models.TextField(_("question"), max_length=1000)
    is_secret = models.BooleanField(_("secret question"), default=False,
                                    help_text=_("Only you, the seller and the shop's staff can read it."))
    answer = models.TextField(_("answer"), blank=True, max_length=2000)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    is_hidden = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("product question")
        verbose_name_plural = _("product questions")
        indexes = [
            models.Index(fields=["product", "-created_at"], name="question_product_recent"),
            models.Index(fields=["seller", "answered_at"], name="question_seller_waiting"),
        ]

    def __str__(self) -> str:
        return f"Q{self.pk} on {self.product_id}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class AnswerTemplate(TimeStampedModel):
    """Saved answers: a seller's (for product questions) or the shop's (seller empty, for inquiries)."""

    seller = models.ForeignKey("partners.Seller", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="answer_templates")
    title = models.CharField(_("title"), max_length=60)
    body = models.TextField(_("answer"), max_length=2000)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Inquiry(TimeStampedModel):
    """1:1 문의 from my page, about an order line or in general; operators work the queue."""

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("inquiry status", "New")  # waiting for a first answer
        IN_PROGRESS = "in_progress", _("In progress")  # assigned, being looked into
        ANSWERED = "answered", _("Answered")  # the shop answered; the shopper may write again
        CLOSED = "closed", _("Closed")

    class Category(models.TextChoices):
        ORDER = "order", _("Order and payment")
        DELIVERY = "delivery", pgettext_lazy("inquiry about", "Delivery")
        CLAIM = "claim", _("Cancel, exchange or return")
        PRODUCT = "product", _("Product")
        ACCOUNT = "account", _("Account and benefits")
        OTHER = "other", _("Other")

    number = models.CharField(max_length=20, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inquiries")
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    title = models.CharField(_("title"), max_length=100)
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    line = models.ForeignKey("orders.OrderLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="assigned_inquiries")
    escalated_seller = models.ForeignKey("partners.Seller", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="escalated_inquiries")
    first_answer_due_at = models.DateTimeField()
    first_answered_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("1:1 inquiry")
        verbose_name_plural = _("1:1 inquiries")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=["new", "in_progress", "answered", "closed"]),
                                   name="inquiry_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "first_answer_due_at"], name="inquiry_queue"),
                   models.Index(fields=["user", "-created_at"], name="inquiry_user_recent")]

    def __str__(self) -> str:
        return self.number


class InquiryMessage(models.Model):
    """One message of the thread; internal notes are for operators (and the escalated seller) only."""

    class Author(models.TextChoices):
        SHOPPER = "shopper", _("Shopper")
        OPERATOR = "operator", _("Operator")
        SELLER = "seller", _("Seller")

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    author_kind = models.CharField(max_length=10, choices=Author.choices)
    body = models.TextField(max_length=4000)
    is_internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.inquiry_id}:{self.author_kind}"


class InquiryAttachment(models.Model):
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to="inquiries/%Y/%m/")
    content_type = models.CharField(max_length=40)
    original_name = models.CharField(max_length=120)

    def __str__(self) -> str:
        return self.original_name


class SurveySettings(models.Model):
    """The post-purchase survey's two questions (besides NPS), edited by operators. One row."""

    question_1 = models.CharField(_("question 1"), max_length=200)
    question_2 = models.CharField(_("question 2"), max_length=200)
    is_active = models.BooleanField(_("send invitations"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.question_1


class SurveyInvitation(models.Model):
    """Sent once per order, at its first purchase confirmation (mail and my page)."""

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="survey_invitation")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_invitations")
    token = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"survey {self.order_id}"


class SurveyResponse(models.Model):
    invitation = models.OneToOneField(SurveyInvitation, on_delete=models.CASCADE, related_name="response")
    nps = models.PositiveSmallIntegerField(validators=[MaxValueValidator(10)])
    question_1 = models.CharField(max_length=200)
    answer_1 = models.TextField(blank=True, max_length=1000)
    question_2 = models.CharField(max_length=200)
    answer_2 = models.TextField(blank=True, max_length=1000)
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(nps__lte=10), name="survey_nps_0_to_10")]

    def __str__(self) -> str:
        return f"NPS {self.nps}"


class ReviewRewardOptIn(models.Model):
    """A seller that pays the review rewards of its products itself (a settlement cost of the seller)."""

    seller = models.OneToOneField("partners.Seller", on_delete=models.CASCADE, related_name="review_reward_opt_in")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.seller_id} pays review rewards"
