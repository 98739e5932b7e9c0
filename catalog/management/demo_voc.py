"""Demo VOC: believable reviews (some with photos) on the first products, questions answered and
waiting (one secret), 1:1 inquiries in every status, survey answers. All through the services."""

import io
import random
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

REVIEW_TEXTS = [
    (5, "색감이 사진이랑 똑같아요. 두께도 적당해서 가을에 딱 입기 좋네요. 다른 색도 살게요!"),
    (5, "배송이 빨라서 놀랐어요. 포장도 꼼꼼하고 제품 마감도 좋습니다."),
    (4, "전체적으로 만족해요. 다만 생각보다 조금 커서 한 치수 작게 사도 될 것 같아요."),
    (4, "가격 대비 품질 괜찮습니다. 세탁 후에도 변형 없어요."),
    (3, "무난해요. 사진보다 색이 살짝 어둡습니다."),
    (5, "선물용으로 샀는데 받는 분이 아주 좋아하셨어요."),
    (2, "실밥이 조금 나와 있었어요. 그래도 교환은 안 하고 그냥 입습니다."),
    (5, "재구매입니다. 믿고 사는 판매자예요."),
]
QUESTIONS = [
    ("평소 M 입는데 어떤 사이즈가 맞을까요?", "M 사이즈 추천드립니다. 여유 있게 입으시려면 L도 괜찮아요."),
    ("세탁기 사용해도 되나요?", "울 코스로 찬물 단독 세탁해 주세요."),
    ("재입고 일정이 있나요?", None),
    ("주문하면 언제 출발하나요?", "오후 2시 이전 결제 건은 당일 출고됩니다."),
]


def _jpeg(rng: random.Random) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    colour = (rng.randint(120, 230), rng.randint(100, 210), rng.randint(90, 200))
    picture = Image.new("RGB", (720, 720), colour)
    draw = ImageDraw.Draw(picture)
    for _ in range(6):
        x, y = rng.randint(0, 600), rng.randint(0, 600)
        draw.ellipse((x, y, x + rng.randint(60, 200), y + rng.randint(60, 200)),
                     fill=tuple(max(0, c - rng.randint(20, 60)) for c in colour))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=82)
    return SimpleUploadedFile("review.jpg", buffer.getvalue(), content_type="image/jpeg")


def seed_voc(*, shopper, operator, stdout=None) -> None:
    from django.contrib.auth import get_user_model

    from catalog.models import SKU, Product
    from marketing.models import Review
    from marketing.services import inquiries, questions, reviews, surveys
    from orders.payments.sandbox import SandboxPG
    from orders.services import Delivery, confirm_payment, place_order
    from orders.services.fulfilment import (
        acknowledge_line,
        confirm_purchase,
        mark_delivered,
        mark_shipped,
        set_waybill,
    )
    from partners.models import SellerStaff

    if Review.objects.exists():
        return
    rng = random.Random(12)
    products = list(Product.objects.filter(status=Product.Status.ON_SALE, seller__status="active")
                    .order_by("id")[:6])
    if not products:
        return
    # The first demo seller pays its products' review rewards itself (Store → Marketing programs): its
    # statements show the review reward rows; the other sellers' rewards are the shop's.
    from marketing.models import ReviewRewardOptIn

    ReviewRewardOptIn.objects.get_or_create(seller=products[0].seller)
    User = get_user_model()
    delivery = Delivery(recipient="박서연", phone="010-3456-7890", postcode="04524",
                        address1="서울특별시 중구 세종대로 110", address2="3층")
    names = ["박서연", "최지우", "정하은", "강민준", "윤서준", "임도윤", "한지아", "오예린"]
    reviewers = []
    for index, name in enumerate(names):
        user, _created = User.objects.get_or_create(email=f"reviewer{index + 1}@example.com",
                                                    defaults={"name": name, "phone": f"010-5555-{1000 + index}"})
        if _created:
            user.set_password("demo1234!")
            user.save()
        reviewers.append(user)

    waybill = iter(range(700000000000, 799999999999, 13))

    def confirmed(user, sku, *, confirm=True):
        order = place_order(user=user, items=[(sku.pk, 1)], delivery=delivery, payment_method="card")
        window = {"order_id": order.number, "order_name": "데모", "amount": order.total_amount,
                  "method": "card", "success_url": "", "fail_url": "", "customer_name": user.name, "webhook_url": ""}
        pg = SandboxPG.authorize(window=window, card_company="국민카드")
        confirm_payment(order_number=order.number, payment_key=pg.payment_key, amount=order.total_amount, user=user)
        line = order.lines.get()
        acknowledge_line(line_id=line.pk, actor=operator)
        set_waybill(line_id=line.pk, courier_code="cj", waybill_number=str(next(waybill)), actor=operator)
        mark_shipped(line_id=line.pk, actor=operator)
        mark_delivered(line_id=line.pk, actor=operator)
        if confirm:
            confirm_purchase(line_id=line.pk, shopper=user)
        line.refresh_from_db()
        return line

    count = 0
    for product_index, product in enumerate(products[:4]):
        sku = SKU.objects.filter(product=product, is_active=True, stock_quantity__gte=8).first()
        if sku is None:
            continue
        for reviewer_index, reviewer in enumerate(reviewers[: 6 - product_index]):
            rating, text = REVIEW_TEXTS[(product_index + reviewer_index) % len(REVIEW_TEXTS)]
            line = confirmed(reviewer, sku)
            photos = [_jpeg(rng) for _ in range(rng.randint(1, 3))] if reviewer_index % 2 == 0 else []
            review = reviews.write_review(line_id=line.pk, user=reviewer, rating=rating, body=text, photos=photos)
            count += 1
            if reviewer_index == 0:
                staff = SellerStaff.objects.filter(seller=product.seller).first()
                if staff:
                    reviews.reply_to_review(review_id=review.pk, actor=staff.user,
                                            body="소중한 후기 감사합니다. 더 좋은 상품으로 보답하겠습니다!")
            if reviewer_index == 1:
                for voter in reviewers[2:5]:
                    reviews.vote_helpful(review_id=review.pk, user=voter)
    # Questions: answered, waiting, one secret and one overdue.
    for index, (body, answer) in enumerate(QUESTIONS):
        product = products[index % len(products)]
        question = questions.ask_question(product=product, user=reviewers[index], body=body, is_secret=index == 1)
        staff = SellerStaff.objects.filter(seller=product.seller).first()
        if answer and staff:
            questions.answer_question(question_id=question.pk, actor=staff.user, body=answer)
        elif answer is None:
            from marketing.models import ProductQuestion

            ProductQuestion.objects.filter(pk=question.pk).update(created_at=timezone.now() - timedelta(days=4))
    # The demo shopper: one confirmed purchase waiting for a review, inquiries in every status, a survey.
    sku = SKU.objects.filter(product=products[-1], is_active=True, stock_quantity__gte=3).first()
    if sku is not None:
        line = confirmed(shopper, sku)
        new = inquiries.open_inquiry(user=shopper, category="delivery", title="배송 출발 문의",
                                     body="주문한 상품이 언제 출발하는지 알고 싶어요.", order=line.order, line=line)
        working = inquiries.open_inquiry(user=shopper, category="product", title="사이즈 교환 가능할까요?",
                                         body="조금 큰데 한 치수 작은 걸로 바꿀 수 있나요?", order=line.order, line=line)
        inquiries.assign_inquiry(inquiry_id=working.pk, actor=operator, assignee=operator)
        inquiries.escalate_to_seller(inquiry_id=working.pk, actor=operator, note="교환 가능 여부 확인 부탁드립니다.")
        answered = inquiries.open_inquiry(user=shopper, category="account", title="적립금 유효기간",
                                          body="적립금은 언제 소멸되나요?")
        inquiries.answer_inquiry(inquiry_id=answered.pk, actor=operator,
                                 body="적립금은 적립일로부터 12개월 뒤 소멸됩니다. 마이페이지에서 확인하실 수 있어요.")
        closed = inquiries.open_inquiry(user=shopper, category="order", title="영수증 발급", body="카드 영수증을 받고 싶어요.")
        inquiries.answer_inquiry(inquiry_id=closed.pk, actor=operator, body="주문 상세에서 영수증을 출력하실 수 있습니다.")
        inquiries.close_inquiry(inquiry_id=closed.pk, actor=shopper)
        del new
    surveys.invite_confirmed_orders()
    from marketing.models import SurveyInvitation

    for index, invitation in enumerate(SurveyInvitation.objects.exclude(user=shopper).order_by("pk")):
        surveys.answer_survey(token=invitation.token, user=invitation.user, nps=[10, 9, 8, 10, 6, 9, 7, 10][index % 8],
                              answer_1=["빠른 배송", "상품 품질", "가격", ""][index % 4],
                              answer_2=["", "포장을 더 꼼꼼히", "", "앱 속도"][index % 4],
                              comment="다음에도 이용할게요." if index % 3 == 0 else "")
    if stdout is not None:
        stdout.write(f"Demo VOC: {count} reviews, {len(QUESTIONS)} product questions, 4 inquiries, survey answers")
