"""Coupons and points in the operator console (marketing team).

Every view needs a signed-in, active staff member with the page's permission: anonymous
visitors go to the login page, anyone else gets 403.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import DomainError
from core.transitions import history
from core.views_console import console_permission_required
from marketing import selectors
from marketing.exceptions import CouponError, PointsError
from marketing.forms import CouponForm, CouponStatusForm, IssueCouponForm, PointsAdjustForm, ShopperLookupForm
from marketing.models import Coupon
from marketing.services import coupons as coupon_services
from marketing.services import points as point_services

VIEW_COUPON = "marketing.view_coupon"
ADD_COUPON = "marketing.add_coupon"
CHANGE_COUPON = "marketing.change_coupon"
ISSUE_COUPON = "marketing.add_issuedcoupon"
VIEW_POINTS = "marketing.view_pointentry"
ADJUST_POINTS = "marketing.add_pointentry"
VIEW_USER = "accounts.view_user"

COUPONS_PER_PAGE = 20
POINT_ENTRIES_PER_PAGE = 20
ISSUE_RESULT_SESSION_KEY = "console_coupon_issue_result"

# The buttons the detail page offers for each move the status table allows.
STATUS_ACTIONS = {
    Coupon.Status.PAUSED: (gettext_lazy("Pause issuing"), "button"),
    Coupon.Status.ACTIVE: (gettext_lazy("Resume"), "button button--primary"),
    Coupon.Status.ENDED: (gettext_lazy("End"), "button button--danger"),
}


# --- Coupons ---------------------------------------------------------------------------------

@require_GET
@console_permission_required(VIEW_COUPON)
def coupon_list(request):
    status = request.GET.get("status", "")
    if status not in Coupon.Status.values:
        status = ""
    page = Paginator(selectors.list_coupons_for_console(status=status), COUPONS_PER_PAGE).get_page(
        request.GET.get("page"))
    counts = selectors.count_coupons_by_status()
    filters = [("", _("All"), counts["all"])] + [
        (value, label, counts[value]) for value, label in Coupon.Status.choices]
    return render(request, "console/marketing/coupon_list.html", {
        "page": page, "status": status, "filters": filters,
        "can_add": request.user.has_perm(ADD_COUPON),
    })


@require_http_methods(["GET", "POST"])
@console_permission_required(VIEW_COUPON, ADD_COUPON)
def coupon_create(request):
    form = CouponForm(request.POST or None, initial={"per_user_limit": 1, "min_order_amount": 0,
                                                     "seller_share_percent": 0, "valid_days": 30})
    if request.method == "POST" and form.is_valid():
        try:
            coupon = coupon_services.create_coupon(actor=request.user, **form.service_fields())
        except coupon_services.CouponInvalid as error:
            for field, field_errors in error.errors.items():
                for message in field_errors:
                    form.add_error(field if field in form.fields else None, message)
        except CouponError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Coupon “%(name)s” created.") % {"name": coupon.name})
            return redirect("console:marketing:coupon_detail", coupon_id=coupon.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "console/marketing/coupon_form.html", {"form": form}, status=status)


@require_GET
@console_permission_required(VIEW_COUPON)
def coupon_detail(request, coupon_id: int):
    try:
        coupon = selectors.get_coupon_for_console(coupon_id=coupon_id)
    except Coupon.DoesNotExist as error:
        raise Http404 from error
    result = request.session.get(ISSUE_RESULT_SESSION_KEY)
    if result and result.get("coupon_id") == coupon.pk:
        del request.session[ISSUE_RESULT_SESSION_KEY]
    else:
        result = None
    allowed = coupon_services.COUPON_STATUS_TRANSITIONS.get(coupon.status, set())
    actions = [(target, *STATUS_ACTIONS[target]) for target in (Coupon.Status.PAUSED, Coupon.Status.ACTIVE,
                                                                 Coupon.Status.ENDED) if target in allowed]
    return render(request, "console/marketing/coupon_detail.html", {
        "coupon": coupon,
        "actions": actions if request.user.has_perm(CHANGE_COUPON) else [],
        "can_issue": request.user.has_perm(ISSUE_COUPON) and coupon.status == Coupon.Status.ACTIVE,
        "issue_form": IssueCouponForm(),
        "issue_result": result,
        "recent_issues": selectors.list_recent_issues(coupon=coupon),
        "history": _labelled(history(coupon)),
    })


def _labelled(changes):
    labels = dict(Coupon.Status.choices)
    changes = list(changes)
    for change in changes:
        change.from_label = labels.get(change.from_status, change.from_status)
        change.to_label = labels.get(change.to_status, change.to_status)
    return changes


@require_POST
@console_permission_required(VIEW_COUPON, CHANGE_COUPON)
def coupon_status(request, coupon_id: int):
    coupon = get_object_or_404(Coupon, pk=coupon_id)
    form = CouponStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the coupon."))
    else:
        try:
            coupon_services.change_coupon_status(coupon_id=coupon.pk, to=form.cleaned_data["to"], actor=request.user,
                                                 reason=form.cleaned_data["reason"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            coupon.refresh_from_db(fields=["status"])
            messages.success(request, _("The coupon is now “%(status)s”.") % {"status": coupon.get_status_display()})
    return redirect("console:marketing:coupon_detail", coupon_id=coupon.pk)


@require_POST
@console_permission_required(VIEW_COUPON, ISSUE_COUPON)
def coupon_issue(request, coupon_id: int):
    coupon = get_object_or_404(Coupon, pk=coupon_id)
    form = IssueCouponForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["emails"]))
        return redirect("console:marketing:coupon_detail", coupon_id=coupon.pk)
    try:
        rows = coupon_services.issue_to_emails(coupon_id=coupon.pk, emails=form.cleaned_data["emails"],
                                               actor=request.user)
    except CouponError as error:
        messages.error(request, error.message)
        return redirect("console:marketing:coupon_detail", coupon_id=coupon.pk)
    issued = sum(1 for _email, ok, _message in rows if ok)
    request.session[ISSUE_RESULT_SESSION_KEY] = {
        "coupon_id": coupon.pk,
        "rows": [{"email": email, "ok": ok, "message": str(message)} for email, ok, message in rows],
        "issued": issued, "failed": len(rows) - issued,
    }
    if issued:
        messages.success(request, _("Issued to %(issued)d of %(total)d shoppers.") % {"issued": issued,
                                                                                     "total": len(rows)})
    else:
        messages.error(request, _("No coupon was issued."))
    return redirect(reverse("console:marketing:coupon_detail", args=[coupon.pk]) + "#issue")


@require_GET
@console_permission_required(VIEW_COUPON, ADD_COUPON)
def product_search(request):
    """The coupon form's product picker: products by number or name, as JSON."""
    products = selectors.search_products_for_coupon(query=request.GET.get("q", ""))
    return JsonResponse({"results": [
        {"id": p.pk, "name": p.name, "seller": p.seller.name, "price": p.sale_price_amount} for p in products]})


# --- Points ----------------------------------------------------------------------------------

def _render_points(request, *, shopper=None, lookup_form=None, adjust_form=None, status=200):
    context = {"lookup_form": lookup_form or ShopperLookupForm(initial={"email": shopper.email} if shopper else None),
               "shopper": shopper, "can_adjust": request.user.has_perm(ADJUST_POINTS)}
    if shopper is not None:
        context["summary"] = selectors.get_point_summary(user=shopper)
        context["page"] = Paginator(selectors.list_point_entries(user=shopper), POINT_ENTRIES_PER_PAGE).get_page(
            request.GET.get("page"))
        context["adjust_form"] = adjust_form or PointsAdjustForm()
    return render(request, "console/marketing/points.html", context, status=status)


@require_GET
@console_permission_required(VIEW_POINTS, VIEW_USER)
def points(request):
    """Find a shopper by email; see their balance and ledger; grant or deduct points."""
    if "email" not in request.GET:
        return _render_points(request)
    form = ShopperLookupForm(request.GET)
    if not form.is_valid():
        return _render_points(request, lookup_form=form)
    shopper = selectors.find_shopper_by_email(email=form.cleaned_data["email"])
    if shopper is None:
        form.add_error("email", _("No shopper has this email."))
        return _render_points(request, lookup_form=form)
    return _render_points(request, shopper=shopper)


@require_POST
@console_permission_required(VIEW_POINTS, VIEW_USER, ADJUST_POINTS)
def points_adjust(request, user_id: int):
    shopper = get_object_or_404(get_user_model(), pk=user_id)
    form = PointsAdjustForm(request.POST)
    if form.is_valid():
        try:
            entry = point_services.adjust_points(user=shopper, amount=form.signed_amount(),
                                                 reason=form.cleaned_data["reason"], actor=request.user)
        except PointsError as error:
            form.add_error(None, error.message)
        else:
            if entry.amount > 0:
                message = _("Granted %(amount)s in points to %(email)s.")
            else:
                message = _("Deducted %(amount)s in points from %(email)s.")
            messages.success(request, message % {"amount": f"{abs(entry.amount):,}원", "email": shopper.email})
            return redirect(f"{reverse('console:marketing:points')}?{urlencode({'email': shopper.email})}")
    return _render_points(request, shopper=shopper, adjust_form=form, status=400)
