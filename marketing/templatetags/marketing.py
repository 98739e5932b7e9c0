"""How coupons and points read on a page: "3,000원" or "10%", the scope in words, the source."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.templatetags.money import won
from marketing.models import Coupon

register = template.Library()

NAMES_SHOWN = 2

SOURCES = {
    "download": lambda: _("Downloaded"),
    "code": lambda: _("Coupon code"),
    "sign_up": lambda: _("Sign-up gift"),
    "first_purchase": lambda: _("First purchase gift"),
    "operator": lambda: _("Given by the shop"),
}


@register.filter
def coupon_discount(coupon: Coupon) -> str:
    """3,000원 or 10%."""
    if coupon.discount_type == Coupon.DiscountType.PERCENT:
        return f"{coupon.discount_value}%"
    return won(coupon.discount_value)


def _names(objects) -> str:
    names = [str(obj) for obj in objects]
    shown = ", ".join(names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    if more > 0:
        return ngettext("%(names)s and %(count)d more", "%(names)s and %(count)d more", more) % {
            "names": shown, "count": more}
    return shown


@register.filter
def coupon_scope(coupon: Coupon) -> str:
    """What the coupon applies to, in words (the scope lists must be prefetched)."""
    if coupon.scope == Coupon.Scope.CATEGORIES:
        text = _("Categories: %(names)s") % {"names": _names(coupon.categories.all())}
    elif coupon.scope == Coupon.Scope.PRODUCTS:
        text = _("Products: %(names)s") % {"names": _names(coupon.products.all())}
    elif coupon.scope == Coupon.Scope.SELLERS:
        text = _("Stores: %(names)s") % {"names": _names(coupon.sellers.all())}
    elif coupon.kind == Coupon.Kind.SHIPPING:
        text = _("Shipping fee of any order")
    else:
        text = _("Every product")
    if coupon.funder == Coupon.Funder.SELLER and coupon.funding_seller_id and coupon.scope != Coupon.Scope.SELLERS:
        text += " · " + _("%(store)s only") % {"store": coupon.funding_seller}
    excluded = len(coupon.excluded_products.all())
    if excluded:
        text += " " + ngettext("(%(count)d product excluded)", "(%(count)d products excluded)", excluded) % {
            "count": excluded}
    return text


@register.filter
def absolute(amount):
    return abs(int(amount or 0))


@register.filter
def coupon_source(source: str) -> str:
    label = SOURCES.get(source)
    return label() if label else ""


@register.filter
def days_left(moment) -> int | None:
    """Whole days until ``moment`` (0 on its last day), None without one."""
    from django.utils import timezone

    if moment is None:
        return None
    return max(0, (timezone.localtime(moment).date() - timezone.localdate()).days)


@register.simple_tag
def shopper_benefits(user) -> dict:
    """My page: {"points_balance", "usable_coupons"} in one query."""
    from marketing.selectors import get_shopper_benefits

    if not getattr(user, "is_authenticated", False):
        return {"points_balance": 0, "usable_coupons": 0}
    return get_shopper_benefits(user=user)
