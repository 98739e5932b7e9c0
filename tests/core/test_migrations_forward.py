"""Migrations are safe for a live shop: on a seeded database, each app is taken back as far as it can
go without dropping a table that holds data (no initial migration of any app is unapplied, no table
with rows is dropped), and every later migration then applies forward again over the data, which
comes through intact.

Not covered, because going back before them would drop tables with rows: migrations that create a
table the seed fills (orders.0002_fulfilment: the couriers) or that such a table depends on
(catalog.0002_search_trigram, core.0002_outbox)."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.backup import current_figures

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

OUR_APPS = ["core", "accounts", "partners", "catalog", "orders", "claims", "settlement", "marketing"]


def _drops_data(migration, tables_with_rows: set[str]) -> bool:
    from django.db.migrations.operations import CreateModel

    for operation in migration.operations:
        if isinstance(operation, CreateModel):
            table = operation.options.get("db_table") or f"{migration.app_label}_{operation.name.lower()}"
            if table in tables_with_rows:
                return True
    return False


def _rollback_targets(tables_with_rows: set[str]) -> dict[str, tuple[str, list]]:
    """Per app: the earliest migration it can go back to without dropping data, and the migrations
    that going back there unapplies."""
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    targets = {}
    for app in OUR_APPS:
        leaves = [node for node in graph.leaf_nodes() if node[0] == app]
        if not leaves:
            continue
        chain = [node for node in graph.forwards_plan(leaves[0]) if node[0] == app]
        best = None
        for node in reversed(chain[:-1]):  # every earlier migration of the app, newest first
            plan = executor.migration_plan([node])
            if any(_drops_data(migration, tables_with_rows) for migration, _backwards in plan):
                break
            best = (node[1], [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan])
        if best:
            targets[app] = best
    return targets


# Django's bookkeeping, not the shop's data: a migrate run records its steps and may add content
# types and permissions for models the seeded database had not touched.
BOOKKEEPING = {"django_migrations", "django_content_type", "auth_permission", "auth_group_permissions"}


def _data_rows() -> dict:
    return {table: figures for table, figures in current_figures().items()
            if figures["rows"] and table not in BOOKKEEPING}


def test_every_later_migration_applies_forward_on_a_seeded_database():
    call_command("seed_demo", products=20, no_images=True, no_logins=True, stdout=open("/dev/null", "w"))
    # The settlement history the demo builds is set aside (its ledger is append-only: TRUNCATE, not
    # DELETE): with rows there, no app it depends on could be taken back at all.
    with connection.cursor() as cursor:
        tables = [table for table in connection.introspection.table_names() if table.startswith("settlement_")]
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    before = _data_rows()
    assert before["orders_order"]["rows"] > 0 and before["catalog_product"]["rows"] == 20

    covered = set()
    for app, (target, unapplied) in _rollback_targets(set(before)).items():
        call_command("migrate", app, target, verbosity=0)  # back over the seeded data
        call_command("migrate", verbosity=0)  # and forward again
        covered.update(unapplied)

    after = _data_rows()
    assert {table: figures["rows"] for table, figures in after.items()} == \
        {table: figures["rows"] for table, figures in before.items()}
    assert after["orders_order"] == before["orders_order"]  # money columns too
    # This wave's migrations that change or backfill tables holding data are among them (a new
    # migration is covered automatically unless it must run before a table with rows exists). The first
    # wave's (orders.0005/0006, catalog.0003, accounts.0003/0006) can no longer be taken back on a seeded
    # shop: reviews, funnel events and portal data now hold rows that depend on those apps.
    assert covered >= {"orders.0007_lines_held_by_claims_and_fee_snapshots", "orders.0007_order_checkout_token",
                       "orders.0009_console_bulk_jobs", "claims.0002_claim_memos", "claims.0003_private_claim_photos",
                       "claims.0004_refund_steps_breakdown_holds_inspection", "claims.0005_exchange_fee_payments",
                       "settlement.0002_ledger_statements_payouts_holds",
                       "settlement.0006_ledger_links_without_row_checks"}
    assert not MigrationExecutor(connection).migration_plan(MigrationExecutor(connection).loader.graph.leaf_nodes())
