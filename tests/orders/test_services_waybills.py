import io
import time

import pytest
from openpyxl import Workbook, load_workbook

from core.models import StatusChange
from orders.models import Courier, OrderLine
from orders.selectors import list_lines_to_ship
from orders.services import place_order
from orders.services.fulfilment import acknowledge_line
from orders.services.waybills import (
    HEADERS,
    WaybillFileError,
    WaybillImportError,
    apply_waybill_rows,
    build_waybill_workbook,
    read_waybill_file,
    validate_waybill_rows,
)
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.orders.factories import DELIVERY, make_product
from tests.orders.helpers import pay

S = OrderLine.Status


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted by their English msgids (the Korean catalogue is filled in later)."""
    from django.utils import translation

    with translation.override("en"):
        yield


class Upload(io.BytesIO):
    def __init__(self, data: bytes, name: str = "waybills.xlsx"):
        super().__init__(data)
        self.name = name
        self.size = len(data)


def preparing_lines(count: int, *, lines_per_order: int = 1):
    """``count`` orders of ``lines_per_order`` lines, paid and acknowledged; returns the lines."""
    operator = OperatorFactory(groups=["fulfilment"])
    _, skus = make_product(stock=1000, options=[]) if lines_per_order == 1 else (None, None)
    if lines_per_order > 1:
        from catalog.services import OptionSpec

        _, skus = make_product(stock=1000, options=[OptionSpec(name="색상", values=["빨강", "파랑", "검정", "흰색"])])
    lines = []
    for _ in range(count):
        order = place_order(user=UserFactory(), items=[(sku.pk, 1) for sku in skus[:lines_per_order]],
                            delivery=DELIVERY, payment_method="card")
        pay(order)
        for line in order.lines.order_by("id"):
            lines.append(acknowledge_line(line_id=line.pk, actor=operator))
    return lines, operator


def sheet_bytes(rows, headers=HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if headers:
        sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filled_download(fill) -> bytes:
    """Download the lines to ship, then fill 택배사/송장번호 per row with ``fill(row_index, line_id)``."""
    data = build_waybill_workbook(lines=list_lines_to_ship())
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    for index, row in enumerate(sheet.iter_rows(min_row=2), start=0):
        courier, number = fill(index, int(row[1].value))
        row[10].value, row[11].value = courier, number
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_the_download_has_one_row_per_preparing_line_with_the_label_columns():
    lines, _operator = preparing_lines(2, lines_per_order=2)
    data = build_waybill_workbook(lines=list_lines_to_ship())
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert len(rows) == 5
    first = rows[1]
    assert first[0] == lines[0].order.number and first[1] == lines[0].pk
    assert first[2] == DELIVERY.recipient and first[3] == DELIVERY.phone and first[4] == DELIVERY.postcode
    assert DELIVERY.address1 in first[5] and first[8] == 1
    assert first[10] is None and first[11] is None


@pytest.mark.django_db
def test_round_trip_download_fill_upload_validate_apply():
    lines, operator = preparing_lines(3, lines_per_order=2)
    # One box per order: both lines of an order share the waybill.
    data = filled_download(lambda index, line_id: ("CJ대한통운", f"6000000000{index // 2:02d}"))
    raw = read_waybill_file(Upload(data))
    summary = validate_waybill_rows(raw)
    assert summary.error_count == 0 and len(summary.to_apply) == 6
    result = apply_waybill_rows(raw_rows=raw, actor=operator)
    assert result.applied == 6
    for line in lines:
        line.refresh_from_db()
        assert line.status == S.READY_TO_SHIP and line.courier.code == "cj"
    # The same file again changes nothing: every row is "unchanged".
    again = validate_waybill_rows(raw)
    assert again.error_count == 0 and again.unchanged_count == 6 and not again.to_apply


@pytest.mark.django_db
def test_courier_by_code_and_numbers_with_hyphens_are_accepted():
    (line,), _operator = preparing_lines(1)
    raw = read_waybill_file(Upload(sheet_bytes([[line.order.number, line.pk, "", "", "", "", "", "", 1, "",
                                                  "hanjin", "1234-5678-9012"]])))
    (row,) = validate_waybill_rows(raw).rows
    assert not row.error and row.courier_code == "hanjin" and row.waybill_number == "123456789012"


@pytest.mark.django_db
def test_each_row_problem_is_reported_on_its_row():
    lines, operator = preparing_lines(7)
    shipped = lines[4]
    OrderLine.objects.filter(pk=shipped.pk).update(status=S.SHIPPING)
    other = lines[3]
    OrderLine.objects.filter(pk=other.pk).update(status=S.READY_TO_SHIP, courier=Courier.objects.get(code="cj"),
                                                 waybill_number="777777777777")
    rows = [
        [lines[0].order.number, lines[0].pk, "", "", "", "", "", "", 1, "", "CJ대한통운", "111111111111"],  # ok
        ["", 999999, "", "", "", "", "", "", 1, "", "CJ대한통운", "111111111112"],  # unknown line
        ["", "abc", "", "", "", "", "", "", 1, "", "CJ대한통운", "111111111113"],  # not a number
        ["", shipped.pk, "", "", "", "", "", "", 1, "", "CJ대한통운", "111111111114"],  # wrong status
        ["", lines[1].pk, "", "", "", "", "", "", 1, "", "번개택배", "111111111115"],  # unknown courier
        ["", lines[2].pk, "", "", "", "", "", "", 1, "", "롯데택배", "12AB"],  # bad number for the courier
        ["", lines[2].pk, "", "", "", "", "", "", 1, "", "", ""],  # empty: skipped
        ["", lines[5].pk, "", "", "", "", "", "", 1, "", "cj", "777777777777"],  # used by another order already
        ["", lines[0].pk, "", "", "", "", "", "", 1, "", "cj", "111111111111"],  # the same line twice
        ["20990101-000001", lines[6].pk, "", "", "", "", "", "", 1, "", "cj", "111111111116"],  # order mismatch
    ]
    raw = read_waybill_file(Upload(sheet_bytes(rows)))
    assert len(raw) == 9  # the empty row is skipped
    errors = {row.row_number: row.error for row in validate_waybill_rows(raw).rows}
    assert errors[2] == ""
    assert "no order line" in errors[3]
    assert "not a line number" in errors[4]
    assert "Shipping" in errors[5]
    assert "Unknown courier" in errors[6]
    assert "not a valid" in errors[7]
    assert "already used for another order" in errors[9]
    assert "already on row 2" in errors[10]
    assert "belongs to order" in errors[11]
    before = StatusChange.objects.count()
    with pytest.raises(WaybillImportError):
        apply_waybill_rows(raw_rows=raw, actor=operator)
    assert StatusChange.objects.count() == before
    lines[0].refresh_from_db()
    assert lines[0].status == S.PREPARING and lines[0].waybill_number == ""


@pytest.mark.django_db
def test_a_waybill_given_to_two_orders_in_one_file_is_refused_on_both_rows():
    lines, _operator = preparing_lines(2)
    raw = read_waybill_file(Upload(sheet_bytes([
        ["", lines[0].pk, "", "", "", "", "", "", 1, "", "cj", "555555555555"],
        ["", lines[1].pk, "", "", "", "", "", "", 1, "", "cj", "555555555555"],
    ])))
    rows = validate_waybill_rows(raw).rows
    assert all("more than one order" in row.error for row in rows)


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "waybills.xlsx", "empty"),
    (b"order,line\n1,2\n", "waybills.csv", "not an Excel file"),
    (b"PK\x03\x04 broken zip", "waybills.xlsx", "not an Excel file"),
    (b"\xd0\xcf\x11\xe0 old excel", "waybills.xls", ".xls"),
])
def test_files_that_are_not_usable_excel_are_refused_whole(data, name, message):
    with pytest.raises(WaybillFileError) as error:
        read_waybill_file(Upload(data, name))
    assert message in error.value.message


@pytest.mark.django_db
def test_wrong_columns_and_header_only_files_are_refused_whole():
    with pytest.raises(WaybillFileError) as error:
        read_waybill_file(Upload(sheet_bytes([[1, "cj", "123"]], headers=["order", "carrier", "number"])))
    assert "Missing: 주문상품번호, 택배사, 송장번호" in error.value.message
    with pytest.raises(WaybillFileError) as error:
        read_waybill_file(Upload(sheet_bytes([], headers=HEADERS)))
    assert "No row has a courier" in error.value.message
    with pytest.raises(WaybillFileError) as error:
        read_waybill_file(Upload(sheet_bytes([], headers=None)))
    assert "empty" in error.value.message


@pytest.mark.django_db
def test_ten_thousand_rows_are_read_validated_and_applied(capsys):
    """Bulk lookups and a bulk write, not queries per row: 10,000 rows (the lines are inserted
    directly). The time is printed, not asserted (benchmarks measure speed)."""
    lines, _operator = preparing_lines(1)
    template = lines[0]
    order = template.order
    fields = {f.attname: getattr(template, f.attname) for f in OrderLine._meta.concrete_fields if f.attname != "id"}
    OrderLine.objects.bulk_create([OrderLine(**fields) for _ in range(9_999)], batch_size=1000)
    ids = list(OrderLine.objects.filter(order=order).values_list("pk", flat=True))
    assert len(ids) == 10_000
    data = sheet_bytes([[order.number, line_id, "", "", "", "", "", "", 1, "", "CJ대한통운", "300000000000"]
                        for line_id in ids])  # one order, one box: a shared waybill is fine
    started = time.monotonic()
    raw = read_waybill_file(Upload(data))
    read_seconds = time.monotonic() - started
    summary = validate_waybill_rows(raw)
    total_seconds = time.monotonic() - started
    assert summary.error_count == 0 and len(summary.to_apply) == 10_000
    started = time.monotonic()
    result = apply_waybill_rows(raw_rows=raw, actor=_operator)
    apply_seconds = time.monotonic() - started
    with capsys.disabled():
        print(f"\n10,000 waybill rows: read {read_seconds:.2f}s, read+validate {total_seconds:.2f}s, "
              f"apply {apply_seconds:.2f}s")
    assert result.applied == 10_000
    assert OrderLine.objects.filter(order=order, status="ready_to_ship", waybill_number="300000000000").count() == 10_000
    from core.models import StatusChange

    assert StatusChange.objects.filter(object_id__in=ids, to_status="ready_to_ship").count() == 10_000
