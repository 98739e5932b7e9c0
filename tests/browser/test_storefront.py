"""A shopper on a phone browses: home → category → filters → product page → options and quantity."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOLD_OUT = re.compile(r"품절|Sold out")


def test_browse_filter_and_pick_options(page, catalog, snap):
    # Home: the root categories are shortcuts.
    page.goto("/")
    expect(page.locator(".category-shortcuts")).to_be_visible()
    snap(page, "home")
    page.locator(".category-shortcuts").get_by_role("link", name="패션").tap()

    # The root category lists the products of its whole subtree; tap down to the third level.
    expect(page.get_by_role("heading", level=1, name="패션")).to_be_visible()
    grid = page.locator(".listing-main .product-grid")
    for product in (catalog.cashmere, catalog.cardigan, catalog.cotton):
        expect(grid.get_by_text(product.name)).to_be_visible()
    page.locator("nav.chips").get_by_role("link", name="여성의류").tap()
    expect(page.get_by_role("heading", level=1, name="여성의류")).to_be_visible()
    page.locator("nav.chips").get_by_role("link", name="니트").tap()
    expect(page.get_by_role("heading", level=1, name="니트")).to_be_visible()
    expect(page.locator(".breadcrumbs")).to_contain_text("여성의류")
    expect(grid.locator(".product-card")).to_have_count(3)
    # The card shows the thumbnail generated from the uploaded picture, and it loads.
    first_image = grid.locator(".product-card__image img").first
    expect(first_image).to_have_attribute("src", re.compile(r"/media/products/thumbs/\d+/\d+\.webp"))
    first_image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=first_image.element_handle())
    snap(page, "category")

    # Open the filter panel: brand 모노웨어 and at most 50,000 won.
    panel = page.locator("[data-filter-panel]")
    panel.locator("summary").tap()
    expect(panel.locator("#id_price_max")).to_be_visible()
    panel.locator("#id_price_max").fill("50000")
    panel.locator("label.facet", has_text="모노웨어").locator("input").check()
    snap(page, "filters")
    panel.get_by_role("button", name=re.compile(r"적용|Apply")).tap()

    # Only the cashmere knit is left: the cardigan costs too much, the cotton knit is another brand.
    expect(page).to_have_url(re.compile(r"price_max=50000"))
    expect(grid.locator(".product-card")).to_have_count(1)
    expect(grid.get_by_text(catalog.cashmere.name)).to_be_visible()
    expect(grid.get_by_text(catalog.cardigan.name)).to_have_count(0)
    expect(grid.get_by_text(catalog.cotton.name)).to_have_count(0)
    expect(page.locator(".listing-toolbar__count")).to_contain_text("1")
    snap(page, "filtered")

    # The product page: pick 색상 then 사이즈 with the per-option selects.
    grid.get_by_text(catalog.cashmere.name).tap()
    expect(page.get_by_role("heading", level=1, name=catalog.cashmere.name)).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=page.locator("[data-gallery-main]").element_handle())
    colour = page.get_by_label("색상", exact=True)
    size = page.get_by_label("사이즈", exact=True)
    expect(colour).to_be_visible()
    expect(page.locator("[data-sku-field]")).to_be_hidden()  # the script replaced the plain SKU list
    colour.select_option(label="블랙")

    # 블랙 / L is sold out: its size is disabled and says so; 아이보리 / L is still on sale.
    large = size.locator("option", has_text=re.compile(r"^L\b"))
    expect(large).to_be_disabled()
    expect(large).to_have_text(SOLD_OUT)
    expect(size.locator("option", has_text=re.compile(r"^M\b"))).to_be_enabled()
    size.select_option(label="M")

    selected = page.locator("[data-selected-sku]")
    expect(selected).to_be_visible()
    expect(selected.locator("[data-selected-label]")).to_have_text("블랙 / M")
    expect(selected.locator("[data-selected-price]")).to_have_text("39,000원")
    expect(selected.locator("[data-selected-stock]")).to_contain_text("3")  # only 3 left
    total = page.locator("[data-buy-bar-price]")
    expect(total).to_have_text("39,000원")
    selected.evaluate("box => box.scrollIntoView({block: 'center'})")
    snap(page, "options")

    # The stepper changes the total, and stops at the stock left.
    more = page.locator("[data-step='1']")
    more.tap()
    expect(page.locator("#quantity")).to_have_value("2")
    expect(total).to_have_text("78,000원")
    more.tap()
    more.tap()
    expect(page.locator("#quantity")).to_have_value("3")
    expect(total).to_have_text("117,000원")
    page.locator("[data-step='-1']").tap()
    expect(total).to_have_text("78,000원")
    snap(page, "quantity")

    # Switching to 아이보리 makes L available again, with its price difference.
    colour.select_option(label="아이보리")
    expect(large).to_be_enabled()
    size.select_option(label="L")
    expect(page.locator("[data-selected-price]")).to_have_text("41,000원")
    expect(total).to_have_text("82,000원")
    expect(page.get_by_role("button", name=re.compile(r"장바구니|Add to cart"))).to_be_enabled()
