"""The console's marketing section beyond coupons: banners, exhibitions, notices and FAQ with
previews; funnel reports with charts; affiliates, their rates and monthly statements."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import DomainError
from core.views_console import console_permission_required
from marketing import charts, selectors_affiliates, selectors_cms, selectors_reports
from marketing.forms_cms import (
    AffiliateDecisionForm,
    BannerForm,
    CategoryRateForm,
    ExhibitionForm,
    FaqForm,
    MonthForm,
    NoticeForm,
    ReportFilterForm,
    SectionForm,
)
from marketing.models_affiliate import Affiliate, AffiliateCategoryRate, AffiliateStatement
from marketing.models_cms import Banner, Exhibition, ExhibitionSection, Faq, Notice
from marketing.services import affiliates as affiliate_services
from marketing.services import cms

CHANGE_BANNER = "marketing.change_banner"
CHANGE_EXHIBITION = "marketing.change_exhibition"
CHANGE_NOTICE = "marketing.change_notice"
VIEW_REPORTS = "marketing.view_event"
CHANGE_AFFILIATE = "marketing.change_affiliate"


def _apply_errors(form, error: cms.ContentError) -> None:
    for field, field_errors in error.errors.items():
        for message in field_errors:
            form.add_error(field if field in form.fields else None, message)


# --- Banners -------------------------------------------------------------------------------------

@require_GET
@console_permission_required(CHANGE_BANNER)
def banner_list(request):
    slot = request.GET.get("slot", "")
    return render(request, "console/marketing/banner_list.html", {
        "banners": selectors_cms.list_banners_for_console(slot=slot), "slot": slot, "slots": Banner.Slot.choices,
        "now": timezone.now(),
    })


@require_http_methods(["GET", "POST"])
@console_permission_required(CHANGE_BANNER)
def banner_form(request, banner_id: int | None = None):
    banner = get_object_or_404(Banner, pk=banner_id) if banner_id else None
    form = BannerForm(request.POST or None, request.FILES or None, instance=banner,
                      initial=None if banner else {"starts_at": timezone.localtime().replace(second=0, microsecond=0)})
    if request.method == "POST" and form.is_valid():
        try:
            saved = cms.save_banner(banner=banner, actor=request.user, **form.service_fields())
        except cms.ContentError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Banner “%(title)s” saved.") % {"title": saved.title})
            return redirect("console:marketing:banner_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "console/marketing/content_form.html", {
        "form": form, "object": banner, "kind": "banner",
        "title": _("Edit banner") if banner else _("New banner"),
        "back_url": "console:marketing:banner_list", "multipart": True,
    }, status=status)


@require_POST
@console_permission_required(CHANGE_BANNER)
def banner_delete(request, banner_id: int):
    cms.delete_banner(banner_id=banner_id, actor=request.user)
    messages.success(request, _("Banner deleted."))
    return redirect("console:marketing:banner_list")


@require_GET
@console_permission_required(CHANGE_BANNER)
def banner_preview(request, banner_id: int):
    """The banner as the storefront draws it in its slot, whatever its schedule."""
    banner = get_object_or_404(Banner, pk=banner_id)
    return render(request, "console/marketing/banner_preview.html", {"banner": banner, "banners": [banner],
                                                                      "slot": banner.slot, "preview": True})


# --- Exhibitions ---------------------------------------------------------------------------------

@require_GET
@console_permission_required(CHANGE_EXHIBITION)
def exhibition_list(request):
    return render(request, "console/marketing/exhibition_list.html", {
        "exhibitions": Exhibition.objects.prefetch_related("sections").order_by("-starts_at", "-id"),
        "now": timezone.now(),
    })


@require_http_methods(["GET", "POST"])
@console_permission_required(CHANGE_EXHIBITION)
def exhibition_form(request, exhibition_id: int | None = None):
    exhibition = get_object_or_404(Exhibition, pk=exhibition_id) if exhibition_id else None
    form = ExhibitionForm(request.POST or None, request.FILES or None, instance=exhibition)
    if request.method == "POST" and form.is_valid():
        try:
            saved = cms.save_exhibition(exhibition=exhibition, actor=request.user, **form.service_fields())
        except cms.ContentError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Exhibition “%(title)s” saved.") % {"title": saved.title})
            return redirect("console:marketing:exhibition_edit", exhibition_id=saved.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "console/marketing/exhibition_form.html", {
        "form": form, "exhibition": exhibition,
        "sections": list(exhibition.sections.order_by("sort_order", "id")) if exhibition else [],
        "section_form": SectionForm(prefix="section") if exhibition else None,
    }, status=status)


@require_http_methods(["GET", "POST"])
@console_permission_required(CHANGE_EXHIBITION)
def section_form(request, exhibition_id: int, section_id: int | None = None):
    exhibition = get_object_or_404(Exhibition, pk=exhibition_id)
    section = get_object_or_404(ExhibitionSection, pk=section_id, exhibition=exhibition) if section_id else None
    form = SectionForm(request.POST or None, instance=section, prefix="section")
    if request.method == "POST" and form.is_valid():
        try:
            cms.save_exhibition_section(exhibition=exhibition, section=section, actor=request.user,
                                        **form.service_fields())
        except cms.ContentError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Section saved."))
            return redirect("console:marketing:exhibition_edit", exhibition_id=exhibition.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "console/marketing/content_form.html", {
        "form": form, "object": section, "kind": "section", "title": _("Product section"),
        "back_url": "console:marketing:exhibition_list", "multipart": False,
    }, status=status)


@require_POST
@console_permission_required(CHANGE_EXHIBITION)
def section_delete(request, exhibition_id: int, section_id: int):
    cms.delete_exhibition_section(section_id=section_id, actor=request.user)
    messages.success(request, _("Section deleted."))
    return redirect("console:marketing:exhibition_edit", exhibition_id=exhibition_id)


@require_GET
@console_permission_required(CHANGE_EXHIBITION)
def exhibition_preview(request, exhibition_id: int):
    """The exhibition page as shoppers will see it, even unpublished or outside its schedule."""
    exhibition = get_object_or_404(Exhibition, pk=exhibition_id)
    sections = [(section, selectors_cms.section_products(section))
                for section in exhibition.sections.order_by("sort_order", "id")]
    return render(request, "shop/marketing/exhibition_detail.html", {
        "exhibition": exhibition, "sections": sections, "coupons": list(exhibition.coupons.all()), "preview": True,
        "ended": False, "upcoming": False,
    })


# --- Notices and FAQ -----------------------------------------------------------------------------

@require_GET
@console_permission_required(CHANGE_NOTICE)
def notice_list(request):
    return render(request, "console/marketing/notice_list.html", {
        "notices": Notice.objects.order_by("audience", "-is_pinned", "-published_at", "-id"),
        "faqs": Faq.objects.order_by("topic", "sort_order", "id"),
    })


def _simple_form(request, *, form_class, instance, save, kind, title):
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        html_field = "body_html" if "body_html" in data else "answer_html"
        html = data.pop(html_field)
        save(actor=request.user, **{html_field: html}, **{kind: instance}, **data)
        messages.success(request, _("Saved."))
        return redirect("console:marketing:notice_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "console/marketing/content_form.html", {
        "form": form, "object": instance, "kind": kind, "title": title,
        "back_url": "console:marketing:notice_list", "multipart": False,
    }, status=status)


@require_http_methods(["GET", "POST"])
@console_permission_required(CHANGE_NOTICE)
def notice_form(request, notice_id: int | None = None):
    notice = get_object_or_404(Notice, pk=notice_id) if notice_id else None
    return _simple_form(request, form_class=NoticeForm, instance=notice, save=cms.save_notice, kind="notice",
                        title=_("Notice"))


@require_http_methods(["GET", "POST"])
@console_permission_required(CHANGE_NOTICE)
def faq_form(request, faq_id: int | None = None):
    faq = get_object_or_404(Faq, pk=faq_id) if faq_id else None
    return _simple_form(request, form_class=FaqForm, instance=faq, save=cms.save_faq, kind="faq",
                        title=_("Frequently asked question"))


# --- Reports -------------------------------------------------------------------------------------

def _report_context(request) -> tuple[ReportFilterForm, selectors_reports.ReportFilters]:
    form = ReportFilterForm(request.GET or None)
    filters = form.filters() if request.GET else selectors_reports.default_filters()
    if not request.GET:
        form = ReportFilterForm(initial={"start": filters.start, "end": filters.end})
    return form, filters


STEP_LABELS = {
    "sessions": lambda: _("Visits"), "view_item": lambda: _("Product views"), "add_to_cart": lambda: _("Added to cart"),
    "begin_checkout": lambda: _("Checkout started"), "purchase": lambda: _("Orders placed"),
    "paid": lambda: _("Orders paid"),
}


@require_GET
@console_permission_required(VIEW_REPORTS)
def report_funnel(request):
    form, filters = _report_context(request)
    steps = selectors_reports.funnel(filters)
    for step in steps:
        step.label = STEP_LABELS[step.key]()
    days = selectors_reports.daily(filters)
    sources = selectors_reports.by_source(filters)
    devices = selectors_reports.by_source(filters, group=("device",))
    return render(request, "console/marketing/report_funnel.html", {
        "form": form, "filters": filters, "steps": steps, "sources": sources, "devices": devices,
        "funnel_chart": charts.bar_chart(
            [(step.label, step.count, f"{step.rate_from_previous}%" if step.rate_from_previous is not None else "")
             for step in steps], title=_("Funnel")),
        "daily_chart": charts.daily_chart(days, title=_("Visits and orders by day"), first_label=_("Visits"),
                                          second_label=pgettext("count", "Orders")),
    })


@require_GET
@console_permission_required(VIEW_REPORTS)
def report_searches(request):
    form, filters = _report_context(request)
    return render(request, "console/marketing/report_searches.html", {
        "form": form, "zero": selectors_reports.searches(filters, zero_only=True),
        "top": selectors_reports.searches(filters),
    })


@require_GET
@console_permission_required(VIEW_REPORTS)
def report_promotions(request):
    form, filters = _report_context(request)
    rows = selectors_reports.promotions(filters)
    return render(request, "console/marketing/report_promotions.html", {
        "form": form, "rows": rows,
        "chart": charts.bar_chart([(row["name"], row["clicks"], f"CTR {row['ctr']}%" if row["ctr"] is not None else "")
                                   for row in rows[:12]], title=_("Clicks by promotion")),
    })


@require_GET
@console_permission_required(VIEW_REPORTS)
def report_cohorts(request):
    cohorts = selectors_reports.repeat_cohorts()
    return render(request, "console/marketing/report_cohorts.html", {
        "cohorts": cohorts, "offsets": range(max((len(cohort["rates"]) for cohort in cohorts), default=0)),
    })


# --- Affiliates ------------------------------------------------------------------------------------

@require_GET
@console_permission_required(CHANGE_AFFILIATE)
def affiliate_list(request):
    status = request.GET.get("status", "")
    affiliates = Affiliate.objects.select_related("user").order_by("-created_at", "-id")
    if status in Affiliate.Status.values:
        affiliates = affiliates.filter(status=status)
    return render(request, "console/marketing/affiliate_list.html", {
        "affiliates": affiliates, "status": status, "statuses": Affiliate.Status.choices,
        "transitions": affiliate_services.AFFILIATE_TRANSITIONS,
        "rates": AffiliateCategoryRate.objects.select_related("category").order_by("category__path"),
        "rate_form": CategoryRateForm(), "default_rate": affiliate_services.default_rate_percent(),
    })


@require_GET
@console_permission_required(CHANGE_AFFILIATE)
def affiliate_detail(request, affiliate_id: int):
    """One affiliate: links and clicks, attributed orders (to the order page), the commission ledger
    (accrued, reversed, paid) and the monthly statements."""
    affiliate = get_object_or_404(Affiliate.objects.select_related("user", "decided_by"), pk=affiliate_id)
    return render(request, "console/marketing/affiliate_detail.html", {
        "affiliate": affiliate,
        "summary": selectors_affiliates.get_affiliate_summary(affiliate=affiliate),
        "links": selectors_affiliates.list_links_with_clicks(affiliate=affiliate),
        "clicks": selectors_affiliates.list_recent_clicks(affiliate=affiliate),
        "orders": selectors_affiliates.list_attributed_orders(affiliate=affiliate),
        "commissions": selectors_affiliates.list_commission_rows(affiliate=affiliate),
        "statements": selectors_affiliates.list_statements(affiliate=affiliate),
        "transitions": affiliate_services.AFFILIATE_TRANSITIONS.get(affiliate.status, ()),
    })


@require_POST
@console_permission_required(CHANGE_AFFILIATE)
def affiliate_decide(request, affiliate_id: int):
    form = AffiliateDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the application."))
    else:
        try:
            affiliate_services.decide_affiliate(affiliate_id=affiliate_id, to=form.cleaned_data["to"],
                                                actor=request.user, note=form.cleaned_data["note"])
        except Affiliate.DoesNotExist as error:
            raise Http404 from error
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Affiliate updated."))
    if request.POST.get("back") == "detail":
        return redirect("console:marketing:affiliate_detail", affiliate_id=affiliate_id)
    return redirect("console:marketing:affiliate_list")


@require_POST
@console_permission_required(CHANGE_AFFILIATE)
def affiliate_rate(request):
    category_id = request.POST.get("category", "")
    existing = (AffiliateCategoryRate.objects.filter(category_id=int(category_id)).first()
                if category_id.isdigit() and len(category_id) < 12 else None)
    form = CategoryRateForm(request.POST, instance=existing)
    if form.is_valid():
        form.save()
        messages.success(request, _("Commission rate saved."))
    else:
        messages.error(request, _("Choose a category and a rate between 0 and 50%."))
    return redirect("console:marketing:affiliate_list")


@require_http_methods(["GET", "POST"])
@console_permission_required(CHANGE_AFFILIATE)
def affiliate_statements(request):
    if request.method == "POST":
        form = MonthForm(request.POST)
        if form.is_valid():
            affiliate_services.accrue_commissions()
            made = affiliate_services.close_month(month=form.month_start())
            messages.success(request, _("%(count)d statements made.") % {"count": len(made)})
        else:
            messages.error(request, _("Choose a month."))
        return redirect("console:marketing:affiliate_statements")
    statements = AffiliateStatement.objects.select_related("affiliate").order_by("-month", "affiliate__name")[:200]
    return render(request, "console/marketing/affiliate_statements.html", {
        "statements": statements, "month_form": MonthForm(),
        "minimum": affiliate_services.minimum_payout(),
    })


@require_GET
@console_permission_required(CHANGE_AFFILIATE)
def affiliate_payout_file(request, year: int, month: int):
    from datetime import date

    if not (2000 <= year <= 2999 and 1 <= month <= 12):
        raise Http404
    content = affiliate_services.payout_workbook(month=date(year, month, 1))
    response = HttpResponse(content,
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="affiliate-payout-{year}-{month:02d}.xlsx"'
    return response
