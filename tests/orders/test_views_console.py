import io
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from openpyxl import load_workbook

from core.models import OutboxMessage, StatusChange
from orders.models import Courier, OrderLine, OrderMemo
from orders.services import place_order
from orders.services.fulfilment import acknowledge_line, set_waybill
from orders.services.waybills import ASYNC_THRESHOLD, HEADERS
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.orders.factories import DELIVERY, make_product
from tests.orders.helpers import pay
from tests.orders.test_services_waybills import Upload, sheet_bytes

S = OrderLine.Status
LIST = "/console/orders/"


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def paid_orders(count: int, *, lines_per_order: int = 1, method: str = "card", stock: int = 500):
    """``count`` paid orders; returns their lines (oldest first)."""
    from catalog.services import OptionSpec

    options = [OptionSpec(name="색상", values=["빨강", "파랑", "검정"])] if lines_per_order > 1 else []
    _, skus = make_product(stock=stock, options=options, name="울 니트 가디건")
    lines = []
    for _ in range(count):
        order = place_order(user=UserFactory(), items=[(sku.pk, 1) for sku in skus[:lines_per_order]],
                            delivery=DELIVERY, payment_method=method)
        pg = pay(order)
        if method == "virtual_account":  # the deposit arrives (the sandbox PG's callback, applied)
            from orders.payments.sandbox import SandboxPG
            from orders.services import expire_unpaid_orders

            SandboxPG.deposit(payment_key=pg.payment_key)
            expire_unpaid_orders(now=order.expires_at + timedelta(seconds=1))
        lines.extend(order.lines.order_by("id"))
    return lines


def fulfilment_operator(client):
    operator = OperatorFactory(groups=["fulfilment"])
    client.force_login(operator)
    return operator


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Access ----------------------------------------------------------------------------------

PAGES = [LIST, "/console/orders/waybills/", "/console/orders/waybills/download.xlsx"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES + ["/console/"])
def test_anonymous_visitors_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES + ["/console/"])
def test_shoppers_get_403(client, url):
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_operators_without_the_permission_get_403(client):
    (line,) = paid_orders(1)
    client.force_login(OperatorFactory(groups=["marketing"]))  # no orders.view_order
    assert client.get(LIST).status_code == 403
    assert client.get(f"/console/orders/{line.order.number}/").status_code == 403
    assert client.get("/console/").status_code == 200  # the dashboard without order cards
    client.force_login(OperatorFactory(groups=["settlement"]))  # may see, may not move
    assert client.get(LIST).status_code == 200
    assert client.post("/console/orders/bulk/", {"action": "acknowledge", "lines": [line.pk]}).status_code == 403
    assert client.get("/console/orders/waybills/").status_code == 403
    assert client.post(f"/console/orders/lines/{line.pk}/waybill/", {"courier": "cj"}).status_code == 403
    assert client.post(f"/console/orders/{line.order.number}/memo/", {"body": "x"}).status_code == 403
    assert client.post(f"/console/orders/lines/{line.pk}/delay/", {}).status_code == 403
    client.force_login(OperatorFactory(groups=["cs"]))  # memos and delays, no fulfilment moves
    assert client.post("/console/orders/bulk/", {"action": "acknowledge", "lines": [line.pk]}).status_code == 403
    response = client.post(f"/console/orders/{line.order.number}/memo/", {"body": "고객 통화: 빠른 배송 요청"})
    assert response.status_code == 302 and OrderMemo.objects.filter(order=line.order).count() == 1
    line.refresh_from_db()
    assert line.status == S.PAID


# --- Dashboard -------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_dashboard_counts_by_status_in_constant_queries(client, django_assert_max_num_queries):
    lines = paid_orders(4)
    operator = fulfilment_operator(client)
    acknowledge_line(line_id=lines[0].pk, actor=operator)
    OrderLine.objects.filter(pk=lines[1].pk).update(ship_by_date=timezone.localdate() - timedelta(days=1))
    with django_assert_max_num_queries(6):  # session, user, 2× permissions, the orders aggregate, the claims one
        response = client.get("/console/")
    counts = response.context["counts"]
    assert counts["new"] == 3 and counts["preparing"] == 1 and counts["delayed"] == 1
    assert counts["to_ship"] == counts["shipping"] == counts["awaiting_deposit"] == 0
    html = response.content.decode()
    assert "?status=paid" in html and "?delayed=on" in html and "Claims waiting" in html


# --- The line list ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_list_shows_tabs_with_counts_and_lines(client):
    lines = paid_orders(2, lines_per_order=2)
    fulfilment_operator(client)
    response = client.get(LIST, {"status": "paid"})
    assert response.status_code == 200
    tabs = {key: count for key, _label, count in response.context["tabs"]}
    assert tabs["paid"] == 4 and tabs["all"] == 4 and tabs["preparing"] == 0
    assert [line.pk for line in response.context["rows"]] == [lines[2].pk, lines[3].pk, lines[0].pk, lines[1].pk]
    assert [line.starts_order for line in response.context["rows"]] == [True, False, True, False]
    # only the moves the tab allows: acknowledge, and the dispatch delay of paid or preparing lines
    assert response.context["actions"] == [("acknowledge", "Acknowledge"), ("delay", "Delay dispatch")]
    html = response.content.decode()
    assert lines[0].order.number in html and "울 니트 가디건" in html


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 30])
def test_the_list_runs_a_constant_number_of_queries(client, django_assert_num_queries, count):
    paid_orders(count)
    fulfilment_operator(client)
    client.get(LIST)  # warms the session and the cached tab counts
    with django_assert_num_queries(7):
        # session, user, 2× permissions, lines page, sellers for the form, couriers (tab counts cached)
        response = client.get(LIST, {"status": "paid"})
    assert len(response.context["rows"]) == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 30])
def test_a_search_runs_a_constant_number_of_queries(client, django_assert_num_queries, count):
    lines = paid_orders(count)
    fulfilment_operator(client)
    client.get(LIST)
    with django_assert_num_queries(8):  # + the search's COUNT
        response = client.get(LIST, {"product": "니트", "payment_method": "card"})
    assert len(response.context["rows"]) == count and response.context["searching"]
    assert {line.pk for line in response.context["rows"]} == {line.pk for line in lines}


@pytest.mark.django_db
def test_an_invalid_search_shows_its_errors(client):
    fulfilment_operator(client)
    response = client.get(LIST, {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert response.status_code == 400 and response.context["form"].errors["date_to"]


# --- Bulk moves ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_bulk_acknowledge_reports_each_line_including_a_refused_one(client):
    lines = paid_orders(3)
    operator = fulfilment_operator(client)
    acknowledge_line(line_id=lines[2].pk, actor=operator)  # already preparing: will be refused
    response = client.post("/console/orders/bulk/", {"action": "acknowledge", "lines": [each.pk for each in lines],
                                                     "next": LIST + "?status=paid"})
    assert response.status_code == 302 and response["Location"] == LIST + "?status=paid"
    assert set(OrderLine.objects.filter(pk__in=[each.pk for each in lines]).values_list("status", flat=True)) == {
        S.PREPARING}
    messages = texts(response)
    assert messages[0] == "Acknowledge: 2 done, 1 refused."
    assert messages[1].startswith(f"Line {lines[2].pk} ({lines[2].order.number}")
    assert "Preparing" in messages[1]


@pytest.mark.django_db
def test_bulk_ship_and_deliver(client):
    lines = paid_orders(2)
    operator = fulfilment_operator(client)
    for number, line in enumerate(lines):
        acknowledge_line(line_id=line.pk, actor=operator)
        set_waybill(line_id=line.pk, courier_code="cj", waybill_number=f"40000000000{number}", actor=operator)
    ids = [line.pk for line in lines]
    response = client.post("/console/orders/bulk/", {"action": "ship", "lines": ids})
    assert texts(response)[0] == "Mark shipped: 2 done, 0 refused."
    assert set(OrderLine.objects.filter(pk__in=ids).values_list("status", flat=True)) == {S.SHIPPING}
    assert OutboxMessage.objects.filter(event="line.shipped").exists()
    client.post("/console/orders/bulk/", {"action": "deliver", "lines": ids})
    assert set(OrderLine.objects.filter(pk__in=ids).values_list("status", flat=True)) == {S.DELIVERED}


@pytest.mark.django_db
def test_bulk_without_lines_or_with_a_foreign_next_url(client):
    fulfilment_operator(client)
    response = client.post("/console/orders/bulk/", {"action": "acknowledge", "next": "https://evil.example/"})
    assert response["Location"] == LIST
    assert texts(response) == ["Select at least one line."]


@pytest.mark.django_db
def test_set_waybill_from_the_list_row(client):
    (line,) = paid_orders(1)
    operator = fulfilment_operator(client)
    acknowledge_line(line_id=line.pk, actor=operator)
    response = client.post(f"/console/orders/lines/{line.pk}/waybill/", {
        "courier": "cj", "waybill_number": "123456789012", "origin": "list", "next": LIST + "?status=preparing"})
    assert response["Location"] == LIST + "?status=preparing"
    line.refresh_from_db()
    assert line.status == S.READY_TO_SHIP and line.waybill_number == "123456789012"
    # A bad number is refused by the service: a message, nothing changes.
    response = client.post(f"/console/orders/lines/{line.pk}/waybill/", {
        "courier": "epost", "waybill_number": "12", "origin": "list", "next": LIST})
    assert "is not a valid" in texts(response)[-1]
    line.refresh_from_db()
    assert line.waybill_number == "123456789012"


# --- The order page --------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_the_order_page_shows_lines_payment_timeline_and_messages(client, django_assert_num_queries, count):
    lines = paid_orders(1, lines_per_order=count)
    order = lines[0].order
    operator = fulfilment_operator(client)
    acknowledge_line(line_id=lines[0].pk, actor=operator)
    client.get(LIST)
    # … and the order's source (marketing's attribution include, one query)
    with django_assert_num_queries(15):
        response = client.get(f"/console/orders/{order.number}/")
    html = response.content.decode()
    assert response.status_code == 200
    timeline = response.context["timeline"]
    kinds = {change.subject_kind for change in timeline}
    assert {"order", "line", "payment"} <= kinds
    assert any(change.to_status == S.PREPARING and change.actor_id == operator.pk for change in timeline)
    assert order.payment.payment_key in html
    assert response.context["outbox"]  # the order confirmation messages
    assert response.context["lines"][0].forms.keys() >= {"waybill", "delay", "backorder", "cancel"}


@pytest.mark.django_db
def test_an_unknown_order_is_404(client):
    fulfilment_operator(client)
    assert client.get("/console/orders/20990101-000001/").status_code == 404


@pytest.mark.django_db
def test_memo_is_added_and_blank_memo_rerenders(client):
    (line,) = paid_orders(1)
    operator = fulfilment_operator(client)
    url = f"/console/orders/{line.order.number}/memo/"
    response = client.post(url, {"body": "  "})
    assert response.status_code == 400 and response.context["memo_form"].errors
    response = client.post(url, {"body": "부재 시 경비실"})
    assert response.status_code == 302
    memo = OrderMemo.objects.get()
    assert memo.author == operator and memo.body == "부재 시 경비실"


@pytest.mark.django_db
def test_register_a_delay_and_its_form_errors(client):
    (line,) = paid_orders(1)
    fulfilment_operator(client)
    url = f"/console/orders/lines/{line.pk}/delay/"
    prefix = f"delay-{line.pk}"
    response = client.post(url, {f"{prefix}-new_ship_by": str(timezone.localdate()), f"{prefix}-reason": "x"})
    assert response.status_code == 400
    form = response.context["lines"][0].forms["delay"]
    assert form.errors.keys() == {"new_ship_by", "reason"} and response.context["lines"][0].open_form == "delay"
    new_date = timezone.localdate() + timedelta(days=5)
    response = client.post(url, {f"{prefix}-new_ship_by": str(new_date), f"{prefix}-reason": "made_to_order",
                                 f"{prefix}-note": "주문 제작"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.ship_by_date == new_date and line.delay_reason == "made_to_order"
    assert OutboxMessage.objects.filter(event="line.delayed").exists()


@pytest.mark.django_db
def test_backorder(client):
    (line,) = paid_orders(1)
    fulfilment_operator(client)
    expected = timezone.localdate() + timedelta(days=10)
    client.post(f"/console/orders/lines/{line.pk}/backorder/", {f"backorder-{line.pk}-expected_date": str(expected)})
    line.refresh_from_db()
    assert line.backorder_expected_date == expected and line.ship_by_date == expected


@pytest.mark.django_db
def test_cancel_for_stock_with_a_card(client):
    (line,) = paid_orders(1)
    fulfilment_operator(client)
    response = client.get(f"/console/orders/{line.order.number}/")
    assert "refund_account_number" not in response.content.decode()
    client.post(f"/console/orders/lines/{line.pk}/cancel-for-stock/", {f"cancel-{line.pk}-reason": "품절"})
    line.refresh_from_db()
    assert line.status == S.CANCELLED and line.refunded_amount == line.paid_amount


@pytest.mark.django_db
def test_cancel_for_stock_of_a_virtual_account_needs_the_refund_account(client):
    (line,) = paid_orders(1, method="virtual_account")
    line.order.refresh_from_db()
    assert line.order.payment_status == "paid"
    fulfilment_operator(client)
    url = f"/console/orders/lines/{line.pk}/cancel-for-stock/"
    prefix = f"cancel-{line.pk}"
    response = client.post(url, {f"{prefix}-reason": "품절"})
    assert response.status_code == 400
    assert "refund_account_number" in response.context["lines"][0].forms["cancel"].errors
    response = client.post(url, {f"{prefix}-reason": "품절", f"{prefix}-refund_bank_code": "88",
                                 f"{prefix}-refund_account_number": "110-123-456789", f"{prefix}-refund_holder": "김구매"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.status == S.CANCELLED
    cancel = line.order.payment.cancels.get()
    assert cancel.refund_account_number == "110123456789"


@pytest.mark.django_db
def test_a_refused_domain_action_becomes_a_message(client):
    (line,) = paid_orders(1)
    operator = fulfilment_operator(client)
    acknowledge_line(line_id=line.pk, actor=operator)
    set_waybill(line_id=line.pk, courier_code="cj", waybill_number="123456789012", actor=operator)
    OrderLine.objects.filter(pk=line.pk).update(status=S.SHIPPING)
    response = client.post(f"/console/orders/lines/{line.pk}/backorder/", {
        f"backorder-{line.pk}-expected_date": str(timezone.localdate() + timedelta(days=3))})
    assert response.status_code == 302 and "Only lines not yet shipped" in texts(response)[0]


# --- Waybills by Excel -----------------------------------------------------------------------

@pytest.mark.django_db
def test_waybill_round_trip_through_the_pages(client):
    lines = paid_orders(3)
    operator = fulfilment_operator(client)
    for line in lines[:2]:
        acknowledge_line(line_id=line.pk, actor=operator)
    page = client.get("/console/orders/waybills/")
    assert page.context["to_ship_count"] == 2
    download = client.get("/console/orders/waybills/download.xlsx")
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(download.content))
    sheet = workbook.active
    assert [cell.value for cell in sheet[1]] == list(HEADERS)
    for index, row in enumerate(sheet.iter_rows(min_row=2)):
        row[10].value, row[11].value = "CJ대한통운", f"50000000000{index}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "filled.xlsx"
    response = client.post("/console/orders/waybills/", {"file": buffer})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200 and preview.context["error_count"] == 0 and preview.context["apply_count"] == 2
    assert StatusChange.objects.filter(to_status=S.READY_TO_SHIP).count() == 0  # nothing applied yet
    reference = preview.context["reference"]
    response = client.post(f"/console/orders/waybills/{reference}/apply/")
    assert response["Location"] == LIST + "?status=ready_to_ship"
    assert set(OrderLine.objects.filter(pk__in=[each.pk for each in lines[:2]]).values_list("status", flat=True)) == {
        S.READY_TO_SHIP}
    # Applying twice changes nothing.
    response = client.post(f"/console/orders/waybills/{reference}/apply/")
    assert response["Location"] == "/console/orders/waybills/"


@pytest.mark.django_db
def test_a_broken_upload_rerenders_the_form_with_the_file_error(client):
    fulfilment_operator(client)
    response = client.post("/console/orders/waybills/", {"file": Upload(b"hello", "waybills.xlsx")})
    assert response.status_code == 400 and "not an Excel file" in str(response.context["form"].errors["file"])
    response = client.post("/console/orders/waybills/", {
        "file": Upload(sheet_bytes([[1, 2]], headers=["주문번호", "수량"]))})
    assert response.status_code == 400 and "Missing" in str(response.context["form"].errors["file"])


@pytest.mark.django_db
def test_a_preview_with_errors_cannot_be_applied(client):
    lines = paid_orders(2)
    operator = fulfilment_operator(client)
    acknowledge_line(line_id=lines[0].pk, actor=operator)
    data = sheet_bytes([["", lines[0].pk, "", "", "", "", "", "", 1, "", "cj", "600000000001"],
                        ["", lines[1].pk, "", "", "", "", "", "", 1, "", "cj", "600000000002"]])  # still PAID
    response = client.post("/console/orders/waybills/", {"file": Upload(data)})
    preview = client.get(response["Location"])
    assert preview.context["error_count"] == 1
    html = preview.content.decode()
    assert "row--error" in html and "Enter 1 waybill" not in html
    errors_only = client.get(response["Location"], {"errors": "1"})
    assert [row.line_id for row in errors_only.context["page"]] == [lines[1].pk]
    response = client.post(f"/console/orders/waybills/{preview.context['reference']}/apply/")
    assert response.status_code == 302
    lines[0].refresh_from_db()
    assert lines[0].status == S.PREPARING


@pytest.mark.django_db
def test_another_operator_cannot_see_my_upload(client):
    (line,) = paid_orders(1)
    operator = fulfilment_operator(client)
    acknowledge_line(line_id=line.pk, actor=operator)
    data = sheet_bytes([["", line.pk, "", "", "", "", "", "", 1, "", "cj", "600000000001"]])
    response = client.post("/console/orders/waybills/", {"file": Upload(data)})
    client.force_login(OperatorFactory(groups=["fulfilment"]))
    assert client.get(response["Location"]).status_code == 404


@pytest.mark.django_db
def test_a_large_upload_runs_in_the_task_with_progress(client, capsys):
    """Over ASYNC_THRESHOLD rows: validated and applied by the Celery tasks (eager in tests)."""
    import time

    (line,) = paid_orders(1)
    operator = fulfilment_operator(client)
    acknowledge_line(line_id=line.pk, actor=operator)
    line.refresh_from_db()
    fields = {f.attname: getattr(line, f.attname) for f in OrderLine._meta.concrete_fields if f.attname != "id"}
    OrderLine.objects.bulk_create([OrderLine(**fields) for _ in range(ASYNC_THRESHOLD + 99)])
    ids = list(OrderLine.objects.filter(order=line.order).values_list("pk", flat=True))
    data = sheet_bytes([["", line_id, "", "", "", "", "", "", 1, "", "cj", "700000000000"] for line_id in ids])
    started = time.monotonic()
    response = client.post("/console/orders/waybills/", {"file": Upload(data)})
    progress_url = response["Location"]
    assert progress_url.endswith("/progress/")
    reference = progress_url.rstrip("/").split("/")[-2]
    state = client.get(f"/console/orders/waybills/{reference}/progress.json").json()
    assert state["phase"] == "validated" and state["finished"] and state["total"] == len(ids)
    assert client.get(progress_url)["Location"].endswith(f"/waybills/{reference}/")
    response = client.post(f"/console/orders/waybills/{reference}/apply/")
    assert response["Location"] == progress_url
    assert client.get(progress_url)["Location"] == LIST + "?status=ready_to_ship"
    with capsys.disabled():
        print(f"\n{len(ids)} waybill rows through the pages (task path): {time.monotonic() - started:.2f}s")
    assert OrderLine.objects.filter(order=line.order, status=S.READY_TO_SHIP).count() == len(ids)


@pytest.mark.django_db
def test_the_progress_page_refreshes_itself_without_javascript(client):
    from orders.services.waybills import set_progress, store_upload

    operator = fulfilment_operator(client)
    reference = store_upload(raw_rows=[[2, "", "1", "cj", "1"]] * 600, filename="big.xlsx", owner_id=operator.pk)
    set_progress(reference, phase="applying", done=200, total=600)
    response = client.get(f"/console/orders/waybills/{reference}/progress/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert 'value="200"' in html and 'max="600"' in html
    assert client.get(f"/console/orders/waybills/{reference}/progress.json").json()["percent"] == 33


@pytest.mark.django_db
def test_couriers_exist():
    assert Courier.objects.filter(code="cj").exists()
