"""Issue 15, point 3 (the named cases) and point 5: NUL bytes and junk answer a clear 4xx, a body
over the limit gets the shop's own 413 page, a mistyped URL the shop's own 404 page."""

import pytest

from tests.accounts.factories import OperatorFactory, UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/search/?q=%00", "/search/?q=%ED%95%9C%00", "/?q=%00", "/orders/%00/",
                                 "/category/a%00b/", "/cart/?next=%00"])
def test_a_nul_byte_anywhere_in_the_request_is_a_400(client, url):
    response = client.get(url)

    assert response.status_code == 400
    assert "The request could not be understood" in response.content.decode()


@pytest.mark.django_db
def test_a_nul_byte_in_the_consoles_coupon_product_lookup_is_a_400(client):
    client.force_login(OperatorFactory(groups=["marketing"]))

    response = client.get("/console/marketing/coupons/products.json", {"q": "니트\x00"})

    assert response.status_code == 400


@pytest.mark.django_db
def test_a_nul_byte_in_a_posted_form_is_a_400_and_changes_nothing(client):
    from accounts.models import Address

    client.force_login(UserFactory())

    response = client.post("/accounts/addresses/new/", {"recipient": "김\x00", "phone": "010-1234-5678",
                                                         "postcode": "06236", "address1": "서울"})

    assert response.status_code == 400
    assert not Address.objects.exists()


@pytest.mark.django_db
def test_search_drops_control_characters_that_reach_it_another_way():
    from catalog.selectors import normalize_query

    assert normalize_query("니\x00트\x07  가디건\u200b") == "니트 가디건"


@pytest.mark.django_db
def test_a_junk_session_cookie_is_no_session_not_a_500(client):
    client.cookies["sessionid"] = "abc\x00def"

    response = client.get("/cart/")

    assert response.status_code == 200


@pytest.mark.django_db
def test_invalid_utf8_and_long_values_in_search_answer_200(client):
    for query in ("q=%FF%FE", "q=%ED%A0%80", "q=" + "A" * 10240, "q=a&q=b", "q[]=x"):
        assert client.get("/search/", QUERY_STRING=query).status_code == 200, query


@pytest.mark.django_db
def test_a_body_over_the_limit_gets_the_shops_own_413_page(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = client.post("/cart/add/", {"sku": "1", "note": "x" * 5000})

    assert response.status_code == 413
    html = response.content.decode()
    assert "The request is too large" in html and 'class="error-page"' in html
    assert "Traceback" not in html and "RequestDataTooBig" not in html


@pytest.mark.django_db
def test_a_mistyped_url_shows_the_shops_404_page_not_the_url_list(client):
    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "We could not find that page" in html
    assert "Using the URLconf" not in html and "django-admin" not in html


@pytest.mark.django_db
def test_the_favicon_is_served_and_linked(client):
    icon = client.get("/favicon.ico")
    home = client.get("/")

    assert icon.status_code == 200 and icon["Content-Type"] == "image/svg+xml" and b"<svg" in icon.content
    assert 'rel="icon"' in home.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("reference", ["bad ref", "WB-20260101-zzzzzzzzzz", "x" * 300, "%E2%80%AE"])
def test_a_waybill_reference_that_new_reference_never_makes_is_a_404_before_the_cache(client, reference):
    import warnings

    client.force_login(OperatorFactory(groups=["fulfilment"]))
    from django.core.cache.backends.base import CacheKeyWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)  # a key with spaces or control characters fails it
        response = client.get(f"/console/orders/waybills/{reference}/progress.json")

    assert response.status_code == 404
