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


@register.inclusion_tag("console/marketing/_order_attribution_box.html")
def order_attribution(order):
    """The order's frozen source and its affiliate, if any, in one query."""
    from django.db.models import OuterRef, Subquery

    from marketing.models import AffiliateOrder, OrderAttribution

    attribution = (OrderAttribution.objects.filter(order_id=order.pk)
                   .annotate(affiliate_name=Subquery(AffiliateOrder.objects.filter(order_id=OuterRef("order_id"))
                                                     .values("affiliate__name")[:1]))
                   .first())
    return {"attribution": attribution}
