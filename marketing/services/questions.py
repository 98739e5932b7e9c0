"""Product Q&A (상품문의): signed-in shoppers ask, optionally secret; the seller answers in the portal.

A secret question is readable by its asker, the seller's staff and operators only. A question
unanswered for QUESTION_ANSWER_BUSINESS_DAYS business days counts toward the seller's penalties.
"""

from datetime import datetime, time

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import is_operator
from core.outbox import notify
from marketing.exceptions import MarketingError
from marketing.models import AnswerTemplate, ProductQuestion


class QuestionError(MarketingError):
    pass


def add_business_days_at(moment: datetime, days: int) -> datetime:
    """``moment`` plus ``days`` business days (weekends skipped), same time of day."""
    from orders.services.fulfilment import add_business_days

    local = timezone.localtime(moment)
    day = add_business_days(local.date(), days)
    return timezone.make_aware(datetime.combine(day, time(local.hour, local.minute, local.second)))


def can_read(question: ProductQuestion, viewer) -> bool:
    if not question.is_secret:
        return True
    if not getattr(viewer, "is_authenticated", False):
        return False
    if question.user_id == viewer.pk or is_operator(viewer):
        return True
    from partners.portal import staff_of

    staff = staff_of(viewer)
    return staff is not None and staff.seller_id == question.seller_id


def can_answer(question: ProductQuestion, actor) -> bool:
    if is_operator(actor) and actor.has_perm("marketing.change_productquestion"):
        return True
    from partners.portal import Area, can, staff_of

    staff = staff_of(actor)
    return staff is not None and staff.seller_id == question.seller_id and can(staff, Area.ORDERS, write=True)


@transaction.atomic
def ask_question(*, product, user, body: str, is_secret: bool = False) -> ProductQuestion:
    body = (body or "").strip()
    if not getattr(user, "is_authenticated", False):
        raise QuestionError(_("Log in to ask a question."), code="login")
    if not 5 <= len(body) <= 1000:
        raise QuestionError(_("Write your question in 5 to 1,000 characters."), code="body")
    question = ProductQuestion.objects.create(product=product, seller_id=product.seller_id, user=user,
                                              body=body, is_secret=bool(is_secret))
    seller = product.seller
    notify(event="question.asked", key=f"q{question.pk}", email=seller.contact_email,
           context={"question": question, "product": product, "seller": seller, "site_url": settings.SITE_URL}, subject_object=question)
    return question


@transaction.atomic
def answer_question(*, question_id: int, actor, body: str) -> ProductQuestion:
    """The seller's staff (orders/CS right) or an operator answers once; the shopper is told."""
    body = (body or "").strip()
    question = ProductQuestion.objects.select_for_update().select_related("product", "user").filter(
        pk=question_id).first()
    if question is None:
        raise QuestionError(_("This question does not exist."), code="missing")
    if not can_answer(question, actor):
        raise QuestionError(_("You may not answer this question."), code="forbidden")
    if question.answered_at is not None:
        raise QuestionError(_("This question has already been answered."), code="answered")
    if not 2 <= len(body) <= 2000:
        raise QuestionError(_("Write an answer of 2 to 2,000 characters."), code="body")
    question.answer, question.answered_at, question.answered_by = body, timezone.now(), actor
    question.save(update_fields=["answer", "answered_at", "answered_by", "updated_at"])
    notify(event="question.answered", key=f"q{question.pk}", email=question.user.email,
           phone=getattr(question.user, "phone", "") or "",
           context={"question": question, "product": question.product}, subject_object=question)
    return question


def overdue_cutoff(now=None) -> datetime:
    """Questions asked before this moment and still unanswered are overdue (business days back)."""
    now = timezone.localtime(now or timezone.now())
    day, days = now.date(), settings.QUESTION_ANSWER_BUSINESS_DAYS
    from datetime import timedelta

    while days > 0:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return timezone.make_aware(datetime.combine(day, now.time()))


def overdue_questions(*, seller, now=None, since=None):
    """Unanswered questions of ``seller`` older than the answer deadline (penalty facts)."""
    queryset = ProductQuestion.objects.filter(seller=seller, answered_at__isnull=True, is_hidden=False,
                                              created_at__lt=overdue_cutoff(now))
    if since is not None:
        queryset = queryset.filter(created_at__gte=since)
    return queryset


@transaction.atomic
def save_answer_template(*, actor, seller, title: str, body: str, template_id: int | None = None) -> AnswerTemplate:
    """A saved answer of ``seller`` (or of the shop when ``seller`` is None: operators)."""
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise QuestionError(_("Give the template a title and a text."), code="template")
    if template_id:
        template = AnswerTemplate.objects.select_for_update().filter(pk=template_id, seller=seller).first()
        if template is None:
            raise QuestionError(_("This template does not exist."), code="missing")
        template.title, template.body = title[:60], body[:2000]
        template.save(update_fields=["title", "body", "updated_at"])
        return template
    return AnswerTemplate.objects.create(seller=seller, title=title[:60], body=body[:2000])
