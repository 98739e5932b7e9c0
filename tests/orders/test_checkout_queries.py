"""The order POST writes what it must and reads back nothing it has just written (issue 14).

The profile (bench/profile_checkout.py --sql 3) showed the POST reading the address book, looking
for the token twice, taking a savepoint inside a savepoint, writing the three first status
records one by one and, after the commit, reading back the payment and the lines it had just
inserted to build the PG window. Each is asserted here on the statements the POST sends, and the
order it places is checked the same (window, status records, stock).
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import SKU
from core.models import StatusChange
from orders.forms import new_checkout_token
from orders.models import Order
from orders.payments.sandbox import SandboxPG
from tests.accounts.factories import UserFactory
from tests.orders.factories import make_product

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

CHECKOUT = {"recipient": "김구매", "phone": "010-1234-5678", "postcode": "06236", "address1": "서울 강남구 테헤란로 152",
            "payment_method": "card", "installment_months": "0", "agree": "on"}


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("statement shapes are PostgreSQL's")


def _post(client, sku, *, mode_now: bool):
    if mode_now:
        client.post("/cart/add/", {"sku": sku.pk, "quantity": 2, "action": "buy"})
        url = "/checkout/?mode=now"
    else:
        client.post("/cart/add/", {"sku": sku.pk, "quantity": 2})
        url = "/checkout/"
    data = {**CHECKOUT, "checkout_token": new_checkout_token(), **({"mode": "now"} if mode_now else {})}
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data)
    return response, [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("mode_now", [True, False], ids=["buy now", "from the cart"])
def test_the_order_post_reads_back_nothing_it_wrote(client, mode_now):
    shopper = UserFactory()
    _, (sku,) = make_product(stock=10, price=12900)
    client.force_login(shopper)

    response, statements = _post(client, sku, mode_now=mode_now)

    order = Order.objects.get(user=shopper)
    assert response.status_code == 302 and response["Location"].startswith("/pg-sandbox/pay/?token=")
    token = parse_qs(urlsplit(response["Location"]).query)["token"][0]
    window = SandboxPG.read_window_token(token)  # built from the payment and lines in hand
    assert window["order_id"] == order.number and window["amount"] == order.total_amount == 12900 * 2 + 3000
    assert window["order_name"] == order.lines.get().product_name and window["method"] == "card"
    assert SKU.objects.get(pk=sku.pk).stock_quantity == 8

    # The status records are the order transaction's last write (a test runs inside a transaction,
    # so there is no COMMIT to look for): from there on, nothing of the order is read back.
    placed = max(index for index, sql in enumerate(statements) if sql.startswith('INSERT INTO "core_statuschange"'))
    after = statements[placed + 1:]
    assert not any('FROM "orders_payment"' in sql or 'FROM "orders_orderline"' in sql for sql in after), after
    assert not any('FROM "accounts_address"' in sql for sql in statements)  # the form is not shown again
    assert sum('FROM "orders_order"' in sql and '"checkout_token"' in sql.split("WHERE", 1)[-1]
               for sql in statements) == 2  # place_order's own look, and again under the SKU locks
    # The order's, the line's and the payment's first status records: one INSERT, three rows.
    inserts = [sql for sql in statements if sql.startswith('INSERT INTO "core_statuschange"')]
    assert len(inserts) == 1
    assert StatusChange.objects.filter(reason="order placed").count() == 3
    assert set(StatusChange.objects.filter(reason="order placed").values_list("to_status", flat=True)) == {
        "awaiting", "pending_payment", "ready"}
    # place_order's savepoint, then straight to the SKU locks (``_place_order`` took a second one).
    lock = next(index for index, sql in enumerate(statements)
                if sql.startswith('SELECT') and 'FROM "catalog_sku"' in sql and "FOR UPDATE" in sql)
    assert statements[lock - 1].startswith("SAVEPOINT") and not statements[lock - 2].startswith("SAVEPOINT")
