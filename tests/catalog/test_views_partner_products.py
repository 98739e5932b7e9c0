"""Products in the seller portal: the editor, images, scoping (another seller's product is a 404,
a role without products a 403), and Excel registration and bulk edit through the pages."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from catalog.models import SKU, Product, ProductImage
from partners.models import SellerStaff
from tests.catalog.factories import CategoryFactory, ProductFactory, SKUFactory
from tests.catalog.test_services_product_editor import CLOTHING_NOTICE
from tests.partners.factories import SellerStaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clothing():
    return CategoryFactory(name="의류", notice_group="clothing")


@pytest.fixture
def staff():
    return SellerStaffFactory(role=SellerStaff.Role.PRODUCTS)


@pytest.fixture
def seller_client(client, staff):
    client.force_login(staff.user)
    return client


def png(name="a.png", colour="red"):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), colour).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def editor_post(category, **overrides):
    data = {
        "category": category.pk, "name": "린넨 셔츠", "list_price_amount": "39000", "sale_price_amount": "29900",
        "option_kind": "combination", "status": "on_sale", "description_html": "<p>시원한</p><script>x()</script>",
        "option-0-name": "색상", "option-0-values": "블랙, 화이트", "option-1-name": "사이즈", "option-1-values": "S, M, L",
        "action": "save",
    }
    labels = ["블랙 / S", "블랙 / M", "블랙 / L", "화이트 / S", "화이트 / M", "화이트 / L"]
    data["row-count"] = str(len(labels))
    for index, label in enumerate(labels):
        data.update({f"row-{index}-label": label, f"row-{index}-delta": "1000" if "L" in label.split(" / ")[1] else "0",
                     f"row-{index}-stock": "7", f"row-{index}-code": "", f"row-{index}-active": "1"})
    data.update({f"notice-{key}": value for key, value in CLOTHING_NOTICE.items()})
    data.update(overrides)
    return data


def test_the_seller_registers_a_product_with_a_2x3_matrix_and_two_images(seller_client, staff, clothing):
    data = editor_post(clothing)
    data["images"] = [png("front.png"), png("back.png", "blue")]

    response = seller_client.post(reverse("partner:product_create"), data)

    product = Product.objects.get(seller=staff.seller)
    assert response.status_code == 302 and response["Location"] == reverse("partner:product_edit", args=[product.pk])
    assert product.skus.count() == 6
    assert sorted(product.skus.values_list("price_delta_amount", flat=True)) == [0, 0, 0, 0, 1000, 1000]
    assert set(product.skus.values_list("stock_quantity", flat=True)) == {7}
    assert product.images.count() == 2
    assert "<script>" not in product.description_html
    assert product.notice["제품소재"] == "면 100%"
    page = seller_client.get(reverse("partner:product_edit", args=[product.pk])).content.decode()
    assert "화이트 / L" in page and "Main image" in page


def test_errors_re_render_the_form_and_change_nothing(seller_client, staff, clothing):
    data = editor_post(clothing, **{"sale_price_amount": "49000", "notice-material": ""})

    response = seller_client.post(reverse("partner:product_create"), data)

    assert response.status_code == 400
    assert "may not exceed the list price" in response.content.decode()
    assert not Product.objects.exists()
    fixed = editor_post(clothing, **{"notice-material": ""})
    response = seller_client.post(reverse("partner:product_create"), fixed)
    assert response.status_code == 400
    assert "Fill in the product notice: Material" in response.content.decode()
    assert not Product.objects.exists()


def test_apply_to_the_option_list_without_script_rebuilds_the_matrix(seller_client, clothing):
    data = editor_post(clothing, action="matrix", **{"option-2-name": "기장", "option-2-values": "숏, 롱"})
    response = seller_client.post(reverse("partner:product_create"), data)
    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="row-11-label" value="화이트 / L / 롱"' in content
    assert not Product.objects.exists()


def test_editing_the_matrix_and_images(seller_client, staff, clothing):
    seller_client.post(reverse("partner:product_create"), {**editor_post(clothing), "images": [png("1.png"),
                                                                                                 png("2.png", "blue")]})
    product = Product.objects.get(seller=staff.seller)
    first, second = product.images.order_by("position")

    data = editor_post(clothing, **{"option-1-values": "M, L", "sale_price_amount": "25000"})
    response = seller_client.post(reverse("partner:product_edit", args=[product.pk]), data)
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.sale_price_amount == 25000
    assert sorted(product.skus.values_list("option_label", flat=True)) == ["블랙 / L", "블랙 / M", "화이트 / L",
                                                                           "화이트 / M"]

    seller_client.post(reverse("partner:product_image_move", args=[product.pk, second.pk]), {"direction": "first"})
    assert list(product.images.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]
    seller_client.post(reverse("partner:product_image_delete", args=[product.pk, first.pk]))
    assert list(ProductImage.objects.filter(product=product).values_list("pk", flat=True)) == [second.pk]


def test_another_sellers_product_and_image_are_404(seller_client):
    other = ProductFactory()
    SKUFactory(product=other)
    from catalog.services.images import add_product_image

    image = add_product_image(product=other, uploaded_file=png(), actor=None)
    urls = [("get", reverse("partner:product_edit", args=[other.pk])),
            ("post", reverse("partner:product_edit", args=[other.pk])),
            ("post", reverse("partner:product_image_move", args=[other.pk, image.pk])),
            ("post", reverse("partner:product_image_delete", args=[other.pk, image.pk]))]
    for method, url in urls:
        assert getattr(seller_client, method)(url, {"direction": "first"}).status_code == 404, url
    assert ProductImage.objects.filter(pk=image.pk).exists()
    listing = seller_client.get(reverse("partner:product_list")).content.decode()
    assert other.name not in listing


@pytest.mark.parametrize("role", [SellerStaff.Role.ORDERS, SellerStaff.Role.SETTLEMENT])
def test_a_role_without_products_gets_403(client, role, clothing):
    staff = SellerStaffFactory(role=role)
    product = ProductFactory(seller=staff.seller)
    client.force_login(staff.user)
    for url in (reverse("partner:product_list"), reverse("partner:product_create"),
                reverse("partner:product_edit", args=[product.pk]), reverse("partner:product_excel")):
        assert client.get(url).status_code == 403
    assert client.post(reverse("partner:product_create"), editor_post(clothing)).status_code == 403
    assert Product.objects.count() == 1


def test_anonymous_goes_to_login(client):
    response = client.get(reverse("partner:product_list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_list_tabs_count_and_search(seller_client, staff):
    ProductFactory(seller=staff.seller, name="여름 셔츠")
    ProductFactory(seller=staff.seller, name="겨울 코트", status=Product.Status.HIDDEN)
    content = seller_client.get(reverse("partner:product_list") + "?status=hidden").content.decode()
    assert "겨울 코트" in content and "여름 셔츠" not in content
    content = seller_client.get(reverse("partner:product_list") + "?q=셔츠").content.decode()
    assert "여름 셔츠" in content and "겨울 코트" not in content


def test_registration_through_the_excel_pages(seller_client, staff, clothing):
    from tests.catalog.test_services_bulk import registration_file

    upload = registration_file(clothing, [{"name": "엑셀 셔츠", "sku_code": "XL-1"}])
    response = seller_client.post(reverse("partner:product_excel"), {"kind": "registration", "file": upload})
    assert response.status_code == 302
    preview = seller_client.get(response["Location"], follow=True)
    assert "1 ready" in preview.content.decode()
    reference = preview.redirect_chain[-1][0].rstrip("/").split("/")[-1] if preview.redirect_chain else \
        response["Location"].rstrip("/").split("/")[-2]
    applied = seller_client.post(reverse("partner:product_excel_apply", args=[reference]))
    assert applied.status_code == 302
    assert Product.objects.filter(seller=staff.seller, name="엑셀 셔츠").exists()
    assert SKU.objects.filter(code__startswith="XL-1-").count() == 6


def test_another_sellers_excel_job_is_404(client, clothing):
    from tests.catalog.test_services_bulk import registration_file

    owner = SellerStaffFactory(role=SellerStaff.Role.OWNER)
    client.force_login(owner.user)
    response = client.post(reverse("partner:product_excel"), {"kind": "registration",
                                                              "file": registration_file(clothing, [{}])})
    reference = response["Location"].rstrip("/").split("/")[-2]
    intruder = SellerStaffFactory(role=SellerStaff.Role.OWNER)
    client.force_login(intruder.user)
    for name in ("partner:product_excel_preview", "partner:product_excel_progress", "partner:product_excel_progress_json"):
        assert client.get(reverse(name, args=[reference])).status_code == 404
    assert client.post(reverse("partner:product_excel_apply", args=[reference])).status_code == 404
    assert not Product.objects.exists()


def test_template_downloads(seller_client, clothing):
    from openpyxl import load_workbook

    response = seller_client.get(reverse("partner:product_excel_template") + f"?category={clothing.pk}")
    workbook = load_workbook(io.BytesIO(response.content))
    header = [cell.value for cell in workbook["상품등록"][1]]
    assert header[:5] == ["카테고리코드", "상품명", "브랜드", "정가", "판매가"]
    assert "고시:제품소재" in header or "고시:Material" in header
    assert len([h for h in header if h.startswith("고시:")]) == 9  # the clothing group's fields
    codes = [row[0].value for row in workbook["카테고리코드"].iter_rows(min_row=2)]
    assert clothing.pk in codes
