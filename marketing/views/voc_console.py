"""VOC in the console: review moderation, product questions, the 1:1 inquiry queue, the survey."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import DomainError
from core.views_console import console_permission_required
from marketing import selectors_voc as selectors
from marketing.exceptions import MarketingError
from marketing.models import AnswerTemplate, Inquiry, ProductQuestion, Review, SurveyResponse
from marketing.services import inquiries as inquiry_services
from marketing.services import questions as question_services
from marketing.services import reviews as review_services
from marketing.services import surveys as survey_services

PER_PAGE = 30


def _page(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


@console_permission_required("marketing.view_review")
@require_GET
def review_list(request):
    tab = request.GET.get("tab", "reported")
    queryset = Review.objects.select_related("product", "user", "seller").order_by("-created_at", "-id")
    if tab == "reported":
        queryset = queryset.filter(report_count__gt=0, status=Review.Status.PUBLISHED).order_by("-report_count", "-id")
    elif tab == "hidden":
        queryset = queryset.filter(status=Review.Status.HIDDEN)
    else:
        tab = "all"
    return render(request, "console/voc/review_list.html", {"page": _page(request, queryset), "tab": tab})


@console_permission_required("marketing.change_review")
@require_POST
def review_visibility(request, review_id: int):
    hidden = request.POST.get("hidden") == "1"
    get_object_or_404(Review, pk=review_id)
    try:
        review_services.set_review_visibility(review_id=review_id, actor=request.user, hidden=hidden,
                                              reason=request.POST.get("reason", ""))
        messages.success(request, _("The review is hidden.") if hidden else _("The review is shown again."))
    except DomainError as error:  # the service's refusals and a move the table does not allow
        messages.error(request, error.message)
    tab = request.POST.get("tab", "")
    return redirect(f"{reverse('console:voc:review_list')}?tab={tab if tab in ('reported', 'hidden', 'all') else 'all'}")


@console_permission_required("marketing.view_productquestion")
@require_GET
def question_list(request):
    tab = request.GET.get("tab", "waiting")
    queryset = ProductQuestion.objects.select_related("product", "user", "seller")
    if tab == "waiting":
        queryset = queryset.filter(answered_at__isnull=True).order_by("created_at", "id")
    else:
        tab = "all"
        queryset = queryset.order_by("-created_at", "-id")
    return render(request, "console/voc/question_list.html", {
        "page": _page(request, queryset), "tab": tab, "overdue_before": question_services.overdue_cutoff()})


@console_permission_required("marketing.change_productquestion")
@require_POST
def question_answer(request, question_id: int):
    try:
        question_services.answer_question(question_id=question_id, actor=request.user, body=request.POST.get("body", ""))
        messages.success(request, _("The answer was posted and the shopper told."))
    except MarketingError as error:
        messages.error(request, error.message)
    return redirect("console:voc:question_list")


@console_permission_required("marketing.view_inquiry")
@require_GET
def inquiry_list(request):
    status = request.GET.get("status", "new")
    overdue_only = request.GET.get("overdue") == "1"
    mine = request.GET.get("mine") == "1"
    queryset = selectors.inquiry_queue(status="" if status == "all" else status, overdue_only=overdue_only,
                                       assignee=request.user if mine else None)
    return render(request, "console/voc/inquiry_list.html", {
        "page": _page(request, queryset), "status": status, "overdue_only": overdue_only, "mine": mine,
        "counts": selectors.inquiry_counts(), "now": timezone.now(),
        "tabs": [("new", pgettext("inquiry status", "New")), ("in_progress", _("In progress")), ("answered", _("Answered")),
                 ("closed", _("Closed")), ("all", _("All"))],
    })


@console_permission_required("marketing.view_inquiry")
@require_http_methods(["GET", "POST"])
def inquiry_detail(request, inquiry_id: int):
    inquiry = get_object_or_404(Inquiry.objects.select_related("user", "order", "line", "assignee", "escalated_seller"),
                                pk=inquiry_id)
    if request.method == "POST":
        if not request.user.has_perm("marketing.change_inquiry"):
            messages.error(request, _("You may not work on inquiries."))
            return redirect("console:voc:inquiry_detail", inquiry_id=inquiry.pk)
        action = request.POST.get("action")
        body = request.POST.get("body", "")
        try:
            if action == "assign":
                assignee = get_object_or_404(get_user_model(), pk=request.POST.get("assignee") or request.user.pk,
                                             is_staff=True)
                inquiry_services.assign_inquiry(inquiry_id=inquiry.pk, actor=request.user, assignee=assignee)
                messages.success(request, _("Assigned."))
            elif action == "answer":
                inquiry_services.answer_inquiry(inquiry_id=inquiry.pk, actor=request.user, body=body)
                messages.success(request, _("The answer was sent to the shopper."))
            elif action == "note":
                inquiry_services.add_internal_note(inquiry_id=inquiry.pk, actor=request.user, body=body)
                messages.success(request, _("Note added."))
            elif action == "escalate":
                inquiry_services.escalate_to_seller(inquiry_id=inquiry.pk, actor=request.user, note=body)
                messages.success(request, _("The seller was asked to answer."))
            elif action == "close":
                inquiry_services.close_inquiry(inquiry_id=inquiry.pk, actor=request.user)
                messages.success(request, _("The inquiry is closed."))
            else:
                messages.error(request, _("Unknown action."))
        except MarketingError as error:
            messages.error(request, error.message)
        return redirect("console:voc:inquiry_detail", inquiry_id=inquiry.pk)
    return render(request, "console/voc/inquiry_detail.html", {
        "inquiry": inquiry, "thread": inquiry.messages.select_related("author"),
        "attachments": inquiry.attachments.all(), "now": timezone.now(),
        "templates": AnswerTemplate.objects.filter(seller__isnull=True),
        "operators": get_user_model().objects.filter(is_staff=True, is_active=True).order_by("name")[:100],
    })


@console_permission_required("marketing.change_inquiry")
@require_http_methods(["GET", "POST"])
def answer_templates(request):
    if request.method == "POST":
        try:
            question_services.save_answer_template(actor=request.user, seller=None, title=request.POST.get("title", ""),
                                                   body=request.POST.get("body", ""))
            messages.success(request, _("Template saved."))
        except MarketingError as error:
            messages.error(request, error.message)
        return redirect("console:voc:answer_templates")
    return render(request, "console/voc/answer_templates.html", {
        "templates": AnswerTemplate.objects.filter(seller__isnull=True)})


def _chart(points: list[tuple[str, int | None]], *, low: int = -100, high: int = 100) -> dict:
    """An SVG polyline for NPS by month, drawn on the server (no chart library)."""
    width, height, pad = 640, 200, 28
    usable = [(label, value) for label, value in points if value is not None]
    if not usable:
        return {"points": "", "labels": [], "width": width, "height": height}
    step = (width - 2 * pad) / max(1, len(usable) - 1)
    coordinates, labels = [], []
    for index, (label, value) in enumerate(usable):
        x = pad + index * step
        y = pad + (high - value) * (height - 2 * pad) / (high - low)
        coordinates.append(f"{x:.1f},{y:.1f}")
        labels.append({"x": round(x, 1), "y": round(y, 1), "label": label, "value": value})
    zero = pad + high * (height - 2 * pad) / (high - low)
    return {"points": " ".join(coordinates), "labels": labels, "width": width, "height": height, "zero": round(zero, 1)}


@console_permission_required("marketing.view_surveyresponse")
@require_http_methods(["GET", "POST"])
def survey_report(request):
    if request.method == "POST":
        try:
            survey_services.update_survey_settings(
                actor=request.user, question_1=request.POST.get("question_1", ""),
                question_2=request.POST.get("question_2", ""), is_active=request.POST.get("is_active") == "on")
            messages.success(request, _("Survey questions saved."))
        except MarketingError as error:
            messages.error(request, error.message)
        return redirect("console:voc:survey_report")
    by_month = selectors.nps_by_month()
    comments = (SurveyResponse.objects.exclude(Q(comment="") & Q(answer_1="") & Q(answer_2=""))
                .select_related("invitation__order").order_by("-created_at")[:30])
    return render(request, "console/voc/survey_report.html", {
        "overall": selectors.nps_of(SurveyResponse.objects.all()), "by_month": by_month,
        "chart": _chart([(row["month"].strftime("%Y.%m"), row["score"]) for row in by_month]),
        "by_seller": selectors.nps_by_seller(), "by_category": selectors.nps_by_category(),
        "comments": comments, "settings_row": survey_services.current_settings(),
    })
