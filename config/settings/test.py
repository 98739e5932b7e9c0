"""Test runs: SQLite unless DATABASE_URL is set (CI sets it to PostgreSQL)."""

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = env.path("TEST_MEDIA_ROOT", default=str(BASE_DIR / ".test-media"))
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
else:
    # Concurrency tests run 50 threads, each with its own connection.
    DATABASES["default"]["OPTIONS"]["pool"]["max_size"] = env.int("DB_POOL_MAX", default=60)

# Tasks run in-process in tests, whatever REDIS_URL says; tests that need the real broker and a
# worker (tests/core/test_celery_worker.py) switch eager mode off for themselves.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True

# Lists are counted afresh in tests (one test turns the cache on to test it).
CATALOG_LIST_CACHE_SECONDS = 0
