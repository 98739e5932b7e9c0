"""Run the Celery beat schedule in this process: the embedded shop's scheduled jobs.

In services mode Celery beat and a worker run the schedule (``make beat``, ``make worker``). The
embedded shop has neither, so ``make run`` starts this command beside the server and stops it with
the server: abandoned card payments expire (and release the points held on them), sandbox
callbacks are retried, purchases are confirmed automatically, points and coupons expire.

Each entry of ``settings.CELERY_BEAT_SCHEDULE`` (an interval in seconds) runs in this process
when it is due, the first time one interval after start (``--now`` runs them all once at start).
A job that fails is logged on one line and tried again at its next turn; it never stops the others.
"""

import importlib
import logging
import signal
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

logger = logging.getLogger("core.schedule")


def _interval(schedule) -> float:
    if isinstance(schedule, int | float):
        return float(schedule)
    run_every = getattr(schedule, "run_every", None)  # celery.schedules.schedule
    if run_every is not None:
        return run_every.total_seconds()
    raise ValueError(f"only interval schedules run in-process, not {schedule!r}")


def _fresh_connections() -> None:
    # Between jobs, like a worker between tasks: drop a connection that broke or outlived its age
    # (never inside a transaction, where the caller owns the connection).
    if not connection.in_atomic_block:
        close_old_connections()


def run_job(name: str, task_name: str) -> bool:
    """Run one scheduled task now, in this process; True when it finished without an error."""
    from celery import current_app

    _fresh_connections()
    started = time.monotonic()
    try:
        importlib.import_module(f"{task_name.split('.')[0]}.tasks")  # registers the app's shared tasks
        task = current_app.tasks[task_name]
        result = task.apply(throw=True).result
    except Exception as exc:
        logger.error("scheduled job %s (%s) failed: %s: %s", name, task_name, type(exc).__name__, exc)
        return False
    finally:
        _fresh_connections()
    logger.info("scheduled job %s done in %.2fs: %s", name, time.monotonic() - started, result)
    return True


class Command(BaseCommand):
    help = "Run the scheduled jobs (CELERY_BEAT_SCHEDULE) in this process, for the embedded shop."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="run every job once at start")
        parser.add_argument("--once", action="store_true", help="run every job once and exit")
        parser.add_argument("--force", action="store_true",
                            help="run even when REDIS_URL is set (services mode has Celery beat for this)")

    def handle(self, *args, **options):
        if settings.REDIS_URL and not options["force"]:
            self.stdout.write("run_schedule: services mode (REDIS_URL set): Celery beat runs the schedule; "
                              "start it with `make beat` and `make worker`.")
            return
        jobs = {name: (entry["task"], _interval(entry["schedule"]))
                for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}
        if options["once"]:
            failed = [name for name, (task_name, _every) in jobs.items() if not run_job(name, task_name)]
            if failed:
                self.stderr.write(f"run_schedule: failed: {', '.join(failed)}")
            return
        stop = threading.Event()
        for signal_number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signal_number, lambda *_args: stop.set())
        now = time.monotonic()
        due = {name: now if options["now"] else now + every for name, (_task, every) in jobs.items()}
        logger.info("run_schedule: %s jobs: %s", len(jobs),
                    ", ".join(f"{name} every {every:g}s" for name, (_task, every) in jobs.items()))
        while not stop.is_set():
            now = time.monotonic()
            for name, (task_name, every) in jobs.items():
                if stop.is_set():
                    break
                if due[name] <= now:
                    run_job(name, task_name)
                    due[name] = time.monotonic() + every
            stop.wait(max(0.2, min(due.values()) - time.monotonic()))
        logger.info("run_schedule: stopped")
