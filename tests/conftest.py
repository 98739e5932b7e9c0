import os
import shutil

import pytest
from django.conf import settings

REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"


def pytest_collection_modifyitems(config, items):
    using_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    skip_redis = pytest.mark.skip(reason="needs Redis (set REDIS_URL)")
    for item in items:
        if "postgres" in item.keywords and not using_postgres:
            item.add_marker(skip_pg)
        elif "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(skip_redis)


def pytest_sessionfinish(session, exitstatus):
    """In CI (REQUIRE_POSTGRES=1) a skipped PostgreSQL test fails the run."""
    if not REQUIRE_POSTGRES:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    skipped = [
        r for r in reporter.stats.get("skipped", [])
        if {"postgres", "redis"} & set(getattr(r, "keywords", {}))
    ]
    if skipped:
        reporter.write_line(f"REQUIRE_POSTGRES: {len(skipped)} PostgreSQL/Redis test(s) were skipped", red=True)
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
