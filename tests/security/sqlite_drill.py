"""Several people at once on the embedded shop's SQLite file (run by test_sqlite_concurrency.py in
a subprocess, with the embedded settings and a fresh database file).

20 threads, each with its own connection: shoppers add to the cart and check out, operators post
memos and acknowledge lines in the console, all at once. Prints one JSON line: requests made,
errors (5xx answers or exceptions, with their text), orders placed.
"""

import json
import os
import sys
import threading
from collections import Counter

import django

THREADS = int(os.environ.get("DRILL_THREADS", "20"))
ROUNDS = int(os.environ.get("DRILL_ROUNDS", "4"))
CHECKOUT = {"recipient": "김구매", "phone": "010-1234-5678", "postcode": "06236", "address1": "서울 강남구 테헤란로 152",
            "address2": "12층", "payment_method": "card", "installment_months": "0", "agree": "on"}


def main() -> None:
    sys.path.insert(0, os.getcwd())
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    journal_mode = connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]

    from orders.models import Order
    from orders.services import place_order
    from tests.accounts.factories import OperatorFactory, UserFactory
    from tests.orders.factories import DELIVERY, make_product
    from tests.orders.helpers import pay

    _, skus = make_product(stock=10_000, price=12900)
    sku = skus[0]
    operator = OperatorFactory(groups=["fulfilment"])
    paid_lines = []
    for _ in range(THREADS):
        order = place_order(user=UserFactory(), items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
        pay(order)
        paid_lines.append((order.number, order.lines.get().pk))
    orders_before = Order.objects.count()

    clients = []
    for index in range(THREADS):
        client = Client()
        client.force_login(operator if index % 4 == 0 else UserFactory())
        clients.append(client)
    connection.close()

    statuses: Counter = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def record(kind: str, response=None, exc: BaseException | None = None) -> None:
        with lock:
            if exc is not None:
                errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            else:
                statuses[response.status_code] += 1
                if response.status_code >= 500:
                    errors.append(f"{kind}: HTTP {response.status_code}")

    def send(client: Client, kind: str, method: str, url: str, data: dict | None = None) -> None:
        try:
            response = client.post(url, data) if method == "post" else client.get(url)
        except Exception as exc:  # an error the shop let through counts, whatever it is
            record(kind, exc=exc)
        else:
            record(kind, response)

    from orders.forms import new_checkout_token

    def shopper(client: Client) -> None:
        for _ in range(ROUNDS):
            send(client, "cart", "post", "/cart/add/", {"sku": sku.pk, "quantity": 1})
            # Each checkout is a new one: its one-time token, as the checkout form would carry it.
            send(client, "checkout", "post", "/checkout/", {**CHECKOUT, "checkout_token": new_checkout_token()})
            send(client, "cart-page", "get", "/cart/")

    def console(client: Client, index: int) -> None:
        for round_number in range(ROUNDS):
            number, line_id = paid_lines[(index + round_number) % len(paid_lines)]
            send(client, "memo", "post", f"/console/orders/{number}/memo/", {"body": f"통화 {round_number}"})
            send(client, "acknowledge", "post", "/console/orders/bulk/", {"action": "acknowledge", "lines": [line_id]})
            send(client, "console-list", "get", "/console/orders/")

    def run(index: int) -> None:
        try:
            start.wait()
            if index % 4 == 0:
                console(clients[index], index)
            else:
                shopper(clients[index])
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"journal_mode": journal_mode, "requests": sum(statuses.values()) + len(errors),
                      "statuses": dict(statuses), "errors": errors[:20], "error_count": len(errors),
                      "orders_placed": Order.objects.count() - orders_before}))


if __name__ == "__main__":
    main()
