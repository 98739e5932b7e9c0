"""Console, storefront and portal pages of the CMS, reports and affiliates: they render, the
forms work through the services, and people without the right see nothing."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from marketing.models import Affiliate, AffiliateStatement, Banner, Exhibition, ExhibitionSection, Notice
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.catalog.factories import ProductFactory
from tests.partners.factories import SellerStaffFactory

pytestmark = pytest.mark.django_db


def png(size=(1200, 480)):
    buffer = BytesIO()
    Image.new("RGB", size, (200, 60, 90)).save(buffer, "PNG")
    return SimpleUploadedFile("b.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def marketer_client(client):
    client.force_login(OperatorFactory(groups=["marketing"]))
    return client


def test_banner_create_list_preview_and_delete(marketer_client):
    response = marketer_client.post(reverse("console:marketing:banner_create"), {
        "slot": "home_hero", "title": "겨울 세일", "subtitle": "최대 50%", "link_url": "/exhibitions/winter/",
        "starts_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "ends_at": "",
        "audience": "everyone", "sort_order": 1, "is_active": "on", "image_desktop": png(),
        "image_mobile": png((750, 500))})
    assert response.status_code == 302
    banner = Banner.objects.get()
    assert banner.image_desktop and banner.image_mobile and banner.title == "겨울 세일"
    assert "겨울 세일" in marketer_client.get(reverse("console:marketing:banner_list")).content.decode()
    preview = marketer_client.get(reverse("console:marketing:banner_preview", args=[banner.pk]))
    assert preview.status_code == 200 and banner.image_desktop.url in preview.content.decode()
    assert marketer_client.get(reverse("console:marketing:banner_edit", args=[banner.pk])).status_code == 200
    marketer_client.post(reverse("console:marketing:banner_delete", args=[banner.pk]))
    assert Banner.objects.count() == 0


def test_banner_form_shows_errors_and_saves_nothing(marketer_client):
    response = marketer_client.post(reverse("console:marketing:banner_create"), {
        "slot": "home_hero", "title": "x", "link_url": "javascript:alert(1)", "audience": "everyone",
        "starts_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "sort_order": 0})
    assert response.status_code == 400
    assert "Enter a path on this shop" in response.content.decode()
    assert Banner.objects.count() == 0


def test_exhibition_create_with_a_section_and_preview(marketer_client):
    product = ProductFactory(name="울 코트")
    response = marketer_client.post(reverse("console:marketing:exhibition_create"), {
        "slug": "winter", "title": "겨울 기획전", "summary": "따뜻하게", "body_html": "<p>본문</p><script>x</script>",
        "starts_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "ends_at": ""})
    assert response.status_code == 302
    exhibition = Exhibition.objects.get()
    assert "<script>" not in exhibition.body_html and not exhibition.is_published
    response = marketer_client.post(reverse("console:marketing:section_create", args=[exhibition.pk]), {
        "section-title": "MD 추천", "section-sort_order": 0, "section-kind": "picked",
        "section-products": str(product.pk), "section-limit": 20})
    assert response.status_code == 302
    assert list(ExhibitionSection.objects.get().products.all()) == [product]
    page = marketer_client.get(reverse("console:marketing:exhibition_preview", args=[exhibition.pk]))
    assert page.status_code == 200 and "울 코트" in page.content.decode()
    assert marketer_client.get(reverse("console:marketing:exhibition_edit", args=[exhibition.pk])).status_code == 200
    assert marketer_client.get(reverse("console:marketing:exhibition_list")).status_code == 200


def test_notice_and_faq_forms(marketer_client):
    marketer_client.post(reverse("console:marketing:notice_create"), {
        "audience": "sellers", "title": "정산 안내", "body_html": "<p>10일 지급</p>", "is_published": "on",
        "published_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    marketer_client.post(reverse("console:marketing:faq_create"), {
        "topic": "shipping", "question": "언제 오나요?", "answer_html": "<p>2일</p>", "sort_order": 0,
        "is_published": "on"})
    assert Notice.objects.get().audience == "sellers"
    html = marketer_client.get(reverse("console:marketing:notice_list")).content.decode()
    assert "정산 안내" in html and "언제 오나요?" in html


def test_console_cms_pages_are_for_marketing_only(client):
    client.force_login(OperatorFactory(groups=["cs"]))
    for name in ("banner_list", "exhibition_list", "notice_list", "affiliate_list", "report_funnel"):
        assert client.get(reverse(f"console:marketing:{name}")).status_code == 403
    client.logout()
    assert client.get(reverse("console:marketing:banner_list")).status_code == 302


def test_affiliate_apply_approve_link_and_statements(client):
    from django.test import Client

    marketer_client = Client()
    marketer_client.force_login(OperatorFactory(groups=["marketing"]))
    person = UserFactory()
    client.force_login(person)
    assert client.get(reverse("shop:affiliate_home")).status_code == 200
    client.post(reverse("shop:affiliate_home"), {"kind": "individual", "name": "리뷰왕", "bank_name": "국민은행",
                                                 "account_number": "123-456", "account_holder": "김리뷰"})
    affiliate = Affiliate.objects.get(user=person)
    assert affiliate.status == "applied"
    marketer_client.post(reverse("console:marketing:affiliate_decide", args=[affiliate.pk]), {"to": "approved"})
    affiliate.refresh_from_db()
    assert affiliate.status == "approved"
    client.post(reverse("shop:affiliate_link_create"), {"target_path": "/products/1/", "label": "블로그"})
    link = affiliate.links.get()
    dashboard = client.get(reverse("shop:affiliate_home")).content.decode()
    assert f"/r/{link.code}" in dashboard
    redirect = client.get(f"/r/{link.code}", HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile")
    assert redirect.status_code == 302
    assert redirect["Location"] == f"/products/1/?utm_source=affiliate&utm_medium=affiliate&utm_campaign={link.code}"
    assert link.clicks.count() == 1
    assert marketer_client.get(reverse("console:marketing:affiliate_list")).status_code == 200
    marketer_client.post(reverse("console:marketing:affiliate_statements"), {"month": "2026-10"})
    assert marketer_client.get(reverse("console:marketing:affiliate_statements")).status_code == 200
    AffiliateStatement.objects.create(affiliate=affiliate, month=date(2026, 10, 1), earned_amount=12_000,
                                      total_amount=12_000, status="payable")
    payout = marketer_client.get(reverse("console:marketing:affiliate_payout_file", args=[2026, 10]))
    assert payout.status_code == 200 and payout["Content-Type"].startswith("application/vnd.openxmlformats")


def test_storefront_cms_pages(client):
    Exhibition.objects.create(slug="now", title="진행 중 기획전", starts_at=timezone.now() - timedelta(days=1),
                              is_published=True)
    assert "진행 중 기획전" in client.get(reverse("shop:exhibition_list")).content.decode()
    assert client.get(reverse("shop:faq")).status_code == 200
    assert client.get(reverse("shop:notice_list")).status_code == 200


def test_seller_sees_its_funnel_page(client):
    staff = SellerStaffFactory()
    client.force_login(staff.user)
    response = client.get(reverse("partner:marketing_funnel"))
    assert response.status_code == 200 and 'data-kpi="views"' in response.content.decode()
