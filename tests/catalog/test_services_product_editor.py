"""The product editor's services: registration with a SKU matrix, option edits after orders,
notice fields per group, review. On PostgreSQL in CI (plain django_db tests)."""

import pytest

from catalog.exceptions import CatalogError
from catalog.models import SKU, Category, OptionGroup, Product, SellerCatalogSettings, StockMovement
from catalog.services.products import (
    OptionRow,
    OptionSpec,
    approve_product,
    register_product,
    reject_product,
    save_product_options,
    set_products_need_review,
    update_product,
)
from core.models import OutboxMessage, StatusChange
from tests.accounts.factories import UserFactory
from tests.catalog.factories import CategoryFactory
from tests.partners.factories import SellerFactory

pytestmark = pytest.mark.django_db

CLOTHING_NOTICE = {
    "material": "면 100%", "color": "블랙, 화이트", "size": "S, M, L", "manufacturer": "(주)마켓온",
    "origin": "대한민국", "care": "손세탁", "made_on": "2026-10", "warranty": "관련법 및 소비자분쟁해결기준에 따름",
    "cs_phone": "02-123-4567",
}


@pytest.fixture
def clothing():
    category = CategoryFactory(name="의류")
    category.notice_group = "clothing"
    category.save()
    return category


def colour_size():
    return [OptionSpec(name="색상", values=["블랙", "화이트"]), OptionSpec(name="사이즈", values=["S", "M", "L"])]


def register(seller, category, options=None, rows=None, **kwargs):
    values = {"name": "린넨 셔츠", "list_price_amount": 39000, "sale_price_amount": 29900, "notice": CLOTHING_NOTICE}
    values.update(kwargs)
    return register_product(seller=seller, category=category, options=options or [], rows=rows or [], **values)


def test_a_2x3_matrix_makes_six_skus_with_their_own_terms(clothing):
    rows = [OptionRow(values=("블랙", "S"), price_delta_amount=0, stock_quantity=5, code="SHIRT-BK-S"),
            OptionRow(values=("화이트", "L"), price_delta_amount=-1000, stock_quantity=2, code="SHIRT-WH-L"),
            OptionRow(values=("블랙", "L"), price_delta_amount=2000, stock_quantity=0, is_active=False)]

    product = register(SellerFactory(), clothing, colour_size(), rows)

    skus = list(product.skus.order_by("position"))
    assert [sku.option_label for sku in skus] == ["블랙 / S", "블랙 / M", "블랙 / L", "화이트 / S", "화이트 / M", "화이트 / L"]
    terms = {sku.option_label: (sku.price_delta_amount, sku.stock_quantity, sku.is_active) for sku in skus}
    assert terms["블랙 / S"] == (0, 5, True)
    assert terms["화이트 / L"] == (-1000, 2, True)
    assert terms["블랙 / L"] == (2000, 0, False)
    assert terms["블랙 / M"] == (0, 0, True)  # a combination without a row gets the defaults
    assert SKU.objects.get(code="SHIRT-WH-L").price_amount == 28900
    assert [group.name for group in product.option_groups.all()] == ["색상", "사이즈"]
    assert all(sku.option_values.count() == 2 for sku in skus)
    # stock of new SKUs goes through the ledger
    assert StockMovement.objects.get(sku__code="SHIRT-BK-S").quantity_after == 5


def test_three_groups_make_the_full_cartesian_product(clothing):
    options = [OptionSpec(name="색상", values=["블랙", "화이트"]), OptionSpec(name="사이즈", values=["S", "M", "L"]),
               OptionSpec(name="기장", values=["숏", "롱"])]

    product = register(SellerFactory(), clothing, options)

    assert product.skus.count() == 12
    assert product.skus.filter(option_label="화이트 / M / 롱").exists()


@pytest.mark.parametrize(("options", "rows", "message"), [
    ([OptionSpec("a", ["1"]), OptionSpec("b", ["1"]), OptionSpec("c", ["1"]), OptionSpec("d", ["1"])], [],
     "at most 3 option groups"),
    ([OptionSpec("색상", ["블랙", "블랙"])], [], "distinct values"),
    ([OptionSpec("색상", ["블랙"]), OptionSpec("색상", ["S"])], [], "name of its own"),
    ([OptionSpec("색상", ["블랙", "화이트"])],
     [OptionRow(("블랙",), price_delta_amount=1000), OptionRow(("화이트",), price_delta_amount=500)], "0 won"),
    ([OptionSpec("색상", ["블랙"])], [OptionRow(("블랙",), price_delta_amount=-29900)], "zero or less"),
    ([OptionSpec("색상", ["블랙", "화이트"])], [OptionRow(("블랙",), code="X1"), OptionRow(("화이트",), code="x1")],
     "own SKU code"),
])
def test_bad_matrices_are_refused_and_nothing_is_written(clothing, options, rows, message):
    seller = SellerFactory()
    with pytest.raises(CatalogError) as caught:
        register(seller, clothing, options, rows)
    assert message in caught.value.message
    assert not Product.objects.filter(seller=seller).exists()
    assert not SKU.objects.exists()


def test_a_code_of_another_product_is_refused(clothing):
    register(SellerFactory(), clothing, rows=[OptionRow(values=(), code="TAKEN-1")])
    with pytest.raises(CatalogError, match="already in use"):
        register(SellerFactory(), clothing, rows=[OptionRow(values=(), code="taken-1")])


def test_notice_fields_follow_the_category_group(clothing):
    food = CategoryFactory(name="농산물")
    food.notice_group = "food"
    food.save()
    apples = CategoryFactory(name="사과", parent=food)  # no group of its own: the parent's applies

    with pytest.raises(CatalogError) as caught:
        register(SellerFactory(), apples)  # the clothing notice does not fit food
    assert "Producer and location" in caught.value.message and "Storage and handling" in caught.value.message

    food_notice = {"item_name": "부사", "capacity": "5kg", "producer": "경북 청송", "place_of_origin": "국산",
                   "best_before": "수확 후 30일", "storage": "냉장", "consumer_phone": "080-000-0000"}
    product = register(SellerFactory(), apples, notice={**food_notice, "material": "ignored"})
    assert product.notice_kind == "food"
    # only the group's fields are kept, under their legal names, as the product page shows them
    assert product.notice == {"품명 및 모델명": "부사", "용량 또는 중량": "5kg", "생산자 및 소재지": "경북 청송",
                              "원산지": "국산", "제조연월일, 소비기한": "수확 후 30일", "보관방법 또는 취급방법": "냉장",
                              "소비자상담 관련 전화번호": "080-000-0000"}


def test_a_category_without_any_group_uses_other_goods():
    category = CategoryFactory(name="잡화")
    assert category.effective_notice_group() == "other"


@pytest.mark.postgres
def test_changing_prices_and_options_after_an_order_keeps_the_order(clothing):
    from orders.models import OrderLine
    from orders.services.checkout import place_order
    from tests.orders.factories import DELIVERY

    seller = SellerFactory()
    product = register(seller, clothing, colour_size(),
                       [OptionRow(values=("블랙", "S"), price_delta_amount=0, stock_quantity=5),
                        OptionRow(values=("블랙", "M"), price_delta_amount=1000, stock_quantity=5)])
    ordered = product.skus.get(option_label="블랙 / M")
    untouched = product.skus.get(option_label="블랙 / S")
    order = place_order(user=UserFactory(), items=[(ordered.pk, 2)], delivery=DELIVERY, payment_method="card")
    line = OrderLine.objects.get(order=order)
    snapshot = (line.unit_price_amount, line.option_delta_amount, line.items_amount, line.option_label, line.sku_code)
    assert snapshot == (29900, 1000, 61800, "블랙 / M", ordered.code)

    # The seller raises the price, drops the size M and black entirely, adds navy.
    update_product(product_id=product.pk, category=clothing, name="린넨 셔츠 2", list_price_amount=49000,
                   sale_price_amount=45000, notice=CLOTHING_NOTICE, actor=None)
    save_product_options(product=product, options=[OptionSpec("색상", ["화이트", "네이비"]),
                                                   OptionSpec("사이즈", ["S", "L"])],
                         rows=[OptionRow(values=("화이트", "S"), stock_quantity=3)])

    line.refresh_from_db()
    assert (line.unit_price_amount, line.option_delta_amount, line.items_amount, line.option_label,
            line.sku_code) == snapshot
    ordered.refresh_from_db()
    assert ordered.is_active is False  # ordered: kept, switched off
    assert not SKU.objects.filter(pk=untouched.pk).exists()  # never ordered: deleted
    assert sorted(product.skus.filter(is_active=True).values_list("option_label", flat=True)) == [
        "네이비 / L", "네이비 / S", "화이트 / L", "화이트 / S"]
    assert list(OptionGroup.objects.filter(product=product).values_list("name", flat=True)) == ["색상", "사이즈"]


def test_an_existing_combination_keeps_its_sku_and_stock_moves_through_the_ledger(clothing):
    product = register(SellerFactory(), clothing, colour_size(), [OptionRow(values=("블랙", "S"), stock_quantity=5)])
    sku = product.skus.get(option_label="블랙 / S")

    save_product_options(product=product, options=colour_size(),
                         rows=[OptionRow(values=("블랙", "S"), stock_quantity=9, price_delta_amount=0, code="NEW-CODE")])

    again = SKU.objects.get(pk=sku.pk)
    assert (again.stock_quantity, again.code) == (9, "NEW-CODE")
    assert StockMovement.objects.filter(sku=sku, reason=StockMovement.Reason.COUNTED).latest("id").delta == 4


def test_new_products_of_a_reviewed_seller_wait_hidden_until_approved(clothing):
    seller = SellerFactory()
    operator = UserFactory(is_staff=True)
    set_products_need_review(seller=seller, need_review=True, actor=operator)

    product = register(seller, clothing, status=Product.Status.ON_SALE)
    assert (product.status, product.review_status, product.requested_status) == ("hidden", "pending", "on_sale")

    reject_product(product_id=product.pk, actor=operator, reason="상품명에 과장 표현")
    product.refresh_from_db()
    assert (product.status, product.review_status, product.review_note) == ("hidden", "rejected", "상품명에 과장 표현")
    assert OutboxMessage.objects.filter(event="product.rejected", recipient=seller.contact_email).exists()

    update_product(product_id=product.pk, category=clothing, name="린넨 셔츠", list_price_amount=39000,
                   sale_price_amount=29900, notice=CLOTHING_NOTICE, status=Product.Status.ON_SALE, actor=None)
    product.refresh_from_db()
    assert product.review_status == "pending"

    approve_product(product_id=product.pk, actor=operator)
    product.refresh_from_db()
    assert (product.status, product.review_status) == ("on_sale", "approved")
    moves = list(StatusChange.objects.filter(object_id=product.pk).order_by("id")
                 .values_list("field", "from_status", "to_status"))
    assert moves == [("review_status", "pending", "rejected"), ("review_status", "rejected", "pending"),
                     ("review_status", "pending", "approved"), ("status", "hidden", "on_sale")]
    assert OutboxMessage.objects.filter(event="product.approved", recipient=seller.contact_email).exists()


def test_a_rejection_needs_a_reason_and_changes_nothing(clothing):
    seller = SellerFactory()
    SellerCatalogSettings.objects.create(seller=seller, products_need_review=True)
    product = register(seller, clothing)
    with pytest.raises(CatalogError):
        reject_product(product_id=product.pk, actor=None, reason=" ")
    product.refresh_from_db()
    assert product.review_status == "pending"
    assert not StatusChange.objects.filter(object_id=product.pk, field="review_status").exists()


def test_operators_register_without_review(clothing):
    seller = SellerFactory()
    SellerCatalogSettings.objects.create(seller=seller, products_need_review=True)
    product = register(seller, clothing, as_operator=True)
    assert (product.status, product.review_status) == ("on_sale", "approved")
    assert Category.objects.count() >= 1
