"""What the product page makes the phone wait for (Lighthouse): one stylesheet in <head>, no ICU."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from catalog.services import create_category, create_product
from tests.catalog.factories import BrandFactory
from tests.partners.factories import SellerFactory

pytestmark = pytest.mark.django_db


def test_the_product_page_head_blocks_on_the_shop_stylesheet_only(client):
    product = create_product(seller=SellerFactory(), category=create_category(name="가", slug="ga"),
                             brand=BrandFactory(), name="자산 가디건", list_price_amount=15900, sale_price_amount=15900,
                             options=[], initial_stock=10)
    html = client.get(reverse("shop:product", args=[product.pk])).content.decode()
    head, body = html.split("</head>", 1)
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', head) == ["/static/css/shop.css"]
    # The coupon block's styles come in the body, before the block and after the gallery and price.
    link = body.index("/static/css/marketing.css")
    assert body.index('class="gallery"') < link < body.index('class="buy-form"')


def test_product_js_formats_prices_without_intl():
    source = (Path(settings.BASE_DIR) / "static/js/product.js").read_text()
    code = re.sub(r"//.*", "", source)  # comments may name it
    assert ".toLocaleString(" not in code and "Intl." not in code  # the first call loads ICU: a long task
