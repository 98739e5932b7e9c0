from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from core.models import StatusChange
from marketing.models import Coupon, IssuedCoupon, OrderLineDiscount, PointEntry
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.marketing.factories import CouponFactory, give_coupon, give_points
from tests.partners.factories import SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketer():
    return OperatorFactory(groups=["marketing"], email="marketer@example.com")


@pytest.fixture
def marketer_client(client, marketer):
    client.force_login(marketer)
    return client


def page_urls(coupon_id=1, user_id=1):
    return [
        ("get", reverse("console:marketing:coupon_list")),
        ("get", reverse("console:marketing:coupon_create")),
        ("post", reverse("console:marketing:coupon_create")),
        ("get", reverse("console:marketing:coupon_detail", args=[coupon_id])),
        ("post", reverse("console:marketing:coupon_status", args=[coupon_id])),
        ("post", reverse("console:marketing:coupon_issue", args=[coupon_id])),
        ("get", reverse("console:marketing:product_search") + "?q=a"),
        ("get", reverse("console:marketing:points")),
        ("post", reverse("console:marketing:points_adjust", args=[user_id])),
    ]


# --- Access --------------------------------------------------------------------------------

@pytest.mark.parametrize("method, url", page_urls())
def test_anonymous_visitors_are_sent_to_login(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("method, url", page_urls())
def test_shoppers_and_other_teams_get_403(client, method, url):
    for user in (UserFactory(), OperatorFactory(groups=["fulfilment"])):
        client.force_login(user)
        assert getattr(client, method)(url).status_code == 403


def test_the_console_menu_links_coupons_and_points_for_the_marketing_team(marketer_client):
    html = marketer_client.get(reverse("console:marketing:coupon_list")).content.decode()
    assert f'href="{reverse("console:marketing:coupon_list")}"' in html
    assert f'href="{reverse("console:marketing:points")}"' in html


# --- Coupon list -----------------------------------------------------------------------------

def _use(issued, *, line_amounts):
    """Mark an issued coupon used on a real order with OrderLineDiscount rows (platform, seller) each."""
    from orders.services import place_order
    from tests.orders.factories import DELIVERY, make_product

    _, (sku,) = make_product()
    order = place_order(user=issued.user, items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    IssuedCoupon.objects.filter(pk=issued.pk).update(status=IssuedCoupon.Status.USED, used_at=timezone.now(),
                                                     order=order)
    line = order.lines.get()
    for platform, seller in line_amounts:
        OrderLineDiscount.objects.create(line=line, issued_coupon=issued, kind=issued.coupon.kind,
                                         amount=platform + seller, platform_amount=platform, seller_amount=seller)


def test_coupon_list_shows_counts_and_cost_by_funder(marketer_client):
    shopper_a, shopper_b = UserFactory(), UserFactory()
    coupon = CouponFactory(name="가을 세일", funder=Coupon.Funder.SELLER, funding_seller=SellerFactory(),
                           seller_share_percent=40)
    used = IssuedCoupon.objects.create(coupon=coupon, user=shopper_a, source="download")
    IssuedCoupon.objects.create(coupon=coupon, user=shopper_b, source="download")
    Coupon.objects.filter(pk=coupon.pk).update(issued_count=2)
    _use(used, line_amounts=[(1800, 1200), (600, 400)])
    used.refresh_from_db()
    # a used coupon given back (status reset) no longer counts
    other = give_coupon(shopper_b, name="돌려준 쿠폰")
    OrderLineDiscount.objects.create(line=used.order.lines.get(), issued_coupon=other, kind="cart", amount=500,
                                     platform_amount=500, seller_amount=0)

    html = marketer_client.get(reverse("console:marketing:coupon_list")).content.decode()

    assert "가을 세일" in html
    assert "platform ₩2,400 · seller ₩1,600" in html
    assert "₩4,000" in html
    assert "platform ₩0 · seller ₩0" in html  # the given-back coupon


def test_coupon_list_filters_by_status(marketer_client):
    CouponFactory(name="진행 쿠폰")
    CouponFactory(name="중지 쿠폰", status=Coupon.Status.PAUSED)
    CouponFactory(name="종료 쿠폰", status=Coupon.Status.ENDED)

    html = marketer_client.get(reverse("console:marketing:coupon_list") + "?status=paused").content.decode()
    assert "중지 쿠폰" in html and "진행 쿠폰" not in html and "종료 쿠폰" not in html
    html = marketer_client.get(reverse("console:marketing:coupon_list") + "?status=bogus").content.decode()
    assert "중지 쿠폰" in html and "진행 쿠폰" in html and "종료 쿠폰" in html


@pytest.mark.parametrize("count", [2, 20])
def test_coupon_list_runs_constant_queries(marketer_client, count, django_assert_num_queries):
    shopper = UserFactory()
    for _ in range(count):
        issued = give_coupon(shopper, funder=Coupon.Funder.SELLER, funding_seller=SellerFactory(),
                             seller_share_percent=50)
    # session, user, permissions (user + group), page count, coupons with counts and costs, status counts
    with django_assert_num_queries(7):
        response = marketer_client.get(reverse("console:marketing:coupon_list"))
    assert response.status_code == 200
    assert issued.coupon.name in response.content.decode()


# --- Create --------------------------------------------------------------------------------

def _form(**overrides):
    data = {
        "name": "신규 가입 10% 쿠폰", "kind": "cart", "discount_type": "percent", "discount_value": "10",
        "max_discount_amount": "5000", "min_order_amount": "20000", "scope": "all",
        "valid_days": "30", "per_user_limit": "1", "funder": "platform", "seller_share_percent": "0",
        "downloadable": "on", "auto_issue": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_create_page_shows_every_field(marketer_client):
    html = marketer_client.get(reverse("console:marketing:coupon_create")).content.decode()
    for name in ("name", "kind", "discount_type", "discount_value", "max_discount_amount", "min_order_amount",
                 "scope", "categories", "products", "sellers", "excluded_products", "valid_from", "valid_until",
                 "valid_days", "total_limit", "per_user_limit", "funder", "funding_seller",
                 "seller_share_percent", "code", "downloadable", "auto_issue"):
        assert f'name="{name}"' in html, name


def test_create_a_coupon_and_it_is_audited(marketer_client, marketer):
    response = marketer_client.post(reverse("console:marketing:coupon_create"), _form(code="welcome10"))

    coupon = Coupon.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("console:marketing:coupon_detail", args=[coupon.pk])
    assert (coupon.kind, coupon.discount_type, coupon.discount_value, coupon.max_discount_amount) == (
        "cart", "percent", 10, 5000)
    assert coupon.code == "WELCOME10" and coupon.downloadable and coupon.valid_days == 30
    change = StatusChange.objects.get(content_type=ContentType.objects.get_for_model(Coupon), object_id=coupon.pk)
    assert change.actor == marketer and change.to_status == "active"


def test_create_a_scoped_seller_funded_coupon(marketer_client):
    seller = SellerFactory()
    category = CategoryFactory()
    product, excluded = ProductFactory(seller=seller), ProductFactory(seller=seller)
    until = (timezone.localtime() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    start = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    marketer_client.post(reverse("console:marketing:coupon_create"), _form(
        kind="product", discount_type="amount", discount_value="3000", max_discount_amount="", scope="categories",
        categories=[category.pk], excluded_products=f"{excluded.pk}", valid_days="", valid_from=start,
        valid_until=until, total_limit="100", per_user_limit="2", funder="seller", funding_seller=seller.pk,
        seller_share_percent="60"))

    coupon = Coupon.objects.get()
    assert list(coupon.categories.all()) == [category]
    assert list(coupon.excluded_products.all()) == [excluded]
    assert coupon.funding_seller == seller and coupon.seller_share_percent == 60
    assert coupon.total_limit == 100 and coupon.per_user_limit == 2
    assert coupon.valid_from < coupon.valid_until
    assert product  # in scope through its category, when it is in that category


@pytest.mark.parametrize("overrides, field, message", [
    ({"discount_value": "120"}, "discount_value", "A percent discount can be at most 100%."),
    ({"funder": "seller"}, "funding_seller", "Choose the seller who funds this coupon."),
    ({"valid_days": "", "valid_from": "2030-05-02T00:00", "valid_until": "2030-05-01T00:00"}, "valid_until",
     "The end must come after the start."),
    ({"valid_days": ""}, "valid_until", "Give the coupon an end date, or a number of days"),
    ({"valid_from": "2030-05-01T00:00"}, "valid_from", "starts when issued"),
    ({"scope": "products"}, "products", "Add at least one product."),
    ({"scope": "categories"}, "categories", "Choose at least one category."),
    ({"products": "99999", "scope": "products"}, "products", "No product has the number 99999."),
    ({"discount_type": "amount"}, "max_discount_amount", "applies only to percent off"),
    ({"code": "no spaces!"}, "code", "Use 4 to 30 letters"),
    ({"total_limit": "0"}, "total_limit", "Enter a limit above zero"),
])
def test_create_errors_are_shown_and_nothing_is_created(marketer_client, overrides, field, message):
    response = marketer_client.post(reverse("console:marketing:coupon_create"), _form(**overrides))

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'id="field-' + field + '"' in html
    assert "Please fix the fields marked below." in html
    assert 'value="신규 가입 10% 쿠폰"' in html  # what was typed stays
    assert not Coupon.objects.exists()
    assert not StatusChange.objects.exists()


def test_create_refuses_a_code_already_taken(marketer_client):
    CouponFactory(code="TAKEN1")
    response = marketer_client.post(reverse("console:marketing:coupon_create"), _form(code="taken1"))
    assert response.status_code == 400
    assert "Another coupon already uses this code." in response.content.decode()
    assert Coupon.objects.count() == 1


def test_create_needs_the_add_permission(client):
    viewer = OperatorFactory()
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_coupon"))
    client.force_login(viewer)
    assert client.get(reverse("console:marketing:coupon_create")).status_code == 403
    assert client.get(reverse("console:marketing:coupon_list")).status_code == 200


def test_product_search_finds_by_name_or_number(marketer_client):
    knit = ProductFactory(name="울 니트")
    ProductFactory(name="면 셔츠")
    data = marketer_client.get(reverse("console:marketing:product_search") + "?q=니트").json()
    assert [row["id"] for row in data["results"]] == [knit.pk]
    data = marketer_client.get(reverse("console:marketing:product_search") + f"?q={knit.pk}").json()
    assert knit.pk in [row["id"] for row in data["results"]]
    assert marketer_client.get(reverse("console:marketing:product_search")).json() == {"results": []}


# --- Detail, status, issue -------------------------------------------------------------------

def test_detail_offers_only_the_allowed_moves(marketer_client):
    coupon = CouponFactory(name="상세 쿠폰")
    url = reverse("console:marketing:coupon_detail", args=[coupon.pk])

    html = marketer_client.get(url).content.decode()
    assert 'value="paused"' in html and 'value="ended"' in html and 'value="active"' not in html

    Coupon.objects.filter(pk=coupon.pk).update(status=Coupon.Status.PAUSED)
    html = marketer_client.get(url).content.decode()
    assert 'value="active"' in html and 'value="ended"' in html and 'value="paused"' not in html
    assert "Only an active coupon can be issued." in html

    Coupon.objects.filter(pk=coupon.pk).update(status=Coupon.Status.ENDED)
    html = marketer_client.get(url).content.decode()
    assert reverse("console:marketing:coupon_status", args=[coupon.pk]) not in html


def test_detail_of_a_missing_coupon_is_404(marketer_client):
    assert marketer_client.get(reverse("console:marketing:coupon_detail", args=[999])).status_code == 404


def test_pause_resume_and_end_are_audited(marketer_client, marketer):
    coupon = CouponFactory()
    url = reverse("console:marketing:coupon_status", args=[coupon.pk])
    for target in ("paused", "active", "ended"):
        response = marketer_client.post(url, {"to": target})
        assert response.status_code == 302
        coupon.refresh_from_db()
        assert coupon.status == target
    changes = StatusChange.objects.filter(content_type=ContentType.objects.get_for_model(Coupon), object_id=coupon.pk)
    assert [(c.from_status, c.to_status) for c in changes] == [
        ("active", "paused"), ("paused", "active"), ("active", "ended")]
    assert {c.actor for c in changes} == {marketer}


def test_a_move_the_table_forbids_changes_nothing(marketer_client):
    coupon = CouponFactory(status=Coupon.Status.ENDED)
    response = marketer_client.post(reverse("console:marketing:coupon_status", args=[coupon.pk]),
                                    {"to": "active"}, follow=True)
    assert "Cannot change from" in response.content.decode()
    coupon.refresh_from_db()
    assert coupon.status == "ended"
    assert not StatusChange.objects.exists()


def test_issue_to_chosen_shoppers_shows_a_result_per_shopper(marketer_client, marketer):
    coupon = CouponFactory(name="VIP 쿠폰", valid_days=30, per_user_limit=1)
    first = UserFactory(email="first@example.com")
    second = UserFactory(email="Second@Example.com")
    IssuedCoupon.objects.create(coupon=coupon, user=second, source="download")

    response = marketer_client.post(reverse("console:marketing:coupon_issue", args=[coupon.pk]),
                                    {"emails": "first@example.com\nsecond@example.com\n\nnobody@example.com\n"
                                               "FIRST@example.com"},
                                    follow=True)

    html = response.content.decode()
    assert "Issued to 1 of 3 shoppers." in html
    assert "Result: 1 issued, 2 not issued" in html
    assert "You already have this coupon." in html
    assert "No shopper has this email." in html
    issued = IssuedCoupon.objects.get(user=first)
    assert issued.source == "operator"
    assert StatusChange.objects.get(content_type=ContentType.objects.get_for_model(IssuedCoupon),
                                    object_id=issued.pk).actor == marketer
    # the result is shown once
    again = marketer_client.get(reverse("console:marketing:coupon_detail", args=[coupon.pk])).content.decode()
    assert "Result:" not in again


def test_issue_with_no_email_shows_an_error(marketer_client):
    coupon = CouponFactory(valid_days=30)
    response = marketer_client.post(reverse("console:marketing:coupon_issue", args=[coupon.pk]), {"emails": " \n"},
                                    follow=True)
    assert "Enter at least one email." in response.content.decode() or "This field is required." in \
        response.content.decode()
    assert not IssuedCoupon.objects.exists()


@pytest.mark.parametrize("count", [2, 20])
def test_detail_runs_constant_queries(marketer_client, count, django_assert_num_queries):
    coupon = CouponFactory(valid_days=30, scope=Coupon.Scope.CATEGORIES)
    coupon.categories.set([CategoryFactory()])
    for _ in range(count):
        IssuedCoupon.objects.create(coupon=coupon, user=UserFactory(), source="download")
    # session, user, perms x2, coupon, 4 scope lists, recent issues, content type + history
    with django_assert_num_queries(11):
        assert marketer_client.get(reverse("console:marketing:coupon_detail", args=[coupon.pk])).status_code == 200


# --- Points ----------------------------------------------------------------------------------

def test_points_page_finds_a_shopper_and_shows_the_ledger(marketer_client):
    shopper = UserFactory(email="buyer@example.com", name="구매자")
    give_points(shopper, 4000, expires_in_days=10)
    give_points(shopper, 1000)

    html = marketer_client.get(reverse("console:marketing:points") + "?email=BUYER@example.com").content.decode()

    assert "구매자" in html and "₩5,000" in html
    assert "₩4,000 expires within 30 days" in html
    assert "+₩4,000" in html
    assert reverse("console:marketing:points_adjust", args=[shopper.pk]) in html


def test_points_page_says_when_no_shopper_has_the_email(marketer_client):
    html = marketer_client.get(reverse("console:marketing:points") + "?email=ghost@example.com").content.decode()
    assert "No shopper has this email." in html
    html = marketer_client.get(reverse("console:marketing:points") + "?email=not-an-email").content.decode()
    assert "Enter a valid email address." in html


def test_grant_points_with_a_reason(marketer_client, marketer):
    shopper = UserFactory(email="buyer@example.com")
    response = marketer_client.post(reverse("console:marketing:points_adjust", args=[shopper.pk]),
                                    {"direction": "grant", "amount": "3000", "reason": "배송 지연 보상"})
    assert response.status_code == 302
    assert response["Location"] == reverse("console:marketing:points") + "?email=buyer%40example.com"
    entry = PointEntry.objects.get(user=shopper)
    assert (entry.kind, entry.amount, entry.reason, entry.actor) == ("grant", 3000, "배송 지연 보상", marketer)


def test_deduct_points(marketer_client):
    shopper = UserFactory()
    give_points(shopper, 5000)
    marketer_client.post(reverse("console:marketing:points_adjust", args=[shopper.pk]),
                         {"direction": "deduct", "amount": "2000", "reason": "중복 지급 회수"})
    assert PointEntry.objects.filter(user=shopper, kind="deduct").get().amount == -2000


def test_deducting_more_than_the_balance_is_refused_with_the_error(marketer_client):
    shopper = UserFactory()
    give_points(shopper, 1000)
    response = marketer_client.post(reverse("console:marketing:points_adjust", args=[shopper.pk]),
                                    {"direction": "deduct", "amount": "2000", "reason": "회수"})
    assert response.status_code == 400
    assert "The shopper has only 1,000 won in points." in response.content.decode()
    assert PointEntry.objects.filter(user=shopper).count() == 1


def test_adjustment_form_errors_are_shown(marketer_client):
    shopper = UserFactory()
    response = marketer_client.post(reverse("console:marketing:points_adjust", args=[shopper.pk]),
                                    {"direction": "grant", "amount": "0", "reason": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ensure this value is greater than or equal to 1." in html and "This field is required." in html
    assert not PointEntry.objects.exists()


@pytest.mark.parametrize("count", [2, 20])
def test_points_page_runs_constant_queries(marketer_client, count, django_assert_num_queries):
    shopper = UserFactory(email="buyer@example.com")
    for _ in range(count):
        give_points(shopper, 100)
    # session, user, perms x2, shopper, summary, page count, entries
    with django_assert_num_queries(8):
        marketer_client.get(reverse("console:marketing:points") + "?email=buyer@example.com")
