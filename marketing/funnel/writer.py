"""Write funnel records into the database in batches (visits, events, then visit updates).

On PostgreSQL events go in with COPY from plain tuples (no model instances: the ORM's per-row
cost dominated); elsewhere with ``bulk_create``.
"""

import json
import logging
from datetime import UTC, datetime

from django.db import connection, transaction
from django.utils import timezone

from marketing.models_funnel import Event, Visit

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
VISIT_FIELDS = ("landing_path", "referrer_host", "source", "medium", "campaign", "content", "term",
                "click_id_kind", "device")
# Event columns in COPY order, with the value used when a record leaves one out.
EVENT_DEFAULTS = (("path", ""), ("referrer", ""), ("product_id", None), ("order_id", None), ("value_amount", None),
                  ("promotion_id", ""), ("promotion_name", ""), ("creative", ""), ("slot", ""),
                  ("search_query", ""), ("result_count", None))
COPY_FIELDS = ("session_id", "visitor_id", "user_id", "name", "created_at",
               *[name for name, _default in EVENT_DEFAULTS], "data")


def _when(value) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except (TypeError, ValueError):
        return timezone.now()


def _event_row(item: dict) -> list:
    return [item["session_id"], item.get("visitor_id", ""), item.get("user_id"), item["name"], _when(item.get("at")),
            *[item.get(name, default) if item.get(name) is not None else default for name, default in EVENT_DEFAULTS],
            item.get("data") or {}]


@transaction.atomic
def write_records(records: list[dict]) -> int:
    """Insert the visits and events of ``records`` and apply their sign-ins and script answers.

    Returns the number of events written. Duplicated visits (a retried batch) are ignored.
    """
    visits, rows, logins, humans = [], [], [], set()
    for item in records:
        kind = item.get("kind")
        if kind == "visit":
            visits.append(Visit(id=item["session_id"], visitor_id=item.get("visitor_id", ""),
                                user_id=item.get("user_id"), started_at=_when(item.get("at")),
                                is_human=bool(item.get("is_human")),
                                **{field: item.get(field) or "" for field in VISIT_FIELDS}))
        elif kind == "event":
            rows.append(_event_row(item))
        elif kind == "login" and item.get("user_id"):
            logins.append((item["session_id"], item["user_id"]))
        elif kind == "human":
            humans.add(item["session_id"])
    _fill_products(rows)
    if visits:
        Visit.objects.bulk_create(visits, batch_size=BATCH_SIZE, ignore_conflicts=True)
    if rows:
        if connection.vendor == "postgresql":
            _copy_events(rows)
        else:
            Event.objects.bulk_create([Event(**dict(zip(COPY_FIELDS, row, strict=True))) for row in rows],
                                      batch_size=BATCH_SIZE)
    for session_id, user_id in logins:
        Visit.objects.filter(pk=session_id, user__isnull=True).update(user_id=user_id)
    if humans:
        Visit.objects.filter(pk__in=humans, is_human=False).update(is_human=True)
    return len(rows)


def _fill_products(rows: list[list]) -> None:
    """Add-to-cart records name a SKU (what the form posts): find its product, one query a batch."""
    product_index, data_index = COPY_FIELDS.index("product_id"), COPY_FIELDS.index("data")
    pending = [row for row in rows if row[product_index] is None and str(row[data_index].get("sku_id", "")).isdigit()]
    if not pending:
        return
    from catalog.models import SKU

    products = dict(SKU.objects.filter(pk__in={int(row[data_index]["sku_id"]) for row in pending})
                    .values_list("pk", "product_id"))
    for row in pending:
        row[product_index] = products.get(int(row[data_index]["sku_id"]))


def _copy_events(rows: list[list]) -> None:
    """PostgreSQL's COPY: many times the rows per second of a multi-row INSERT through the ORM."""
    table = Event._meta.db_table
    columns = ", ".join(Event._meta.get_field(name).column for name in COPY_FIELDS)
    data_index = COPY_FIELDS.index("data")
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                row[data_index] = json.dumps(row[data_index], ensure_ascii=False)
                copy.write_row(row)


def flush_buffer(*, batch_size: int = 5000, max_batches: int = 200) -> int:
    """Drain the Redis buffer into the database (the beat task); returns records written."""
    from marketing.funnel import recorder

    if recorder.buffer_mode() != "redis":
        return 0
    recorder.drain(timeout=2.0)  # what this process still holds goes to Redis first
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
