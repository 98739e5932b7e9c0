"""Issue 9 point 5 (seed 001, 보류 및 거부 승인): a hold the seller proposes after inspection, with
its Naver class, waits for an operator; approved, the shopper reads its reason; refused, the
claim goes on and the shopper never hears of it.

End to end through the pages people use: the seller's portal, the operator's console, the
shopper's claim page and the messages queued for the shopper.
"""

import pytest
from django.urls import reverse

from claims.models import Claim
from core.models import OutboxMessage
from tests.accounts.factories import OperatorFactory
from tests.partners.factories import return_claim, seller_with_staff

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
St = Claim.Status
REASON = "구성품(충전기) 누락: 추가 비용 5,000원을 입금해 주세요"


def _picked_up_return_with_a_proposed_hold(client):
    """The seller picks the return up and proposes a hold (extra fee class, 5,000 won) from its portal."""
    seller, staff = seller_with_staff(role="orders")
    claim = return_claim(seller=seller)
    client.force_login(staff)
    for step, data in (("approve", {}), ("start_pickup", {"pickup-courier": "cj", "pickup-waybill_number": ""}),
                       ("complete_pickup", {}),
                       ("hold", {"hold-reason_code": "extra_fee", "hold-fee_amount": "5000", "hold-reason": REASON,
                                 "hold-internal_note": "박스 훼손, 사진 첨부"})):
        response = client.post(reverse("partner:claim_step", args=[claim.pk, step]), data)
        assert response.status_code == 302, (step, response.content.decode()[:400])
    claim.refresh_from_db()
    return claim


def _shopper_messages_about(claim, text: str) -> int:
    return OutboxMessage.objects.filter(recipient=claim.order.orderer_email, body__contains=text).count()


def _shopper_page(client, claim) -> str:
    client.force_login(claim.order.user)
    return client.get(reverse("shop:claim_detail", args=[claim.number])).content.decode()


def test_a_seller_hold_with_its_class_waits_for_the_operator_then_the_shopper_reads_its_reason(client):
    claim = _picked_up_return_with_a_proposed_hold(client)
    assert (claim.status, claim.hold_reason_code, claim.hold_fee_amount) == (St.HELD, "extra_fee", 5000)
    assert claim.decision_pending == St.HELD and claim.decision_approved_by is None
    # Not approved yet: the shopper is neither told nor shown the reason.
    assert _shopper_messages_about(claim, REASON) == 0
    assert REASON not in _shopper_page(client, claim)

    operator = OperatorFactory(groups=["cs"])
    client.force_login(operator)
    console = client.get(reverse("console:claims:detail", args=[claim.number])).content.decode()
    assert "Waiting for approval" in console and "Refuse the hold or rejection" in console
    client.post(reverse("console:claims:step", args=[claim.number, "approve_decision"]))

    claim.refresh_from_db()
    assert claim.status == St.HELD and claim.decision_pending == "" and claim.decision_approved_by == operator
    assert _shopper_messages_about(claim, REASON) == 1  # the shopper's mail names the reason
    page = _shopper_page(client, claim)
    assert REASON in page and "박스 훼손" not in page  # the internal note stays inside


def test_an_operator_refuses_a_seller_hold_and_the_return_goes_on(client):
    claim = _picked_up_return_with_a_proposed_hold(client)
    client.force_login(OperatorFactory(groups=["cs"]))
    client.post(reverse("console:claims:step", args=[claim.number, "refuse_decision"]))

    claim.refresh_from_db()
    assert claim.status == St.PICKED_UP and claim.decision_pending == ""
    assert (claim.hold_reason, claim.hold_reason_code, claim.hold_fee_amount) == ("", "", 0)
    assert _shopper_messages_about(claim, REASON) == 0 and REASON not in _shopper_page(client, claim)
    client.force_login(OperatorFactory(groups=["cs"]))
    client.post(reverse("console:claims:step", args=[claim.number, "refund"]))  # the return carries on
    claim.refresh_from_db()
    assert claim.status in (St.REFUNDED, St.COMPLETED) and claim.refund_amount > 0


def test_the_seller_cannot_approve_its_own_hold(client):
    claim = _picked_up_return_with_a_proposed_hold(client)
    response = client.post(reverse("partner:claim_step", args=[claim.pk, "approve_decision"]))
    claim.refresh_from_db()
    assert response.status_code == 404 and claim.decision_pending == St.HELD
