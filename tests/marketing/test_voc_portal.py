"""VOC in the seller center's numbers: waiting questions on the dashboard, late answers as penalties."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from marketing.models import ProductQuestion
from marketing.services import questions
from partners.models import SellerStaff
from partners.penalties import QUESTION_LATE, compute_penalties
from tests.accounts.factories import UserFactory
from tests.orders.factories import make_product

pytestmark = pytest.mark.django_db


def test_a_question_left_two_business_days_is_a_penalty_and_an_answer_in_time_is_not():
    product, _skus = make_product()
    late = questions.ask_question(product=product, user=UserFactory(), body="사이즈 문의드려요")
    in_time = questions.ask_question(product=product, user=UserFactory(), body="색상 문의드려요")
    answered_late = questions.ask_question(product=product, user=UserFactory(), body="재고 문의드려요")
    week_ago = timezone.now() - timedelta(days=7)
    ProductQuestion.objects.filter(pk__in=[late.pk, in_time.pk, answered_late.pk]).update(created_at=week_ago)
    ProductQuestion.objects.filter(pk=in_time.pk).update(answered_at=week_ago + timedelta(hours=3), answer="네")
    ProductQuestion.objects.filter(pk=answered_late.pk).update(answered_at=week_ago + timedelta(days=6), answer="네")

    entries = [entry for entry in compute_penalties(seller=product.seller).entries if entry.kind == QUESTION_LATE]
    assert sorted(entry.reference for entry in entries) == sorted([f"Q{late.pk}", f"Q{answered_late.pk}"])
    assert all(entry.points == 1 for entry in entries)


def test_the_dashboard_counts_questions_waiting_for_an_answer(client):
    product, _skus = make_product()
    questions.ask_question(product=product, user=UserFactory(), body="배송 언제 되나요?")
    questions.ask_question(product=product, user=UserFactory(), body="교환 되나요?", is_secret=True)
    staff = SellerStaff.objects.create(user=UserFactory(), seller=product.seller, role="orders").user
    client.force_login(staff)
    response = client.get(reverse("partner:dashboard"))
    assert response.context["data"]["questions_waiting"] == 2
    assert 'data-box="questions_waiting"' in response.content.decode()
