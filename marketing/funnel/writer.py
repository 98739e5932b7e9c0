"""Write funnel records into PostgreSQL in batches (visits, events, then visit updates)."""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from marketing.models_funnel import Event, Visit

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
EVENT_FIELDS = ("path", "referrer", "product_id", "order_id", "value_amount", "promotion_id", "promotion_name",
                "creative", "slot", "search_query", "result_count")
VISIT_FIELDS = ("landing_path", "referrer_host", "source", "medium", "campaign", "content", "term",
                "click_id_kind", "device")


def _when(value) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromtimestamp(float(value), tz=timezone.get_current_timezone())
    except (TypeError, ValueError):
        return timezone.now()


@transaction.atomic
def write_records(records: list[dict]) -> int:
    """Insert the visits and events of ``records`` and apply their sign-ins and script answers.

    Returns the number of events written. Duplicated visits (a retried batch) are ignored.
    """
    visits, events, logins, humans, sku_events = [], [], [], set(), []
    for item in records:
        kind = item.get("kind")
        if kind == "visit":
            visits.append(Visit(id=item["session_id"], visitor_id=item.get("visitor_id", ""),
                                user_id=item.get("user_id"), started_at=_when(item.get("at")),
                                is_human=bool(item.get("is_human")),
                                **{field: item.get(field) or "" for field in VISIT_FIELDS}))
        elif kind == "event":
            event = Event(session_id=item["session_id"], visitor_id=item.get("visitor_id", ""),
                          user_id=item.get("user_id"), name=item["name"], created_at=_when(item.get("at")),
                          data=item.get("data") or {},
                          **{field: item.get(field) if field in item else Event._meta.get_field(field).get_default()
                             for field in EVENT_FIELDS})
            events.append(event)
            if event.product_id is None and event.data.get("sku_id"):
                sku_events.append(event)
        elif kind == "login" and item.get("user_id"):
            logins.append((item["session_id"], item["user_id"]))
        elif kind == "human":
            humans.add(item["session_id"])
    if sku_events:
        from catalog.models import SKU

        products = dict(SKU.objects.filter(pk__in={int(e.data["sku_id"]) for e in sku_events
                                                   if str(e.data["sku_id"]).isdigit()})
                        .values_list("pk", "product_id"))
        for event in sku_events:
            sku_id = event.data["sku_id"]
            event.product_id = products.get(int(sku_id)) if str(sku_id).isdigit() else None
    if visits:
        Visit.objects.bulk_create(visits, batch_size=BATCH_SIZE, ignore_conflicts=True)
    if events:
        Event.objects.bulk_create(events, batch_size=BATCH_SIZE)
    for session_id, user_id in logins:
        Visit.objects.filter(pk=session_id, user__isnull=True).update(user_id=user_id)
    if humans:
        Visit.objects.filter(pk__in=humans, is_human=False).update(is_human=True)
    return len(events)


def flush_buffer(*, batch_size: int = 5000, max_batches: int = 200) -> int:
    """Drain the Redis buffer into the database (the beat task); returns records written."""
    from marketing.funnel import recorder

    if recorder.buffer_mode() != "redis":
        return 0
    written = 0
    for _batch in range(max_batches):
        try:
            records = recorder.take_batch(batch_size)
        except Exception:
            logger.warning("funnel: Redis unavailable while flushing")
            break
        if not records:
            break
        write_records(records)
        written += len(records)
        if len(records) < batch_size:
            break
    return written
