"""Reviews, product Q&A, 1:1 inquiries and the survey, through the services people's clicks call.

Expectations come from issue 12 and DOMAIN.md, not from the code: reviews only from a confirmed
line, once per line, within 90 days; the reward is disclosed and taken back on a return; a secret
question is readable by its asker, the seller and operators only; the first answer to an inquiry
is due one business day later.
"""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from core.models import OutboxMessage, StatusChange
from marketing.exceptions import MarketingError
from marketing.models import Inquiry, PointEntry, Review, ReviewRewardOptIn, SurveyInvitation
from marketing.selectors_voc import get_review_summary, list_product_questions
from marketing.services import inquiries, questions, reviews, surveys
from marketing.services.points import balance
from orders.models import OrderLine
from orders.services import place_order
from partners.models import SellerStaff
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.marketing.voc_helpers import confirmed_line, deliver_line
from tests.orders.factories import DELIVERY, make_product
from tests.orders.helpers import pay
from tests.partners.factories import SellerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def photo(name="p.jpg", size=(800, 600)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 90)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def rewards(settings):
    settings.REVIEW_REWARD_TEXT_AMOUNT = 100
    settings.REVIEW_REWARD_PHOTO_AMOUNT = 500
    settings.POINTS_EARN_RATE_PERCENT = 0  # only the review reward moves the balance here


# --- reviews -----------------------------------------------------------------------------------


def test_only_a_confirmed_line_can_be_reviewed_once_within_the_window(rewards):
    shopper = UserFactory()
    _, (sku,) = make_product(price=20000, stock=10)
    # Paid and delivered but not confirmed: refused.
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(order)
    delivered = deliver_line(order, order.lines.get())
    with pytest.raises(MarketingError, match="confirmed the purchase"):
        reviews.write_review(line_id=delivered.pk, user=shopper, rating=5, body="아주 좋아요. 또 살게요!")
    assert Review.objects.count() == 0 and balance(user=shopper) == 0

    line = confirmed_line(shopper, sku)
    # Someone else cannot review the shopper's line.
    with pytest.raises(MarketingError, match="your own purchases"):
        reviews.write_review(line_id=line.pk, user=UserFactory(), rating=5, body="남의 주문 후기입니다만")
    review = reviews.write_review(line_id=line.pk, user=shopper, rating=4, body="색이 사진과 같아요. 만족합니다.")
    assert review.rating == 4 and review.option_label == line.option_label
    assert balance(user=shopper) == 100  # text review reward
    # Once per line.
    with pytest.raises(MarketingError, match="already reviewed"):
        reviews.write_review(line_id=line.pk, user=shopper, rating=1, body="두 번째 후기를 써봅니다")
    assert Review.objects.count() == 1 and balance(user=shopper) == 100

    # 91 days after confirmation the window (90 days) is closed.
    late = confirmed_line(shopper, sku)
    OrderLine.objects.filter(pk=late.pk).update(confirmed_at=timezone.now() - timedelta(days=91))
    with pytest.raises(MarketingError, match="within 90 days"):
        reviews.write_review(line_id=late.pk, user=shopper, rating=5, body="늦게 쓰는 후기입니다")
    assert Review.objects.count() == 1


def test_a_photo_review_earns_more_and_every_photo_is_checked_first(rewards):
    shopper = UserFactory()
    _, (sku,) = make_product(price=20000)
    line = confirmed_line(shopper, sku)
    broken = SimpleUploadedFile("evil.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with pytest.raises(MarketingError):
        reviews.write_review(line_id=line.pk, user=shopper, rating=5, body="사진 두 장 올려요!!", photos=[photo(), broken])
    assert Review.objects.count() == 0 and balance(user=shopper) == 0  # nothing half-way
    with pytest.raises(MarketingError, match="at most 5"):
        reviews.write_review(line_id=line.pk, user=shopper, rating=5, body="사진 여섯 장입니다",
                             photos=[photo(f"{n}.jpg") for n in range(6)])
    review = reviews.write_review(line_id=line.pk, user=shopper, rating=5, body="사진 두 장 올려요!!",
                                  photos=[photo("a.jpg"), photo("b.jpg", (300, 300))])
    assert review.has_photos and review.photos.count() == 2 and review.reward_amount == 500
    assert all(p.thumbnail.name.endswith(".webp") for p in review.photos.all())
    assert balance(user=shopper) == 500
    assert review.has_reward and review.reward_funder == Review.Funder.PLATFORM


def test_a_seller_that_opted_in_funds_the_reward(rewards):
    shopper = UserFactory()
    product, (sku,) = make_product(price=20000)
    ReviewRewardOptIn.objects.create(seller=product.seller)
    line = confirmed_line(shopper, sku)
    review = reviews.write_review(line_id=line.pk, user=shopper, rating=5, body="판매자 지급 리워드 테스트")
    assert review.reward_funder == Review.Funder.SELLER and review.reward_amount == 100


def test_a_returned_line_loses_its_review_reward(rewards):
    from claims.models import Claim
    from claims.services import approve_claim, complete_pickup, refund_return, request_claim, start_pickup

    shopper, operator = UserFactory(), OperatorFactory(groups=["cs"])
    _, (sku,) = make_product(price=20000)
    # A defect found after confirmation: CS takes the line back as a seller-fault return. The claims
    # machine returns delivered lines, so the line is put back to delivered as CS would reopen it.
    line = confirmed_line(shopper, sku)
    review = reviews.write_review(line_id=line.pk, user=shopper, rating=5, body="좋았는데 반품했어요",
                                  photos=[photo()])
    assert balance(user=shopper) == 500
    # Spend part of it so the take-back must also reach other credits.
    PointEntry.objects.create(user=shopper, kind=PointEntry.Kind.GRANT, amount=1000, remaining=1000)
    # A return of the line in full (through the claims services as the console would).
    OrderLine.objects.filter(pk=line.pk).update(status=OrderLine.Status.DELIVERED, confirmed_at=None)
    claim = request_claim(order=line.order, claim_type=Claim.Type.RETURN, items=[(line.pk, 1)],
                          reason_code="defective", requested_by=shopper,
                          pickup_method=Claim.PickupMethod.SELLER_COLLECTS)
    approve_claim(claim_id=claim.pk, actor=operator)
    start_pickup(claim_id=claim.pk, actor=operator)
    complete_pickup(claim_id=claim.pk, actor=operator)
    refund_return(claim_id=claim.pk, actor=operator)
    line.refresh_from_db()
    assert line.refunded_quantity == 1 or line.status == OrderLine.Status.RETURNED

    assert reviews.revoke_rewards_of_returned_lines() == 1
    review.refresh_from_db()
    assert review.reward_revoked_at is not None and not review.has_reward
    taken = PointEntry.objects.get(line=line, kind=PointEntry.Kind.REVIEW_CLAWBACK)
    assert taken.amount == -500
    assert balance(user=shopper) == 1000  # 500 + 1000 − 500
    assert reviews.revoke_rewards_of_returned_lines() == 0  # once


def test_helpful_votes_once_per_person_and_never_on_ones_own(rewards):
    shopper = UserFactory()
    _, (sku,) = make_product()
    review = reviews.write_review(line_id=confirmed_line(shopper, sku).pk, user=shopper, rating=5,
                                  body="도움이 되길 바랍니다")
    voter = UserFactory()
    assert reviews.vote_helpful(review_id=review.pk, user=voter) is True
    assert reviews.vote_helpful(review_id=review.pk, user=voter) is False
    with pytest.raises(MarketingError):
        reviews.vote_helpful(review_id=review.pk, user=shopper)
    review.refresh_from_db()
    assert review.helpful_count == 1


def test_operators_hide_reviews_with_a_reason_and_sellers_reply_once(rewards):
    shopper = UserFactory()
    product, (sku,) = make_product()
    review = reviews.write_review(line_id=confirmed_line(shopper, sku).pk, user=shopper, rating=1,
                                  body="광고 문구가 섞인 후기")
    reviews.report_review(review_id=review.pk, user=UserFactory(), reason="광고")
    marketer = OperatorFactory(groups=["marketing"])
    with pytest.raises(MarketingError, match="reason"):
        reviews.set_review_visibility(review_id=review.pk, actor=marketer, hidden=True, reason="")
    with pytest.raises(MarketingError):
        reviews.set_review_visibility(review_id=review.pk, actor=UserFactory(), hidden=True, reason="spam")
    reviews.set_review_visibility(review_id=review.pk, actor=marketer, hidden=True, reason="광고성 후기")
    review.refresh_from_db()
    assert review.status == Review.Status.HIDDEN and review.hidden_reason == "광고성 후기"
    assert StatusChange.objects.filter(object_id=review.pk, to_status="hidden", actor=marketer).exists()
    assert get_review_summary(product_id=product.pk).count == 0

    own = SellerStaff.objects.create(user=UserFactory(), seller=product.seller, role="orders")
    other = SellerStaff.objects.create(user=UserFactory(), seller=SellerFactory(), role="owner")
    with pytest.raises(MarketingError):
        reviews.reply_to_review(review_id=review.pk, actor=other.user, body="다른 판매자 답글")
    reviews.reply_to_review(review_id=review.pk, actor=own.user, body="불편을 드려 죄송합니다.")
    with pytest.raises(MarketingError, match="already"):
        reviews.reply_to_review(review_id=review.pk, actor=own.user, body="두 번째 답글")


def test_the_summary_counts_each_star(rewards):
    product, (sku,) = make_product(stock=20)
    for rating in (5, 5, 4, 1):
        shopper = UserFactory()
        reviews.write_review(line_id=confirmed_line(shopper, sku).pk, user=shopper, rating=rating,
                             body="별점 분포 테스트용 후기")
    summary = get_review_summary(product_id=product.pk)
    assert summary.count == 4 and summary.average == 3.8
    assert summary.distribution == [(5, 2, 50), (4, 1, 25), (3, 0, 0), (2, 0, 0), (1, 1, 25)]


# --- product Q&A -------------------------------------------------------------------------------


def test_a_secret_question_is_readable_only_by_its_asker_the_seller_and_operators():
    product, _skus = make_product()
    asker, other_shopper = UserFactory(), UserFactory()
    own_staff = SellerStaff.objects.create(user=UserFactory(), seller=product.seller, role="orders").user
    other_seller_staff = SellerStaff.objects.create(user=UserFactory(), seller=SellerFactory(), role="owner").user
    operator = OperatorFactory(groups=["cs"])
    from django.contrib.auth.models import AnonymousUser

    question = questions.ask_question(product=product, user=asker, body="사이즈가 정사이즈인가요? 주소 포함", is_secret=True)
    assert OutboxMessage.objects.filter(event="question.asked", recipient=product.seller.contact_email).exists()
    readable = {}
    for name, viewer in [("anonymous", AnonymousUser()), ("asker", asker), ("other shopper", other_shopper),
                         ("own seller", own_staff), ("other seller", other_seller_staff), ("operator", operator)]:
        (listed,) = list(list_product_questions(product_id=product.pk, viewer=viewer))
        readable[name] = listed.readable
        assert questions.can_read(question, viewer) == listed.readable
    assert readable == {"anonymous": False, "asker": True, "other shopper": False, "own seller": True,
                        "other seller": False, "operator": True}


def test_the_seller_answers_only_its_own_products_and_the_shopper_is_told():
    product, _skus = make_product()
    asker = UserFactory()
    question = questions.ask_question(product=product, user=asker, body="재입고 언제 되나요?")
    other = SellerStaff.objects.create(user=UserFactory(), seller=SellerFactory(), role="owner").user
    settlement_only = SellerStaff.objects.create(user=UserFactory(), seller=product.seller, role="settlement").user
    for actor in (other, settlement_only, asker):
        with pytest.raises(MarketingError, match="may not answer"):
            questions.answer_question(question_id=question.pk, actor=actor, body="답변")
    question.refresh_from_db()
    assert question.answered_at is None
    staff = SellerStaff.objects.create(user=UserFactory(), seller=product.seller, role="orders").user
    questions.answer_question(question_id=question.pk, actor=staff, body="다음 주 화요일 입고 예정입니다.")
    question.refresh_from_db()
    assert question.answer.startswith("다음 주") and question.answered_by == staff
    assert OutboxMessage.objects.filter(event="question.answered", recipient=asker.email).exists()


def test_a_question_unanswered_for_two_business_days_is_overdue():
    product, _skus = make_product()
    question = questions.ask_question(product=product, user=UserFactory(), body="배송 언제 되나요?")
    monday_noon = timezone.make_aware(timezone.datetime(2026, 11, 23, 12, 0))
    from marketing.models import ProductQuestion

    ProductQuestion.objects.filter(pk=question.pk).update(created_at=monday_noon)
    # Wednesday 11:59 is not yet two business days; Wednesday 12:01 is.
    wednesday = timezone.make_aware(timezone.datetime(2026, 11, 25, 11, 59))
    assert not questions.overdue_questions(seller=product.seller, now=wednesday).exists()
    assert questions.overdue_questions(seller=product.seller, now=wednesday + timedelta(minutes=2)).exists()
    # Asked Friday noon: due Tuesday noon (the weekend does not count).
    ProductQuestion.objects.filter(pk=question.pk).update(
        created_at=timezone.make_aware(timezone.datetime(2026, 11, 27, 12, 0)))
    monday = timezone.make_aware(timezone.datetime(2026, 11, 30, 13, 0))
    assert not questions.overdue_questions(seller=product.seller, now=monday).exists()


# --- 1:1 inquiries -----------------------------------------------------------------------------


def test_an_inquiry_moves_through_the_queue_with_its_sla():
    shopper = UserFactory()
    product, (sku,) = make_product()
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(order)
    line = order.lines.get()
    with pytest.raises(MarketingError, match="own orders"):
        inquiries.open_inquiry(user=UserFactory(), category="order", title="배송", body="언제 오나요?", order=order)
    inquiry = inquiries.open_inquiry(user=shopper, category="delivery", title="배송 문의", body="언제 출발하나요?",
                                     order=order, line=line, files=[photo()])
    assert inquiry.status == Inquiry.Status.NEW and inquiry.attachments.count() == 1
    # The first answer is due one business day later (a Friday question is due on Monday).
    created = timezone.localtime(inquiry.created_at)
    due = timezone.localtime(inquiry.first_answer_due_at)
    assert due.time().replace(microsecond=0) == created.time().replace(microsecond=0)
    expected_days = {0: 1, 1: 1, 2: 1, 3: 1, 4: 3, 5: 2, 6: 1}[created.weekday()]
    assert (due.date() - created.date()).days == expected_days

    cs = OperatorFactory(groups=["cs"])
    with pytest.raises(MarketingError):
        inquiries.answer_inquiry(inquiry_id=inquiry.pk, actor=UserFactory(), body="권한 없는 답변")
    inquiries.assign_inquiry(inquiry_id=inquiry.pk, actor=cs, assignee=cs)
    inquiries.add_internal_note(inquiry_id=inquiry.pk, actor=cs, body="판매자 확인 필요")
    inquiries.escalate_to_seller(inquiry_id=inquiry.pk, actor=cs, note="출고 예정일 확인 부탁드립니다")
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.IN_PROGRESS and inquiry.escalated_seller == product.seller
    seller_staff = SellerStaff.objects.create(user=UserFactory(), seller=product.seller, role="orders").user
    inquiries.answer_inquiry(inquiry_id=inquiry.pk, actor=seller_staff, body="내일 출고 예정입니다.")
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.ANSWERED and inquiry.first_answered_at is not None
    assert OutboxMessage.objects.filter(event="inquiry.answered", recipient=shopper.email).exists()
    # The shopper writes again: back in progress; closes it; nothing more can be written.
    inquiries.reply_as_shopper(inquiry_id=inquiry.pk, user=shopper, body="감사합니다. 하나 더요!")
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.IN_PROGRESS
    inquiries.close_inquiry(inquiry_id=inquiry.pk, actor=shopper)
    with pytest.raises(MarketingError, match="closed"):
        inquiries.reply_as_shopper(inquiry_id=inquiry.pk, user=shopper, body="또 질문")
    visible = [message.body for message in inquiry.messages.filter(is_internal=False)]
    assert "판매자 확인 필요" not in visible and len(visible) == 3
    moves = list(StatusChange.objects.filter(object_id=inquiry.pk, content_type__model="inquiry")
                 .values_list("from_status", "to_status"))
    assert moves == [("new", "in_progress"), ("in_progress", "answered"), ("answered", "in_progress"),
                     ("in_progress", "closed")]


def test_an_inquiry_about_no_seller_cannot_be_escalated_and_bad_files_are_refused():
    shopper = UserFactory()
    with pytest.raises(MarketingError, match="photos .* or PDF"):
        inquiries.open_inquiry(user=shopper, category="other", title="파일", body="첨부 확인 부탁",
                               files=[SimpleUploadedFile("x.exe", b"MZ\x90\x00binary", content_type="application/pdf")])
    assert Inquiry.objects.count() == 0
    pdf = SimpleUploadedFile("bill.pdf", b"%PDF-1.4\n%...\n", content_type="application/pdf")
    inquiry = inquiries.open_inquiry(user=shopper, category="account", title="계정", body="탈퇴하고 싶어요", files=[pdf])
    with pytest.raises(MarketingError, match="one seller"):
        inquiries.escalate_to_seller(inquiry_id=inquiry.pk, actor=OperatorFactory(groups=["cs"]))


# --- the survey --------------------------------------------------------------------------------


def test_one_survey_invitation_per_confirmed_order_and_one_answer():
    shopper = UserFactory()
    _, (sku,) = make_product(stock=10)
    line = confirmed_line(shopper, sku)
    unconfirmed = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(unconfirmed)
    assert surveys.invite_confirmed_orders() == 1
    assert surveys.invite_confirmed_orders() == 0  # once per confirmation
    invitation = SurveyInvitation.objects.get()
    assert invitation.order_id == line.order_id
    assert OutboxMessage.objects.filter(event="survey.invited", recipient=shopper.email).count() == 1
    with pytest.raises(MarketingError):
        surveys.answer_survey(token=invitation.token, user=UserFactory(), nps=10)
    with pytest.raises(MarketingError, match="0 to 10"):
        surveys.answer_survey(token=invitation.token, user=shopper, nps=11)
    response = surveys.answer_survey(token=invitation.token, user=shopper, nps=9, answer_1="빠른 배송", comment="굿")
    assert response.nps == 9 and response.question_1
    with pytest.raises(MarketingError, match="already answered"):
        surveys.answer_survey(token=invitation.token, user=shopper, nps=3)
