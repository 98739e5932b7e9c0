"""The partner portal's marketing page: the funnel of the seller's own products."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from marketing import charts, selectors_cms, selectors_reports
from marketing.forms_cms import ReportFilterForm
from partners.portal import Area, portal_view


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
