"""The seller's marketing programs page (/partner/store/marketing/): an owner or manager turns on
seller-funded review rewards (issue 12: "paid by the platform by default or by the seller when the
seller opts in") and joins the affiliate program (issue 13: "the affiliate fee is a cost ... of the
seller, if the seller joined the program"); each change is audited and decides who pays afterwards."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core.models import StatusChange
from marketing.models import AffiliateProgramMembership, Review, ReviewRewardOptIn
from marketing.services import reviews
from partners.models import Seller
from tests.accounts.factories import UserFactory
from tests.orders.factories import make_product
from tests.partners.factories import seller_with_staff
from tests.settlement.helpers import confirm, deliver, paid_order

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
URL = "/partner/store/marketing/"


def audit(seller):
    return list(StatusChange.objects.filter(content_type=ContentType.objects.get_for_model(Seller), object_id=seller.pk)
                .exclude(field="status").values_list("field", "from_status", "to_status"))


def confirmed_line(sku, shopper):
    order = paid_order([(sku.pk, 1)], shopper=shopper)
    deliver(order)
    line = order.lines.get()
    confirm(line, on=timezone.localdate())
    return line


def test_an_owner_turns_seller_funded_review_rewards_on_and_off_and_reviews_follow(client):
    _, (sku,) = make_product(price=20000, stock=5, fee=0, free_threshold=0)
    seller = sku.product.seller
    owner = UserFactory()
    seller.staff.create(user=owner, role="owner")
    client.force_login(owner)
    assert "checked" not in client.get(URL).content.decode().split('name="review_rewards"')[1].split(">")[0]

    response = client.post(URL, {"review_rewards": "1"})
    assert response.status_code == 302
    assert ReviewRewardOptIn.objects.filter(seller=seller).exists()
    assert audit(seller) == [("review_rewards", "off", "on")]
    assert "checked" in client.get(URL).content.decode().split('name="review_rewards"')[1].split(">")[0]
    first_shopper, second_shopper = UserFactory(), UserFactory()
    paid_by_seller = reviews.write_review(line_id=confirmed_line(sku, first_shopper).pk, user=first_shopper, rating=5,
                                          body="판매자가 적립금을 부담합니다")
    assert paid_by_seller.reward_funder == Review.Funder.SELLER

    client.post(URL, {})  # both boxes unticked
    assert not ReviewRewardOptIn.objects.filter(seller=seller).exists()
    assert audit(seller) == [("review_rewards", "off", "on"), ("review_rewards", "on", "off")]
    paid_by_shop = reviews.write_review(line_id=confirmed_line(sku, second_shopper).pk, user=second_shopper, rating=4,
                                        body="이제 쇼핑몰이 적립금을 부담합니다")
    assert paid_by_shop.reward_funder == Review.Funder.PLATFORM
    paid_by_seller.refresh_from_db()
    assert paid_by_seller.reward_funder == Review.Funder.SELLER  # a written review keeps its funder


def test_a_manager_joins_and_leaves_the_affiliate_program():
    from django.test import Client

    seller, manager = seller_with_staff(role="manager")
    client = Client()
    client.force_login(manager)
    client.post(URL, {"affiliate_program": "1"})
    membership = AffiliateProgramMembership.objects.get(seller=seller)
    assert membership.left_at is None
    assert "affiliate_program" in client.get(URL).content.decode()
    client.post(URL, {"affiliate_program": "1"})  # saving again changes nothing
    assert AffiliateProgramMembership.objects.filter(seller=seller).count() == 1
    client.post(URL, {})
    membership.refresh_from_db()
    assert membership.left_at is not None
    assert audit(seller) == [("affiliate_program", "off", "on"), ("affiliate_program", "on", "off")]


@pytest.mark.parametrize("role", ["products", "orders", "settlement"])
def test_other_roles_may_not_see_or_change_the_programs(client, role):
    seller, user = seller_with_staff(role=role)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"review_rewards": "1", "affiliate_program": "1"}).status_code == 403
    assert not ReviewRewardOptIn.objects.exists() and not AffiliateProgramMembership.objects.exists()
    assert audit(seller) == []


def test_a_suspended_seller_sees_its_programs_but_cannot_change_them(client):
    seller, owner = seller_with_staff(role="owner")
    Seller.objects.filter(pk=seller.pk).update(status=Seller.Status.SUSPENDED)
    client.force_login(owner)
    page = client.get(URL)
    assert page.status_code == 200 and "disabled" in page.content.decode()
    assert client.post(URL, {"review_rewards": "1"}).status_code == 403
    assert not ReviewRewardOptIn.objects.exists()


def test_strangers_are_sent_away(client):
    assert client.get(URL).status_code == 302  # to the login
    client.force_login(UserFactory())
    response = client.post(URL, {"review_rewards": "1"})
    assert response.status_code == 302 and "/partner/apply/" in response["Location"]
    assert not ReviewRewardOptIn.objects.exists()
