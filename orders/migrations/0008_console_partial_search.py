"""Indexes for the console's partial searches on a million lines (issue 9).

Raw SQL on purpose, as in 0005: indexes on expressions the model Meta does not describe, made
idempotent, on PostgreSQL only (SQLite scans, which is fine for the embedded mode's sizes).

- order_orderer_phone_last4: "the last 4 digits of the phone" is RIGHT(orderer_phone, 4) = '5678',
  the very expression Django's Right() writes, so a btree answers it exactly.
- order_orderer_name_trgm: a part of the orderer's name (icontains: UPPER(x::text) LIKE UPPER('%…%')),
  three letters or more (a trigram needs three).
- order_orderer_name_prefix / _suffix: one or two letters ("김", "길동") at the start or the end of
  the name: LIKE '김%' and REVERSE(name) LIKE '동길%', each a btree range (text_pattern_ops).
- order_number_trgm: a part of the order number (contains: x::text LIKE '%…%').
"""

from django.db import migrations

POSTGRES_ONLY = [
    ("CREATE EXTENSION IF NOT EXISTS pg_trgm", None),
    ("CREATE INDEX IF NOT EXISTS order_orderer_phone_last4 ON orders_order (RIGHT(orderer_phone, 4))",
     "DROP INDEX IF EXISTS order_orderer_phone_last4"),
    ("CREATE INDEX IF NOT EXISTS order_orderer_name_trgm ON orders_order "
     "USING gin ((UPPER(orderer_name::text)) gin_trgm_ops)",
     "DROP INDEX IF EXISTS order_orderer_name_trgm"),
    ("CREATE INDEX IF NOT EXISTS order_orderer_name_prefix ON orders_order (orderer_name text_pattern_ops)",
     "DROP INDEX IF EXISTS order_orderer_name_prefix"),
    ("CREATE INDEX IF NOT EXISTS order_orderer_name_suffix ON orders_order "
     "(REVERSE(orderer_name::text) text_pattern_ops)",
     "DROP INDEX IF EXISTS order_orderer_name_suffix"),
    ("CREATE INDEX IF NOT EXISTS order_number_trgm ON orders_order USING gin ((number::text) gin_trgm_ops)",
     "DROP INDEX IF EXISTS order_number_trgm"),
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
    dependencies = [("orders", "0007_order_checkout_token")]

    operations = [migrations.RunPython(forward, backward)]
