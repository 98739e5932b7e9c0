"""Funnel recording benchmark: what recording costs a request, how fast the batch writer drains
the buffer into PostgreSQL, and a page with recording on against the same page with it off.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shop_h13 REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python bench/events.py [--requests 3000] [--events 50000] [--page-requests 300]

Needs a migrated database (any data; the page test uses the home page as it is) and Redis for
the buffer figures (without REDIS_URL it measures the embedded mode's plain insert instead).
The rows it writes carry a "bench" visitor id and are deleted at the end. Not a test: it prints
figures. Every loop is bounded in count.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, RequestFactory, override_settings  # noqa: E402

from marketing.funnel import recorder  # noqa: E402
from marketing.funnel.middleware import FunnelMiddleware  # noqa: E402
from marketing.funnel.writer import flush_buffer, write_records  # noqa: E402
from marketing.models import Event, Visit  # noqa: E402

AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
BENCH_VISITOR = "bench" + "0" * 19


def _html_view(request):
    return HttpResponse("<html><body>ok</body></html>", content_type="text/html; charset=utf-8")


def recording_cost(requests: int) -> tuple[float, float]:
    """Microseconds per request through the middleware with recording on and off (a trivial view,
    so the difference is the recording itself: cookies, records, the buffer push)."""
    factory = RequestFactory()
    middleware = FunnelMiddleware(_html_view)

    def run(enabled: bool) -> float:
        with override_settings(FUNNEL_ENABLED=enabled):
            timings = []
            for index in range(requests):
                request = factory.get(f"/?utm_source=bench&n={index % 50}", HTTP_USER_AGENT=AGENT)
                request.COOKIES["mo_vid"] = BENCH_VISITOR
                started = time.perf_counter()
                middleware(request)
                timings.append(time.perf_counter() - started)
            return statistics.median(timings) * 1e6

    run(True)  # warm up the Redis connection and imports
    on, off = run(True), run(False)
    return on, off


def writer_throughput(events: int) -> tuple[int, float]:
    """Events/s written from the Redis buffer into the database by the batch writer."""
    stamp = time.time()
    records = []
    for index in range(events):
        session = f"b{index // 10:023d}"
        if index % 10 == 0:
            records.append({"kind": "visit", "session_id": session, "visitor_id": BENCH_VISITOR, "at": stamp,
                            "source": "bench", "device": "mobile"})
        records.append({"kind": "event", "name": "page_view", "session_id": session, "visitor_id": BENCH_VISITOR,
                        "at": stamp, "path": "/bench/"})
    if recorder.buffer_mode() == "redis":
        client = recorder.redis_client()
        client.delete(recorder.BUFFER_KEY)
        for start in range(0, len(records), 5000):
            recorder.push(records[start:start + 5000])  # straight into Redis, as the pusher thread does
        started = time.perf_counter()
        written = flush_buffer(batch_size=5000, max_batches=10_000)
    else:
        started = time.perf_counter()
        for start in range(0, len(records), 5000):
            write_records(records[start:start + 5000])
        written = len(records)
    return written, time.perf_counter() - started


def page_on_off(page_requests: int) -> tuple[float, float]:
    """Median ms of the home page with recording on and off, alternating request by request (so
    both see the same machine load; this host is shared), in-process client, warm caches."""
    client_on, client_off = Client(HTTP_USER_AGENT=AGENT), Client(HTTP_USER_AGENT=AGENT)
    timings = {True: [], False: []}
    for enabled, client in ((True, client_on), (False, client_off)):
        with override_settings(FUNNEL_ENABLED=enabled):
            for _warm in range(5):
                client.get("/")
    for _request in range(page_requests):
        for enabled, client in ((True, client_on), (False, client_off)):
            with override_settings(FUNNEL_ENABLED=enabled):
                started = time.perf_counter()
                response = client.get("/")
                timings[enabled].append(time.perf_counter() - started)
            assert response.status_code == 200
    recorder.drain()
    return statistics.median(timings[True]) * 1000, statistics.median(timings[False]) * 1000


def cleanup() -> None:
    Event.objects.filter(visitor_id=BENCH_VISITOR).delete()
    Visit.objects.filter(visitor_id=BENCH_VISITOR).delete()
    if recorder.buffer_mode() == "redis":
        flush_buffer()
        Event.objects.filter(visitor_id=BENCH_VISITOR).delete()
        Visit.objects.filter(visitor_id=BENCH_VISITOR).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--page-requests", type=int, default=300)
    options = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} · "
          f"buffer: {recorder.buffer_mode()}")
    try:
        on, off = recording_cost(options.requests)
        print(f"middleware, trivial view, median per request: recording on {on:.0f} µs, off {off:.0f} µs "
              f"→ recording costs {on - off:.0f} µs ({options.requests} requests)")
        written, seconds = writer_throughput(options.events)
        print(f"batch writer: {written:,} records in {seconds:.2f} s → {written / seconds:,.0f} records/s "
              f"into the database")
        page_on, page_off = page_on_off(options.page_requests)
        print(f"home page, median of {options.page_requests} requests each: on {page_on:.2f} ms, "
              f"off {page_off:.2f} ms → {100 * (page_on - page_off) / page_off:+.1f}%")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
