from django import template

register = template.Library()


@register.simple_tag
def open_surveys(user):
    """The survey invitations my page lists (at most three)."""
    from marketing.selectors_voc import list_open_surveys

    if not getattr(user, "is_authenticated", False):
        return []
    return list(list_open_surveys(user=user)[:3])
