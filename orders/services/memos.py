"""CS memos on orders (operators' notes; the shopper never sees them)."""

from django.db import transaction
from django.utils.translation import gettext as _

from orders.exceptions import OrderError
from orders.models import Order, OrderMemo

MEMO_MAX_LENGTH = 2000


@transaction.atomic
def add_order_memo(*, order: Order, author, body: str) -> OrderMemo:
    """Add a CS memo to ``order``. Only active staff may write one; the body may not be blank."""
    if not (author is not None and getattr(author, "is_authenticated", False) and author.is_active
            and author.is_staff):
        raise OrderError(_("Only operators can write order memos."), code="forbidden")
    body = (body or "").strip()
    if not body:
        raise OrderError(_("Write the memo first."), code="memo_empty")
    if len(body) > MEMO_MAX_LENGTH:
        raise OrderError(_("A memo can be at most %(max)s characters.") % {"max": MEMO_MAX_LENGTH}, code="memo_long")
    return OrderMemo.objects.create(order=order, author=author, body=body)
