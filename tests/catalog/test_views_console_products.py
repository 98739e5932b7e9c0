"""The console's product editor (any seller) and product review."""

import pytest
from django.urls import reverse

from catalog.models import Product, SellerCatalogSettings
from core.models import OutboxMessage
from tests.accounts.factories import OperatorFactory
from tests.catalog.test_views_partner_products import editor_post
from tests.partners.factories import SellerFactory, SellerStaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clothing():
    from tests.catalog.factories import CategoryFactory

    return CategoryFactory(name="의류", notice_group="clothing")


@pytest.fixture
def merchandiser(client):
    user = OperatorFactory(groups=["marketing"])
    client.force_login(user)
    return client


def test_an_operator_registers_and_edits_a_product_for_any_seller(merchandiser, clothing):
    seller = SellerFactory()
    assert "For which seller?" in merchandiser.get(reverse("console:catalog:product_create")).content.decode()

    response = merchandiser.post(reverse("console:catalog:product_create"), {**editor_post(clothing),
                                                                             "seller": seller.pk})
    product = Product.objects.get(seller=seller)
    assert response["Location"] == reverse("console:catalog:product_edit", args=[product.pk])
    assert product.skus.count() == 6

    response = merchandiser.post(reverse("console:catalog:product_edit", args=[product.pk]),
                                 editor_post(clothing, status="hidden", **{"option-0-values": "블랙"}))
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.status == "hidden" and product.skus.count() == 3


def test_the_editor_needs_the_change_permission(client, clothing):
    viewer = OperatorFactory(groups=["fulfilment"])  # may view products, not change them
    client.force_login(viewer)
    assert client.get(reverse("console:catalog:product_create")).status_code == 403
    assert client.get(reverse("console:catalog:review_list")).status_code == 403


def test_review_flow_through_the_console(merchandiser, client, clothing):
    staff = SellerStaffFactory()
    merchandiser.post(reverse("console:catalog:review_setting"), {"seller": staff.seller.pk, "need_review": "1"})
    assert SellerCatalogSettings.objects.get(seller=staff.seller).products_need_review

    seller_client = client.__class__()
    seller_client.force_login(staff.user)
    seller_client.post(reverse("partner:product_create"), editor_post(clothing))
    product = Product.objects.get(seller=staff.seller)
    assert (product.status, product.review_status) == ("hidden", "pending")
    assert seller_client.get(reverse("shop:product", args=[product.pk])).status_code == 404

    page = merchandiser.get(reverse("console:catalog:review_list")).content.decode()
    assert product.name in page
    response = merchandiser.post(reverse("console:catalog:review_decide", args=[product.pk]), {"decision": "reject"})
    product.refresh_from_db()
    assert product.review_status == "pending"  # a rejection without a reason changes nothing
    merchandiser.post(reverse("console:catalog:review_decide", args=[product.pk]),
                      {"decision": "reject", "reason": "이미지 저작권 확인 필요"})
    product.refresh_from_db()
    assert product.review_status == "rejected"
    assert "이미지 저작권 확인 필요" in seller_client.get(reverse("partner:product_edit", args=[product.pk])).content.decode()

    seller_client.post(reverse("partner:product_edit", args=[product.pk]), editor_post(clothing))
    product.refresh_from_db()
    assert product.review_status == "pending"
    response = merchandiser.post(reverse("console:catalog:review_decide", args=[product.pk]), {"decision": "approve"})
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.status, product.review_status) == ("on_sale", "approved")
    assert seller_client.get(reverse("shop:product", args=[product.pk])).status_code == 200
    assert sorted(OutboxMessage.objects.filter(event="product.approved").values_list("channel", flat=True)) == [
        "alimtalk", "email"]


def test_image_buttons_of_the_console_editor_come_back_to_the_editor(merchandiser, clothing):
    from catalog.services.images import add_product_image
    from tests.catalog.factories import ProductFactory
    from tests.catalog.test_views_partner_products import png

    product = ProductFactory()
    first = add_product_image(product=product, uploaded_file=png("1.png"), actor=None)
    second = add_product_image(product=product, uploaded_file=png("2.png", "blue"), actor=None)
    page = merchandiser.get(reverse("console:catalog:product_edit", args=[product.pk])).content.decode()
    assert reverse("console:catalog:product_image_move", args=[product.pk, second.pk]) in page

    response = merchandiser.post(reverse("console:catalog:product_image_move", args=[product.pk, second.pk]),
                                 {"direction": "first", "return_to": "editor"})
    assert response["Location"] == reverse("console:catalog:product_edit", args=[product.pk]) + "#pe-images"
    assert list(product.images.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]
