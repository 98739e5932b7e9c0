"""Indexes for the console's partial search on the recipient too (issue 9).

CS searches "주문자/수령자": a part of the name is looked up in the orderer's name OR the recipient's,
and the last 4 digits of either phone. Same shapes as 0008 (PostgreSQL only, idempotent raw SQL):
a GIN trigram index on UPPER(recipient) for 3+ letters (reusing the pg_trgm extension 0008 and
catalog's search migration create), btrees for the start and the end of the name (1–2 letters), and a
btree on RIGHT(recipient_phone, 4). The planner combines each pair with a BitmapOr on orders_order.
"""

from django.db import migrations

POSTGRES_ONLY = [
    ("CREATE EXTENSION IF NOT EXISTS pg_trgm", None),
    ("CREATE INDEX IF NOT EXISTS order_recipient_trgm ON orders_order "
     "USING gin ((UPPER(recipient::text)) gin_trgm_ops)",
     "DROP INDEX IF EXISTS order_recipient_trgm"),
    ("CREATE INDEX IF NOT EXISTS order_recipient_prefix ON orders_order (recipient text_pattern_ops)",
     "DROP INDEX IF EXISTS order_recipient_prefix"),
    ("CREATE INDEX IF NOT EXISTS order_recipient_suffix ON orders_order (REVERSE(recipient::text) text_pattern_ops)",
     "DROP INDEX IF EXISTS order_recipient_suffix"),
    ("CREATE INDEX IF NOT EXISTS order_recipient_phone_last4 ON orders_order (RIGHT(recipient_phone, 4))",
     "DROP INDEX IF EXISTS order_recipient_phone_last4"),
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for create, _drop in POSTGRES_ONLY:
        schema_editor.execute(create)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _create, drop in reversed(POSTGRES_ONLY):
        if drop:
            schema_editor.execute(drop)


class Migration(migrations.Migration):
    dependencies = [("orders", "0013_bulk_job_params")]

    operations = [migrations.RunPython(forward, backward)]
