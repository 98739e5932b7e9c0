"""What every claim service shares: the claim's lock, who may act, the audited move and its messages."""

from django.utils.translation import gettext as _

from claims.exceptions import ClaimError
from claims.models import Claim
from core.outbox import notify
from core.transitions import move
from orders.services.fulfilment import check_line_access

from .rules import TRANSITIONS, Status, reason_label

# Steps the shopper is not told about (internal to the refund; the result is what they hear).
QUIET_STEPS = {Status.REFUNDING, Status.REFUND_FAILED}


def claim_number() -> str:
    from orders.services.checkout import next_daily_value

    day, value = next_daily_value("claim")
    return f"C{day:%Y%m%d}-{value:05d}"


def locked_claim(claim_id: int) -> Claim:
    claim = Claim.objects.select_for_update().filter(pk=claim_id).first()
    if claim is None:
        raise ClaimError(_("No such claim."), code="not_found")
    return claim


def check_actor(actor, claim: Claim) -> None:
    """Operators with claims permission, or the staff of the seller whose lines the claim covers."""
    for claim_line in claim.lines.select_related("order_line"):
        check_line_access(actor, claim_line.order_line, "claims.handle_claims")


def is_operator(actor) -> bool:
    return bool(getattr(actor, "is_staff", False) and actor.has_perm("claims.handle_claims"))


def move_claim(claim: Claim, to: str, *, actor, reason: str = "", extra=(), tell: bool = True) -> None:
    move(claim, to=to, table=TRANSITIONS[claim.type], actor=actor, reason=reason, extra_update_fields=tuple(extra))
    if tell and to not in QUIET_STEPS:
        tell_step(claim, to)


def tell_step(claim: Claim, step: str) -> None:
    """One message to the shopper and one per seller for a step of the claim (after commit, via the outbox)."""
    order = claim.order
    labels = dict(Claim.Status.choices)
    context = {"claim": claim, "order": order, "step": labels.get(step, step), "reason": reason_label(claim.reason_code)}
    notify(event="claim.updated", key=f"{claim.number}:{step}", context=context, email=order.orderer_email,
           phone=order.orderer_phone, subject_object=order)
    for seller in {cl.order_line.seller for cl in claim.lines.select_related("order_line__seller")}:
        notify(event="claim.updated_seller", key=f"{claim.number}:{step}:{seller.pk}",
               context={**context, "seller": seller}, email=seller.contact_email, subject_object=order)
