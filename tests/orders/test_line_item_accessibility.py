"""The cart line's picture link (axe link-name): a duplicate of the name link, hidden from assistive tech."""

import re

import pytest
from django.urls import reverse

from tests.accounts.factories import UserFactory
from tests.catalog.factories import SKUFactory

pytestmark = pytest.mark.django_db


def _links(html):
    return re.findall(r"<a\b([^>]*)>(.*?)</a>", html, re.S)


def test_every_cart_link_has_a_name_or_is_hidden_from_assistive_tech(client):
    sku = SKUFactory(stock_quantity=5)
    client.force_login(UserFactory())
    assert client.post("/cart/add/", {"sku": sku.pk, "quantity": 1}).status_code == 302
    html = client.get(reverse("shop:cart")).content.decode()

    product_url = reverse("shop:product", args=[sku.product_id])
    to_product = [(attrs, body) for attrs, body in _links(html) if f'href="{product_url}"' in attrs]
    assert len(to_product) == 2  # the picture and the name
    picture, name = to_product
    assert 'aria-hidden="true"' in picture[0] and 'tabindex="-1"' in picture[0]
    assert sku.product.name in name[1]
    for attrs, body in _links(html):
        text = re.sub(r"<[^>]+>", "", body).strip()
        assert text or "aria-label=" in attrs or 'aria-hidden="true"' in attrs, attrs
