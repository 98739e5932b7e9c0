"""A close after the first one reads only the lines changed since the previous close of its cycle
(settlement.sources.CHANGED_LINE_SOURCES): the timestamps it looks them up by get indexes.

The indexes sit on the orders and claims tables but serve only settlement, so they are created here
(plain SQL, named settlement_*) and the orders and claims models stay as their owners wrote them.
"""

from django.db import migrations, models

INDEXES = (
    ("settlement_changed_line_updated", "orders_orderline", "updated_at"),
    ("settlement_changed_line_confirmed", "orders_orderline", "confirmed_at"),
    ("settlement_changed_claim_updated", "claims_claim", "updated_at"),
    ("settlement_changed_claim_refunded", "claims_claim", "refunded_at"),
)


def create_indexes(apps, schema_editor):
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})")


def drop_indexes(apps, schema_editor):
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('settlement', '0006_ledger_links_without_row_checks'),
        ('orders', '0010_merge_20261130_1502'),
        ('claims', '0005_exchange_fee_payments'),
    ]

    operations = [
        migrations.AddField(
            model_name='periodclose',
            name='changes_before',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='periodclose',
            name='lines_checked',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
