"""Every action a person can take on a claim, from every status, against tables written here from
seed 001 and DOMAIN.md (not read from claims.services.TRANSITIONS): a wrong table in the code fails.

Each table maps an action to {status it may start from: status it ends in}. Any other start must
be refused with nothing changed (no status-change row, no money moved).
"""

import pytest
from django.utils import timezone

from claims.models import Claim
from claims.services import (
    approve_claim,
    approve_decision,
    complete_claim,
    complete_pickup,
    convert_claim,
    hold_claim,
    refund_return,
    reject_claim,
    release_hold,
    request_claim,
    retry_refund,
    ship_replacement,
    start_pickup,
    withdraw_claim,
)
from core.exceptions import DomainError
from core.models import StatusChange
from orders.models import OrderLine, Payment
from orders.services import place_order
from orders.services.claimed import release_claimed_units
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.orders.factories import DELIVERY, make_product, sized_product
from tests.orders.helpers import pay

St = Claim.Status

RETURN_STATUSES = ["requested", "approved", "pickup_started", "picked_up", "held", "refunding", "refund_failed",
                   "refunded", "completed", "rejected", "withdrawn", "converted"]
EXPECTED_RETURN = {
    "approve": {"requested": "approved"},
    "reject": {"requested": "rejected", "picked_up": "rejected", "held": "rejected"},
    "withdraw": {s: "withdrawn" for s in ["requested", "approved", "pickup_started", "picked_up", "held"]},
    "start_pickup": {"approved": "pickup_started"},
    "complete_pickup": {"pickup_started": "picked_up"},
    "hold": {"picked_up": "held"},
    "release_hold": {"held": "picked_up"},
    "refund": {"picked_up": "refunded"},
    "retry_refund": {"refund_failed": "refunded", "refunding": "refunded"},
    "complete": {"refunded": "completed"},
    # Until the refund; a held return is settled first, never converted (seed 001, issue 9 point 5).
    "convert": {s: "converted" for s in ["requested", "approved", "pickup_started", "picked_up"]},
}

EXCHANGE_STATUSES = ["requested", "approved", "pickup_started", "picked_up", "held", "replacement_shipped",
                     "completed", "rejected", "withdrawn", "converted"]
EXPECTED_EXCHANGE = {
    "approve": {"requested": "approved"},
    "reject": {"requested": "rejected", "picked_up": "rejected", "held": "rejected"},
    "withdraw": {s: "withdrawn" for s in ["requested", "approved", "pickup_started"]},
    "start_pickup": {"approved": "pickup_started"},
    "complete_pickup": {"pickup_started": "picked_up"},
    "hold": {"picked_up": "held"},
    "release_hold": {"held": "picked_up"},
    "ship_replacement": {"picked_up": "replacement_shipped"},
    "complete": {"replacement_shipped": "completed"},
    # A held or rejected exchange turns into a return request (seed 001: a failed exchange arrives as one).
    "convert": {s: "converted" for s in ["requested", "approved", "picked_up", "held", "rejected"]},
}

CANCEL_STATUSES = ["requested", "refunding", "refund_failed", "completed", "rejected", "withdrawn"]
EXPECTED_CANCEL = {
    "approve": {"requested": "completed"},  # approving a cancel request refunds it and ends it
    "reject": {"requested": "rejected"},
    "withdraw": {"requested": "withdrawn"},
    "start_pickup": {},
    "hold": {},
    "retry_refund": {"refund_failed": "completed", "refunding": "completed"},
    "convert": {},
}


def _act(action, claim, operator):
    shopper = claim.order.user
    if action == "approve":
        approve_claim(claim_id=claim.pk, actor=operator)
    elif action == "reject":
        reject_claim(claim_id=claim.pk, actor=operator, reason="사용 흔적", reason_code="other", courier_code="cj",
                     waybill_number="987698769876")
        claim.refresh_from_db()
        if claim.decision_pending:  # after pickup a rejection takes effect when an operator approves it
            approve_decision(claim_id=claim.pk, actor=operator)
    elif action == "withdraw":
        withdraw_claim(claim_id=claim.pk, shopper=shopper)
    elif action == "start_pickup":
        start_pickup(claim_id=claim.pk, actor=operator)
    elif action == "complete_pickup":
        complete_pickup(claim_id=claim.pk, actor=operator)
    elif action == "hold":
        hold_claim(claim_id=claim.pk, actor=operator, reason="구성품 확인", reason_code="other")
    elif action == "release_hold":
        release_hold(claim_id=claim.pk, actor=operator)
    elif action == "refund":
        refund_return(claim_id=claim.pk, actor=operator)
    elif action == "retry_refund":
        retry_refund(claim_id=claim.pk, actor=operator)
    elif action == "ship_replacement":
        ship_replacement(claim_id=claim.pk, actor=operator, courier_code="cj", waybill_number="555566667777")
    elif action == "complete":
        complete_claim(claim_id=claim.pk, actor=operator)
    elif action == "convert":
        convert_claim(claim_id=claim.pk, actor=operator, replacements=_replacements(claim))
    else:
        raise AssertionError(action)


def _replacements(claim):
    line = claim.lines.get().order_line
    other = line.product.skus.exclude(pk=line.sku_id).filter(price_delta_amount=line.option_delta_amount).first()
    return {line.pk: other.pk} if other else {}


def _force(claim, status):
    """Put the claim in ``status`` as if it got there; an ended claim has freed its units."""
    Claim.objects.filter(pk=claim.pk).update(status=status)
    if status in ("rejected", "withdrawn"):
        for claim_line in claim.lines.all():
            release_claimed_units(line_id=claim_line.order_line_id, quantity=claim_line.quantity)
    claim.refresh_from_db()


def _check(claim, order, action, expected_table, current):
    operator = OperatorFactory(groups=["cs"])
    before = (StatusChange.objects.count(), Payment.objects.get(order=order).cancelled_amount)
    expected = expected_table[action].get(current)
    if expected is None:
        with pytest.raises(DomainError):
            _act(action, claim, operator)
        claim.refresh_from_db()
        assert claim.status == current
        assert (StatusChange.objects.count(), Payment.objects.get(order=order).cancelled_amount) == before
    else:
        _act(action, claim, operator)
        claim.refresh_from_db()
        assert claim.status == expected


def _delivered_order(shopper, sku, quantity=1):
    order = place_order(user=shopper, items=[(sku.pk, quantity)], delivery=DELIVERY, payment_method="card")
    pay(order)
    OrderLine.objects.filter(order=order).update(status=OrderLine.Status.DELIVERED, delivered_at=timezone.now())
    return order


@pytest.mark.django_db
@pytest.mark.parametrize("current", RETURN_STATUSES)
@pytest.mark.parametrize("action", list(EXPECTED_RETURN))
def test_return_moves_follow_the_seed(current, action):
    shopper = UserFactory()
    _, (small, _medium, _large) = sized_product(stock=5)
    order = _delivered_order(shopper, small)
    claim = request_claim(order=order, claim_type="return", items=[(order.lines.get().pk, 1)],
                          reason_code="change_of_mind", requested_by=shopper, pickup_method="seller_collects")
    _force(claim, current)
    _check(claim, order, action, EXPECTED_RETURN, current)


@pytest.mark.django_db
@pytest.mark.parametrize("current", EXCHANGE_STATUSES)
@pytest.mark.parametrize("action", list(EXPECTED_EXCHANGE))
def test_exchange_moves_follow_the_seed(current, action):
    shopper = UserFactory()
    _, (small, medium, _large) = sized_product(stock=5)
    order = _delivered_order(shopper, small)
    line = order.lines.get()
    claim = request_claim(order=order, claim_type="exchange", items=[(line.pk, 1)], reason_code="defective",
                          requested_by=shopper, pickup_method="seller_collects", replacements={line.pk: medium.pk})
    _force(claim, current)
    _check(claim, order, action, EXPECTED_EXCHANGE, current)


@pytest.mark.django_db
@pytest.mark.parametrize("current", CANCEL_STATUSES)
@pytest.mark.parametrize("action", list(EXPECTED_CANCEL))
def test_cancel_moves_follow_the_seed(current, action):
    shopper = UserFactory()
    _, (sku,) = make_product(stock=5)
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(order)
    OrderLine.objects.filter(order=order).update(status=OrderLine.Status.READY_TO_SHIP)
    claim = request_claim(order=order, claim_type="cancel", items=[(order.lines.get().pk, 1)],
                          reason_code="change_of_mind", requested_by=shopper)
    assert claim.status == St.REQUESTED
    _force(claim, current)
    _check(claim, order, action, EXPECTED_CANCEL, current)


@pytest.mark.django_db
@pytest.mark.parametrize("current", ["held", "rejected"])
def test_a_held_or_rejected_exchange_converts_into_a_return_request(current):
    shopper = UserFactory()
    _, (small, medium, _large) = sized_product(stock=5)
    order = _delivered_order(shopper, small)
    line = order.lines.get()
    claim = request_claim(order=order, claim_type="exchange", items=[(line.pk, 1)], reason_code="wrong_option",
                          requested_by=shopper, pickup_method="seller_collects", replacements={line.pk: medium.pk})
    _force(claim, current)
    new = convert_claim(claim_id=claim.pk, actor=OperatorFactory(groups=["cs"]))
    assert (new.type, new.status) == ("return", "requested")
    line.refresh_from_db()
    assert line.held_quantity == 1  # the return request holds the unit again
