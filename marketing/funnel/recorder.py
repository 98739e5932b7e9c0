"""Hand funnel records to the buffer without making the request wait.

Services mode (REDIS_URL): the request only puts its records on an in-process queue (a few
microseconds); a daemon thread of the worker process pushes them to the Redis list
``funnel:buffer`` in batches (one RPUSH per batch, 50 ms socket timeout). When Redis fails the
batch is dropped and Redis is not tried again for ``COOL_OFF_SECONDS``; when the queue is full
(Redis slow or down) new records are dropped. So a page never waits on Redis, and losing Redis
(or the process) loses at most the buffer. The Celery beat task ``marketing.flush_events``
writes the Redis buffer into the database in batches. Embedded mode: a plain insert.

A record is a dict with ``kind``: "visit" (a session started), "event", "login" (the session
belongs to a user now) or "human" (the page's script answered).
"""

import json
import logging
import queue
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)

BUFFER_KEY = "funnel:buffer"
COOL_OFF_SECONDS = 5.0
SOCKET_TIMEOUT_SECONDS = 0.05

QUEUE_SIZE = 20_000  # batches of records waiting for the pusher thread
PUSH_BATCH = 2000
# The pusher gathers for this long before a push: one Redis round trip for many requests, so the
# buffer costs the busy worker process almost nothing (and at most this long of events is in memory).
PUSH_INTERVAL_SECONDS = 0.5

_client = None
_down_until = 0.0
dropped_count = 0  # records lost to a Redis failure since the process started (for /healthz-like checks)
_queue: queue.Queue = queue.Queue(maxsize=QUEUE_SIZE)
_pusher: threading.Thread | None = None
_pusher_pid = 0
_pusher_lock = threading.Lock()


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
    """Buffer (or write) ``records``; True when they were accepted. Never raises, never waits."""
    global dropped_count
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
    _ensure_pusher()
    try:
        _queue.put_nowait(records)
        return True
    except queue.Full:
        dropped_count += len(records)
        return False


def _ensure_pusher() -> None:
    """Start the pusher thread in this process (again after a fork: threads do not survive it)."""
    global _pusher, _pusher_pid
    import os

    if _pusher is not None and _pusher_pid == os.getpid() and _pusher.is_alive():
        return
    with _pusher_lock:
        if _pusher is not None and _pusher_pid == os.getpid() and _pusher.is_alive():
            return
        _pusher_pid = os.getpid()
        _pusher = threading.Thread(target=_push_forever, name="funnel-pusher", daemon=True)
        _pusher.start()


def _push_forever() -> None:
    while True:
        taken = 0
        try:
            batch = list(_queue.get())
            taken = 1
            time.sleep(PUSH_INTERVAL_SECONDS)
            while len(batch) < PUSH_BATCH:
                try:
                    batch.extend(_queue.get_nowait())
                    taken += 1
                except queue.Empty:
                    break
            push(batch)
        except Exception:  # the thread must outlive any one bad batch
            logger.exception("funnel: pusher failed on a batch")
        finally:
            for _done in range(taken):
                _queue.task_done()


def push(records: list[dict]) -> bool:
    """RPUSH ``records`` to the Redis buffer now (the pusher thread; ``drain`` in tests and benches)."""
    global _down_until, dropped_count
    now = time.monotonic()
    if now < _down_until:
        dropped_count += len(records)
        return False
    try:
        redis_client().rpush(BUFFER_KEY, *[json.dumps(item, separators=(",", ":"), default=str) for item in records])
        return True
    except Exception:  # ConnectionError, TimeoutError, …: lose the records, keep the pages
        _down_until = now + COOL_OFF_SECONDS
        dropped_count += len(records)
        logger.warning("funnel: Redis buffer unavailable; dropping events for %ss", COOL_OFF_SECONDS)
        return False


def drain(timeout: float = 5.0) -> None:
    """Wait until the queue is pushed (tests, benchmarks, and the flush task in the same process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _queue.unfinished_tasks == 0:
            return
        time.sleep(0.01)


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
