"""Seller staff (issue 10): the owner invites by email with a role, the invitee accepts by signing in
or up with that email, a person belongs to one seller, the owner changes roles and removes staff."""

import pytest
from django.urls import reverse

from core.models import OutboxMessage
from partners import services
from partners.exceptions import PartnerError, SellerPermissionDenied
from partners.models import SellerInvitation, SellerStaff
from tests.accounts.factories import UserFactory
from tests.partners.factories import seller_with_staff

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_the_owner_invites_and_the_invitee_signs_up_and_joins(client):
    seller, owner = seller_with_staff()
    client.force_login(owner)
    response = client.post(reverse("partner:staff"), {"email": "New.Hire@Example.com", "role": "orders"})
    assert response.status_code == 302
    invitation = SellerInvitation.objects.get()
    mail = OutboxMessage.objects.get(event="seller.staff_invited")
    assert mail.recipient == "new.hire@example.com" and invitation.token in mail.body
    client.logout()
    link = reverse("partner:invitation", args=[invitation.token])
    assert client.get(link)["Location"].startswith(reverse("accounts:login"))  # sign in or sign up first
    newcomer = UserFactory(email="new.hire@example.com")
    client.force_login(newcomer)
    assert client.get(link).status_code == 200

    client.post(link)

    staff = SellerStaff.objects.get(user=newcomer)
    assert (staff.seller, staff.role) == (seller, "orders")
    assert client.get(reverse("partner:line_list")).status_code == 200
    assert client.get(reverse("partner:staff")).status_code == 403  # orders/CS manage no staff
    client.post(link)  # a second time changes nothing
    assert SellerStaff.objects.filter(user=newcomer).count() == 1


def test_an_invitation_is_for_its_email_only_and_one_seller_per_person(client):
    seller, owner = seller_with_staff()
    invitation = services.invite_staff(seller=seller, actor=owner, email="a@example.com", role="products")
    client.force_login(UserFactory(email="someone.else@example.com"))
    assert client.get(reverse("partner:invitation", args=[invitation.token])).status_code == 404
    _other_seller, busy = seller_with_staff()
    with pytest.raises(PartnerError):
        services.invite_staff(seller=seller, actor=owner, email=busy.email, role="orders")
    busy_invite = SellerInvitation.objects.create(seller=seller, email=busy.email, role="orders", token="t-busy",
                                                  expires_at=invitation.expires_at)
    with pytest.raises(PartnerError):
        services.accept_invitation(token=busy_invite.token, user=busy)
    assert SellerStaff.objects.get(user=busy).seller != seller


def test_only_the_owner_manages_staff_and_the_last_owner_stays(client):
    seller, owner = seller_with_staff()
    _same, manager = seller_with_staff()
    SellerStaff.objects.filter(user=manager).update(seller=seller, role="manager")
    member = SellerStaff.objects.get(user=manager)
    with pytest.raises(SellerPermissionDenied):
        services.invite_staff(seller=seller, actor=manager, email="x@example.com", role="owner")
    owner_row = SellerStaff.objects.get(user=owner)
    with pytest.raises(PartnerError):
        services.change_staff_role(seller=seller, actor=owner, staff_id=owner_row.pk, role="manager")
    with pytest.raises(PartnerError):
        services.remove_staff(seller=seller, actor=owner, staff_id=owner_row.pk)
    client.force_login(owner)
    client.post(reverse("partner:staff_role", args=[member.pk]), {"role": "settlement"})
    member.refresh_from_db()
    assert member.role == "settlement"
    client.post(reverse("partner:staff_remove", args=[member.pk]))
    assert not SellerStaff.objects.filter(pk=member.pk).exists()
    owner_row.refresh_from_db()
    assert owner_row.role == "owner"


def test_profile_shipping_policy_and_holidays_from_the_portal(client):
    from datetime import timedelta

    from django.utils import timezone

    seller, owner = seller_with_staff()
    client.force_login(owner)
    response = client.post(reverse("partner:store"), {
        "description": "여름 옷", "contact_name": "김", "contact_phone": "010-3333-4444",
        "contact_email": "cs@summer.example.com", "cs_phone": "1600-1234", "address": "서울 중구 1"})
    assert response.status_code == 302
    seller.refresh_from_db()
    assert (seller.cs_phone, seller.contact_email) == ("1600-1234", "cs@summer.example.com")
    response = client.post(reverse("partner:shipping"), {
        "base_fee_amount": 3500, "free_threshold_amount": 40000, "return_fee_amount": 4000,
        "exchange_fee_amount": 8000, "jeju_surcharge_amount": 3000, "island_surcharge_amount": 6000,
        "courier_name": "CJ대한통운", "ship_within_days": 2, "return_address": "서울 중구 반품센터",
        "courier_codes": ["cj"]})
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = seller.shipping_policy
    policy.refresh_from_db()
    assert (policy.base_fee_amount, policy.island_surcharge_amount, policy.courier_codes) == (3500, 6000, ["cj"])
    day = timezone.localdate() + timedelta(days=5)
    client.post(reverse("partner:holidays"), {"day": day.isoformat(), "note": "창립기념일"})
    assert list(seller.holidays.values_list("date", flat=True)) == [day]
    past = client.post(reverse("partner:holidays"), {"day": "2000-01-01"})
    assert past.status_code == 400 and seller.holidays.count() == 1
