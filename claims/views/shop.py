"""The shopper's claims (취소 / 교환 / 반품): request with a refund preview, follow, withdraw, convert.

Every page is the signed-in shopper's own: another shopper's order or claim is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from claims import selectors, services
from claims.forms import ClaimRequestForm, ReplacementForm
from claims.models import Claim
from claims.photos import attach_claim_photos
from core.exceptions import DomainError
from core.templatetags.money import won
from orders.models import PaymentMethod
from orders.selectors import get_order_for_shopper

T, St = Claim.Type, Claim.Status
CLAIMS_PER_PAGE = 10
TITLES = {T.CANCEL: gettext_lazy("Request a cancel"), T.EXCHANGE: gettext_lazy("Request an exchange"),
          T.RETURN: gettext_lazy("Request a return")}


def _needs_account(order) -> bool:
    payment = getattr(order, "payment", None)
    return bool(payment and payment.method == PaymentMethod.VIRTUAL_ACCOUNT)


def _preview(order, form: ClaimRequestForm, lines) -> dict:
    """What the claim would give back (cancel, return) or cost (exchange), from the services' own rules."""
    items = form.cleaned_data["items"]
    if form.claim_type == T.EXCHANGE:
        chosen = [line for line in lines if line.pk in dict(items)]
        pickup_method = form.cleaned_data.get("pickup_method", "")
        return {"exchange": True, "shipping_charge_amount": services.exchange_shipping_charge(
            chosen, form.fault, order=order, pickup_method=pickup_method)}
    preview = services.compute_refund(order=order, claim_type=form.claim_type, fault=form.fault, items=items,
                                      pickup_method=form.cleaned_data.get("pickup_method", ""))
    return {"exchange": False, "refund": preview, "fault": form.fault}


@login_required
def claim_request(request, number: str, claim_type: str):
    if claim_type not in T.values:
        raise Http404
    order = get_order_for_shopper(user=request.user, number=number)
    if order is None:
        raise Http404
    lines = selectors.list_claimable_lines(order=order, claim_type=claim_type)
    replacements = selectors.list_replacement_options(lines=lines) if claim_type == T.EXCHANGE else {}
    form_kwargs = {"claim_type": claim_type, "lines": lines, "replacements": replacements,
                   "needs_account": _needs_account(order)}
    preview, status = None, 200
    if request.method == "POST":
        form = ClaimRequestForm(request.POST, request.FILES, **form_kwargs)
        if not form.is_valid():
            status = 400
        elif request.POST.get("action") != "submit":
            preview = _preview(order, form, lines)
            if request.FILES.getlist("photos"):
                messages.info(request, _("Photos are not kept by the preview: choose them again before you submit."))
        else:
            try:
                claim = services.request_claim(
                    order=order, claim_type=claim_type, items=form.cleaned_data["items"],
                    reason_code=form.cleaned_data["reason"], requested_by=request.user,
                    detail=form.cleaned_data["detail"], pickup_method=form.cleaned_data.get("pickup_method", ""),
                    replacements=form.cleaned_data["replacements"], refund_account=form.refund_account())
            except DomainError as error:
                messages.error(request, error.message)
                preview, status = _preview(order, form, lines), 400
            else:
                return _after_request(request, claim, form.cleaned_data.get("photos") or [])
    else:
        wanted = request.GET.get("line", "")
        initial = {f"line_{wanted}": True} if wanted.isdigit() else {}
        form = ClaimRequestForm(initial=initial, **form_kwargs)
    return render(request, "shop/claims/request.html", {
        "order": order, "form": form, "claim_type": claim_type, "title": TITLES[claim_type], "preview": preview,
        "reason_groups": selectors.reason_groups(), "rows": list(form.line_rows()),
    }, status=status)


def _after_request(request, claim: Claim, photos: list):
    if photos:
        try:
            attach_claim_photos(claim=claim, files=photos)
        except DomainError as error:
            messages.warning(request, _("Your request was sent, but the photos were not: %(error)s") % {
                "error": error.message})
    if claim.type == T.CANCEL and claim.status == St.COMPLETED:
        messages.success(request, _("Cancelled. %(amount)s goes back by your payment route.") % {
            "amount": won(claim.refund_amount)})
    else:
        messages.success(request, _("Your request was sent. We will tell you when the seller answers."))
    return redirect("shop:claim_detail", number=claim.number)


@login_required
def claim_list(request):
    page = Paginator(selectors.list_claims_for_shopper(user=request.user), CLAIMS_PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "shop/claims/list.html", {
        "page": page, "claims": page.object_list,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)})


def _own_claim(request, number: str) -> Claim:
    claim = selectors.get_claim_for_shopper(user=request.user, number=number)
    if claim is None:
        raise Http404
    return claim


def _replacement_form(claim: Claim, data=None) -> ReplacementForm:
    lines = [claim_line.order_line for claim_line in claim.lines.all()]
    return ReplacementForm(data, lines=lines, replacements=selectors.list_replacement_options(lines=lines))


def _render_detail(request, claim: Claim, *, replacement_form=None, status: int = 200):
    allowed = services.TRANSITIONS[claim.type].get(claim.status, set())
    can_convert = St.CONVERTED in allowed
    return render(request, "shop/claims/detail.html", {
        "claim": claim, "order": claim.order, "timeline": selectors.get_claim_timeline(claim=claim, for_shopper=True),
        "can_withdraw": St.WITHDRAWN in allowed,
        "fee_due": services.exchange_fee_due(claim) if claim.status in services.fees.FEE_PAYABLE else 0,
        "can_convert": can_convert,
        "replacement_form": replacement_form or (_replacement_form(claim) if can_convert and claim.type == T.RETURN
                                                 else None),
        "photos": list(claim.photos.all()),
        "reason_label": services.reason_label(claim.reason_code),
        "pickup_tracking_url": claim.pickup_courier.tracking_url(claim.pickup_waybill)
        if claim.pickup_courier and claim.pickup_waybill else "",
        "replacement_tracking_url": claim.replacement_courier.tracking_url(claim.replacement_waybill)
        if claim.replacement_courier and claim.replacement_waybill else "",
    }, status=status)


@login_required
def claim_detail(request, number: str):
    return _render_detail(request, _own_claim(request, number))


@login_required
@require_POST
def claim_withdraw(request, number: str):
    claim = _own_claim(request, number)
    try:
        services.withdraw_claim(claim_id=claim.pk, shopper=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your request is withdrawn."))
    return redirect("shop:claim_detail", number=claim.number)


@login_required
@require_POST
def claim_convert(request, number: str):
    claim = _own_claim(request, number)
    replacements = None
    if claim.type == T.RETURN:
        form = _replacement_form(claim, request.POST)
        if not form.is_valid():
            return _render_detail(request, claim, replacement_form=form, status=400)
        replacements = form.chosen()
    try:
        new = services.convert_claim(claim_id=claim.pk, actor=request.user, replacements=replacements)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("shop:claim_detail", number=claim.number)
    if new.type == T.EXCHANGE:
        messages.success(request, _("Your return is now an exchange request."))
    else:
        messages.success(request, _("Your exchange is now a return request."))
    return redirect("shop:claim_detail", number=new.number)


@login_required
@require_POST
def claim_fee_pay(request, number: str):
    """The exchange fee's own checkout: to the PG window, back to the success or fail page below."""
    claim = _own_claim(request, number)
    try:
        url = services.start_exchange_fee_payment(
            claim_id=claim.pk, shopper=request.user,
            success_url=request.build_absolute_uri(reverse("shop:claim_fee_success", args=[claim.number])),
            fail_url=request.build_absolute_uri(reverse("shop:claim_fee_fail", args=[claim.number])))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("shop:claim_detail", number=claim.number)
    return redirect(url)


@login_required
def claim_fee_success(request, number: str):
    claim = _own_claim(request, number)
    try:
        amount = int(request.GET.get("amount", ""))
        payment_key = request.GET["paymentKey"]
    except (KeyError, ValueError):
        messages.error(request, _("The payment result is incomplete."))
        return redirect("shop:claim_detail", number=claim.number)
    try:
        services.confirm_exchange_fee_payment(pg_order_id=request.GET.get("orderId", ""), payment_key=payment_key,
                                              amount=amount, shopper=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The exchange fee is paid. The seller ships your replacement after checking "
                                    "the item."))
    return redirect("shop:claim_detail", number=claim.number)


@login_required
def claim_fee_fail(request, number: str):
    claim = _own_claim(request, number)
    messages.error(request, request.GET.get("message") or _("The payment was not completed."))
    return redirect("shop:claim_detail", number=claim.number)


@login_required
def claim_photo(request, photo_id: int):
    """A claim photo, for the shopper who took it, operators who may see claims, or the staff of a
    seller whose line the claim covers; everyone else gets 404 (the file's existence stays private)."""
    from django.http import FileResponse

    from claims.models import ClaimPhoto

    photo = ClaimPhoto.objects.select_related("claim__order").filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    user = request.user
    staff = getattr(user, "seller_staff", None)
    allowed = (
        photo.claim.order.user_id == user.pk
        or (user.is_staff and user.has_perm("claims.view_claim"))
        or (staff is not None and photo.claim.lines.filter(order_line__seller_id=staff.seller_id).exists())
    )
    if not allowed:
        raise Http404
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=None)
    response["Cache-Control"] = "private, max-age=3600"
    return response
