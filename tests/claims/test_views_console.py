"""The claim console: access, lists and counts, bulk steps, refunds due, the claim page and its steps."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.models import Claim
from claims.services import approve_claim, complete_pickup, request_claim, start_pickup
from core.models import StatusChange
from orders.models import OrderLine, Payment
from orders.services import place_order
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.orders.factories import DELIVERY, make_product, sized_product
from tests.orders.helpers import pay

T, St = Claim.Type, Claim.Status
LS = OrderLine.Status
LIST = "/console/claims/"


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def delivered_order(*, price=20000, quantity=2, sku=None, shopper=None):
    shopper = shopper or UserFactory()
    if sku is None:
        _, (sku,) = make_product(price=price, stock=50)
    order = place_order(user=shopper, items=[(sku.pk, quantity)], delivery=DELIVERY, payment_method="card")
    pay(order)
    OrderLine.objects.filter(order=order).update(status=LS.DELIVERED, delivered_at=timezone.now())
    return order


def a_return(*, reason="change_of_mind", quantity=1, **kwargs) -> Claim:
    order = delivered_order(**kwargs)
    return request_claim(order=order, claim_type=T.RETURN, items=[(order.lines.get().pk, quantity)],
                         reason_code=reason, requested_by=order.user, pickup_method="seller_collects")


def cs(client):
    operator = OperatorFactory(groups=["cs"])
    client.force_login(operator)
    return operator


def steps_on(html: str) -> set[str]:
    return set(re.findall(r'data-step="([a-z_]+)"', html))


# --- Access ------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login(client):
    claim = a_return()
    for url in (LIST, f"{LIST}refunds-due/", f"{LIST}{claim.number}/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]
    response = client.post(f"{LIST}{claim.number}/approve/")
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.django_db
def test_shoppers_and_staff_without_claim_rights_get_403(client):
    claim = a_return()
    for user in (UserFactory(), OperatorFactory(groups=["settlement"]), OperatorFactory(groups=["marketing"])):
        client.force_login(user)
        for url in (LIST, f"{LIST}refunds-due/", f"{LIST}{claim.number}/"):
            assert client.get(url).status_code == 403
        assert client.post(f"{LIST}{claim.number}/approve/").status_code == 403
        assert client.post(f"{LIST}bulk/", {"action": "approve", "claims": [claim.pk]}).status_code == 403
    claim.refresh_from_db()
    assert claim.status == St.REQUESTED


@pytest.mark.django_db
def test_view_only_staff_see_the_claim_but_no_steps(client):
    viewers = Group.objects.create(name="claim viewers")
    viewers.permissions.add(Permission.objects.get(codename="view_claim"))
    viewer = OperatorFactory()
    viewer.groups.add(viewers)
    client.force_login(viewer)
    claim = a_return()
    html = client.get(f"{LIST}{claim.number}/").content.decode()
    assert claim.number in html and not steps_on(html)
    assert client.post(f"{LIST}{claim.number}/approve/").status_code == 403
    assert 'id="bulk-form"' not in client.get(f"{LIST}?type=return").content.decode()


@pytest.mark.django_db
def test_an_unknown_claim_is_404(client):
    cs(client)
    assert client.get(f"{LIST}C20990101-99999/").status_code == 404


# --- Lists ----------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_list_has_type_and_status_tabs_with_counts_and_search(client):
    cs(client)
    first, second = a_return(), a_return()
    approve_claim(claim_id=second.pk, actor=OperatorFactory(groups=["cs"]))
    html = client.get(f"{LIST}?type=return").content.decode()
    assert first.number in html and second.number in html
    tabs = html.split('aria-label="Claim status"')[1].split("</nav>")[0]
    assert re.search(r"Requested <span class=\"tab-count\">1<", tabs)
    assert re.search(r"Approved <span class=\"tab-count\">1<", tabs)
    html = client.get(f"{LIST}?type=return&status=requested").content.decode()
    assert first.number in html and second.number not in html
    html = client.get(f"{LIST}?type=return&q={second.number}").content.decode()
    assert second.number in html and first.number not in html
    html = client.get(f"{LIST}?type=return&q={first.order.number}").content.decode()
    assert first.number in html and second.number not in html
    html = client.get(f"{LIST}?type=cancel").content.decode()
    assert first.number not in html and "No claims in this status." in html


@pytest.mark.django_db
def test_without_a_type_the_list_opens_where_work_waits(client):
    cs(client)
    claim = a_return()
    html = client.get(f"{LIST}?status=requested").content.decode()
    assert claim.number in html


@pytest.mark.django_db
def test_the_list_runs_the_same_queries_for_2_and_20_claims(client):
    cs(client)
    order = delivered_order(quantity=20)
    line = order.lines.get()

    def add(n):
        for _ in range(n):
            request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 1)], reason_code="defective",
                          requested_by=order.user, pickup_method="seller_collects")

    add(2)
    client.get(f"{LIST}?type=return")
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{LIST}?type=return").status_code == 200
    add(18)
    with CaptureQueriesContext(connection) as many:
        html = client.get(f"{LIST}?type=return").content.decode()
    assert html.count('name="claims"') == 20
    assert len(few) == len(many), [q["sql"] for q in many.captured_queries]


@pytest.mark.django_db
def test_bulk_approve_reports_per_claim(client):
    operator = cs(client)
    first, second, third = a_return(), a_return(), a_return()
    approve_claim(claim_id=third.pk, actor=operator)
    response = client.post(f"{LIST}bulk/", {"action": "approve", "claims": [first.pk, second.pk, third.pk],
                                            "next": f"{LIST}?type=return"})
    assert response.status_code == 302 and response["Location"] == f"{LIST}?type=return"
    messages = texts(response)
    assert "Approve: 2 done, 1 refused." in messages[0]
    assert any(third.number in text for text in messages[1:])
    assert set(Claim.objects.values_list("status", flat=True)) == {St.APPROVED}

    response = client.post(f"{LIST}bulk/", {"action": "start_pickup", "claims": [first.pk, second.pk]})
    assert any("Start pickup: 2 done, 0 refused" in text for text in texts(response))
    response = client.post(f"{LIST}bulk/", {"action": "complete_pickup", "claims": [first.pk]})
    first.refresh_from_db()
    assert first.status == St.PICKED_UP and first.refund_due_date is not None


@pytest.mark.django_db
def test_bulk_without_a_selection_says_so(client):
    cs(client)
    response = client.post(f"{LIST}bulk/", {"action": "approve"})
    assert response.status_code == 302 and "Select at least one claim." in texts(response)


@pytest.mark.django_db
def test_refunds_due_lists_late_returns_in_red(client):
    operator = cs(client)
    late, later, waiting = a_return(), a_return(), a_return()
    for claim in (late, later):
        for step in (approve_claim, start_pickup, complete_pickup):
            step(claim_id=claim.pk, actor=operator)
    today = timezone.localdate()
    Claim.objects.filter(pk=late.pk).update(refund_due_date=today - timedelta(days=1))
    Claim.objects.filter(pk=later.pk).update(refund_due_date=today + timedelta(days=2))
    html = client.get(f"{LIST}refunds-due/").content.decode()
    assert late.number in html and later.number not in html and waiting.number not in html
    assert f'id="claim-{late.pk}" class="is-overdue"' in html
    dashboard = client.get("/console/").content.decode()
    assert "Claims waiting" in dashboard and "1 refunds due" in dashboard


# --- The claim page ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_page_offers_exactly_the_steps_the_table_allows(client):
    operator = cs(client)
    claim = a_return()
    page = f"{LIST}{claim.number}/"
    assert steps_on(client.get(page).content.decode()) == {"approve", "reject", "convert"}
    approve_claim(claim_id=claim.pk, actor=operator)
    assert steps_on(client.get(page).content.decode()) == {"start_pickup", "convert"}
    start_pickup(claim_id=claim.pk, actor=operator)
    assert steps_on(client.get(page).content.decode()) == {"complete_pickup", "convert"}
    complete_pickup(claim_id=claim.pk, actor=operator)
    html = client.get(page).content.decode()
    assert steps_on(html) == {"hold", "refund", "reject", "convert", "inspect"}
    assert "Cash back" in html
    Claim.objects.filter(pk=claim.pk).update(status=St.HELD)
    assert steps_on(client.get(page).content.decode()) == {"release_hold", "reject", "inspect"}


@pytest.mark.django_db
def test_a_return_through_every_step_from_the_page(client):
    cs(client)
    claim = a_return(price=30000, quantity=1, reason="defective")
    page = f"{LIST}{claim.number}/"

    def step(name, data=None):
        response = client.post(f"{page}{name}/", data or {})
        claim.refresh_from_db()
        return response

    assert step("approve").status_code == 302 and claim.status == St.APPROVED
    response = step("start_pickup", {"pickup-courier": "", "pickup-waybill_number": "123412341234"})
    assert response.status_code == 400 and claim.status == St.APPROVED  # a waybill needs its courier
    step("start_pickup", {"pickup-courier": "cj", "pickup-waybill_number": "123412341234"})
    assert claim.status == St.PICKUP_STARTED and claim.pickup_waybill == "123412341234"
    step("complete_pickup")
    assert claim.status == St.PICKED_UP
    response = step("hold", {"hold-reason": "", "hold-reason_code": "other"})
    assert response.status_code == 400 and claim.status == St.PICKED_UP
    step("hold", {"hold-reason": "구성품 누락", "hold-reason_code": "product_not_returned"})
    assert claim.status == St.HELD and claim.hold_reason == "구성품 누락"
    step("release_hold")
    assert claim.status == St.PICKED_UP
    response = step("refund")
    assert claim.status == St.REFUNDED and claim.refund_amount == 30000
    assert Payment.objects.get(order=claim.order).cancelled_amount == 30000
    assert any("Refunded" in text for text in texts(response))
    step("complete")
    assert claim.status == St.COMPLETED
    html = client.get(page).content.decode()
    assert not steps_on(html)
    for label in ("Approved", "Pickup in progress", "Picked up", "On hold", "Refunded", "Completed"):
        assert label in html
    assert "claim.updated" in html  # the messages sent


@pytest.mark.django_db
def test_a_step_the_table_does_not_allow_is_refused_and_changes_nothing(client):
    cs(client)
    claim = a_return()
    before = StatusChange.objects.count()
    response = client.post(f"{LIST}{claim.number}/refund/")
    assert response.status_code == 302 and "not a step this claim can take now" in texts(response)[0]
    response = client.post(f"{LIST}{claim.number}/complete_pickup/")
    claim.refresh_from_db()
    assert claim.status == St.REQUESTED and StatusChange.objects.count() == before
    assert Payment.objects.get(order=claim.order).cancelled_amount == 0
    assert client.post(f"{LIST}{claim.number}/explode/").status_code == 404


@pytest.mark.django_db
def test_reject_needs_a_reason(client):
    cs(client)
    claim = a_return()
    response = client.post(f"{LIST}{claim.number}/reject/", {"reject-reason": ""})
    assert response.status_code == 400 and "Give the reason." in response.content.decode()
    client.post(f"{LIST}{claim.number}/reject/", {"reject-reason": "사용 흔적"})
    claim.refresh_from_db()
    assert claim.status == St.REJECTED and claim.reject_reason == "사용 흔적"


@pytest.mark.django_db
def test_an_exchange_ships_its_replacement_and_completes(client):
    operator = cs(client)
    _, (small, medium, _large) = sized_product(price=20000, stock=5)
    order = delivered_order(sku=small, quantity=1)
    claim = request_claim(order=order, claim_type=T.EXCHANGE, items=[(order.lines.get().pk, 1)],
                          reason_code="defective", requested_by=order.user, pickup_method="seller_collects",
                          replacements={order.lines.get().pk: medium.pk})
    for service in (approve_claim, start_pickup, complete_pickup):
        service(claim_id=claim.pk, actor=operator)
    page = f"{LIST}{claim.number}/"
    assert steps_on(client.get(page).content.decode()) == {"ship_replacement", "hold", "reject", "convert", "inspect"}
    response = client.post(f"{page}ship_replacement/", {"ship-courier": "cj", "ship-waybill_number": "12"})
    claim.refresh_from_db()
    assert response.status_code == 302 and claim.status == St.PICKED_UP and texts(response)  # bad waybill
    client.post(f"{page}ship_replacement/", {"ship-courier": "cj", "ship-waybill_number": "567856785678"})
    claim.refresh_from_db()
    assert claim.status == St.REPLACEMENT_SHIPPED
    client.post(f"{page}complete/")
    claim.refresh_from_db()
    assert claim.status == St.COMPLETED


@pytest.mark.django_db
def test_converting_from_the_console(client):
    cs(client)
    _, (small, medium, _large) = sized_product(price=20000, stock=5)
    order = delivered_order(sku=small, quantity=1)
    line = order.lines.get()
    claim = request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 1)], reason_code="wrong_option",
                          requested_by=order.user, pickup_method="seller_collects")
    response = client.post(f"{LIST}{claim.number}/convert/", {})
    assert response.status_code == 400 and Claim.objects.count() == 1
    response = client.post(f"{LIST}{claim.number}/convert/", {f"convert-replacement_{line.pk}": str(medium.pk)})
    exchange = Claim.objects.get(type=T.EXCHANGE)
    assert response["Location"] == f"{LIST}{exchange.number}/"
    html = client.get(response["Location"]).content.decode()
    assert f"Converted from {claim.number}" in html
    response = client.post(f"{LIST}{exchange.number}/convert/")
    assert Claim.objects.filter(type=T.RETURN, status=St.REQUESTED).exists()


@pytest.mark.django_db
def test_the_page_shows_photos_and_only_this_claims_messages(client):
    from claims.photos import attach_claim_photos
    from tests.claims.test_views_shop import jpeg

    cs(client)
    order = delivered_order(quantity=2)
    line = order.lines.get()
    first = request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 1)], reason_code="defective",
                          requested_by=order.user, pickup_method="seller_collects")
    second = request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 1)], reason_code="defective",
                           requested_by=order.user, pickup_method="seller_collects")
    attach_claim_photos(claim=first, files=[jpeg()])
    html = client.get(f"{LIST}{first.number}/").content.decode()
    photo = first.photos.get()
    assert f"/claims/photos/{photo.pk}/" in html
    assert client.get(f"/claims/photos/{photo.pk}/").status_code == 200  # operators with claim rights see it
    outbox = html.split('id="outbox-title"')[1]
    assert outbox.count("claim.updated") >= 1
    from core.outbox import messages_about

    about_first = [m for m in messages_about(order) if first.number in m.dedupe_key]
    about_second = [m for m in messages_about(order) if second.number in m.dedupe_key]
    assert about_first and about_second
    assert outbox.count("<li>") == len(about_first)


@pytest.mark.django_db
def test_the_console_menu_links_to_claims(client):
    cs(client)
    assert 'href="/console/claims/"' in client.get("/console/").content.decode()


@pytest.mark.django_db
def test_cs_opens_a_return_for_the_shopper_from_the_order_page(client):
    """Issue 9: operators open a cancel, return or exchange on the shopper's behalf."""
    operator = cs(client)
    claim_before = a_return()  # another order's claim: untouched
    shopper = UserFactory()
    _, (sku,) = make_product(price=20000, stock=5)
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(order)
    OrderLine.objects.filter(order=order).update(status=OrderLine.Status.DELIVERED, delivered_at=timezone.now())
    line = order.lines.get()
    page = client.get(f"/console/orders/{order.number}/").content.decode()
    assert f"/console/claims/new/{order.number}/return/" in page
    url = f"/console/claims/new/{order.number}/return/"
    assert client.get(url).status_code == 200
    response = client.post(url, {f"line_{line.pk}": "on", f"quantity_{line.pk}": "1", "reason": ""})
    assert response.status_code == 400 and Claim.objects.count() == 1  # no reason: nothing opened
    response = client.post(url, {f"line_{line.pk}": "on", f"quantity_{line.pk}": "1", "reason": "defective",
                                 "pickup_method": "seller_collects", "detail": "전화 접수"})
    claim = Claim.objects.exclude(pk=claim_before.pk).get()
    assert response.status_code == 302 and response["Location"].endswith(f"/console/claims/{claim.number}/")
    assert (claim.type, claim.status, claim.requested_by) == ("return", "requested", operator)


@pytest.mark.django_db
def test_a_refund_the_pg_refused_is_listed_and_retried_from_the_console(client, monkeypatch):
    """Issue 9 point 12: a console list of refunds that failed at the PG, with a retry button."""
    from orders.payments import GatewayError
    from orders.payments.sandbox import SandboxPG

    cs(client)
    shopper = UserFactory()
    _, (sku,) = make_product(price=20000, stock=5)
    order = place_order(user=shopper, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(order)
    real_cancel = SandboxPG.cancel

    def refused(**kwargs):
        raise GatewayError("잔액 부족", code="NOT_ENOUGH_BALANCE")

    monkeypatch.setattr(SandboxPG, "cancel", staticmethod(refused))
    claim = request_claim(order=order, claim_type=T.CANCEL, items=[(order.lines.get().pk, 1)],
                          reason_code="change_of_mind", requested_by=shopper)
    claim.refresh_from_db()
    assert claim.status == St.REFUND_FAILED
    listing = client.get(f"{LIST}refunds-failed/").content.decode()
    assert claim.number in listing and "잔액 부족" in listing and 'data-step="retry_refund"' in listing
    assert 'data-step="retry_refund"' in client.get(f"{LIST}{claim.number}/").content.decode()
    monkeypatch.setattr(SandboxPG, "cancel", real_cancel)
    response = client.post(f"{LIST}{claim.number}/retry_refund/")
    claim.refresh_from_db()
    assert response.status_code == 302 and claim.status == St.COMPLETED
    assert Payment.objects.get(order=order).cancelled_amount == order.total_amount
    assert claim.number not in client.get(f"{LIST}refunds-failed/").content.decode()
