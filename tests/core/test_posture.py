"""Issue 15, points 5, 6, 7 and 9 and the newcomer's trip-ups: DEBUG off under `make run`, SITE_URL
from HOST/PORT, the schedule runs in the embedded shop, logs one line per event without secrets."""

import io
import json
import logging
import os
import subprocess
import sys
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]


def _settings_of(module: str, **environment) -> dict:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DEBUG", "HOST", "PORT", "SITE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update({"DJANGO_SETTINGS_MODULE": module, **environment})
    code = ("import json, django; django.setup(); from django.conf import settings as s; "
            "print(json.dumps({'DEBUG': s.DEBUG, 'SITE_URL': s.SITE_URL}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _make_dry_run(target: str, *arguments: str) -> str:
    result = subprocess.run(["make", "-n", target, *arguments], cwd=ROOT, capture_output=True, text=True,
                            timeout=60, env={**os.environ, "DEBUG": ""})
    assert result.returncode == 0, result.stderr
    return result.stdout


# --- point 5: DEBUG off -----------------------------------------------------------------------


def test_make_run_runs_with_debug_off_unless_asked():
    commands = _make_dry_run("run")

    assert "runserver 127.0.0.1:8000" in commands and "DEBUG=1" not in commands
    assert _settings_of("config.settings.local")["DEBUG"] is False  # what manage.py uses by default
    assert _settings_of("config.settings.local", DEBUG="1")["DEBUG"] is True


def test_make_web_is_production_like_whatever_the_environment_says():
    commands = _make_dry_run("web")

    assert "DEBUG=0" in commands and "gunicorn" in commands


# --- point 6: SITE_URL ------------------------------------------------------------------------


def test_site_url_follows_host_and_port_unless_set():
    assert _settings_of("config.settings.local")["SITE_URL"] == "http://127.0.0.1:8000"
    assert _settings_of("config.settings.local", PORT="8101")["SITE_URL"] == "http://127.0.0.1:8101"
    assert _settings_of("config.settings.local", HOST="0.0.0.0", PORT="8102")["SITE_URL"] == "http://127.0.0.1:8102"
    assert _settings_of("config.settings.local", PORT="8101", SITE_URL="https://shop.example")["SITE_URL"] == \
        "https://shop.example"


def test_make_passes_its_port_to_the_server_and_the_logins():
    commands = _make_dry_run("run", "PORT=8101")

    assert "runserver 127.0.0.1:8101" in commands
    assert commands.count("demo_logins") == 1 and "seed_demo --if-empty --no-logins" in commands


@pytest.mark.django_db
def test_demo_logins_print_the_servers_own_port(settings):
    settings.SITE_URL = "http://127.0.0.1:8101"
    out = io.StringIO()

    call_command("demo_logins", stdout=out)

    assert "http://127.0.0.1:8101/console/" in out.getvalue() and ":8000" not in out.getvalue()


@pytest.mark.django_db
def test_a_callback_to_a_relative_webhook_goes_to_the_site_url(settings):
    """Seeded sandbox payments carry the webhook as a path; it is sent wherever the shop now listens."""
    from orders.models import SandboxPGCallback
    from orders.payments.sandbox import deliver_callback, shop_webhook_path

    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the base class's name
            received.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.SITE_URL = f"http://127.0.0.1:{server.server_address[1]}"
        callback = SandboxPGCallback.objects.create(url=shop_webhook_path(), body={"eventType": "X"},
                                                    event_type="X", next_attempt_at=timezone.now())
        delivered = deliver_callback(callback.pk)
    finally:
        server.shutdown()
        server.server_close()

    assert delivered is True and received == ["/payments/webhook/sandbox/"]


# --- point 7: the schedule in the embedded shop ---------------------------------------------


def test_make_run_starts_the_schedule_beside_the_server_and_stops_it_with_it():
    commands = _make_dry_run("run")

    assert "run_schedule & schedule=$!" in commands
    assert "trap 'kill $schedule" in commands and "EXIT INT TERM" in commands


@pytest.mark.django_db
def test_run_schedule_runs_the_jobs_an_abandoned_payment_expires():
    from orders.models import Order
    from orders.services import place_order
    from tests.accounts.factories import UserFactory
    from tests.orders.factories import DELIVERY, make_product

    _, (sku,) = make_product(stock=3)
    order = place_order(user=UserFactory(), items=[(sku.pk, 2)], delivery=DELIVERY, payment_method="card")
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    call_command("run_schedule", "--once", "--force", stdout=io.StringIO(), stderr=io.StringIO())

    order.refresh_from_db()
    sku.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.EXPIRED
    assert sku.stock_quantity == 3  # the held units are back


# --- point 9: logs ----------------------------------------------------------------------------


@pytest.fixture
def log_lines():
    """What the configured console handler writes, as lines."""
    handler = next(each for each in logging.getLogger("django").handlers if each.name == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield lambda: [line for line in buffer.getvalue().splitlines() if line]
    handler.setStream(previous)


@pytest.mark.django_db
def test_a_refused_console_page_logs_one_line_without_a_traceback(client, log_lines):
    from tests.accounts.factories import OperatorFactory

    client.force_login(OperatorFactory(groups=["marketing"]))  # may not see orders
    response = client.get("/console/orders/")

    lines = log_lines()
    assert response.status_code == 403
    assert len([line for line in lines if "/console/orders/" in line]) == 1
    assert not any("Traceback" in line or "PermissionDenied" in line for line in lines)


def test_an_error_is_logged_once_on_one_line_with_its_traceback(log_lines):
    try:
        raise ValueError("order 20260101-000012 could not be confirmed")
    except ValueError:
        logging.getLogger("django.request").exception("Internal Server Error: /orders/20260101-000012/")

    lines = log_lines()
    assert len(lines) == 1
    assert "ERROR django.request Internal Server Error: /orders/20260101-000012/" in lines[0]
    assert "Traceback" in lines[0] and "ValueError: order 20260101-000012" in lines[0]


def test_logs_carry_no_secret_nor_card_number(log_lines):
    logging.getLogger("orders.services.payments").warning(
        "order 20260101-000012 webhook {'secret': 'ps_abcdef', 'card': '4111-1111-1111-1111'} password=hunter2 "
        "Authorization: Basic dGVzdF9zazo=")

    (line,) = log_lines()
    assert "20260101-000012" in line
    for secret in ("ps_abcdef", "4111-1111-1111-1111", "hunter2", "dGVzdF9zazo="):
        assert secret not in line
    assert "****1111" in line
