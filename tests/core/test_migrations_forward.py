"""Migrations are safe for a live shop (issue 15, "Data is never lost"). Two drills:

1. **The upgrade from the previous release** (the ones a live shop meets on deploy day). The first wave,
   as it landed (commit f66b0a9, 2026-11-22), seeded by its own ``seed_demo`` (40 products, orders in every
   state) plus claims made by its own services (a refunded partial cancel, a refunded return, an open
   return), was dumped into ``fixtures/wave1_seeded.sql.gz`` (``fixtures/make_wave1_seeded.py``
   regenerates it). The dump is loaded into a fresh database and ``manage.py migrate`` runs there with the
   current code, in its own process, as on deploy day: every migration since that release, of every app
   (settlement included), applies forward over real data. Then no row is lost, no money column's sum
   moves, the data migrations backfill what they say, and ``manage.py reconcile`` balances. The test
   database is never touched (the scratch database is dropped afterwards); git is not needed.

2. **Back and forth on a seeded database** (a rollback of a bad deploy): on a shop seeded by the current
   code, each app is taken back as far as it can go without dropping a table that holds data (no initial
   migration of any app is unapplied, no table with rows is dropped), and every later migration then
   applies forward again over the data, which comes through intact. Not covered that way, because going
   back before them would drop tables with rows: migrations that create a table the seed fills
   (orders.0002_fulfilment: the couriers) or that such a table depends on (catalog.0002_search_trigram,
   core.0002_outbox), and the first wave's (drill 1 starts after them: they are the previous release).
"""

import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from core.backup import current_figures, figures_postgres
from tests.core.fixtures.drill import connect, load_sql_dump, manage, reconcile_report, scratch_database

pytestmark = [pytest.mark.postgres]

OUR_APPS = ["core", "accounts", "partners", "catalog", "orders", "claims", "settlement", "marketing"]

# --- 1. the upgrade from the previous release ------------------------------------------------------

FIXTURE = Path(__file__).parent / "fixtures" / "wave1_seeded.sql.gz"

# Tables of the previous release that a migration to head may add rows to, and why. Every other table
# of that release keeps exactly its rows; every table the upgrade creates starts empty.
GROWS = {
    "django_migrations": "migrate records each migration it applies",
    "django_content_type": "post_migrate adds the new models' content types",
    "auth_permission": "post_migrate adds the new models' permissions",
    "auth_group_permissions": "settlement.0003, partners.0003, marketing.0003/0004 (sync_operator_groups) give the "
                              "operator groups the new apps' permissions",
}

OPEN_CLAIM = ("requested", "approved", "pickup_started", "picked_up", "held", "replacement_shipped")


def _rows(cursor, sql: str) -> list:
    cursor.execute(sql)
    return cursor.fetchall()


@pytest.fixture(scope="module")
def upgraded_release():
    """The previous release's seeded shop, loaded into a scratch database and migrated to head."""
    with scratch_database("upgrade") as database:
        load_sql_dump(FIXTURE, database)
        with connect(database) as old, old.cursor() as cursor:
            before = figures_postgres(cursor)
            applied_before = set(_rows(cursor, "SELECT app, name FROM django_migrations"))
            # What the old release's claims say about their lines (the expected values of the backfills).
            refunded_items = dict(_rows(cursor, """
                SELECT cl.order_line_id, SUM(c.items_refund_amount) FROM claims_claim c
                JOIN claims_claimline cl ON cl.claim_id = c.id
                WHERE c.refunded_at IS NOT NULL GROUP BY cl.order_line_id"""))
            held = dict(_rows(cursor, f"""
                SELECT cl.order_line_id, SUM(cl.quantity) FROM claims_claim c
                JOIN claims_claimline cl ON cl.claim_id = c.id
                WHERE c.status IN {OPEN_CLAIM} GROUP BY cl.order_line_id"""))
            paid_orders = _rows(cursor, "SELECT COALESCE(SUM(items_amount + shipping_amount), 0) FROM orders_order "
                                        "WHERE paid_at IS NOT NULL")[0][0]
            pg_refunds = _rows(cursor, "SELECT COALESCE(SUM(amount), 0) FROM orders_paymentcancel")[0][0]
        started = time.monotonic()
        migrated = manage("migrate", "--noinput", database=database)
        seconds = time.monotonic() - started
        if migrated.returncode:
            pytest.fail(f"migrate failed on the previous release's data:\n{migrated.stdout[-2000:]}\n"
                        f"{migrated.stderr[-4000:]}")
        with connect(database) as new, new.cursor() as cursor:
            after = figures_postgres(cursor)
            applied_after = set(_rows(cursor, "SELECT app, name FROM django_migrations"))
            lines = {line_id: (gross, held_quantity) for line_id, gross, held_quantity in _rows(
                cursor, "SELECT id, refunded_gross_amount, held_quantity FROM orders_orderline")}
        yield {"database": database, "before": before, "after": after, "migrate": migrated, "seconds": seconds,
               "applied_before": applied_before, "applied_after": applied_after, "refunded_items": refunded_items,
               "held": held, "lines": lines, "paid_orders": int(paid_orders), "pg_refunds": int(pg_refunds)}


def test_the_previous_release_s_seeded_shop_migrates_to_head_without_losing_a_row_or_a_won(upgraded_release):
    upgrade = upgraded_release
    before, after = upgrade["before"], upgrade["after"]
    assert upgrade["migrate"].returncode == 0, upgrade["migrate"].stdout + upgrade["migrate"].stderr
    # The fixture is the previous release's seeded shop (seed_demo --products 40, and three claims).
    assert before["catalog_product"]["rows"] == 40 and before["orders_order"]["rows"] == 5
    assert before["claims_claim"]["rows"] == 3 and before["orders_paymentcancel"]["rows"] == 2
    assert "settlement_ledgerentry" not in before and ("settlement", "0001_commission_rules_contracts") not in \
        upgrade["applied_before"]

    # Every migration of the current code is applied, each one since the release by this run.
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    assert upgrade["applied_after"] == set(graph.nodes)
    applied_now = upgrade["applied_after"] - upgrade["applied_before"]
    assert {name for app, name in applied_now if app == "settlement"} == \
        {name for app, name in graph.nodes if app == "settlement"}
    assert {("orders", "0007_lines_held_by_claims_and_fee_snapshots"),
            ("claims", "0004_refund_steps_breakdown_holds_inspection"), ("partners", "0002_staff_roles"),
            ("marketing", "0004_merge_20261130_1532"), ("orders", "0010_merge_20261130_1502")} <= applied_now
    assert "Applying settlement.0006_ledger_links_without_row_checks... OK" in upgrade["migrate"].stdout

    # No row lost: every table of the release keeps its rows; only Django's bookkeeping and the groups'
    # permissions grow, and every new table starts empty.
    for table, figures in before.items():
        if table in GROWS:
            assert after[table]["rows"] >= figures["rows"], table
        else:
            assert after[table]["rows"] == figures["rows"], table
    assert after["auth_group_permissions"]["rows"] > before["auth_group_permissions"]["rows"]
    # New tables start empty, except the commissions settlement.0010 freezes for every line of the release.
    new_tables = {table: figures["rows"] for table, figures in after.items() if table not in before}
    assert new_tables.pop("settlement_linecommission") == before["orders_orderline"]["rows"] > 0
    assert new_tables == dict.fromkeys(new_tables, 0)
    # No money moved: every money column (*_amount) of the release sums to the same won.
    for table, figures in before.items():
        assert {column: after[table]["sums"][column] for column in figures["sums"]} == figures["sums"], table
    assert before["orders_order"]["sums"]["total_amount"] > 0 and before["claims_claim"]["sums"]["refund_amount"] > 0


def test_the_data_migrations_backfill_the_old_release_s_claims(upgraded_release):
    """orders.0007: a refunded line's gross refunded item value (what its refunded claims gave back for the
    items); claims.0004: units under an open claim hold their line."""
    upgrade = upgraded_release
    assert upgrade["refunded_items"] and upgrade["held"]  # the fixture has both
    for line_id, (gross, held_quantity) in upgrade["lines"].items():
        assert gross == upgrade["refunded_items"].get(line_id, 0), line_id
        assert held_quantity == upgrade["held"].get(line_id, 0), line_id


def test_the_upgraded_shop_s_money_reconciles(upgraded_release):
    upgrade = upgraded_release
    status, output, totals = reconcile_report(upgrade["database"], date_to=timezone.localdate())

    assert status == 0, output  # manage.py reconcile exits 1 on any difference
    assert all(left == right for left, right in totals), output
    # reconcile's equations, in its order: orders, refunds, exchange fees, settled lines, marketing costs, payouts.
    orders, refunds, exchange_fees, settled, marketing, payouts = totals
    assert orders == (upgrade["paid_orders"], upgrade["paid_orders"]) and upgrade["paid_orders"] > 0
    assert refunds == (upgrade["pg_refunds"], upgrade["pg_refunds"]) and upgrade["pg_refunds"] > 0
    assert settled == payouts == (0, 0)  # the release had no settlement
    assert exchange_fees == marketing == (0, 0)  # nor exchange fees through the PG, reviews or affiliates


def test_the_old_release_s_paid_lines_can_be_settled_after_the_upgrade(upgraded_release):
    """A settlement close books only lines with a frozen commission (settlement.sources.settleable_lines_sql
    joins settlement_linecommission): settlement.0010 freezes one for every line placed before settlement
    existed, else their sellers would never be paid for them."""
    with connect(upgraded_release["database"]) as db, db.cursor() as cursor:
        without = _rows(cursor, """
            SELECT COUNT(*) FROM orders_orderline ol JOIN orders_order o ON o.id = ol.order_id
            WHERE o.paid_at IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM settlement_linecommission lc WHERE lc.order_line_id = ol.id)""")[0][0]
    assert without == 0


# --- 2. back and forth on a seeded database --------------------------------------------------------


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


@pytest.mark.django_db(transaction=True)
def test_every_later_migration_applies_forward_on_a_seeded_database():
    call_command("seed_demo", products=20, no_images=True, no_logins=True, stdout=open("/dev/null", "w"))
    # The settlement history the demo builds is set aside (its ledger is append-only: TRUNCATE, not
    # DELETE): with rows there, no app it depends on could be taken back at all.
    with connection.cursor() as cursor:
        tables = [table for table in connection.introspection.table_names() if table.startswith("settlement_")]
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    # Likewise the demo's deposit after an expired order (orders.0012's table): with a row there, orders
    # could not be taken back past the migrations this drill exists to take back and forth.
    from orders.models import DepositAfterCancel

    DepositAfterCancel.objects.all().delete()
    before = _data_rows()
    assert before["orders_order"]["rows"] > 0 and before["catalog_product"]["rows"] == 20

    covered = set()
    try:
        for app, (target, unapplied) in _rollback_targets(set(before)).items():
            call_command("migrate", app, target, verbosity=0)  # back over the seeded data
            call_command("migrate", verbosity=0)  # and forward again
            covered.update(unapplied)
    finally:
        # Whatever failed half-way, the test database ends at head (with its triggers), so the flush
        # after this test, and any test after it, finds the schema it expects.
        call_command("migrate", verbosity=0)

    after = _data_rows()
    # The demo's settlement tables were emptied above; going forward, settlement.0010 freezes a commission
    # again for every order line that has none.
    assert after.pop("settlement_linecommission")["rows"] == before["orders_orderline"]["rows"]
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
