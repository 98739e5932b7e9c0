"""Onboarding (issue 10): the application with its documents, the operator's review in the console,
approval with the contract, rejection and re-application, suspension; audit and messages each time."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import OutboxMessage, StatusChange
from partners import services
from partners.exceptions import PartnerError
from partners.models import Seller, SellerDocument, SellerStaff
from settlement.models import CommissionRule, SettlementContract
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.catalog.factories import CategoryFactory
from tests.partners.factories import SellerFactory, pdf_upload, png_upload, seller_with_staff

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
Status = Seller.Status

FORM = {
    "name": "여름상회", "business_name": "(주)여름", "business_number": "124-81-00998", "representative": "박대표",
    "contact_name": "최담당", "contact_phone": "010-2222-3333", "contact_email": "summer@example.com",
    "mail_order_number": "2026-서울마포-0777", "address": "서울 마포구 월드컵로 1", "cs_phone": "1588-7777",
    "bank_name": "신한은행", "bank_account_number": "110-123-456789", "bank_account_holder": "(주)여름",
    "agree_terms": "on",
}


def _changes(seller):
    return list(StatusChange.objects.filter(content_type=ContentType.objects.get_for_model(Seller),
                                            object_id=seller.pk).values_list("from_status", "to_status"))


def _post_application(client, **overrides):
    data = {**FORM, "business_registration": pdf_upload(), "bank_book": png_upload(), **overrides}
    return client.post(reverse("partner:apply"), data)


def test_anyone_signed_in_applies_with_documents_and_operators_are_not_needed_yet(client):
    user = UserFactory()
    client.force_login(user)

    response = _post_application(client)

    assert response.status_code == 302
    seller = Seller.objects.get(name="여름상회")
    assert seller.status == Status.APPLIED and seller.terms_agreed_at is not None
    assert (seller.mail_order_number, seller.cs_phone, seller.bank_account_number) == (
        "2026-서울마포-0777", "1588-7777", "110-123-456789")
    assert SellerStaff.objects.get(user=user).role == "owner"
    kinds = sorted(seller.documents.values_list("kind", "content_type"))
    assert kinds == [("bank_book", "image/png"), ("business_registration", "application/pdf")]
    assert OutboxMessage.objects.filter(event="seller.applied", recipient="summer@example.com").exists()
    # The applicant sees the status page, not the portal.
    assert client.get(reverse("partner:dashboard"))["Location"] == reverse("partner:apply")
    assert "여름상회" in client.get(reverse("partner:apply")).content.decode()


@pytest.mark.parametrize(("field", "upload"), [
    ("business_registration", SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 this is an exe", "application/pdf")),
    ("bank_book", SimpleUploadedFile("photo.png", b"%PDF-1.4 never ends", "image/png")),
    ("bank_book", SimpleUploadedFile("text.jpg", b"hello", "image/jpeg")),
])
def test_documents_are_judged_by_content_and_a_bad_one_writes_nothing(client, field, upload):
    client.force_login(UserFactory())

    response = _post_application(client, **{field: upload})

    assert response.status_code == 400
    assert not Seller.objects.exists() and not SellerDocument.objects.exists()


@pytest.mark.parametrize(("overrides", "message"), [
    ({"business_number": "124-81-00999"}, "check digit"),
    ({"agree_terms": ""}, "Agree to the seller terms"),
    ({"mail_order_number": ""}, "This field is required"),
    ({"bank_account_number": "국민 123"}, "digits and dashes"),
])
def test_an_incomplete_application_is_refused_with_a_message(client, overrides, message):
    client.force_login(UserFactory())

    response = _post_application(client, **overrides)

    assert response.status_code == 400 and message in response.content.decode()
    assert not Seller.objects.exists()


def test_documents_are_served_to_the_sellers_owner_and_operators_only(client):
    client.force_login(UserFactory())
    _post_application(client)
    seller = Seller.objects.get()
    document = seller.documents.get(kind="business_registration")
    url = reverse("partner:document", args=[document.pk])
    assert client.get(url).status_code == 200
    assert client.get(url)["Content-Type"] == "application/pdf"
    _other, stranger = seller_with_staff()
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(OperatorFactory(groups=["settlement"]))
    console_url = reverse("console:sellers:document", args=[seller.pk, document.pk])
    assert client.get(console_url).status_code == 200
    client.force_login(OperatorFactory(groups=["cs"]))  # no partners.view_seller
    assert client.get(console_url).status_code == 403
    # A private file has no public URL.
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018


def test_the_operator_approves_with_a_contract_from_the_console(client):
    client.force_login(UserFactory())
    _post_application(client)
    seller = Seller.objects.get()
    category = CategoryFactory()
    operator = OperatorFactory(groups=["settlement"])
    client.force_login(operator)
    assert "여름상회" in client.get(reverse("console:sellers:list") + "?status=applied").content.decode()
    client.post(reverse("console:sellers:review", args=[seller.pk]))

    response = client.post(reverse("console:sellers:approve", args=[seller.pk]), {
        "approve-commission_rate": "11.5", "approve-category_rates": f"{category.pk} = 8",
        "approve-cycle": "monthly", "approve-ship_within_days": "3", "approve-reason": "서류 확인"})

    assert response.status_code == 302
    seller.refresh_from_db()
    assert seller.status == Status.ACTIVE
    assert _changes(seller) == [("applied", "under_review"), ("under_review", "active")]
    contract = SettlementContract.objects.get(seller=seller)
    assert contract.cycle == "monthly"
    rules = {(rule.category_id, str(rule.rate)) for rule in CommissionRule.objects.filter(seller=seller)}
    assert rules == {(None, "11.50"), (category.pk, "8.00")}
    assert seller.shipping_policy.ship_within_days == 3
    assert OutboxMessage.objects.filter(event="seller.approved", recipient="summer@example.com").exists()


def test_a_bad_contract_approves_nothing(client):
    seller = SellerFactory(status=Status.APPLIED)
    client.force_login(OperatorFactory(groups=["settlement"]))

    response = client.post(reverse("console:sellers:approve", args=[seller.pk]), {
        "approve-commission_rate": "150", "approve-cycle": "weekly", "approve-ship_within_days": "2"})

    assert response.status_code == 400
    seller.refresh_from_db()
    assert seller.status == Status.APPLIED and not SettlementContract.objects.filter(seller=seller).exists()
    assert _changes(seller) == []


def test_rejected_then_fixed_and_approved_later(client):
    owner = UserFactory()
    client.force_login(owner)
    _post_application(client)
    seller = Seller.objects.get()
    operator = OperatorFactory(groups=["settlement"])
    client.force_login(operator)
    assert client.post(reverse("console:sellers:reject", args=[seller.pk]), {"reject-reason": ""}).status_code == 400
    client.post(reverse("console:sellers:reject", args=[seller.pk]), {"reject-reason": "통장 사본이 흐립니다"})
    seller.refresh_from_db()
    assert seller.status == Status.REJECTED and seller.status_reason == "통장 사본이 흐립니다"
    assert OutboxMessage.objects.filter(event="seller.rejected").exists()

    client.force_login(owner)
    page = client.get(reverse("partner:apply")).content.decode()
    assert "통장 사본이 흐립니다" in page
    data = {key: value for key, value in FORM.items() if key not in ("name", "business_number")}
    response = client.post(reverse("partner:apply"), {**data, "bank_book": png_upload("clear.png")})
    assert response.status_code == 302
    seller.refresh_from_db()
    assert seller.status == Status.APPLIED and seller.documents.count() == 3

    services.approve_seller(seller=seller, actor=operator)
    assert _changes(seller) == [("applied", "rejected"), ("rejected", "applied"), ("applied", "active")]
    assert client.get(reverse("partner:dashboard")).status_code == 200


def test_suspend_needs_a_reason_and_reactivate_brings_the_store_back(client):
    seller, owner = seller_with_staff()
    client.force_login(OperatorFactory(groups=["settlement"]))
    client.post(reverse("console:sellers:suspend", args=[seller.pk]), {"suspend-reason": "허위 광고"})
    seller.refresh_from_db()
    assert seller.status == Status.SUSPENDED
    client.force_login(owner)
    assert "허위 광고" in client.get(reverse("partner:dashboard")).content.decode()
    assert client.post(reverse("partner:holidays"), {"day": "2099-01-01"}).status_code == 403  # read-only
    client.force_login(OperatorFactory(groups=["settlement"]))
    client.post(reverse("console:sellers:reinstate", args=[seller.pk]))
    seller.refresh_from_db()
    assert seller.status == Status.ACTIVE
    assert _changes(seller) == [("active", "suspended"), ("suspended", "active")]
    assert list(OutboxMessage.objects.filter(recipient=seller.contact_email).values_list("event", flat=True)
                .order_by("id")) == ["seller.suspended", "seller.reactivated"]


def test_console_seller_pages_need_the_permission(client):
    seller = SellerFactory(status=Status.APPLIED)
    assert client.get(reverse("console:sellers:list"))["Location"].startswith(reverse("accounts:login"))
    client.force_login(OperatorFactory(groups=["cs"]))
    assert client.get(reverse("console:sellers:list")).status_code == 403
    viewer = OperatorFactory()
    viewer.user_permissions.add(*__import__("django.contrib.auth.models", fromlist=["Permission"]).Permission
                                .objects.filter(codename="view_seller"))
    client.force_login(viewer)
    assert client.get(reverse("console:sellers:detail", args=[seller.pk])).status_code == 200
    assert client.post(reverse("console:sellers:approve", args=[seller.pk]), {}).status_code == 403
    seller.refresh_from_db()
    assert seller.status == Status.APPLIED


def test_service_refuses_an_application_without_documents():
    with pytest.raises(PartnerError):
        services.apply_seller(user=UserFactory(), name="x", business_name="x", business_number="124-81-00998",
                              representative="x", contact_name="x", contact_phone="010-1111-2222",
                              contact_email="x@example.com", mail_order_number="1", address="a", cs_phone="02-123-4567",
                              bank_name="b", bank_account_number="123-456-789", bank_account_holder="h",
                              documents={}, agreed_to_terms=True)
    assert not Seller.objects.exists()
