"""Order console benchmark: a million order lines on PostgreSQL, each console query shape timed.

    .venv/bin/python bench/console_orders.py [--lines 1000000] [--repeat 20] [--reseed]

Needs DATABASE_URL pointing at PostgreSQL (default postgres://postgres@127.0.0.1:5432/shop_bench_console).
Creates and migrates that database, seeds it in bulk with COPY when it has fewer lines than
--lines (a few thousand shoppers, ~400k orders of 1–4 lines, statuses spread like a live shop),
ANALYZEs, then runs every query shape of the console through the real selector functions
(orders.selectors) N times and prints p50 / p95 in milliseconds. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.parse
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop_bench_console")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"

SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = ["민준", "서연", "도윤", "하은", "지호", "수아", "예준", "지우", "시우", "서윤", "주원", "하준", "지민", "채원"]
METHODS = ["card"] * 6 + ["kakao_pay", "naver_pay", "virtual_account", "transfer", "mobile"]
# Status mix of a live shop: most lines are history; a few per cent are today's work.
STATUS_WEIGHTS = [("confirmed", 55), ("delivered", 12), ("shipping", 6), ("ready_to_ship", 3), ("preparing", 4),
                  ("paid", 5), ("pending_payment", 2), ("cancelled", 13)]


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


def seed(target_lines: int, rng: random.Random) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from catalog.models import SKU

    if SKU.objects.count() < 5:
        subprocess.run([sys.executable, "manage.py", "seed_demo", "--products", "20", "--seed", "1"], cwd=ROOT,
                       check=True, env={**os.environ})
    skus = list(SKU.objects.select_related("product").order_by("id")[:200])
    print(f"reusing {len(skus)} SKUs of {len({s.product_id for s in skus})} products", flush=True)
    started = time.monotonic()
    now = timezone.now()
    today = timezone.localdate()
    password = make_password("bench-pass-1234!")
    with transaction.atomic():
        cursor = raw_cursor()
        cursor.execute("TRUNCATE orders_orderline, orders_order RESTART IDENTITY CASCADE")
        cursor.execute("DELETE FROM accounts_user WHERE email LIKE 'bench-%%@example.com'")
        users = []
        with cursor.copy("COPY accounts_user (password, is_superuser, is_staff, is_active, date_joined, email, name, "
                         "phone, marketing_opt_in) FROM STDIN") as copy:
            for number in range(4000):
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                phone = f"010-{rng.randrange(1000, 10000)}-{number:04d}"
                email = f"bench-{number}@example.com"
                users.append((email, name, phone))
                copy.write_row((password, False, False, True, now, email, name, phone, False))
        cursor.execute("SELECT id, email FROM accounts_user WHERE email LIKE 'bench-%%@example.com'")
        ids_by_email = dict((email, pk) for pk, email in cursor.fetchall())
        users = [(ids_by_email[email], email, name, phone) for email, name, phone in users]
        print(f"  4,000 users in {time.monotonic() - started:.1f}s", flush=True)

        statuses = [s for s, w in STATUS_WEIGHTS for _ in range(w)]
        order_rows, line_rows = 0, 0
        orders_copy_sql = (
            "COPY orders_order (id, created_at, updated_at, number, user_id, payment_status, payment_method, "
            "orderer_name, orderer_email, orderer_phone, recipient, recipient_phone, postcode, address1, address2, "
            "delivery_request, items_amount, shipping_amount, discount_amount, points_amount, total_amount, "
            "from_cart, paid_at, expires_at) FROM STDIN")
        lines_copy_sql = (
            "COPY orders_orderline (created_at, updated_at, order_id, seller_id, product_id, sku_id, product_name, "
            "option_label, sku_code, status, quantity, unit_price_amount, option_delta_amount, items_amount, "
            "shipping_share_amount, discount_share_amount, points_share_amount, paid_amount, refunded_amount, "
            "ship_by_date, delay_reason, delay_note, waybill_number, cancel_reason, refunded_points_amount, "
            "refunded_shipping_amount, refunded_quantity, claimed_quantity, held_quantity, refunded_gross_amount, "
            "shipping_discount_share_amount) FROM STDIN")
        orders, lines = [], []
        order_id = 0
        while line_rows < target_lines:
            order_id += 1
            user_id, email, name, phone = rng.choice(users)
            age_days = min(int(rng.expovariate(1 / 60)), 720)
            created = now - timedelta(days=age_days, seconds=rng.randrange(86400))
            status = rng.choice(statuses)
            if age_days > 14 and status in ("paid", "preparing", "ready_to_ship", "pending_payment", "shipping"):
                status = "confirmed"
            payment_status = {"pending_payment": "awaiting", "cancelled": "cancelled"}.get(status, "paid")
            method = "virtual_account" if status == "pending_payment" else rng.choice(METHODS)
            count = min(rng.choice([1, 1, 1, 2, 2, 3, 4]), target_lines - line_rows)
            items_total = 0
            order_lines = []
            for _ in range(count):
                sku = rng.choice(skus)
                quantity = rng.choice([1, 1, 1, 2, 3])
                unit = sku.product.sale_price_amount
                items = (unit + sku.price_delta_amount) * quantity
                items_total += items
                ship_by = (created + timedelta(days=2)).date() if status in ("paid", "preparing") else None
                if ship_by and rng.random() < 0.2:
                    ship_by = today - timedelta(days=1)
                order_lines.append((created, created, order_id, sku.product.seller_id, sku.product_id, sku.pk,
                                    sku.product.name, sku.option_label, sku.code, status, quantity, unit,
                                    sku.price_delta_amount, items, 0, 0, 0, items, 0, ship_by, "", "",
                                    f"{rng.randrange(10**11, 10**12)}" if status in (
                                        "ready_to_ship", "shipping", "delivered", "confirmed") else "", "",
                                    0, 0, 0, 0, 0, 0, 0))
            # One order in five is a gift: the recipient is someone else (the search looks at both).
            recipient, recipient_phone = (name, phone) if rng.random() < 0.8 else rng.choice(users)[2:]
            orders.append((order_id, created, created, f"{created:%Y%m%d}-{order_id:07d}", user_id, payment_status,
                           method, name, email, phone, recipient, recipient_phone, "06236", "서울특별시 강남구 테헤란로 152", "12층", "",
                           items_total, 0, 0, 0, items_total, False,
                           created if payment_status == "paid" else None, created + timedelta(days=3)))
            lines.extend(order_lines)
            line_rows += count
            if len(lines) >= 100_000 or line_rows >= target_lines:
                with cursor.copy(orders_copy_sql) as copy:
                    for row in orders:
                        copy.write_row(row)
                with cursor.copy(lines_copy_sql) as copy:
                    for row in lines:
                        copy.write_row(row)
                order_rows += len(orders)
                orders, lines = [], []
                print(f"  {line_rows:,} lines / {order_rows:,} orders … {time.monotonic() - started:.0f}s", flush=True)
        cursor.execute("SELECT setval(pg_get_serial_sequence('orders_order', 'id'), %s)", [order_id])
    # Fresh COPYed rows have no visibility map or hint bits yet: vacuum so the timings are those of a
    # table in steady state, not of its first reads.
    connection.cursor().execute("VACUUM ANALYZE orders_order")
    connection.cursor().execute("VACUUM ANALYZE orders_orderline")
    print(f"seeded {line_rows:,} lines in {order_rows:,} orders in {time.monotonic() - started:.1f}s", flush=True)


def timed(function, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def run_shapes(repeat: int, rng: random.Random) -> list[tuple[str, float, float]]:
    from django.core.cache import cache
    from django.utils import timezone

    from orders.models import Order, OrderLine
    from orders.selectors import (
        count_lines_by_status,
        count_search_results,
        get_console_dashboard_counts,
        search_console_lines,
    )
    from orders.views.console import LINES_PER_PAGE, SEARCH_COUNT_CAP, KnownCountPaginator
    from partners.models import Seller

    counts = count_lines_by_status(use_cache=False)
    sample = list(Order.objects.order_by("?").values("number", "orderer_phone", "orderer_name", "orderer_email")[:50])
    product = OrderLine.objects.values_list("product_name", flat=True).first()
    word = product.split()[0] if product else "니트"
    seller = Seller.objects.order_by("id").first()
    today = timezone.localdate()

    def tab(status: str, page: int):
        def run():
            paginator = KnownCountPaginator(search_console_lines(status=status), LINES_PER_PAGE,
                                            count=counts.get(status or "all", 0))
            list(paginator.get_page(page).object_list)
        return run

    def search(**kwargs):
        def run():
            kwargs_now = {key: (value() if callable(value) else value) for key, value in kwargs.items()}
            lines = search_console_lines(**kwargs_now)
            found = count_search_results(lines, cap=SEARCH_COUNT_CAP)  # as the view counts a search
            paginator = KnownCountPaginator(lines, LINES_PER_PAGE, count=min(found, SEARCH_COUNT_CAP))
            list(paginator.get_page(1).object_list)
            return found
        return run

    pick = lambda key: (lambda: rng.choice(sample)[key])  # noqa: E731
    shapes = [
        ("dashboard (1 aggregate, uncached)", lambda: (cache.clear(), get_console_dashboard_counts())),
        ("tab counts (GROUP BY, uncached)", lambda: count_lines_by_status(use_cache=False)),
        ("tab counts (cached)", lambda: count_lines_by_status()),
        ("tab 'all' page 1", tab("", 1)),
        ("tab 'all' page 200", tab("", 200)),
        ("tab 'paid' page 1", tab("paid", 1)),
        ("tab 'paid' page 200", tab("paid", 200)),
        ("tab 'confirmed' page 200", tab("confirmed", 200)),
        ("search order number", search(number=pick("number"))),
        ("search phone (digits)", search(phone=lambda: rng.choice(sample)["orderer_phone"].replace("-", ""))),
        ("search name, 3 letters (orderer or recipient)", search(name=pick("orderer_name"))),
        ("search email (any case)", search(email=lambda: rng.choice(sample)["orderer_email"].upper())),
        ("search phone, last 4 digits", search(phone=lambda: rng.choice(sample)["orderer_phone"][-4:])),
        ("search name, 1 letter (surname)", search(name=lambda: rng.choice(sample)["orderer_name"][:1])),
        ("search name, 2 letters (given name)", search(name=lambda: rng.choice(sample)["orderer_name"][-2:])),
        ("search order number, last 6", search(number=lambda: rng.choice(sample)["number"][-6:])),
        ("tab 'all' + name part", lambda: search(status="all", name=pick("orderer_name"))()),
        (f"search product '{word}' (trigram)", search(product=word)),
        ("search product, rare word", search(product="가디건 울")),
        ("date range 7 days + method", search(date_from=today - timedelta(days=7), date_to=today,
                                             payment_method="kakao_pay")),
        ("date range 7 days + method, tab paid", search(status="paid", date_from=today - timedelta(days=7),
                                                       date_to=today, payment_method="card")),
        ("seller, tab preparing", search(status="preparing", seller=seller)),
        ("delayed only", search(delayed_only=True)),
    ]
    results = []
    for label, function in shapes:
        function()  # warm
        p50, p95 = timed(function, repeat)
        results.append((label, p50, p95))
        print(f"  {label:<42} p50 {p50:8.2f} ms   p95 {p95:8.2f} ms", flush=True)
    return results


def explain(label: str, queryset, *, analyze: bool = False, rows: int = 6) -> None:
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(("EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN ") + sql, params)
        plan = "\n      ".join(row[0] for row in cursor.fetchall()[:rows])
    print(f"  {label}:\n      {plan}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--explain", action="store_true", help="print the plans of a few shapes")
    args = parser.parse_args()
    ensure_database()
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True,
                   env={**os.environ})
    import django

    django.setup()
    from orders.models import OrderLine

    rng = random.Random(8)
    have = OrderLine.objects.count()
    if args.reseed or have < args.lines:
        print(f"database has {have:,} lines: seeding {args.lines:,} …", flush=True)
        seed(args.lines, rng)
    else:
        print(f"database has {have:,} lines: no seeding")
    print(f"\nconsole query shapes, {args.repeat} runs each ({datetime.now():%Y-%m-%d %H:%M}):")
    run_shapes(args.repeat, rng)
    if args.explain:
        from orders.selectors import search_console_lines

        print("\nplans:")
        from orders.models import Order

        name = Order.objects.order_by("id").values_list("orderer_name", flat=True).first() or "김민준"
        explain(f"name, 3 letters '{name}' (page 1)", search_console_lines(name=name)[:50], analyze=True, rows=30)
        explain("product contains", search_console_lines(product="가디건")[:50])
        explain("phone", search_console_lines(phone="01012345678")[:50])
        explain("email", search_console_lines(email="A@B.COM")[:50])
        explain("tab paid page 200", search_console_lines(status="paid")[9950:10000])


if __name__ == "__main__":
    main()
