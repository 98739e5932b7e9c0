"""The affiliate's side on the storefront: apply, then a dashboard with links, clicks, orders,
confirmed orders, commission and statements."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from marketing import selectors_affiliates
from marketing.forms_cms import AffiliateApplyForm, AffiliateLinkForm
from marketing.models_affiliate import Affiliate
from marketing.services import affiliates as affiliate_services


@require_http_methods(["GET", "POST"])
@login_required
def affiliate_home(request):
    affiliate = Affiliate.objects.filter(user=request.user).first()
    if affiliate is None:
        form = AffiliateApplyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                affiliate_services.apply_as_affiliate(user=request.user, **form.cleaned_data)
            except affiliate_services.AffiliateError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Thank you. We will review your application."))
                return redirect("shop:affiliate_home")
        status = 400 if request.method == "POST" else 200
        return render(request, "shop/marketing/affiliate_apply.html", {"form": form}, status=status)
    # The same numbers as the console's affiliate page (marketing/selectors_affiliates.py): clicks on
    # every link, each order once, commission net of reversals.
    summary = selectors_affiliates.get_affiliate_summary(affiliate=affiliate)
    return render(request, "shop/marketing/affiliate_dashboard.html", {
        "affiliate": affiliate, "summary": summary, "link_form": AffiliateLinkForm(),
        "links": selectors_affiliates.list_links_with_clicks(affiliate=affiliate, limit=50),
        "clicks": summary.clicks, "orders": summary.orders, "confirmed_orders": summary.confirmed_orders,
        "commission_amount": summary.commission_amount, "reversed_amount": summary.reversed_amount,
        "statements": selectors_affiliates.list_statements(affiliate=affiliate, limit=12),
        "minimum": affiliate_services.minimum_payout(),
    })


@require_POST
@login_required
def affiliate_link_create(request):
    affiliate = Affiliate.objects.filter(user=request.user).first()
    form = AffiliateLinkForm(request.POST)
    if affiliate is None:
        return redirect("shop:affiliate_home")
    if not form.is_valid():
        messages.error(request, _("Enter the address of a page of this shop."))
    else:
        try:
            link = affiliate_services.create_link(affiliate=affiliate, **form.cleaned_data)
        except affiliate_services.AffiliateError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Link made: %(url)s") % {
                "url": request.build_absolute_uri(f"/r/{link.code}")})
    return redirect("shop:affiliate_home")
