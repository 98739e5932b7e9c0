"""Excel product registration benchmark: read, dry run and apply of a 5,000-row file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/products_excel.py \
        [--rows 5000] [--profile apply.prof]

The file is the tests' generator (`tests/catalog/test_services_bulk.py`): every row a product with
a 2×3 option matrix (30,000 SKUs and 60,000 SKU–value links for 5,000 rows) and a seller SKU code.
Runs against a migrated database inside one transaction that is rolled back at the end (nothing
stays). Prints the figures and the load average (the machine is shared). Not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--profile", help="write a cProfile of the apply here and print its top entries")
    options = parser.parse_args()

    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, transaction

    from catalog.models import SKU, Product
    from catalog.services import bulk
    from tests.catalog.factories import CategoryFactory
    from tests.catalog.test_services_bulk import registration_row, xlsx
    from tests.partners.factories import SellerFactory

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; load average before: "
          f"{' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    try:
        with transaction.atomic():
            seller = SellerFactory()
            category = CategoryFactory(name="벤치 의류")
            category.notice_group = "clothing"
            category.save()
            rows = [registration_row(category, name=f"셔츠 {n}", sku_code=f"BENCH-{n:05d}")
                    for n in range(options.rows)]
            upload = SimpleUploadedFile("bench.xlsx", xlsx(rows))
            started = time.perf_counter()
            table = bulk.read_upload(kind=bulk.REGISTRATION, file=upload)
            read = time.perf_counter()
            verdicts = bulk.validate_rows(kind=bulk.REGISTRATION, raw_rows=table.rows, seller=seller)
            validated = time.perf_counter()
            assert not [verdict for verdict in verdicts if verdict.error], verdicts[0].error
            profiler = cProfile.Profile() if options.profile else None
            if profiler:
                profiler.enable()
            bulk.apply_rows(kind=bulk.REGISTRATION, raw_rows=table.rows, seller=seller, actor=None,
                            reference="BENCH")
            if profiler:
                profiler.disable()
            applied = time.perf_counter()
            products = Product.objects.filter(seller=seller).count()
            skus = SKU.objects.filter(product__seller=seller).count()
            links = SKU.option_values.through.objects.filter(sku__product__seller=seller).count()
            print(f"{options.rows:,} rows → {products:,} products, {skus:,} SKUs, {links:,} SKU–value links")
            print(f"read {read - started:.2f}s  dry run {validated - read:.2f}s  apply {applied - validated:.2f}s  "
                  f"total {applied - started:.2f}s")
            raise Rollback
    except Rollback:
        pass
    print(f"load average after: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    if profiler:
        profiler.dump_stats(options.profile)
        stats = pstats.Stats(options.profile)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main()
