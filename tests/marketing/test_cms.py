"""CMS: banner schedule and audience, exhibition rules, expired exhibitions, notices and the
cache version bump."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from marketing.models import Banner, Exhibition, ExhibitionSection, Notice
from marketing.selectors_cms import list_banners, list_seller_notices, section_products
from marketing.services import cms
from tests.accounts.factories import OperatorFactory, UserFactory
from tests.catalog.factories import BrandFactory, CategoryFactory, ProductFactory
from tests.marketing.factories import CouponFactory
from tests.partners.factories import SellerFactory

pytestmark = pytest.mark.django_db


def png(size=(1200, 480)) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", size, (30, 90, 200)).save(buffer, "PNG")
    return SimpleUploadedFile("banner.png", buffer.getvalue(), content_type="image/png")


def banner(title, *, slot=Banner.Slot.HOME_HERO, starts=-1, ends=None, audience=Banner.Audience.EVERYONE, order=0,
           active=True):
    now = timezone.now()
    return Banner.objects.create(slot=slot, title=title, link_url="/exhibitions/", audience=audience,
                                 starts_at=now + timedelta(hours=starts),
                                 ends_at=now + timedelta(hours=ends) if ends is not None else None,
                                 sort_order=order, is_active=active)


def titles(banners):
    return [item.title for item in banners]


# --- Banners: schedule and audience ------------------------------------------------------------

def test_only_banners_on_schedule_show_in_their_order():
    banner("later", order=2)
    banner("first", order=1)
    banner("ended", ends=-0.5, starts=-2)
    banner("tomorrow", starts=24)
    banner("switched off", active=False)
    banner("other slot", slot=Banner.Slot.HOME_STRIP)

    assert titles(list_banners(slot=Banner.Slot.HOME_HERO)) == ["first", "later"]


def test_a_banner_appears_and_disappears_exactly_at_its_times():
    now = timezone.now()
    item = banner("sale", starts=1, ends=3)
    assert titles(list_banners(slot="home_hero", now=now)) == []
    assert titles(list_banners(slot="home_hero", now=item.starts_at)) == ["sale"]
    assert titles(list_banners(slot="home_hero", now=item.ends_at - timedelta(seconds=1))) == ["sale"]
    assert titles(list_banners(slot="home_hero", now=item.ends_at)) == []


def test_audience_everyone_signed_in_and_first_time_buyers():
    from orders.models import Order

    banner("all", order=1)
    banner("members", audience=Banner.Audience.SIGNED_IN, order=2)
    banner("welcome", audience=Banner.Audience.FIRST_TIME, order=3)
    newcomer = UserFactory()
    regular = UserFactory()
    Order.objects.create(number="20260101-0001", user=regular, payment_method="card", orderer_name="a",
                         orderer_email="a@example.com", orderer_phone="010", recipient="a", recipient_phone="010",
                         postcode="06236", address1="서울", payment_status=Order.PaymentStatus.PAID)

    assert titles(list_banners(slot="home_hero", user=None)) == ["all"]
    assert titles(list_banners(slot="home_hero", user=newcomer)) == ["all", "members", "welcome"]
    assert titles(list_banners(slot="home_hero", user=regular)) == ["all", "members"]


def test_home_page_shows_hero_banners_with_click_tracking_links(client):
    item = banner("가을 세일")
    html = client.get(reverse("shop:home")).content.decode()
    assert "가을 세일" in html
    assert reverse("shop:promotion_click", args=["banner", item.pk]) in html
    assert f'data-promo-id="banner-{item.pk}"' in html


def test_save_banner_refuses_a_broken_image_and_a_foreign_link_changing_nothing():
    operator = OperatorFactory(groups=["marketing"])
    broken = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    with pytest.raises(cms.ContentError) as error:
        cms.save_banner(actor=operator, slot="home_hero", title="x", link_url="javascript:alert(1)",
                        starts_at=timezone.now(), ends_at=None, audience="everyone", sort_order=0, is_active=True,
                        image_desktop=broken)
    assert set(error.value.errors) == {"link_url", "image_desktop"}
    assert Banner.objects.count() == 0


def test_save_banner_bumps_the_banners_version_and_the_cached_list_is_never_stale(
        django_capture_on_commit_callbacks, django_assert_num_queries):
    from core import cache_versions

    operator = OperatorFactory(groups=["marketing"])
    assert list_banners(slot="home_hero") == []  # cached: an empty list under the current token
    with django_assert_num_queries(0):
        assert list_banners(slot="home_hero") == []
    before = cache_versions.get_versions(cache_versions.BANNERS)
    with django_capture_on_commit_callbacks(execute=True):
        banner = cms.save_banner(actor=operator, slot="home_hero", title="새 배너", link_url="/exhibitions/",
                                 starts_at=timezone.now(), ends_at=None, audience="everyone", sort_order=0,
                                 is_active=True, image_desktop=png(), image_mobile=png((750, 750)))
    assert cache_versions.get_versions(cache_versions.BANNERS) != before
    assert titles(list_banners(slot="home_hero")) == ["새 배너"]
    with django_capture_on_commit_callbacks(execute=True):
        cms.save_banner(actor=operator, banner=banner, slot="home_hero", title="바뀐 배너",
                        link_url="/exhibitions/", starts_at=banner.starts_at, ends_at=None, audience="everyone",
                        sort_order=0, is_active=True)
    assert titles(list_banners(slot="home_hero")) == ["바뀐 배너"]
    assert not cache.get("cms")  # one mechanism: the old ``cms`` counter key is gone


def test_content_changed_tolerates_a_cache_that_is_down(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "set_many", broken)
    monkeypatch.setattr(cache, "get_many", broken)
    cms.content_changed()  # no exception
    assert list_banners(slot="home_hero") == []  # read from the database


# --- Exhibitions ---------------------------------------------------------------------------------

def exhibition(**fields):
    now = timezone.now()
    defaults = {"slug": "autumn", "title": "가을 기획전", "starts_at": now - timedelta(days=1),
                "ends_at": now + timedelta(days=7), "is_published": True}
    defaults.update(fields)
    return Exhibition.objects.create(**defaults)


def test_rule_section_picks_by_category_seller_brand_and_minimum_discount():
    knit = CategoryFactory(name="니트")
    other = CategoryFactory(name="신발")
    seller = SellerFactory()
    brand = BrandFactory()
    match = ProductFactory(category=knit, seller=seller, brand=brand, list_price_amount=10000, sale_price_amount=7000)
    exactly_30 = ProductFactory(category=knit, seller=seller, brand=brand, list_price_amount=10000,
                                sale_price_amount=7000 + 0, sales_count=5)
    too_small = ProductFactory(category=knit, seller=seller, brand=brand, list_price_amount=10000,
                               sale_price_amount=7100)
    ProductFactory(category=other, seller=seller, brand=brand, list_price_amount=10000, sale_price_amount=5000)
    ProductFactory(category=knit, seller=SellerFactory(), brand=brand, list_price_amount=10000,
                   sale_price_amount=5000)
    ProductFactory(category=knit, seller=seller, brand=BrandFactory(), list_price_amount=10000,
                   sale_price_amount=5000)
    section = ExhibitionSection.objects.create(exhibition=exhibition(), title="30% 이상", kind="rule",
                                               rule_category=knit, rule_seller=seller, rule_brand=brand,
                                               rule_min_discount_percent=30)

    picked = [product.pk for product in section_products(section)]

    assert set(picked) == {match.pk, exactly_30.pk}
    assert too_small.pk not in picked
    assert picked[0] == exactly_30.pk  # best sellers first


def test_picked_section_shows_only_visible_products():
    shown = ProductFactory()
    hidden = ProductFactory(status="hidden")
    section = ExhibitionSection.objects.create(exhibition=exhibition(), title="MD 추천", kind="picked")
    section.products.set([shown, hidden])
    assert [product.pk for product in section_products(section)] == [shown.pk]


def test_a_rule_needs_a_condition():
    operator = OperatorFactory(groups=["marketing"])
    with pytest.raises(cms.ContentError):
        cms.save_exhibition_section(exhibition=exhibition(), actor=operator, title="빈 규칙", kind="rule")
    assert ExhibitionSection.objects.count() == 0


def test_exhibition_page_lists_sections_and_its_coupons(client):
    product = ProductFactory(name="캐시미어 니트")
    item = exhibition()
    section = ExhibitionSection.objects.create(exhibition=item, title="MD 추천", kind="picked")
    section.products.set([product])
    item.coupons.set([CouponFactory(name="기획전 쿠폰", downloadable=True)])

    response = client.get(reverse("shop:exhibition_detail", args=["autumn"]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "캐시미어 니트" in html and "MD 추천" in html and "기획전 쿠폰" in html


def test_an_ended_exhibition_says_so_with_200_not_404(client):
    item = exhibition(starts_at=timezone.now() - timedelta(days=10), ends_at=timezone.now() - timedelta(days=1))
    section = ExhibitionSection.objects.create(exhibition=item, title="MD 추천", kind="picked")
    section.products.set([ProductFactory(name="지난 상품")])

    response = client.get(reverse("shop:exhibition_detail", args=["autumn"]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "This exhibition has ended." in html
    assert "지난 상품" not in html
    assert client.get(reverse("shop:exhibition_detail", args=["nothing"])).status_code == 404


def test_unpublished_exhibition_is_404_and_not_listed(client):
    exhibition(is_published=False)
    assert client.get(reverse("shop:exhibition_detail", args=["autumn"])).status_code == 404
    assert "가을 기획전" not in client.get(reverse("shop:exhibition_list")).content.decode()


def test_exhibition_only_takes_downloadable_coupons():
    operator = OperatorFactory(groups=["marketing"])
    with pytest.raises(cms.ContentError) as error:
        cms.save_exhibition(actor=operator, slug="x", title="x", starts_at=timezone.now(), ends_at=None,
                            is_published=True, coupons=[CouponFactory(downloadable=False)])
    assert "coupons" in error.value.errors
    assert Exhibition.objects.count() == 0


# --- Notices and FAQ -------------------------------------------------------------------------------

def test_notice_html_is_cleaned_and_seller_notices_are_separate(client):
    operator = OperatorFactory(groups=["marketing"])
    shopper_notice = cms.save_notice(actor=operator, audience="shoppers", title="배송 안내",
                                     body_html='<p onclick="x()">추석 배송</p><script>alert(1)</script>')
    seller_notice = cms.save_notice(actor=operator, audience="sellers", title="정산 일정 안내", body_html="<p>정산</p>")

    assert "<script>" not in shopper_notice.body_html and "onclick" not in shopper_notice.body_html
    assert list_seller_notices() == [seller_notice]
    html = client.get(reverse("shop:notice_list")).content.decode()
    assert "배송 안내" in html and "정산 일정 안내" not in html
    assert client.get(reverse("shop:notice_detail", args=[seller_notice.pk])).status_code == 404
    assert client.get(reverse("shop:notice_detail", args=[shopper_notice.pk])).status_code == 200


def test_faq_page_groups_by_topic(client):
    operator = OperatorFactory(groups=["marketing"])
    cms.save_faq(actor=operator, topic="shipping", question="언제 도착하나요?", answer_html="<p>2일</p>")
    cms.save_faq(actor=operator, topic="claim", question="반품은 어떻게?", answer_html="<p>마이페이지</p>")
    html = client.get(reverse("shop:faq") + "?topic=shipping").content.decode()
    assert "언제 도착하나요?" in html and "반품은 어떻게?" not in html
    assert Notice.objects.count() == 0
