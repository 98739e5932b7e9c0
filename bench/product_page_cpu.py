"""The product page built afresh (page cache cold): milliseconds of CPU per render, in-process.

    .venv/bin/python bench/product_page_cpu.py [--renders 200] [--signed-in] [--profile]

wrk ratios on a shared machine are noise; this loop is not: one process, Django's test client,
no HTTP server, no concurrency. Each render first bumps the product's version token (so the page
is a miss, as the first visit of a product is) and then GETs ``/products/<id>/`` for a product
taken in turn from the first 100 visible ones. Prints wall and CPU ms per render, queries per
render, and with --profile cProfile's top functions. Uses DATABASE_URL (PostgreSQL, prepared as
bench/checkout.py prepares it: ``seed_demo`` when it has fewer than 200 products).
Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop_bench_checkout")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--signed-in", action="store_true", help="as bench-shopper-0 (header, cart count)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    from bench.checkout import prepare
    from bench.storefront import ensure_database

    ensure_database()
    prepare(1)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from catalog.selectors import visible_products
    from core import cache_versions

    setup_test_environment()
    client = Client()
    if args.signed_in:
        from accounts.models import User

        client.force_login(User.objects.get(email="bench-shopper-0@example.com"))
    ids = list(visible_products().order_by("pk").values_list("pk", flat=True)[:100])
    for product_id in ids[:10]:  # warm imports, templates, translations, connections
        client.get(f"/products/{product_id}/")
    profiler = cProfile.Profile()
    wall = cpu = 0.0
    queries = 0
    for index in range(args.renders):
        product_id = ids[index % len(ids)]
        cache_versions.bump(cache_versions.product_scope(product_id))  # the page is built afresh
        with CaptureQueriesContext(connection) as captured:
            started, cpu_started = time.perf_counter(), time.process_time()
            if args.profile:
                profiler.enable()
            response = client.get(f"/products/{product_id}/")
            if args.profile:
                profiler.disable()
            wall += time.perf_counter() - started
            cpu += time.process_time() - cpu_started
        assert response.status_code == 200, response.status_code
        queries += len(captured)
    who = "signed-in shopper" if args.signed_in else "anonymous visitor"
    print(f"product page, cache cold, {who}, {args.renders} renders of {len(ids)} products: "
          f"{wall / args.renders * 1000:.2f} ms wall, {cpu / args.renders * 1000:.2f} ms CPU, "
          f"{queries / args.renders:.1f} queries per render")
    if args.profile:
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(args.top)
        print(buffer.getvalue())


if __name__ == "__main__":
    main()
