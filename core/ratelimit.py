"""A fixed-window rate limit per client, counted in the cache.

The cache may be down (Redis outage) or empty (a restart): the limit then lets requests through
rather than refusing everyone; it is a brake on floods, not an access control.
"""

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def client_address(request) -> str:
    # REMOTE_ADDR, not X-Forwarded-For: a header the client writes would let it pick its own bucket.
    # Behind a proxy, the proxy must set REMOTE_ADDR (gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def allow(*, scope: str, client: str, limit: int, window_seconds: int = 60) -> bool:
    """Count one request of ``client`` in ``scope``; False once it made more than ``limit`` in the window."""
    if limit <= 0:
        return True
    window = int(time.time() // window_seconds)
    key = f"ratelimit:{scope}:{client}:{window}"
    try:
        cache.add(key, 0, window_seconds + 5)
        count = cache.incr(key)
    except ValueError:  # the key vanished (eviction) or the cache is unreachable: let it through
        return True
    except Exception as exc:  # a cache backend without incr, or a transient error: never a 500
        logger.warning("rate limit %s not counted: %s", scope, exc)
        return True
    if count > limit:
        if count == limit + 1:
            logger.warning("rate limit %s reached by %s (%s per %ss)", scope, client, limit, window_seconds)
        return False
    return True
