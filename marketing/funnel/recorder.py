"""Hand funnel records to the buffer without making the request wait.

Services mode (REDIS_URL): one RPUSH of JSON lines per request to ``funnel:buffer`` with a 50 ms
socket timeout; when Redis fails, the records are dropped and Redis is not tried again for
``COOL_OFF_SECONDS`` (a page never waits on a dead Redis twice). The Celery beat task
``marketing.flush_events`` writes the buffer in batches. Embedded mode: a plain insert.

A record is a dict with ``kind``: "visit" (a session started), "event", "login" (the session
belongs to a user now) or "human" (the page's script answered).
"""

import json
import logging
import time

from django.conf import settings

logger = logging.getLogger(__name__)

BUFFER_KEY = "funnel:buffer"
COOL_OFF_SECONDS = 5.0
SOCKET_TIMEOUT_SECONDS = 0.05

_client = None
_down_until = 0.0
dropped_count = 0  # records lost to a Redis failure since the process started (for /healthz-like checks)


def buffer_mode() -> str:
    """"redis" or "direct" (FUNNEL_BUFFER overrides; default: redis when REDIS_URL is set)."""
    mode = getattr(settings, "FUNNEL_BUFFER", "")
    if mode:
        return mode
    return "redis" if getattr(settings, "REDIS_URL", "") else "direct"


def redis_client():
    global _client
    if _client is None:
        import redis

        url = getattr(settings, "FUNNEL_REDIS_URL", "") or settings.REDIS_URL
        _client = redis.Redis.from_url(url, socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
                                       socket_timeout=SOCKET_TIMEOUT_SECONDS, retry_on_timeout=False)
    return _client


def reset_client() -> None:
    """Forget the client and the cool-off (tests, and after settings change)."""
    global _client, _down_until
    _client = None
    _down_until = 0.0


def record(records: list[dict]) -> bool:
    """Buffer (or write) ``records``; True when they were accepted. Never raises."""
    global _down_until, dropped_count
    if not records:
        return True
    if buffer_mode() != "redis":
        try:
            from marketing.funnel.writer import write_records

            write_records(records)
            return True
        except Exception:  # an analytics insert must never break the page
            logger.exception("funnel: direct write failed; %d records dropped", len(records))
            dropped_count += len(records)
            return False
    now = time.monotonic()
    if now < _down_until:
        dropped_count += len(records)
        return False
    try:
        redis_client().rpush(BUFFER_KEY, *[json.dumps(item, separators=(",", ":"), default=str) for item in records])
        return True
    except Exception:  # ConnectionError, TimeoutError, …: lose the records, keep the page
        _down_until = now + COOL_OFF_SECONDS
        dropped_count += len(records)
        logger.warning("funnel: Redis buffer unavailable; dropping events for %ss", COOL_OFF_SECONDS)
        return False


def take_batch(size: int) -> list[dict]:
    """Take up to ``size`` records off the buffer (atomic: LRANGE + LTRIM in one transaction)."""
    pipe = redis_client().pipeline(transaction=True)
    pipe.lrange(BUFFER_KEY, 0, size - 1)
    pipe.ltrim(BUFFER_KEY, size, -1)
    raw, _trimmed = pipe.execute()
    records = []
    for item in raw:
        try:
            records.append(json.loads(item))
        except ValueError:
            continue
    return records


def buffer_length() -> int:
    try:
        return int(redis_client().llen(BUFFER_KEY))
    except Exception:
        return 0
