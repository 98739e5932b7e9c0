"""Product images in the editor (issue 10: "upload several, order them, main image"): the whole
order posted at once (the drag-and-drop enhancement; the one-step buttons, which work without
JavaScript on a phone, are tested in test_views_partner_products.py and test_services_images.py);
the first image is the main one, on the portal's list too."""

import pytest
from django.urls import reverse

from catalog.models import ProductImage
from catalog.services.images import add_product_image
from partners.models import SellerStaff
from tests.accounts.factories import OperatorFactory
from tests.catalog.factories import ProductFactory, SKUFactory
from tests.catalog.test_views_partner_products import png
from tests.partners.factories import SellerStaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _order(product) -> list[int]:
    return list(ProductImage.objects.filter(product=product).order_by("position").values_list("pk", flat=True))


@pytest.fixture
def product_with_three_images():
    staff = SellerStaffFactory(role=SellerStaff.Role.PRODUCTS)
    product = ProductFactory(seller=staff.seller)
    SKUFactory(product=product)
    images = [add_product_image(product=product, uploaded_file=png(f"{n}.png", colour), actor=None)
              for n, colour in enumerate(("red", "blue", "green"))]
    return staff, product, images


def test_the_seller_posts_a_new_order_and_the_first_becomes_the_main_image(client, product_with_three_images):
    staff, product, (red, blue, green) = product_with_three_images
    client.force_login(staff.user)
    editor = client.get(reverse("partner:product_edit", args=[product.pk])).content.decode()
    # The no-script controls are there, and the drag-and-drop form carries the current order.
    assert reverse("partner:product_image_order", args=[product.pk]) in editor
    assert f'name="order" value="{red.pk},{blue.pk},{green.pk}"' in editor
    assert editor.count("Make main") == 2  # every image but the main one

    response = client.post(reverse("partner:product_image_order", args=[product.pk]),
                           {"order": f"{green.pk},{red.pk},{blue.pk}"})

    assert response["Location"] == reverse("partner:product_edit", args=[product.pk]) + "#pe-images"
    assert _order(product) == [green.pk, red.pk, blue.pk]
    editor = client.get(reverse("partner:product_edit", args=[product.pk])).content.decode()
    assert editor.index(f'id="image-{green.pk}"') < editor.index("Main image") < editor.index(f'id="image-{red.pk}"')
    listing = client.get(reverse("partner:product_list")).content.decode()
    green.refresh_from_db()
    red.refresh_from_db()
    assert green.thumbnail_url() in listing and red.thumbnail_url() not in listing


def test_a_stale_or_foreign_order_changes_nothing(client, product_with_three_images):
    staff, product, (red, blue, green) = product_with_three_images
    foreign = add_product_image(product=ProductFactory(), uploaded_file=png("x.png"), actor=None)
    client.force_login(staff.user)
    url = reverse("partner:product_image_order", args=[product.pk])
    for order in (f"{blue.pk},{red.pk}", f"{blue.pk},{red.pk},{green.pk},{foreign.pk}",
                  f"{blue.pk},{blue.pk},{red.pk}", "red,blue", ""):
        response = client.post(url, {"order": order}, follow=True)
        assert response.status_code == 200
        assert _order(product) == [red.pk, blue.pk, green.pk], order
        assert "Image order saved." not in response.content.decode()


def test_another_sellers_product_or_a_role_without_products_cannot_reorder(client, product_with_three_images):
    staff, product, (red, blue, green) = product_with_three_images
    url = reverse("partner:product_image_order", args=[product.pk])
    intruder = SellerStaffFactory(role=SellerStaff.Role.OWNER)
    client.force_login(intruder.user)
    assert client.post(url, {"order": f"{green.pk},{red.pk},{blue.pk}"}).status_code == 404
    orders_clerk = SellerStaffFactory(role=SellerStaff.Role.ORDERS, seller=staff.seller)
    client.force_login(orders_clerk.user)
    assert client.post(url, {"order": f"{green.pk},{red.pk},{blue.pk}"}).status_code == 403
    assert _order(product) == [red.pk, blue.pk, green.pk]


def test_the_console_editor_reorders_any_sellers_images(client, product_with_three_images):
    _staff, product, (red, blue, green) = product_with_three_images
    client.force_login(OperatorFactory(groups=["marketing"]))
    page = client.get(reverse("console:catalog:product_edit", args=[product.pk])).content.decode()
    assert reverse("console:catalog:product_image_order", args=[product.pk]) in page

    response = client.post(reverse("console:catalog:product_image_order", args=[product.pk]),
                           {"order": f"{blue.pk},{green.pk},{red.pk}"})

    assert response["Location"] == reverse("console:catalog:product_edit", args=[product.pk]) + "#pe-images"
    assert _order(product) == [blue.pk, green.pk, red.pk]
    client.force_login(OperatorFactory(groups=["fulfilment"]))  # views products, may not change them
    assert client.post(reverse("console:catalog:product_image_order", args=[product.pk]),
                       {"order": f"{red.pk},{green.pk},{blue.pk}"}).status_code == 403
    assert _order(product) == [blue.pk, green.pk, red.pk]
