"""The spreadsheet kit shared by the stock import, the waybill upload and product registration."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core import spreadsheets
from core.spreadsheets import SpreadsheetError

ALIASES = {"SKU코드": "code", "sku_code": "code", "수량": "quantity", "quantity": "quantity", "메모": "note"}
REQUIRED = {"code": "SKU코드", "quantity": "수량"}


def xlsx(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(data: bytes, name: str, **kwargs):
    return spreadsheets.read_table(SimpleUploadedFile(name, data), aliases=ALIASES, required=REQUIRED, **kwargs)


def test_xlsx_rows_come_with_their_excel_row_numbers_and_cell_text():
    table = read(xlsx([["메모", "SKU 코드", "수량"], [None, None, None], ["a", "TEE-01", 12.0], ["", "TEE-02", 3]]),
                 "count.xlsx")
    assert table.fields == ["code", "quantity", "note"]
    assert table.rows == [[3, "TEE-01", "12", "a"], [4, "TEE-02", "3", ""]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949"])
def test_csv_in_each_encoding_korean_excel_writes(encoding):
    table = read("SKU코드;수량;메모\r\n티셔츠-01;5;한글 메모\r\n".encode(encoding), "count.csv")
    assert table.rows == [[2, "티셔츠-01", "5", "한글 메모"]]


def test_keep_skips_rows_and_counts_them():
    table = read(xlsx([["SKU코드", "수량"], ["A", ""], ["B", "1"]]), "x.xlsx", keep=lambda texts: bool(texts["quantity"]))
    assert table.rows == [[3, "B", "1", ""]] and table.skipped == 1


@pytest.mark.parametrize(("data", "name", "kwargs", "message"), [
    (b"", "x.csv", {}, "empty"),
    (b"\xd0\xcf\x11\xe0 old", "x.xls", {}, ".xls"),
    (b"PK\x03\x04 broken", "x.xlsx", {}, "not an Excel"),
    (b"%PDF-1.4", "x.pdf", {}, "not an Excel"),
    (b"code,amount\nA,1\n", "x.csv", {}, "Missing: SKU코드, 수량"),
    (b"SKU\xc4\xda\xb5\xe5,qty\n", "x.csv", {}, "Missing"),
    ("SKU코드,수량\n".encode(), "x.csv", {}, "no data rows"),
    ("SKU코드,수량\nA,1\nB,2\n".encode(), "x.csv", {"max_rows": 1}, "more than 1 rows"),
    ("SKU코드,수량\nA,1\n".encode(), "x.csv", {"max_bytes": 10}, "larger than"),
    ("SKU코드,수량\nA,1\n".encode(), "x.csv",
     {"messages": spreadsheets.Messages(csv_allowed=False, not_a_table="xlsx only", missing_columns="-", no_rows="-")},
     "xlsx only"),
])
def test_files_unusable_as_a_whole_are_refused(data, name, kwargs, message):
    with pytest.raises(SpreadsheetError) as caught:
        read(data, name, **kwargs)
    assert message in caught.value.message


@pytest.mark.parametrize(("text", "expected"), [
    ("12,900", (12900, "")), ("12900원", (12900, "")), ("12900.0", (12900, "")), ("-5", (None, "at least 0")),
    ("1.5", (None, "whole number")), ("", (None, "missing")), ("2,000,000", (None, "cannot exceed")),
])
def test_whole_numbers_as_people_type_them(text, expected):
    value, error = spreadsheets.parse_whole_number(text, minimum=0, maximum=1_000_000, label="수량")
    assert value == expected[0]
    assert (expected[1] in error) if expected[1] else error == ""


def test_chunks_and_verdicts():
    assert [list(chunk) for chunk in spreadsheets.chunks(list(range(5)), 2)] == [[0, 1], [2, 3], [4]]

    class Row:
        def __init__(self, row_number, error=""):
            self.row_number, self.error = row_number, error

    verdicts = spreadsheets.Verdicts(rows=[Row(2), Row(3, "bad"), Row(4, "worse")])
    assert (verdicts.total, verdicts.error_count, verdicts.ok_count, verdicts.ok) == (3, 2, 1, False)
    assert verdicts.first_error_message() == "2 rows have errors (row 3: bad)."
    assert spreadsheets.duplicates([Row(2), Row(3), Row(4)], key=lambda row: row.row_number % 2) == {0: [2, 4]}


@pytest.mark.django_db
def test_lookup_in_chunks_finds_every_row():
    from tests.catalog.factories import SKUFactory

    skus = [SKUFactory(code=f"K-{n:03d}") for n in range(7)]
    from catalog.models import SKU

    found = spreadsheets.lookup_in_chunks(SKU.objects.all(), "code", [sku.code for sku in skus] + ["NOPE"], size=3)
    assert sorted(found) == sorted(sku.code for sku in skus)


def test_upload_store_keeps_an_upload_for_its_owner_and_applies_once():
    store = spreadsheets.UploadStore("test-kit", prefix="TK")
    reference = store.store(raw_rows=[[2, "A", "1"]], filename="a.xlsx", owner_id=7, seller=3)
    assert reference.startswith("TK-")
    assert store.load(reference, owner_id=7)["seller"] == 3
    assert store.load(reference, owner_id=8) is None
    assert store.get_progress(reference) == {"phase": "uploaded", "done": 0, "total": 1, "owner": 7}
    assert store.claim_apply(reference) is True and store.claim_apply(reference) is False
    report = store.progress_reporter(reference, every_seconds=3600)
    report(1, 1)
    assert store.get_progress(reference)["done"] == 1
    assert spreadsheets.progress_payload({"phase": "applying", "done": 1, "total": 4}) == {
        "phase": "applying", "done": 1, "total": 4, "finished": False, "percent": 25, "next_url": ""}
    store.forget(reference)
    assert store.load(reference) is None
