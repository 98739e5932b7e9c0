import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from config.celery_app import app
from core.models import OutboxMessage
from core.outbox import dispatch_pending, notify
from orders.models import Order
from orders.services import place_order
from tests.accounts.factories import UserFactory
from tests.orders.factories import DELIVERY, make_product
from tests.orders.helpers import pay

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_a_paid_order_sends_each_message_once_however_often_the_dispatcher_runs():
    _, (sku,) = make_product()
    order = place_order(user=UserFactory(), items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(order)
    assert dispatch_pending() == 4
    assert dispatch_pending() == 0
    subjects = sorted(m.subject for m in mail.outbox)
    assert len(mail.outbox) == 2 and any(order.number in s for s in subjects)
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT, attempts=1).count() == 4
    alimtalk = OutboxMessage.objects.get(event="order.paid", channel="alimtalk")
    assert order.number in alimtalk.body and alimtalk.provider_message_id.startswith("dev-")


@pytest.mark.django_db
def test_the_same_event_and_key_is_queued_once():
    user = UserFactory()
    for _ in range(3):
        notify(event="order.expired", key="20261122-000001", context={"order": Order(number="20261122-000001")},
               email=user.email, phone="010-1234-5678")
    assert OutboxMessage.objects.count() == 2


@pytest.mark.django_db
def test_a_failing_provider_is_retried_later_then_given_up(settings, monkeypatch):
    from core import messaging

    def refuse(**kwargs):
        raise messaging.ProviderError("smtp down")

    monkeypatch.setattr(messaging, "send_email_message", refuse)
    notify(event="order.expired", key="x", context={"order": Order(number="x")}, email="a@example.com")
    assert dispatch_pending() == 0
    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.Status.PENDING and row.attempts == 1 and "smtp down" in row.last_error
    assert dispatch_pending() == 0  # not due yet: back-off
    assert OutboxMessage.objects.get().attempts == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_redis(port: int) -> subprocess.Popen:
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(50):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.1)
    raise RuntimeError("redis-server did not start")


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_an_order_placed_while_redis_is_down_succeeds_and_its_messages_go_out_once_it_is_back(monkeypatch):
    port = _free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    redis = _start_redis(port)
    monkeypatch.setitem(app.conf, "broker_url", broker)
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    _drop_celery_pools()
    redis.terminate()
    redis.wait()

    _, (sku,) = make_product()
    order = place_order(user=UserFactory(), items=[(sku.pk, 1)], delivery=DELIVERY, payment_method="card")
    pay(order)  # commits; the after-commit publish fails against the dead broker, quietly
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count() == 4

    redis = _start_redis(port)
    database = settings.DATABASES["default"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "REDIS_URL": broker,
           "DATABASE_URL": f"postgres://{database['USER'] or 'postgres'}@{database['HOST'] or '127.0.0.1'}:"
                           f"{database['PORT'] or 5432}/{database['NAME']}"}
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-l",
                               "warning", "-n", f"outbox-{port}@%h"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        from core.tasks import dispatch_outbox

        dispatch_outbox.delay()  # what the beat sweep sends every minute
        dispatch_outbox.delay()  # and again: nothing is sent twice
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and OutboxMessage.objects.filter(status="pending").exists():
            assert worker.poll() is None, worker.stdout.read().decode()
            time.sleep(0.3)
        time.sleep(1)
        assert OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT, attempts=1).count() == 4
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        redis.terminate()
        redis.wait()
        _drop_celery_pools()


def _drop_celery_pools():
    """Make Celery open new broker connections (the broker URL changed under it)."""
    app._pool = None
    app.amqp._producer_pool = None
