"""A Redis cache that degrades to "no cache" when Redis cannot be reached.

The shop uses the cache only to go faster (list counts, facets, dashboard figures, short-lived
upload state). With Redis down a page must still render from the database, so every cache call
that fails to connect answers as a miss (``get`` → default, ``add`` → False, ``set`` → nothing)
instead of raising. After a failure the cache is skipped for ``COOLDOWN_SECONDS`` so a request
does not wait for a dead server on each of its cache calls; one warning is logged per cool-down.

Programming errors (a bad key, an unpicklable value) still raise: only connection-level errors are
swallowed.
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

COOLDOWN_SECONDS = 5.0
# Shared by the per-thread cache instances: one thread finding Redis down spares the others the wait.
_DOWN_UNTIL: dict[tuple, float] = {}
_LOCK = threading.Lock()


def _connection_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, ConnectionError, TimeoutError,
            OSError)


class ResilientRedisCache(RedisCache):
    """Django's RedisCache whose calls answer as a miss while Redis is unreachable."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        # Fail fast: a cache that takes seconds to answer is worse than no cache.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, {**params, "OPTIONS": options})
        self._location = tuple(self._servers)

    def _is_down(self) -> bool:
        return time.monotonic() < _DOWN_UNTIL.get(self._location, 0.0)

    def _mark_down(self, exc: BaseException) -> None:
        with _LOCK:
            if not self._is_down():
                logger.warning("cache unreachable, serving without it for %ss: %s", COOLDOWN_SECONDS,
                               str(exc).replace("\n", " "))
            _DOWN_UNTIL[self._location] = time.monotonic() + COOLDOWN_SECONDS

    def _guard(self, method, fallback, *args, **kwargs):
        if self._is_down():
            return fallback
        try:
            return method(*args, **kwargs)
        except _connection_errors() as exc:
            self._mark_down(exc)
            return fallback

    def add(self, key, value, timeout=None, version=None):
        # A lock taken through add() while the cache is down: refuse it (False), never grant it twice.
        return self._guard(super().add, False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._guard(super().get, default, key, default, version)

    def set(self, key, value, timeout=None, version=None):
        return self._guard(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=None, version=None):
        return self._guard(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._guard(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._guard(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        if self._is_down():
            raise ValueError(f"Key '{key}' not found (cache unreachable)")
        try:
            return super().incr(key, delta, version)
        except _connection_errors() as exc:
            self._mark_down(exc)
            raise ValueError(f"Key '{key}' not found (cache unreachable)") from exc

    def set_many(self, data, timeout=None, version=None):
        return self._guard(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._guard(super().delete_many, None, keys, version)

    def clear(self):
        return self._guard(super().clear, False)
