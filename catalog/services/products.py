import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models, transaction
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import notices
from catalog.exceptions import CatalogError
from catalog.models import (
    SKU,
    Brand,
    Category,
    OptionGroup,
    OptionValue,
    Product,
    SellerCatalogSettings,
    StockMovement,
)
from catalog.services.stock import set_stock
from core import cache_versions
from core.outbox import notify
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


# --- The product editor (portal and console) -------------------------------------------------------

MAX_OPTION_GROUPS = 3
MAX_OPTION_VALUES = 100
MAX_POINTS_RATE = Decimal("50")
Review = Product.Review

# Operators decide reviews; a seller's edit of a rejected product asks again.
REVIEW_TRANSITIONS = {
    Review.APPROVED: set(),
    Review.PENDING: {Review.APPROVED, Review.REJECTED},
    Review.REJECTED: {Review.PENDING},
}


@dataclass
class OptionRow:
    """One cell of the SKU matrix: the values (one per option group, in group order) and its terms."""

    values: tuple[str, ...]
    price_delta_amount: int = 0
    stock_quantity: int = 0
    code: str = ""
    is_active: bool = True

    @property
    def label(self) -> str:
        return " / ".join(self.values)


def _clean_option_specs(options: list[OptionSpec]) -> list[OptionSpec]:
    cleaned = []
    for spec in options:
        values = [value.strip() for value in spec.values if value and value.strip()]
        cleaned.append(OptionSpec(name=spec.name.strip(), values=values, price_deltas=spec.price_deltas))
    if len(cleaned) > MAX_OPTION_GROUPS:
        raise CatalogError(_("A product has at most %(max)s option groups.") % {"max": MAX_OPTION_GROUPS},
                           code="option_groups")
    names = [spec.name for spec in cleaned]
    if any(not name for name in names) or len(set(names)) != len(names):
        raise CatalogError(_("Each option needs a name of its own."), code="option_names")
    for spec in cleaned:
        if not spec.values or len(set(spec.values)) != len(spec.values):
            raise CatalogError(_("Option “%(name)s” needs distinct values.") % {"name": spec.name},
                               code="option_values")
        if len(spec.values) > MAX_OPTION_VALUES:
            raise CatalogError(_("Option “%(name)s” has more than %(max)s values.")
                               % {"name": spec.name, "max": MAX_OPTION_VALUES}, code="option_values")
        too_long = [value for value in spec.values if len(value) > 40 or "/" in value]
        if too_long:
            raise CatalogError(_("Option values are at most 40 characters, without “/”: %(value)s.")
                               % {"value": too_long[0]}, code="option_values")
    return cleaned


def option_matrix(options: list[OptionSpec]) -> list[tuple[str, ...]]:
    """Every combination of the option values, in the order the editor lists them."""
    if not options:
        return [()]
    return list(itertools.product(*[spec.values for spec in options]))


def check_notice(*, category: Category, notice: dict | None) -> tuple[str, dict]:
    """The category's notice group and the notice (by field key) reduced to the group's fields, as
    ``Product.notice`` stores it (legal Korean names → values); every field is required.

    Sellers who describe a field on the detail page write “상품상세 참조”, as marketplaces accept.
    """
    group = category.effective_notice_group()
    fields = notices.group_fields(group)
    notice = notice or {}
    cleaned = {key: str(notice.get(key) or "").strip()[:500] for key, _label in fields}
    missing = [str(label) for key, label in fields if not cleaned[key]]
    if missing:
        raise CatalogError(_("Fill in the product notice: %(fields)s. Write “상품상세 참조” where the detail page says it.")
                           % {"fields": ", ".join(missing)}, code="notice")
    return group, notices.stored_notice(group, cleaned)


def _check_prices(list_price_amount: int, sale_price_amount: int) -> None:
    if sale_price_amount <= 0:
        raise CatalogError(_("The sale price must be more than 0 won."), code="price")
    if sale_price_amount > list_price_amount:
        raise CatalogError(_("The sale price may not exceed the list price."), code="price")


def _check_points_rate(points_rate_percent) -> Decimal | None:
    if points_rate_percent in (None, ""):
        return None
    rate = Decimal(str(points_rate_percent))
    if rate < 0 or rate > MAX_POINTS_RATE:
        raise CatalogError(_("The points rate must be between 0 and %(max)s%%.") % {"max": MAX_POINTS_RATE},
                           code="points_rate")
    return rate


def needs_review(seller: Seller) -> bool:
    settings_row = SellerCatalogSettings.objects.filter(seller=seller).first()
    return bool(settings_row and settings_row.products_need_review)


@transaction.atomic
def register_product(
    *,
    seller: Seller,
    category: Category,
    name: str,
    list_price_amount: int,
    sale_price_amount: int,
    options: list[OptionSpec],
    rows: list[OptionRow],
    brand: Brand | None = None,
    summary: str = "",
    description_html: str = "",
    notice: dict | None = None,
    points_rate_percent=None,
    status: str = Status.ON_SALE,
    actor=None,
    as_operator: bool = False,
) -> Product:
    """Register a product from the editor (or one Excel row): fields, options with their SKU matrix.

    Checks prices, the points rate, the notice fields of the category's group and the matrix
    (see ``save_product_options``). When the seller's new products need review and a seller
    (not an operator) registers it, the product is created hidden and waiting for review; the
    chosen status applies on approval.
    """
    _check_prices(list_price_amount, sale_price_amount)
    rate = _check_points_rate(points_rate_percent)
    notice_group, cleaned_notice = check_notice(category=category, notice=notice)
    if status not in (Status.ON_SALE, Status.SOLD_OUT, Status.HIDDEN):
        raise CatalogError(_("Choose on sale, sold out or hidden."), code="status")
    review = Review.PENDING if (not as_operator and needs_review(seller)) else Review.APPROVED
    product = Product.objects.create(
        seller=seller, category=category, category_path=category.path, brand=brand, name=name.strip(),
        summary=summary, list_price_amount=list_price_amount, sale_price_amount=sale_price_amount,
        description_html=_sanitize_html(description_html), notice=cleaned_notice, notice_kind=notice_group,
        points_rate_percent=rate, status=Status.HIDDEN if review == Review.PENDING else status,
        review_status=review, requested_status=status if review == Review.PENDING else "",
    )
    save_product_options(product=product, options=options, rows=rows, actor=actor)
    cache_versions.bump_catalog()  # a new product shows in lists (once visible)
    return product


@transaction.atomic
def update_product(
    *,
    product_id: int,
    category: Category,
    name: str,
    list_price_amount: int,
    sale_price_amount: int,
    brand: Brand | None = None,
    summary: str = "",
    description_html: str = "",
    notice: dict | None = None,
    points_rate_percent=None,
    status: str | None = None,
    actor=None,
    as_operator: bool = False,
) -> Product:
    """Change a product's fields. Orders already placed keep the prices they copied (snapshots).

    A status change follows ``PRODUCT_STATUS_TRANSITIONS`` and is audited. While a product waits
    for review (or was rejected) a seller's chosen status is kept for the approval; a seller's
    edit of a rejected product sends it back to review.
    """
    product = Product.objects.select_for_update().get(pk=product_id)
    _check_prices(list_price_amount, sale_price_amount)
    rate = _check_points_rate(points_rate_percent)
    notice_group, cleaned_notice = check_notice(category=category, notice=notice)
    skus = list(product.skus.filter(is_active=True))
    if any(sale_price_amount + sku.price_delta_amount <= 0 for sku in skus):
        raise CatalogError(_("An option's price difference makes its price zero or less."), code="price")
    product.category, product.category_path, product.brand = category, category.path, brand
    product.name, product.summary = name.strip(), summary
    product.list_price_amount, product.sale_price_amount = list_price_amount, sale_price_amount
    product.description_html = _sanitize_html(description_html)
    product.notice, product.notice_kind, product.points_rate_percent = cleaned_notice, notice_group, rate
    product.save()
    under_review = product.review_status != Review.APPROVED
    if status and under_review and not as_operator:
        if status not in (Status.ON_SALE, Status.SOLD_OUT, Status.HIDDEN):
            raise CatalogError(_("Choose on sale, sold out or hidden."), code="status")
        product.requested_status = status
        product.save(update_fields=["requested_status", "updated_at"])
        if product.review_status == Review.REJECTED:
            move(product, to=Review.PENDING, table=REVIEW_TRANSITIONS, actor=actor, field="review_status",
                 reason=_("Edited by the seller after rejection"))
    elif status and status != product.status:
        table = PRODUCT_STATUS_TRANSITIONS["operator" if as_operator else "seller"]
        move(product, to=status, table=table, actor=actor)
    cache_versions.bump_products(product.pk)
    return product


def _ordered_sku_ids(sku_ids: list[int]) -> set[int]:
    """SKUs that an order line refers to (catalog does not import orders: ask the protecting relations)."""
    ordered: set[int] = set()
    relations = [field for field in SKU._meta.get_fields(include_hidden=True)
                 if field.auto_created and not field.concrete and field.one_to_many]
    for relation in relations:
        if relation.on_delete is not models.PROTECT:
            continue
        field_name = relation.field.attname
        ordered |= set(relation.related_model._default_manager.filter(**{f"{field_name}__in": sku_ids})
                       .values_list(field_name, flat=True).distinct())
    return ordered


@transaction.atomic
def save_product_options(*, product: Product, options: list[OptionSpec], rows: list[OptionRow],
                         actor=None) -> list[SKU]:
    """Set a product's options (none, one group = 단독형, up to three = 조합형) and its SKU matrix.

    Every combination of the values is a SKU; ``rows`` give each its price difference (may be
    negative; at least one sold combination must be 0원, as on Naver), stock, seller SKU code
    and whether it is sold. A combination that exists keeps its SKU (stock changes go through
    the ledger); a combination that disappears is deleted when no order refers to it, and
    otherwise only switched off (orders keep their SKU and their snapshot). Codes left empty
    are generated; a code used by another product is refused.
    """
    from catalog.services.stock import MAX_STOCK_QUANTITY

    Product.objects.select_for_update().filter(pk=product.pk).first()
    options = _clean_option_specs(options)
    combinations = option_matrix(options)
    by_label = {" / ".join(row.values): row for row in rows}
    wanted = []
    for combo in combinations:
        row = by_label.get(" / ".join(combo)) or OptionRow(values=combo)
        row.values = combo
        row.code = (row.code or "").strip()
        wanted.append(row)
    for row in wanted:
        if isinstance(row.stock_quantity, bool) or row.stock_quantity < 0 or row.stock_quantity > MAX_STOCK_QUANTITY:
            raise CatalogError(_("Stock of %(option)s must be between 0 and %(max)s.")
                               % {"option": row.label or product.name, "max": f"{MAX_STOCK_QUANTITY:,}"},
                               code="invalid_quantity")
        if product.sale_price_amount + row.price_delta_amount <= 0:
            raise CatalogError(_("An option's price difference makes its price zero or less."), code="price")
        if len(row.code) > 40:
            raise CatalogError(_("A SKU code is at most 40 characters."), code="sku_code")
    if not any(row.is_active for row in wanted):
        raise CatalogError(_("At least one option must be for sale."), code="option_rows")
    if options and not any(row.is_active and row.price_delta_amount == 0 for row in wanted):
        raise CatalogError(_("At least one option combination for sale must have a price difference of 0 won."),
                           code="option_zero")
    existing = {sku.option_label: sku for sku in product.skus.all()}
    given = [row.code.upper() for row in wanted if row.code]
    if len(set(given)) != len(given):
        raise CatalogError(_("Each option needs its own SKU code."), code="sku_code_taken")
    own_ids = [sku.pk for sku in existing.values()]
    taken = list(SKU.objects.annotate(code_upper=Upper("code")).filter(code_upper__in=given)
                 .exclude(pk__in=own_ids).values_list("code", flat=True)[:5])
    if taken:
        raise CatalogError(_("These SKU codes are already in use: %(codes)s.") % {"codes": ", ".join(taken)},
                           code="sku_code_taken")

    # The option structure: groups and values by name, in the editor's order.
    groups = {group.name: group for group in product.option_groups.prefetch_related("values")}
    value_objects: list[dict[str, OptionValue]] = []
    for position, spec in enumerate(options):
        group = groups.pop(spec.name, None) or OptionGroup(product=product, name=spec.name)
        group.position = position
        group.save()
        current = {value.value: value for value in group.values.all()} if group.pk else {}
        values: dict[str, OptionValue] = {}
        for value_position, text in enumerate(spec.values):
            value = current.pop(text, None) or OptionValue(group=group, value=text)
            value.position = value_position
            value.save()
            values[text] = value
        OptionValue.objects.filter(pk__in=[value.pk for value in current.values()]).delete()
        value_objects.append(values)
    OptionGroup.objects.filter(pk__in=[group.pk for group in groups.values()]).delete()

    # SKUs that leave the matrix: deleted if never ordered, else switched off for good.
    leaving = [sku for label, sku in existing.items() if label not in {row.label for row in wanted}]
    ordered = _ordered_sku_ids([sku.pk for sku in leaving]) if leaving else set()
    for sku in leaving:
        if sku.pk in ordered:
            if sku.is_active:
                sku.is_active = False
                sku.save(update_fields=["is_active", "updated_at"])
        else:
            sku.delete()
    # Generated codes must not collide with the product's remaining (also switched-off) SKUs.
    used_codes = {code.upper() for code in SKU.objects.filter(product=product).values_list("code", flat=True)}
    result = []
    for position, row in enumerate(wanted):
        sku = existing.get(row.label)
        if sku is None:
            code = row.code or _free_code(product, position, used_codes)
            used_codes.add(code.upper())
            sku = SKU.objects.create(product=product, code=code, option_label=row.label,
                                     price_delta_amount=row.price_delta_amount, stock_quantity=0,
                                     is_active=row.is_active, position=position)
            if row.stock_quantity:
                set_stock(sku_id=sku.pk, quantity=row.stock_quantity, reason=StockMovement.Reason.COUNTED,
                          actor=actor, note=_("Initial stock"))
        else:
            sku.code = row.code or sku.code
            sku.price_delta_amount, sku.is_active, sku.position = row.price_delta_amount, row.is_active, position
            sku.save(update_fields=["code", "price_delta_amount", "is_active", "position", "updated_at"])
            if row.stock_quantity != sku.stock_quantity:
                set_stock(sku_id=sku.pk, quantity=row.stock_quantity, reason=StockMovement.Reason.COUNTED,
                          actor=actor, note=_("Product editor"))
        sku.option_values.set([value_objects[index][text] for index, text in enumerate(row.values)])
        result.append(sku)
    cache_versions.bump_products(product.pk)
    return result


def _free_code(product: Product, position: int, used: set[str]) -> str:
    number = position + 1
    while True:
        code = f"P{product.pk}-{number:02d}"
        if code.upper() not in used and not SKU.objects.filter(code__iexact=code).exists():
            return code
        number += 1


# --- Product review ---------------------------------------------------------------------------------

@transaction.atomic
def set_products_need_review(*, seller: Seller, need_review: bool, actor=None) -> SellerCatalogSettings:
    """Whether the seller's new products wait for an operator's review before they show."""
    settings_row, _created = SellerCatalogSettings.objects.select_for_update().get_or_create(seller=seller)
    settings_row.products_need_review = need_review
    settings_row.save(update_fields=["products_need_review"])
    return settings_row


def _tell_seller(product: Product, event: str) -> None:
    seller = product.seller
    notify(event=event, key=f"{product.pk}:{timezone.now():%Y%m%d%H%M%S%f}",
           context={"product": product, "seller": seller}, email=seller.contact_email,
           phone=seller.contact_phone, subject_object=product)


@transaction.atomic
def approve_product(*, product_id: int, actor, note: str = "") -> Product:
    """An operator approves a product waiting for review: it takes the status the seller chose."""
    product = Product.objects.select_for_update().select_related("seller").get(pk=product_id)
    move(product, to=Review.APPROVED, table=REVIEW_TRANSITIONS, actor=actor, field="review_status", reason=note)
    target = product.requested_status or Status.ON_SALE
    product.review_note, product.requested_status = note, ""
    product.save(update_fields=["review_note", "requested_status", "updated_at"])
    if target != product.status:
        move(product, to=target, table=PRODUCT_STATUS_TRANSITIONS["operator"], actor=actor,
             reason=_("Approved in review"))
    _tell_seller(product, "product.approved")
    cache_versions.bump_products(product.pk)
    return product


@transaction.atomic
def reject_product(*, product_id: int, actor, reason: str) -> Product:
    """An operator rejects a product waiting for review, with the reason the seller is told."""
    reason = (reason or "").strip()
    if not reason:
        raise CatalogError(_("Give the seller a reason for the rejection."), code="reason")
    product = Product.objects.select_for_update().select_related("seller").get(pk=product_id)
    move(product, to=Review.REJECTED, table=REVIEW_TRANSITIONS, actor=actor, field="review_status", reason=reason)
    product.review_note = reason[:300]
    product.save(update_fields=["review_note", "updated_at"])
    _tell_seller(product, "product.rejected")
    cache_versions.bump_products(product.pk)
    return product
