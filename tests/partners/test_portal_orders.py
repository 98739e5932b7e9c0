"""The seller's order lines and claims in the portal (issue 10): only its own lines, acknowledge, waybill one
by one and by Excel, ship, delay, backorder, stock-out cancel; claims on its lines; masked contacts;
the dashboard's counts in a constant number of queries."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim
from core.models import OutboxMessage
from orders.models import OrderLine
from tests.partners.factories import delivered_line, paid_order, return_claim, seller_with_staff

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
LS = OrderLine.Status


def test_the_list_shows_only_the_sellers_lines_with_tab_counts(client):
    seller, owner = seller_with_staff()
    other, _other_owner = seller_with_staff()
    _order, mine = paid_order(seller=seller)
    _order, theirs = paid_order(seller=other)
    client.force_login(owner)

    page = client.get(reverse("partner:line_list") + "?tab=paid").content.decode()

    assert f'data-line="{mine.pk}"' in page and f'data-line="{theirs.pk}"' not in page
    response = client.get(reverse("partner:line_list") + f"?tab=all&q={theirs.order.number}")
    assert f'data-line="{theirs.pk}"' not in response.content.decode()


def test_acknowledge_waybill_and_ship_from_the_portal(client):
    seller, owner = seller_with_staff(role="orders")
    order, line = paid_order(seller=seller)
    client.force_login(owner)

    client.post(reverse("partner:bulk_acknowledge"), {"lines": [line.pk]})
    line.refresh_from_db()
    assert line.status == LS.PREPARING and line.acknowledged_at
    bad = client.post(reverse("partner:set_waybill", args=[line.pk]), {"courier": "cj", "waybill_number": "12"})
    line.refresh_from_db()
    assert bad.status_code == 302 and line.status == LS.PREPARING and not line.waybill_number
    client.post(reverse("partner:set_waybill", args=[line.pk]), {"courier": "cj", "waybill_number": "123456789012"})
    line.refresh_from_db()
    assert (line.status, line.waybill_number) == (LS.READY_TO_SHIP, "123456789012")
    client.post(reverse("partner:mark_shipped", args=[line.pk]))
    line.refresh_from_db()
    assert line.status == LS.SHIPPING
    assert OutboxMessage.objects.filter(event="line.shipped", recipient=order.orderer_email).exists()


def _waybill_file(rows):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["주문번호", "주문상품번호", "택배사", "송장번호"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("waybills.xlsx", buffer.getvalue())


def test_waybills_by_excel_apply_only_to_the_sellers_lines_all_or_nothing(client):
    from orders.services.fulfilment import acknowledge_line

    seller, owner = seller_with_staff()
    other, other_owner = seller_with_staff()
    _order, mine = paid_order(seller=seller)
    _order, theirs = paid_order(seller=other)
    acknowledge_line(line_id=mine.pk, actor=owner)
    acknowledge_line(line_id=theirs.pk, actor=other_owner)
    client.force_login(owner)
    download = client.get(reverse("partner:waybill_download"))
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxml")

    upload = client.post(reverse("partner:waybill_upload"), {"file": _waybill_file([
        [mine.order.number, mine.pk, "CJ대한통운", "111122223333"],
        [theirs.order.number, theirs.pk, "CJ대한통운", "111122224444"]])})
    preview_url = upload["Location"]
    preview = client.get(preview_url).content.decode()
    assert f"There is no order line {theirs.pk}" in preview
    client.post(preview_url + "apply/")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == theirs.status == LS.PREPARING  # nothing applied

    upload = client.post(reverse("partner:waybill_upload"), {"file": _waybill_file([
        [mine.order.number, mine.pk, "CJ대한통운", "111122223333"]])})
    client.post(upload["Location"] + "apply/")
    mine.refresh_from_db()
    assert (mine.status, mine.waybill_number) == (LS.READY_TO_SHIP, "111122223333")


def test_delay_backorder_and_stock_cancel_are_told_to_the_shopper(client):
    seller, owner = seller_with_staff()
    order, line = paid_order(seller=seller, quantity=1)
    _order2, line2 = paid_order(seller=seller)
    client.force_login(owner)
    later = (timezone.localdate() + timedelta(days=5)).isoformat()
    client.post(reverse("partner:register_delay", args=[line.pk]),
                {"delay-new_ship_by": later, "delay-reason": "made_to_order", "delay-note": "주문 제작"})
    line.refresh_from_db()
    assert (line.ship_by_date.isoformat(), line.delay_reason) == (later, "made_to_order")
    client.post(reverse("partner:backorder", args=[line.pk]), {"backorder-expected_date": later})
    line.refresh_from_db()
    assert line.backorder_expected_date.isoformat() == later
    client.post(reverse("partner:cancel_for_stock", args=[line2.pk]), {"cancel-reason": "품절"})
    line2.refresh_from_db()
    assert line2.status == LS.CANCELLED and line2.refunded_amount == line2.paid_amount
    events = set(OutboxMessage.objects.values_list("event", flat=True))
    assert {"line.delayed", "line.cancelled_for_stock"} <= events


def test_contacts_are_shown_while_fulfilling_and_masked_90_days_after_confirmation(client):
    seller, owner = seller_with_staff()
    _order, line = paid_order(seller=seller)
    client.force_login(owner)
    page = client.get(reverse("partner:line_detail", args=[line.pk])).content.decode()
    assert "010-1234-5678" in page and "테헤란로 152" in page
    OrderLine.objects.filter(pk=line.pk).update(status=LS.CONFIRMED,
                                                confirmed_at=timezone.now() - timedelta(days=91))
    page = client.get(reverse("partner:line_detail", args=[line.pk])).content.decode()
    assert "010-1234-5678" not in page and "010-****-5678" in page and "테헤란로 152" not in page
    assert "김*매" in page


def test_a_return_from_approval_to_pickup_hold_and_release_by_the_seller(client):
    seller, owner = seller_with_staff(role="orders")
    claim = return_claim(seller=seller)
    client.force_login(owner)
    detail = reverse("partner:claim_detail", args=[claim.pk])
    assert client.get(detail).status_code == 200

    for step, data in (("approve", {}), ("start_pickup", {"pickup-courier": "cj", "pickup-waybill_number": ""}),
                       ("complete_pickup", {}), ("hold", {"hold-reason": "구성품 누락", "hold-reason_code": "other"}), ("release_hold", {})):
        client.post(reverse("partner:claim_step", args=[claim.pk, step]), data)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PICKED_UP and claim.picked_up_at and claim.refund_due_date
    # The refund is the operator's: the seller sees it, cannot make it.
    assert client.post(reverse("partner:claim_step", args=[claim.pk, "refund"])).status_code == 404
    client.post(reverse("partner:claim_memo", args=[claim.pk]), {"body": "검수 완료, 환불 부탁드립니다"})
    assert claim.memos.get().author == owner
    assert "검수 완료" in client.get(detail).content.decode()


def test_a_cancel_request_of_a_line_ready_to_ship_is_approved_by_the_seller(client):
    from claims.services import request_claim
    from orders.services.fulfilment import acknowledge_line, set_waybill

    seller, owner = seller_with_staff()
    order, line = paid_order(seller=seller)
    acknowledge_line(line_id=line.pk, actor=owner)
    set_waybill(line_id=line.pk, courier_code="cj", waybill_number="999988887777", actor=owner)
    claim = request_claim(order=order, claim_type=Claim.Type.CANCEL, items=[(line.pk, 1)],
                          reason_code="change_of_mind", requested_by=order.user)
    client.force_login(owner)
    assert f'data-claim="{claim.pk}"' in client.get(reverse("partner:claim_list") + "?tab=cancel_requests").content.decode()

    client.post(reverse("partner:claim_step", args=[claim.pk, "approve"]))

    claim.refresh_from_db()
    line.refresh_from_db()
    assert claim.status == Claim.Status.COMPLETED and line.status == LS.CANCELLED


def test_the_dashboard_counts_link_to_lists_in_constant_queries(client):
    seller, owner = seller_with_staff()
    paid_order(seller=seller)
    return_claim(seller=seller)
    client.force_login(owner)
    client.get(reverse("partner:dashboard"))  # warm the content types and the session

    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("partner:dashboard")).content.decode()
    assert 'href="/partner/orders/?tab=paid"' in page and 'href="/partner/claims/?tab=return_requests"' in page
    for _ in range(4):
        paid_order(seller=seller)
        return_claim(seller=seller)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("partner:dashboard"))
    assert len(many) == len(few) <= 12


def test_dashboard_numbers_are_the_sellers_own():
    from partners.selectors import get_seller_dashboard

    seller, _owner = seller_with_staff()
    other, _ = seller_with_staff()
    paid_order(seller=seller, price=20000, quantity=2)
    paid_order(seller=other, price=50000)
    return_claim(seller=seller)
    delivered_line(seller=other)
    data = get_seller_dashboard(seller=seller)
    assert data["lines"]["paid"] == 1 and data["lines"]["new"] == 1
    assert data["claims"]["return_requests"] == 1
    assert data["sales_amount"] == 40000 + 20000  # the claimed line was paid today too
