"""Products by Excel: registration (dry run, all or nothing, broken files, 5,000 rows on
PostgreSQL) and bulk price/stock/status edits."""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.exceptions import CatalogError
from catalog.models import SKU, Product, SellerCatalogSettings, StockMovement
from catalog.services import bulk
from core.models import StatusChange
from tests.catalog.factories import BrandFactory, CategoryFactory
from tests.catalog.test_services_product_editor import CLOTHING_NOTICE
from tests.partners.factories import SellerFactory

pytestmark = pytest.mark.django_db

HEADERS = ["카테고리코드", "상품명", "브랜드", "정가", "판매가", "판매상태", "적립률(%)", "옵션명1", "옵션값1", "옵션명2",
           "옵션값2", "재고수량", "판매자SKU코드"] + [f"notice:{key}" for key in CLOTHING_NOTICE]


def registration_row(category_object, **overrides):
    row = {"category": category_object.pk, "name": "린넨 셔츠", "brand": "", "list_price": 39000, "sale_price": "29,900",
           "status": "판매중", "points": "", "option1": "색상", "values1": "블랙, 화이트(+1000)", "option2": "사이즈",
           "values2": "S, M, L", "stock": 10, "sku_code": ""}
    row.update(overrides)
    return [row["category"], row["name"], row["brand"], row["list_price"], row["sale_price"], row["status"],
            row["points"], row["option1"], row["values1"], row["option2"], row["values2"], row["stock"],
            row["sku_code"]] + [row.get(f"notice:{key}", value) for key, value in CLOTHING_NOTICE.items()]


def xlsx(rows, headers=HEADERS) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("상품등록")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def registration_file(category, rows: list[dict]) -> SimpleUploadedFile:
    return SimpleUploadedFile("products.xlsx", xlsx([registration_row(category, **row) for row in rows]))


@pytest.fixture
def clothing():
    category = CategoryFactory(name="의류")
    category.notice_group = "clothing"
    category.save()
    return category


def dry_run(seller, upload):
    table = bulk.read_upload(kind=bulk.REGISTRATION, file=upload)
    return table.rows, bulk.validate_rows(kind=bulk.REGISTRATION, raw_rows=table.rows, seller=seller)


def test_a_valid_file_registers_products_with_their_option_matrix(clothing):
    seller = SellerFactory()
    BrandFactory(name="마켓온")
    rows, verdicts = dry_run(seller, registration_file(clothing, [
        {"name": "셔츠 A", "brand": "마켓온", "sku_code": "SA", "points": "2.5"},
        {"name": "셔츠 B", "option1": "", "values1": "", "option2": "", "values2": "", "stock": "1,200"},
    ]))
    assert [verdict.error for verdict in verdicts] == ["", ""]
    assert Product.objects.count() == 0  # the dry run wrote nothing

    assert bulk.apply_rows(kind=bulk.REGISTRATION, raw_rows=rows, seller=seller, actor=None, reference="PX-1") == 2

    shirt_a = Product.objects.get(name="셔츠 A")
    assert (shirt_a.sale_price_amount, shirt_a.brand.name, str(shirt_a.points_rate_percent)) == (29900, "마켓온", "2.5")
    assert list(shirt_a.skus.order_by("position").values_list("code", "option_label", "price_delta_amount")) == [
        ("SA-01", "블랙 / S", 0), ("SA-02", "블랙 / M", 0), ("SA-03", "블랙 / L", 0),
        ("SA-04", "화이트 / S", 1000), ("SA-05", "화이트 / M", 1000), ("SA-06", "화이트 / L", 1000)]
    assert all(sku.option_values.count() == 2 for sku in shirt_a.skus.all())
    assert shirt_a.notice_kind == "clothing"
    assert (shirt_a.notice["제품소재"], shirt_a.notice["색상"]) == ("면 100%", "블랙, 화이트")
    assert len(shirt_a.notice) == 9
    shirt_b = Product.objects.get(name="셔츠 B")
    assert list(shirt_b.skus.values_list("option_label", "stock_quantity")) == [("", 1200)]
    assert StockMovement.objects.filter(sku__product=shirt_b, reason="initial", quantity_after=1200).count() == 1


@pytest.mark.parametrize(("row", "message"), [
    ({"category": 999999}, "No category has the code"),
    ({"name": ""}, "상품명 is missing"),
    ({"sale_price": "49000"}, "may not exceed the list price"),
    ({"sale_price": "abc"}, "판매가 must be a whole number"),
    ({"status": "세일"}, "판매상태 must be"),
    ({"values1": "블랙(+500), 화이트(+1000)"}, "0 won"),
    ({"values1": "블랙, 블랙"}, "option values repeat"),
    ({"brand": "없는브랜드"}, "No brand is called"),
    ({"stock": "-1"}, "재고수량 must be at least 0"),
    ({"notice:material": ""}, "Product notice fields are missing: Material"),
    ({"points": "80"}, "적립률"),
])
def test_row_errors_are_reported_and_nothing_is_written(clothing, row, message):
    seller = SellerFactory()
    rows, verdicts = dry_run(seller, registration_file(clothing, [{"name": "좋은 행"}, row]))
    assert verdicts[0].error == ""
    assert message in verdicts[1].error
    assert verdicts[1].row_number == 3

    with pytest.raises(CatalogError) as caught:
        bulk.apply_rows(kind=bulk.REGISTRATION, raw_rows=rows, seller=seller, actor=None, reference="PX-2")
    assert "Nothing was applied" in caught.value.message and "row 3" in caught.value.message
    assert Product.objects.count() == 0 and SKU.objects.count() == 0


def test_sku_codes_must_be_free_and_unique_in_the_file(clothing):
    seller = SellerFactory()
    SKU.objects.create(product=Product.objects.create(
        seller=seller, category=clothing, name="기존", list_price_amount=1000, sale_price_amount=1000), code="OLD-01")
    _rows, verdicts = dry_run(seller, registration_file(clothing, [{"sku_code": "old"}, {"sku_code": "DUP"},
                                                                    {"sku_code": "dup"}]))
    assert "old-01 is already in use" in verdicts[0].error
    assert "also on rows 4" in verdicts[1].error and "also on rows 3" in verdicts[2].error


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "p.xlsx", "empty"),
    (b"PK\x03\x04 broken", "p.xlsx", "not an Excel"),
    (b"\xd0\xcf\x11\xe0 old", "p.xls", ".xls"),
    ("상품명,정가\n셔츠,1000\n".encode("cp949"), "p.csv", "Missing: 카테고리코드, 판매가, 재고수량"),
    (b"%PDF-1.7", "p.pdf", "not an Excel"),
])
def test_broken_files_are_refused_whole(data, name, message):
    with pytest.raises(CatalogError) as caught:
        bulk.read_upload(kind=bulk.REGISTRATION, file=SimpleUploadedFile(name, data))
    assert message in caught.value.message


def test_a_csv_in_cp949_is_read(clothing):
    header = ",".join(HEADERS)
    line = ",".join(str(cell) for cell in registration_row(clothing, values1="블랙", values2="S")).replace(
        "29,900", "29900")
    upload = SimpleUploadedFile("p.csv", f"{header}\r\n{line}\r\n".encode("cp949"))
    _rows, verdicts = dry_run(SellerFactory(), upload)
    assert verdicts[0].error == "" and verdicts[0].title == "린넨 셔츠"


def test_products_of_a_reviewed_seller_are_registered_hidden_for_review(clothing):
    seller = SellerFactory()
    SellerCatalogSettings.objects.create(seller=seller, products_need_review=True)
    rows, _verdicts = dry_run(seller, registration_file(clothing, [{}]))
    bulk.apply_rows(kind=bulk.REGISTRATION, raw_rows=rows, seller=seller, actor=None, reference="PX-3")
    product = Product.objects.get()
    assert (product.status, product.review_status, product.requested_status) == ("hidden", "pending", "on_sale")


def test_the_stored_upload_runs_through_its_phases_and_applies_once(clothing, django_user_model):
    seller = SellerFactory()
    user = django_user_model.objects.create_user(email="p@example.com", password="x")
    reference = bulk.start_upload(kind=bulk.REGISTRATION, file=registration_file(clothing, [{}, {}]), seller=seller,
                                  owner_id=user.pk)
    assert bulk.STORE.get_progress(reference)["phase"] == "validated"
    bulk.start_apply(reference=reference, actor=user)
    assert bulk.STORE.get_progress(reference)["phase"] == "applied"
    bulk.start_apply(reference=reference, actor=user)  # a double submit
    assert Product.objects.count() == 2


@pytest.mark.postgres
def test_5000_rows_register_in_one_go(clothing):
    seller = SellerFactory()
    rows = [registration_row(clothing, name=f"셔츠 {n}", sku_code=f"BULK-{n:05d}") for n in range(5000)]
    upload = SimpleUploadedFile("big.xlsx", xlsx(rows))
    started = time.monotonic()
    table = bulk.read_upload(kind=bulk.REGISTRATION, file=upload)
    read = time.monotonic() - started
    verdicts = bulk.validate_rows(kind=bulk.REGISTRATION, raw_rows=table.rows, seller=seller)
    validated = time.monotonic() - started
    assert not [verdict for verdict in verdicts if verdict.error]
    bulk.apply_rows(kind=bulk.REGISTRATION, raw_rows=table.rows, seller=seller, actor=None, reference="PX-BIG")
    total = time.monotonic() - started
    print(f"\n5,000-row product registration (30,000 SKUs): read {read:.2f}s, read+validate {validated:.2f}s, "
          f"apply {total - validated:.2f}s, total {total:.2f}s")
    assert Product.objects.filter(seller=seller).count() == 5000
    assert SKU.objects.filter(product__seller=seller).count() == 30000
    assert SKU.option_values.through.objects.count() == 60000


# --- Bulk edit --------------------------------------------------------------------------------

BULK_HEADERS = ["상품번호", "SKU코드", "상품명", "옵션", "정가", "판매가", "판매상태", "재고수량"]


def seller_with_products(clothing, prefix=""):
    seller = SellerFactory()
    rows, _verdicts = dry_run(seller, registration_file(clothing, [{"name": "A", "sku_code": f"{prefix}A"},
                                                                    {"name": "B", "sku_code": f"{prefix}B", "option1": "",
                                                                     "values1": "", "option2": "", "values2": ""}]))
    bulk.apply_rows(kind=bulk.REGISTRATION, raw_rows=rows, seller=seller, actor=None, reference="PX-S")
    return seller, Product.objects.get(seller=seller, name="A"), Product.objects.get(seller=seller, name="B")


def bulk_upload(rows):
    return SimpleUploadedFile("edit.xlsx", xlsx(rows, BULK_HEADERS))


def test_bulk_edit_changes_prices_status_and_stock(clothing):
    seller, product_a, product_b = seller_with_products(clothing)
    upload = bulk_upload([[product_a.pk, "A-01", "", "", 40000, 30000, "판매중", 3],
                          [product_a.pk, "A-02", "", "", 40000, 30000, "판매중", ""],
                          [product_b.pk, "B", "", "", "", "", "품절", 0]])
    table = bulk.read_upload(kind=bulk.BULK_EDIT, file=upload)
    verdicts = bulk.validate_rows(kind=bulk.BULK_EDIT, raw_rows=table.rows, seller=seller)
    assert [verdict.error for verdict in verdicts] == ["", "", ""]

    bulk.apply_rows(kind=bulk.BULK_EDIT, raw_rows=table.rows, seller=seller, actor=None, reference="PX-E")

    product_a.refresh_from_db()
    product_b.refresh_from_db()
    assert (product_a.list_price_amount, product_a.sale_price_amount) == (40000, 30000)
    assert product_b.status == "sold_out"
    assert StatusChange.objects.filter(object_id=product_b.pk, to_status="sold_out").exists()
    assert SKU.objects.get(code="A-01").stock_quantity == 3 and SKU.objects.get(code="A-02").stock_quantity == 10
    assert SKU.objects.get(code="B").stock_quantity == 0
    assert StockMovement.objects.get(sku__code="A-01", reference="PX-E").delta == -7


def test_bulk_edit_refuses_other_sellers_skus_and_disagreeing_rows_whole(clothing):
    seller, product_a, _product_b = seller_with_products(clothing)
    other, other_a, _other_b = seller_with_products(clothing, prefix="OTHER-")
    upload = bulk_upload([[product_a.pk, "A-01", "", "", 40000, 30000, "", 3],
                          [product_a.pk, "A-02", "", "", 40000, 31000, "", ""],
                          ["", "OTHER-A-01", "", "", "", "", "", 1]])
    table = bulk.read_upload(kind=bulk.BULK_EDIT, file=upload)
    verdicts = bulk.validate_rows(kind=bulk.BULK_EDIT, raw_rows=table.rows, seller=seller)
    assert "disagree" in verdicts[0].error and "disagree" in verdicts[1].error
    assert "No SKU of yours" in verdicts[2].error
    with pytest.raises(CatalogError):
        bulk.apply_rows(kind=bulk.BULK_EDIT, raw_rows=table.rows, seller=seller, actor=None, reference="PX-F")
    product_a.refresh_from_db()
    assert product_a.sale_price_amount == 29900
    assert SKU.objects.get(code="A-01").stock_quantity == 10
    assert not StockMovement.objects.filter(reference="PX-F").exists()


def test_a_large_file_goes_through_the_tasks_with_progress(clothing, django_user_model, monkeypatch):
    monkeypatch.setattr(bulk, "ASYNC_THRESHOLD", 1)
    seller = SellerFactory()
    user = django_user_model.objects.create_user(email="big@example.com", password="x")
    seen = []
    original = bulk.STORE.set_progress

    def recording(reference, **values):
        seen.append(values.get("phase"))
        return original(reference, **values)

    monkeypatch.setattr(bulk.STORE, "set_progress", recording)
    reference = bulk.start_upload(kind=bulk.REGISTRATION, file=registration_file(clothing, [{}, {}, {}]),
                                  seller=seller, owner_id=user.pk)  # Celery runs eagerly in tests
    bulk.start_apply(reference=reference, actor=user)
    phases = [phase for phase in seen if phase]
    assert phases == ["uploaded", "validating", "validated", "queued", "applying", "applied"]
    assert Product.objects.filter(seller=seller).count() == 3
