"""Version keys that writes bump so cached reads of that thing are missed on the next request.

``bump("reviews:42")`` after a write; readers put ``version("reviews:42")`` into their cache key.
The cache may be down: both calls then do nothing harmful (readers just miss).
"""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def version(name: str) -> int:
    try:
        return cache.get(f"v:{name}") or 1
    except Exception:  # the cache is down: no caching, no error
        return 0


def bump(name: str) -> None:
    try:
        try:
            cache.incr(f"v:{name}")
        except ValueError:
            cache.set(f"v:{name}", 2, None)
    except Exception:
        logger.warning("cache version bump failed for %s", name)
