"""Settlement benchmark: closing one weekly period over a million confirmed order lines.

    .venv/bin/python bench/settlement.py [--lines 1000000] [--reseed]

Needs DATABASE_URL pointing at PostgreSQL (default postgres://postgres@127.0.0.1:5432/shop_h11_bench).
Creates and migrates that database, reuses a few SKUs from `seed_demo --products 20`, seeds the
lines with COPY (every line confirmed in the week of Monday 2026-11-16, one order per two lines,
10 % of lines with a shipping share, frozen commissions by INSERT … SELECT), ANALYZEs, then times
`close_settlement_period` — the set-based SQL close — over the million lines; then returns 1 % of those
lines in the next week and times that week's close (it reads only the changed lines). The budget is
60 seconds for the first. Not a test: it prints figures, with the load average before and after (the
machine is shared) and each close's seconds per SQL step.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
import urllib.parse
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop_h11_bench")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"

WEEK = date(2026, 11, 16)
SEOUL = ZoneInfo("Asia/Seoul")


def ensure_database() -> None:
    import psycopg

    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    if not url.scheme.startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL (postgres://…)")
    name = url.path.lstrip("/")
    maintenance = urllib.parse.urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def raw_cursor():
    from django.db import connection

    connection.ensure_connection()
    return connection.connection.cursor()


def clear_settlement(cursor) -> None:
    # TRUNCATE is not a row operation: the append-only triggers do not fire (a bench reset only).
    cursor.execute("TRUNCATE settlement_ledgerentry, settlement_statement, settlement_periodclose, "
                   "settlement_settlementadjustment, settlement_payoutbatch CASCADE")


def seed(target_lines: int, rng: random.Random) -> None:
    from django.db import transaction
    from django.utils import timezone

    from catalog.models import SKU
    if SKU.objects.count() < 5:
        subprocess.run([sys.executable, "manage.py", "seed_demo", "--products", "20", "--seed", "1"], cwd=ROOT,
                       check=True, env={**os.environ})
    skus = list(SKU.objects.select_related("product").order_by("id")[:200])
    from accounts.models import User

    user_id = User.objects.order_by("id").values_list("id", flat=True).first()
    started = time.monotonic()
    now = timezone.now()
    with transaction.atomic():
        cursor = raw_cursor()
        clear_settlement(cursor)
        cursor.execute("TRUNCATE settlement_linecommission, orders_orderline, orders_order RESTART IDENTITY CASCADE")
        orders_sql = (
            "COPY orders_order (id, created_at, updated_at, number, user_id, payment_status, payment_method, "
            "orderer_name, orderer_email, orderer_phone, recipient, recipient_phone, postcode, address1, address2, "
            "delivery_request, items_amount, shipping_amount, discount_amount, points_amount, total_amount, "
            "from_cart, paid_at) FROM STDIN")
        lines_sql = (
            "COPY orders_orderline (created_at, updated_at, order_id, seller_id, product_id, sku_id, product_name, "
            "option_label, sku_code, status, quantity, unit_price_amount, option_delta_amount, items_amount, "
            "shipping_share_amount, discount_share_amount, points_share_amount, paid_amount, refunded_amount, "
            "refunded_points_amount, refunded_shipping_amount, refunded_quantity, claimed_quantity, delay_reason, "
            "delay_note, waybill_number, cancel_reason, delivered_at, confirmed_at, held_quantity, refunded_gross_amount, "
            "shipping_discount_share_amount) FROM STDIN")
        made, order_id = 0, 0
        orders, lines = [], []
        while made < target_lines:
            order_id += 1
            confirmed = datetime.combine(WEEK + timedelta(days=rng.randrange(7)), datetime.min.time(),
                                         tzinfo=SEOUL) + timedelta(seconds=rng.randrange(86400))
            paid = confirmed - timedelta(days=9)
            count = min(2, target_lines - made)
            items_total, shipping_total = 0, 0
            for _ in range(count):
                sku = rng.choice(skus)
                quantity = rng.choice([1, 1, 2, 3])
                unit = sku.product.sale_price_amount
                items = (unit + sku.price_delta_amount) * quantity
                shipping = 3000 if rng.random() < 0.1 else 0
                items_total += items
                shipping_total += shipping
                lines.append((paid, confirmed, order_id, sku.product.seller_id, sku.product_id, sku.pk,
                              sku.product.name, sku.option_label, sku.code, "confirmed", quantity, unit,
                              sku.price_delta_amount, items, shipping, 0, 0, items + shipping, 0, 0, 0, 0, 0, "", "",
                              "123456789012", "", confirmed - timedelta(days=2), confirmed, 0, 0, 0))
            orders.append((order_id, paid, paid, f"B{order_id:09d}", user_id, "paid", "card", "벤치", "bench@example.com",
                           "010-0000-0000", "벤치", "010-0000-0000", "06236", "서울특별시 강남구 테헤란로 152", "", "",
                           items_total, shipping_total, 0, 0, items_total + shipping_total, False, paid))
            made += count
            if len(lines) >= 100_000 or made >= target_lines:
                with cursor.copy(orders_sql) as copy:
                    for row in orders:
                        copy.write_row(row)
                with cursor.copy(lines_sql) as copy:
                    for row in lines:
                        copy.write_row(row)
                orders, lines = [], []
                print(f"  {made:,} lines … {time.monotonic() - started:.0f}s", flush=True)
        cursor.execute("SELECT setval(pg_get_serial_sequence('orders_order', 'id'), %s)", [order_id])
        # The commission frozen at placement (10 %, rounded down), in one statement.
        cursor.execute("INSERT INTO settlement_linecommission (order_line_id, seller_id, rate, base_amount, "
                       "commission_amount, seller_discount_amount, created_at) "
                       "SELECT id, seller_id, 10, items_amount, items_amount * 10 / 100, 0, %s FROM orders_orderline",
                       [now])
    cursor = raw_cursor()
    for table in ("orders_order", "orders_orderline", "settlement_linecommission"):
        cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"seeded {target_lines:,} lines in {time.monotonic() - started:.0f}s", flush=True)


def reset_changes(cursor) -> None:
    """Undo the previous run's second-week changes (1 % of the lines, id divisible by 100)."""
    cursor.execute("UPDATE orders_orderline SET status = 'confirmed', refunded_quantity = 0, refunded_amount = 0, "
                   "refunded_shipping_amount = 0, refunded_gross_amount = 0, updated_at = confirmed_at "
                   "WHERE mod(id, 100) = 0 AND status <> 'confirmed'")
    if cursor.rowcount:
        cursor.execute("VACUUM ANALYZE orders_orderline")


def change_one_percent(cursor) -> int:
    """1 % of the booked lines are returned whole on the Tuesday of the next week (as a completed return
    records it on the line: status, refunded units, cash and shipping, updated_at)."""
    when = datetime.combine(WEEK + timedelta(days=8), datetime.min.time(), tzinfo=SEOUL) + timedelta(hours=15)
    cursor.execute("UPDATE orders_orderline SET status = 'returned', refunded_quantity = quantity, "
                   "refunded_amount = paid_amount, refunded_shipping_amount = shipping_share_amount, "
                   "refunded_gross_amount = items_amount, updated_at = %s WHERE mod(id, 100) = 0", [when])
    return cursor.rowcount


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    ensure_database()
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True,
                   env={**os.environ})
    import django

    django.setup()
    from django.db import connection

    from orders.models import OrderLine
    from settlement.services import close_settlement_period

    with connection.cursor() as cursor:
        reset_changes(cursor.connection.cursor())
    have = OrderLine.objects.filter(status="confirmed").count()
    if args.reseed or have != args.lines:
        print(f"database has {have:,} confirmed lines: seeding {args.lines:,} …", flush=True)
        seed(args.lines, random.Random(11))
    with connection.cursor() as cursor:
        clear_settlement(cursor.connection.cursor())
    now = datetime.combine(WEEK + timedelta(days=15), datetime.min.time(), tzinfo=SEOUL)
    print(f"before the closes: {uptime()}", flush=True)
    started = time.monotonic()
    record = close_settlement_period(cycle="weekly", period_start=WEEK, now=now)
    first = time.monotonic() - started
    print(f"close {WEEK} – {WEEK + timedelta(days=6)}: {record.lines_checked:,} lines read, "
          f"{record.statement_count:,} statements, {record.entry_count:,} ledger rows, {first:.1f} s with the commit "
          f"({'within' if first < 60 else 'OVER'} the 60 s budget); steps {record.step_seconds}", flush=True)
    print(f"  {uptime()}", flush=True)
    with connection.cursor() as cursor:
        changed = change_one_percent(cursor.connection.cursor())
    second_week = WEEK + timedelta(days=7)
    started = time.monotonic()
    record = close_settlement_period(cycle="weekly", period_start=second_week, now=now)
    print(f"close {second_week} – {second_week + timedelta(days=6)} after {changed:,} booked lines were returned: "
          f"{record.lines_checked:,} lines read, {record.entry_count:,} ledger rows, "
          f"{time.monotonic() - started:.1f} s with the commit; steps {record.step_seconds}", flush=True)
    print(f"after the closes: {uptime()}", flush=True)


if __name__ == "__main__":
    main()
