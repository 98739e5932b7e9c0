"""The stock ledger: every change of a SKU's stock goes through here and leaves a StockMovement.

Every function locks the SKU rows it changes (``select_for_update``). Functions that touch
several SKUs lock them in ascending id order, so two transactions taking the same SKUs in a
different order wait for each other instead of deadlocking.

The bulk stock import (warehouse counts in a CSV or Excel file) lives here too: parsing and
validation are pure functions of the file and the database, so the preview and the apply step
share them, and apply re-validates under row locks.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Sum
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.exceptions import CatalogError, OutOfStock
from catalog.models import SKU, StockMovement
from core import cache_versions, spreadsheets

Reason = StockMovement.Reason

# Reasons an operator may use with adjust_stock, and the sign each one's delta must have.
ADJUST_REASON_SIGNS = {Reason.RECEIVED: 1, Reason.RETURNED: 1, Reason.DAMAGED: -1}
SET_REASONS = {Reason.COUNTED, Reason.IMPORTED}
RELEASE_REASONS = {Reason.RELEASED, Reason.RETURNED}

# The largest stock one SKU may hold: far above any real warehouse count, far below the column limit.
MAX_STOCK_QUANTITY = 1_000_000

NOTE_MAX_LENGTH = StockMovement._meta.get_field("note").max_length
REFERENCE_MAX_LENGTH = StockMovement._meta.get_field("reference").max_length


def _actor_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def _sku_name(sku: SKU) -> str:
    return f"{sku.code} ({sku.option_label})" if sku.option_label else sku.code


def _lock_sku(sku_id: int) -> SKU:
    try:
        return SKU.objects.select_for_update().get(pk=sku_id)
    except SKU.DoesNotExist:
        raise CatalogError(_("This SKU does not exist."), code="unknown_sku") from None


def _out_of_stock(sku: SKU, *, wanted: int) -> OutOfStock:
    error = OutOfStock(
        _("Not enough stock for %(sku)s: %(stock)s in stock, %(wanted)s needed.")
        % {"sku": _sku_name(sku), "stock": sku.stock_quantity, "wanted": wanted},
        code="out_of_stock",
    )
    error.sku_id = sku.pk
    error.sku_code = sku.code
    error.available = sku.stock_quantity
    error.wanted = wanted
    return error


def _write(sku: SKU, *, new_quantity: int, reason: str, actor, note: str, reference: str) -> StockMovement:
    delta = new_quantity - sku.stock_quantity
    sku.stock_quantity = new_quantity
    sku.save(update_fields=["stock_quantity", "updated_at"])
    cache_versions.bump_for_stock_changes([(sku.product_id, new_quantity - delta, new_quantity)])
    return StockMovement.objects.create(
        sku=sku, reason=reason, delta=delta, quantity_after=new_quantity, actor=_actor_or_none(actor),
        note=(note or "")[:NOTE_MAX_LENGTH], reference=(reference or "")[:REFERENCE_MAX_LENGTH],
    )


@transaction.atomic
def adjust_stock(*, sku_id: int, delta: int, reason: str, actor, note: str = "", reference: str = "") -> StockMovement:
    """Add goods received (positive ``delta``) or write off damaged goods (negative ``delta``).

    ``reason`` is RECEIVED or RETURNED (delta > 0) or DAMAGED (delta < 0). Locks the SKU row;
    refuses with OutOfStock, changing nothing, when the stock would fall below zero.
    """
    sign = ADJUST_REASON_SIGNS.get(reason)
    if sign is None:
        raise CatalogError(_("This reason cannot be used to adjust stock."), code="invalid_reason")
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0 or (delta > 0) != (sign > 0):
        message = (_("Enter the number of units received.") if sign > 0
                   else _("Enter the number of damaged units."))
        raise CatalogError(message, code="invalid_quantity")
    sku = _lock_sku(sku_id)
    new_quantity = sku.stock_quantity + delta
    if new_quantity < 0:
        raise _out_of_stock(sku, wanted=-delta)
    if new_quantity > MAX_STOCK_QUANTITY:
        raise CatalogError(_("Stock cannot exceed %(max)s units.") % {"max": f"{MAX_STOCK_QUANTITY:,}"},
                           code="invalid_quantity")
    return _write(sku, new_quantity=new_quantity, reason=reason, actor=actor, note=note, reference=reference)


@transaction.atomic
def set_stock(*, sku_id: int, quantity: int, reason: str = Reason.COUNTED, actor, note: str = "",
              reference: str = "") -> StockMovement:
    """Set a SKU's stock to a counted ``quantity`` (재고실사); the ledger records the difference.

    A count that confirms the stock is recorded too (delta 0): it says someone counted.
    """
    if reason not in SET_REASONS:
        raise CatalogError(_("This reason cannot be used to set stock."), code="invalid_reason")
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise CatalogError(_("Enter the counted stock as a whole number."), code="invalid_quantity")
    if quantity < 0:
        raise CatalogError(_("Stock cannot be negative."), code="invalid_quantity")
    if quantity > MAX_STOCK_QUANTITY:
        raise CatalogError(_("Stock cannot exceed %(max)s units.") % {"max": f"{MAX_STOCK_QUANTITY:,}"},
                           code="invalid_quantity")
    sku = _lock_sku(sku_id)
    return _write(sku, new_quantity=quantity, reason=reason, actor=actor, note=note, reference=reference)


def _merge_items(items: Iterable[tuple[int, int]]) -> dict[int, int]:
    merged: dict[int, int] = defaultdict(int)
    for sku_id, quantity in items:
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise CatalogError(_("A quantity must be a whole number of at least 1."), code="invalid_quantity")
        merged[int(sku_id)] += quantity
    if not merged:
        raise CatalogError(_("Nothing to change: no items were given."), code="no_items")
    return dict(merged)


def _lock_skus_in_order(sku_ids: Iterable[int]) -> list[SKU]:
    """Lock the SKUs in ascending id order (PostgreSQL locks rows in the ORDER BY order)."""
    ids = sorted(set(sku_ids))
    skus = list(SKU.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(skus) != len(ids):
        raise CatalogError(_("This SKU does not exist."), code="unknown_sku")
    return skus


@transaction.atomic
def reserve_stock(*, items: Sequence[tuple[int, int]], reference: str, actor=None) -> list[StockMovement]:
    """Take stock for an order: ``items`` is a list of (sku_id, quantity); ``reference`` the order number.

    Locks the SKUs in ascending id order, checks them all, then decrements each and writes an
    ORDERED ledger row. When any SKU is short it raises OutOfStock naming that SKU (its
    ``sku_id``, ``sku_code``, ``available``, ``wanted`` attributes too) and changes nothing.
    """
    wanted = _merge_items(items)
    skus = _lock_skus_in_order(wanted)
    for sku in skus:
        if sku.stock_quantity < wanted[sku.pk]:
            raise _out_of_stock(sku, wanted=wanted[sku.pk])
    return _apply_deltas(skus, {pk: -qty for pk, qty in wanted.items()}, reason=Reason.ORDERED,
                         actor=actor, reference=reference)


@transaction.atomic
def release_stock(*, items: Sequence[tuple[int, int]], reference: str, actor=None,
                  reason: str = Reason.RELEASED, note: str = "") -> list[StockMovement]:
    """Give stock back: an unpaid order expired or was cancelled (RELEASED), or a return passed
    inspection (RETURNED). ``items`` is a list of (sku_id, quantity).

    A RELEASED release may give back at most what ORDERED rows with the same ``reference`` took
    and earlier releases have not yet returned, so a task that runs twice cannot create stock.
    Locks the SKUs in ascending id order.
    """
    if reason not in RELEASE_REASONS:
        raise CatalogError(_("This reason cannot be used to release stock."), code="invalid_reason")
    if not reference:
        raise CatalogError(_("A release needs the reference of the order it belongs to."), code="no_reference")
    back = _merge_items(items)
    skus = _lock_skus_in_order(back)
    if reason == Reason.RELEASED:
        outstanding = dict(
            StockMovement.objects.filter(sku_id__in=back, reference=reference,
                                         reason__in=[Reason.ORDERED, Reason.RELEASED])
            .values("sku_id").annotate(total=Sum("delta")).values_list("sku_id", "total")
        )
        for sku in skus:
            still_reserved = -(outstanding.get(sku.pk) or 0)
            if back[sku.pk] > still_reserved:
                raise CatalogError(
                    _("Cannot release %(quantity)s of %(sku)s for %(reference)s: only %(reserved)s are reserved.")
                    % {"quantity": back[sku.pk], "sku": _sku_name(sku), "reference": reference,
                       "reserved": max(still_reserved, 0)},
                    code="release_exceeds_reserved",
                )
    for sku in skus:
        if sku.stock_quantity + back[sku.pk] > MAX_STOCK_QUANTITY:
            raise CatalogError(_("Stock cannot exceed %(max)s units.") % {"max": f"{MAX_STOCK_QUANTITY:,}"},
                               code="invalid_quantity")
    return _apply_deltas(skus, back, reason=reason, actor=actor, reference=reference, note=note)


def _apply_deltas(skus: list[SKU], deltas: dict[int, int], *, reason: str, actor, reference: str,
                  note: str = "") -> list[StockMovement]:
    now = timezone.now()
    movements = []
    for sku in skus:
        sku.stock_quantity += deltas[sku.pk]
        sku.updated_at = now
        movements.append(StockMovement(
            sku=sku, reason=reason, delta=deltas[sku.pk], quantity_after=sku.stock_quantity,
            actor=_actor_or_none(actor), note=note[:NOTE_MAX_LENGTH], reference=reference[:REFERENCE_MAX_LENGTH],
        ))
    SKU.objects.bulk_update(skus, ["stock_quantity", "updated_at"])
    cache_versions.bump_for_sku_deltas(skus, deltas)
    return StockMovement.objects.bulk_create(movements)


# --- Bulk stock import ----------------------------------------------------------------------

IMPORT_MAX_ROWS = 20_000
IMPORT_MAX_BYTES = 10 * 1024 * 1024
IMPORT_HEADERS = ("SKU코드", "수량")  # what the template file carries
_CODE_HEADERS = {"sku코드", "skucode", "sku", "상품코드", "단품코드", "옵션코드"}
_QUANTITY_HEADERS = {"수량", "quantity", "qty", "재고", "재고수량", "stock"}
_LOOKUP_CHUNK = 1000
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+$")


@dataclass
class ImportRow:
    """One data row of an import file with its validation result."""

    row_number: int  # as Excel shows it (the header is row 1 when it is the first row)
    sku_code: str
    quantity_text: str
    quantity: int | None = None
    sku_id: int | None = None
    product_id: int | None = None
    product_name: str = ""
    option_label: str = ""
    current_quantity: int | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def delta(self) -> int | None:
        if self.quantity is None or self.current_quantity is None:
            return None
        return self.quantity - self.current_quantity


@dataclass
class ImportPreview(spreadsheets.Verdicts):
    """What an import file would do: every row with its result (counts from the spreadsheet kit's
    ``Verdicts``). Apply only when ``ok``."""

    rows: list[ImportRow] = field(default_factory=list)
    filename: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.rows) and self.error_count == 0

    def raw_rows(self) -> list[list]:
        """The rows as plain data (row number, code, quantity text) to keep between preview and apply."""
        return [[row.row_number, row.sku_code, row.quantity_text] for row in self.rows]


def _file_error(message: str) -> CatalogError:
    return CatalogError(message, code="import_file")


_ALIASES = {**{alias: "code" for alias in _CODE_HEADERS}, **{alias: "quantity" for alias in _QUANTITY_HEADERS}}


def _read_table(file) -> tuple[list[list], str]:
    """The file's data rows as [row number, code text, quantity text], header checked."""
    messages = spreadsheets.Messages(
        missing_columns=_("The header row needs the columns %(columns)s (or sku_code, quantity). Missing: %(missing)s."),
    )
    try:
        table = spreadsheets.read_table(
            file, aliases=_ALIASES, required=dict(zip(("code", "quantity"), IMPORT_HEADERS, strict=True)),
            fields=["code", "quantity"], max_rows=IMPORT_MAX_ROWS, max_bytes=IMPORT_MAX_BYTES, messages=messages,
        )
    except spreadsheets.SpreadsheetError as error:
        raise _file_error(error.message) from None
    return table.rows, table.filename


def _parse_quantity(text: str) -> tuple[int | None, str]:
    cleaned = text.strip()
    if _THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(",", "")
    if not cleaned:
        return None, _("The quantity is missing.")
    if re.fullmatch(r"[+-]?\d+(\.0+)?", cleaned):
        value = int(cleaned.split(".")[0])
        if value < 0:
            return None, _("The quantity cannot be negative.")
        if value > MAX_STOCK_QUANTITY:
            return None, _("The quantity cannot exceed %(max)s.") % {"max": f"{MAX_STOCK_QUANTITY:,}"}
        return value, ""
    return None, _("The quantity must be a whole number.")


def _find_skus(codes: set[str]) -> dict[str, SKU]:
    """SKUs by the code written in the file: exact match first, then ignoring case."""
    found: dict[str, SKU] = {}
    if not codes:
        return found
    base = SKU.objects.select_related("product").only(
        "id", "code", "option_label", "stock_quantity", "product__id", "product__name"
    )
    found.update(spreadsheets.lookup_in_chunks(base, "code", codes, size=_LOOKUP_CHUNK))
    missing = {code.upper(): code for code in codes if code not in found}
    if missing:
        by_upper: dict[str, list[SKU]] = defaultdict(list)
        for chunk in spreadsheets.chunks(sorted(missing), _LOOKUP_CHUNK):
            for sku in base.annotate(code_upper=Upper("code")).filter(code_upper__in=chunk):
                by_upper[sku.code_upper].append(sku)
        for upper, code in missing.items():
            if len(by_upper.get(upper, [])) == 1:
                found[code] = by_upper[upper][0]
    return found


def validate_stock_rows(raw_rows: Sequence[Sequence]) -> list[ImportRow]:
    """Check each (row number, SKU code, quantity text) row against the catalog. Changes nothing."""
    rows = [ImportRow(row_number=int(number), sku_code=str(code or "").strip(),
                      quantity_text=str(quantity if quantity is not None else "").strip())
            for number, code, quantity in raw_rows]
    skus = _find_skus({row.sku_code for row in rows if row.sku_code})
    for row in rows:
        row.quantity, quantity_error = _parse_quantity(row.quantity_text)
        sku = skus.get(row.sku_code)
        if sku is not None:
            row.sku_id, row.product_id = sku.pk, sku.product_id
            row.product_name, row.option_label = sku.product.name, sku.option_label
            row.current_quantity = sku.stock_quantity
        if not row.sku_code:
            row.error = _("The SKU code is missing.")
        elif sku is None:
            row.error = _("No SKU has the code “%(code)s”.") % {"code": row.sku_code}
        elif quantity_error:
            row.error = quantity_error
    rows_by_sku: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        if row.sku_id is not None:
            rows_by_sku[row.sku_id].append(row.row_number)
    for row in rows:
        numbers = rows_by_sku.get(row.sku_id or 0, [])
        if len(numbers) > 1 and not row.error:
            row.error = _("This SKU appears more than once in the file (rows %(rows)s).") % {
                "rows": ", ".join(str(n) for n in numbers)}
    return rows


def parse_stock_file(file) -> ImportPreview:
    """Read a CSV (UTF-8 with or without BOM, or CP949/EUC-KR) or .xlsx stock count file.

    The header row names the columns ("SKU코드", "수량" or "sku_code", "quantity", in any order);
    blank rows are skipped. A file that cannot be used as a whole (not a table, empty, no such
    columns, over 20,000 rows) raises CatalogError; row problems are reported per row.
    Changes nothing.
    """
    raw, filename = _read_table(file)
    return ImportPreview(rows=validate_stock_rows(raw), filename=filename)


def new_import_reference() -> str:
    """A batch reference for the ledger rows of one import, e.g. IMPORT-20250312-1a2b3c4d."""
    return f"IMPORT-{timezone.localdate():%Y%m%d}-{uuid.uuid4().hex[:8]}"


@transaction.atomic
def apply_stock_import(*, rows: Sequence[Sequence], actor, reference: str, note: str = "") -> list[StockMovement]:
    """Set every SKU in ``rows`` (row number, SKU code, quantity text) to its counted quantity.

    All or nothing: the rows are validated again with the SKUs locked; any error raises
    CatalogError and nothing is written. Each SKU gets an IMPORTED ledger row carrying
    ``reference``; a reference that was already applied is refused (a double submit).
    """
    if not rows:
        raise _file_error(_("There is nothing to import."))
    if len(rows) > IMPORT_MAX_ROWS:
        raise _file_error(_("The file has more than %(max)s rows. Split it into smaller files.")
                          % {"max": f"{IMPORT_MAX_ROWS:,}"})
    if not reference or len(reference) > REFERENCE_MAX_LENGTH:
        raise CatalogError(_("An import needs a batch reference."), code="no_reference")
    if StockMovement.objects.filter(reference=reference, reason=Reason.IMPORTED).exists():
        raise CatalogError(_("This import was already applied."), code="already_applied")
    # Lock every SKU the file names in ascending id order (no deadlock with orders), then
    # validate again: what is read now cannot change until this transaction ends.
    skus = _locked_by_chunks([row.sku_id for row in validate_stock_rows(rows) if row.sku_id])
    checked = validate_stock_rows(rows)
    errors = [row for row in checked if row.error or row.sku_id not in skus]
    if errors:
        first = errors[0]
        raise CatalogError(
            _("Nothing was imported: %(count)s rows have errors (row %(row)s: %(error)s).")
            % {"count": len(errors), "row": first.row_number, "error": first.error or _("The SKU changed.")},
            code="import_rows",
        )
    now = timezone.now()
    actor = _actor_or_none(actor)
    movements = []
    changed = []
    for row in checked:
        sku = skus[row.sku_id]
        delta = row.quantity - sku.stock_quantity
        sku.stock_quantity = row.quantity
        sku.updated_at = now
        changed.append(sku)
        movements.append(StockMovement(sku_id=sku.pk, reason=Reason.IMPORTED, delta=delta,
                                       quantity_after=row.quantity, actor=actor, reference=reference,
                                       note=(note or "")[:NOTE_MAX_LENGTH]))
    _update_quantities(changed, now)
    return StockMovement.objects.bulk_create(movements, batch_size=1000)


def _update_quantities(skus: list[SKU], now) -> None:
    """One parameterised UPDATE per SKU sent with executemany: for thousands of rows this is
    many times faster than ``bulk_update``'s CASE WHEN statements (psycopg 3 pipelines it)."""
    table = connection.ops.quote_name(SKU._meta.db_table)
    quantity, updated, pk = (connection.ops.quote_name(SKU._meta.get_field(name).column)
                             for name in ("stock_quantity", "updated_at", "id"))
    updated_at = SKU._meta.get_field("updated_at").get_db_prep_value(now, connection)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {quantity} = %s, {updated} = %s WHERE {pk} = %s",  # noqa: S608 (names from the model)
            [(sku.stock_quantity, updated_at, sku.pk) for sku in skus],
        )


def _locked_by_chunks(sku_ids: list[int]) -> dict[int, SKU]:
    ids = sorted(set(sku_ids))
    skus: dict[int, SKU] = {}
    for chunk in spreadsheets.chunks(ids, _LOOKUP_CHUNK):
        for sku in SKU.objects.select_for_update().filter(pk__in=chunk).order_by(
                "pk").only("id", "code", "stock_quantity"):
            skus[sku.pk] = sku
    return skus


def import_summary(rows: Iterable[ImportRow]) -> Counter:
    """How many rows raise, lower or keep the stock (for the preview's summary line)."""
    counts: Counter = Counter()
    for row in rows:
        if row.error or row.delta is None:
            continue
        counts["up" if row.delta > 0 else "down" if row.delta < 0 else "same"] += 1
    return counts
