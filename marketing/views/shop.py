"""The shopper's coupons and points: download on a product page or in the coupon zone, a code,
the coupon box and the points history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from marketing import selectors
from marketing.exceptions import CouponError
from marketing.forms import CouponCodeForm
from marketing.services import coupons as coupon_services

POINT_ENTRIES_PER_PAGE = 20


def _safe_next(request, default: str) -> str:
    from core.http import safe_next_url

    return safe_next_url(request, default)


@require_GET
def coupon_zone(request):
    return render(request, "shop/marketing/coupon_zone.html", {
        "coupons": selectors.list_downloadable_coupons(user=request.user),
        "code_form": CouponCodeForm(),
    })


@require_POST
def coupon_download(request, coupon_id: int):
    """Download one coupon, then back to the page it was shown on (the login comes first)."""
    back = _safe_next(request, reverse("shop:coupon_zone"))
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    try:
        issued = coupon_services.download_coupon(coupon_id=coupon_id, user=request.user)
    except CouponError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(name)s” is in your coupon box.") % {"name": issued.coupon.name})
    return redirect(back)


@require_POST
def coupon_redeem(request):
    back = _safe_next(request, reverse("shop:coupon_zone"))
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    form = CouponCodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a coupon code."))
        return redirect(back)
    try:
        issued = coupon_services.redeem_coupon_code(code=form.cleaned_data["code"], user=request.user)
    except CouponError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(name)s” is in your coupon box.") % {"name": issued.coupon.name})
    return redirect(back)


@require_GET
@login_required
def coupon_box(request):
    tab = request.GET.get("tab")
    if tab not in selectors.COUPON_BOX_TABS:
        tab = selectors.TAB_USABLE
    counts = selectors.count_coupon_box(user=request.user)
    tabs = [
        (selectors.TAB_USABLE, _("Usable"), counts[selectors.TAB_USABLE]),
        (selectors.TAB_USED, _("Used"), counts[selectors.TAB_USED]),
        (selectors.TAB_EXPIRED, _("Expired"), counts[selectors.TAB_EXPIRED]),
    ]
    return render(request, "shop/marketing/coupon_box.html", {
        "tab": tab,
        "tabs": tabs,
        "issued_coupons": selectors.list_coupon_box(user=request.user, tab=tab),
        "code_form": CouponCodeForm(),
        "now": timezone.now(),
    })


@require_GET
@login_required
def points(request):
    summary = selectors.get_point_summary(user=request.user)
    page = Paginator(selectors.list_point_entries(user=request.user), POINT_ENTRIES_PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "shop/marketing/points.html", {
        "summary": summary,
        "expiring": list(selectors.list_expiring_credits(user=request.user)) if summary.expiring_amount else [],
        "page": page,
    })
