"""Where a purchase's time goes: each HTTP step of bench/checkout.py's loop, in-process, profiled.

    .venv/bin/python bench/profile_checkout.py [--purchases 40] [--top 25]

Uses the same database as bench/checkout.py (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/shop_bench_checkout; prepared the same way) and drives the
same steps with Django's test client, one shopper, no concurrency: buy now (cart/add) → the
checkout form → place the order (POST) → the sandbox PG window → approve → the success redirect
(server-side confirm) → order complete. Prints per step: mean wall and CPU milliseconds of this
process (the web side; PostgreSQL's own work is in the wall time only), SQL queries and the share
of the CPU; with --profile also cProfile's top functions by cumulative time.
Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop_bench_checkout")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--purchases", type=int, default=40)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--profile", action="store_true", help="also print cProfile's top functions (slower)")
    parser.add_argument("--sql", metavar="STEP", default="",
                        help="print the SQL of the last purchase's step whose name starts with STEP (e.g. 3)")
    args = parser.parse_args()

    from bench.checkout import prepare
    from bench.storefront import ensure_database

    ensure_database()
    sku_ids = prepare(1)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()  # lets the test client collect queries; ALLOWED_HOSTS gets testserver
    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email="bench-shopper-0@example.com"))
    rng = random.Random(7)
    timings: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    queries: dict[str, list[int]] = defaultdict(list)
    last_sql: dict[str, list[str]] = {}
    profiler = cProfile.Profile()

    def step(name, method, path, data=None):
        with CaptureQueriesContext(connection) as captured:
            started, cpu_started = time.perf_counter(), time.process_time()
            if args.profile:
                profiler.enable()
            response = getattr(client, method)(path, data or {})
            if args.profile:
                profiler.disable()
            timings[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - cpu_started)
        queries[name].append(len(captured))
        last_sql[name] = [f"{float(q['time']) * 1000:6.1f} ms  {q['sql'][:220]}" for q in captured.captured_queries]
        return response

    done = 0
    for _ in range(args.purchases):
        sku_id = rng.choice(sku_ids)
        step("1 cart/add (buy now)", "post", "/cart/add/", {"sku": sku_id, "quantity": 1, "action": "buy"})
        form = step("2 checkout form", "get", "/checkout/?mode=now").content.decode()
        checkout_token = re.search(r'name="checkout_token" value="([^"]+)"', form).group(1)
        response = step("3 place order (POST)", "post", "/checkout/?mode=now", {
            "mode": "now", "recipient": "김벤치", "phone": "010-1234-5678", "postcode": "06236",
            "address1": "서울 강남구 테헤란로 152", "payment_method": "card", "installment_months": "0",
            "agree": "on", "checkout_token": checkout_token})
        window = response.headers.get("Location", "")
        if "/pg-sandbox/pay/" not in window:
            print("order failed:", response.status_code)
            continue
        html = step("4 PG window", "get", window).content.decode()
        token = re.search(r'name="token" value="([^"]+)"', html).group(1)
        response = step("5 PG approve", "post", "/pg-sandbox/pay/", {
            "token": token, "decision": "approve", "card_company": "신한카드", "installment_months": "0"})
        success = response.headers["Location"].split("testserver", 1)[-1]
        response = step("6 success (confirm)", "get", success)
        step("7 order complete", "get", response.headers["Location"])
        done += 1

    total = sum(sum(values) for values in timings.values())
    print(f"\n{done} purchases, one shopper, in-process (no HTTP server), "
          f"{total / max(done, 1) * 1000:.1f} ms per purchase\n")
    total_cpu = sum(sum(values) for values in cpu.values())
    print(f"{'step':<26} {'wall ms':>8} {'CPU ms':>7} {'queries':>8} {'CPU share':>10}")
    for name in sorted(timings):
        values = timings[name]
        print(f"{name:<26} {sum(values) / len(values) * 1000:>8.1f} {sum(cpu[name]) / len(cpu[name]) * 1000:>7.1f} "
              f"{sum(queries[name]) / len(queries[name]):>8.1f} {100 * sum(cpu[name]) / total_cpu:>9.1f}%")
    print(f"{'whole purchase':<26} {total / max(done, 1) * 1000:>8.1f} {total_cpu / max(done, 1) * 1000:>7.1f} "
          f"{sum(sum(values) for values in queries.values()) / max(done, 1):>8.1f}")
    for name in sorted(last_sql):
        if args.sql and name.startswith(args.sql):
            print(f"\nSQL of step {name} (last purchase):")
            print("\n".join(last_sql[name]))
    if args.profile:
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(args.top)
        print(buffer.getvalue())


if __name__ == "__main__":
    main()
