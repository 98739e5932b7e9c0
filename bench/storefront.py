"""Storefront benchmark: 100,000 products on PostgreSQL, gunicorn, 16 keep-alive clients per page.

    .venv/bin/python bench/storefront.py [--duration 15] [--clients 16] [--workers 4 --threads 2]

Needs DATABASE_URL pointing at PostgreSQL (default postgres://postgres@127.0.0.1:5432/shop_bench).
Creates, migrates and seeds that database when needed (seeding only when it has fewer than
--products products), starts gunicorn on 127.0.0.1 with config.settings.bench, warms up, then
loads each page in turn for a fixed time and prints requests/s, latency percentiles and errors.
The figures also go to bench/results/<date>.txt. Traffic stays on loopback; every loop is
bounded in time and in count. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop_bench")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
HOST = "127.0.0.1"
MAX_REQUESTS_PER_PAGE = 500_000  # a bound besides the duration
# A 5 s sweep on this 2-core machine (bare view / product page, req/s): 2x4 497/56, 4x1 536/104,
# 4x2 1052/69, 6x2 754/62, 8x1 857/112. Noisy (the clients share the two cores), 4x2 kept.
WORKER_CHOICE = "measured: best bare-view rate of 2x4, 4x1, 4x2, 6x2, 8x1; override with --workers/--threads"


@dataclass
class Page:
    label: str
    paths: list[str]  # requests cycle through these (one path for most pages)
    queries: int | None = None


@dataclass
class Result:
    page: Page
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def requests_per_second(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index] * 1000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000, help="seed up to this many products")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of load per page")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of warm-up per page")
    parser.add_argument("--clients", type=int, default=16, help="concurrent keep-alive clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--port", type=int, default=8104)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--only", default="", help="run only the pages whose label contains this text")
    return parser.parse_args()


# --- database -------------------------------------------------------------------------------


def ensure_database() -> None:
    """Create the database named in DATABASE_URL when it does not exist yet."""
    import psycopg

    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    if not url.scheme.startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL (postgres://…)")
    name = url.path.lstrip("/")
    maintenance = urllib.parse.urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def migrate_and_seed(target: int, seed: int) -> None:
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True,
                   env={**os.environ})
    import django

    django.setup()
    from catalog.models import Product

    have = Product.objects.count()
    if have >= target:
        print(f"database has {have:,} products: no seeding")
        return
    print(f"database has {have:,} products: seeding {target - have:,} …", flush=True)
    started = time.monotonic()
    subprocess.run([sys.executable, "manage.py", "seed_demo", "--products", str(target - have), "--seed", str(seed)],
                   cwd=ROOT, check=True, env={**os.environ})
    print(f"seeding took {time.monotonic() - started:.0f} s", flush=True)


def pick_pages(seed: int) -> list[Page]:
    from django.db.models import Count
    from django.urls import reverse

    from catalog.models import Brand, Category, Product

    rng = random.Random(seed)
    visible = Product.objects.filter(status__in=Product.VISIBLE_STATUSES)
    level1 = Category.objects.filter(depth=0).order_by("position", "id").first()
    level3 = (Category.objects.filter(depth=2).annotate(n=Count("products")).order_by("-n", "id").first())
    brand = (Brand.objects.annotate(n=Count("products")).order_by("-n", "id").first())
    ids = list(visible.order_by("id").values_list("id", flat=True)[:: max(1, visible.count() // 2000)])
    product_paths = [reverse("shop:product", args=[pk]) for pk in rng.sample(ids, k=min(500, len(ids)))]
    search = reverse("shop:search")
    return [
        Page("bare view (1 query)", ["/bench/one-query/"]),
        Page(f"level-1 category ({level1.slug})", [reverse("shop:category", args=[level1.slug])]),
        Page(f"level-3 filtered, price sort ({level3.slug})",
             [reverse("shop:category", args=[level3.slug]) + "?price_min=10000&price_max=80000&in_stock=on"
              "&sort=price_asc"]),
        Page(f"category page 50 ({level1.slug})", [reverse("shop:category", args=[level1.slug]) + "?page=50"]),
        Page("search 니트", [search + "?" + urllib.parse.urlencode({"q": "니트"})]),
        Page(f"brand search {brand.name}", [search + "?" + urllib.parse.urlencode({"q": brand.name})]),
        Page(f"product page ({len(product_paths)} random ids)", product_paths),
    ]


def count_queries(pages: list[Page]) -> None:
    """SQL queries per page, once, through Django's test client (optional figure)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    client = Client()
    for page in pages:
        try:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(page.paths[0])
            page.queries = len(captured) if response.status_code == 200 else None
        except Exception as error:  # noqa: BLE001 - a broken page is reported, not fatal
            print(f"  query count failed for {page.label}: {error}")


# --- server ---------------------------------------------------------------------------------


def start_gunicorn(port: int, workers: int, threads: int) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).with_name("gunicorn")), "config.wsgi:application",
        "-b", f"{HOST}:{port}", "-w", str(workers), "--threads", str(threads),
        "--worker-class", "gthread" if threads > 1 else "sync", "--keep-alive", "30",
        "--chdir", str(ROOT), "--log-level", "warning",
    ]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.bench",
           "DB_POOL_MAX": str(max(4, threads + 2))}
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/bench/one-query/")
            if connection.getresponse().status == 200:
                connection.close()
                return process
        except OSError:
            time.sleep(0.3)
    stop_gunicorn(process)
    sys.exit("gunicorn did not answer within 30 s")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # its own session: the master and its workers only
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- load -----------------------------------------------------------------------------------


def load(page: Page, *, port: int, clients: int, seconds: float, rng_seed: int) -> Result:
    """``clients`` threads, each with one keep-alive connection, request the page until the deadline."""
    result = Result(page=page, seconds=seconds)
    lock = threading.Lock()
    budget = [MAX_REQUESTS_PER_PAGE]
    start_barrier = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        rng = random.Random(rng_seed * 1000 + index)
        latencies, errors, statuses = [], 0, {}
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        start_barrier.wait()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            with lock:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
            path = page.paths[0] if len(page.paths) == 1 else rng.choice(page.paths)
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Accept-Language": "ko"})
                response = connection.getresponse()
                response.read()
                statuses[response.status] = statuses.get(response.status, 0) + 1
                if response.status == 200:
                    latencies.append(time.perf_counter() - began)
                else:
                    errors += 1
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = http.client.HTTPConnection(HOST, port, timeout=30)
            except (OSError, http.client.HTTPException):
                errors += 1
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
        connection.close()
        with lock:
            result.latencies.extend(latencies)
            result.errors += errors
            for status, n in statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + n

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    start_barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    result.seconds = time.perf_counter() - began
    return result


def _pad(text: str, width: int) -> str:
    """Left-justify by display width: Hangul takes two terminal columns."""
    import unicodedata

    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - shown)


def table(results: list[Result]) -> str:
    header = f"{'page':<46} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'queries':>8}"
    lines = [header, "-" * len(header)]
    for r in results:
        queries = "-" if r.page.queries is None else str(r.page.queries)
        lines.append(f"{_pad(r.page.label[:44], 46)} {r.requests_per_second:>8.1f} {r.percentile(50):>8.1f} "
                     f"{r.percentile(95):>8.1f} {r.percentile(99):>8.1f} {r.errors:>7} {queries:>8}")
        odd = {s: n for s, n in r.statuses.items() if s != 200}
        if odd:
            lines.append(f"{'':<46} non-200 statuses: {odd}")
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    ensure_database()
    migrate_and_seed(args.products, args.seed)
    pages = [page for page in pick_pages(args.seed) if args.only in page.label]
    count_queries(pages)
    from django.db import connections

    connections.close_all()
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True,
                   env={**os.environ})
    print(f"gunicorn: {args.workers} workers x {args.threads} threads ({WORKER_CHOICE}); "
          f"{args.clients} clients, {args.duration:g} s per page", flush=True)
    server = start_gunicorn(args.port, args.workers, args.threads)
    results = []
    try:
        for page in pages:  # warm-up: every worker imports, connects, fills its caches
            load(page, port=args.port, clients=args.clients, seconds=args.warmup, rng_seed=args.seed)
        for page in pages:
            result = load(page, port=args.port, clients=args.clients, seconds=args.duration, rng_seed=args.seed)
            results.append(result)
            print(f"  {page.label}: {result.requests_per_second:.1f} req/s", flush=True)
    finally:
        stop_gunicorn(server)
    report = "\n".join([
        f"Storefront benchmark {datetime.now():%Y-%m-%d %H:%M}",
        f"database {urllib.parse.urlsplit(os.environ['DATABASE_URL']).path.lstrip('/')}, "
        f"{args.products:,} products; gunicorn {args.workers}x{args.threads} (gthread) on {HOST}:{args.port}; "
        f"{args.clients} keep-alive clients (http.client, threads, same machine), {args.duration:g} s per page; "
        f"{os.cpu_count()} CPUs",
        "",
        table(results),
        "",
    ])
    print()
    print(report)
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    out_file = out_dir / f"{datetime.now():%Y-%m-%d_%H%M}.txt"
    out_file.write_text(report, encoding="utf-8")
    print(f"written to {out_file.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
