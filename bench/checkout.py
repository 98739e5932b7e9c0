"""Checkout benchmark: orders placed and paid per second through HTTP, 16 concurrent shoppers.

    .venv/bin/python bench/checkout.py [--duration 30] [--clients 16] [--workers 4 --threads 2]

Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/shop_bench_checkout).
Seeds a small catalog when empty, gives every SKU plenty of stock, creates one shopper per client,
starts gunicorn (config.settings.bench) and lets each client loop, as a browser would, through:
product "buy now" → checkout form → place order (POST) → the sandbox PG window → approve →
the success redirect (server-side confirm) → order complete. It prints orders per second, the
share of failed orders and requests, and latency percentiles of the order POST and the whole
purchase. Traffic stays on loopback; the loop is bounded in time and count. Not a test.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop_bench_checkout")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
# Services mode, as in production: tasks (messages, callbacks) are queued in Redis for a worker
# rather than run inside the request. No worker runs here; the queue is emptied at the end.
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")

from bench.storefront import HOST, ensure_database, start_gunicorn, stop_gunicorn  # noqa: E402

PASSWORD = "bench-pass-1234!"
MAX_ORDERS_PER_CLIENT = 100_000


def prepare(clients: int) -> list[int]:
    import subprocess

    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True)
    import django

    django.setup()
    from accounts.models import User
    from catalog.models import SKU, Product

    if Product.objects.count() < 200:
        subprocess.run([sys.executable, "manage.py", "seed_demo", "--products", "400", "--no-images"], cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL)
    SKU.objects.update(stock_quantity=1_000_000, is_active=True)
    for i in range(clients):
        email = f"bench-shopper-{i}@example.com"
        if not User.objects.filter(email=email).exists():
            User.objects.create_user(email=email, password=PASSWORD, name=f"벤치{i}", phone="010-1234-5678")
    return list(SKU.objects.filter(product__status=Product.Status.ON_SALE, product__seller__status="active")
                .values_list("pk", flat=True)[:300])


class Shopper:
    def __init__(self, base: str, index: int):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.email = f"bench-shopper-{index}@example.com"
        self.requests = 0
        self.failed_requests = 0

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def open(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        self.requests += 1
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        url = path if path.startswith("http") else self.base + path
        try:
            with self.opener.open(urllib.request.Request(url, data=body), timeout=30) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as exc:
            self.failed_requests += 1
            return exc.code, url, ""
        except OSError:
            self.failed_requests += 1
            return 0, url, ""

    def login(self) -> None:
        self.open("/accounts/login/")
        status, url, _ = self.open("/accounts/login/", {"username": self.email, "password": PASSWORD,
                                                        "csrfmiddlewaretoken": self.csrf()})
        if "/accounts/login/" in url:
            raise SystemExit(f"login failed for {self.email}")

    def buy(self, sku_id: int) -> tuple[bool, float]:
        """One purchase; returns (ok, seconds the order POST took)."""
        # buy now → the checkout form (its one-time token: a POST without it places nothing) → pay
        status, url, html = self.open("/cart/add/", {"sku": sku_id, "quantity": 1, "action": "buy",
                                                     "csrfmiddlewaretoken": self.csrf()})
        checkout_token = re.search(r'name="checkout_token" value="([^"]+)"', html)
        if status != 200 or not checkout_token:
            return False, 0.0
        started = time.perf_counter()
        status, url, html = self.open("/checkout/?mode=now", {
            "mode": "now", "recipient": "김벤치", "phone": "010-1234-5678", "postcode": "06236",
            "address1": "서울 강남구 테헤란로 152", "payment_method": "card", "installment_months": "0",
            "agree": "on", "checkout_token": checkout_token.group(1), "csrfmiddlewaretoken": self.csrf()})
        order_seconds = time.perf_counter() - started
        if status != 200 or "/pg-sandbox/pay/" not in url:
            return False, order_seconds
        token = re.search(r'name="token" value="([^"]+)"', html)
        if not token:
            return False, order_seconds
        status, url, _ = self.open("/pg-sandbox/pay/", {"token": token.group(1), "decision": "approve",
                                                        "card_company": "신한카드", "installment_months": "0",
                                                        "csrfmiddlewaretoken": self.csrf()})
        return status == 200 and url.endswith("/complete/"), order_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=8311)
    args = parser.parse_args()

    ensure_database()
    sku_ids = prepare(args.clients)
    from orders.models import Order

    orders_before = Order.objects.filter(payment_status=Order.PaymentStatus.PAID).count()
    server = start_gunicorn(args.port, args.workers, args.threads)
    base = f"http://{HOST}:{args.port}"
    shoppers = [Shopper(base, i) for i in range(args.clients)]
    for shopper in shoppers:
        shopper.login()
    results: list[tuple[bool, float, float]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + args.duration

    def run(shopper: Shopper, seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(MAX_ORDERS_PER_CLIENT):
            if time.monotonic() >= deadline:
                return
            started = time.perf_counter()
            ok, order_seconds = shopper.buy(rng.choice(sku_ids))
            with lock:
                results.append((ok, order_seconds, time.perf_counter() - started))

    print(f"{args.clients} shoppers, {args.duration:.0f} s, gunicorn -w {args.workers} --threads {args.threads}, "
          f"2 cores", flush=True)
    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(s, i)) for i, s in enumerate(shoppers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    stop_gunicorn(server)
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()

    ok = [r for r in results if r[0]]
    paid = Order.objects.filter(payment_status=Order.PaymentStatus.PAID).count() - orders_before
    requests = sum(s.requests for s in shoppers)
    failed_requests = sum(s.failed_requests for s in shoppers)

    def pct(values, p):
        values = sorted(values)
        return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000 if values else float("nan")

    order_posts = [r[1] for r in results]
    purchases = [r[2] for r in ok]
    print(f"purchases attempted      {len(results):>8}")
    print(f"purchases completed      {len(ok):>8}   (orders paid in the database: {paid})")
    print(f"orders per second        {len(ok) / elapsed:>8.1f}")
    print(f"failed purchases         {100 * (len(results) - len(ok)) / max(1, len(results)):>7.2f} %")
    print(f"HTTP requests            {requests:>8}   failed {100 * failed_requests / max(1, requests):.2f} %")
    print(f"order POST latency ms    p50 {pct(order_posts, 50):.0f}  p95 {pct(order_posts, 95):.0f}  "
          f"p99 {pct(order_posts, 99):.0f}")
    print(f"whole purchase ms        p50 {pct(purchases, 50):.0f}  p95 {pct(purchases, 95):.0f}  "
          f"p99 {pct(purchases, 99):.0f}  mean {statistics.mean(purchases) * 1000 if purchases else 0:.0f}")


if __name__ == "__main__":
    main()
