"""The claim console: lists by type and status, bulk steps, refunds due, and each claim's page.

claims.view_claim to see, claims.handle_claims as well to act (anonymous → login, anyone else →
403). The page offers exactly the steps the claim's TRANSITIONS table allows; the services
check again and their refusals become messages.
"""

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from claims import selectors, services
from claims.forms import (
    BulkClaimForm,
    ClaimRequestForm,
    HoldForm,
    InspectForm,
    PickupForm,
    RejectForm,
    ReplacementForm,
    ShipReplacementForm,
)
from claims.models import Claim
from core.exceptions import DomainError
from core.templatetags.money import won
from core.views_console import console_permission_required

VIEW, HANDLE = "claims.view_claim", "claims.handle_claims"
T, St = Claim.Type, Claim.Status
CLAIMS_PER_PAGE = 50
TYPE_TABS = [(T.CANCEL, T.CANCEL.label), (T.EXCHANGE, T.EXCHANGE.label), (T.RETURN, T.RETURN.label)]

STEP_LABELS = {
    "approve": gettext_lazy("Approve"),
    "reject": gettext_lazy("Reject"),
    "start_pickup": gettext_lazy("Start pickup"),
    "complete_pickup": gettext_lazy("Pickup done"),
    "inspect": gettext_lazy("Record the inspection"),
    "hold": gettext_lazy("Hold"),
    "release_hold": gettext_lazy("Release the hold"),
    "approve_decision": gettext_lazy("Approve the hold or rejection"),
    "refuse_decision": gettext_lazy("Refuse the hold or rejection"),
    "refund": gettext_lazy("Refund"),
    "retry_refund": gettext_lazy("Retry the refund"),
    "ship_replacement": gettext_lazy("Ship the replacement"),
    "complete": gettext_lazy("Complete"),
    "convert": gettext_lazy("Convert"),
}
BULK_SERVICES = {
    "approve": lambda claim_id, actor: services.approve_claim(claim_id=claim_id, actor=actor),
    "start_pickup": lambda claim_id, actor: services.start_pickup(claim_id=claim_id, actor=actor),
    "complete_pickup": lambda claim_id, actor: services.complete_pickup(claim_id=claim_id, actor=actor),
}
# The status a bulk step starts from (the services check the table again).
BULK_FROM = {"approve": St.REQUESTED, "start_pickup": St.APPROVED, "complete_pickup": St.PICKUP_STARTED}


def next_steps(claim: Claim) -> list[str]:
    """The operator's next steps, in the order they are usually taken; only moves TRANSITIONS allows."""
    allowed = services.TRANSITIONS[claim.type].get(claim.status, set())
    steps = []
    if claim.status == St.REQUESTED and (St.APPROVED in allowed or St.REFUNDING in allowed):
        steps.append("approve")  # approving a cancel refunds and completes it
    if claim.status == St.REFUND_FAILED or (
            claim.status == St.REFUNDING and claim.updated_at < timezone.now() - timedelta(minutes=10)):
        steps.append("retry_refund")  # failed at the PG, or stopped between the commit and the PG's answer
    if claim.decision_pending:
        steps.extend(["approve_decision", "refuse_decision"])
    if St.PICKUP_STARTED in allowed:
        steps.append("start_pickup")
    if claim.status == St.PICKUP_STARTED:
        steps.append("complete_pickup")
    if claim.status == St.HELD:
        steps.append("release_hold")
    if claim.type == T.RETURN and claim.status == St.PICKED_UP and not claim.decision_pending:
        steps.append("refund")
    if St.REPLACEMENT_SHIPPED in allowed and not claim.decision_pending:
        steps.append("ship_replacement")
    if St.COMPLETED in allowed and claim.type != T.CANCEL:
        steps.append("complete")
    if claim.status in (St.PICKED_UP, St.HELD):
        steps.append("inspect")
    if St.HELD in allowed:
        steps.append("hold")
    if St.CONVERTED in allowed:
        steps.append("convert")
    if St.REJECTED in allowed and not claim.decision_pending:
        steps.append("reject")
    return steps


def _next_url(request, default: str) -> str:
    from core.http import safe_next_url

    return safe_next_url(request, default)


def _mark_rows(claims, today) -> None:
    for claim in claims:
        claim.bulk_steps = [step for step, start in BULK_FROM.items() if claim.status == start
                            and step in next_steps(claim)]
        claim.is_refund_late = bool(claim.refund_due_date and claim.status in selectors.AWAITING_REFUND
                                    and claim.refund_due_date <= today)


# --- Lists -----------------------------------------------------------------------------------

@require_GET
@console_permission_required(VIEW)
def claim_list(request):
    counts = selectors.count_claims_by_type_and_status()
    claim_type = request.GET.get("type")
    if claim_type not in T.values:  # no type asked: the first with work waiting in the asked status
        wanted = request.GET.get("status") or "open"
        claim_type = next((key for key, _label in TYPE_TABS if counts[key].get(wanted)), T.CANCEL)
    statuses = selectors.statuses_of(claim_type)
    status = request.GET.get("status") if request.GET.get("status") in statuses else ""
    query = request.GET.get("q", "").strip()[:30]
    page = Paginator(selectors.search_console_claims(claim_type=claim_type, status=status, query=query),
                     CLAIMS_PER_PAGE).get_page(request.GET.get("page"))
    claims = list(page.object_list)
    today = timezone.localdate()
    _mark_rows(claims, today)
    can_handle = request.user.has_perm(HANDLE)
    on_page = {step for claim in claims for step in claim.bulk_steps}
    labels = dict(Claim.Status.choices)
    return render(request, "console/claims/list.html", {
        "claim_type": claim_type, "status": status, "query": query, "page": page, "claims": claims,
        "type_tabs": [(key, label, counts[key]["open"]) for key, label in TYPE_TABS],
        "status_tabs": [("", _("All"), counts[claim_type]["all"])]
        + [(key, labels[key], counts[claim_type].get(key, 0)) for key in statuses],
        "bulk_actions": [(key, label) for key, label in BulkClaimForm.ACTIONS.items() if key in on_page]
        if can_handle else [],
        **{key: value for key, value in selectors.count_claims_waiting(today=today).items()
           if key in ("refunds_due", "refunds_failed")},
        "list_url": request.get_full_path(),
    })


@require_GET
@console_permission_required(VIEW)
def refunds_due(request):
    today = timezone.localdate()
    page = Paginator(selectors.list_refunds_due(today=today), CLAIMS_PER_PAGE).get_page(request.GET.get("page"))
    claims = list(page.object_list)
    _mark_rows(claims, today)
    return render(request, "console/claims/refunds_due.html", {"page": page, "claims": claims, "today": today})


@require_http_methods(["GET", "POST"])
@console_permission_required(VIEW, HANDLE)
def claim_new(request, order_number: str, claim_type: str):
    """CS opens a cancel, return or exchange on the shopper's behalf (from the console's order page).

    The same form and the same service as the shopper's request; the claim records the operator as
    requester. The shopper is told by the claim's messages as usual.
    """
    from orders.models import Order, PaymentMethod

    if claim_type not in T.values:
        raise Http404
    order = Order.objects.select_related("payment").filter(number=order_number).first()
    if order is None:
        raise Http404
    lines = selectors.list_claimable_lines(order=order, claim_type=claim_type)
    replacements = selectors.list_replacement_options(lines=lines) if claim_type == T.EXCHANGE else {}
    payment = getattr(order, "payment", None)
    form_kwargs = {"claim_type": claim_type, "lines": lines, "replacements": replacements,
                   "needs_account": bool(payment and payment.method == PaymentMethod.VIRTUAL_ACCOUNT)}
    status = 200
    if request.method == "POST":
        form = ClaimRequestForm(request.POST, **form_kwargs)
        form.fields.pop("photos", None)
        if form.is_valid():
            try:
                claim = services.request_claim(
                    order=order, claim_type=claim_type, items=form.cleaned_data["items"],
                    reason_code=form.cleaned_data["reason"], requested_by=request.user,
                    detail=form.cleaned_data["detail"], pickup_method=form.cleaned_data.get("pickup_method", ""),
                    replacements=form.cleaned_data["replacements"], refund_account=form.refund_account())
            except DomainError as error:
                messages.error(request, error.message)
                status = 400
            else:
                messages.success(request, _("%(type)s %(number)s opened for the shopper: “%(status)s”.") % {
                    "type": claim.get_type_display(), "number": claim.number, "status": claim.get_status_display()})
                return redirect("console:claims:detail", number=claim.number)
        else:
            status = 400
    else:
        form = ClaimRequestForm(**form_kwargs)
        form.fields.pop("photos", None)
    return render(request, "console/claims/new.html", {
        "order": order, "form": form, "claim_type": claim_type, "claim_type_label": T(claim_type).label,
        "rows": list(form.line_rows()), "reason_groups": selectors.reason_groups(),
    }, status=status)


@require_GET
@console_permission_required(VIEW)
def refunds_failed(request):
    """Refunds the PG refused or that stopped half way: each with the PG's answer and a retry button."""
    page = Paginator(selectors.list_failed_refunds(), CLAIMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "console/claims/refunds_failed.html", {
        "page": page, "claims": list(page.object_list), "can_handle": request.user.has_perm(HANDLE)})


@require_POST
@console_permission_required(VIEW, HANDLE)
def bulk_action(request):
    form = BulkClaimForm(request.POST)
    target = _next_url(request, reverse("console:claims:list"))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(target)
    action = form.cleaned_data["action"]
    done, refused = 0, []
    for claim_id in dict.fromkeys(form.cleaned_data["claims"]):
        try:  # each service commits on its own (an approved cancel calls the PG after its commit)
            BULK_SERVICES[action](claim_id, request.user)
        except DomainError as error:
            refused.append((claim_id, error.message))
        else:
            done += 1
    summary = _("%(action)s: %(done)s done, %(refused)s refused.") % {
        "action": BulkClaimForm.ACTIONS[action], "done": done, "refused": len(refused)}
    (messages.success if not refused else messages.warning)(request, summary)
    numbers = dict(Claim.objects.filter(pk__in=[claim_id for claim_id, _message in refused[:20]])
                   .values_list("pk", "number"))
    for claim_id, message in refused[:20]:
        messages.error(request, _("Claim %(number)s: %(reason)s") % {
            "number": numbers.get(claim_id, claim_id), "reason": message})
    if len(refused) > 20:
        messages.error(request, _("… and %(count)s more refused claims.") % {"count": len(refused) - 20})
    return redirect(target)


# --- One claim -------------------------------------------------------------------------------

def _get_claim(number: str) -> Claim:
    claim = selectors.get_claim_for_console(number=number)
    if claim is None:
        raise Http404
    return claim


def _claim_lines(claim: Claim) -> list:
    return [claim_line.order_line for claim_line in claim.lines.all()]


def _forms(claim: Claim, steps: list[str], bound: tuple | None = None) -> dict:
    forms = {}
    if "reject" in steps:
        forms["reject"] = RejectForm(prefix="reject")
    if "hold" in steps:
        forms["hold"] = HoldForm(prefix="hold")
    if "inspect" in steps:
        forms["inspect"] = InspectForm(prefix="inspect", initial={
            "condition": claim.inspected_condition or Claim.Condition.RESELLABLE,
            "restock": "stock" if claim.restock else "damaged", "damage_amount": claim.damage_amount,
            "damage_reason": claim.damage_reason})
    if "start_pickup" in steps:
        forms["start_pickup"] = PickupForm(prefix="pickup")
    if "ship_replacement" in steps:
        forms["ship_replacement"] = ShipReplacementForm(prefix="ship")
    if "convert" in steps and claim.type == T.RETURN:
        lines = _claim_lines(claim)
        forms["convert"] = ReplacementForm(lines=lines, replacements=selectors.list_replacement_options(lines=lines),
                                           prefix="convert")
    if bound:
        forms[bound[0]] = bound[1]
    return forms


def _step_label(claim: Claim, step: str) -> str:
    if step == "approve" and claim.type == T.CANCEL:
        return _("Approve and refund")
    if step == "convert":
        return _("Convert to a return") if claim.type == T.EXCHANGE else _("Convert to an exchange")
    return str(STEP_LABELS[step])


def _step_confirm(claim: Claim, step: str, refund_now) -> str:
    if step == "refund" and refund_now is not None:
        return _("Refund %(amount)s now?") % {"amount": won(refund_now.refund_amount)}
    if step == "approve" and claim.type == T.CANCEL:
        return _("Approve the cancel and refund it now?")
    if step == "convert" and claim.type == T.EXCHANGE:
        return _("Turn this exchange into a return?")
    return ""


def _render_detail(request, claim: Claim, *, bound=None, status: int = 200):
    can_handle = request.user.has_perm(HANDLE)
    steps = next_steps(claim) if can_handle else []
    refund_now = None
    if "refund" in steps:
        refund_now = services.compute_refund(
            order=claim.order, claim_type=claim.type, fault=claim.fault,
            items=[(cl.order_line_id, cl.quantity) for cl in claim.lines.all()], exclude_claim_id=claim.pk,
            pickup_method=claim.pickup_method, damage_amount=claim.damage_amount)
    today = timezone.localdate()
    forms = _forms(claim, steps, bound)
    step_items = [{"key": step, "label": _step_label(claim, step), "form": forms.get(step),
                   "confirm": _step_confirm(claim, step, refund_now), "open": bool(bound and bound[0] == step)}
                  for step in steps]
    return render(request, "console/claims/detail.html", {
        "claim": claim, "order": claim.order, "steps": step_items,
        "refund_now": refund_now, "timeline": selectors.get_claim_timeline(claim=claim),
        "outbox": selectors.list_claim_messages(claim=claim), "photos": list(claim.photos.all()),
        "memos": list(claim.memos.select_related("author")),
        "reason_label": services.reason_label(claim.reason_code),
        "is_refund_late": bool(claim.refund_due_date and claim.status in selectors.AWAITING_REFUND
                               and claim.refund_due_date <= today),
        "can_handle": can_handle,
    }, status=status)


@require_GET
@console_permission_required(VIEW)
def claim_detail(request, number: str):
    return _render_detail(request, _get_claim(number))


def _bind(claim: Claim, step: str, data):
    """The bound form of a step that takes input, or None."""
    if step == "reject":
        return RejectForm(data, prefix="reject")
    if step == "hold":
        return HoldForm(data, prefix="hold")
    if step == "inspect":
        return InspectForm(data, prefix="inspect")
    if step == "start_pickup":
        return PickupForm(data, prefix="pickup")
    if step == "ship_replacement":
        return ShipReplacementForm(data, prefix="ship")
    if step == "convert" and claim.type == T.RETURN:
        lines = _claim_lines(claim)
        return ReplacementForm(data, lines=lines, replacements=selectors.list_replacement_options(lines=lines),
                               prefix="convert")
    return None


def _apply(claim: Claim, step: str, form, actor):
    data = form.cleaned_data if form is not None else {}
    match step:
        case "approve":
            return services.approve_claim(claim_id=claim.pk, actor=actor)
        case "reject":
            return services.reject_claim(claim_id=claim.pk, actor=actor, reason=data["reason"],
                                         reason_code=data.get("reason_code", ""), courier_code=data.get("courier", ""),
                                         waybill_number=data.get("waybill_number", ""))
        case "start_pickup":
            return services.start_pickup(claim_id=claim.pk, actor=actor, courier_code=data["courier"],
                                         waybill_number=data["waybill_number"])
        case "complete_pickup":
            return services.complete_pickup(claim_id=claim.pk, actor=actor)
        case "hold":
            return services.hold_claim(claim_id=claim.pk, actor=actor, reason=data["reason"],
                                       reason_code=data["reason_code"], fee_amount=data.get("fee_amount") or 0,
                                       internal_note=data.get("internal_note", ""))
        case "inspect":
            return services.inspect_claim(claim_id=claim.pk, actor=actor, condition=data["condition"],
                                          restock=data["restock"], damage_amount=data.get("damage_amount") or 0,
                                          damage_reason=data.get("damage_reason", ""))
        case "approve_decision":
            return services.approve_decision(claim_id=claim.pk, actor=actor)
        case "refuse_decision":
            return services.refuse_decision(claim_id=claim.pk, actor=actor)
        case "retry_refund":
            return services.retry_refund(claim_id=claim.pk, actor=actor)
        case "release_hold":
            return services.release_hold(claim_id=claim.pk, actor=actor)
        case "refund":
            return services.refund_return(claim_id=claim.pk, actor=actor)
        case "ship_replacement":
            return services.ship_replacement(claim_id=claim.pk, actor=actor, courier_code=data["courier"],
                                             waybill_number=data["waybill_number"])
        case "complete":
            return services.complete_claim(claim_id=claim.pk, actor=actor)
        case "convert":
            return services.convert_claim(claim_id=claim.pk, actor=actor,
                                          replacements=form.chosen() if form is not None else None)
    raise Http404


@require_POST
@console_permission_required(VIEW, HANDLE)
def claim_step(request, number: str, step: str):
    if step not in STEP_LABELS:
        raise Http404
    claim = _get_claim(number)
    if step not in next_steps(claim):
        messages.error(request, _("“%(step)s” is not a step this claim can take now (%(status)s).") % {
            "step": STEP_LABELS[step], "status": claim.get_status_display()})
        return redirect("console:claims:detail", number=claim.number)
    form = _bind(claim, step, request.POST)
    if form is not None and not form.is_valid():
        return _render_detail(request, claim, bound=(step, form), status=400)
    try:
        result = _apply(claim, step, form, request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("console:claims:detail", number=claim.number)
    if step == "convert":
        messages.success(request, _("Converted into %(number)s.") % {"number": result.number})
        return redirect("console:claims:detail", number=result.number)
    result.refresh_from_db(fields=["status"])
    messages.success(request, _("%(step)s: the claim is now “%(status)s”.") % {
        "step": STEP_LABELS[step], "status": result.get_status_display()})
    return redirect("console:claims:detail", number=claim.number)


@require_POST
@console_permission_required(HANDLE)
def claim_memo(request, number: str):
    claim = _get_claim(number)
    try:
        services.add_claim_memo(claim_id=claim.pk, author=request.user, body=request.POST.get("body", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Memo added."))
    return redirect("console:claims:detail", number=claim.number)
