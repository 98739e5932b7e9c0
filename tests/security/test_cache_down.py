"""Issue 15, point 4: with the cache (Redis) unreachable the storefront keeps serving from the
database, and a signed-in shopper keeps their session (sessions never depend on the cache)."""

import socket

import pytest

from catalog.models import Product
from config.settings.base import redis_caches
from tests.accounts.factories import UserFactory
from tests.catalog.factories import CategoryFactory, ProductFactory, SKUFactory


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    settings.CACHES = redis_caches(f"redis://127.0.0.1:{_closed_port()}/0")
    settings.CATALOG_LIST_CACHE_SECONDS = 60  # the cache is on, as in production
    from django.core.cache import cache

    with pytest.raises(Exception):  # noqa: B017 - proves the cache really is unreachable
        cache._cache.get_client().ping()
    yield


@pytest.mark.django_db
def test_category_and_search_answer_200_from_the_database_with_redis_down(client, redis_down):
    category = CategoryFactory(name="니트", slug="knit")
    product = ProductFactory(category=category, name="캐시없는 니트", status=Product.Status.ON_SALE)
    SKUFactory(product=product, stock_quantity=5)

    pages = {url: client.get(url) for url in ("/", "/category/knit/", "/search/?q=니트", f"/products/{product.pk}/",
                                               "/categories/")}

    assert {url: response.status_code for url, response in pages.items()} == {url: 200 for url in pages}
    assert "캐시없는 니트" in pages["/category/knit/"].content.decode()
    assert "캐시없는 니트" in pages["/search/?q=니트"].content.decode()


@pytest.mark.django_db
def test_a_shopper_stays_signed_in_and_keeps_the_cart_with_redis_down(client, redis_down):
    shopper = UserFactory()
    client.force_login(shopper)

    cart = client.get("/cart/")
    orders = client.get("/orders/")

    assert cart.status_code == 200 and orders.status_code == 200
    assert orders.wsgi_request.user == shopper


def test_the_cache_answers_as_a_miss_while_redis_is_down(redis_down):
    from django.core.cache import cache

    assert cache.get("anything", "fallback") == "fallback"
    assert cache.add("lock", 1) is False  # a lock is never granted by a cache that is not there
    cache.set("key", "value")
    assert cache.get_or_set("key", "computed") == "computed"
    assert cache.get_many(["a", "b"]) == {}
    with pytest.raises(ValueError):
        cache.incr("counter")
