"""The transactional outbox: queue messages with the change, send them after commit.

``notify(...)`` renders the message now (so it says what was true at the time of the event)
and writes one ``OutboxMessage`` per channel in the caller's transaction. After commit it
asks Celery to dispatch; if the broker is down that request fails quietly and the beat sweep
(``core.tasks.dispatch_outbox`` every minute) sends the row later — once.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def notify(*, event: str, key: str, context: dict, email: str = "", phone: str = "",
           subject_object=None, language: str = "ko") -> list[OutboxMessage]:
    """Queue the ``event`` messages (mail and 알림톡) for one recipient; returns the rows asked for.

    ``key`` makes the message unique (e.g. the order number): the same event for the same key
    is queued once, however often the caller runs. Templates: ``templates/mail/<event>.txt``
    (first line is the subject) and ``templates/alimtalk/<event>.txt``.
    """
    now = timezone.now()
    subject_type = subject_id = None
    if subject_object is not None:
        subject_type = subject_object._meta.label_lower
        subject_id = subject_object.pk
    rows = []
    with translation.override(language):
        if email:
            text = render_to_string(f"mail/{event}.txt", context).strip()
            subject, _, body = text.partition("\n")
            rows.append(OutboxMessage(
                event=event, channel=OutboxMessage.Channel.EMAIL, recipient=email, subject=subject.strip(),
                body=body.strip(), dedupe_key=f"{event}:{key}:email:{email}", available_at=now,
                subject_type=subject_type or "", subject_id=subject_id,
            ))
        if phone:
            body = render_to_string(f"alimtalk/{event}.txt", context).strip()
            rows.append(OutboxMessage(
                event=event, channel=OutboxMessage.Channel.ALIMTALK, recipient=phone, body=body,
                template_code=event.replace(".", "_").upper(), dedupe_key=f"{event}:{key}:alimtalk:{phone}",
                available_at=now, subject_type=subject_type or "", subject_id=subject_id,
            ))
    if not rows:
        return []
    # One INSERT … ON CONFLICT DO NOTHING for every channel: a row already queued for this event
    # and key (the unique dedupe_key) is skipped and the caller's work stays intact. (It was a
    # savepoint and an insert per row: 3 statements each on the payment's hot path.)
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    if not _kick_already_planned():
        transaction.on_commit(kick_dispatcher)
    return rows


def _kick_already_planned() -> bool:
    """One dispatch request per transaction covers all its messages (a Celery publish each costs)."""
    connection = transaction.get_connection()
    return connection.in_atomic_block and any(
        callback is kick_dispatcher for _savepoints, callback, _robust in connection.run_on_commit)


def kick_dispatcher() -> None:
    """Ask a worker to dispatch now; if the broker is down the beat sweep will do it."""
    from .tasks import dispatch_outbox

    try:
        dispatch_outbox.delay()
    except Exception as exc:  # broker down: the message waits in the outbox
        logger.warning("outbox: could not reach the broker (%s); the sweep will send later", exc)


def dispatch_pending(*, limit: int = 200) -> int:
    """Send pending messages that are due; returns how many were sent. Safe to run concurrently."""
    from .messaging import ProviderError, alimtalk_provider, send_email_message

    sent = 0
    provider = None
    for _ in range(limit):
        with transaction.atomic():
            row = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(status=OutboxMessage.Status.PENDING, available_at__lte=timezone.now())
                .order_by("id")
                .first()
            )
            if row is None:
                break
            row.attempts += 1
            try:
                if row.channel == OutboxMessage.Channel.EMAIL:
                    result = send_email_message(to=row.recipient, subject=row.subject, body=row.body)
                else:
                    provider = provider or alimtalk_provider()
                    result = provider.send(to=row.recipient, template_code=row.template_code, body=row.body)
            except ProviderError as exc:
                row.last_error = str(exc)[:2000]
                if row.attempts >= MAX_ATTEMPTS:
                    row.status = OutboxMessage.Status.FAILED
                else:
                    row.available_at = timezone.now() + timedelta(seconds=30 * 2 ** row.attempts)
                row.save(update_fields=["attempts", "last_error", "status", "available_at"])
                continue
            row.status = OutboxMessage.Status.SENT
            row.sent_at = timezone.now()
            row.provider_message_id = result.provider_message_id
            row.save(update_fields=["attempts", "status", "sent_at", "provider_message_id"])
            sent += 1
    return sent


def messages_about(obj):
    return OutboxMessage.objects.filter(subject_type=obj._meta.label_lower, subject_id=obj.pk).order_by("id")
