"""Issue 9: a dispatch delay (발송지연) for many lines at once from the console, bounded by the setting,
through the bulk machinery (a page of ticked lines, or every line of a search in Celery with a
report per line); the shopper hears once per order, not once per line (point 11)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import OutboxMessage
from orders.models import BulkLineJob, BulkLineResult, OrderLine
from tests.orders.test_console_order_work import _operator, big_order
from tests.orders.test_views_console import LIST

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
S = OrderLine.Status


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def _delayed(line_ids) -> dict[int, tuple]:
    return {line.pk: (line.ship_by_date, line.delay_reason, line.delay_note)
            for line in OrderLine.objects.filter(pk__in=line_ids)}


def test_ticked_lines_of_two_orders_are_delayed_together_and_each_order_hears_once(client):
    first, second = big_order(3), big_order(2)
    lines = list(OrderLine.objects.filter(order__in=[first, second]).order_by("id"))
    OrderLine.objects.filter(pk__in=[line.pk for line in lines if line.order_id == second.pk]).update(
        status=S.PREPARING)
    shipped = lines[0]
    OrderLine.objects.filter(pk=shipped.pk).update(status=S.SHIPPING)  # cannot be delayed any more
    _operator(client)
    new_date = timezone.localdate() + timedelta(days=7)

    page = client.get(LIST, {"status": "paid"}).content.decode()
    assert 'value="delay"' in page and 'name="new_ship_by"' in page

    client.post("/console/orders/bulk/", {
        "action": "delay", "lines": [line.pk for line in lines], "new_ship_by": new_date.isoformat(),
        "delay_reason": "restocking", "delay_note": "원단 입고 지연", "next": LIST})

    after = _delayed([line.pk for line in lines])
    assert [after[line.pk] for line in lines[1:]] == [(new_date, "restocking", "원단 입고 지연")] * 4
    assert after[shipped.pk][1] == ""  # refused: already shipping
    delayed = OutboxMessage.objects.filter(event="line.delayed", channel="email")
    assert sorted(delayed.values_list("subject_id", flat=True)) == sorted([first.pk, second.pk])  # not 4
    assert OutboxMessage.objects.filter(event="line.delayed", channel="alimtalk").count() == 2


@pytest.mark.parametrize("days", [0, 31])
def test_a_bulk_delay_outside_the_bounds_changes_nothing(client, settings, days):
    settings.DISPATCH_DELAY_MAX_DAYS = 30
    order = big_order(2)
    line_ids = list(order.lines.values_list("pk", flat=True))
    before = _delayed(line_ids)
    _operator(client)
    response = client.post("/console/orders/bulk/", {
        "action": "delay", "lines": line_ids, "delay_reason": "preparing",
        "new_ship_by": (timezone.localdate() + timedelta(days=days)).isoformat(), "next": LIST}, follow=True)
    assert _delayed(line_ids) == before and not OutboxMessage.objects.filter(event="line.delayed").exists()
    assert any("date" in str(message) for message in response.context["messages"])


def test_a_bulk_delay_without_a_reason_changes_nothing(client):
    order = big_order(2)
    line_ids = list(order.lines.values_list("pk", flat=True))
    _operator(client)
    client.post("/console/orders/bulk/", {"action": "delay", "lines": line_ids, "next": LIST,
                                          "new_ship_by": (timezone.localdate() + timedelta(days=3)).isoformat()})
    assert {reason for _date, reason, _note in _delayed(line_ids).values()} == {""}


def test_select_all_results_delays_every_line_of_the_search_in_the_background(client):
    orders = [big_order(20) for _ in range(3)]  # 60 paid lines: more than a page
    lines = list(OrderLine.objects.filter(order__in=orders).order_by("id"))
    operator = _operator(client)
    page = client.get(LIST, {"status": "paid"})
    assert ("delay", "Delay dispatch") in [(key, str(label)) for key, label in page.context["job_actions"]]
    new_date = timezone.localdate() + timedelta(days=10)

    refused = client.post("/console/orders/bulk/jobs/", {
        "action": "delay", "query": page.context["search_query"], "expected": 60,
        "new_ship_by": (timezone.localdate() + timedelta(days=90)).isoformat(), "delay_reason": "preparing"})
    assert refused.status_code == 302 and not BulkLineJob.objects.exists()  # out of bounds: no job

    client.post("/console/orders/bulk/jobs/", {
        "action": "delay", "query": page.context["search_query"], "expected": 60,
        "new_ship_by": new_date.isoformat(), "delay_reason": "made_to_order", "delay_note": "주문 제작"})

    job = BulkLineJob.objects.get()
    assert (job.owner, job.status, job.total, job.succeeded, job.refused) == (operator, "done", 60, 60, 0)
    assert job.params == {"new_ship_by": new_date.isoformat(), "reason_code": "made_to_order", "note": "주문 제작"}
    assert set(_delayed([line.pk for line in lines]).values()) == {(new_date, "made_to_order", "주문 제작")}
    assert BulkLineResult.objects.filter(job=job, ok=True).count() == 60
    assert OutboxMessage.objects.filter(event="line.delayed", channel="email").count() == 3  # one per order
