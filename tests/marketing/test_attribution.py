"""Order attribution frozen at placement: last non-direct touch within 7 days, first touch, across
the cookie (this device) and the account's visits (other devices)."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from marketing.funnel.attribution import Touch, choose_touches
from marketing.funnel.middleware import VisitState, current_visit
from marketing.funnel.sources import Source
from marketing.models import OrderAttribution, Visit
from orders.services import place_order
from tests.accounts.factories import UserFactory
from tests.orders.factories import DELIVERY, make_product

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def touch(days_ago: float, source="", medium="", campaign=""):
    return Touch(NOW - timedelta(days=days_ago), source, medium, campaign)


@pytest.mark.parametrize(("sequence", "expected_last", "expected_first"), [
    # only direct visits: direct
    ([touch(3), touch(0)], "", ""),
    # an ad two days ago, then direct today: the ad keeps the credit
    ([touch(2, "google", "cpc"), touch(0)], "google", "google"),
    # outside the 7-day window: direct, but the first touch remembers it
    ([touch(10, "naver", "cpc"), touch(1)], "", "naver"),
    # the latest non-direct touch wins; the first stays the first
    ([touch(3, "facebook", "social"), touch(1, "newsletter", "email"), touch(0.1)], "newsletter", "facebook"),
    # exactly inside the edge of the window
    ([touch(6.99, "kakao", "message")], "kakao", "kakao"),
])
def test_touch_sequences(sequence, expected_last, expected_first):
    last, first = choose_touches(candidates_last=sequence, candidates_first=sequence, now=NOW, window_days=7)
    assert (last.source if last else "") == expected_last
    assert (first.source if first else "") == expected_first


def _state(*, last=None, first=None) -> VisitState:
    return VisitState(visitor_id="v" * 24, session_id="s" * 24, now=time.time(), source=Source(), device="mobile",
                      first_touch=first, last_touch=last)


def _row(days_ago, source, medium, campaign=""):
    return [int((NOW - timedelta(days=days_ago)).timestamp()), source, medium, campaign, "", "", ""]


def _buy(user, state):
    _product, skus = make_product()
    token = current_visit.set(state)
    try:
        return place_order(user=user, items=[(skus[0].pk, 1)], delivery=DELIVERY, payment_method="card")
    finally:
        current_visit.reset(token)


def test_placing_an_order_freezes_the_cookie_touches():
    order = _buy(UserFactory(), _state(last=_row(2, "naver", "cpc", "fall"), first=_row(20, "instagram", "social")))
    attribution = OrderAttribution.objects.get(order=order)
    assert (attribution.source, attribution.medium, attribution.campaign) == ("naver", "cpc", "fall")
    assert (attribution.first_source, attribution.first_medium) == ("instagram", "social")
    assert attribution.session_id == "s" * 24 and attribution.device == "mobile"


def test_another_device_visit_of_the_account_wins_when_later():
    user = UserFactory()
    Visit.objects.create(id="p" * 24, visitor_id="x" * 24, user=user, started_at=NOW - timedelta(days=1),
                         source="kakao", medium="message", campaign="vip")
    order = _buy(user, _state(last=_row(3, "naver", "cpc"), first=_row(3, "naver", "cpc")))
    attribution = order.attribution
    assert (attribution.source, attribution.campaign) == ("kakao", "vip")
    assert attribution.first_source == "naver"


def test_no_touch_in_the_window_is_direct_and_later_visits_change_nothing():
    user = UserFactory()
    order = _buy(user, _state(last=_row(9, "naver", "cpc"), first=_row(9, "naver", "cpc")))
    assert order.attribution.source == ""
    Visit.objects.create(id="q" * 24, visitor_id="x" * 24, user=user, started_at=NOW, source="google", medium="cpc")
    from marketing.funnel.attribution import attribute_order

    again = attribute_order(order=order, state=_state(last=_row(0, "google", "cpc")))
    assert again.source == "" and OrderAttribution.objects.filter(order=order).count() == 1


def test_an_order_placed_outside_a_visit_still_gets_attribution_from_the_account():
    user = UserFactory()
    Visit.objects.create(id="r" * 24, visitor_id="x" * 24, user=user, started_at=NOW - timedelta(hours=5),
                         source="newsletter", medium="email")
    _product, skus = make_product()
    order = place_order(user=user, items=[(skus[0].pk, 1)], delivery=DELIVERY, payment_method="card")
    assert order.attribution.source == "newsletter" and order.attribution.session_id == ""
