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
    # The migration drill takes apps back and forth on the test database: it runs last, so whatever
    # state it leaves can never reach another test.
    items.sort(key=lambda item: "test_migrations_forward" in item.nodeid)


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
def _english_msgids(request, settings):
    """Tests assert the English msgids, so they run in English. The shop's default, Korean, is kept for
    tests marked `korean` (tests/core/test_translations.py) and for the browser tests (they accept both)."""
    if request.node.get_closest_marker("korean") is None and request.node.get_closest_marker("browser") is None:
        settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


def restore_migration_data() -> None:
    """Put back the rows the data migrations made (operator groups with their permissions, couriers).

    A transactional test ends with a flush that empties every table; Django's post_migrate signal
    then recreates content types and permissions, but not what RunPython migrations inserted.
    """
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    from accounts.roles import GROUP_PERMISSIONS

    for name, permissions in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = [Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
                  for app_label, codename in permissions]
        group.permissions.add(*[permission for permission in wanted if permission])
    importlib.import_module("orders.migrations.0004_couriers").add(apps, None)


@pytest.fixture(autouse=True)
def _migration_data(request):
    """Every database test starts with the migrations' data, even after another test's flush."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        yield
        return
    transactional = marker.kwargs.get("transaction", False) or (marker.args and marker.args[0])
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name="cs").exists():
        restore_migration_data()
    yield
