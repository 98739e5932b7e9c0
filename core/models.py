from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class StatusChange(models.Model):
    """One move of one state machine: who moved what from where to where, when and why.

    Written by ``core.transitions.move`` in the same transaction as the move itself.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.BigIntegerField()
    field = models.CharField(max_length=40, default="status")
    from_status = models.CharField(max_length=40, blank=True)
    to_status = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]
        ordering = ["created_at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.content_type.model}#{self.object_id} {self.from_status}→{self.to_status}"


class OutboxMessage(models.Model):
    """A message to send, written in the same transaction as the change that caused it.

    The dispatcher (a Celery task, kicked after commit and swept by beat) sends each row once:
    it claims pending rows with ``SELECT … FOR UPDATE SKIP LOCKED``, sends, and marks them sent.
    If the broker is down when the change commits, the row simply waits for the next sweep.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        ALIMTALK = "alimtalk", _("KakaoTalk notification")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")  # waiting for the dispatcher
        SENT = "sent", _("Sent")  # the provider accepted it
        FAILED = "failed", _("Failed")  # gave up after the last attempt

    event = models.CharField(max_length=60, db_index=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    recipient = models.CharField(max_length=200)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    template_code = models.CharField(max_length=60, blank=True, help_text="알림톡 template code")
    dedupe_key = models.CharField(max_length=200, unique=True)
    # What the message is about, for timelines (e.g. "orders.order", 42).
    subject_type = models.CharField(max_length=60, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    available_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "available_at"], name="outbox_pending"),
            models.Index(fields=["subject_type", "subject_id"], name="outbox_subject"),
        ]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient} ({self.status})"
