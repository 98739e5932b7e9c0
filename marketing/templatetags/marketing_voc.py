from django import template

register = template.Library()


@register.simple_tag
def open_surveys(user):
    """The survey invitations my page lists (at most three)."""
    from marketing.selectors_voc import list_open_surveys

    if not getattr(user, "is_authenticated", False):
        return []
    return list(list_open_surveys(user=user)[:3])


@register.filter
def star_states(rating) -> list[str]:
    """Five stars for a rating (1–5, or an average such as 4.3): "on", "half" or "off" each.
    Drawn with classes, not inline widths: the shop's CSP allows no inline styles."""
    try:
        value = float(rating)
    except (TypeError, ValueError):
        value = 0.0
    states = []
    for position in range(1, 6):
        if value >= position - 0.25:
            states.append("on")
        elif value >= position - 0.75:
            states.append("half")
        else:
            states.append("off")
    return states
