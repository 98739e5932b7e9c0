"""Event capture: UTM and click-id parsing, bots, session boundaries, DNT, the Redis buffer and
the batch writer, sign-in, the page script's answer and promotion clicks."""

import time

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import reverse

from marketing.funnel import recorder
from marketing.funnel.middleware import SESSION_COOKIE, VISITOR_COOKIE, build_state
from marketing.funnel.sources import device_of, is_bot, parse_source
from marketing.funnel.writer import flush_buffer, write_records
from marketing.models import Banner, Event, Visit
from tests.accounts.factories import PASSWORD, UserFactory
from tests.catalog.factories import ProductFactory

pytestmark = pytest.mark.django_db

PHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Version/17.0 Mobile/15E148 Safari/604.1")
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


@pytest.fixture(autouse=True)
def direct_writes(settings):
    settings.FUNNEL_BUFFER = "direct"
    recorder.reset_client()
    yield
    recorder.reset_client()


# --- Sources, devices, bots ------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "referrer", "expected"), [
    ("utm_source=Naver&utm_medium=CPC&utm_campaign=fall_sale&utm_content=banner_a&utm_term=니트", "",
     ("naver", "cpc", "fall_sale", "banner_a", "니트", "")),
    ("gclid=abc123", "https://www.google.com/", ("google", "cpc", "", "", "", "gclid")),
    ("fbclid=xyz", "https://m.facebook.com/", ("facebook", "social", "", "", "", "fbclid")),
    ("utm_source=newsletter&utm_medium=email&gclid=1", "", ("newsletter", "email", "", "", "", "gclid")),
    ("", "https://search.naver.com/search.naver?query=x", ("naver", "organic", "", "", "", "")),
    ("", "https://www.google.co.kr/", ("google", "organic", "", "", "", "")),
    ("", "https://blog.naver.com/someone/1", ("blog.naver.com", "referral", "", "", "", "")),
    ("", "https://shop.example/products/1/", ("", "", "", "", "", "")),  # our own pages
    ("", "", ("", "", "", "", "", "")),  # direct
])
def test_parse_source(query, referrer, expected):
    source = parse_source(QueryDict(query), referrer, "shop.example")
    assert (source.source, source.medium, source.campaign, source.content, source.term,
            source.click_id_kind) == expected


@pytest.mark.parametrize(("agent", "bot"), [
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", True),
    ("Mozilla/5.0 (compatible; Yeti/1.1; +http://naver.me/spd)", True),
    ("curl/8.5.0", True),
    ("python-requests/2.32", True),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0 Safari/537.36",
     True),
    ("", True),
    (PHONE, False),
    (DESKTOP, False),
])
def test_bots_by_user_agent(agent, bot):
    assert is_bot(agent) is bot


def test_devices():
    assert device_of(PHONE) == "mobile"
    assert device_of(DESKTOP) == "desktop"
    assert device_of("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X)") == "tablet"


# --- Session boundaries ----------------------------------------------------------------------------

def _request(path="/", cookies=None, **meta):
    request = RequestFactory().get(path, HTTP_USER_AGENT=DESKTOP, **meta)
    request.COOKIES.update(cookies or {})
    return request


def test_session_continues_within_30_minutes_and_ends_after():
    now = time.time()
    cookies = {VISITOR_COOKIE: "a" * 24, SESSION_COOKIE: f"{'b' * 24}.{int(now - 29 * 60)}"}
    alive = build_state(_request(cookies=cookies), now=now)
    assert alive.session_id == "b" * 24 and not alive.is_new_session

    cookies[SESSION_COOKIE] = f"{'b' * 24}.{int(now - 31 * 60)}"
    expired = build_state(_request(cookies=cookies), now=now)
    assert expired.is_new_session and expired.session_id != "b" * 24
    assert expired.visitor_id == "a" * 24


def test_a_new_campaign_starts_a_new_session_but_a_reload_does_not():
    now = time.time()
    first = build_state(_request("/?utm_source=kakao&utm_medium=message&utm_campaign=vip"), now=now)
    assert first.is_new_session
    from django.core import signing

    from marketing.funnel.middleware import SOURCE_COOKIE, SOURCE_SALT
    cookies = {VISITOR_COOKIE: first.visitor_id, SESSION_COOKIE: f"{first.session_id}.{int(now)}",
               SOURCE_COOKIE: signing.dumps({"f": first.first_touch, "l": first.last_touch}, salt=SOURCE_SALT,
                                            compress=True)}
    reload = build_state(_request("/?utm_source=kakao&utm_medium=message&utm_campaign=vip", cookies), now=now + 60)
    assert reload.session_id == first.session_id and not reload.is_new_session
    other = build_state(_request("/?utm_source=naver&utm_medium=cpc&utm_campaign=fall", cookies), now=now + 120)
    assert other.is_new_session and other.session_id != first.session_id
    assert other.first_touch[1] == "kakao" and other.last_touch[1] == "naver"


# --- The middleware, end to end -------------------------------------------------------------------

def test_a_landing_records_a_visit_and_a_page_view_and_sets_first_party_cookies(client):
    response = client.get("/?utm_source=naver&utm_medium=cpc&utm_campaign=fall&gclid=zz",
                          HTTP_USER_AGENT=PHONE, HTTP_REFERER="https://search.naver.com/")
    assert response.status_code == 200
    visit = Visit.objects.get()
    assert (visit.source, visit.medium, visit.campaign, visit.click_id_kind, visit.device) == (
        "naver", "cpc", "fall", "gclid", "mobile")
    assert visit.landing_path.startswith("/?utm_source=naver")
    assert not visit.is_human
    assert list(Event.objects.values_list("name", "session_id")) == [("page_view", visit.id)]
    assert response.cookies[SESSION_COOKIE].value.startswith(visit.id)
    assert response.cookies[VISITOR_COOKIE].value == visit.visitor_id

    client.get(reverse("shop:categories"), HTTP_USER_AGENT=PHONE)
    assert Visit.objects.count() == 1
    assert Event.objects.filter(session_id=visit.id, name="page_view").count() == 2


def test_product_view_and_search_with_its_result_count(client):
    product = ProductFactory(name="캐시미어 니트")
    client.get(reverse("shop:product", args=[product.pk]), HTTP_USER_AGENT=DESKTOP)
    client.get(reverse("shop:search") + "?q=없는상품", HTTP_USER_AGENT=DESKTOP)
    assert Event.objects.get(name="view_item").product_id == product.pk
    search = Event.objects.get(name="search")
    assert (search.search_query, search.result_count) == ("없는상품", 0)


@pytest.mark.parametrize("header", [{"HTTP_DNT": "1"}, {"HTTP_SEC_GPC": "1"}])
def test_do_not_track_records_nothing_and_sets_no_cookie(client, header):
    response = client.get("/?utm_source=naver", HTTP_USER_AGENT=DESKTOP, **header)
    assert response.status_code == 200
    assert Visit.objects.count() == 0 and Event.objects.count() == 0
    assert SESSION_COOKIE not in response.cookies


def test_opting_out_stops_recording(client):
    client.post(reverse("shop:tracking_consent"), {"consent": "denied", "next": "/"})
    client.get("/", HTTP_USER_AGENT=DESKTOP)
    assert Event.objects.count() == 0


def test_bots_are_not_recorded(client):
    client.get("/", HTTP_USER_AGENT="Mozilla/5.0 (compatible; Googlebot/2.1)")
    client.get("/")  # no user agent at all
    assert Visit.objects.count() == 0 and Event.objects.count() == 0


def test_staff_areas_are_not_recorded(client):
    client.get("/console/", HTTP_USER_AGENT=DESKTOP)
    client.get("/static/css/shop.css", HTTP_USER_AGENT=DESKTOP)
    assert Event.objects.count() == 0


def test_sign_in_ties_the_session_to_the_account(client):
    user = UserFactory(email="kim@example.com")
    client.get("/", HTTP_USER_AGENT=DESKTOP)
    visit = Visit.objects.get()
    assert visit.user_id is None
    response = client.post(reverse("accounts:login"), {"username": "kim@example.com", "password": PASSWORD},
                           HTTP_USER_AGENT=DESKTOP)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.user_id == user.pk
    assert Event.objects.filter(name="login", user_id=user.pk, session_id=visit.id).exists()


def test_the_page_script_marks_the_visit_human_and_counts_promotion_impressions(client):
    client.get("/", HTTP_USER_AGENT=DESKTOP)
    visit = Visit.objects.get()
    response = client.post(reverse("shop:funnel_ping"), data=(
        '{"path": "/", "promotions": [{"id": "banner-7", "name": "가을", "creative": "a", "slot": "home_hero"},'
        ' {"id": "javascript:x"}]}'), content_type="application/json", HTTP_USER_AGENT=DESKTOP)
    assert response.status_code == 204
    visit.refresh_from_db()
    assert visit.is_human
    assert list(Event.objects.filter(name="view_promotion").values_list("promotion_id", "slot")) == [
        ("banner-7", "home_hero")]


def test_a_banner_click_is_counted_and_goes_to_the_banner_link(client):
    from django.utils import timezone

    banner = Banner.objects.create(slot="home_hero", title="가을 세일", link_url="/exhibitions/autumn/",
                                   starts_at=timezone.now())
    client.get("/", HTTP_USER_AGENT=DESKTOP)
    response = client.get(reverse("shop:promotion_click", args=["banner", banner.pk]), HTTP_USER_AGENT=DESKTOP)
    assert response.status_code == 302 and response["Location"] == "/exhibitions/autumn/"
    click = Event.objects.get(name="select_promotion")
    assert (click.promotion_id, click.promotion_name, click.slot) == (f"banner-{banner.pk}", "가을 세일", "home_hero")


def test_add_to_cart_is_recorded_with_its_product(client):
    from tests.orders.factories import make_product

    product, skus = make_product()
    user = UserFactory()
    client.force_login(user)
    client.get("/", HTTP_USER_AGENT=DESKTOP)
    client.post(reverse("shop:cart_add"), {"sku_id": skus[0].pk, "quantity": 1}, HTTP_USER_AGENT=DESKTOP)
    event = Event.objects.get(name="add_to_cart")
    assert event.product_id == product.pk and event.user_id == user.pk


# --- The Redis buffer -------------------------------------------------------------------------------

@pytest.mark.redis
def test_redis_buffer_then_batch_writer(client, settings):
    settings.FUNNEL_BUFFER = "redis"
    recorder.reset_client()
    recorder.redis_client().delete(recorder.BUFFER_KEY)

    client.get("/", HTTP_USER_AGENT=DESKTOP)
    client.get(reverse("shop:categories"), HTTP_USER_AGENT=DESKTOP)
    recorder.drain()
    assert Event.objects.count() == 0
    assert recorder.buffer_length() == 3  # visit, page view, page view

    assert flush_buffer() == 3
    assert Visit.objects.count() == 1 and Event.objects.count() == 2
    assert recorder.buffer_length() == 0


def test_a_dead_redis_loses_events_not_pages(client, settings):
    settings.FUNNEL_BUFFER = "redis"
    settings.FUNNEL_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    recorder.reset_client()
    before = recorder.dropped_count
    started = time.monotonic()
    for _ in range(3):
        assert client.get("/", HTTP_USER_AGENT=DESKTOP).status_code == 200
    assert time.monotonic() - started < 5
    recorder.drain()
    assert recorder.dropped_count > before
    assert Event.objects.count() == 0


def test_writer_ignores_a_replayed_visit_and_applies_updates():
    records = [{"kind": "visit", "session_id": "s" * 24, "visitor_id": "v" * 24, "at": time.time(),
                "source": "naver", "device": "mobile"},
               {"kind": "event", "name": "page_view", "session_id": "s" * 24, "visitor_id": "v" * 24,
                "at": time.time(), "path": "/"},
               {"kind": "human", "session_id": "s" * 24}]
    write_records(records)
    write_records(records[:1])
    assert Visit.objects.count() == 1 and Visit.objects.get().is_human


@pytest.mark.postgres
def test_every_search_records_its_result_count_whether_the_page_came_from_the_cache_or_not(client, settings):
    """The search page is served from the page cache: a hit builds nothing, yet its event needs the count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.accounts.factories import OperatorFactory

    settings.STOREFRONT_CACHE_SECONDS = 600
    ProductFactory(name="캐시미어 니트")
    ProductFactory(name="캐시미어 머플러")
    shopper = UserFactory()
    url = reverse("shop:search")
    for _round in range(3):  # anonymous: the whole page is cached after the first request
        assert client.get(url + "?q=없는상품", HTTP_USER_AGENT=DESKTOP).status_code == 200
        assert client.get(url + "?q=캐시미어", HTTP_USER_AGENT=DESKTOP).status_code == 200
    client.force_login(shopper)
    with CaptureQueriesContext(connection) as queries:  # signed in: the shared part comes from the cache
        assert client.get(url + "?q=없는상품", HTTP_USER_AGENT=DESKTOP).status_code == 200
    assert not [query for query in queries.captured_queries if "catalog_product" in query["sql"]], "not a cache hit"

    counts = sorted(Event.objects.filter(name="search").values_list("search_query", "result_count"))
    assert counts == [("없는상품", 0)] * 4 + [("캐시미어", 2)] * 3

    client.force_login(OperatorFactory(groups=["marketing"]))
    page = client.get(reverse("console:marketing:report_searches"))
    zero = page.content.decode().split('data-report="zero"')[1].split("</table>")[0]
    assert "없는상품" in zero and '<td class="num">4</td>' in zero and "캐시미어" not in zero


def test_a_blank_search_is_a_page_view_not_a_search(client):
    assert client.get(reverse("shop:search") + "?q=%20%20", HTTP_USER_AGENT=DESKTOP).status_code == 200
    assert Event.objects.filter(name="page_view").count() == 1
    assert not Event.objects.filter(name="search").exists()
