"""The ledger and its statement links are append-only: PostgreSQL refuses UPDATE and DELETE on them
(TRUNCATE, used by test flushes, is not a row operation). The settlement group gets its rights."""

from django.db import migrations

TABLES = ("settlement_ledgerentry",)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION settlement_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'settlement ledger rows are append-only (%% on %%)', TG_OP, TG_TABLE_NAME; "
            "END; $$ LANGUAGE plpgsql")
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION settlement_append_only()")
    from accounts.roles import sync_operator_groups

    sync_operator_groups(apps)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS settlement_append_only()")


class Migration(migrations.Migration):
    dependencies = [
        ("settlement", "0002_ledger_statements_payouts_holds"),
        ("accounts", "0006_claims_permissions_for_groups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
