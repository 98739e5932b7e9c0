"""Operators run the portal's Excel registration and bulk edit for a chosen seller from the
console (issue 10): the same pages and services, the seller in the URL, the product permissions
required, and a job bound to the operator who uploaded it and the seller it was uploaded for."""

import io

import pytest
from django.urls import reverse

from catalog.models import SKU, Product
from tests.accounts.factories import OperatorFactory
from tests.partners.factories import SellerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def clothing():
    from tests.catalog.factories import CategoryFactory

    return CategoryFactory(name="의류", notice_group="clothing")


@pytest.fixture
def merchandiser(client):
    client.force_login(OperatorFactory(groups=["marketing"]))
    return client


def _reference(location: str) -> str:
    return location.rstrip("/").split("/")[-2]  # …/excel/<reference>/progress/


def test_an_operator_registers_products_by_excel_for_a_chosen_seller(merchandiser, clothing):
    from tests.catalog.test_services_bulk import registration_file

    seller, other = SellerFactory(), SellerFactory()
    chooser = merchandiser.get(reverse("console:catalog:product_excel_choose_seller"))
    assert chooser.status_code == 200 and seller.name in chooser.content.decode()
    assert merchandiser.get(reverse("console:catalog:product_excel_choose_seller") + f"?seller={seller.pk}")[
        "Location"] == reverse("console:catalog:product_excel", args=[seller.pk])
    page = merchandiser.get(reverse("console:catalog:product_excel", args=[seller.pk])).content.decode()
    assert seller.name in page and reverse("console:catalog:product_excel_template", args=[seller.pk]) in page

    response = merchandiser.post(reverse("console:catalog:product_excel", args=[seller.pk]), {
        "kind": "registration", "file": registration_file(clothing, [{"name": "콘솔 셔츠", "sku_code": "CON-1"}])})
    assert response.status_code == 302
    reference = _reference(response["Location"])
    assert response["Location"] == reverse("console:catalog:product_excel_progress", args=[seller.pk, reference])
    preview = merchandiser.get(response["Location"], follow=True)
    assert "1 ready" in preview.content.decode()
    assert Product.objects.count() == 0  # the dry run wrote nothing
    # The job belongs to the seller it was uploaded for: under another seller's URL it does not exist.
    assert merchandiser.post(reverse("console:catalog:product_excel_apply", args=[other.pk, reference])
                             ).status_code == 404

    applied = merchandiser.post(reverse("console:catalog:product_excel_apply", args=[seller.pk, reference]))

    assert applied["Location"] == reverse("console:catalog:product_list")
    product = Product.objects.get()
    assert (product.seller_id, product.name) == (seller.pk, "콘솔 셔츠")
    assert sorted(SKU.objects.filter(product=product).values_list("code", flat=True)) == [
        f"CON-1-0{n}" for n in range(1, 7)]


def test_an_operator_downloads_a_sellers_products_for_bulk_edit(merchandiser, clothing):
    from openpyxl import load_workbook

    from tests.catalog.test_services_bulk import seller_with_products

    seller, product_a, _product_b = seller_with_products(clothing, prefix="D")
    seller_with_products(clothing, prefix="E")  # another seller's SKUs stay out of the file
    response = merchandiser.get(reverse("console:catalog:product_excel_bulk_download", args=[seller.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    codes = sorted(row[1].value for row in sheet.iter_rows(min_row=2) if row[1].value)
    assert codes == ["DA-01", "DA-02", "DA-03", "DA-04", "DA-05", "DA-06", "DB"]


def test_an_operator_without_the_product_permissions_gets_403(client, clothing):
    from tests.catalog.test_services_bulk import registration_file

    seller = SellerFactory()
    client.force_login(OperatorFactory(groups=["fulfilment"]))  # may view products, not change them
    for url in (reverse("console:catalog:product_excel_choose_seller"),
                reverse("console:catalog:product_excel", args=[seller.pk]),
                reverse("console:catalog:product_excel_template", args=[seller.pk]),
                reverse("console:catalog:product_excel_bulk_download", args=[seller.pk]),
                reverse("console:catalog:product_excel_preview", args=[seller.pk, "PX-NONE"])):
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("console:catalog:product_excel", args=[seller.pk]),
                           {"kind": "registration", "file": registration_file(clothing, [{}])})
    assert response.status_code == 403
    assert client.post(reverse("console:catalog:product_excel_apply", args=[seller.pk, "PX-NONE"])).status_code == 403
    assert not Product.objects.exists()
    client.logout()
    assert client.get(reverse("console:catalog:product_excel", args=[seller.pk]))["Location"].startswith("/")


def test_another_operators_job_is_404(merchandiser, client, clothing, django_user_model):
    from django.test import Client

    from tests.catalog.test_services_bulk import registration_file

    seller = SellerFactory()
    response = merchandiser.post(reverse("console:catalog:product_excel", args=[seller.pk]), {
        "kind": "registration", "file": registration_file(clothing, [{"name": "남의 파일"}])})
    reference = _reference(response["Location"])
    colleague = Client()
    colleague.force_login(OperatorFactory(groups=["marketing"]))
    assert colleague.get(reverse("console:catalog:product_excel_preview", args=[seller.pk, reference])
                         ).status_code == 404
    assert colleague.post(reverse("console:catalog:product_excel_apply", args=[seller.pk, reference])
                          ).status_code == 404
    assert not Product.objects.exists()
