"""The backup/restore drill (issue 15, "Data is never lost"): a seeded shop (with its settlement
history: closed, paid and held statements) is backed up with pg_dump (custom format) plus its media and
private files, restored into an empty database, and the restored shop has the same row counts, the same
money figures (orders, payments, refunds) and the same reconciliation: ``manage.py reconcile`` prints
the same report, every equation with both sides to the won, balanced, before the backup and after the
restore."""

from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from core.backup import BackupError, make_backup, restore_backup
from tests.core.fixtures.drill import reconcile_report, scratch_database

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def empty_database():
    with scratch_database("restore") as database:
        yield database


def _orm_figures() -> dict:
    """What the shop holds, read through the ORM (independent of core.backup's SQL)."""
    from accounts.models import User
    from catalog.models import SKU, Product
    from claims.models import Claim
    from orders.models import Order, OrderLine, Payment, PaymentCancel
    from settlement.models import LedgerEntry, Statement

    def total(model, field):
        return model.objects.aggregate(total=Sum(field))["total"] or 0

    return {
        "rows": {"accounts_user": User.objects.count(), "catalog_product": Product.objects.count(),
                 "catalog_sku": SKU.objects.count(), "orders_order": Order.objects.count(),
                 "orders_orderline": OrderLine.objects.count(), "orders_payment": Payment.objects.count(),
                 "orders_paymentcancel": PaymentCancel.objects.count(), "claims_claim": Claim.objects.count(),
                 "settlement_statement": Statement.objects.count(),
                 "settlement_ledgerentry": LedgerEntry.objects.count()},
        "money": {"orders": total(Order, "total_amount"), "lines paid": total(OrderLine, "paid_amount"),
                  "lines refunded": total(OrderLine, "refunded_amount"), "payments": total(Payment, "amount"),
                  "payments cancelled": total(Payment, "cancelled_amount"),
                  "pg cancels": total(PaymentCancel, "amount"), "claim refunds": total(Claim, "refund_amount"),
                  "ledger": total(LedgerEntry, "amount"), "statements paid": total(Statement, "paid_amount")},
    }


def _restored_figures(database: dict) -> dict:
    queries = {
        "orders": "SELECT COALESCE(SUM(total_amount), 0) FROM orders_order",
        "lines paid": "SELECT COALESCE(SUM(paid_amount), 0) FROM orders_orderline",
        "lines refunded": "SELECT COALESCE(SUM(refunded_amount), 0) FROM orders_orderline",
        "payments": "SELECT COALESCE(SUM(amount), 0) FROM orders_payment",
        "payments cancelled": "SELECT COALESCE(SUM(cancelled_amount), 0) FROM orders_payment",
        "pg cancels": "SELECT COALESCE(SUM(amount), 0) FROM orders_paymentcancel",
        "claim refunds": "SELECT COALESCE(SUM(refund_amount), 0) FROM claims_claim",
        "ledger": "SELECT COALESCE(SUM(amount), 0) FROM settlement_ledgerentry",
        "statements paid": "SELECT COALESCE(SUM(paid_amount), 0) FROM settlement_statement",
    }
    with psycopg.connect(dbname=database["NAME"], host=database.get("HOST") or None,
                         port=database.get("PORT") or None, user=database.get("USER") or None) as restored:
        rows = {table: restored.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in _orm_figures()["rows"]}
        money = {name: int(restored.execute(sql).fetchone()[0]) for name, sql in queries.items()}
    return {"rows": rows, "money": money}


def test_a_seeded_shop_restored_from_its_backup_has_the_same_rows_money_reconciliation_and_files(empty_database, tmp_path):
    call_command("seed_demo", products=40, no_images=True, no_logins=True, stdout=open("/dev/null", "w"))
    from orders.models import Order

    assert Order.objects.exists()
    Path(settings.MEDIA_ROOT, "products").mkdir(parents=True, exist_ok=True)
    Path(settings.MEDIA_ROOT, "products", "1.jpg").write_bytes(b"jpeg bytes")
    Path(settings.PRIVATE_MEDIA_ROOT, "claims").mkdir(parents=True, exist_ok=True)
    Path(settings.PRIVATE_MEDIA_ROOT, "claims", "photo.jpg").write_bytes(b"private photo")
    before = _orm_figures()
    today = timezone.localdate()
    # manage.py reconcile, in its own process, over the live test database (this test commits its data).
    reconciled_status, reconciled, totals = reconcile_report(connection.settings_dict, date_to=today)

    folder = make_backup(output_dir=tmp_path / "backups")
    restore_backup(folder, database=empty_database, media_root=tmp_path / "restored-media",
                   private_media_root=tmp_path / "restored-private")

    assert (folder / "database.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert _restored_figures(empty_database) == before
    # The same reconciliation, to the won, on the restored shop: every equation, every term, both sides.
    restored_status, restored, restored_totals = reconcile_report(empty_database, date_to=today)
    assert restored == reconciled
    assert reconciled_status == restored_status == 0, reconciled  # exit 1 on any difference
    assert restored_totals == totals and all(left == right for left, right in totals)
    # Nothing is zero: orders, refunds, settled lines and payouts of the seeded settlement history.
    # reconcile's equations, in its order: orders, refunds, exchange fees, settled lines, marketing costs, payouts.
    orders, refunds, _exchange_fees, settled, _marketing, payouts = totals
    assert orders[0] > 0 and refunds[0] > 0 and settled[0] > 0 and payouts[0] > 0
    assert before["money"]["orders"] > 0 and before["rows"]["orders_order"] >= 5
    assert before["rows"]["settlement_statement"] and before["money"]["statements paid"] > 0
    assert (tmp_path / "restored-media" / "products" / "1.jpg").read_bytes() == b"jpeg bytes"
    assert (tmp_path / "restored-private" / "claims" / "photo.jpg").read_bytes() == b"private photo"


def test_a_restore_refuses_a_database_that_is_not_empty(tmp_path):
    folder = make_backup(output_dir=tmp_path)

    with pytest.raises(BackupError, match="not empty"):
        restore_backup(folder, media_root=tmp_path / "m", private_media_root=tmp_path / "p")
