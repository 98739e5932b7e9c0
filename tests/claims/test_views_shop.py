"""The shopper's claim pages: buttons on the order page, the request with its preview, the claim page."""

import io
import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import SKU
from claims.models import Claim, ClaimPhoto
from claims.services import request_claim
from core.models import StatusChange
from orders.models import OrderLine, Payment
from orders.services import place_order
from tests.accounts.factories import UserFactory
from tests.orders.factories import DELIVERY, make_product, sized_product
from tests.orders.helpers import pay

T, St = Claim.Type, Claim.Status
LS = OrderLine.Status


def paid_order(shopper, *, price=30000, quantity=2, stock=10, method="card", product=None):
    if product is None:
        _, (sku,) = make_product(price=price, stock=stock)
    else:
        sku = product
    order = place_order(user=shopper, items=[(sku.pk, quantity)], delivery=DELIVERY, payment_method=method)
    pg = pay(order)
    if method == "virtual_account":
        from orders.payments.sandbox import SandboxPG
        from orders.services import expire_unpaid_orders

        SandboxPG.deposit(payment_key=pg.payment_key)
        expire_unpaid_orders(now=order.expires_at + timedelta(seconds=1))
        order.refresh_from_db()
    return order


def deliver(order, *, days_ago=0):
    OrderLine.objects.filter(order=order).update(status=LS.DELIVERED,
                                                 delivered_at=timezone.now() - timedelta(days=days_ago))


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def jpeg(name="defect.jpg") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def amount(html: str, key: str) -> int:
    """The number shown in ``data-amount="key"`` (e.g. "−₩6,000" → -6000)."""
    text = re.search(rf'data-amount="{key}">([^<]*)<', html).group(1)
    digits = int(re.sub(r"\D", "", text) or 0)
    return -digits if text.strip().startswith("−") else digits


def url(order, claim_type):
    return f"/orders/{order.number}/claims/{claim_type}/"


# --- Access ----------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login(client):
    shopper = UserFactory()
    order = paid_order(shopper)
    claim = request_claim(order=order, claim_type=T.CANCEL, items=[(order.lines.get().pk, 1)],
                          reason_code="change_of_mind", requested_by=shopper)
    for page in (url(order, "cancel"), "/claims/", f"/claims/{claim.number}/"):
        response = client.get(page)
        assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.django_db
def test_another_shoppers_order_and_claim_are_404():
    from django.test import Client

    shopper = UserFactory()
    order = paid_order(shopper)
    deliver(order)
    claim = request_claim(order=order, claim_type=T.RETURN, items=[(order.lines.get().pk, 1)],
                          reason_code="change_of_mind", requested_by=shopper, pickup_method="seller_collects")
    other = Client()
    other.force_login(UserFactory())
    assert other.get(url(order, "return")).status_code == 404
    assert other.post(url(order, "return"), {"action": "submit"}).status_code == 404
    assert other.get(f"/claims/{claim.number}/").status_code == 404
    assert other.post(f"/claims/{claim.number}/withdraw/").status_code == 404
    assert other.post(f"/claims/{claim.number}/convert/").status_code == 404
    claim.refresh_from_db()
    assert claim.status == St.REQUESTED
    assert claim.number not in other.get("/claims/").content.decode()


@pytest.mark.django_db
def test_an_unknown_claim_type_is_404(client):
    shopper = UserFactory()
    order = paid_order(shopper)
    client.force_login(shopper)
    assert client.get(url(order, "refund")).status_code == 404


# --- The order page ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_order_page_offers_only_the_claims_possible_now(client):
    shopper = UserFactory()
    client.force_login(shopper)
    order = paid_order(shopper)
    html = client.get(f"/orders/{order.number}/").content.decode()
    assert url(order, "cancel") in html and url(order, "return") not in html and url(order, "exchange") not in html

    OrderLine.objects.filter(order=order).update(status=LS.SHIPPING)
    html = client.get(f"/orders/{order.number}/").content.decode()
    assert "/claims/" not in html.split('id="main"')[1]

    deliver(order)
    html = client.get(f"/orders/{order.number}/").content.decode()
    assert url(order, "cancel") not in html and url(order, "return") in html and url(order, "exchange") in html

    deliver(order, days_ago=91)  # past even the seller-fault window
    html = client.get(f"/orders/{order.number}/").content.decode()
    assert url(order, "return") not in html


@pytest.mark.django_db
def test_the_order_page_lists_its_claims_and_hides_buttons_for_claimed_units(client):
    shopper = UserFactory()
    client.force_login(shopper)
    order = paid_order(shopper, quantity=1)
    deliver(order)
    claim = request_claim(order=order, claim_type=T.RETURN, items=[(order.lines.get().pk, 1)],
                          reason_code="change_of_mind", requested_by=shopper, pickup_method="seller_collects")
    html = client.get(f"/orders/{order.number}/").content.decode()
    assert f"/claims/{claim.number}/" in html and url(order, "return") not in html


@pytest.mark.django_db
def test_my_page_links_to_my_claims(client):
    client.force_login(UserFactory())
    assert "/claims/" in client.get("/accounts/mypage/").content.decode()


# --- The request page --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_request_page_preselects_the_line_and_groups_the_reasons(client):
    shopper = UserFactory()
    client.force_login(shopper)
    order = paid_order(shopper)
    deliver(order)
    line = order.lines.get()
    response = client.get(url(order, "return") + f"?line={line.pk}")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'name="line_{line.pk}" id="id_line_{line.pk}" checked' in html
    assert "My reason" in html and "The seller&#x27;s fault" in html and "The seller pays the shipping." in html
    assert 'name="pickup_method"' in html and 'name="refund_account_number"' not in html


@pytest.mark.django_db
def test_preview_shows_the_refund_and_creates_nothing(client):
    """2 × 30,000 shipped free; returning one for a change of mind: 30,000 − 3,000 original fee − 3,000 return fee."""
    shopper = UserFactory()
    client.force_login(shopper)
    order = paid_order(shopper, price=30000, quantity=2)
    deliver(order)
    line = order.lines.get()
    before = StatusChange.objects.count()
    response = client.post(url(order, "return"), {
        f"line_{line.pk}": "on", f"quantity_{line.pk}": "1", "reason": "change_of_mind",
        "pickup_method": "seller_collects", "action": "preview"})
    assert response.status_code == 200
    html = response.content.decode()
    assert amount(html, "items") == 30000
    assert amount(html, "shipping-charge") == -3000 and amount(html, "return-fee") == -3000  # original + return
    assert amount(html, "shipping-refund") == 0 and amount(html, "points") == 0
    assert amount(html, "refund") == 24000
    assert not Claim.objects.exists() and StatusChange.objects.count() == before
    line.refresh_from_db()
    assert line.claimed_quantity == 0

    # The seller's fault: nothing is charged.
    response = client.post(url(order, "return"), {
        f"line_{line.pk}": "on", f"quantity_{line.pk}": "1", "reason": "defective",
        "pickup_method": "seller_collects", "action": "preview"})
    html = response.content.decode()
    assert amount(html, "shipping-charge") == 0 and amount(html, "refund") == 30000


@pytest.mark.django_db
def test_submitting_a_return_with_photos_creates_it_and_shows_its_page(client):
    shopper = UserFactory()
    client.force_login(shopper)
    order = paid_order(shopper, price=30000, quantity=2)
    deliver(order)
    line = order.lines.get()
    response = client.post(url(order, "return"), {
        f"line_{line.pk}": "on", f"quantity_{line.pk}": "1", "reason": "defective", "detail": "소매에 구멍",
        "pickup_method": "seller_collects", "photos": [jpeg("a.jpg"), jpeg("b.jpg")], "action": "submit"})
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/claims/{claim.number}/"
    assert (claim.type, claim.status, claim.fault, claim.refund_amount) == (T.RETURN, St.REQUESTED, "seller", 30000)
    assert claim.reason_detail == "소매에 구멍" and claim.lines.get().quantity == 1
    photos = list(ClaimPhoto.objects.filter(claim=claim))
    assert len(photos) == 2 and all(p.image.name.endswith(".jpg") and claim.number in p.image.name for p in photos)
    html = client.get(response["Location"]).content.decode()
    assert claim.number in html and amount(html, "refund") == 30000 and "Withdraw the request" in html
    assert "Exchange it instead" in html  # a requested return may still become an exchange


@pytest.mark.django_db
@pytest.mark.parametrize("data, error", [
    ({"reason": "change_of_mind", "pickup_method": "seller_collects"}, "Choose at least one item."),
    ({"line": True, "pickup_method": "seller_collects"}, "Choose a reason."),
    ({"line": True, "reason": "change_of_mind"}, "Choose how the item goes back."),
    ({"line": True, "quantity": "3", "reason": "change_of_mind", "pickup_method": "seller_collects"}, "Select a valid"),
    ({"line": True, "reason": "nonsense", "pickup_method": "seller_collects"}, "Select a valid"),
])
def test_a_bad_request_re_renders_with_errors_and_creates_nothing(client, data, error):
    shopper = UserFactory()
    client.force_login(shopper)
    order = paid_order(shopper, quantity=2)
    deliver(order)
    line = order.lines.get()
    post = {"action": "submit", "reason": data.get("reason", ""), "pickup_method": data.get("pickup_method", "")}
    if data.get("line"):
        post[f"line_{line.pk}"] = "on"
        post[f"quantity_{line.pk}"] = data.get("quantity", "1")
    response = client.post(url(order, "return"), post)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Claim.objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_created(client):
    shopper = UserFactory()
    client.force_login(shopper)
    order = paid_order(shopper)
    deliver(order)
    line = order.lines.get()
    fake = SimpleUploadedFile("defect.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    response = client.post(url(order, "return"), {
        f"line_{line.pk}": "on", f"quantity_{line.pk}": "1", "reason": "defective",
        "pickup_method": "seller_collects", "photos": [fake], "action": "submit"})
    assert response.status_code == 400 and "not an image we accept" in response.content.decode()
    too_many = [jpeg(f"{i}.jpg") for i in range(6)]
    response = client.post(url(order, "return"), {
        f"line_{line.pk}": "on", f"quantity_{line.pk}": "1", "reason": "defective",
        "pickup_method": "seller_collects", "photos": too_many, "action": "submit"})
    assert response.status_code == 400 and "at most 5 photos" in response.content.decode()
    assert not Claim.objects.exists() and not ClaimPhoto.objects.exists()


@pytest.mark.django_db
def test_a_domain_refusal_becomes_a_message_and_creates_nothing(client):
    """Eight days after delivery a change of mind is refused by the service (the 7-day window)."""
    shopper = UserFactory()
    client.force_login(shopper)
    order = paid_order(shopper)
    deliver(order, days_ago=8)
    line = order.lines.get()
    response = client.post(url(order, "return"), {
        f"line_{line.pk}": "on", f"quantity_{line.pk}": "1", "reason": "change_of_mind",
        "pickup_method": "shopper_sends", "action": "submit"})
    assert response.status_code == 400
    assert any("within 7 days" in text for text in texts(response))
    assert not Claim.objects.exists()
    line.refresh_from_db()
    assert line.claimed_quantity == 0


@pytest.mark.django_db
def test_cancelling_a_paid_line_refunds_at_once(client):
    shopper = UserFactory()
    client.force_login(shopper)
    order = paid_order(shopper, price=20000, quantity=1)
    line = order.lines.get()
    response = client.post(url(order, "cancel"), {
        f"line_{line.pk}": "on", f"quantity_{line.pk}": "1", "reason": "ordered_by_mistake", "action": "submit"})
    claim = Claim.objects.get()
    assert response.status_code == 302 and claim.status == St.COMPLETED
    assert claim.refund_amount == order.total_amount
    assert any("Cancelled." in text for text in texts(response))
    assert Payment.objects.get(order=order).cancelled_amount == order.total_amount


@pytest.mark.django_db
def test_a_virtual_account_order_asks_for_the_refund_account(client):
    shopper = UserFactory()
    client.force_login(shopper)
    order = paid_order(shopper, price=20000, quantity=1, method="virtual_account")
    line = order.lines.get()
    html = client.get(url(order, "cancel")).content.decode()
    assert 'name="refund_bank_code"' in html and "KB국민은행" in html
    base = {f"line_{line.pk}": "on", f"quantity_{line.pk}": "1", "reason": "change_of_mind", "action": "submit"}
    response = client.post(url(order, "cancel"), base)
    assert response.status_code == 400 and not Claim.objects.exists()
    response = client.post(url(order, "cancel"), {**base, "refund_bank_code": "004",
                                                  "refund_account_number": "abc", "refund_holder": "김구매"})
    assert response.status_code == 400 and "in digits" in response.content.decode()
    response = client.post(url(order, "cancel"), {**base, "refund_bank_code": "004",
                                                  "refund_account_number": "123-4567-8901", "refund_holder": "김구매"})
    claim = Claim.objects.get()
    assert response.status_code == 302 and claim.status == St.COMPLETED
    assert (claim.refund_bank_code, claim.refund_account_number) == ("004", "123-4567-8901")


@pytest.mark.django_db
def test_an_exchange_offers_same_price_options_with_sold_out_disabled(client):
    shopper = UserFactory()
    client.force_login(shopper)
    product, (small, medium, large) = sized_product(price=20000, stock=5)
    SKU.objects.filter(pk=medium.pk).update(stock_quantity=0)
    order = paid_order(shopper, product=small, quantity=1)
    deliver(order)
    line = order.lines.get()
    html = client.get(url(order, "exchange")).content.decode()
    select = html.split(f'name="replacement_{line.pk}"')[1].split("</select>")[0]
    assert f'value="{small.pk}"' in select
    assert f'value="{medium.pk}" disabled' in select  # sold out
    assert f'value="{large.pk}"' not in select  # L costs 2,000 more
    response = client.post(url(order, "exchange"), {
        f"line_{line.pk}": "on", f"quantity_{line.pk}": "1", "reason": "wrong_option",
        "pickup_method": "seller_collects", f"replacement_{line.pk}": str(medium.pk), "action": "submit"})
    assert response.status_code == 400 and "sold out" in response.content.decode() and not Claim.objects.exists()
    SKU.objects.filter(pk=medium.pk).update(stock_quantity=3)
    response = client.post(url(order, "exchange"), {
        f"line_{line.pk}": "on", f"quantity_{line.pk}": "1", "reason": "wrong_option",
        "pickup_method": "seller_collects", f"replacement_{line.pk}": str(medium.pk), "action": "preview"})
    assert 'data-amount="shipping-charge">' in response.content.decode()
    response = client.post(url(order, "exchange"), {
        f"line_{line.pk}": "on", f"quantity_{line.pk}": "1", "reason": "wrong_option",
        "pickup_method": "seller_collects", f"replacement_{line.pk}": str(medium.pk), "action": "submit"})
    claim = Claim.objects.get()
    assert response.status_code == 302 and claim.type == T.EXCHANGE
    assert claim.lines.get().replacement_sku_id == medium.pk


# --- The claim page: withdraw, convert ---------------------------------------------------------------

@pytest.mark.django_db
def test_withdrawing_a_request(client):
    shopper = UserFactory()
    client.force_login(shopper)
    order = paid_order(shopper)
    deliver(order)
    claim = request_claim(order=order, claim_type=T.RETURN, items=[(order.lines.get().pk, 1)],
                          reason_code="change_of_mind", requested_by=shopper, pickup_method="seller_collects")
    response = client.post(f"/claims/{claim.number}/withdraw/")
    claim.refresh_from_db()
    assert response.status_code == 302 and claim.status == St.WITHDRAWN
    html = client.get(f"/claims/{claim.number}/").content.decode()
    assert "Withdraw the request" not in html and "Withdrawn" in html
    response = client.post(f"/claims/{claim.number}/withdraw/")  # twice: refused, said so
    assert response.status_code == 302 and texts(response)


@pytest.mark.django_db
def test_converting_a_return_into_an_exchange_and_back(client):
    shopper = UserFactory()
    client.force_login(shopper)
    product, (small, medium, _large) = sized_product(price=20000, stock=5)
    order = paid_order(shopper, product=small, quantity=1)
    deliver(order)
    line = order.lines.get()
    claim = request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 1)], reason_code="wrong_option",
                          requested_by=shopper, pickup_method="seller_collects")
    response = client.post(f"/claims/{claim.number}/convert/")  # no option chosen
    assert response.status_code == 400 and Claim.objects.count() == 1
    response = client.post(f"/claims/{claim.number}/convert/", {f"replacement_{line.pk}": str(medium.pk)})
    exchange = Claim.objects.get(type=T.EXCHANGE)
    assert response.status_code == 302 and response["Location"] == f"/claims/{exchange.number}/"
    claim.refresh_from_db()
    assert claim.status == St.CONVERTED and exchange.lines.get().replacement_sku_id == medium.pk
    html = client.get(f"/claims/{claim.number}/").content.decode()
    assert exchange.number in html
    response = client.post(f"/claims/{exchange.number}/convert/")
    assert response.status_code == 302
    assert Claim.objects.filter(type=T.RETURN, status=St.REQUESTED).count() == 1


@pytest.mark.django_db
def test_the_claim_page_shows_the_refund_once_made(client):
    from claims.services import approve_claim, complete_pickup, refund_return, start_pickup
    from tests.accounts.factories import OperatorFactory

    shopper = UserFactory()
    client.force_login(shopper)
    order = paid_order(shopper, price=30000, quantity=2)
    deliver(order)
    claim = request_claim(order=order, claim_type=T.RETURN, items=[(order.lines.get().pk, 1)],
                          reason_code="defective", requested_by=shopper, pickup_method="seller_collects")
    operator = OperatorFactory(groups=["cs"])
    for step in (approve_claim, start_pickup, complete_pickup, refund_return):
        step(claim_id=claim.pk, actor=operator)
    html = client.get(f"/claims/{claim.number}/").content.decode()
    assert amount(html, "refund") == 30000 and "Refunded on" in html
    assert "Withdraw the request" not in html and "Exchange it instead" not in html
    for label in ("Requested", "Approved", "Pickup in progress", "Picked up", "Refunded"):
        assert label in html


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 20])
def test_my_claims_list_runs_constant_queries(client, count, django_assert_max_num_queries):
    shopper = UserFactory()
    client.force_login(shopper)
    order = paid_order(shopper, quantity=count, stock=50)
    deliver(order)
    line = order.lines.get()
    for _ in range(count):
        request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 1)], reason_code="defective",
                      requested_by=shopper, pickup_method="seller_collects")
    client.get("/claims/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/claims/")
    assert response.status_code == 200
    assert response.content.decode().count('class="order-card claim-card"') == min(count, 10)
    assert len(queries) <= 12, [q["sql"] for q in queries]


@pytest.mark.django_db
def test_my_claims_list_query_count_does_not_grow(client):
    shopper = UserFactory()
    client.force_login(shopper)
    order = paid_order(shopper, quantity=12, stock=50)
    deliver(order)
    line = order.lines.get()

    def claims(n):
        for _ in range(n):
            request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 1)], reason_code="defective",
                          requested_by=shopper, pickup_method="seller_collects")

    claims(2)
    client.get("/claims/")
    with CaptureQueriesContext(connection) as few:
        client.get("/claims/")
    claims(8)
    with CaptureQueriesContext(connection) as many:
        client.get("/claims/")
    assert len(few) == len(many)


@pytest.mark.django_db
def test_claim_photos_are_private_to_the_shopper_the_operators_and_the_seller(client):
    from django.conf import settings as django_settings

    from claims.photos import attach_claim_photos
    from tests.accounts.factories import OperatorFactory
    from tests.partners.factories import SellerStaffFactory

    order = _delivered_order_for_photos()
    line = order.lines.get()
    claim = request_claim(order=order, claim_type="return", items=[(line.pk, 1)], reason_code="defective",
                          requested_by=order.user, pickup_method="seller_collects")
    (photo,) = attach_claim_photos(claim=claim, files=[_jpeg_upload()])
    assert photo.image.path.startswith(str(django_settings.PRIVATE_MEDIA_ROOT))
    url = f"/claims/photos/{photo.pk}/"
    assert client.get(url).status_code == 302  # login first
    for viewer, status in [(order.user, 200), (OperatorFactory(groups=["cs"]), 200),
                           (SellerStaffFactory(seller=line.seller).user, 200), (UserFactory(), 404),
                           (SellerStaffFactory().user, 404), (OperatorFactory(groups=["marketing"]), 404)]:
        client.force_login(viewer)
        response = client.get(url)
        assert response.status_code == status
        if status == 200:
            assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # a JPEG


def _delivered_order_for_photos():
    from django.utils import timezone

    from orders.models import OrderLine
    from orders.services import place_order
    from tests.orders.factories import DELIVERY, make_product
    from tests.orders.helpers import pay

    _, (sku,) = make_product()
    order = place_order(user=UserFactory(), items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(order)
    OrderLine.objects.filter(order=order).update(status="delivered", delivered_at=timezone.now())
    return order


def _jpeg_upload():
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (64, 64), "red").save(buffer, "JPEG")
    return SimpleUploadedFile("defect.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.mark.django_db
def test_a_converted_return_shows_no_refund_amount_on_the_shoppers_list(client):
    """Issue 9 point 7: the return became an exchange, so nothing is refunded for it."""
    from claims.services import convert_claim

    shopper = UserFactory()
    _, (small, medium, _large) = sized_product(price=20000, stock=5)
    order = place_order(user=shopper, items=[(small.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(order)
    deliver(order)
    line = order.lines.get()
    claim = request_claim(order=order, claim_type=T.RETURN, items=[(line.pk, 1)], reason_code="defective",
                          requested_by=shopper, pickup_method="seller_collects")
    assert claim.refund_amount > 0
    convert_claim(claim_id=claim.pk, actor=shopper, replacements={line.pk: medium.pk})
    client.force_login(shopper)
    html = client.get("/claims/").content.decode()
    def foot(number):
        start = html.index(f"<span>{number}</span>")
        return html[start:html.index("</div>", start)]

    new = Claim.objects.get(converted_from=claim)
    assert "claim-card__amount" not in foot(claim.number)  # converted: no refund shown
    assert new.type == T.EXCHANGE and "claim-card__amount" not in foot(new.number)
