"""The affiliate's side on the storefront: apply, then a dashboard with links, clicks, orders,
confirmed orders, commission and statements."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from marketing.forms_cms import AffiliateApplyForm, AffiliateLinkForm
from marketing.models_affiliate import Affiliate, AffiliateCommission, AffiliateLink, AffiliateOrder
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
    links = list(AffiliateLink.objects.filter(affiliate=affiliate).annotate(click_count=Count("clicks"))
                 .order_by("-created_at", "-id")[:50])
    orders = AffiliateOrder.objects.filter(affiliate=affiliate)
    totals = orders.aggregate(orders=Count("id"),
                              confirmed=Count("id", filter=Q(order__lines__status="confirmed"), distinct=True))
    commission = AffiliateCommission.objects.filter(affiliate=affiliate).aggregate(
        total=Sum("commission_amount"), reversed=Sum("commission_amount", filter=Q(kind="reversal")))
    return render(request, "shop/marketing/affiliate_dashboard.html", {
        "affiliate": affiliate, "links": links, "link_form": AffiliateLinkForm(),
        "clicks": sum(link.click_count for link in links), "orders": totals["orders"],
        "confirmed_orders": totals["confirmed"], "commission_amount": commission["total"] or 0,
        "reversed_amount": -(commission["reversed"] or 0),
        "statements": affiliate.statements.order_by("-month")[:12],
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
