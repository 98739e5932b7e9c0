"""The cart: a guest's lives with the session, a member's with the user; merged at login."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from catalog.models import SKU
from orders.exceptions import CartError
from orders.models import Cart, CartLine

MAX_QUANTITY_PER_LINE = 99


SESSION_CART_TOKEN = "cart_token"


def _cart_token(request) -> str:
    """A guest cart's key, kept in the session data (it survives the session key cycling at login)."""
    import secrets

    token = request.session.get(SESSION_CART_TOKEN)
    if not token:
        token = request.session[SESSION_CART_TOKEN] = secrets.token_hex(16)
    return token


def get_cart(request, *, create: bool = False) -> Cart | None:
    """The request's cart (the member's, or the guest session's), created on demand."""
    if request.user.is_authenticated:
        cart = Cart.objects.filter(user=request.user).first()
        if cart is None and create:
            cart, _ = Cart.objects.get_or_create(user=request.user)
        return cart
    token = request.session.get(SESSION_CART_TOKEN)
    cart = Cart.objects.filter(session_key=token).first() if token else None
    if cart is None and create:
        cart, _ = Cart.objects.get_or_create(session_key=_cart_token(request))
    return cart


def _orderable_sku(sku_id: int) -> SKU:
    sku = SKU.objects.select_related("product__seller").filter(pk=sku_id).first()
    if sku is None or not sku.product.is_visible or not sku.product.seller.is_active:
        raise CartError(_("This product is not available."))
    if sku.product.status != sku.product.Status.ON_SALE or not sku.is_available:
        raise CartError(_("This option is sold out."))
    return sku


@transaction.atomic
def add_to_cart(*, cart: Cart, sku_id: int, quantity: int) -> CartLine:
    """Add ``quantity`` of a SKU (adds to an existing line). Refuses sold-out SKUs and more than in stock."""
    if quantity < 1 or quantity > MAX_QUANTITY_PER_LINE:
        raise CartError(_("Choose a quantity from 1 to %(max)d.") % {"max": MAX_QUANTITY_PER_LINE})
    sku = _orderable_sku(sku_id)
    line = CartLine.objects.select_for_update().filter(cart=cart, sku=sku).first()
    new_quantity = quantity + (line.quantity if line else 0)
    if new_quantity > sku.stock_quantity:
        raise CartError(_("Only %(count)d left in stock.") % {"count": sku.stock_quantity})
    if new_quantity > MAX_QUANTITY_PER_LINE:
        raise CartError(_("Choose a quantity from 1 to %(max)d.") % {"max": MAX_QUANTITY_PER_LINE})
    if line:
        line.quantity = new_quantity
        line.selected = True
        line.price_when_added_amount = sku.price_amount
        line.save(update_fields=["quantity", "selected", "price_when_added_amount", "updated_at"])
        return line
    try:
        with transaction.atomic():
            return CartLine.objects.create(cart=cart, sku=sku, quantity=quantity,
                                           price_when_added_amount=sku.price_amount)
    except IntegrityError:  # the same SKU added at the same moment from another tab
        CartLine.objects.filter(cart=cart, sku=sku).update(quantity=F("quantity") + quantity)
        return CartLine.objects.get(cart=cart, sku=sku)


@transaction.atomic
def change_cart_quantity(*, cart: Cart, line_id: int, quantity: int) -> CartLine:
    line = CartLine.objects.select_for_update().select_related("sku").filter(cart=cart, pk=line_id).first()
    if line is None:
        raise CartError(_("That item is no longer in your cart."))
    if quantity < 1 or quantity > MAX_QUANTITY_PER_LINE:
        raise CartError(_("Choose a quantity from 1 to %(max)d.") % {"max": MAX_QUANTITY_PER_LINE})
    if quantity > line.sku.stock_quantity:
        raise CartError(_("Only %(count)d left in stock.") % {"count": line.sku.stock_quantity})
    line.quantity = quantity
    line.save(update_fields=["quantity", "updated_at"])
    return line


def remove_cart_lines(*, cart: Cart, line_ids: list[int]) -> int:
    deleted, _ = CartLine.objects.filter(cart=cart, pk__in=line_ids).delete()
    return deleted


def select_cart_lines(*, cart: Cart, line_ids: list[int]) -> None:
    """Select exactly ``line_ids`` for ordering (the cart's check boxes)."""
    with transaction.atomic():
        CartLine.objects.filter(cart=cart).exclude(pk__in=line_ids).update(selected=False)
        CartLine.objects.filter(cart=cart, pk__in=line_ids).update(selected=True)


@transaction.atomic
def merge_guest_cart(*, cart_token: str | None, user) -> Cart | None:
    """At login, move the guest cart's lines into the member's cart (quantities add up, capped by stock)."""
    if not cart_token:
        return None
    guest = Cart.objects.filter(session_key=cart_token).first()
    if guest is None:
        return None
    member, _ = Cart.objects.get_or_create(user=user)
    for line in guest.lines.select_related("sku"):
        existing = CartLine.objects.filter(cart=member, sku=line.sku).first()
        if existing:
            existing.quantity = max(1, min(existing.quantity + line.quantity, line.sku.stock_quantity or 1,
                                           MAX_QUANTITY_PER_LINE))
            existing.save(update_fields=["quantity", "updated_at"])
        else:
            line.cart = member
            line.save(update_fields=["cart", "updated_at"])
    guest.delete()
    return member
