"""``{% banner_slot "category_top" %}``: the banners of a slot for the current shopper, drawn by
templates/shop/marketing/_banner_slot.html. One line in a page template, no change to its view."""

from django import template

register = template.Library()


@register.inclusion_tag("shop/marketing/_banner_slot.html", takes_context=True)
def banner_slot(context, slot: str):
    from marketing.selectors_cms import list_banners

    request = context.get("request")
    user = getattr(request, "user", None)
    try:
        banners = list_banners(slot=slot, user=user)
    except Exception:  # a banner must never take a page down
        banners = []
    return {"banners": banners, "slot": slot, "request": request}
