"""The partner portal's marketing page: the funnel of the seller's own products."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from marketing import charts, selectors_cms, selectors_reports
from marketing.forms_cms import ReportFilterForm
from marketing.services import programs as program_services
from partners.portal import Area, can, portal_view


@require_GET
@portal_view(Area.DASHBOARD)
def seller_funnel(request):
    form = ReportFilterForm(request.GET or None)
    filters = form.filters() if request.GET else selectors_reports.default_filters()
    if not request.GET:
        form = ReportFilterForm(initial={"start": filters.start, "end": filters.end})
    summary = selectors_reports.seller_funnel(seller=request.seller, filters=filters)
    products = selectors_reports.seller_top_products(seller=request.seller, filters=filters)
    return render(request, "partner/marketing/funnel.html", {
        "form": form, "summary": summary, "products": products,
        "chart": charts.bar_chart([(label, summary[key], "") for key, label in (
            ("views", _("Product views")), ("carts", _("Added to cart")), ("orders", _("Orders")))], title=_("Funnel")),
        "notices": selectors_cms.list_seller_notices(limit=5),
    })


@require_http_methods(["GET", "POST"])
@portal_view(Area.STORE)
def seller_programs(request):
    """Review rewards paid by the seller, and the affiliate program (owner and manager change them)."""
    if request.method == "POST":
        program_services.set_seller_programs(seller=request.seller, actor=request.user,
                                             review_rewards=request.POST.get("review_rewards") == "1",
                                             affiliate_program=request.POST.get("affiliate_program") == "1")
        messages.success(request, _("Marketing programs saved."))
        return redirect("partner:marketing_programs")
    return render(request, "partner/marketing/programs.html", {
        "programs": program_services.seller_programs(request.seller),
        "can_change": can(request.seller_staff, Area.STORE, write=True),
        "text_reward": settings.REVIEW_REWARD_TEXT_AMOUNT, "photo_reward": settings.REVIEW_REWARD_PHOTO_AMOUNT,
    })
