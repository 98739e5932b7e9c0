"""The existing product and category services (catalog/services/products.py, categories.py)."""

import pytest

from catalog.exceptions import CatalogError
from catalog.models import SKU, Category, OptionGroup, Product, StockMovement
from catalog.services import (
    OptionSpec,
    change_product_status,
    create_category,
    create_product,
    move_category,
    set_product_options,
)
from core.exceptions import TransitionNotAllowed
from core.models import StatusChange
from tests.accounts.factories import OperatorFactory
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.partners.factories import SellerFactory

Status = Product.Status


@pytest.fixture
def seller(db):
    return SellerFactory()


@pytest.fixture
def category(db):
    return create_category(name="의류", slug="clothes")


def make_product(seller, category, **overrides):
    values = {"seller": seller, "category": category, "name": "기본 티셔츠", "list_price_amount": 20000,
              "sale_price_amount": 15900}
    values.update(overrides)
    return create_product(**values)


# --- Categories ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_create_category_builds_the_materialised_path():
    root = create_category(name="의류", slug="clothes")
    child = create_category(name="상의", slug="tops", parent=root)
    grandchild = create_category(name="티셔츠", slug="tees", parent=child)

    assert root.path == f"{root.pk:06d}/"
    assert child.path == f"{root.pk:06d}/{child.pk:06d}/"
    assert grandchild.path.startswith(child.path)
    assert (root.depth, child.depth, grandchild.depth) == (0, 1, 2)
    assert grandchild.ancestor_paths() == [root.path, child.path, grandchild.path]


@pytest.mark.django_db
def test_categories_nest_at_most_five_levels():
    parent = None
    for level in range(5):
        parent = create_category(name=f"L{level}", slug=f"l{level}", parent=parent)

    with pytest.raises(CatalogError):
        create_category(name="L5", slug="l5", parent=parent)

    assert Category.objects.count() == 5


@pytest.mark.django_db
def test_move_category_moves_its_subtree_and_its_products_paths():
    clothes = create_category(name="의류", slug="clothes")
    sale = create_category(name="세일", slug="sale")
    tops = create_category(name="상의", slug="tops", parent=clothes)
    tees = create_category(name="티셔츠", slug="tees", parent=tops)
    product = ProductFactory(category=tees)

    move_category(category=tops, new_parent=sale)

    tops.refresh_from_db()
    tees.refresh_from_db()
    product.refresh_from_db()
    assert tops.parent == sale
    assert tops.path == sale.path + f"{tops.pk:06d}/"
    assert tees.path == tops.path + f"{tees.pk:06d}/"
    assert (tops.depth, tees.depth) == (1, 2)
    assert product.category_path == tees.path
    assert Category.objects.get(pk=clothes.pk).path == clothes.path  # the old parent is untouched


@pytest.mark.django_db
def test_move_category_to_the_root():
    clothes = create_category(name="의류", slug="clothes")
    tops = create_category(name="상의", slug="tops", parent=clothes)
    tees = create_category(name="티셔츠", slug="tees", parent=tops)

    move_category(category=tops, new_parent=None)

    tees.refresh_from_db()
    assert tees.path == f"{tops.pk:06d}/{tees.pk:06d}/" and tees.depth == 1


@pytest.mark.django_db
def test_move_category_leaves_a_sibling_with_a_similar_path_alone():
    root = create_category(name="루트", slug="root")
    other = create_category(name="다른", slug="other")
    moved = create_category(name="상의", slug="tops", parent=root)
    sibling = create_category(name="하의", slug="bottoms", parent=root)

    move_category(category=moved, new_parent=other)

    sibling.refresh_from_db()
    assert sibling.path == root.path + f"{sibling.pk:06d}/" and sibling.depth == 1


@pytest.mark.django_db
def test_move_category_under_itself_or_its_descendant_is_refused():
    clothes = create_category(name="의류", slug="clothes")
    tops = create_category(name="상의", slug="tops", parent=clothes)

    for target in (clothes, tops):
        with pytest.raises(CatalogError):
            move_category(category=clothes, new_parent=target)

    clothes.refresh_from_db()
    assert clothes.parent is None and clothes.depth == 0


@pytest.mark.django_db
def test_move_category_refuses_to_nest_its_subtree_deeper_than_five_levels():
    # A chain of four levels, and a subtree two levels deep: together six.
    chain = None
    for level in range(4):
        chain = create_category(name=f"L{level}", slug=f"l{level}", parent=chain)
    subtree = create_category(name="상의", slug="tops")
    leaf = create_category(name="티셔츠", slug="tees", parent=subtree)

    with pytest.raises(CatalogError):
        move_category(category=subtree, new_parent=chain)

    leaf.refresh_from_db()
    assert leaf.depth == 1 and leaf.path == subtree.path + f"{leaf.pk:06d}/"


@pytest.mark.django_db
def test_move_category_uses_the_current_path_of_a_stale_new_parent():
    a = create_category(name="A", slug="a")
    b = create_category(name="B", slug="b")
    c = create_category(name="C", slug="c")
    stale_b = Category.objects.get(pk=b.pk)
    move_category(category=b, new_parent=a)  # b's path changes; stale_b still holds the old one

    move_category(category=c, new_parent=stale_b)

    c.refresh_from_db()
    b.refresh_from_db()
    assert c.path == b.path + f"{c.pk:06d}/" and c.depth == 2


@pytest.mark.django_db
def test_category_errors_are_domain_errors_with_a_message():
    clothes = create_category(name="의류", slug="clothes")

    with pytest.raises(CatalogError) as caught:
        move_category(category=clothes, new_parent=clothes)

    assert caught.value.message


# --- Products and options ---------------------------------------------------------------------

@pytest.mark.django_db
def test_create_product_without_options_has_one_sku(seller, category):
    product = make_product(seller, category, sku_code_prefix="TEE", initial_stock=7, actor=OperatorFactory())

    sku = product.skus.get()
    assert (sku.code, sku.option_label, sku.stock_quantity, sku.price_amount) == ("TEE", "", 7, 15900)
    movement = StockMovement.objects.get()
    assert (movement.reason, movement.delta, movement.quantity_after) == (StockMovement.Reason.INITIAL, 7, 7)
    assert product.category_path == category.path


@pytest.mark.django_db
def test_create_product_with_options_makes_the_cartesian_product(seller, category):
    product = make_product(
        seller, category, sku_code_prefix="TEE",
        options=[OptionSpec("색상", ["빨강", "파랑"]), OptionSpec("사이즈", ["M", "L", "XL"], {"XL": 2000})],
    )

    skus = list(product.skus.order_by("position"))
    assert [s.code for s in skus] == [f"TEE-{n:02d}" for n in range(1, 7)]
    assert [s.option_label for s in skus] == ["빨강 / M", "빨강 / L", "빨강 / XL", "파랑 / M", "파랑 / L", "파랑 / XL"]
    assert [s.price_amount for s in skus] == [15900, 15900, 17900, 15900, 15900, 17900]
    assert [[v.value for v in s.option_values.order_by("group__position")] for s in skus[:2]] == [
        ["빨강", "M"], ["빨강", "L"]]
    assert not StockMovement.objects.exists()  # no initial stock, no ledger rows


@pytest.mark.django_db
def test_create_product_defaults_the_sku_prefix_to_the_product_id(seller, category):
    product = make_product(seller, category)

    assert product.skus.get().code == f"P{product.pk}"


@pytest.mark.django_db
def test_create_product_sanitises_the_description(seller, category):
    product = make_product(seller, category,
                           description_html='<p onclick="x()">안녕<script>alert(1)</script></p><img src="javascript:x">')

    assert "script" not in product.description_html
    assert "onclick" not in product.description_html
    assert "javascript" not in product.description_html
    assert "안녕" in product.description_html


@pytest.mark.django_db
@pytest.mark.parametrize("list_price, sale_price", [(10000, 12000), (10000, 0)])
def test_create_product_refuses_bad_prices(seller, category, list_price, sale_price):
    with pytest.raises(CatalogError):
        make_product(seller, category, list_price_amount=list_price, sale_price_amount=sale_price)

    assert not Product.objects.exists()


@pytest.mark.django_db
def test_an_option_delta_that_makes_a_price_zero_is_refused_and_nothing_is_left(seller, category):
    with pytest.raises(CatalogError):
        make_product(seller, category, options=[OptionSpec("사이즈", ["S", "M"], {"S": -15900})])

    assert not Product.objects.exists()
    assert not OptionGroup.objects.exists()


@pytest.mark.django_db
def test_repeated_option_values_are_refused(seller, category):
    with pytest.raises(CatalogError):
        make_product(seller, category, options=[OptionSpec("색상", ["빨강", "빨강"])])

    assert not Product.objects.exists()


@pytest.mark.django_db
def test_two_option_axes_with_the_same_name_are_a_domain_error(seller, category):
    with pytest.raises(CatalogError):
        make_product(seller, category, options=[OptionSpec("색상", ["빨강"]), OptionSpec("색상", ["파랑"])])

    assert not Product.objects.exists()


@pytest.mark.django_db
def test_a_sku_code_already_in_use_is_a_domain_error(seller, category):
    make_product(seller, category, sku_code_prefix="TEE")

    with pytest.raises(CatalogError) as caught:
        make_product(seller, category, sku_code_prefix="TEE")

    assert "TEE" in caught.value.message
    assert Product.objects.count() == 1


@pytest.mark.django_db
def test_negative_initial_stock_is_a_domain_error(seller, category):
    with pytest.raises(CatalogError):
        make_product(seller, category, initial_stock=-1)

    assert not Product.objects.exists()


@pytest.mark.django_db
def test_set_product_options_refuses_a_product_that_has_skus(seller, category):
    product = make_product(seller, category)

    with pytest.raises(CatalogError):
        set_product_options(product=product, options=[OptionSpec("색상", ["빨강"])], sku_code_prefix="X")

    assert SKU.objects.count() == 1


# --- Sale status -------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_seller_moves_between_on_sale_sold_out_and_hidden():
    product = ProductFactory(status=Status.ON_SALE)
    actor = OperatorFactory()

    change_product_status(product_id=product.pk, to=Status.SOLD_OUT, actor=actor, as_operator=False, reason="품절")

    product.refresh_from_db()
    assert product.status == Status.SOLD_OUT
    change = StatusChange.objects.get()
    assert (change.from_status, change.to_status, change.actor, change.reason) == (
        Status.ON_SALE, Status.SOLD_OUT, actor, "품절")


@pytest.mark.django_db
def test_only_an_operator_suspends_and_lifts_a_suspension():
    product = ProductFactory(status=Status.ON_SALE)

    with pytest.raises(TransitionNotAllowed):
        change_product_status(product_id=product.pk, to=Status.SUSPENDED, actor=None, as_operator=False)
    change_product_status(product_id=product.pk, to=Status.SUSPENDED, actor=None, as_operator=True)
    with pytest.raises(TransitionNotAllowed):
        change_product_status(product_id=product.pk, to=Status.ON_SALE, actor=None, as_operator=False)
    change_product_status(product_id=product.pk, to=Status.ON_SALE, actor=None, as_operator=True)

    product.refresh_from_db()
    assert product.status == Status.ON_SALE
    assert StatusChange.objects.count() == 2


@pytest.mark.django_db
def test_the_factory_category_path_matches_the_service():
    category = CategoryFactory()

    assert category.path == f"{category.pk:06d}/"
