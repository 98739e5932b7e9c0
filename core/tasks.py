from celery import shared_task
from django.core.cache import cache


@shared_task(name="core.ping")
def ping(token: str) -> str:
    """Round trip through the broker: the worker writes ``token`` where the web side can read it.

    Used by the health tooling and the web↔worker test; idempotent.
    """
    cache.set(f"ping:{token}", "pong", timeout=300)
    return token
