"""Trigram indexes for search on product and brand names (Korean works: pg_trgm splits Hangul
syllables into trigrams under a UTF-8 ctype). PostgreSQL only; SQLite searches with LIKE."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS product_name_trgm ON catalog_product USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS brand_name_trgm ON catalog_brand USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS brand_name_en_trgm ON catalog_brand USING gin (name_en gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS product_name_trgm",
    "DROP INDEX IF EXISTS brand_name_trgm",
    "DROP INDEX IF EXISTS brand_name_en_trgm",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
