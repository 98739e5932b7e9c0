import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from catalog.models import SKU, ProductImage, StockMovement
from catalog.services import add_product_image, adjust_stock
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.catalog.factories import ProductFactory, SKUFactory

Reason = StockMovement.Reason


@pytest.fixture
def fulfilment(db):
    return OperatorFactory(groups=["fulfilment"])


@pytest.fixture
def fulfilment_client(client, fulfilment):
    client.force_login(fulfilment)
    return client


@pytest.fixture
def image_editor(db):
    user = OperatorFactory(groups=["fulfilment"])
    user.user_permissions.add(Permission.objects.get(content_type__app_label="catalog", codename="change_product"))
    return user


@pytest.fixture
def image_client(client, image_editor):
    client.force_login(image_editor)
    return client


@pytest.fixture
def product(db):
    product = ProductFactory(name="기본 티셔츠")
    SKUFactory(product=product, code="TEE-01", option_label="빨강 / M", stock_quantity=5)
    SKUFactory(product=product, code="TEE-02", option_label="빨강 / L", stock_quantity=0)
    return product


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def page_urls(product_id=1, image_id=1):
    return [
        ("get", reverse("console:catalog:product_list")),
        ("get", reverse("console:catalog:product_stock", args=[product_id])),
        ("post", reverse("console:catalog:stock_adjust", args=[product_id])),
        ("get", reverse("console:catalog:stock_import")),
        ("get", reverse("console:catalog:stock_import_preview") + "?batch=x"),
        ("post", reverse("console:catalog:stock_import_apply")),
        ("get", reverse("console:catalog:stock_import_template")),
        ("get", reverse("console:catalog:product_images", args=[product_id])),
        ("post", reverse("console:catalog:product_image_move", args=[product_id, image_id])),
        ("post", reverse("console:catalog:product_image_delete", args=[product_id, image_id])),
    ]


# --- Access --------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("method, url", page_urls())
def test_anonymous_visitors_are_sent_to_login(client, method, url):
    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
@pytest.mark.parametrize("method, url", page_urls())
def test_a_shopper_gets_403(client, method, url):
    client.force_login(UserFactory())

    assert getattr(client, method)(url).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("method, url", page_urls())
def test_staff_without_the_permission_gets_403(client, method, url):
    client.force_login(OperatorFactory(groups=["cs"]))  # CS may view products, not stock or images

    response = getattr(client, method)(url)

    if url == reverse("console:catalog:product_list"):
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.django_db
def test_fulfilment_cannot_manage_images(fulfilment_client, product):
    assert fulfilment_client.get(reverse("console:catalog:product_images", args=[product.pk])).status_code == 403


# --- Product list ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_product_list_shows_products_with_their_stock(fulfilment_client, product):
    response = fulfilment_client.get(reverse("console:catalog:product_list"))

    content = response.content.decode()
    assert "기본 티셔츠" in content
    assert reverse("console:catalog:product_stock", args=[product.pk]) in content
    assert response.context["page"][0].stock_total == 5
    assert response.context["page"][0].sku_count == 2


@pytest.mark.django_db
def test_product_list_searches_by_name_and_by_sku_code(fulfilment_client, product):
    other = ProductFactory(name="머그컵")
    SKUFactory(product=other, code="MUG-77")
    url = reverse("console:catalog:product_list")

    by_name = fulfilment_client.get(url, {"q": "티셔츠"}).context["page"]
    by_code = fulfilment_client.get(url, {"q": "mug-7"}).context["page"]

    assert [p.pk for p in by_name] == [product.pk]
    assert [p.pk for p in by_code] == [other.pk]


@pytest.mark.django_db
def test_product_list_runs_constant_queries(fulfilment_client, tmp_path):
    def make(count):
        for _ in range(count):
            item = ProductFactory()
            SKUFactory.create_batch(2, product=item)
            ProductImage.objects.create(product=item, original="products/x.jpg", width=100, height=100,
                                        thumbnails={"240": "t/1.webp"})

    url = reverse("console:catalog:product_list")
    make(2)
    few = count_queries(fulfilment_client, url)
    make(18)
    many = count_queries(fulfilment_client, url)

    assert few == many
    assert len(fulfilment_client.get(url).context["page"]) == 20


# --- Stock page ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_stock_page_lists_skus_and_history(fulfilment_client, fulfilment, product):
    sku = product.skus.get(code="TEE-01")
    adjust_stock(sku_id=sku.pk, delta=3, reason=Reason.RECEIVED, actor=fulfilment, note="3월 입고")

    response = fulfilment_client.get(reverse("console:catalog:product_stock", args=[product.pk]))

    content = response.content.decode()
    assert "TEE-01" in content and "TEE-02" in content
    assert "3월 입고" in content and "+3" in content


@pytest.mark.django_db
def test_stock_page_runs_constant_queries(fulfilment_client, fulfilment):
    item = ProductFactory()
    url = reverse("console:catalog:product_stock", args=[item.pk])

    def make(count):
        for _ in range(count):
            sku = SKUFactory(product=item, stock_quantity=0)
            adjust_stock(sku_id=sku.pk, delta=2, reason=Reason.RECEIVED, actor=fulfilment)

    make(2)
    few = count_queries(fulfilment_client, url)
    make(28)
    many = count_queries(fulfilment_client, url)

    assert few == many
    assert len(fulfilment_client.get(url).context["page"]) == 25


@pytest.mark.django_db
@pytest.mark.parametrize("reason, quantity, expected, delta", [
    (Reason.RECEIVED, 4, 9, 4),
    (Reason.COUNTED, 2, 2, -3),
    (Reason.DAMAGED, 1, 4, -1),
])
def test_adjust_stock_from_the_page(fulfilment_client, fulfilment, product, reason, quantity, expected, delta):
    sku = product.skus.get(code="TEE-01")

    response = fulfilment_client.post(reverse("console:catalog:stock_adjust", args=[product.pk]),
                                      {"sku": sku.pk, "reason": reason, "quantity": quantity, "note": "메모"})

    assert response.status_code == 302
    sku.refresh_from_db()
    assert sku.stock_quantity == expected
    movement = StockMovement.objects.get()
    assert (movement.reason, movement.delta, movement.actor, movement.note) == (reason, delta, fulfilment, "메모")


@pytest.mark.django_db
def test_damaged_beyond_the_stock_shows_the_error_and_changes_nothing(fulfilment_client, product):
    sku = product.skus.get(code="TEE-01")

    response = fulfilment_client.post(reverse("console:catalog:stock_adjust", args=[product.pk]),
                                      {"sku": sku.pk, "reason": Reason.DAMAGED, "quantity": 9}, follow=True)

    assert "Not enough stock" in response.content.decode()
    sku.refresh_from_db()
    assert sku.stock_quantity == 5
    assert not StockMovement.objects.exists()


@pytest.mark.django_db
def test_an_invalid_adjust_form_is_shown_again(fulfilment_client, product):
    sku = product.skus.get(code="TEE-01")

    response = fulfilment_client.post(reverse("console:catalog:stock_adjust", args=[product.pk]),
                                      {"sku": sku.pk, "reason": Reason.RECEIVED, "quantity": 0})

    assert response.status_code == 400
    assert "Enter at least 1." in response.content.decode()
    assert not StockMovement.objects.exists()


@pytest.mark.django_db
def test_a_sku_of_another_product_cannot_be_adjusted_through_this_page(fulfilment_client, product):
    foreign = SKUFactory(stock_quantity=3)

    response = fulfilment_client.post(reverse("console:catalog:stock_adjust", args=[product.pk]),
                                      {"sku": foreign.pk, "reason": Reason.RECEIVED, "quantity": 1})

    assert response.status_code == 403
    foreign.refresh_from_db()
    assert foreign.stock_quantity == 3


# --- Bulk import -----------------------------------------------------------------------------

def csv_upload(text: str, name: str = "count.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


@pytest.mark.django_db
def test_import_good_file_preview_then_apply(fulfilment_client, fulfilment, product):
    response = fulfilment_client.post(reverse("console:catalog:stock_import"),
                                      {"file": csv_upload("SKU코드,수량\r\nTEE-01,8\r\nTEE-02,3\r\n", encoding="cp949")})
    assert response.status_code == 302
    preview_url = response["Location"]

    preview = fulfilment_client.get(preview_url)
    content = preview.content.decode()
    assert preview.status_code == 200
    assert "2 rows, 0 errors" in content
    assert reverse("console:catalog:stock_import_apply") in content
    assert SKU.objects.get(code="TEE-01").stock_quantity == 5  # nothing yet

    batch = preview.context["reference"]
    applied = fulfilment_client.post(reverse("console:catalog:stock_import_apply"), {"batch": batch}, follow=True)

    assert "applied" in applied.content.decode()
    assert [s.stock_quantity for s in SKU.objects.order_by("code")] == [8, 3]
    assert set(StockMovement.objects.values_list("reason", "reference", "actor")) == {
        (Reason.IMPORTED, batch, fulfilment.pk)}

    again = fulfilment_client.post(reverse("console:catalog:stock_import_apply"), {"batch": batch})
    assert again.status_code == 302 and StockMovement.objects.count() == 2  # a double submit changes nothing


@pytest.mark.django_db
def test_import_with_error_rows_has_no_apply_button_and_cannot_be_applied(fulfilment_client, product):
    response = fulfilment_client.post(reverse("console:catalog:stock_import"),
                                      {"file": csv_upload("sku_code,quantity\nTEE-01,8\nNOPE,1\nTEE-02,x\n")})
    preview = fulfilment_client.get(response["Location"])
    content = preview.content.decode()

    assert "3 rows, 2 errors" in content
    assert "row--error" in content and "row--ok" in content
    assert "No SKU has the code" in content
    assert reverse("console:catalog:stock_import_apply") not in content

    forced = fulfilment_client.post(reverse("console:catalog:stock_import_apply"),
                                    {"batch": preview.context["reference"]}, follow=True)
    assert "Nothing was imported" in forced.content.decode()
    assert SKU.objects.get(code="TEE-01").stock_quantity == 5
    assert not StockMovement.objects.exists()


@pytest.mark.django_db
def test_import_preview_can_show_only_errors(fulfilment_client, product):
    response = fulfilment_client.post(reverse("console:catalog:stock_import"),
                                      {"file": csv_upload("sku_code,quantity\nTEE-01,8\nNOPE,1\n")})

    preview = fulfilment_client.get(response["Location"] + "&errors=1")

    assert [row.sku_code for row in preview.context["page"]] == ["NOPE"]


@pytest.mark.django_db
@pytest.mark.parametrize("upload, message", [
    (csv_upload("SKU,재고위치\nTEE-01,A\n"), "Missing: 수량"),
    (csv_upload(""), ""),  # Django's own check of an empty upload (its message is translated)
    (csv_upload("SKU코드,수량\n"), "no data rows"),
    (SimpleUploadedFile("photo.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00"), "could not be read"),
    (SimpleUploadedFile("report.pdf", b"%PDF-1.4"), "not an Excel"),
])
def test_import_refuses_a_bad_file_on_the_upload_page(fulfilment_client, product, upload, message):
    response = fulfilment_client.post(reverse("console:catalog:stock_import"), {"file": upload})

    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert message in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_or_expired_preview_goes_back_to_upload(fulfilment_client):
    response = fulfilment_client.get(reverse("console:catalog:stock_import_preview") + "?batch=IMPORT-nope")

    assert response.status_code == 302
    assert response["Location"] == reverse("console:catalog:stock_import")


@pytest.mark.django_db
def test_preview_page_runs_constant_queries(fulfilment_client):
    item = ProductFactory()
    SKU.objects.bulk_create([SKU(product=item, code=f"C-{n:03d}") for n in range(300)])

    def preview_url(count):
        text = "SKU코드,수량\n" + "".join(f"C-{n:03d},{n}\n" for n in range(count)) + "NOPE,1\n"
        return fulfilment_client.post(reverse("console:catalog:stock_import"), {"file": csv_upload(text)})["Location"]

    few = count_queries(fulfilment_client, preview_url(2))
    many = count_queries(fulfilment_client, preview_url(250))

    assert few == many


@pytest.mark.django_db
def test_template_download_is_an_xlsx_with_the_header(fulfilment_client):
    response = fulfilment_client.get(reverse("console:catalog:stock_import_template"))

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == ["SKU코드", "수량"]


# --- Images ----------------------------------------------------------------------------------

def jpeg(name="photo.jpg", size=(800, 600)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.mark.django_db
def test_upload_several_images_with_a_per_file_error(image_client, product, django_capture_on_commit_callbacks):
    url = reverse("console:catalog:product_images", args=[product.pk])
    bad = SimpleUploadedFile("notes.jpg", b"hello, I am text", content_type="image/jpeg")

    with django_capture_on_commit_callbacks(execute=True):
        response = image_client.post(url, {"images": [jpeg("front.jpg"), bad, jpeg("back.jpg")], "alt": "티셔츠"},
                                     follow=True)

    content = response.content.decode()
    assert "2 image(s) added." in content
    assert "notes.jpg: This file is not an image we accept" in content
    images = list(product.images.order_by("position"))
    assert len(images) == 2
    assert all(set(image.thumbnails) == {"240", "480", "800"} for image in images)


@pytest.mark.django_db
def test_upload_without_files_shows_the_form_error(image_client, product):
    response = image_client.post(reverse("console:catalog:product_images", args=[product.pk]), {})

    assert response.status_code == 400
    assert not ProductImage.objects.exists()


@pytest.mark.django_db
def test_images_page_move_and_delete(image_client, product, django_capture_on_commit_callbacks):
    first, second = (add_product_image(product=product, uploaded_file=jpeg(), actor=None, generate_now=True)
                     for _ in range(2))

    page = image_client.get(reverse("console:catalog:product_images", args=[product.pk]))
    assert page.status_code == 200 and f"products/thumbs/{first.pk}/" in page.content.decode()

    image_client.post(reverse("console:catalog:product_image_move", args=[product.pk, second.pk]),
                      {"direction": "first"})
    assert list(product.images.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]

    with django_capture_on_commit_callbacks(execute=True):
        image_client.post(reverse("console:catalog:product_image_delete", args=[product.pk, second.pk]))
    assert list(product.images.values_list("pk", "position")) == [(first.pk, 0)]


@pytest.mark.django_db
def test_an_image_of_another_product_is_404(image_client, product):
    other = add_product_image(product=ProductFactory(), uploaded_file=jpeg(), actor=None)

    response = image_client.post(reverse("console:catalog:product_image_delete", args=[product.pk, other.pk]))

    assert response.status_code == 404
    assert ProductImage.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db
def test_images_page_runs_constant_queries(image_client):
    item = ProductFactory()
    url = reverse("console:catalog:product_images", args=[item.pk])

    def make(count):
        for _ in range(count):
            ProductImage.objects.create(product=item, original="products/x.jpg", width=100, height=100,
                                        thumbnails={"240": "t/1.webp"})

    make(2)
    few = count_queries(image_client, url)
    make(18)
    many = count_queries(image_client, url)

    assert few == many
