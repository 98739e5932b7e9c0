"""The shopper's side of VOC: reviews and Q&A on the product page, my reviews, 1:1 inquiries, the survey."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import is_operator
from marketing import selectors_voc as selectors
from marketing.exceptions import MarketingError
from marketing.forms_voc import InquiryForm, MessageForm, QuestionForm, ReviewForm, SurveyForm
from marketing.models import Inquiry, InquiryAttachment, SurveyInvitation
from marketing.services import inquiries as inquiry_services
from marketing.services import questions as question_services
from marketing.services import reviews as review_services
from marketing.services import surveys as survey_services


def _visible_product(product_id: int):
    from catalog.selectors import visible_products

    product = visible_products().select_related("seller").filter(pk=product_id).first()
    if product is None:
        raise Http404
    return product


def _int(value, default: int = 1) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


@require_GET
def product_reviews(request, product_id: int):
    """The reviews of a product: summary, sort, filters, paging. ``?fragment=1`` for the product page."""
    product = _visible_product(product_id)
    sort = request.GET.get("sort", "photo")
    if sort not in selectors.SORTS:
        sort = "photo"
    option = request.GET.get("option", "")[:120]
    photos_only = request.GET.get("photos") == "1"
    context = {
        "product": product, "sort": sort, "option": option, "photos_only": photos_only,
        "summary": selectors.get_review_summary(product_id=product.pk),
        "options": selectors.list_review_options(product_id=product.pk),
        "page": selectors.list_product_reviews(product_id=product.pk, sort=sort, option=option,
                                               photos_only=photos_only, page=_int(request.GET.get("page")),
                                               viewer=request.user),
        "sorts": [("photo", _("Photo reviews first")), ("newest", _("Newest")), ("highest", _("Highest rating")),
                  ("lowest", _("Lowest rating")), ("helpful", _("Most helpful"))],
    }
    template = "shop/voc/_reviews.html" if request.GET.get("fragment") == "1" else "shop/voc/reviews.html"
    return render(request, template, context)


@require_POST
def review_helpful(request, review_id: int):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.POST.get('next', '/')}")
    try:
        if review_services.vote_helpful(review_id=review_id, user=request.user):
            messages.success(request, _("Thank you: you found this review helpful."))
        else:
            messages.info(request, _("You have already voted for this review."))
    except MarketingError as error:
        messages.error(request, error.message)
    return _back(request)


@require_POST
def review_report(request, review_id: int):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.POST.get('next', '/')}")
    try:
        if review_services.report_review(review_id=review_id, user=request.user, reason=request.POST.get("reason", "")):
            messages.success(request, _("Thank you. The shop will look at this review."))
        else:
            messages.info(request, _("You have already reported this review."))
    except MarketingError as error:
        messages.error(request, error.message)
    return _back(request)


def _back(request):
    """Back to the page the form was on: a path of this shop only, never a view name or another host."""
    from django.http import HttpResponseRedirect
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or ""
    if not (target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})):
        target = reverse("shop:home")
    return HttpResponseRedirect(target)


@require_http_methods(["GET", "POST"])
def product_questions(request, product_id: int):
    """Q&A of a product; signed-in shoppers ask here (secret or not)."""
    product = _visible_product(product_id)
    form = QuestionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        if form.is_valid():
            try:
                question_services.ask_question(product=product, user=request.user, body=form.cleaned_data["body"],
                                               is_secret=form.cleaned_data["is_secret"])
            except MarketingError as error:
                form.add_error("body", error.message)
            else:
                messages.success(request, _("Your question was sent to the seller."))
                return redirect(reverse("shop:product_questions", args=[product.pk]))
        status = 400
    context = {"product": product, "form": form, "mine": request.GET.get("mine") == "1",
               "page": selectors.list_product_questions(product_id=product.pk, viewer=request.user,
                                                        page=_int(request.GET.get("page")),
                                                        mine=request.GET.get("mine") == "1")}
    template = "shop/voc/_questions.html" if request.GET.get("fragment") == "1" else "shop/voc/questions.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
def my_reviews(request):
    return render(request, "shop/voc/my_reviews.html", {
        "reviewable": selectors.list_reviewable_lines(user=request.user),
        "reviews": selectors.list_my_reviews(user=request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def write_review(request, line_id: int):
    from orders.models import OrderLine

    line = get_object_or_404(OrderLine.objects.select_related("order", "product"), pk=line_id,
                             order__user=request.user)
    problem = review_services.review_problem(line, user=request.user)
    form = ReviewForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and not problem:
        if form.is_valid():
            try:
                review = review_services.write_review(
                    line_id=line.pk, user=request.user, rating=form.cleaned_data["rating"],
                    body=form.cleaned_data["body"], photos=form.cleaned_data["photos"])
            except MarketingError as error:
                form.add_error(None, error.message)
            else:
                if review.reward_amount:
                    messages.success(request, _("Thank you for your review! %(amount)s points were added.") % {
                        "amount": f"{review.reward_amount:,}"})
                else:
                    messages.success(request, _("Thank you for your review!"))
                return redirect("shop:my_reviews")
        status = 400
    return render(request, "shop/voc/write_review.html", {
        "line": line, "form": form, "problem": problem,
        "reward_text": review_services.reward_for(has_photos=False),
        "reward_photo": review_services.reward_for(has_photos=True),
    }, status=status)


def _my_lines(user):
    from orders.models import OrderLine

    return (OrderLine.objects.filter(order__user=user).exclude(status=OrderLine.Status.PENDING_PAYMENT)
            .select_related("order").order_by("-order__created_at", "id")[:50])


@login_required
@require_GET
def inquiry_list(request):
    inquiries = Inquiry.objects.filter(user=request.user).order_by("-created_at")[:100]
    return render(request, "shop/voc/inquiry_list.html", {"inquiries": inquiries})


@login_required
@require_http_methods(["GET", "POST"])
def inquiry_new(request):
    from orders.models import OrderLine

    lines = list(_my_lines(request.user))
    initial = {}
    if request.GET.get("line"):
        initial = {"order_line": next((f"{line.order_id}:{line.pk}" for line in lines
                                       if str(line.pk) == request.GET["line"]), ""), "category": "order"}
    form = InquiryForm(request.POST or None, request.FILES or None, lines=lines, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            order = line = None
            if form.cleaned_data["order_line"]:
                _order_id, line_id = form.cleaned_data["order_line"].split(":")
                line = OrderLine.objects.select_related("order").get(pk=int(line_id), order__user=request.user)
                order = line.order
            try:
                inquiry = inquiry_services.open_inquiry(
                    user=request.user, category=form.cleaned_data["category"], title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"], order=order, line=line, files=form.cleaned_data["files"])
            except MarketingError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your inquiry was sent. We answer within one business day."))
                return redirect("shop:inquiry_detail", number=inquiry.number)
        status = 400
    return render(request, "shop/voc/inquiry_new.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def inquiry_detail(request, number: str):
    inquiry = get_object_or_404(Inquiry.objects.select_related("order", "line"), number=number, user=request.user)
    form = MessageForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "close":
            try:
                inquiry_services.close_inquiry(inquiry_id=inquiry.pk, actor=request.user)
                messages.success(request, _("The inquiry is closed."))
            except MarketingError as error:
                messages.error(request, error.message)
            return redirect("shop:inquiry_detail", number=number)
        if form.is_valid():
            try:
                inquiry_services.reply_as_shopper(inquiry_id=inquiry.pk, user=request.user,
                                                  body=form.cleaned_data["body"])
            except MarketingError as error:
                form.add_error("body", error.message)
            else:
                messages.success(request, _("Your message was sent."))
                return redirect("shop:inquiry_detail", number=number)
        status = 400
    thread = inquiry.messages.filter(is_internal=False).select_related("author")
    return render(request, "shop/voc/inquiry_detail.html", {
        "inquiry": inquiry, "thread": thread, "form": form, "attachments": inquiry.attachments.all(),
    }, status=status)


@login_required
def inquiry_attachment(request, attachment_id: int):
    """A private attachment: the shopper who sent it, operators with inquiry rights, the escalated seller."""
    from partners.portal import staff_of

    attachment = InquiryAttachment.objects.select_related("inquiry").filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    inquiry, user = attachment.inquiry, request.user
    staff = staff_of(user)
    allowed = (inquiry.user_id == user.pk or (is_operator(user) and user.has_perm("marketing.view_inquiry"))
               or (staff is not None and inquiry.escalated_seller_id == staff.seller_id))
    if not allowed:
        raise Http404
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def survey(request, token: str):
    invitation = SurveyInvitation.objects.select_related("order").filter(token=token, user=request.user).first()
    if invitation is None:
        raise Http404
    questions = survey_services.current_settings()
    form = SurveyForm(request.POST or None)
    form.fields["answer_1"].label = questions.question_1
    form.fields["answer_2"].label = questions.question_2
    status = 200
    if request.method == "POST" and invitation.answered_at is None:
        if form.is_valid():
            try:
                survey_services.answer_survey(token=token, user=request.user, **form.cleaned_data)
            except MarketingError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Thank you for answering the survey!"))
                return redirect("accounts:mypage")
        status = 400
    return render(request, "shop/voc/survey.html", {"invitation": invitation, "form": form}, status=status)
