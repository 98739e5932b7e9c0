"""The benchmark's URLs: the whole site plus a bare view that sets the ceiling of this machine."""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path

handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"


def one_query(request):
    """Exactly one SQL query and a tiny response: what Django + gunicorn + the pool cost alone."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/one-query/", one_query, name="bench-one-query"),
    path("", include("config.urls")),
]
