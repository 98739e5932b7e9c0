"""The registry behind the isolation test (tests/partners/test_isolation.py).

Every /partner/ URL pattern is requested with ids of seller A's objects while signed in as seller
B's staff. For each URL keyword the registry below makes such a value: ``factory(seller, owner)``
gets seller A and its owner and returns the kwarg's value (an id, a token, a reference). A pattern
with a kwarg missing here fails the test with its name, so a new page cannot go untested:
add your kwarg (``product_id``, ``image_id``, ``statement_id``, ``job_id`` …) with a factory here.

``PUBLIC_PATTERNS`` are pages meant for people who are not (yet) a seller's staff; they are checked
by their own tests instead of the role matrix.
"""

from tests.partners import factories


def _line_id(seller, owner):
    return factories.paid_order(seller=seller)[1].pk


def _claim_id(seller, owner):
    return factories.return_claim(seller=seller).pk


def _document_id(seller, owner):
    from partners.models import SellerDocument

    document = SellerDocument(seller=seller, kind=SellerDocument.Kind.BANK_BOOK, content_type="image/png",
                              uploaded_by=owner)
    document.file.save("isolation.png", factories.png_upload(), save=False)
    document.save()
    return document.pk


def _holiday_id(seller, owner):
    from datetime import timedelta

    from django.utils import timezone

    from partners.models import SellerHoliday

    return SellerHoliday.objects.create(seller=seller, date=timezone.localdate() + timedelta(days=10)).pk


def _staff_id(seller, owner):
    from partners.models import SellerStaff
    from tests.accounts.factories import UserFactory

    return SellerStaff.objects.create(seller=seller, user=UserFactory(), role=SellerStaff.Role.ORDERS).pk


def _invitation(seller, owner):
    from datetime import timedelta

    from django.utils import timezone

    from partners.models import SellerInvitation

    count = SellerInvitation.objects.count()
    return SellerInvitation.objects.create(seller=seller, email=f"invited{count}@example.com", role="orders",
                                           token=f"isolation-token-{seller.pk}-{count}", invited_by=owner,
                                           expires_at=timezone.now() + timedelta(days=7))


def _invitation_id(seller, owner):
    return _invitation(seller, owner).pk


def _token(seller, owner):
    return _invitation(seller, owner).token


def _reference(seller, owner):
    """A waybill upload stored by seller A's owner (the preview and apply pages)."""
    from orders.services import waybills

    line_id = _line_id(seller, owner)
    return waybills.store_upload(raw_rows=[[2, "", str(line_id), "CJ대한통운", "123456789012"]], filename="a.xlsx",
                                 owner_id=owner.pk)


def _product_id(seller, owner):
    return factories.paid_order(seller=seller)[1].product_id


def _sku_id(seller, owner):
    return factories.paid_order(seller=seller)[1].sku_id


def _question_id(seller, owner):
    from marketing.services.questions import ask_question
    from tests.accounts.factories import UserFactory

    product = factories.paid_order(seller=seller)[1].product
    return ask_question(product=product, user=UserFactory(), body="판매자 A 상품 문의입니다").pk


def _review_id(seller, owner):
    from marketing.models import Review
    from tests.accounts.factories import UserFactory

    line = factories.paid_order(seller=seller)[1]
    return Review.objects.create(line=line, product_id=line.product_id, seller=seller, user=UserFactory(),
                                 rating=5, body="판매자 A 상품 후기").pk


def _inquiry_id(seller, owner):
    from marketing.services.inquiries import open_inquiry

    order, line = factories.paid_order(seller=seller)
    inquiry = open_inquiry(user=order.user, category="delivery", title="문의", body="판매자 A 주문 문의", order=order,
                           line=line)
    from marketing.models import Inquiry

    Inquiry.objects.filter(pk=inquiry.pk).update(escalated_seller=seller)
    return inquiry.pk


def _image_id(seller, owner):
    """An image of seller A's product (the product id in the same URL comes from its own factory;
    either id being A's makes the page a 404 for seller B)."""
    from catalog.services import add_product_image

    product = factories.paid_order(seller=seller)[1].product
    return add_product_image(product=product, uploaded_file=factories.png_upload(), actor=owner).pk


def _statement_id(seller, owner):
    from datetime import date

    from settlement.models import Statement

    count = Statement.objects.filter(seller=seller).count()
    return Statement.objects.create(seller=seller, cycle="weekly", period_start=date(2026, 10, 5 + 7 * count),
                                    period_end=date(2026, 10, 11 + 7 * count), payout_due_on=date(2026, 11, 6)).pk


# kwarg name → factory(seller A, its owner) → value. Extend it for your URLs.
KWARG_FACTORIES = {
    "line_id": _line_id,
    "claim_id": _claim_id,
    "document_id": _document_id,
    "holiday_id": _holiday_id,
    "staff_id": _staff_id,
    "invitation_id": _invitation_id,
    "token": _token,
    "reference": _reference,
    "product_id": _product_id,
    "sku_id": _sku_id,
    "image_id": _image_id,
    "statement_id": _statement_id,
    "question_id": _question_id,
    "review_id": _review_id,
    "inquiry_id": _inquiry_id,
    # Not an object: the name of a claim step (any valid one; the claim decides the 404).
    "step": lambda seller, owner: "approve",
}

# Pages for signed-in people who are not staff yet: the application and an invitation's link.
PUBLIC_PATTERNS = {"apply", "invitation"}
