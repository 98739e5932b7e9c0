"""Template helpers for the claim buttons on the shopper's order page."""

from django import template

register = template.Library()


@register.filter
def claim_types(line) -> list[str]:
    """The claims the shopper can ask for on this order line now: ["cancel"] or ["exchange", "return"]."""
    from claims.selectors import claim_types_for_line

    return [str(claim_type) for claim_type in claim_types_for_line(line)]


@register.filter
def claim_reason(reason_code: str) -> str:
    """The shopper-facing label of a claim reason code."""
    from claims.services import reason_label

    return reason_label(reason_code)
