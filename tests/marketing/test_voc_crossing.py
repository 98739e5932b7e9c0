"""Issue 12 crossing the order lifecycle, with real threads on PostgreSQL: the review-reward job
and a review being written race the return of the same line; the survey-invitation job runs twice
at once. A returned line's review loses its reward exactly once, no reward is paid after the return,
and each confirmed order gets one survey invitation (one message)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from core.models import OutboxMessage
from marketing.models import PointEntry, Review, SurveyInvitation
from marketing.services import points, reviews, surveys
from marketing.services.reviews import ReviewError
from orders.services.claimed import LineRefundRecord, lock_line, record_refund
from tests.accounts.factories import UserFactory
from tests.marketing.voc_helpers import confirmed_line
from tests.orders.factories import make_product

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
REWARD = 100  # settings.REVIEW_REWARD_TEXT_AMOUNT below
REVIEW_KINDS = (PointEntry.Kind.REVIEW, PointEntry.Kind.REVIEW_CLAWBACK)
BODY = "색감이 사진과 같고 도톰해서 좋아요. 추천합니다."


@pytest.fixture(autouse=True)
def reward(settings):
    settings.REVIEW_REWARD_TEXT_AMOUNT = REWARD


def _return_whole_line(line, *, hold_seconds: float = 0.0, locked: threading.Event | None = None) -> None:
    """What the claim's refund step does to the line: lock it, record every unit refunded, commit."""
    with transaction.atomic():
        lock_line(line.pk)
        if locked is not None:
            locked.set()
        time.sleep(hold_seconds)
        record_refund([LineRefundRecord(line_id=line.pk, quantity=line.quantity, gross_amount=line.paid_amount,
                                        cash_amount=line.paid_amount - line.shipping_share_amount,
                                        shipping_amount=line.shipping_share_amount)])


def _in_thread(function):
    def run(*args):
        try:
            return function(*args)
        finally:
            connection.close()
    return run


def test_a_review_written_while_the_return_is_recorded_waits_for_it_and_earns_nothing():
    shopper = UserFactory()
    _product, (sku,) = make_product(stock=5)
    line = confirmed_line(shopper, sku)
    purchase_points = points.balance(user=shopper)  # earned on confirmation: not the review's business
    locked = threading.Event()

    def give_back(_):
        _return_whole_line(line, hold_seconds=0.5, locked=locked)
        return "returned"

    def write(_):
        assert locked.wait(10)
        try:
            reviews.write_review(line_id=line.pk, user=shopper, rating=5, body=BODY)
            return "reviewed"
        except ReviewError:
            return "refused"

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(lambda job: _in_thread(job)(None), [give_back, write]))
    assert results == ["refused", "returned"]
    assert not Review.objects.filter(line=line).exists()
    assert not PointEntry.objects.filter(line=line, kind__in=REVIEW_KINDS).exists()
    assert points.balance(user=shopper) == purchase_points


def test_the_reward_job_racing_the_return_and_itself_takes_the_reward_back_exactly_once():
    shopper = UserFactory()
    _product, (sku,) = make_product(stock=5)
    line = confirmed_line(shopper, sku)
    purchase_points = points.balance(user=shopper)  # earned on confirmation: not the review's business
    review = reviews.write_review(line_id=line.pk, user=shopper, rating=4, body=BODY)
    assert points.balance(user=shopper) == purchase_points + REWARD
    locked = threading.Event()

    # 1. The job runs while the return holds the line (not committed yet): it sees a confirmed line.
    def give_back(_):
        _return_whole_line(line, hold_seconds=0.5, locked=locked)
        return "returned"

    def job_during(_):
        assert locked.wait(10)
        return reviews.revoke_rewards_of_returned_lines()

    with ThreadPoolExecutor(max_workers=2) as pool:
        during = list(pool.map(lambda job: _in_thread(job)(None), [give_back, job_during]))
    assert during == ["returned", 0]
    review.refresh_from_db()
    assert review.reward_revoked_at is None and points.balance(user=shopper) == purchase_points + REWARD

    # 2. After the return, two workers run the job at once: the reward goes back once.
    barrier = threading.Barrier(3, timeout=30)

    def job(_):
        barrier.wait()
        return reviews.revoke_rewards_of_returned_lines()

    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(_in_thread(job), range(3)))
    clawbacks = PointEntry.objects.filter(line=line, kind=PointEntry.Kind.REVIEW_CLAWBACK)
    assert list(clawbacks.values_list("amount", flat=True)) == [-REWARD]
    assert points.balance(user=shopper) == purchase_points
    review.refresh_from_db()
    assert review.reward_revoked_at is not None
    assert reviews.revoke_rewards_of_returned_lines() == 0 and clawbacks.count() == 1

    # 3. No reward after the return: the line cannot be reviewed again for points.
    with pytest.raises(ReviewError):
        reviews.write_review(line_id=line.pk, user=shopper, rating=5, body=BODY)
    assert PointEntry.objects.filter(line=line, kind=PointEntry.Kind.REVIEW).count() == 1


def test_two_invitation_jobs_at_once_invite_each_confirmed_order_once():
    shoppers = [UserFactory() for _ in range(3)]
    _product, (sku,) = make_product(stock=10)
    lines = [confirmed_line(shopper, sku) for shopper in shoppers]
    barrier = threading.Barrier(2, timeout=30)

    def job(_):
        barrier.wait()
        return surveys.invite_confirmed_orders()

    with ThreadPoolExecutor(max_workers=2) as pool:
        invited = list(pool.map(_in_thread(job), range(2)))
    assert sum(invited) == 3
    assert sorted(SurveyInvitation.objects.values_list("order_id", flat=True)) == sorted(
        line.order_id for line in lines)
    messages = OutboxMessage.objects.filter(event="survey.invited")
    invitation_ids = set(SurveyInvitation.objects.values_list("pk", flat=True))
    assert set(messages.values_list("subject_id", flat=True)) == invitation_ids
    # one message per invitation and channel (mail), never two
    assert messages.count() == len(set(messages.values_list("subject_id", "channel")))
    sent = messages.count()
    assert surveys.invite_confirmed_orders() == 0 and messages.count() == sent
