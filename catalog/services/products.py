import itertools
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from catalog.exceptions import CatalogError
from catalog.models import SKU, Brand, Category, OptionGroup, OptionValue, Product
from core import cache_versions
from core.transitions import move
from partners.models import Seller

Status = Product.Status

# Who may move a product's sale status where. Sellers move between on sale, sold out and
# hidden; only an operator suspends, and only an operator lifts a suspension.
PRODUCT_STATUS_TRANSITIONS = {
    "seller": {
        Status.ON_SALE: {Status.SOLD_OUT, Status.HIDDEN},
        Status.SOLD_OUT: {Status.ON_SALE, Status.HIDDEN},
        Status.HIDDEN: {Status.ON_SALE, Status.SOLD_OUT},
        Status.SUSPENDED: set(),
    },
    "operator": {
        Status.ON_SALE: {Status.SOLD_OUT, Status.HIDDEN, Status.SUSPENDED},
        Status.SOLD_OUT: {Status.ON_SALE, Status.HIDDEN, Status.SUSPENDED},
        Status.HIDDEN: {Status.ON_SALE, Status.SOLD_OUT, Status.SUSPENDED},
        Status.SUSPENDED: {Status.ON_SALE, Status.HIDDEN},
    },
}


@dataclass
class OptionSpec:
    """One option axis: its name and values, with an optional price delta per value."""

    name: str
    values: list[str]
    price_deltas: dict[str, int] = field(default_factory=dict)


def _sanitize_html(html: str) -> str:
    import nh3

    return nh3.clean(
        html or "",
        tags={"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h2", "h3", "h4", "img", "table",
              "thead", "tbody", "tr", "th", "td", "blockquote", "span", "div", "hr"},
        attributes={"img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan"},
                    "th": {"colspan", "rowspan"}},
        url_schemes={"http", "https"},
    )


@transaction.atomic
def create_product(
    *,
    seller: Seller,
    category: Category,
    name: str,
    list_price_amount: int,
    sale_price_amount: int,
    brand: Brand | None = None,
    options: list[OptionSpec] | None = None,
    sku_code_prefix: str = "",
    initial_stock: int = 0,
    description_html: str = "",
    summary: str = "",
    notice: dict | None = None,
    notice_kind: str = "",
    status: str = Status.ON_SALE,
    actor=None,
) -> Product:
    """Create a product with one SKU per combination of its option values (or one plain SKU).

    Prices are whole won; the sale price may not exceed the list price. The description is
    sanitised (no scripts, no inline handlers). Initial stock is written to the ledger.
    """
    if sale_price_amount > list_price_amount:
        raise CatalogError(_("The sale price may not exceed the list price."), code="price")
    if sale_price_amount <= 0:
        raise CatalogError(_("The sale price must be more than 0 won."), code="price")
    product = Product.objects.create(
        seller=seller,
        category=category,
        category_path=category.path,
        brand=brand,
        name=name,
        summary=summary,
        list_price_amount=list_price_amount,
        sale_price_amount=sale_price_amount,
        description_html=_sanitize_html(description_html),
        notice=notice or {},
        notice_kind=notice_kind,
        status=status,
    )
    set_product_options(
        product=product, options=options or [], sku_code_prefix=sku_code_prefix or f"P{product.pk}",
        initial_stock=initial_stock, actor=actor,
    )
    return product


@transaction.atomic
def set_product_options(*, product: Product, options: list[OptionSpec], sku_code_prefix: str,
                        initial_stock: int = 0, actor=None) -> list[SKU]:
    """Replace a product's options and generate its SKUs as the cartesian product of values.

    Only for a product with no SKU yet (SKUs are referenced by orders once sold).
    """
    from catalog.models import StockMovement

    if product.skus.exists():
        raise CatalogError(_("This product already has SKUs; edit them one by one."), code="has_skus")
    if initial_stock < 0:
        raise CatalogError(_("Stock cannot be negative."), code="invalid_quantity")
    names = [spec.name.strip() for spec in options]
    if any(not name for name in names) or len(set(names)) != len(names):
        raise CatalogError(_("Each option needs a name of its own."), code="option_names")
    for spec in options:
        if not spec.values or len(set(spec.values)) != len(spec.values):
            raise CatalogError(_("Option “%(name)s” needs distinct values.") % {"name": spec.name}, code="option_values")
    value_rows: list[list[OptionValue]] = []
    for position, spec in enumerate(options):
        group = OptionGroup.objects.create(product=product, name=spec.name, position=position)
        value_rows.append(
            OptionValue.objects.bulk_create(
                [OptionValue(group=group, value=v, position=i) for i, v in enumerate(spec.values)]
            )
        )
    combinations = list(itertools.product(*value_rows)) if value_rows else [()]
    skus = []
    for position, combo in enumerate(combinations):
        delta = sum(spec.price_deltas.get(value.value, 0) for spec, value in zip(options, combo, strict=True))
        skus.append(
            SKU(
                product=product,
                code=f"{sku_code_prefix}-{position + 1:02d}" if combo else sku_code_prefix,
                option_label=" / ".join(v.value for v in combo),
                price_delta_amount=delta,
                stock_quantity=initial_stock,
                position=position,
            )
        )
    if any(product.sale_price_amount + sku.price_delta_amount <= 0 for sku in skus):
        raise CatalogError(_("An option's price difference makes its price zero or less."), code="price")
    # Codes are unique (and looked up ignoring case): say which one is taken instead of
    # letting the database's unique constraint break the transaction.
    codes = [sku.code for sku in skus]
    taken = list(SKU.objects.annotate(code_upper=Upper("code"))
                 .filter(code_upper__in=[code.upper() for code in codes]).values_list("code", flat=True)[:5])
    if taken or len({code.upper() for code in codes}) != len(codes):
        raise CatalogError(_("These SKU codes are already in use: %(codes)s.") % {"codes": ", ".join(taken or codes)},
                           code="sku_code_taken")
    skus = SKU.objects.bulk_create(skus)
    through = SKU.option_values.through
    through.objects.bulk_create(
        [through(sku_id=sku.pk, optionvalue_id=value.pk) for sku, combo in zip(skus, combinations, strict=True)
         for value in combo]
    )
    if initial_stock:
        StockMovement.objects.bulk_create(
            [StockMovement(sku=sku, reason=StockMovement.Reason.INITIAL, delta=initial_stock,
                           quantity_after=initial_stock, actor=actor if getattr(actor, "pk", None) else None)
             for sku in skus]
        )
    cache_versions.bump_products(product.pk)
    return skus


@transaction.atomic
def change_product_status(*, product_id: int, to: str, actor, as_operator: bool, reason: str = "") -> Product:
    """Move a product's sale status as a seller or an operator; audited."""
    product = Product.objects.select_for_update().get(pk=product_id)
    table = PRODUCT_STATUS_TRANSITIONS["operator" if as_operator else "seller"]
    move(product, to=to, table=table, actor=actor, reason=reason)
    cache_versions.bump_products(product.pk)
    return product
