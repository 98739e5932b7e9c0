"""The web side and a real Celery worker talk through Redis (services mode only)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from config.celery_app import app
from core.tasks import ping

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
@pytest.mark.redis
def test_a_task_sent_by_the_web_side_is_run_by_a_real_worker(monkeypatch):
    assert settings.REDIS_URL, "needs REDIS_URL"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "REDIS_URL": settings.REDIS_URL}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-c", "1", "-l", "warning",
         "-n", f"test-{uuid.uuid4().hex[:6]}@%h", "-Q", "celery"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    token = uuid.uuid4().hex
    try:
        ping.delay(token)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and cache.get(f"ping:{token}") is None:
            assert worker.poll() is None, worker.stdout.read().decode()
            time.sleep(0.2)
        assert cache.get(f"ping:{token}") == "pong"
    finally:
        worker.terminate()
        worker.wait(timeout=20)
