"""Issue 9, the console's order work and point 11 (messages per order and event), from the
operator's side: the pages and forms an operator uses, in the order they use them."""

import csv
import io
import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.services import OptionSpec
from core.models import OutboxMessage, StatusChange
from orders.models import BulkLineJob, BulkLineResult, Courier, Order, OrderLine
from orders.services import place_order
from orders.services.fulfilment import register_delay
from orders.tracking import sync_deliveries
from tests.accounts.factories import PASSWORD, OperatorFactory, UserFactory
from tests.orders.factories import DELIVERY, make_product
from tests.orders.helpers import pay
from tests.orders.test_views_console import LIST, paid_orders, texts

S = OrderLine.Status


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def _operator(client, *groups):
    operator = OperatorFactory(groups=list(groups or ["fulfilment"]))
    client.force_login(operator)
    return operator


def big_order(line_count: int, *, shopper=None) -> Order:
    """One paid order of ``line_count`` lines (one SKU each)."""
    _, skus = make_product(stock=10, options=[OptionSpec(name="사이즈", values=[f"{size}" for size in
                                                                               range(200, 200 + line_count)])])
    order = place_order(user=shopper or UserFactory(), items=[(sku.pk, 1) for sku in skus], delivery=DELIVERY,
                        payment_method="card")
    pay(order)
    return order


def ready_to_ship(lines, *, one_waybill_each=True):
    courier = Courier.objects.get(code="cj")
    for line in lines:
        number = f"5{line.pk:011d}" if one_waybill_each else f"4{line.order_id:011d}"
        OrderLine.objects.filter(pk=line.pk).update(status=S.READY_TO_SHIP, courier=courier, waybill_number=number)


# --- 전체 tab, tabs that add up ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_all_tab_answers_and_applies_the_search(client):
    first, second, third = paid_orders(3)
    # Each shopper ships to themselves (a name part is looked up in the recipient too).
    Order.objects.filter(pk=first.order_id).update(orderer_name="김하나", recipient="김하나")
    Order.objects.filter(pk=second.order_id).update(orderer_name="김두리", recipient="김두리")
    Order.objects.filter(pk=third.order_id).update(orderer_name="박셋", recipient="박셋")
    OrderLine.objects.filter(pk=second.pk).update(status=S.CANCELLED)
    _operator(client)
    response = client.get(LIST, {"status": "all"})
    assert response.status_code == 200 and response.context["status"] == "all"
    searched = client.get(LIST, {"status": "all", "name": "김"})
    assert searched.status_code == 200
    assert {line.pk for line in searched.context["rows"]} == {first.pk, second.pk}  # the cancelled one too
    assert searched.context["status"] == "all"


@pytest.mark.django_db
def test_every_status_has_a_tab_and_the_tabs_add_up_to_all(client):
    lines = paid_orders(6)
    for line, status in zip(lines, [S.CANCELLED, S.RETURNED, S.EXCHANGED, S.CONFIRMED, S.SHIPPING, S.PAID],
                            strict=True):
        OrderLine.objects.filter(pk=line.pk).update(status=status)
    _operator(client)
    tabs = {key: count for key, _label, count in client.get(LIST).context["tabs"]}
    assert {"cancelled", "returned", "exchanged"} <= set(tabs)
    assert sum(count for key, count in tabs.items() if key != "all") == tabs["all"] == 6
    assert (tabs["cancelled"], tabs["returned"], tabs["exchanged"]) == (1, 1, 1)
    returned = client.get(LIST, {"status": "returned"})
    assert [line.pk for line in returned.context["rows"]] == [lines[1].pk]


@pytest.mark.korean
@pytest.mark.django_db
def test_the_tabs_read_as_korean_operators_expect(client):
    paid_orders(1)
    _operator(client)
    from django.utils import translation

    with translation.override("ko"):
        html = client.get(LIST).content.decode()
    for label in ("전체", "취소완료", "반품완료", "교환완료", "결제완료"):
        assert label in html


# --- Partial search through the page -------------------------------------------------------


@pytest.mark.django_db
def test_the_search_form_finds_by_last_four_digits_and_part_of_a_name(client):
    first, second = paid_orders(2)
    Order.objects.filter(pk=first.order_id).update(orderer_name="김하나", orderer_phone="010-1111-2222")
    Order.objects.filter(pk=second.order_id).update(orderer_name="박둘", orderer_phone="010-3333-4444")
    _operator(client)
    assert [line.pk for line in client.get(LIST, {"phone": "2222"}).context["rows"]] == [first.pk]
    assert [line.pk for line in client.get(LIST, {"name": "하나"}).context["rows"]] == [first.pk]
    number = Order.objects.get(pk=second.order_id).number
    assert [line.pk for line in client.get(LIST, {"number": number[-6:]}).context["rows"]] == [second.pk]
    too_short = client.get(LIST, {"phone": "22"})
    assert too_short.status_code == 400 and "phone" in too_short.context["form"].errors


# --- Point 11: one message per order and event ----------------------------------------------


@pytest.mark.django_db
def test_shipping_a_50_line_order_sends_one_message_per_channel(client):
    order = big_order(50)
    lines = list(order.lines.order_by("id"))
    ready_to_ship(lines)  # each line its own parcel: the old code sent one message per line
    _operator(client)
    response = client.post("/console/orders/bulk/", {"action": "ship", "lines": [line.pk for line in lines],
                                                     "next": LIST})
    assert response.status_code == 302
    assert set(OrderLine.objects.filter(order=order).values_list("status", flat=True)) == {S.SHIPPING}
    shipped = OutboxMessage.objects.filter(event="line.shipped")
    assert sorted(shipped.values_list("channel", flat=True)) == ["alimtalk", "email"]
    mail = shipped.get(channel="email").body
    assert all(line.waybill_number and f"wblNo=5{line.pk:011d}" in mail for line in
               OrderLine.objects.filter(order=order))


@pytest.mark.django_db
def test_a_bulk_move_over_two_orders_tells_each_order_once(client):
    first, second = big_order(3), big_order(4)
    lines = list(OrderLine.objects.filter(order__in=[first, second]))
    ready_to_ship(lines, one_waybill_each=False)
    OrderLine.objects.filter(pk__in=[line.pk for line in lines]).update(status=S.SHIPPING, shipped_at=timezone.now())
    _operator(client)
    client.post("/console/orders/bulk/", {"action": "deliver", "lines": [line.pk for line in lines], "next": LIST})
    delivered = OutboxMessage.objects.filter(event="line.delivered", channel="email")
    assert sorted(delivered.values_list("subject_id", flat=True)) == sorted([first.pk, second.pk])


@pytest.mark.django_db
def test_the_courier_tracker_tells_each_order_once(settings):
    order = big_order(5)
    lines = list(order.lines.all())
    ready_to_ship(lines, one_waybill_each=True)
    OrderLine.objects.filter(order=order).update(status=S.SHIPPING, shipped_at=timezone.now() - timedelta(days=2))
    assert sync_deliveries() == 5
    assert OutboxMessage.objects.filter(event="line.delivered").count() == 2  # mail and 알림톡, once


# --- "Select all N results" in Celery ---------------------------------------------------------


@pytest.mark.django_db
def test_select_all_results_runs_in_the_background_with_a_report_per_line(client):
    orders = [big_order(20) for _ in range(3)]  # 60 lines, more than a page of 50
    lines = list(OrderLine.objects.filter(order__in=orders).order_by("id"))
    ready_to_ship(lines)
    OrderLine.objects.filter(pk=lines[0].pk).update(waybill_number="")  # this one cannot ship
    operator = _operator(client)
    page = client.get(LIST, {"status": "ready_to_ship"})
    assert page.context["page"].paginator.count == 60 and len(page.context["rows"]) == 50
    assert ("ship", "Mark shipped") in [(key, str(label)) for key, label in page.context["job_actions"]]
    query = page.context["search_query"]
    assert "lines" not in query  # the search travels, not the ids

    response = client.post("/console/orders/bulk/jobs/", {"action": "ship", "query": query, "expected": 60})
    job = BulkLineJob.objects.get()
    assert response["Location"] == f"/console/orders/bulk/jobs/{job.pk}/"
    assert (job.owner, job.status, job.total, job.done, job.succeeded, job.refused) == (
        operator, "done", 60, 60, 59, 1)
    assert OrderLine.objects.filter(pk__in=[line.pk for line in lines], status=S.SHIPPING).count() == 59
    assert OutboxMessage.objects.filter(event="line.shipped", channel="email").count() == 3  # one per order
    refused = BulkLineResult.objects.get(job=job, ok=False)
    assert refused.line_id == lines[0].pk and "waybill" in refused.message

    report = client.get(f"/console/orders/bulk/jobs/{job.pk}/")
    html = report.content.decode()
    assert report.status_code == 200 and lines[0].order.number in html and refused.message in html
    progress = client.get(f"/console/orders/bulk/jobs/{job.pk}/progress.json").json()
    assert (progress["finished"], progress["done"], progress["total"], progress["percent"]) == (True, 60, 60, 100)
    rows = list(csv.reader(io.StringIO(client.get(f"/console/orders/bulk/jobs/{job.pk}/report.csv")
                                       .content.decode("utf-8-sig"))))
    assert len(rows) == 61 and {row[0] for row in rows[1:]} == {str(line.pk) for line in lines}


@pytest.mark.django_db
def test_a_bulk_job_runs_once_and_is_the_owners_alone(client):
    orders = [big_order(2) for _ in range(2)]
    ready_to_ship(list(OrderLine.objects.filter(order__in=orders)))
    _operator(client)
    client.post("/console/orders/bulk/jobs/", {"action": "ship", "query": "status=ready_to_ship", "expected": 4})
    job = BulkLineJob.objects.get()
    from orders.services.bulk import run_bulk_job

    changes = StatusChange.objects.count()
    run_bulk_job(job_id=job.pk)  # the task delivered again
    job.refresh_from_db()
    assert (job.done, job.succeeded) == (4, 4) and StatusChange.objects.count() == changes
    _operator(client)  # another operator
    assert client.get(f"/console/orders/bulk/jobs/{job.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_job_with_nothing_to_do_is_refused_and_more_than_a_thousand_ids_never_post(client):
    paid_orders(1)
    _operator(client)
    response = client.post("/console/orders/bulk/jobs/", {"action": "ship", "query": "status=paid", "expected": 1})
    assert not BulkLineJob.objects.exists() and response.status_code == 302
    assert any("No line" in text for text in texts(response))
    too_many = client.post("/console/orders/bulk/", {"action": "ship", "lines": list(range(1, 990)), "next": LIST})
    assert too_many.status_code == 302  # a clear message, not a 400


@pytest.mark.django_db
def test_a_shopper_cannot_start_a_bulk_job(client):
    paid_orders(1)
    client.force_login(UserFactory())
    assert client.post("/console/orders/bulk/jobs/", {"action": "ship", "query": "", "expected": 1}).status_code == 403
    assert not BulkLineJob.objects.exists()


# --- Dispatch delays bounded; a cancelled line has no ship-by date --------------------------


@pytest.mark.django_db
def test_a_delay_date_is_bounded_by_the_setting(client, settings):
    settings.DISPATCH_DELAY_MAX_DAYS = 30
    (line,) = paid_orders(1)
    _operator(client, "cs", "fulfilment")
    before = OrderLine.objects.get(pk=line.pk).ship_by_date
    too_far = timezone.localdate() + timedelta(days=31)
    response = client.post(f"/console/orders/lines/{line.pk}/delay/", {
        f"delay-{line.pk}-new_ship_by": too_far.isoformat(), f"delay-{line.pk}-reason": "preparing"})
    assert response.status_code == 400 and "30 days" in response.content.decode()
    assert OrderLine.objects.get(pk=line.pk).ship_by_date == before
    assert not OutboxMessage.objects.filter(event="line.delayed").exists()
    from orders.exceptions import OrderError

    with pytest.raises(OrderError):
        register_delay(line_id=line.pk, new_ship_by=too_far, reason_code="preparing",
                       actor=OperatorFactory(groups=["cs"]))
    in_bounds = timezone.localdate() + timedelta(days=30)
    client.post(f"/console/orders/lines/{line.pk}/delay/", {
        f"delay-{line.pk}-new_ship_by": in_bounds.isoformat(), f"delay-{line.pk}-reason": "preparing"})
    assert OrderLine.objects.get(pk=line.pk).ship_by_date == in_bounds
    page = client.get(f"/console/orders/{line.order.number}/").content.decode()
    assert f'max="{in_bounds.isoformat()}"' in page


@pytest.mark.django_db
def test_a_cancelled_line_no_longer_shows_its_ship_by_date(client):
    (line,) = paid_orders(1)
    ship_by = OrderLine.objects.get(pk=line.pk).ship_by_date
    assert ship_by is not None
    OrderLine.objects.filter(pk=line.pk).update(status=S.CANCELLED)
    _operator(client)
    shown = ship_by.strftime("%m-%d")
    assert shown not in client.get(LIST, {"status": "cancelled"}).content.decode().split("<tbody>")[1]
    assert ship_by.isoformat() not in client.get(f"/console/orders/{line.order.number}/").content.decode()


# --- Signing in, and the 403 page -------------------------------------------------------------


@pytest.mark.django_db
def test_operators_who_sign_in_land_on_the_console_and_shoppers_on_the_shop(client):
    operator = OperatorFactory(groups=["fulfilment"])
    response = client.post("/accounts/login/", {"username": operator.email, "password": PASSWORD})
    assert response["Location"] == "/console/"
    client.logout()
    shopper = UserFactory()
    response = client.post("/accounts/login/", {"username": shopper.email, "password": PASSWORD})
    assert response["Location"] == "/"
    client.logout()
    response = client.post("/accounts/login/?next=/console/orders/", {"username": operator.email,
                                                                     "password": PASSWORD})
    assert response["Location"] == "/console/orders/"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/console/", "/console/orders/", "/console/orders/bulk/jobs/1/"])
def test_a_shopper_on_a_console_url_gets_a_styled_403_with_a_way_back_and_no_traceback(client, caplog, url):
    client.force_login(UserFactory())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 403
    assert 'href="/"' in html and "You do not have access to this page" in html
    assert "/accounts/logout/" in html  # sign in with another account
    forbidden = [record for record in caplog.records if getattr(record, "status_code", None) == 403]
    assert forbidden and all(record.exc_info is None for record in forbidden)
    assert "Traceback" not in caplog.text


@pytest.mark.django_db
def test_an_operator_without_the_permission_gets_a_403_back_to_the_console(client):
    client.force_login(OperatorFactory(groups=["cs"]))
    response = client.post("/console/orders/bulk/", {"action": "ship", "lines": [1]})
    assert response.status_code == 403
    assert 'href="/console/"' in response.content.decode()
