"""VOC in the seller center: product questions (with saved answers), reviews (one public reply each),
and the 1:1 inquiries the shop escalated to this seller. Everything is scoped by request.seller:
another seller's question, review or inquiry is a 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from marketing.exceptions import MarketingError
from marketing.models import AnswerTemplate, Inquiry, ProductQuestion, Review
from marketing.services import inquiries as inquiry_services
from marketing.services import questions as question_services
from marketing.services import reviews as review_services
from partners.portal import Area, portal_view

PER_PAGE = 20


@portal_view(Area.ORDERS)
def question_list(request):
    tab = request.GET.get("tab", "waiting")
    queryset = ProductQuestion.objects.filter(seller=request.seller, is_hidden=False).select_related("product", "user")
    if tab == "waiting":
        queryset = queryset.filter(answered_at__isnull=True).order_by("created_at", "id")
    else:
        tab = "all"
        queryset = queryset.order_by("-created_at", "-id")
    return render(request, "partner/voc/question_list.html", {
        "page": Paginator(queryset, PER_PAGE).get_page(request.GET.get("page")), "tab": tab,
        "overdue_before": question_services.overdue_cutoff(), "now": timezone.now(),
        "templates": AnswerTemplate.objects.filter(seller=request.seller),
        "waiting": ProductQuestion.objects.filter(seller=request.seller, answered_at__isnull=True,
                                                  is_hidden=False).count(),
    })


@portal_view(Area.ORDERS)
@require_POST
def question_answer(request, question_id: int):
    question = get_object_or_404(ProductQuestion, pk=question_id, seller=request.seller)
    try:
        question_services.answer_question(question_id=question.pk, actor=request.user, body=request.POST.get("body", ""))
        messages.success(request, _("The answer was posted and the shopper told."))
    except MarketingError as error:
        messages.error(request, error.message)
    return redirect("partner:voc:question_list")


@portal_view(Area.ORDERS)
@require_http_methods(["GET", "POST"])
def answer_templates(request):
    if request.method == "POST":
        try:
            question_services.save_answer_template(actor=request.user, seller=request.seller,
                                                   title=request.POST.get("title", ""), body=request.POST.get("body", ""))
            messages.success(request, _("Template saved."))
        except MarketingError as error:
            messages.error(request, error.message)
        return redirect("partner:voc:answer_templates")
    return render(request, "partner/voc/answer_templates.html", {
        "templates": AnswerTemplate.objects.filter(seller=request.seller)})


@portal_view(Area.ORDERS)
def review_list(request):
    queryset = (Review.objects.filter(seller=request.seller, status=Review.Status.PUBLISHED)
                .select_related("product", "user").prefetch_related("photos").order_by("-created_at", "-id"))
    if request.GET.get("tab") == "unreplied":
        queryset = queryset.filter(replied_at__isnull=True)
    return render(request, "partner/voc/review_list.html", {
        "page": Paginator(queryset, PER_PAGE).get_page(request.GET.get("page")), "tab": request.GET.get("tab", "all")})


@portal_view(Area.ORDERS)
@require_POST
def review_reply(request, review_id: int):
    review = get_object_or_404(Review, pk=review_id, seller=request.seller)
    try:
        review_services.reply_to_review(review_id=review.pk, actor=request.user, body=request.POST.get("body", ""))
        messages.success(request, _("Your reply is public on the product page."))
    except MarketingError as error:
        messages.error(request, error.message)
    return redirect("partner:voc:review_list")


@portal_view(Area.ORDERS)
def inquiry_list(request):
    queryset = (Inquiry.objects.filter(escalated_seller=request.seller).select_related("user", "order", "line")
                .order_by("-last_message_at", "-id"))
    return render(request, "partner/voc/inquiry_list.html", {
        "page": Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))})


@portal_view(Area.ORDERS)
@require_http_methods(["GET", "POST"])
def inquiry_detail(request, inquiry_id: int):
    inquiry = get_object_or_404(Inquiry.objects.select_related("user", "order", "line"), pk=inquiry_id,
                                escalated_seller=request.seller)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "note":
                inquiry_services.add_internal_note(inquiry_id=inquiry.pk, actor=request.user,
                                                   body=request.POST.get("body", ""))
                messages.success(request, _("Note added."))
            else:
                inquiry_services.answer_inquiry(inquiry_id=inquiry.pk, actor=request.user,
                                                body=request.POST.get("body", ""))
                messages.success(request, _("The answer was sent to the shopper."))
        except MarketingError as error:
            messages.error(request, error.message)
        return redirect("partner:voc:inquiry_detail", inquiry_id=inquiry.pk)
    return render(request, "partner/voc/inquiry_detail.html", {
        "inquiry": inquiry, "thread": inquiry.messages.select_related("author"),
        "attachments": inquiry.attachments.all(),
        "templates": AnswerTemplate.objects.filter(seller=request.seller),
    })
