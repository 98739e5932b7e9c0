from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class KoreanFirstLocaleMiddleware:
    """Korean unless the person chose English with the language switcher (the language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; a Korean shop is shown
    in Korean to everyone by default, so only the explicit choice counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else settings.LANGUAGE_CODE
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class HostileInputMiddleware:
    """Refuse, with a plain 400, a request whose path, query or form carries a NUL byte.

    No page has a use for NUL (PostgreSQL refuses it in text, and a query with one answered 500),
    so one check here covers every view, including those added later. Invalid UTF-8 needs nothing:
    Django decodes the query and the form with replacement characters. Cookies with a NUL or
    non-printable character are dropped (a junk session cookie is as good as none), so the session
    lookup never sends them to the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or _has_nul(request.GET):
            return _bad_request(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and _has_nul(request.POST):
            return _bad_request(request)
        for name in [name for name, value in request.COOKIES.items() if not _printable(name + value)]:
            del request.COOKIES[name]
        return self.get_response(request)


def _has_nul(query_dict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values if isinstance(value, str))
               for key, values in query_dict.lists())


def _printable(text: str) -> bool:
    return text.isprintable() or all(character.isprintable() or character in " \t" for character in text)


def _bad_request(request):
    from core.views import bad_request

    return bad_request(request)


class AnonymousHtmlGZipMiddleware:
    """Gzip HTML answered to a visitor with no session: the pages that carry no secret (BREACH).

    BREACH recovers a secret from the compressed size of a response that also reflects the
    attacker's input (a search query, a form error). A visitor without a session cookie and
    without a messages cookie has no secret on the page but the CSRF token, which Django masks
    afresh in every response (and Django's gzip adds random padding on top). A signed-in shopper's
    page (name, address, order numbers, coupons next to the reflected search box) is never
    compressed. Only ``text/html`` is: static files come pre-compressed from WhiteNoise
    (``CompressedManifestStaticFilesStorage``), images are compressed already. See
    docs/performance.md.
    """

    def __init__(self, get_response):
        from django.middleware.gzip import GZipMiddleware

        self.get_response = get_response
        self._gzip = GZipMiddleware(get_response)

    def __call__(self, request):
        response = self.get_response(request)
        if (response.get("Content-Type", "").startswith("text/html") and not response.streaming
                and _carries_no_secret(request, response)):
            return self._gzip.process_response(request, response)
        return response


def _carries_no_secret(request, response) -> bool:
    """No session or messages cookie came in or goes out, and nobody is signed in."""
    from django.contrib.messages.storage.cookie import CookieStorage

    user = getattr(request, "user", None)
    cookies = (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name)
    return (not any(name in request.COOKIES or name in response.cookies for name in cookies)
            and not getattr(user, "is_authenticated", False))
