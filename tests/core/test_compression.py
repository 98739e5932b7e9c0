"""HTML is gzipped only for a visitor with no session (BREACH: no secret on those pages)."""

import gzip

import pytest
from django.urls import reverse

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def _get(client, url):
    return client.get(url, headers={"accept-encoding": "gzip, deflate, br"})


def test_an_anonymous_visitors_page_is_gzipped_and_reads_the_same(client):
    response = _get(client, reverse("shop:home"))
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"] and "Cookie" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert "<html" in html and "</html>" in html


def test_a_signed_in_shoppers_page_is_not_compressed(client):
    client.force_login(UserFactory())
    response = _get(client, reverse("shop:home"))
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert "<html" in response.content.decode()


def test_a_visitor_with_a_session_cookie_is_not_compressed_even_if_anonymous(client, settings):
    client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"
    response = _get(client, reverse("shop:search") + "?q=니트")
    assert not response.has_header("Content-Encoding")


def test_without_accept_encoding_nothing_is_compressed(client):
    response = client.get(reverse("shop:home"))
    assert not response.has_header("Content-Encoding")
