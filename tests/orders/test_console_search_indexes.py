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
    ({"name": "김"}, "order_orderer_name_prefix"),
    ({"name": "길동"}, "order_orderer_name_suffix"),
    ({"name": "홍길동"}, "order_orderer_name_trgm"),
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
