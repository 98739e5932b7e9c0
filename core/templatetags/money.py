from django import template
from django.utils.translation import gettext

from core.money import discount_rate

register = template.Library()


@register.filter
def won(amount):
    """Integer won as '12,900원' (Korean) or '₩12,900' (English)."""
    if amount is None or amount == "":
        return ""
    amount = int(amount)
    # Translators: a price in Korean won; {amount} is already grouped with commas.
    return gettext("{amount}원").format(amount=f"{amount:,}")


@register.simple_tag
def discount_percent(list_amount, sale_amount):
    return discount_rate(int(list_amount), int(sale_amount))
