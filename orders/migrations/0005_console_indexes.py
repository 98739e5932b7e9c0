"""Indexes for the order console's searches on a million lines (bench/console_orders.py).

Raw SQL on purpose: the model Meta is not this migration's to change, and indexes the
autodetector cannot see are never "removed" by a later makemigrations. Each statement is
idempotent. The trigram index (contains search on the product name, Hangul included) needs
pg_trgm and is created on PostgreSQL only; SQLite searches with LIKE.

- order_orderer_phone / _name: exact search by the orderer (numbers stored hyphenated).
- order_orderer_email_upper: case-insensitive e-mail search (Django's iexact is UPPER(x) = UPPER(y)).
- order_line_status_id: every console tab is "status = … ORDER BY id DESC LIMIT 50".
- order_line_product_name_trgm: Django's icontains is UPPER(x::text) LIKE UPPER('%…%').
"""

from django.db import migrations

COMMON = [
    ("CREATE INDEX IF NOT EXISTS order_orderer_phone ON orders_order (orderer_phone)",
     "DROP INDEX IF EXISTS order_orderer_phone"),
    ("CREATE INDEX IF NOT EXISTS order_orderer_name ON orders_order (orderer_name)",
     "DROP INDEX IF EXISTS order_orderer_name"),
    ("CREATE INDEX IF NOT EXISTS order_orderer_email_upper ON orders_order (UPPER(orderer_email))",
     "DROP INDEX IF EXISTS order_orderer_email_upper"),
    ("CREATE INDEX IF NOT EXISTS order_line_status_id ON orders_orderline (status, id DESC)",
     "DROP INDEX IF EXISTS order_line_status_id"),
]
POSTGRES_ONLY = [
    ("CREATE EXTENSION IF NOT EXISTS pg_trgm", None),
    ("CREATE INDEX IF NOT EXISTS order_line_product_name_trgm ON orders_orderline "
     "USING gin ((UPPER(product_name::text)) gin_trgm_ops)",
     "DROP INDEX IF EXISTS order_line_product_name_trgm"),
]


def forward(apps, schema_editor):
    statements = COMMON + (POSTGRES_ONLY if schema_editor.connection.vendor == "postgresql" else [])
    for create, _drop in statements:
        schema_editor.execute(create)


def backward(apps, schema_editor):
    statements = COMMON + (POSTGRES_ONLY if schema_editor.connection.vendor == "postgresql" else [])
    for _create, drop in reversed(statements):
        if drop:
            schema_editor.execute(drop)


class Migration(migrations.Migration):
    dependencies = [("orders", "0004_couriers")]

    operations = [migrations.RunPython(forward, backward)]
