"""Issue 9: the console's partial searches are answered by indexes on PostgreSQL, not by scans.

A test table is small, so the planner would scan it anyway: full scans are switched off for the
EXPLAIN, which then shows whether an index *can* answer each query shape.
"""

import pytest
from django.db import connection

from orders.selectors import search_console_lines

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _plan(queryset) -> str:
    sql, params = queryset[:50].query.sql_with_params()
    with connection.cursor() as cursor:
        # Neither a sequential scan nor its disguise, a full walk of the primary key's index:
        # only bitmap scans with a condition are left, so the plan names the index that can help.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(("search", "index"), [
    ({"phone": "5678"}, "order_orderer_phone_last4"),
    ({"phone": "5678"}, "order_recipient_phone_last4"),
    ({"name": "김"}, "order_orderer_name_prefix"),
    ({"name": "김"}, "order_recipient_prefix"),
    ({"name": "길동"}, "order_orderer_name_suffix"),
    ({"name": "길동"}, "order_recipient_suffix"),
    ({"number": "1130-0001"}, "order_number_trgm"),
    ({"number": "20261130-000123"}, "orders_order_number"),  # whole: the unique index
])
def test_each_partial_search_can_use_its_index(search, index):
    from tests.orders.test_views_console import paid_orders

    paid_orders(3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order")
    plan = _plan(search_console_lines(**search))
    assert index in plan, plan


@pytest.mark.parametrize("index", ["order_orderer_name_trgm", "order_recipient_trgm"])
def test_a_name_part_of_three_letters_looks_the_orders_up_by_their_trigram_indexes(index):
    from orders.selectors import orders_matching_name
    from tests.orders.test_views_console import paid_orders

    paid_orders(3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order")
    assert index in _plan(orders_matching_name("홍길동")), _plan(orders_matching_name("홍길동"))


def test_a_name_part_finds_the_recipient_too_and_the_plan_uses_both_trigram_indexes_without_a_scan():
    """CS searches 주문자/수령자 alike: an order placed by 박서연 for 홍길동 is found by "홍길동" and by
    the last 4 digits of the recipient's phone; the plan ORs the two trigram indexes (no scan of orders)."""
    from orders.models import Order
    from tests.orders.test_views_console import paid_orders

    lines = paid_orders(3)
    gift = lines[0].order
    Order.objects.filter(pk=gift.pk).update(orderer_name="박서연", recipient="홍길동", orderer_phone="010-1111-2222",
                                            recipient_phone="010-3333-9876")
    Order.objects.exclude(pk=gift.pk).update(recipient="이수아", recipient_phone="010-5555-4444")
    assert {line.order_id for line in search_console_lines(name="홍길동")} == {gift.pk}
    assert {line.order_id for line in search_console_lines(name="길동")} == {gift.pk}
    assert {line.order_id for line in search_console_lines(phone="9876")} == {gift.pk}
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order")
    from orders.selectors import orders_matching_name

    plan = _plan(orders_matching_name("홍길동"))
    assert "BitmapOr" in plan and "order_orderer_name_trgm" in plan and "order_recipient_trgm" in plan, plan
    # The lines are then read by their orders' ids: no join to the name, no trigram in the line query.
    lines_sql = str(search_console_lines(name="홍길동").query)
    assert "orderer_name" not in lines_sql.split("WHERE", 1)[1] and "order_id\" IN (" in lines_sql


def test_a_common_name_part_past_the_cap_finds_the_same_lines_through_the_join(monkeypatch):
    from orders import selectors
    from orders.models import Order
    from tests.orders.test_views_console import paid_orders

    paid_orders(4)
    Order.objects.update(orderer_name="김민준")
    expected = [line.pk for line in search_console_lines(name="김민준")]
    assert len(expected) == 4
    monkeypatch.setattr(selectors, "NAME_MATCH_ORDER_CAP", 2)  # 4 orders match: more than the cap
    assert [line.pk for line in search_console_lines(name="김민준")] == expected
