"""The seller's claims (취소/반품/교환 관리) on its own lines. Kept thin on purpose: the steps and
their forms come from the claim console (``claims.views.console.next_steps``, ``claims.forms``) and
every step calls the public ``claims.services`` function of the same name with the seller's staff
as the actor (the service checks the lines are the seller's). The refund itself is the operator's
or the automatic rules' (the seller sees what it will be); converting a claim is the operator's."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from claims import services as claim_services
from claims.forms import HoldForm, PickupForm, ReasonForm, ShipReplacementForm
from claims.models import Claim
from core.exceptions import DomainError

from .. import selectors
from ..portal import Area, portal_view

St = Claim.Status
TAB_LABELS = {
    "cancel_requests": gettext_lazy("Cancel requests"),
    "return_requests": gettext_lazy("Return requests"),
    "exchange_requests": gettext_lazy("Exchange requests"),
    "to_pick_up": gettext_lazy("To pick up"),
    "to_inspect": gettext_lazy("To inspect"),
    "held": gettext_lazy("Held"),
    "refunds_due": gettext_lazy("Refunds due"),
    "open": gettext_lazy("Open"),
    "all": gettext_lazy("All"),
}
STEP_LABELS = {
    "approve": gettext_lazy("Approve"),
    "reject": gettext_lazy("Reject"),
    "start_pickup": gettext_lazy("Start pickup"),
    "complete_pickup": gettext_lazy("Pickup done"),
    "hold": gettext_lazy("Hold"),
    "release_hold": gettext_lazy("Release the hold"),
    "ship_replacement": gettext_lazy("Ship the replacement"),
    "complete": gettext_lazy("Complete"),
}


def seller_steps(claim: Claim) -> list[str]:
    """The console's next steps for this claim, less the operator's own (refund, convert)."""
    from claims.views.console import next_steps

    return [step for step in next_steps(claim) if step in STEP_LABELS]


@portal_view(Area.ORDERS)
def claim_list(request):
    counts = selectors.count_seller_claims(seller=request.seller)
    tab = request.GET.get("tab") if request.GET.get("tab") in TAB_LABELS else "open"
    query = request.GET.get("q", "").strip()[:30]
    page = Paginator(selectors.list_seller_claims(seller=request.seller, tab=tab, query=query), 30).get_page(
        request.GET.get("page"))
    return render(request, "partner/claims/list.html", {
        "tab": tab, "query": query, "page": page, "claims": list(page.object_list),
        "tabs": [(key, label, counts[key]) for key, label in TAB_LABELS.items()],
        "today": timezone.localdate(),
    })


def _claim_or_404(request, claim_id: int) -> Claim:
    claim = selectors.get_seller_claim(seller=request.seller, claim_id=claim_id)
    if claim is None:
        raise Http404
    return claim


def _bind(step: str, data=None):
    return {"reject": lambda: ReasonForm(data, prefix="reject"), "hold": lambda: HoldForm(data, prefix="hold"),
            "start_pickup": lambda: PickupForm(data, prefix="pickup"),
            "ship_replacement": lambda: ShipReplacementForm(data, prefix="ship")}.get(step, lambda: None)()


def _render(request, claim: Claim, *, bound=None, status: int = 200):
    from claims.selectors import get_claim_timeline

    steps = seller_steps(claim)
    items = []
    for step in steps:
        form = bound[1] if bound and bound[0] == step else _bind(step)
        items.append({"key": step, "label": STEP_LABELS[step], "form": form, "open": bool(bound and bound[0] == step)})
    preview = claim_services.compute_refund(
        order=claim.order, claim_type=claim.type, fault=claim.fault,
        items=[(claim_line.order_line_id, claim_line.quantity) for claim_line in claim.lines.all()],
        exclude_claim_id=claim.pk) if claim.type != Claim.Type.EXCHANGE and not claim.refunded_at else None
    return render(request, "partner/claims/detail.html", {
        "claim": claim, "order": claim.order, "steps": items, "preview": preview,
        "own_lines": [cl for cl in claim.lines.all() if cl.order_line.seller_id == request.seller.pk],
        "reason_label": claim_services.REASONS.get(claim.reason_code, ("", claim.reason_code))[1],
        "memos": list(claim.memos.select_related("author")), "timeline": get_claim_timeline(claim=claim),
    }, status=status)


@portal_view(Area.ORDERS)
def claim_detail(request, claim_id: int):
    return _render(request, _claim_or_404(request, claim_id))


def _apply(claim: Claim, step: str, data: dict, actor):
    match step:
        case "approve":
            return claim_services.approve_claim(claim_id=claim.pk, actor=actor)
        case "reject":
            return claim_services.reject_claim(claim_id=claim.pk, actor=actor, reason=data["reason"])
        case "start_pickup":
            return claim_services.start_pickup(claim_id=claim.pk, actor=actor, courier_code=data.get("courier", ""),
                                               waybill_number=data.get("waybill_number", ""))
        case "complete_pickup":
            return claim_services.complete_pickup(claim_id=claim.pk, actor=actor)
        case "hold":
            # A proposal with its Naver class: an operator approves it before the shopper hears of it.
            return claim_services.hold_claim(claim_id=claim.pk, actor=actor, reason=data["reason"],
                                             reason_code=data["reason_code"], fee_amount=data.get("fee_amount") or 0,
                                             internal_note=data.get("internal_note", ""))
        case "release_hold":
            return claim_services.release_hold(claim_id=claim.pk, actor=actor)
        case "ship_replacement":
            return claim_services.ship_replacement(claim_id=claim.pk, actor=actor, courier_code=data["courier"],
                                                   waybill_number=data["waybill_number"])
        case "complete":
            return claim_services.complete_claim(claim_id=claim.pk, actor=actor)
    raise Http404


@require_POST
@portal_view(Area.ORDERS)
def claim_step(request, claim_id: int, step: str):
    claim = _claim_or_404(request, claim_id)
    if step not in STEP_LABELS:
        raise Http404
    if step not in seller_steps(claim):
        messages.error(request, _("“%(step)s” is not a step this claim can take now (%(status)s).") % {
            "step": STEP_LABELS[step], "status": claim.get_status_display()})
        return redirect("partner:claim_detail", claim_id=claim.pk)
    form = _bind(step, request.POST)
    if form is not None and not form.is_valid():
        return _render(request, claim, bound=(step, form), status=400)
    try:
        result = _apply(claim, step, form.cleaned_data if form is not None else {}, request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        result.refresh_from_db(fields=["status"])
        messages.success(request, _("%(step)s: the claim is now “%(status)s”.") % {
            "step": STEP_LABELS[step], "status": result.get_status_display()})
    return redirect("partner:claim_detail", claim_id=claim.pk)


@require_POST
@portal_view(Area.ORDERS)
def claim_memo(request, claim_id: int):
    claim = _claim_or_404(request, claim_id)
    try:
        claim_services.add_claim_memo(claim_id=claim.pk, author=request.user, body=request.POST.get("body", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Memo added."))
    return redirect("partner:claim_detail", claim_id=claim.pk)
