"""Products by Excel: bulk registration (one row = one product with its options) and bulk price,
stock and status edits (one row = one SKU), on the spreadsheet kit (``core/spreadsheets.py``).

Both follow the same steps: upload → dry run (every row validated with bulk lookups, the
verdicts kept for the preview) → apply, all or nothing: the rows are validated again inside
the transaction and any error writes nothing. Files over ``ASYNC_THRESHOLD`` rows are validated
and applied by Celery tasks that report progress in the cache (the progress bar polls it).
Registration writes with bulk inserts (a 5,000-product file is a few dozen statements per
thousand rows, not one per row).
"""

from __future__ import annotations

import logging
import re
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models.functions import Upper
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalog import notices
from catalog.exceptions import CatalogError
from catalog.models import SKU, Brand, Category, OptionGroup, OptionValue, Product, StockMovement
from catalog.services.products import (
    MAX_OPTION_GROUPS,
    MAX_OPTION_VALUES,
    MAX_POINTS_RATE,
    PRODUCT_STATUS_TRANSITIONS,
    _sanitize_html,
    needs_review,
)
from catalog.services.stock import MAX_STOCK_QUANTITY, _update_quantities
from core import spreadsheets
from core.transitions import move
from partners.models import Seller

logger = logging.getLogger(__name__)

REGISTRATION = "registration"
BULK_EDIT = "bulk_edit"
KINDS = (REGISTRATION, BULK_EDIT)
ASYNC_THRESHOLD = 300
MAX_ROWS = 10_000
MAX_COMBINATIONS = 500
STORE = spreadsheets.UploadStore("product-excel", prefix="PX")
Status = Product.Status

STATUS_WORDS = {
    "판매중": Status.ON_SALE, "on_sale": Status.ON_SALE, "onsale": Status.ON_SALE, "on sale": Status.ON_SALE,
    "품절": Status.SOLD_OUT, "sold_out": Status.SOLD_OUT, "soldout": Status.SOLD_OUT, "sold out": Status.SOLD_OUT,
    "숨김": Status.HIDDEN, "판매중지": Status.HIDDEN, "hidden": Status.HIDDEN,
}
STATUS_LABELS_KO = {Status.ON_SALE: "판매중", Status.SOLD_OUT: "품절", Status.HIDDEN: "숨김", Status.SUSPENDED: "판매금지"}

# --- Registration columns -------------------------------------------------------------------------
# (field, Korean header, English header, required)
REGISTRATION_COLUMNS = [
    ("category", "카테고리코드", "category_code", True),
    ("name", "상품명", "name", True),
    ("brand", "브랜드", "brand", False),
    ("list_price", "정가", "list_price", True),
    ("sale_price", "판매가", "sale_price", True),
    ("status", "판매상태", "status", False),
    ("points_rate", "적립률(%)", "points_rate", False),
    ("option1_name", "옵션명1", "option1_name", False),
    ("option1_values", "옵션값1", "option1_values", False),
    ("option2_name", "옵션명2", "option2_name", False),
    ("option2_values", "옵션값2", "option2_values", False),
    ("option3_name", "옵션명3", "option3_name", False),
    ("option3_values", "옵션값3", "option3_values", False),
    ("stock", "재고수량", "stock", True),
    ("sku_code", "판매자SKU코드", "seller_sku_code", False),
    ("summary", "한줄요약", "summary", False),
    ("description", "상세설명", "description", False),
]
NOTICE_PREFIX = "고시:"


def _notice_header(key: str) -> str:
    with translation.override("ko"):
        return f"{NOTICE_PREFIX}{notices.FIELDS[key]}"


def registration_aliases() -> dict[str, str]:
    aliases = {}
    for name, korean, english, _required in REGISTRATION_COLUMNS:
        aliases[korean] = name
        aliases[english] = name
    for key in notices.FIELDS:
        aliases[_notice_header(key)] = f"notice:{key}"
        aliases[f"notice:{key}"] = f"notice:{key}"
        with translation.override("en"):
            aliases[f"notice:{notices.FIELDS[key]}"] = f"notice:{key}"
    return aliases


def registration_fields() -> list[str]:
    return [name for name, *_rest in REGISTRATION_COLUMNS] + [f"notice:{key}" for key in notices.FIELDS]


def registration_template(*, category: Category | None = None) -> bytes:
    """The registration .xlsx: the columns (the notice fields of ``category``'s group, or all),
    one example row, and a sheet of category codes with their notice groups."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "상품등록"
    group = category.effective_notice_group() if category else None
    keys = [key for key, _label in notices.group_fields(group)] if group else list(notices.FIELDS)
    headers = [korean for _name, korean, _english, _required in REGISTRATION_COLUMNS]
    headers += [_notice_header(key) for key in keys]
    sheet.append(headers)
    required = {korean for _name, korean, _english, needed in REGISTRATION_COLUMNS if needed}
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        if cell.value in required:
            cell.fill = PatternFill("solid", fgColor="FFF4E0")
    example = [category.pk if category else "", "예시) 여름 린넨 셔츠", "", 39000, 29900, "판매중", "",
               "색상", "화이트, 블랙(+1000)", "사이즈", "S, M, L", "", "", 10, "SHIRT-001", "", "<p>상세설명</p>"]
    example += ["상품상세 참조" for _key in keys]
    sheet.append(example)
    for column, width in zip("ABCDEFGHIJKLMNOPQ", (12, 36, 14, 10, 10, 10, 10, 10, 24, 10, 24, 10, 24, 10, 16,
                                                   24, 30), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "C2"
    codes = workbook.create_sheet("카테고리코드")
    codes.append(["카테고리코드", "카테고리", "상품정보제공고시"])
    for cell in codes[1]:
        cell.font = Font(bold=True)
    rows = list(Category.objects.filter(is_active=True).order_by("path").values_list("pk", "name", "path",
                                                                                       "notice_group"))
    names = {path: name for _pk, name, path, _group in rows}
    groups = {path: group for _pk, _name, path, group in rows}
    with translation.override("ko"):
        for pk, _name, path, _group in rows:
            parts = [part for part in path.split("/") if part]
            prefixes = ["".join(f"{part}/" for part in parts[:depth]) for depth in range(1, len(parts) + 1)]
            effective = next((groups[prefix] for prefix in reversed(prefixes) if groups.get(prefix)), notices.OTHER)
            codes.append([pk, " > ".join(names.get(prefix, "") for prefix in prefixes),
                          str(notices.group_label(effective))])
    codes.column_dimensions["B"].width = 50
    codes.column_dimensions["C"].width = 30
    guide = workbook.create_sheet("안내")
    for line in ("한 행이 상품 하나입니다. 옵션값은 쉼표로 구분하고, 옵션가는 값 뒤에 (+1000) 또는 (-500)으로 적습니다.",
                 "옵션 조합마다 SKU가 만들어지고 재고수량이 각 SKU의 재고가 됩니다. 판매자SKU코드는 SKU코드의 앞부분입니다.",
                 "판매상태: 판매중, 품절, 숨김. 고시 항목은 카테고리의 상품정보제공고시 항목을 모두 채워야 합니다.",
                 "업로드하면 먼저 모든 행을 검사합니다. 오류가 하나라도 있으면 아무것도 등록되지 않습니다."):
        guide.append([line])
    return spreadsheets.xlsx_response_bytes(workbook)


@dataclass
class RowVerdict:
    """One row of an upload with its result (kept in the cache for the preview)."""

    row_number: int
    title: str = ""
    detail: str = ""
    error: str = ""


_VALUE_DELTA = re.compile(r"^(?P<value>.+?)\s*\((?P<delta>[+-]?\s*[\d,]+)\s*원?\)$")


def _parse_values(text: str) -> tuple[list[tuple[str, int]], str]:
    values = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        match = _VALUE_DELTA.match(part)
        if match:
            delta = int(match.group("delta").replace(",", "").replace(" ", ""))
            values.append((match.group("value").strip(), delta))
        else:
            values.append((part, 0))
    names = [value for value, _delta in values]
    if len(set(names)) != len(names):
        return values, _("option values repeat")
    if any(len(name) > 40 or "/" in name for name in names):
        return values, _("option values are at most 40 characters, without “/”")
    return values, ""


@dataclass
class ParsedProduct:
    row_number: int
    category: Category | None = None
    brand: Brand | None = None
    name: str = ""
    list_price: int = 0
    sale_price: int = 0
    status: str = Status.ON_SALE
    points_rate: Decimal | None = None
    options: list[tuple[str, list[tuple[str, int]]]] = field(default_factory=list)
    stock: int = 0
    code_prefix: str = ""
    summary: str = ""
    description: str = ""
    notice_group: str = ""
    notice: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def combinations(self) -> list[tuple[tuple[str, int], ...]]:
        import itertools

        if not self.options:
            return [()]
        return list(itertools.product(*[values for _name, values in self.options]))

    def codes(self) -> list[str]:
        combos = self.combinations()
        if not self.code_prefix:
            return []
        if combos == [()]:
            return [self.code_prefix]
        return [f"{self.code_prefix}-{index + 1:02d}" for index in range(len(combos))]


def _parse_registration(raw_rows: Sequence[Sequence], seller: Seller,
                        progress: Callable[[int, int], None] | None = None) -> list[ParsedProduct]:
    fields = registration_fields()
    rows = [dict(zip(["row_number", *fields], raw, strict=False)) for raw in raw_rows]
    category_ids = {int(row["category"]) for row in rows if str(row.get("category") or "").strip().isdigit()}
    categories = spreadsheets.lookup_in_chunks(Category.objects.filter(is_active=True), "pk", category_ids)
    group_of = _groups_for(categories.values())
    brand_names = {str(row.get("brand") or "").strip() for row in rows} - {""}
    brands = spreadsheets.lookup_in_chunks(Brand.objects.all(), "name", brand_names)
    parsed: list[ParsedProduct] = []
    total = len(rows)
    for index, row in enumerate(rows):
        item = ParsedProduct(row_number=int(row["row_number"]))
        text = {key: str(row.get(key) or "").strip() for key in fields}
        errors = item.errors
        if not text["category"]:
            errors.append(_("카테고리코드 is missing."))
        elif not text["category"].isdigit() or int(text["category"]) not in categories:
            errors.append(_("No category has the code “%(code)s”.") % {"code": text["category"]})
        else:
            item.category = categories[int(text["category"])]
            item.notice_group = group_of[item.category.pk]
        item.name = text["name"]
        if not item.name:
            errors.append(_("상품명 is missing."))
        elif len(item.name) > 100:
            errors.append(_("상품명 is longer than 100 characters."))
        if text["brand"]:
            item.brand = brands.get(text["brand"])
            if item.brand is None:
                errors.append(_("No brand is called “%(brand)s”.") % {"brand": text["brand"]})
        list_price, error = spreadsheets.parse_whole_number(text["list_price"], minimum=10, maximum=1_000_000_000,
                                                            label="정가")
        if error:
            errors.append(error)
        sale_price, error = spreadsheets.parse_whole_number(text["sale_price"], minimum=10, maximum=1_000_000_000,
                                                            label="판매가")
        if error:
            errors.append(error)
        if list_price and sale_price and sale_price > list_price:
            errors.append(_("The sale price may not exceed the list price."))
        item.list_price, item.sale_price = list_price or 0, sale_price or 0
        if text["status"]:
            status = STATUS_WORDS.get(text["status"].lower())
            if status is None:
                errors.append(_("판매상태 must be 판매중, 품절 or 숨김."))
            else:
                item.status = status
        if text["points_rate"]:
            try:
                rate = Decimal(text["points_rate"].rstrip("%"))
            except InvalidOperation:
                rate = None
            if rate is None or rate < 0 or rate > MAX_POINTS_RATE or rate != rate.quantize(Decimal("0.1")):
                errors.append(_("적립률 must be a number from 0 to %(max)s with at most one decimal.")
                              % {"max": MAX_POINTS_RATE})
            else:
                item.points_rate = rate
        for number in range(1, MAX_OPTION_GROUPS + 1):
            name, values_text = text[f"option{number}_name"], text[f"option{number}_values"]
            if not name and not values_text:
                continue
            values, error = _parse_values(values_text)
            if not name or not values:
                errors.append(_("Option %(number)s needs a name and values.") % {"number": number})
            elif error:
                errors.append(_("Option %(number)s: %(error)s.") % {"number": number, "error": error})
            elif len(values) > MAX_OPTION_VALUES:
                errors.append(_("Option %(number)s has more than %(max)s values.")
                              % {"number": number, "max": MAX_OPTION_VALUES})
            else:
                item.options.append((name, values))
        option_names = [name for name, _values in item.options]
        if len(set(option_names)) != len(option_names):
            errors.append(_("Each option needs a name of its own."))
        combos = item.combinations()
        if len(combos) > MAX_COMBINATIONS:
            errors.append(_("The options make %(count)s combinations; at most %(max)s.")
                          % {"count": len(combos), "max": MAX_COMBINATIONS})
        elif item.options:
            deltas = [sum(delta for _value, delta in combo) for combo in combos]
            if 0 not in deltas:
                errors.append(_("At least one option combination for sale must have a price difference of 0 won."))
            if item.sale_price and any(item.sale_price + delta <= 0 for delta in deltas):
                errors.append(_("An option's price difference makes its price zero or less."))
        stock, error = spreadsheets.parse_whole_number(text["stock"], minimum=0, maximum=MAX_STOCK_QUANTITY,
                                                       label="재고수량")
        if error:
            errors.append(error)
        item.stock = stock or 0
        item.code_prefix = text["sku_code"]
        if len(item.code_prefix) > 36:
            errors.append(_("판매자SKU코드 is at most 36 characters."))
        item.summary, item.description = text["summary"][:200], text["description"]
        if item.category is not None:
            keys = [key for key, _label in notices.group_fields(item.notice_group)]
            item.notice = {key: text[f"notice:{key}"][:500] for key in keys}
            missing = [str(label) for key, label in notices.group_fields(item.notice_group) if not item.notice[key]]
            if missing:
                errors.append(_("Product notice fields are missing: %(fields)s.") % {"fields": ", ".join(missing)})
            item.notice = notices.stored_notice(item.notice_group, item.notice)
        parsed.append(item)
        if progress is not None and index % 250 == 0:
            progress(index, total)
    _check_codes(parsed)
    return parsed


def _groups_for(categories) -> dict[int, str]:
    categories = list(categories)
    paths = {path for category in categories for path in category.ancestor_paths()}
    groups = dict(Category.objects.filter(path__in=paths).exclude(notice_group="").values_list("path", "notice_group"))
    result = {}
    for category in categories:
        found = category.notice_group or next(
            (groups[path] for path in reversed(category.ancestor_paths()) if path in groups), notices.OTHER)
        result[category.pk] = found
    return result


def _check_codes(parsed: list[ParsedProduct]) -> None:
    """SKU codes must be unique in the file and free in the catalog (ignoring case)."""
    by_code: dict[str, list[int]] = defaultdict(list)
    for item in parsed:
        for code in item.codes():
            by_code[code.upper()].append(item.row_number)
    taken: set[str] = set()
    for chunk in spreadsheets.chunks(sorted(by_code)):
        taken |= set(SKU.objects.annotate(code_upper=Upper("code")).filter(code_upper__in=chunk)
                     .values_list("code_upper", flat=True))
    for item in parsed:
        for code in item.codes():
            rows = sorted(set(by_code[code.upper()]))
            if code.upper() in taken:
                item.errors.append(_("The SKU code %(code)s is already in use.") % {"code": code})
                break
            if len(rows) > 1:
                item.errors.append(_("The SKU code %(code)s is also on rows %(rows)s.")
                                   % {"code": code, "rows": ", ".join(str(n) for n in rows if n != item.row_number)})
                break


def _verdicts_of_registration(parsed: list[ParsedProduct]) -> list[RowVerdict]:
    verdicts = []
    for item in parsed:
        options = " × ".join(f"{name}({len(values)})" for name, values in item.options)
        detail = f"{item.sale_price:,}원 · SKU {len(item.combinations())}" + (f" · {options}" if options else "")
        verdicts.append(RowVerdict(row_number=item.row_number, title=item.name, detail=detail,
                                   error=" ".join(item.errors)))
    return verdicts


def _reserve_ids(model, count: int) -> list[int]:
    """``count`` fresh primary keys of ``model``'s table, taken from its sequence on PostgreSQL.

    Elsewhere (SQLite in development) the ids follow the largest one: the caller holds the
    seller's lock inside a transaction, and SQLite lets one writer at a time.
    """
    if not count:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [table, count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"')
        first = cursor.fetchone()[0] + 1
    return list(range(first, first + count))


def _insert_rows(model, columns: Sequence[str], rows: list[tuple]) -> None:
    """Insert plain tuples (ids included) into ``model``'s table: COPY on PostgreSQL, one
    executemany elsewhere. No model instances: at 150,000 rows their construction was the cost."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)


def _register_rows(parsed: list[ParsedProduct], *, seller: Seller, actor, reference: str,
                   progress: Callable[[int, int], None] | None = None) -> int:
    """Insert the products (bulk_create, 500 a statement), then their option groups and values,
    SKUs, SKU–value links and INITIAL ledger rows as plain rows with reserved ids (COPY on
    PostgreSQL). Runs inside ``apply_rows``' transaction: an error writes nothing."""
    review = needs_review(seller)
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    now = timezone.now()
    reference = reference[:60]
    total, done = len(parsed), 0
    products: list[Product] = []
    for chunk in spreadsheets.chunks(parsed, 500):
        products += Product.objects.bulk_create([
            Product(seller=seller, category=item.category, category_path=item.category.path, brand=item.brand,
                    name=item.name, summary=item.summary, list_price_amount=item.list_price,
                    sale_price_amount=item.sale_price, description_html=_sanitize_html(item.description),
                    notice=item.notice, notice_kind=item.notice_group, points_rate_percent=item.points_rate,
                    status=Status.HIDDEN if review else item.status,
                    review_status=Product.Review.PENDING if review else Product.Review.APPROVED,
                    requested_status=item.status if review else "")
            for item in chunk
        ])
        done += len(chunk)
        if progress is not None:
            progress(done // 2, total)  # the products are half the work
    combos_of = [item.combinations() for item in parsed]
    group_ids = iter(_reserve_ids(OptionGroup, sum(len(item.options) for item in parsed)))
    value_ids = iter(_reserve_ids(OptionValue, sum(len(values) for item in parsed for _n, values in item.options)))
    sku_ids = iter(_reserve_ids(SKU, sum(len(combos) for combos in combos_of)))
    groups, values, skus, links, movements = [], [], [], [], []
    for product, item, combos in zip(products, parsed, combos_of, strict=True):
        value_id_of: dict[tuple[int, str], int] = {}
        for group_position, (name, option_values) in enumerate(item.options):
            group_id = next(group_ids)
            groups.append((group_id, product.pk, name, group_position))
            for position, (text, _delta) in enumerate(option_values):
                value_id = next(value_ids)
                values.append((value_id, group_id, text, position))
                value_id_of[(group_position, text)] = value_id
        codes = item.codes() or (
            [f"P{product.pk}"] if combos == [()] else [f"P{product.pk}-{index + 1:02d}" for index in range(len(combos))])
        for position, (combo, code) in enumerate(zip(combos, codes, strict=True)):
            sku_id = next(sku_ids)
            skus.append((sku_id, now, now, product.pk, code, " / ".join(value for value, _d in combo),
                         sum(delta for _value, delta in combo), item.stock, True, position))
            links += [(sku_id, value_id_of[(index, value)]) for index, (value, _d) in enumerate(combo)]
            if item.stock:
                movements.append((sku_id, StockMovement.Reason.INITIAL.value, item.stock, item.stock, "", reference,
                                  actor_id, now))
    _insert_rows(OptionGroup, ("id", "product_id", "name", "position"), groups)
    _insert_rows(OptionValue, ("id", "group_id", "value", "position"), values)
    _insert_rows(SKU, ("id", "created_at", "updated_at", "product_id", "code", "option_label", "price_delta_amount",
                       "stock_quantity", "is_active", "position"), skus)
    _insert_rows(SKU.option_values.through, ("sku_id", "optionvalue_id"), links)
    _insert_rows(StockMovement, ("sku_id", "reason", "delta", "quantity_after", "note", "reference", "actor_id",
                                 "created_at"), movements)
    if progress is not None:
        progress(total, total)
    from core import cache_versions

    cache_versions.bump_catalog()  # new products in the lists
    return total


# --- Bulk edit (one row per SKU) ---------------------------------------------------------------------

BULK_COLUMNS = [
    ("product_id", "상품번호", "product_id", True),
    ("sku_code", "SKU코드", "sku_code", True),
    ("name", "상품명", "name", False),
    ("option", "옵션", "option", False),
    ("list_price", "정가", "list_price", False),
    ("sale_price", "판매가", "sale_price", False),
    ("status", "판매상태", "status", False),
    ("stock", "재고수량", "stock", False),
]


def bulk_edit_workbook(*, seller: Seller) -> bytes:
    """The seller's SKUs as an .xlsx to edit prices, status and stock and upload back."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("일괄수정")
    sheet.append([korean for _name, korean, _english, _required in BULK_COLUMNS])
    skus = (SKU.objects.filter(product__seller=seller, is_active=True).select_related("product")
            .order_by("product_id", "position", "id"))
    for sku in skus.iterator(chunk_size=2000):
        product = sku.product
        sheet.append([product.pk, sku.code, product.name, sku.option_label, product.list_price_amount,
                      product.sale_price_amount, STATUS_LABELS_KO.get(product.status, product.status),
                      sku.stock_quantity])
    return spreadsheets.xlsx_response_bytes(workbook)


@dataclass
class BulkEditPlan:
    verdicts: list[RowVerdict]
    prices: dict[int, tuple[int, int]] = field(default_factory=dict)  # product id → (list, sale)
    statuses: dict[int, str] = field(default_factory=dict)
    stock: dict[int, int] = field(default_factory=dict)  # sku id → quantity


def _plan_bulk_edit(raw_rows: Sequence[Sequence], seller: Seller) -> BulkEditPlan:
    fields = [name for name, *_rest in BULK_COLUMNS]
    rows = [dict(zip(["row_number", *fields], raw, strict=False)) for raw in raw_rows]
    codes = {str(row.get("sku_code") or "").strip().upper() for row in rows} - {""}
    skus = {}
    for chunk in spreadsheets.chunks(sorted(codes)):
        for sku in (SKU.objects.annotate(code_upper=Upper("code")).filter(code_upper__in=chunk)
                    .select_related("product")):
            skus[sku.code_upper] = sku
    plan = BulkEditPlan(verdicts=[])
    seen_skus: dict[int, int] = {}
    product_rows: dict[int, list] = defaultdict(list)
    for row in rows:
        number = int(row["row_number"])
        text = {key: str(row.get(key) or "").strip() for key in fields}
        verdict = RowVerdict(row_number=number, title=text["sku_code"])
        plan.verdicts.append(verdict)
        sku = skus.get(text["sku_code"].upper())
        # Another seller's SKU reads as unknown: the file must not learn that it exists.
        if sku is None or sku.product.seller_id != seller.pk:
            verdict.error = _("No SKU of yours has the code “%(code)s”.") % {"code": text["sku_code"]}
            continue
        product = sku.product
        verdict.title = f"{product.name} {sku.option_label}".strip()
        if text["product_id"] and text["product_id"] != str(product.pk):
            verdict.error = _("SKU %(code)s belongs to product %(product)s, not %(given)s.") % {
                "code": sku.code, "product": product.pk, "given": text["product_id"]}
            continue
        if sku.pk in seen_skus:
            verdict.error = _("This SKU is already on row %(row)s.") % {"row": seen_skus[sku.pk]}
            continue
        seen_skus[sku.pk] = number
        errors = []
        changes = []
        list_price, sale_price = product.list_price_amount, product.sale_price_amount
        if text["list_price"]:
            list_price, error = spreadsheets.parse_whole_number(text["list_price"], minimum=10,
                                                                maximum=1_000_000_000, label="정가")
            errors += [error] if error else []
        if text["sale_price"]:
            sale_price, error = spreadsheets.parse_whole_number(text["sale_price"], minimum=10,
                                                                maximum=1_000_000_000, label="판매가")
            errors += [error] if error else []
        status = product.status
        if text["status"]:
            status = STATUS_WORDS.get(text["status"].lower())
            if status is None and text["status"] == STATUS_LABELS_KO[Status.SUSPENDED]:
                status = Status.SUSPENDED
            if status is None:
                errors.append(_("판매상태 must be 판매중, 품절 or 숨김."))
        if text["stock"]:
            quantity, error = spreadsheets.parse_whole_number(text["stock"], minimum=0, maximum=MAX_STOCK_QUANTITY,
                                                              label="재고수량")
            if error:
                errors.append(error)
            elif quantity != sku.stock_quantity:
                plan.stock[sku.pk] = quantity
                changes.append(_("stock %(old)s → %(new)s") % {"old": sku.stock_quantity, "new": quantity})
        if not errors and list_price is not None and sale_price is not None:
            if sale_price > list_price:
                errors.append(_("The sale price may not exceed the list price."))
            product_rows[product.pk].append((verdict, (list_price, sale_price, status), product))
        verdict.error = " ".join(errors)
        verdict.detail = ", ".join(str(change) for change in changes)
    # Product-level columns repeat on each of its SKU rows: they must agree.
    deltas = defaultdict(list)
    for product_id, delta in SKU.objects.filter(product_id__in=list(product_rows), is_active=True).values_list(
            "product_id", "price_delta_amount"):
        deltas[product_id].append(delta)
    for product_id, entries in product_rows.items():
        terms = {terms for _verdict, terms, _product in entries}
        product = entries[0][2]
        if len(terms) > 1:
            for verdict, _terms, _product in entries:
                verdict.error = _("The rows of product %(product)s disagree on its price or status.") % {
                    "product": product_id}
            continue
        list_price, sale_price, status = terms.pop()
        if any(sale_price + delta <= 0 for delta in deltas[product_id]):
            for verdict, _terms, _product in entries:
                verdict.error = _("An option's price difference makes its price zero or less.")
            continue
        if (list_price, sale_price) != (product.list_price_amount, product.sale_price_amount):
            plan.prices[product_id] = (list_price, sale_price)
            entries[0][0].detail = ", ".join(filter(None, [entries[0][0].detail, _("price %(old)s → %(new)s") % {
                "old": f"{product.sale_price_amount:,}", "new": f"{sale_price:,}"}]))
        if status != product.status:
            if product.review_status != Product.Review.APPROVED:
                for verdict, _terms, _product in entries:
                    verdict.error = _("The product is in review: its status changes when an operator approves it.")
                continue
            if status not in PRODUCT_STATUS_TRANSITIONS["seller"].get(product.status, set()):
                for verdict, _terms, _product in entries:
                    verdict.error = _("The status cannot change from %(old)s to %(new)s.") % {
                        "old": STATUS_LABELS_KO.get(product.status), "new": STATUS_LABELS_KO.get(status)}
                continue
            plan.statuses[product_id] = status
            entries[0][0].detail = ", ".join(filter(None, [entries[0][0].detail, _("status → %(status)s") % {
                "status": STATUS_LABELS_KO.get(status)}]))
    for verdict in plan.verdicts:
        if not verdict.error and not verdict.detail:
            verdict.detail = str(_("no change"))
    return plan


def _apply_bulk_edit(plan: BulkEditPlan, *, actor, reference: str) -> int:
    now = timezone.now()
    product_ids = sorted(set(plan.prices) | set(plan.statuses))
    for chunk in spreadsheets.chunks(product_ids):
        products = list(Product.objects.select_for_update().filter(pk__in=chunk).order_by("pk"))
        changed = []
        for product in products:
            if product.pk in plan.prices:
                product.list_price_amount, product.sale_price_amount = plan.prices[product.pk]
                product.updated_at = now
                changed.append(product)
        Product.objects.bulk_update(changed, ["list_price_amount", "sale_price_amount", "updated_at"])
        for product in products:
            if product.pk in plan.statuses:
                move(product, to=plan.statuses[product.pk], table=PRODUCT_STATUS_TRANSITIONS["seller"], actor=actor,
                     reason=_("Bulk edit %(reference)s") % {"reference": reference})
    sku_ids = sorted(plan.stock)
    locked = []
    for chunk in spreadsheets.chunks(sku_ids):
        locked += list(SKU.objects.select_for_update().filter(pk__in=chunk).order_by("pk").only("id", "stock_quantity"))
    actor_or_none = actor if getattr(actor, "pk", None) else None
    movements = []
    for sku in locked:
        new = plan.stock[sku.pk]
        movements.append(StockMovement(sku_id=sku.pk, reason=StockMovement.Reason.COUNTED,
                                       delta=new - sku.stock_quantity, quantity_after=new, actor=actor_or_none,
                                       reference=reference[:60], note=_("Bulk edit by Excel")))
        sku.stock_quantity = new
    _update_quantities(locked, now)
    StockMovement.objects.bulk_create(movements, batch_size=2000)
    from core import cache_versions

    stocked = set(SKU.objects.filter(pk__in=sku_ids).values_list("product_id", flat=True)) if sku_ids else set()
    cache_versions.bump_products(*sorted(set(product_ids) | stocked))  # every page showing them, next request
    return len(plan.verdicts)


# --- The steps (views and tasks call these) ------------------------------------------------------------

def read_upload(*, kind: str, file) -> spreadsheets.Table:
    """Read a registration or bulk-edit file; raises CatalogError for a file unusable as a whole."""
    if kind == REGISTRATION:
        aliases, fields = registration_aliases(), registration_fields()
        required = {name: korean for name, korean, _english, needed in REGISTRATION_COLUMNS if needed}
    else:
        aliases = {}
        for name, korean, english, _needed in BULK_COLUMNS:
            aliases[korean], aliases[english] = name, name
        fields = [name for name, *_rest in BULK_COLUMNS]
        required = {name: korean for name, korean, _english, needed in BULK_COLUMNS if needed}
    try:
        return spreadsheets.read_table(file, aliases=aliases, required=required, fields=fields, max_rows=MAX_ROWS)
    except spreadsheets.SpreadsheetError as error:
        raise CatalogError(error.message, code="import_file") from None


def validate_rows(*, kind: str, raw_rows: Sequence[Sequence], seller: Seller,
                  progress: Callable[[int, int], None] | None = None) -> list[RowVerdict]:
    """The dry run: every row's verdict. Changes nothing."""
    if kind == REGISTRATION:
        return _verdicts_of_registration(_parse_registration(raw_rows, seller, progress))
    return _plan_bulk_edit(raw_rows, seller).verdicts


@transaction.atomic
def apply_rows(*, kind: str, raw_rows: Sequence[Sequence], seller: Seller, actor, reference: str,
               progress: Callable[[int, int], None] | None = None) -> int:
    """Apply a file, all or nothing: validated again here; any row error raises CatalogError and
    nothing is written."""
    if not raw_rows:
        raise CatalogError(_("There is nothing to apply."), code="import_rows")
    Seller.objects.select_for_update().filter(pk=seller.pk).first()  # one apply per seller at a time
    if kind == REGISTRATION:
        parsed = _parse_registration(raw_rows, seller)
        verdicts = spreadsheets.Verdicts(rows=_verdicts_of_registration(parsed))
        if verdicts.error_count:
            raise CatalogError(_("Nothing was applied: %(detail)s") % {"detail": verdicts.first_error_message()},
                               code="import_rows")
        return _register_rows(parsed, seller=seller, actor=actor, reference=reference, progress=progress)
    plan = _plan_bulk_edit(raw_rows, seller)
    verdicts = spreadsheets.Verdicts(rows=plan.verdicts)
    if verdicts.error_count:
        raise CatalogError(_("Nothing was applied: %(detail)s") % {"detail": verdicts.first_error_message()},
                           code="import_rows")
    return _apply_bulk_edit(plan, actor=actor, reference=reference)


def start_upload(*, kind: str, file, seller: Seller, owner_id: int) -> str:
    """Read and store an upload, then validate it (in a task when it is large). Returns its reference."""
    table = read_upload(kind=kind, file=file)
    reference = STORE.store(raw_rows=table.rows, filename=table.filename, owner_id=owner_id, seller=seller.pk,
                            kind=kind)
    STORE.set_progress(reference, seller=seller.pk, kind=kind)
    if len(table.rows) > ASYNC_THRESHOLD:
        _queue("validate_product_upload", reference)
    else:
        run_validation(reference=reference)
    return reference


def start_apply(*, reference: str, actor) -> None:
    stored = STORE.load(reference)
    if stored is None:
        return
    if len(stored["rows"]) > ASYNC_THRESHOLD:
        STORE.set_progress(reference, phase="queued", done=0)
        _queue("apply_product_upload", reference, actor.pk)
    else:
        run_apply(reference=reference, actor=actor)


def _queue(name: str, *args) -> None:
    """Queue a task; if the broker is down, do the work in this request instead."""
    from catalog import tasks

    task = getattr(tasks, name)
    try:
        task.delay(*args)
    except Exception as exc:  # broker unreachable: slower, but the seller is not stuck
        logger.warning("product upload task %s could not be queued (%s); running it in the request", name, exc)
        task.run(*args)


def run_validation(*, reference: str) -> list[RowVerdict] | None:
    stored = STORE.load(reference)
    if stored is None:
        return None
    seller = Seller.objects.get(pk=stored["seller"])
    started = time.monotonic()
    total = len(stored["rows"])
    STORE.set_progress(reference, phase="validating", done=0, total=total)
    verdicts = validate_rows(kind=stored["kind"], raw_rows=stored["rows"], seller=seller,
                             progress=STORE.progress_reporter(reference))
    STORE.save_result(reference, {"rows": [asdict(verdict) for verdict in verdicts]})
    errors = sum(1 for verdict in verdicts if verdict.error)
    STORE.set_progress(reference, phase="validated", done=total, total=total, errors=errors)
    logger.info("product upload %s (%s) validated: %s rows, %s errors in %.2fs", reference, stored["kind"], total,
                errors, time.monotonic() - started)
    return verdicts


def run_apply(*, reference: str, actor) -> int | None:
    """Apply a validated upload once (the task's body); the outcome is left in the progress."""
    stored = STORE.load(reference)
    if stored is None:
        STORE.set_progress(reference, phase="failed", message=_("The upload has expired. Upload the file again."))
        return None
    if not STORE.claim_apply(reference):
        return None  # already applying or applied
    seller = Seller.objects.get(pk=stored["seller"])
    started = time.monotonic()
    total = len(stored["rows"])
    STORE.set_progress(reference, phase="applying", done=0, total=total)
    try:
        count = apply_rows(kind=stored["kind"], raw_rows=stored["rows"], seller=seller, actor=actor,
                           reference=reference, progress=STORE.progress_reporter(reference))
    except CatalogError as error:
        STORE.release_apply(reference)
        STORE.set_progress(reference, phase="failed", message=error.message)
        return None
    STORE.set_progress(reference, phase="applied", done=total, total=total, applied=count)
    STORE.forget(reference)
    logger.info("product upload %s applied: %s rows in %.2fs", reference, count, time.monotonic() - started)
    return count
