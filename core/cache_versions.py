"""Version tokens that writes bump and cached storefront fragments are keyed by.

A cached fragment's key contains the current token of every scope it was built from
(``catalog``, ``product:42``, ``seller:7``, ``banners``). A write that changes what such a
fragment shows bumps the scope's token; the next request reads the new token, misses the
cache and renders from the database. Nothing is ever deleted or scanned: old entries simply
stop being asked for and expire.

Rules:
- Bump *after* the data changes. ``bump`` sets a new token at once and, inside a transaction,
  again when it commits: a request that read the database between the write and the commit
  (old data) and stored its render under the first new token is then never served.
- Only ``django.core.cache`` is used and every read tolerates a miss. When a token cannot be
  read or created (the cache is down or degraded), ``get_versions`` answers ``None`` and the
  caller renders without the cache.

Scopes and who bumps them (helpers below):
- ``catalog``: every product list (home, categories, search, counts, facets, the category bar):
  a product created, repriced, hidden, sold out or back, a seller suspended or reinstated, a
  category changed.
- ``product:<id>``: that product's page (price, status, stock crossing "few left"/zero, images,
  options).
- ``seller:<id>``: every product page of the seller (status, shipping policy).
- ``banners``: the home banners (marketing calls ``bump_banners`` when a banner changes).
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction

KEY_PREFIX = "version:"
CATALOG = "catalog"
BANNERS = "banners"


def product_scope(product_id: int) -> str:
    return f"product:{product_id}"


def seller_scope(seller_id: int) -> str:
    return f"seller:{seller_id}"


def _new_token() -> str:
    return uuid.uuid4().hex[:16]


def _set_new_tokens(scopes: tuple[str, ...]) -> None:
    token = _new_token()
    # Version keys never expire on their own: losing one (eviction, flush) only means a new
    # token is created on the next read, which misses the cache, never serves stale data.
    cache.set_many({KEY_PREFIX + scope: token for scope in scopes}, timeout=None)


def get_versions(*scopes: str) -> dict[str, str] | None:
    """The current token of each scope, creating the missing ones; None when the cache cannot say."""
    return read(scopes)[0]


def read(scopes, keys=()) -> tuple[dict[str, str] | None, dict]:
    """The tokens of ``scopes`` and the cached values of ``keys``, in one round trip to the cache.

    A page keeps the tokens it was built from inside its cached value: one ``get_many`` then tells
    both what is current and what is stored (a page cache hit costs one cache request).
    """
    version_keys = [KEY_PREFIX + scope for scope in scopes]
    found = cache.get_many([*version_keys, *keys]) or {}
    missing = [key for key in version_keys if key not in found]
    if missing:
        token = _new_token()
        for key in missing:
            cache.add(key, token, timeout=None)  # add: a concurrent creator's token wins
        found.update(cache.get_many(missing) or {})
        if any(key not in found for key in missing):
            return None, {}
    versions = {scope: found[KEY_PREFIX + scope] for scope in scopes}
    return versions, {key: found[key] for key in keys if key in found}


def bump(*scopes: str) -> None:
    """Invalidate every fragment built from ``scopes`` (now and, in a transaction, on commit)."""
    scopes = tuple(dict.fromkeys(scopes))
    if not scopes:
        return
    _set_new_tokens(scopes)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _set_new_tokens(scopes))


def bump_catalog() -> None:
    """Product lists and the category bar changed (a category was added, moved or renamed)."""
    bump(CATALOG)


def bump_products(*product_ids: int) -> None:
    """These products changed in a way lists and their pages show (price, status, stock, images)."""
    bump(CATALOG, *(product_scope(product_id) for product_id in product_ids))


def bump_seller(seller_id: int) -> None:
    """A seller's status or shipping policy changed: lists and every page of its products."""
    bump(CATALOG, seller_scope(seller_id))


def bump_banners() -> None:
    """The home banners changed. For marketing's banner services to call after a write."""
    bump(BANNERS)


# The product page shows a SKU's stock only up to this (the quantity stepper's maximum; "only N
# left" below 6): a stock change above it shows nowhere, so it bumps nothing. Checkout takes
# stock on every order; only crossing zero touches the lists, only changes below the cap the page.
SHOWN_STOCK_LIMIT = 99


def bump_for_stock_changes(changes) -> None:
    """``changes``: (product_id, stock before, stock after) per SKU whose stock a write changed."""
    scopes = []
    for product_id, before, after in changes:
        if (before > 0) != (after > 0):
            scopes.append(CATALOG)  # sold out or back: the lists' "sold out" marks and "in stock" filter
        if min(before, SHOWN_STOCK_LIMIT) != min(after, SHOWN_STOCK_LIMIT):
            scopes.append(product_scope(product_id))
    bump(*scopes)


def bump_for_sku_deltas(skus, deltas: dict[int, int]) -> None:
    """After ``sku.stock_quantity`` moved by ``deltas[sku.pk]`` for each of ``skus``."""
    bump_for_stock_changes((sku.product_id, sku.stock_quantity - deltas[sku.pk], sku.stock_quantity) for sku in skus)
