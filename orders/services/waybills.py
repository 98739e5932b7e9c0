"""Waybills by Excel (seed 002): download the lines to ship, upload the courier numbers back.

The operator downloads the PREPARING lines as an .xlsx that a courier's label program takes
(one row per line), prints labels there, and uploads the same sheet back with 택배사 and
송장번호 filled in. The upload is read (whole-file errors stop it), every row is validated
with bulk lookups and shown in a preview, and only a file without row errors is applied: in
one transaction, with the lines locked and the rows validated again, calling ``set_waybill``
for each row. Files over ``ASYNC_THRESHOLD`` rows are validated and applied by Celery tasks
that report their progress in the cache.
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import spreadsheets
from core.exceptions import DomainError
from orders.exceptions import OrderError
from orders.models import Courier, OrderLine

from .fulfilment import check_line_access, set_waybills

logger = logging.getLogger(__name__)

S = OrderLine.Status

# The sheet's columns, in the order courier label programs (CJ, 한진, 롯데 …) map by name.
HEADERS = ("주문번호", "주문상품번호", "받는분", "받는분 전화번호", "우편번호", "주소", "상품명", "옵션", "수량",
           "배송메세지", "택배사", "송장번호")
COLUMN_WIDTHS = (18, 12, 10, 16, 8, 50, 36, 20, 6, 30, 12, 18)
# Header names accepted on upload (spaces ignored, case-insensitive) → the field they fill.
HEADER_ALIASES = {
    "주문번호": "order_number", "order_number": "order_number", "ordernumber": "order_number",
    "주문상품번호": "line_id", "상품주문번호": "line_id", "line_id": "line_id", "lineid": "line_id",
    "택배사": "courier", "택배사코드": "courier", "courier": "courier",
    "송장번호": "waybill", "운송장번호": "waybill", "waybill": "waybill", "waybill_number": "waybill",
    "waybillnumber": "waybill",
}
REQUIRED_FIELDS = {"line_id": "주문상품번호", "courier": "택배사", "waybill": "송장번호"}
UPLOADABLE_STATUSES = (S.PREPARING, S.READY_TO_SHIP)
MAX_BYTES = 10 * 2**20
MAX_ROWS = 20_000
ASYNC_THRESHOLD = 500
LOOKUP_CHUNK = 2000
STORE_SECONDS = 2 * 60 * 60


class WaybillFileError(OrderError):
    """The uploaded file cannot be used as a whole (not Excel, empty, wrong columns, too big)."""


class WaybillImportError(OrderError):
    """The rows did not pass validation at apply time: nothing was applied."""


@dataclass
class WaybillRow:
    """One data row of an upload: what the file says, what it refers to, and its verdict."""

    row_number: int
    order_number_text: str = ""
    line_id_text: str = ""
    courier_text: str = ""
    waybill_text: str = ""
    line_id: int | None = None
    order_number: str = ""
    product_name: str = ""
    option_label: str = ""
    recipient: str = ""
    status: str = ""
    courier_code: str = ""
    courier_name: str = ""
    waybill_number: str = ""
    unchanged: bool = False
    error: str = ""

    def as_raw(self) -> list:
        return [self.row_number, self.order_number_text, self.line_id_text, self.courier_text, self.waybill_text]


@dataclass
class ValidationSummary:
    rows: list[WaybillRow] = field(default_factory=list)
    skipped: int = 0

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.error)

    @property
    def unchanged_count(self) -> int:
        return sum(1 for row in self.rows if row.unchanged and not row.error)

    @property
    def to_apply(self) -> list[WaybillRow]:
        return [row for row in self.rows if not row.error and not row.unchanged]


# --- Download ------------------------------------------------------------------------------

def build_waybill_workbook(*, lines: Iterable[OrderLine]) -> bytes:
    """The lines as an .xlsx: one row per line, 택배사 and 송장번호 left empty (typed as text)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("송장")
    for index, width in enumerate(COLUMN_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF4E0")
    header = []
    for index, name in enumerate(HEADERS):
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        if index >= len(HEADERS) - 2:
            cell.fill = fill  # the two columns the operator fills in
        header.append(cell)
    sheet.append(header)
    for line in lines:
        order = line.order
        courier_cell = WriteOnlyCell(sheet, value=None)
        courier_cell.number_format = "@"
        number_cell = WriteOnlyCell(sheet, value=None)
        number_cell.number_format = "@"  # text: Excel must not turn a 12-digit number into 1.23E+11
        sheet.append([
            order.number, line.pk, order.recipient, order.recipient_phone, order.postcode,
            " ".join(part for part in (order.address1, order.address2) if part), line.product_name,
            line.option_label, line.quantity, order.delivery_request, courier_cell, number_cell,
        ])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def waybill_filename() -> str:
    return f"waybills-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


# --- Reading an upload -----------------------------------------------------------------------

def _file_error(message: str) -> WaybillFileError:
    return WaybillFileError(message, code="waybill_file")


def _header_key(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def read_waybill_file(file) -> list[list]:
    """The data rows of an uploaded .xlsx as [row number, order number, line id, courier, waybill].

    Rows without both a courier and a waybill are left out (lines the operator did not
    label yet). Raises WaybillFileError when the file cannot be used as a whole. Changes nothing.
    """
    messages = spreadsheets.Messages(
        csv_allowed=False,
        not_a_table=_("This is not an Excel file. Upload the .xlsx you downloaded, with the waybills filled in."),
        missing_columns=_("The first row must name the columns %(columns)s (as in the downloaded file). "
                          "Missing: %(missing)s."),
        no_rows=_("No row has a courier and a waybill number. Fill in 택배사 and 송장번호 and upload again."),
    )
    try:
        table = spreadsheets.read_table(
            file, aliases=HEADER_ALIASES, required=REQUIRED_FIELDS,
            fields=["order_number", "line_id", "courier", "waybill"],
            keep=lambda texts: bool(texts.get("courier") or texts.get("waybill")),  # not labelled yet: skipped
            max_rows=MAX_ROWS, max_bytes=MAX_BYTES, messages=messages,
        )
    except spreadsheets.SpreadsheetError as error:
        raise _file_error(error.message) from None
    return table.rows


# --- Validation ------------------------------------------------------------------------------

def _courier_index() -> dict[str, Courier]:
    index: dict[str, Courier] = {}
    for courier in Courier.objects.filter(is_active=True):
        index[_header_key(courier.code)] = courier
        index[_header_key(courier.name)] = courier
    return index


def _chunks(values: Sequence, size: int = LOOKUP_CHUNK):
    return spreadsheets.chunks(values, size)


def normalize_waybill(text: str) -> str:
    return re.sub(r"[\s-]", "", text or "")


def validate_waybill_rows(raw_rows: Sequence[Sequence]) -> ValidationSummary:
    """Check every row against the database with a few bulk queries (never one per row)."""
    rows = [WaybillRow(row_number=int(r[0]), order_number_text=str(r[1] or ""), line_id_text=str(r[2] or ""),
                       courier_text=str(r[3] or ""), waybill_text=str(r[4] or "")) for r in raw_rows]
    couriers = _courier_index()
    for row in rows:
        text = row.line_id_text.strip()
        if re.fullmatch(r"\d{1,18}", text):
            row.line_id = int(text)
    ids = sorted({row.line_id for row in rows if row.line_id})
    lines: dict[int, OrderLine] = {}
    for chunk in _chunks(ids):
        for line in (OrderLine.objects.filter(pk__in=chunk).select_related("order")
                     .only("id", "status", "product_name", "option_label", "courier_id", "waybill_number",
                           "order_id", "order__number", "order__recipient")):
            lines[line.pk] = line
    # Normalise the courier and the number first: the duplicate checks need them.
    for row in rows:
        courier = couriers.get(_header_key(row.courier_text)) if row.courier_text else None
        if courier:
            row.courier_code, row.courier_name = courier.code, courier.name
        row.waybill_number = normalize_waybill(row.waybill_text)
    numbers = sorted({row.waybill_number for row in rows if row.waybill_number})
    used: dict[tuple[int, str], set[int]] = defaultdict(set)  # (courier id, number) → order ids in the database
    for chunk in _chunks(numbers):
        for courier_id, number, order_id in OrderLine.objects.filter(waybill_number__in=chunk).exclude(
                courier=None).values_list("courier_id", "waybill_number", "order_id"):
            used[(courier_id, number)].add(order_id)
    courier_ids = {courier.code: courier.pk for courier in couriers.values()}
    in_file: dict[tuple[str, str], set[int]] = defaultdict(set)  # (courier code, number) → order ids in the file
    for row in rows:
        line = lines.get(row.line_id) if row.line_id else None
        if line is not None and row.courier_code and row.waybill_number:
            in_file[(row.courier_code, row.waybill_number)].add(line.order_id)
    seen_lines: dict[int, int] = {}
    status_labels = dict(S.choices)
    for row in rows:
        line = lines.get(row.line_id) if row.line_id else None
        if line is not None:
            row.order_number = line.order.number
            row.product_name, row.option_label = line.product_name, line.option_label
            row.recipient, row.status = line.order.recipient, line.status
        row.error = _row_error(row, line, couriers, courier_ids, used, in_file, seen_lines, status_labels)
        if not row.error and line.status == S.READY_TO_SHIP and line.waybill_number == row.waybill_number \
                and line.courier_id == courier_ids.get(row.courier_code):
            row.unchanged = True
        if line is not None and row.line_id not in seen_lines:
            seen_lines[row.line_id] = row.row_number
    return ValidationSummary(rows=rows)


def _row_error(row, line, couriers, courier_ids, used, in_file, seen_lines, status_labels) -> str:
    if not row.line_id_text.strip():
        return _("주문상품번호 is empty.")
    if row.line_id is None:
        return _("“%(value)s” is not a line number (주문상품번호).") % {"value": row.line_id_text}
    if line is None:
        return _("There is no order line %(line)s.") % {"line": row.line_id}
    if row.line_id in seen_lines:
        return _("Line %(line)s is already on row %(row)s.") % {"line": row.line_id, "row": seen_lines[row.line_id]}
    if row.order_number_text and row.order_number_text.strip() != line.order.number:
        return _("Line %(line)s belongs to order %(number)s, not %(given)s.") % {
            "line": row.line_id, "number": line.order.number, "given": row.order_number_text}
    if line.status not in UPLOADABLE_STATUSES:
        return _("The line is “%(status)s”: a waybill can be entered only while it is preparing or ready to ship.") % {
            "status": status_labels.get(line.status, line.status)}
    if not row.courier_text:
        return _("택배사 is empty.")
    if not row.courier_code:
        return _("Unknown courier “%(courier)s”.") % {"courier": row.courier_text}
    if not row.waybill_number:
        return _("송장번호 is empty.")
    courier = couriers[_header_key(row.courier_code)]
    if not re.fullmatch(courier.waybill_pattern, row.waybill_number):
        return _("“%(number)s” is not a valid %(courier)s waybill number.") % {
            "number": row.waybill_text, "courier": courier.name}
    key = (row.courier_code, row.waybill_number)
    if len(in_file[key]) > 1:
        return _("Waybill %(number)s is given to more than one order in this file.") % {"number": row.waybill_number}
    if used.get((courier_ids[row.courier_code], row.waybill_number), set()) - {line.order_id}:
        return _("Waybill %(number)s is already used for another order.") % {"number": row.waybill_number}
    return ""


# --- Apply -----------------------------------------------------------------------------------

@dataclass
class ApplyResult:
    applied: int
    unchanged: int


@transaction.atomic
def apply_waybill_rows(*, raw_rows: Sequence[Sequence], actor,
                       progress: Callable[[int, int], None] | None = None) -> ApplyResult:
    """Set the waybill of every row, all or nothing.

    The lines are locked (ascending id, in chunks) and the rows validated again under the
    locks; any row error raises WaybillImportError and nothing changes. Each row then goes
    through ``set_waybill`` (PREPARING → READY_TO_SHIP, or a corrected waybill), audited.
    """
    if not raw_rows:
        raise WaybillImportError(_("There is nothing to apply."), code="waybill_empty")
    ids = sorted({int(r[2]) for r in raw_rows if re.fullmatch(r"\d{1,18}", str(r[2] or "").strip())})
    for chunk in _chunks(ids):
        list(OrderLine.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values_list("pk", flat=True))
    summary = validate_waybill_rows(raw_rows)
    errors = [row for row in summary.rows if row.error]
    if errors:
        first = errors[0]
        raise WaybillImportError(
            _("Nothing was applied: %(count)s rows have errors (row %(row)s: %(error)s).")
            % {"count": len(errors), "row": first.row_number, "error": first.error}, code="waybill_rows")
    rows = summary.to_apply
    total = len(rows)
    couriers = _courier_index()
    done = 0
    for chunk in _chunks(rows, 1000):
        try:
            set_waybills(rows=[(row.line_id, couriers[_header_key(row.courier_code)].pk, normalize_waybill(row.waybill_number))
                               for row in chunk], actor=actor)
        except DomainError as error:
            raise WaybillImportError(_("Nothing was applied: %(error)s") % {"error": error.message},
                                     code="waybill_rows") from error
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    return ApplyResult(applied=total, unchanged=summary.unchanged_count)


# --- An upload between its steps (kept in the cache, owned by one operator) ---------------------
# Phases: uploaded → validating → validated → applying → applied (or failed).

STORE = spreadsheets.UploadStore("waybill-import", prefix="WB", seconds=STORE_SECONDS)


def new_reference() -> str:
    return STORE.new_reference()


def store_upload(*, raw_rows: list[list], filename: str, owner_id: int) -> str:
    return STORE.store(raw_rows=raw_rows, filename=filename, owner_id=owner_id)


def load_upload(reference: str, *, owner_id: int) -> dict | None:
    return STORE.load(reference, owner_id=owner_id)


def set_progress(reference: str, **values) -> dict:
    return STORE.set_progress(reference, **values)


def get_progress(reference: str) -> dict:
    return STORE.get_progress(reference)


def load_validation(reference: str) -> ValidationSummary | None:
    stored = STORE.load_result(reference)
    if stored is None:
        return None
    return ValidationSummary(rows=[WaybillRow(**row) for row in stored["rows"]])


def run_validation(*, reference: str) -> ValidationSummary | None:
    """Validate a stored upload and keep the verdicts for the preview (the task's body)."""
    stored = STORE.load(reference)
    if stored is None:
        return None
    started = time.monotonic()
    set_progress(reference, phase="validating", done=0, total=len(stored["rows"]))
    summary = validate_waybill_rows(stored["rows"])
    STORE.save_result(reference, {"rows": [asdict(row) for row in summary.rows]})
    set_progress(reference, phase="validated", done=len(summary.rows), total=len(summary.rows),
                 errors=summary.error_count)
    logger.info("waybill import %s validated: %s rows, %s errors in %.2fs", reference, len(summary.rows),
                summary.error_count, time.monotonic() - started)
    return summary


def run_apply(*, reference: str, actor) -> ApplyResult | None:
    """Apply a validated upload once (the task's body); the outcome is left in the progress."""
    stored = STORE.load(reference)
    if stored is None:
        set_progress(reference, phase="failed", message=_("The upload has expired. Upload the file again."))
        return None
    if not STORE.claim_apply(reference):
        return None  # already applying or applied: a repeated task changes nothing
    started = time.monotonic()
    total = len(stored["rows"])
    set_progress(reference, phase="applying", done=0, total=total)
    try:
        check_line_access(actor, OrderLine(seller_id=None), "orders.manage_fulfilment")
        result = apply_waybill_rows(raw_rows=stored["rows"], actor=actor,
                                    progress=lambda done, count: set_progress(reference, done=done, total=count))
    except DomainError as error:
        STORE.release_apply(reference)
        set_progress(reference, phase="failed", message=error.message)
        return None
    set_progress(reference, phase="applied", done=result.applied, total=result.applied, applied=result.applied,
                 unchanged=result.unchanged)
    STORE.forget(reference)
    logger.info("waybill import %s applied: %s lines in %.2fs", reference, result.applied, time.monotonic() - started)
    return result
