import io
import threading
import time

import pytest
from django.db import connection
from openpyxl import Workbook

from catalog.exceptions import CatalogError, OutOfStock
from catalog.models import SKU, StockMovement
from catalog.services import (
    adjust_stock,
    apply_stock_import,
    new_import_reference,
    parse_stock_file,
    release_stock,
    reserve_stock,
    set_stock,
)
from catalog.services.stock import IMPORT_MAX_ROWS
from tests.accounts.factories import OperatorFactory
from tests.catalog.factories import ProductFactory, SKUFactory

Reason = StockMovement.Reason


# --- adjust_stock / set_stock -------------------------------------------------------------

@pytest.mark.django_db
def test_adjust_stock_received_adds_and_writes_the_ledger():
    sku = SKUFactory(stock_quantity=3)
    operator = OperatorFactory()

    movement = adjust_stock(sku_id=sku.pk, delta=7, reason=Reason.RECEIVED, actor=operator, note="입고 3/12")

    sku.refresh_from_db()
    assert sku.stock_quantity == 10
    assert (movement.delta, movement.quantity_after, movement.reason) == (7, 10, Reason.RECEIVED)
    assert movement.actor == operator and movement.note == "입고 3/12"


@pytest.mark.django_db
def test_adjust_stock_damaged_subtracts():
    sku = SKUFactory(stock_quantity=5)

    movement = adjust_stock(sku_id=sku.pk, delta=-2, reason=Reason.DAMAGED, actor=OperatorFactory())

    sku.refresh_from_db()
    assert sku.stock_quantity == 3
    assert (movement.delta, movement.quantity_after) == (-2, 3)


@pytest.mark.django_db
def test_adjust_stock_refuses_to_go_below_zero_and_changes_nothing():
    sku = SKUFactory(stock_quantity=2, code="TEE-RED-M")

    with pytest.raises(OutOfStock) as caught:
        adjust_stock(sku_id=sku.pk, delta=-3, reason=Reason.DAMAGED, actor=OperatorFactory())

    assert "TEE-RED-M" in caught.value.message
    sku.refresh_from_db()
    assert sku.stock_quantity == 2
    assert not StockMovement.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "delta, reason",
    [(-1, Reason.RECEIVED), (0, Reason.RECEIVED), (3, Reason.DAMAGED), (1, Reason.ORDERED), (1, Reason.COUNTED)],
)
def test_adjust_stock_refuses_a_sign_or_reason_that_does_not_fit(delta, reason):
    sku = SKUFactory(stock_quantity=5)

    with pytest.raises(CatalogError):
        adjust_stock(sku_id=sku.pk, delta=delta, reason=reason, actor=None)

    sku.refresh_from_db()
    assert sku.stock_quantity == 5
    assert not StockMovement.objects.exists()


@pytest.mark.django_db
def test_adjust_stock_of_an_unknown_sku_is_a_domain_error():
    with pytest.raises(CatalogError):
        adjust_stock(sku_id=987654, delta=1, reason=Reason.RECEIVED, actor=None)


@pytest.mark.django_db
def test_set_stock_records_the_difference_of_a_count():
    sku = SKUFactory(stock_quantity=10)

    movement = set_stock(sku_id=sku.pk, quantity=4, actor=OperatorFactory(), note="실사")

    sku.refresh_from_db()
    assert sku.stock_quantity == 4
    assert (movement.delta, movement.quantity_after, movement.reason) == (-6, 4, Reason.COUNTED)


@pytest.mark.django_db
def test_set_stock_that_confirms_the_stock_still_leaves_a_row():
    sku = SKUFactory(stock_quantity=4)

    movement = set_stock(sku_id=sku.pk, quantity=4, actor=None)

    assert movement.delta == 0 and movement.quantity_after == 4


@pytest.mark.django_db
def test_set_stock_refuses_a_negative_count():
    sku = SKUFactory(stock_quantity=4)

    with pytest.raises(CatalogError):
        set_stock(sku_id=sku.pk, quantity=-1, actor=None)

    sku.refresh_from_db()
    assert sku.stock_quantity == 4
    assert not StockMovement.objects.exists()


# --- reserve_stock / release_stock ----------------------------------------------------------

@pytest.mark.django_db
def test_reserve_stock_takes_every_item_and_writes_ordered_rows():
    a, b = SKUFactory(stock_quantity=5), SKUFactory(stock_quantity=2)

    movements = reserve_stock(items=[(b.pk, 2), (a.pk, 1), (a.pk, 2)], reference="20250312-0001")

    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.stock_quantity, b.stock_quantity) == (2, 0)
    assert {(m.sku_id, m.delta, m.quantity_after, m.reason, m.reference) for m in movements} == {
        (a.pk, -3, 2, Reason.ORDERED, "20250312-0001"),
        (b.pk, -2, 0, Reason.ORDERED, "20250312-0001"),
    }


@pytest.mark.django_db
def test_reserve_stock_short_on_one_sku_names_it_and_changes_nothing():
    a = SKUFactory(stock_quantity=5)
    b = SKUFactory(stock_quantity=1, code="MUG-BLUE")

    with pytest.raises(OutOfStock) as caught:
        reserve_stock(items=[(a.pk, 1), (b.pk, 2)], reference="20250312-0002")

    assert caught.value.sku_id == b.pk
    assert caught.value.available == 1 and caught.value.wanted == 2
    assert "MUG-BLUE" in caught.value.message
    assert list(SKU.objects.order_by("pk").values_list("stock_quantity", flat=True)) == [5, 1]
    assert not StockMovement.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("items", [[], [(1, 0)], [(1, -1)]])
def test_reserve_stock_refuses_empty_or_non_positive_items(items):
    SKUFactory(stock_quantity=5)

    with pytest.raises(CatalogError):
        reserve_stock(items=items, reference="X")


@pytest.mark.django_db
def test_release_stock_gives_back_what_the_order_took():
    sku = SKUFactory(stock_quantity=5)
    reserve_stock(items=[(sku.pk, 3)], reference="ORDER-1")

    movements = release_stock(items=[(sku.pk, 2)], reference="ORDER-1")

    sku.refresh_from_db()
    assert sku.stock_quantity == 4
    assert [(m.delta, m.quantity_after, m.reason) for m in movements] == [(2, 4, Reason.RELEASED)]


@pytest.mark.django_db
def test_release_stock_twice_cannot_create_stock():
    sku = SKUFactory(stock_quantity=5)
    reserve_stock(items=[(sku.pk, 2)], reference="ORDER-1")
    release_stock(items=[(sku.pk, 2)], reference="ORDER-1")

    with pytest.raises(CatalogError):
        release_stock(items=[(sku.pk, 2)], reference="ORDER-1")

    sku.refresh_from_db()
    assert sku.stock_quantity == 5
    assert StockMovement.objects.count() == 2


@pytest.mark.django_db
def test_release_stock_of_another_order_is_refused():
    sku = SKUFactory(stock_quantity=5)
    reserve_stock(items=[(sku.pk, 2)], reference="ORDER-1")

    with pytest.raises(CatalogError):
        release_stock(items=[(sku.pk, 1)], reference="ORDER-2")


@pytest.mark.django_db
def test_release_stock_as_returned_is_not_limited_to_the_reservation():
    sku = SKUFactory(stock_quantity=0)

    release_stock(items=[(sku.pk, 1)], reference="CLAIM-9", reason=Reason.RETURNED)

    sku.refresh_from_db()
    assert sku.stock_quantity == 1


# --- Concurrency (PostgreSQL, real threads and connections) ----------------------------------

def _in_thread(function, results, errors):
    def run():
        try:
            results.append(function())
        except Exception as error:  # collected and asserted by the test
            errors.append(error)
        finally:
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_shoppers_race_for_five_units():
    sku = SKUFactory(stock_quantity=5)
    results, errors = [], []
    barrier = threading.Barrier(20)

    def reserve_one(n):
        def call():
            barrier.wait()
            return reserve_stock(items=[(sku.pk, 1)], reference=f"RACE-{n}")
        return call

    threads = [_in_thread(reserve_one(n), results, errors) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    sku.refresh_from_db()
    assert len(results) == 5
    assert len(errors) == 15 and all(isinstance(e, OutOfStock) for e in errors)
    assert sku.stock_quantity == 0
    assert StockMovement.objects.filter(sku=sku, reason=Reason.ORDERED).count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_orders_taking_two_skus_in_opposite_order_do_not_deadlock():
    a, b = SKUFactory(stock_quantity=1000), SKUFactory(stock_quantity=1000)
    results, errors = [], []
    rounds = 40

    def many(first, second, label):
        def call():
            for n in range(rounds):
                reserve_stock(items=[(first.pk, 1), (second.pk, 1)], reference=f"{label}-{n}")
                release_stock(items=[(second.pk, 1), (first.pk, 1)], reference=f"{label}-{n}")
            return label
        return call

    threads = [_in_thread(many(a, b, "AB"), results, errors), _in_thread(many(b, a, "BA"), results, errors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(results) == ["AB", "BA"]
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.stock_quantity, b.stock_quantity) == (1000, 1000)
    assert StockMovement.objects.count() == rounds * 2 * 2 * 2


# --- Bulk stock import: parsing ---------------------------------------------------------------

class NamedBytes(io.BytesIO):
    """A file upload stand-in: bytes with a name and a size."""

    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name
        self.size = len(data)


def csv_file(text: str, name: str = "stock.csv", encoding: str = "utf-8") -> NamedBytes:
    return NamedBytes(text.encode(encoding), name)


def xlsx_file(rows, name: str = "stock.xlsx") -> NamedBytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return NamedBytes(buffer.getvalue(), name)


@pytest.fixture
def skus(db):
    product = ProductFactory(name="기본 티셔츠")
    return [
        SKUFactory(product=product, code="TEE-01", option_label="빨강 / M", stock_quantity=5),
        SKUFactory(product=product, code="TEE-02", option_label="빨강 / L", stock_quantity=0),
        SKUFactory(product=product, code="TEE-03", option_label="파랑 / M", stock_quantity=12),
    ]


def test_parse_csv_with_korean_header(skus):
    preview = parse_stock_file(csv_file("SKU코드,수량\nTEE-01,8\nTEE-02,3\n"))

    assert preview.ok and preview.total == 2 and preview.error_count == 0
    first = preview.rows[0]
    assert (first.row_number, first.sku_code, first.current_quantity, first.quantity, first.delta) == (
        2, "TEE-01", 5, 8, 3)
    assert first.product_name == "기본 티셔츠" and first.option_label == "빨강 / M"


def test_parse_csv_with_bom_and_english_header_in_another_order(skus):
    preview = parse_stock_file(csv_file("\ufeffquantity,sku_code\n7,TEE-03\n"))

    assert preview.ok
    assert (preview.rows[0].sku_code, preview.rows[0].quantity) == ("TEE-03", 7)


@pytest.mark.parametrize("encoding", ["cp949", "euc-kr"])
def test_parse_csv_saved_by_korean_excel(skus, encoding):
    text = "SKU코드,수량,상품명\r\nTEE-01,1,기본 티셔츠 빨강\r\n"

    preview = parse_stock_file(csv_file(text, encoding=encoding))

    assert preview.ok and preview.rows[0].quantity == 1


def test_parse_xlsx_with_numbers_as_excel_stores_them(skus):
    preview = parse_stock_file(xlsx_file([["상품명", "SKU코드", "수량"], ["티", "TEE-01", 4.0], [None, None, None],
                                          ["티", "TEE-02", 10]]))

    assert preview.ok
    assert [(r.row_number, r.sku_code, r.quantity) for r in preview.rows] == [(2, "TEE-01", 4), (4, "TEE-02", 10)]


def test_parse_skips_empty_rows_and_accepts_thousands_separators(skus):
    preview = parse_stock_file(csv_file('SKU코드,수량\n\n,\nTEE-01,"1,200"\n'))

    assert preview.ok and preview.total == 1 and preview.rows[0].quantity == 1200


def test_parse_reports_each_bad_row(skus):
    text = "SKU코드,수량\nNOPE-1,3\nTEE-01,2.5\nTEE-02,-4\nTEE-03,abc\n,5\nTEE-01,1\n"

    preview = parse_stock_file(csv_file(text))

    assert not preview.ok and preview.total == 6 and preview.error_count == 6
    errors = {row.row_number: row.error for row in preview.rows}
    assert "NOPE-1" in errors[2]
    assert "whole number" in errors[3]
    assert "negative" in errors[4]
    assert "whole number" in errors[5]
    assert "missing" in errors[6]
    assert "more than once" in errors[7]  # TEE-01 again (row 3 failed on its quantity first)


def test_parse_marks_every_row_of_a_duplicated_sku(skus):
    preview = parse_stock_file(csv_file("SKU코드,수량\nTEE-01,1\nTEE-02,1\ntee-01,3\n"))

    errors = {row.row_number: row.error for row in preview.rows}
    assert errors[3] == ""
    assert "rows 2, 4" in errors[2] and "rows 2, 4" in errors[4]


def test_parse_matches_codes_ignoring_case_and_spaces(skus):
    preview = parse_stock_file(csv_file("SKU코드,수량\n  tee-03 ,2\n"))

    assert preview.ok and preview.rows[0].sku_id == skus[2].pk


@pytest.mark.parametrize(
    "upload, message",
    [
        (csv_file("SKU코드,재고위치\nTEE-01,A-1\n"), "Missing: 수량"),
        (csv_file("code,amount\nTEE-01,1\n"), "Missing: SKU코드, 수량"),
        (csv_file(""), "empty"),
        (csv_file("\ufeff\r\n\r\n"), "empty"),
        (csv_file("SKU코드,수량\n"), "no data rows"),
        (NamedBytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "stock.csv"), "not an Excel"),
        (NamedBytes(b"%PDF-1.7 binary", "stock.pdf"), "not an Excel"),
        (NamedBytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "stock.xls"), ".xls"),
        (NamedBytes(b"PK\x03\x04 not really a zip", "stock.xlsx"), "not an Excel"),
        (NamedBytes(b"this is text renamed", "stock.xlsx"), "could not be read"),
    ],
)
def test_parse_refuses_a_file_it_cannot_use_as_a_whole(skus, upload, message):
    with pytest.raises(CatalogError) as caught:
        parse_stock_file(upload)

    assert message in caught.value.message
    assert caught.value.code == "import_file"


def test_parse_refuses_more_than_the_row_limit(skus):
    lines = "".join(f"TEE-01,{n}\n" for n in range(IMPORT_MAX_ROWS + 1))

    with pytest.raises(CatalogError) as caught:
        parse_stock_file(csv_file("SKU코드,수량\n" + lines))

    assert "20,000" in caught.value.message


def test_parse_accepts_exactly_the_row_limit_counting_only_data_rows(skus):
    lines = "".join(f"TEE-{n:05d},1\n" for n in range(IMPORT_MAX_ROWS))

    preview = parse_stock_file(csv_file("SKU코드,수량\n" + lines + "\n\n"))

    assert preview.total == IMPORT_MAX_ROWS


# --- Bulk stock import: apply ----------------------------------------------------------------

def test_apply_sets_every_sku_and_writes_imported_rows(skus):
    preview = parse_stock_file(csv_file("SKU코드,수량\nTEE-01,8\nTEE-02,3\nTEE-03,12\n"))
    operator = OperatorFactory()
    reference = new_import_reference()

    movements = apply_stock_import(rows=preview.raw_rows(), actor=operator, reference=reference)

    assert [sku.stock_quantity for sku in SKU.objects.order_by("code")] == [8, 3, 12]
    assert len(movements) == 3
    assert set(StockMovement.objects.values_list("reason", "reference", "actor")) == {
        (Reason.IMPORTED, reference, operator.pk)}
    assert sorted(StockMovement.objects.values_list("delta", flat=True)) == [0, 3, 3]


def test_apply_with_one_bad_row_applies_nothing(skus):
    rows = [[2, "TEE-01", "8"], [3, "GONE", "1"]]

    with pytest.raises(CatalogError) as caught:
        apply_stock_import(rows=rows, actor=None, reference=new_import_reference())

    assert "row 3" in caught.value.message
    assert [sku.stock_quantity for sku in SKU.objects.order_by("code")] == [5, 0, 12]
    assert not StockMovement.objects.exists()


def test_apply_revalidates_a_sku_deleted_after_the_preview(skus):
    preview = parse_stock_file(csv_file("SKU코드,수량\nTEE-01,8\nTEE-03,1\n"))
    assert preview.ok
    skus[2].delete()

    with pytest.raises(CatalogError):
        apply_stock_import(rows=preview.raw_rows(), actor=None, reference=new_import_reference())

    assert SKU.objects.get(code="TEE-01").stock_quantity == 5
    assert not StockMovement.objects.exists()


def test_apply_uses_the_stock_at_apply_time_for_the_ledger(skus):
    preview = parse_stock_file(csv_file("SKU코드,수량\nTEE-01,8\n"))
    reserve_stock(items=[(skus[0].pk, 2)], reference="ORDER-1")  # 5 → 3 meanwhile

    apply_stock_import(rows=preview.raw_rows(), actor=None, reference="IMPORT-1")

    movement = StockMovement.objects.get(reason=Reason.IMPORTED)
    assert (movement.delta, movement.quantity_after) == (5, 8)


def test_apply_the_same_batch_twice_is_refused(skus):
    rows = [[2, "TEE-01", "8"]]
    apply_stock_import(rows=rows, actor=None, reference="IMPORT-1")

    with pytest.raises(CatalogError):
        apply_stock_import(rows=[[2, "TEE-01", "9"]], actor=None, reference="IMPORT-1")

    assert SKU.objects.get(code="TEE-01").stock_quantity == 8


@pytest.mark.django_db
def test_ten_thousand_rows_parse_and_apply(capsys):
    product = ProductFactory()
    SKU.objects.bulk_create([SKU(product=product, code=f"BULK-{n:05d}", stock_quantity=1) for n in range(10_000)])
    rows = [["SKU코드", "수량"]] + [[f"BULK-{n:05d}", n % 50] for n in range(10_000)]
    upload = xlsx_file(rows)

    started = time.perf_counter()
    preview = parse_stock_file(upload)
    parsed = time.perf_counter()
    apply_stock_import(rows=preview.raw_rows(), actor=None, reference="IMPORT-BULK")
    applied = time.perf_counter()

    with capsys.disabled():
        print(f"\n10,000-row xlsx: parse+validate {parsed - started:.2f}s, apply {applied - parsed:.2f}s")
    assert preview.ok and preview.total == 10_000
    assert StockMovement.objects.filter(reference="IMPORT-BULK").count() == 10_000
    assert SKU.objects.get(code="BULK-00049").stock_quantity == 49
