"""VOC pages as people use them: the product page's reviews and Q&A, my page, the console queue and
the seller center. Secret text must never reach a page that may not show it."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from marketing.models import Inquiry, ProductQuestion, Review
from marketing.services import inquiries, questions, reviews
from partners.models import SellerStaff
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.marketing.voc_helpers import confirmed_line
from tests.orders.factories import make_product
from tests.partners.factories import SellerFactory

pytestmark = [pytest.mark.django_db]
SECRET = "제 주소는 서울시 비밀구 123"


def jpeg(name="r.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (10, 120, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _reviews(product, sku, count, *, photos_every=3):
    for index in range(count):
        shopper = UserFactory()
        line = confirmed_line(shopper, sku)
        reviews.write_review(line_id=line.pk, user=shopper, rating=1 + index % 5, body=f"후기 본문 {index} 입니다.",
                             photos=[jpeg()] if index % photos_every == 0 else [])


def test_the_review_list_runs_a_constant_number_of_queries(client):
    product, (sku,) = make_product(stock=50)
    _reviews(product, sku, 3)
    url = reverse("shop:product_reviews", args=[product.pk]) + "?fragment=1"
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _reviews(product, sku, 9)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few) <= 10
    # Photo reviews first by default, then newest.
    listed = list(response.context["page"])
    assert [review.has_photos for review in listed] == sorted((r.has_photos for r in listed), reverse=True)
    # Signed in: the viewer's votes are one more query, still constant.
    client.force_login(UserFactory())
    with CaptureQueriesContext(connection) as signed_in:
        assert client.get(url + "&sort=helpful&photos=1").status_code == 200
    assert len(signed_in) <= 10


def test_the_review_page_sorts_filters_and_discloses_rewards(client, settings):
    settings.REVIEW_REWARD_TEXT_AMOUNT = 100
    product, (sku,) = make_product(stock=20)
    _reviews(product, sku, 4)
    response = client.get(reverse("shop:product_reviews", args=[product.pk]) + "?sort=lowest")
    ratings = [review.rating for review in response.context["page"]]
    assert ratings == sorted(ratings)
    assert "received points from MarketOn" in response.content.decode()
    response = client.get(reverse("shop:product_reviews", args=[product.pk]) + "?photos=1")
    assert all(review.has_photos for review in response.context["page"])
    assert client.get(reverse("shop:product_reviews", args=[999999])).status_code == 404


def test_secret_questions_are_hidden_from_everyone_but_the_asker_the_seller_and_operators(client):
    product, _skus = make_product()
    asker = UserFactory()
    questions.ask_question(product=product, user=asker, body=SECRET, is_secret=True)
    url = reverse("shop:product_questions", args=[product.pk]) + "?fragment=1"
    own_staff = SellerStaff.objects.create(user=UserFactory(), seller=product.seller, role="orders").user
    other_staff = SellerStaff.objects.create(user=UserFactory(), seller=SellerFactory(), role="owner").user
    seen = {}
    for name, viewer in [("anonymous", None), ("asker", asker), ("other shopper", UserFactory()),
                         ("own seller", own_staff), ("other seller", other_staff),
                         ("operator", OperatorFactory(groups=["cs"]))]:
        client.logout()
        if viewer:
            client.force_login(viewer)
        seen[name] = SECRET in client.get(url).content.decode()
    assert seen == {"anonymous": False, "asker": True, "other shopper": False, "own seller": True,
                    "other seller": False, "operator": True}


def test_asking_needs_login_and_bad_input_rerenders(client):
    product, _skus = make_product()
    url = reverse("shop:product_questions", args=[product.pk])
    response = client.post(url, {"body": "질문입니다"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(UserFactory())
    response = client.post(url, {"body": "짧"})
    assert response.status_code == 400 and ProductQuestion.objects.count() == 0
    response = client.post(url, {"body": "이 제품 세탁기 돌려도 되나요?", "is_secret": "on"})
    assert response.status_code == 302 and ProductQuestion.objects.get().is_secret


def test_a_shopper_writes_a_photo_review_from_my_page(client, settings):
    settings.REVIEW_REWARD_PHOTO_AMOUNT = 500
    shopper = UserFactory()
    product, (sku,) = make_product()
    line = confirmed_line(shopper, sku)
    client.force_login(shopper)
    page = client.get(reverse("shop:my_reviews")).content.decode()
    assert reverse("shop:write_review", args=[line.pk]) in page
    response = client.post(reverse("shop:write_review", args=[line.pk]), {"rating": "", "body": ""})
    assert response.status_code == 400 and Review.objects.count() == 0
    response = client.post(reverse("shop:write_review", args=[line.pk]),
                           {"rating": "5", "body": "따뜻하고 예뻐요. 추천합니다!", "photos": [jpeg()]})
    assert response.status_code == 302
    review = Review.objects.get()
    assert review.has_photos and review.reward_amount == 500
    # Someone else's line is a 404.
    client.force_login(UserFactory())
    assert client.get(reverse("shop:write_review", args=[line.pk])).status_code == 404


def test_inquiries_from_my_page_and_their_private_attachments(client):
    shopper = UserFactory()
    product, (sku,) = make_product()
    line = confirmed_line(shopper, sku)
    client.force_login(shopper)
    response = client.post(reverse("shop:inquiry_new"), {
        "category": "delivery", "order_line": f"{line.order_id}:{line.pk}", "title": "배송 문의",
        "body": "상자가 찌그러져 왔어요", "files": [jpeg("box.jpg")]})
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.line == line
    attachment_url = reverse("shop:inquiry_attachment", args=[inquiry.attachments.get().pk])
    assert client.get(attachment_url).status_code == 200
    assert client.get(reverse("shop:inquiry_detail", args=[inquiry.number])).status_code == 200
    # Another shopper, another seller and anonymous see nothing of it.
    client.force_login(UserFactory())
    assert client.get(attachment_url).status_code == 404
    assert client.get(reverse("shop:inquiry_detail", args=[inquiry.number])).status_code == 404
    client.force_login(SellerStaff.objects.create(user=UserFactory(), seller=product.seller, role="owner").user)
    assert client.get(attachment_url).status_code == 404  # not escalated to the seller
    client.logout()
    assert client.get(attachment_url).status_code == 302
    # Another shopper's order line cannot be picked.
    client.force_login(UserFactory())
    response = client.post(reverse("shop:inquiry_new"), {"category": "order", "order_line": f"{line.order_id}:{line.pk}",
                                                         "title": "남의 주문", "body": "남의 주문 문의"})
    assert response.status_code == 400 and Inquiry.objects.count() == 1


def test_the_console_queue_is_for_operators_with_the_right(client):
    shopper = UserFactory()
    inquiry = inquiries.open_inquiry(user=shopper, category="other", title="문의", body="문의 내용입니다")
    for url in (reverse("console:voc:inquiry_list"), reverse("console:voc:inquiry_detail", args=[inquiry.pk]),
                reverse("console:voc:review_list"), reverse("console:voc:survey_report")):
        client.force_login(shopper)
        assert client.get(url).status_code == 403
        client.force_login(OperatorFactory(groups=["fulfilment"]))
        assert client.get(url).status_code == 403
    cs = OperatorFactory(groups=["cs"])
    client.force_login(cs)
    assert inquiry.number in client.get(reverse("console:voc:inquiry_list")).content.decode()
    response = client.post(reverse("console:voc:inquiry_detail", args=[inquiry.pk]),
                           {"action": "answer", "body": "확인 후 연락드리겠습니다."})
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.ANSWERED


def test_the_seller_center_shows_only_the_sellers_own_questions(client):
    product, _skus = make_product()
    other_product, _ = make_product()
    mine = questions.ask_question(product=product, user=UserFactory(), body="우리 상품 질문입니다")
    theirs = questions.ask_question(product=other_product, user=UserFactory(), body="다른 판매자 상품 질문")
    staff = SellerStaff.objects.create(user=UserFactory(), seller=product.seller, role="orders").user
    client.force_login(staff)
    page = client.get(reverse("partner:voc:question_list")).content.decode()
    assert "우리 상품 질문입니다" in page and "다른 판매자 상품 질문" not in page
    assert client.post(reverse("partner:voc:question_answer", args=[theirs.pk]), {"body": "남의 답"}).status_code == 404
    assert client.post(reverse("partner:voc:question_answer", args=[mine.pk]), {"body": "답변 드립니다"}).status_code == 302
    mine.refresh_from_db()
    assert mine.answer == "답변 드립니다"
    # A settlement-only role has no access to questions.
    client.force_login(SellerStaff.objects.create(user=UserFactory(), seller=product.seller, role="settlement").user)
    assert client.get(reverse("partner:voc:question_list")).status_code == 403
