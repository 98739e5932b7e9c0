"""VOC end to end: a shopper confirms a purchase, writes a photo review and gets the points; the review
shows on the product page with its photo; another shopper asks a secret question, the seller answers
it in the seller center, the asker sees the answer and the first shopper does not."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from marketing.models import ProductQuestion, Review
from marketing.services.points import balance
from orders.services import place_order
from partners.models import SellerStaff
from tests.accounts.factories import UserFactory
from tests.browser.conftest import log_in_with_cookie, picture
from tests.marketing.voc_helpers import deliver_line
from tests.orders.factories import DELIVERY
from tests.orders.helpers import pay

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "ko-KR"}
SECRET = "제 키가 160인데 S 괜찮을까요?"
ANSWER = "S 사이즈 추천드립니다. 품이 넉넉한 편이에요."


def test_review_with_photo_and_a_secret_question_answered_in_the_seller_center(
        page, catalog, site, snap, _playwright_browser, settings, tmp_path):
    settings.REVIEW_REWARD_PHOTO_AMOUNT = 500
    settings.POINTS_EARN_RATE_PERCENT = 0
    shopper = UserFactory(name="김후기")
    cotton = catalog.sku(catalog.cotton, "FREE")
    order = place_order(user=shopper, items=[(cotton.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(order)
    line = deliver_line(order, order.lines.get())

    # The shopper confirms the purchase on the order page (phone).
    log_in_with_cookie(page.context, Client(), shopper, site.url)
    page.goto(f"/orders/{order.number}/")
    page.locator(f"form[action$='/lines/{line.pk}/confirm/'] button").click()
    page.wait_for_load_state()
    # My page → my reviews → write one with a photo.
    page.goto("/mypage/reviews/")
    page.locator(f"a[href$='/mypage/reviews/write/{line.pk}/']").click()
    page.wait_for_load_state()
    page.locator("label.rating-input__star", has_text="5").click()
    page.locator("textarea[name=body]").fill("촉감이 부드럽고 색이 예뻐요. 강추합니다!")
    photo_path = tmp_path / "review.jpg"
    photo_path.write_bytes(picture((200, 90, 80)).read())
    page.locator("input[name=photos]").set_input_files(str(photo_path))
    snap(page, "write-review", full_page=True)
    page.locator("form.review-form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text(re.compile(r"500"))
    review = Review.objects.get()
    assert review.has_photos and balance(user=shopper) == 500

    # The product page shows the review with its photo and the reward disclosure.
    page.goto(f"/products/{catalog.cotton.pk}/")
    page.locator("#reviews").scroll_into_view_if_needed()
    expect(page.locator("#reviews .review__body")).to_contain_text("촉감이 부드럽고")
    expect(page.locator("#reviews .review__photos img")).to_have_count(1)
    expect(page.locator("#reviews .review__reward")).to_be_visible()
    snap(page, "product-reviews", full_page=True)

    # Another shopper asks a secret question.
    asker = UserFactory(name="이질문")
    asker_page = _playwright_browser.new_context(base_url=site.url, viewport={"width": 390, "height": 844},
                                                 locale="ko-KR").new_page()
    log_in_with_cookie(asker_page.context, Client(), asker, site.url)
    asker_page.goto(f"/products/{catalog.cotton.pk}/questions/")
    asker_page.locator("details.question-ask summary").click()
    asker_page.locator("textarea[name=body]").fill(SECRET)
    asker_page.locator("input[name=is_secret]").check()
    asker_page.locator("details.question-ask button[type=submit]").click()
    asker_page.wait_for_load_state()
    question = ProductQuestion.objects.get()
    assert question.is_secret

    # The seller answers it in the seller center (desktop).
    seller_user = UserFactory(name="판매담당")
    SellerStaff.objects.create(user=seller_user, seller=catalog.cotton.seller, role="orders")
    seller_page = _playwright_browser.new_context(base_url=site.url, **DESKTOP).new_page()
    log_in_with_cookie(seller_page.context, Client(), seller_user, site.url)
    seller_page.goto("/partner/voc/questions/")
    expect(seller_page.locator(".question__body").first).to_contain_text(SECRET)
    seller_page.locator(f"#answer-{question.pk}").fill(ANSWER)
    seller_page.locator(f"form[action$='/questions/{question.pk}/answer/'] button").click()
    seller_page.wait_for_load_state()
    snap(seller_page, "seller-answered", full_page=True)
    question.refresh_from_db()
    assert question.answer == ANSWER

    # The asker sees the question and the answer; the first shopper sees neither.
    asker_page.goto(f"/products/{catalog.cotton.pk}/questions/")
    expect(asker_page.locator(".question__body")).to_contain_text(SECRET)
    expect(asker_page.locator(".question__answer")).to_contain_text(ANSWER)
    page.goto(f"/products/{catalog.cotton.pk}/questions/")
    expect(page.locator(".question")).to_have_count(1)
    expect(page.locator(".question__body")).not_to_contain_text(SECRET)
    assert ANSWER not in page.content() and SECRET not in page.content()
    snap(page, "secret-hidden", full_page=True)
