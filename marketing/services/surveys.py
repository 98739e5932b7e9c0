"""The post-purchase survey: NPS (0–10) and two questions the operators edit.

One invitation per order, at its first purchase confirmation: ``invite_confirmed_orders`` (beat,
every ten minutes, and idempotent: the invitation is unique per order) mails the shopper and my page
lists it. Answering is once per invitation.
"""

import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.outbox import notify
from marketing.exceptions import MarketingError
from marketing.models import SurveyInvitation, SurveyResponse, SurveySettings

DEFAULT_QUESTIONS = (gettext_noop("What did you like most?"), gettext_noop("What should we do better?"))


class SurveyError(MarketingError):
    pass


def current_settings() -> SurveySettings:
    settings_row = SurveySettings.objects.order_by("pk").first()
    if settings_row is None:
        settings_row = SurveySettings.objects.create(question_1=_(DEFAULT_QUESTIONS[0]),
                                                     question_2=_(DEFAULT_QUESTIONS[1]))
    return settings_row


@transaction.atomic
def update_survey_settings(*, actor, question_1: str, question_2: str, is_active: bool) -> SurveySettings:
    if not (actor.is_staff and actor.has_perm("marketing.change_surveysettings")):
        raise SurveyError(_("You may not edit the survey."), code="forbidden")
    question_1, question_2 = (question_1 or "").strip(), (question_2 or "").strip()
    if not question_1 or not question_2:
        raise SurveyError(_("Write both questions."), code="questions")
    row = current_settings()
    row.question_1, row.question_2, row.is_active = question_1[:200], question_2[:200], bool(is_active)
    row.save()
    return row


def invite_confirmed_orders(*, limit: int = 500) -> int:
    """Invite the shopper of every order with a confirmed line and no invitation yet (once per order)."""
    from orders.models import Order, OrderLine

    if not current_settings().is_active:
        return 0
    order_ids = list(
        Order.objects.filter(lines__status=OrderLine.Status.CONFIRMED, user__isnull=False,
                             survey_invitation__isnull=True)
        .values_list("pk", flat=True).distinct()[:limit]
    )
    invited = 0
    for order in Order.objects.filter(pk__in=order_ids).select_related("user"):
        try:
            with transaction.atomic():
                invitation = SurveyInvitation.objects.create(order=order, user=order.user,
                                                             token=secrets.token_hex(16))
                notify(event="survey.invited", key=order.number, email=order.user.email,
                       context={"invitation": invitation, "order": order, "site_url": settings.SITE_URL}, subject_object=invitation)
        except IntegrityError:
            continue  # invited meanwhile
        invited += 1
    return invited


@transaction.atomic
def answer_survey(*, token: str, user, nps, answer_1: str = "", answer_2: str = "", comment: str = "") -> SurveyResponse:
    invitation = SurveyInvitation.objects.select_for_update().filter(token=token).first()
    if invitation is None or invitation.user_id != getattr(user, "pk", None):
        raise SurveyError(_("This survey does not exist."), code="missing")
    if invitation.answered_at is not None:
        raise SurveyError(_("You have already answered this survey. Thank you!"), code="answered")
    try:
        nps = int(nps)
    except (TypeError, ValueError):
        nps = -1
    if not 0 <= nps <= 10:
        raise SurveyError(_("Choose a score from 0 to 10."), code="nps")
    questions = current_settings()
    response = SurveyResponse.objects.create(
        invitation=invitation, nps=nps, question_1=questions.question_1, answer_1=(answer_1 or "").strip()[:1000],
        question_2=questions.question_2, answer_2=(answer_2 or "").strip()[:1000],
        comment=(comment or "").strip()[:2000],
    )
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["answered_at"])
    return response
