"""One spreadsheet kit for every Excel/CSV upload: stock counts, waybills, product registration.

What every upload needs, done once:

- ``read_table``: the upload's bytes (size-capped), recognised by content (.xlsx by its zip
  signature, old .xls refused, CSV in UTF-8 with or without BOM or CP949/EUC-KR as Korean Excel
  saves it), the first non-blank row taken as the header and mapped to field names through
  aliases (spaces, ``_`` and ``-`` ignored, case-insensitive), each data row as
  ``[row number, text of field 1, text of field 2, ...]``; a file that cannot be used as a whole
  raises ``SpreadsheetError`` with a message for the person who uploaded it.
- ``cell_text``: a cell as the person sees it (12.0 from Excel is "12").
- ``chunks`` / ``lookup_in_chunks``: bulk lookups that never build a query per row nor a
  query with 100,000 parameters.
- ``Verdicts``: the per-row results of a validation with the counts a preview shows.
- ``UploadStore``: an upload kept between its steps (preview, apply) in the cache, owned by one
  person, with its progress for the progress bar while Celery works on it.
"""

from __future__ import annotations

import csv
import io
import re
import time
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import DomainError

DEFAULT_MAX_BYTES = 10 * 2**20
DEFAULT_MAX_ROWS = 20_000
LOOKUP_CHUNK = 1000
STORE_SECONDS = 2 * 60 * 60
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SpreadsheetError(DomainError):
    """The uploaded file cannot be used as a whole (not a table, empty, wrong columns, too big)."""


def _error(message: str) -> SpreadsheetError:
    return SpreadsheetError(message, code="spreadsheet_file")


# --- Cells and headers ------------------------------------------------------------------------

def cell_text(value) -> str:
    """A cell as the text a person sees: 12.0 from Excel becomes "12", None becomes ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()
    return str(value).strip()


def header_key(text: str) -> str:
    """A header cell reduced to what people mean: "SKU 코드", "sku_code" and "SKU-code" match."""
    return re.sub(r"[\s_\-]", "", str(text)).lower().lstrip("\ufeff")


def map_headers(values: Sequence[str], aliases: Mapping[str, str]) -> dict[str, int]:
    """Field name → column index, from a header row and ``aliases`` (header key → field name).

    The first column that names a field wins (a file may repeat a header).
    """
    keyed = {header_key(alias): name for alias, name in aliases.items()}
    columns: dict[str, int] = {}
    for index, text in enumerate(values):
        name = keyed.get(header_key(text))
        if name and name not in columns:
            columns[name] = index
    return columns


# --- Reading a file ---------------------------------------------------------------------------

@dataclass
class Messages:
    """The whole-file refusals, worded for each upload (the waybill page names its own file)."""

    not_a_table: str = ""
    missing_columns: str = ""  # %(columns)s and %(missing)s
    no_rows: str = ""
    csv_allowed: bool = True

    def __post_init__(self):
        self.not_a_table = self.not_a_table or (
            _("This is not an Excel (.xlsx) or CSV file.") if self.csv_allowed else
            _("This is not an Excel file."))
        self.missing_columns = self.missing_columns or _(
            "The header row needs the columns %(columns)s. Missing: %(missing)s.")
        self.no_rows = self.no_rows or _("The file has a header row but no data rows.")


def read_bytes(file, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The upload's content, refused when larger than ``max_bytes``."""
    too_big = _("The file is larger than %(megabytes)s MB.") % {"megabytes": max_bytes // 2**20}
    if hasattr(file, "seek"):
        file.seek(0)
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise _error(too_big)
    data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _error(too_big)
    return data


def decode_text(data: bytes, *, not_a_table: str) -> str:
    """CSV bytes as text: UTF-8 (with or without BOM), else CP949 (what Korean Excel writes)."""
    if b"\x00" in data:
        raise _error(not_a_table)
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError:
            raise _error(not_a_table) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp949")  # a superset of EUC-KR
    except UnicodeDecodeError:
        raise _error(_("The file's text encoding was not recognised. Save it as CSV UTF-8 or as .xlsx.")) from None


def _xlsx_rows(data: bytes, *, sheet_name: str = "") -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (zip, XML, KeyError) for a damaged file
        raise _error(_("This Excel file could not be read. Save it again as .xlsx and retry.")) from None
    try:
        if sheet_name and sheet_name in workbook.sheetnames:
            sheet = workbook[sheet_name]
        else:
            sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(v) for v in values]
    finally:
        workbook.close()


def _csv_rows(data: bytes, *, not_a_table: str) -> Iterator[tuple[int, list[str]]]:
    text = decode_text(data, not_a_table=not_a_table)
    if any(ord(ch) < 32 and ch not in "\r\n\t" for ch in text[:4096]):
        raise _error(not_a_table)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for number, values in enumerate(reader, start=1):
            yield number, [v.strip() for v in values]
    except csv.Error:
        raise _error(not_a_table) from None


def table_rows(data: bytes, filename: str, *, messages: Messages,
               sheet_name: str = "") -> Iterator[tuple[int, list[str]]]:
    """(row number as Excel shows it, cell texts) of the file, recognised by its content."""
    lower = (filename or "").lower()
    if data.startswith(b"PK\x03\x04"):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise _error(messages.not_a_table)
        return _xlsx_rows(data, sheet_name=sheet_name)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _error(_("Old Excel files (.xls) are not supported. Save the file as .xlsx and upload it again."))
    if not messages.csv_allowed:
        raise _error(messages.not_a_table)
    if lower.endswith((".xlsx", ".xlsm")):
        raise _error(_("This Excel file could not be read. Save it again as .xlsx and retry."))
    if lower and not lower.endswith((".csv", ".txt", ".tsv")):
        raise _error(messages.not_a_table)
    return _csv_rows(data, not_a_table=messages.not_a_table)


@dataclass
class Table:
    """The data rows of a file: ``[row number, text of each field in ``fields`` order]``."""

    fields: list[str]
    rows: list[list]
    filename: str = ""
    header: list[str] = field(default_factory=list)
    skipped: int = 0


def read_table(
    file,
    *,
    aliases: Mapping[str, str],
    required: Mapping[str, str],
    fields: Sequence[str] | None = None,
    keep: Callable[[dict[str, str]], bool] | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    messages: Messages | None = None,
    sheet_name: str = "",
) -> Table:
    """Read an uploaded table. Changes nothing.

    ``aliases`` maps every accepted header text to a field name; ``required`` maps the fields
    that must be there to the header the person knows them by. ``fields`` fixes the order of
    the texts in each row (default: the aliases' field names in order of first appearance).
    Blank rows are skipped, and rows for which ``keep(texts by field)`` is false are counted
    as skipped. Raises SpreadsheetError for a file that cannot be used as a whole.
    """
    messages = messages or Messages()
    fields = list(fields or dict.fromkeys(aliases.values()))
    filename = getattr(file, "name", "") or ""
    data = read_bytes(file, max_bytes=max_bytes)
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise _error(_("The file is empty."))
    columns: dict[str, int] | None = None
    header: list[str] = []
    rows: list[list] = []
    skipped = 0
    for number, values in table_rows(data, filename, messages=messages, sheet_name=sheet_name):
        if not any(values):
            continue
        if columns is None:
            header = values
            columns = map_headers(values, aliases)
            missing = [label for name, label in required.items() if name not in columns]
            if missing:
                raise _error(messages.missing_columns % {"columns": ", ".join(required.values()),
                                                         "missing": ", ".join(missing)})
            continue
        texts = {name: (values[index] if index < len(values) else "") for name, index in columns.items()}
        if not any(texts.values()) or (keep is not None and not keep(texts)):
            skipped += 1
            continue
        if len(rows) >= max_rows:
            raise _error(_("The file has more than %(max)s rows. Split it into smaller files.")
                         % {"max": f"{max_rows:,}"})
        rows.append([number, *(texts.get(name, "") for name in fields)])
    if columns is None:
        raise _error(_("The file is empty."))
    if not rows:
        raise _error(messages.no_rows)
    return Table(fields=fields, rows=rows, filename=filename, header=header, skipped=skipped)


# --- Validation helpers -------------------------------------------------------------------------

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")


def parse_whole_number(text: str, *, minimum: int | None = None, maximum: int | None = None,
                       label: str = "") -> tuple[int | None, str]:
    """A whole number as people type it ("12,900", "12900", "12900.0", "12,900원"): (value, error)."""
    cleaned = (text or "").strip().removesuffix("원").strip()
    if _THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(",", "")
    name = label or _("The value")
    if not cleaned:
        return None, _("%(name)s is missing.") % {"name": name}
    if not re.fullmatch(r"[+-]?\d+(\.0+)?", cleaned):
        return None, _("%(name)s must be a whole number.") % {"name": name}
    value = int(cleaned.split(".")[0])
    if minimum is not None and value < minimum:
        return None, _("%(name)s must be at least %(min)s.") % {"name": name, "min": f"{minimum:,}"}
    if maximum is not None and value > maximum:
        return None, _("%(name)s cannot exceed %(max)s.") % {"name": name, "max": f"{maximum:,}"}
    return value, ""


def chunks(values: Sequence, size: int = LOOKUP_CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def lookup_in_chunks(queryset, field_name: str, values: Iterable, *, size: int = LOOKUP_CHUNK,
                     key: Callable | None = None) -> dict:
    """The rows of ``queryset`` whose ``field_name`` is in ``values``, by that field (or ``key(row)``)."""
    found: dict = {}
    ordered = sorted(set(values))
    for chunk in chunks(ordered, size):
        for row in queryset.filter(**{f"{field_name}__in": chunk}):
            found[key(row) if key else getattr(row, field_name)] = row
    return found


def duplicates(rows: Iterable, key: Callable) -> dict:
    """key → row numbers, for the keys that more than one row carries (``row.row_number``)."""
    seen: dict = {}
    for row in rows:
        value = key(row)
        if value in (None, ""):
            continue
        seen.setdefault(value, []).append(row.row_number)
    return {value: numbers for value, numbers in seen.items() if len(numbers) > 1}


@dataclass
class Verdicts:
    """The rows of a validation (each with ``row_number`` and ``error``) and what a preview counts."""

    rows: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.error)

    @property
    def ok_count(self) -> int:
        return self.total - self.error_count

    @property
    def ok(self) -> bool:
        return bool(self.rows) and self.error_count == 0

    def errors(self) -> list:
        return [row for row in self.rows if row.error]

    def first_error_message(self) -> str:
        """"N rows have errors (row R: message)" for an all-or-nothing refusal."""
        errors = self.errors()
        if not errors:
            return ""
        first = errors[0]
        return _("%(count)s rows have errors (row %(row)s: %(error)s).") % {
            "count": len(errors), "row": first.row_number, "error": first.error}


# --- An upload between its steps ------------------------------------------------------------------
# Phases: uploaded → validating → validated → (queued →) applying → applied (or failed).

FINISHED_PHASES = ("validated", "applied", "failed")


class UploadStore:
    """Uploads of one kind kept in the cache between preview and apply, owned by one person.

    ``namespace`` separates kinds ("waybill-import", "product-registration"); the reference
    carries ``prefix`` and the date so a person can quote it.
    """

    def __init__(self, namespace: str, *, prefix: str, seconds: int = STORE_SECONDS):
        self.namespace = namespace
        self.prefix = prefix
        self.seconds = seconds

    def _key(self, reference: str, part: str) -> str:
        return f"{self.namespace}:{reference}:{part}"

    def new_reference(self) -> str:
        return f"{self.prefix}-{timezone.localdate():%Y%m%d}-{uuid.uuid4().hex[:10]}"

    def store(self, *, raw_rows: list[list], filename: str, owner_id: int, **extra) -> str:
        """Keep the rows of an upload; returns its reference. ``extra`` travels with it (e.g. a seller id)."""
        reference = self.new_reference()
        cache.set(self._key(reference, "upload"),
                  {"rows": raw_rows, "filename": filename[:120], "owner": owner_id, **extra}, self.seconds)
        self.set_progress(reference, phase="uploaded", done=0, total=len(raw_rows), owner=owner_id)
        return reference

    def load(self, reference: str, *, owner_id: int | None = None) -> dict | None:
        """The stored upload, or None when it expired, was applied, or belongs to someone else."""
        stored = cache.get(self._key(reference, "upload"))
        if not stored or (owner_id is not None and stored.get("owner") != owner_id):
            return None
        return stored

    def forget(self, reference: str) -> None:
        cache.delete(self._key(reference, "upload"))

    def set_progress(self, reference: str, **values) -> dict:
        state = cache.get(self._key(reference, "progress")) or {}
        state.update(values)
        cache.set(self._key(reference, "progress"), state, self.seconds)
        return state

    def get_progress(self, reference: str) -> dict:
        return cache.get(self._key(reference, "progress")) or {}

    def save_result(self, reference: str, result) -> None:
        cache.set(self._key(reference, "validation"), result, self.seconds)

    def load_result(self, reference: str):
        return cache.get(self._key(reference, "validation"))

    def claim_apply(self, reference: str) -> bool:
        """True once per upload: a second apply (double submit, task run twice) gets False."""
        return cache.add(self._key(reference, "apply-lock"), 1, self.seconds)

    def release_apply(self, reference: str) -> None:
        cache.delete(self._key(reference, "apply-lock"))

    def progress_reporter(self, reference: str, *, every_seconds: float = 0.5) -> Callable[[int, int], None]:
        """A ``progress(done, total)`` callback that writes to the cache at most every ``every_seconds``."""
        last = [0.0]

        def report(done: int, total: int) -> None:
            now = time.monotonic()
            if done >= total or now - last[0] >= every_seconds:
                last[0] = now
                self.set_progress(reference, done=done, total=total)

        return report


def progress_payload(progress: dict, *, next_url: str = "") -> dict:
    """What a progress page and its JSON poll show."""
    phase = progress.get("phase", "")
    total, done = progress.get("total") or 0, progress.get("done") or 0
    finished = phase in FINISHED_PHASES
    return {"phase": phase, "done": done, "total": total, "finished": finished,
            "percent": 100 if finished else (int(done * 100 / total) if total else 0),
            "next_url": next_url if finished else ""}


def xlsx_response_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
