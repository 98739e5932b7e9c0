"""A seller on a phone registers a product with a 2×3 option matrix and two images in the seller
center; a shopper then finds it in the storefront and picks its options."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in_with_cookie, picture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_seller_registers_a_2x3_product_with_images_and_it_shows_in_the_storefront(page, phone, site, client,
                                                                                       snap, tmp_path):
    from catalog.models import Product
    from partners.models import SellerStaff
    from tests.catalog.factories import CategoryFactory
    from tests.partners.factories import SellerStaffFactory

    category = CategoryFactory(name="셔츠", notice_group="clothing")
    staff = SellerStaffFactory(role=SellerStaff.Role.PRODUCTS)
    log_in_with_cookie(phone, client, staff.user, site.url)
    images = []
    for index, colour in enumerate(((30, 30, 30), (230, 230, 220))):
        path = tmp_path / f"shirt-{index}.jpg"
        path.write_bytes(picture(colour).read())
        images.append(str(path))

    page.goto("/partner/products/new/")
    page.locator("select[name=category]").select_option(str(category.pk))
    page.locator("input[name=name]").fill("여름 린넨 셔츠")
    page.locator("input[name=list_price_amount]").fill("39000")
    page.locator("input[name=sale_price_amount]").fill("29900")
    page.locator("label", has=page.locator("input[name=option_kind][value=combination]")).tap()
    page.locator("input[name=option-0-name]").fill("색상")
    page.locator("input[name=option-0-values]").fill("블랙, 화이트")
    page.locator("input[name=option-1-name]").fill("사이즈")
    page.locator("input[name=option-1-values]").fill("S, M, L")
    page.locator("[data-apply-options]").tap()
    rows = page.locator("[data-matrix-body] tr")
    expect(rows).to_have_count(6)
    expect(rows.nth(5)).to_contain_text("화이트 / L")
    # The set-all tool gives every SKU 5 in stock; then 화이트 costs 1,000 won more, and 블랙 / L is not sold.
    page.locator("[data-bulk=stock]").fill("5")
    page.locator("[data-bulk-apply]").tap()
    for index in (3, 4, 5):
        rows.nth(index).locator("[data-field=delta]").fill("1000")
    rows.nth(2).locator("[data-field=active]").uncheck()
    page.locator("input[name=images]").set_input_files(images)
    # Only the clothing notice fields are shown; fill them in one go.
    expect(page.get_by_label(re.compile(r"^(제품소재|Material)$"))).to_be_visible()
    expect(page.get_by_label(re.compile(r"^(영양성분|Nutrition facts)$"))).to_be_hidden()
    page.locator("[data-notice-fill]").tap()
    snap(page, "editor", full_page=True)
    page.get_by_role("button", name=re.compile(r"상품 등록하기|Register product")).tap()

    expect(page.locator(".message--success")).to_be_visible()
    product = Product.objects.get(seller=staff.seller)
    assert product.skus.count() == 6 and product.images.count() == 2
    expect(page.locator(".pe-image")).to_have_count(2)
    snap(page, "saved")

    # The shopper's view: the product page offers the options with their prices.
    page.goto(f"/products/{product.pk}/")
    expect(page.get_by_role("heading", level=1, name="여름 린넨 셔츠")).to_be_visible()
    expect(page.locator("[data-gallery-main]")).to_be_visible()
    colour = page.get_by_label("색상", exact=True)
    size = page.get_by_label("사이즈", exact=True)
    colour.select_option(label="화이트")
    size.select_option(value=size.locator("option", has_text=re.compile(r"^L\b")).get_attribute("value"))
    expect(page.locator("[data-selected-label]")).to_have_text("화이트 / L")
    expect(page.locator("[data-selected-price]")).to_have_text("30,900원")
    # 블랙 / L is not for sale: with L chosen, 블랙 cannot be picked.
    expect(colour.locator("option", has_text="블랙")).to_be_disabled()
    snap(page, "storefront")
