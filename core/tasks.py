from celery import shared_task
from django.core.cache import cache


@shared_task(name="core.ping")
def ping(token: str) -> str:
    """Round trip through the broker: the worker writes ``token`` where the web side can read it.

    Used by the health tooling and the web↔worker test; idempotent.
    """
    cache.set(f"ping:{token}", "pong", timeout=300)
    return token


@shared_task(name="core.dispatch_outbox", ignore_result=True)
def dispatch_outbox() -> int:
    """Send what the outbox holds; run after each commit that queued messages and every minute."""
    from .outbox import dispatch_pending

    return dispatch_pending()
