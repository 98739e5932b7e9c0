"""1:1 inquiries (1:1 문의): the shopper writes from my page; operators work the queue.

Statuses: new → in progress (assigned) → answered ⇄ in progress (the shopper writes again) → closed.
The first answer is due INQUIRY_FIRST_ANSWER_BUSINESS_DAYS business days after the question (SLA).
Order-related inquiries can be escalated to the line's seller, whose staff then answer in the portal.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import is_operator
from core.outbox import notify
from core.storage import private_storage  # noqa: F401  (attachments live in private storage)
from core.transitions import move
from marketing.exceptions import MarketingError
from marketing.models import Inquiry, InquiryAttachment, InquiryMessage

from .questions import add_business_days_at

S = Inquiry.Status
ALLOWED = {
    S.NEW: {S.IN_PROGRESS, S.ANSWERED, S.CLOSED},
    S.IN_PROGRESS: {S.ANSWERED, S.CLOSED},
    S.ANSWERED: {S.IN_PROGRESS, S.CLOSED},
    S.CLOSED: set(),
}
MAX_ATTACHMENTS = 3
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class InquiryError(MarketingError):
    pass


def _check_attachment(uploaded) -> tuple[str, str]:
    """(content type, extension) by content: a JPEG/PNG/WebP/GIF image or a PDF."""
    from catalog.exceptions import InvalidImage
    from catalog.services.images import ACCEPTED_FORMATS, check_image_file

    if uploaded.size > MAX_ATTACHMENT_BYTES:
        raise InquiryError(_("Each file may be at most 10 MB."), code="size")
    uploaded.seek(0)
    head = uploaded.read(5)
    uploaded.seek(0)
    if head == b"%PDF-":
        return "application/pdf", "pdf"
    try:
        image_format, _width, _height = check_image_file(uploaded)
    except InvalidImage:
        raise InquiryError(_("Attach photos (JPEG, PNG, WebP, GIF) or PDF files only."), code="file") from None
    extension = ACCEPTED_FORMATS[image_format]
    return f"image/{'jpeg' if extension == 'jpg' else extension}", extension


def _number() -> str:
    from orders.services.checkout import next_daily_value

    day, value = next_daily_value("inquiry")
    return f"Q{day:%Y%m%d}-{value:05d}"


def _seller_staff(actor, inquiry: Inquiry):
    from partners.portal import Area, can, staff_of

    staff = staff_of(actor)
    if staff is not None and inquiry.escalated_seller_id == staff.seller_id and can(staff, Area.ORDERS, write=True):
        return staff
    return None


def is_cs(actor) -> bool:
    return is_operator(actor) and actor.has_perm("marketing.change_inquiry")


@transaction.atomic
def open_inquiry(*, user, category: str, title: str, body: str, order=None, line=None, files=()) -> Inquiry:
    """The shopper's new inquiry (files checked first: all stored or none)."""
    title, body = (title or "").strip(), (body or "").strip()
    if category not in Inquiry.Category.values:
        raise InquiryError(_("Choose what your inquiry is about."), code="category")
    if not title or len(title) > 100:
        raise InquiryError(_("Write a title of at most 100 characters."), code="title")
    if not 5 <= len(body) <= 4000:
        raise InquiryError(_("Write your inquiry in 5 to 4,000 characters."), code="body")
    if order is not None and order.user_id != user.pk:
        raise InquiryError(_("Choose one of your own orders."), code="order")
    if line is not None and (order is None or line.order_id != order.pk):
        raise InquiryError(_("Choose a product of that order."), code="line")
    files = list(files)
    if len(files) > MAX_ATTACHMENTS:
        raise InquiryError(_("Attach at most %(max)d files.") % {"max": MAX_ATTACHMENTS}, code="files")
    checked = [_check_attachment(uploaded) for uploaded in files]
    now = timezone.now()
    inquiry = Inquiry.objects.create(
        number=_number(), user=user, category=category, title=title, order=order, line=line,
        first_answer_due_at=add_business_days_at(now, settings.INQUIRY_FIRST_ANSWER_BUSINESS_DAYS),
        last_message_at=now,
    )
    InquiryMessage.objects.create(inquiry=inquiry, author=user, author_kind=InquiryMessage.Author.SHOPPER, body=body)
    for uploaded, (content_type, extension) in zip(files, checked, strict=True):
        attachment = InquiryAttachment(inquiry=inquiry, content_type=content_type,
                                       original_name=(uploaded.name or "file")[:120])
        attachment.file.save(f"{inquiry.number}-{len(checked)}-{extension}.{extension}", uploaded, save=False)
        attachment.save()
    return inquiry


def _locked(inquiry_id: int) -> Inquiry:
    inquiry = Inquiry.objects.select_for_update(of=("self",)).select_related("user").filter(pk=inquiry_id).first()
    if inquiry is None:
        raise InquiryError(_("This inquiry does not exist."), code="missing")
    return inquiry


@transaction.atomic
def assign_inquiry(*, inquiry_id: int, actor, assignee) -> Inquiry:
    if not is_cs(actor) or not is_operator(assignee):
        raise InquiryError(_("You may not assign this inquiry."), code="forbidden")
    inquiry = _locked(inquiry_id)
    inquiry.assignee = assignee
    if inquiry.status == S.NEW:
        move(inquiry, to=S.IN_PROGRESS, table=ALLOWED, actor=actor,
             reason=_("Assigned to %(name)s") % {"name": assignee.name}, extra_update_fields=("assignee",))
    else:
        inquiry.save(update_fields=["assignee", "updated_at"])
    return inquiry


@transaction.atomic
def answer_inquiry(*, inquiry_id: int, actor, body: str) -> InquiryMessage:
    """An operator (or the escalated seller's staff) answers; the shopper is told by mail and 알림톡."""
    body = (body or "").strip()
    inquiry = _locked(inquiry_id)
    seller_staff = _seller_staff(actor, inquiry)
    if not (is_cs(actor) or seller_staff):
        raise InquiryError(_("You may not answer this inquiry."), code="forbidden")
    if inquiry.status == S.CLOSED:
        raise InquiryError(_("This inquiry is closed."), code="closed")
    if not 2 <= len(body) <= 4000:
        raise InquiryError(_("Write an answer of 2 to 4,000 characters."), code="body")
    now = timezone.now()
    message = InquiryMessage.objects.create(
        inquiry=inquiry, author=actor, body=body,
        author_kind=InquiryMessage.Author.SELLER if seller_staff else InquiryMessage.Author.OPERATOR)
    inquiry.last_message_at = now
    fields = ["last_message_at"]
    if inquiry.first_answered_at is None:
        inquiry.first_answered_at = now
        fields.append("first_answered_at")
    move(inquiry, to=S.ANSWERED, table=ALLOWED, actor=actor, reason=_("Answered"), extra_update_fields=tuple(fields))
    notify(event="inquiry.answered", key=f"{inquiry.number}:{message.pk}", email=inquiry.user.email,
           phone=getattr(inquiry.user, "phone", "") or "", context={"inquiry": inquiry, "message": message},
           subject_object=inquiry)
    return message


@transaction.atomic
def add_internal_note(*, inquiry_id: int, actor, body: str) -> InquiryMessage:
    body = (body or "").strip()
    inquiry = _locked(inquiry_id)
    seller_staff = _seller_staff(actor, inquiry)
    if not (is_cs(actor) or seller_staff):
        raise InquiryError(_("You may not write on this inquiry."), code="forbidden")
    if not body:
        raise InquiryError(_("Write a note."), code="body")
    return InquiryMessage.objects.create(
        inquiry=inquiry, author=actor, body=body[:4000], is_internal=True,
        author_kind=InquiryMessage.Author.SELLER if seller_staff else InquiryMessage.Author.OPERATOR)


@transaction.atomic
def reply_as_shopper(*, inquiry_id: int, user, body: str) -> InquiryMessage:
    body = (body or "").strip()
    inquiry = _locked(inquiry_id)
    if inquiry.user_id != user.pk:
        raise InquiryError(_("This inquiry does not exist."), code="missing")
    if inquiry.status == S.CLOSED:
        raise InquiryError(_("This inquiry is closed. Please write a new one."), code="closed")
    if not 2 <= len(body) <= 4000:
        raise InquiryError(_("Write your message in 2 to 4,000 characters."), code="body")
    message = InquiryMessage.objects.create(inquiry=inquiry, author=user, body=body,
                                            author_kind=InquiryMessage.Author.SHOPPER)
    inquiry.last_message_at = timezone.now()
    if inquiry.status == S.ANSWERED:
        move(inquiry, to=S.IN_PROGRESS, table=ALLOWED, actor=user, reason=_("The shopper wrote again"),
             extra_update_fields=("last_message_at",))
    else:
        inquiry.save(update_fields=["last_message_at", "updated_at"])
    return message


@transaction.atomic
def close_inquiry(*, inquiry_id: int, actor) -> Inquiry:
    inquiry = _locked(inquiry_id)
    if not (inquiry.user_id == getattr(actor, "pk", None) or is_cs(actor)):
        raise InquiryError(_("You may not close this inquiry."), code="forbidden")
    move(inquiry, to=S.CLOSED, table=ALLOWED, actor=actor, reason=_("Closed"))
    return inquiry


@transaction.atomic
def escalate_to_seller(*, inquiry_id: int, actor, note: str = "") -> Inquiry:
    """Hand an order-related inquiry to the line's seller (the seller is told; operators keep it)."""
    if not is_cs(actor):
        raise InquiryError(_("You may not escalate this inquiry."), code="forbidden")
    inquiry = _locked(inquiry_id)
    seller = None
    if inquiry.line_id:
        seller = inquiry.line.seller
    elif inquiry.order_id:
        sellers = {line.seller for line in inquiry.order.lines.select_related("seller")}
        seller = sellers.pop() if len(sellers) == 1 else None
    if seller is None:
        raise InquiryError(_("Only an inquiry about one seller's product can be escalated."), code="no_seller")
    inquiry.escalated_seller = seller
    inquiry.save(update_fields=["escalated_seller", "updated_at"])
    if note.strip():
        InquiryMessage.objects.create(inquiry=inquiry, author=actor, author_kind=InquiryMessage.Author.OPERATOR,
                                      body=note.strip()[:4000], is_internal=True)
    notify(event="inquiry.escalated", key=f"{inquiry.number}:seller{seller.pk}", email=seller.contact_email,
           context={"inquiry": inquiry, "seller": seller, "site_url": settings.SITE_URL}, subject_object=inquiry)
    return inquiry
