import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # any failure means the database is not usable
        logger.warning("healthz: database down: %s", exc)
        return "down"


def _broker_state() -> str:
    if not settings.REDIS_URL:
        return "eager"  # embedded mode: tasks run in-process, there is no broker to lose
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        return "ok"
    except Exception as exc:
        logger.warning("healthz: broker down: %s", exc)
        return "down"


@never_cache
def healthz(request):
    """200 with the state of the database and the broker; 503 if either is down."""
    state = {"database": _database_state(), "broker": _broker_state()}
    healthy = all(value != "down" for value in state.values())
    state["status"] = "ok" if healthy else "down"
    return JsonResponse(state, status=200 if healthy else 503)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors that touch the database: the database may be what failed.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render({"request": request}))


def bad_request(request, exception=None):
    """400 (413 for a body over the upload limit) as the shop's own page, never a debug page.

    Standalone like the 500 page: it may answer before the session or the database are reached.
    """
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
    from django.http import HttpResponse
    from django.template import loader

    too_large = isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent)
    status = 413 if too_large else 400
    html = loader.get_template("400.html").render({"request": request, "too_large": too_large})
    return HttpResponse(html, status=status)


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico on every page, whatever the link tag says: the shop's icon.

    Served from the static source itself, so it answers with DEBUG off and before collectstatic.
    """
    from django.contrib.staticfiles import finders
    from django.http import Http404, HttpResponse

    path = finders.find("images/favicon.svg")
    if not path:
        raise Http404
    with open(path, "rb") as icon:
        response = HttpResponse(icon.read(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def permission_denied(request, exception=None):
    """403: a styled page that says why and offers a way back (not Django's bare "403 Forbidden").

    A shopper or seller who followed a console link goes back to the shop; an operator without
    this page's permission goes back to the console; anyone may sign in as someone else.
    """
    from accounts.roles import is_operator

    user = getattr(request, "user", None)
    return render(request, "403.html", {
        "is_operator": is_operator(user), "signed_in": bool(getattr(user, "is_authenticated", False)),
        "next_path": request.get_full_path(),
    }, status=403)
