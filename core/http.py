"""Small HTTP helpers every app's views share."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request, default: str = "") -> str:
    """The request's ``next`` (POST, then GET) if it is a path on this site, else ``default``.

    Only an absolute path ("/orders/…") is taken: another host is an open redirect, and a bare word
    ("0", "NaN") is not a URL at all (``redirect()`` would try it as a view name and raise).
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (target.startswith("/") and not target.startswith("//")
            and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure())):
        return target
    return default
