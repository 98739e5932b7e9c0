"""Record what a visitor does, from first-party cookies, at a cost of well under a millisecond.

Cookies (all first party, SameSite=Lax):
- ``mo_vid``  the visitor (two years);
- ``mo_sid``  "<session id>.<last seen, epoch seconds>": 30 minutes without a page ends the
  session, and so does a landing from a new campaign (utm_* or an ad click id);
- ``mo_src``  signed: the visitor's first touch and last non-direct touch, so an order can be
  attributed even while its events still sit in the buffer;
- ``mo_aff``  signed: the last affiliate click (set by /r/<code>).

Not recorded at all: bots by user agent, Do Not Track / Global Privacy Control, the opt-out
cookie ``mo_consent=denied``, staff areas (console, portal), static files and non-HTML answers.
The state of the request is kept in ``current_visit`` for the order_placed receiver.
"""

import contextvars
import logging
import secrets
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing

from marketing.funnel import recorder
from marketing.funnel.sources import Source, device_of, is_bot, parse_source

logger = logging.getLogger(__name__)

VISITOR_COOKIE, SESSION_COOKIE, SOURCE_COOKIE, AFFILIATE_COOKIE, CONSENT_COOKIE = (
    "mo_vid", "mo_sid", "mo_src", "mo_aff", "mo_consent")
SOURCE_SALT = "marketing.funnel.source"
AFFILIATE_SALT = "marketing.affiliate.click"
VISITOR_MAX_AGE = 2 * 365 * 24 * 3600
EXCLUDED_PREFIXES = ("/static/", "/media/", "/console/", "/partner/", "/django-admin/", "/e/", "/healthz",
                     "/i18n/", "/pg-sandbox/", "/payments/", "/favicon", "/robots.txt", "/r/")

current_visit: contextvars.ContextVar = contextvars.ContextVar("current_visit", default=None)


def session_seconds() -> int:
    return getattr(settings, "FUNNEL_SESSION_MINUTES", 30) * 60


def new_id() -> str:
    return secrets.token_hex(12)


@dataclass
class VisitState:
    """What the middleware knows about this request's visitor and session."""

    visitor_id: str
    session_id: str
    now: float
    source: Source
    device: str
    is_new_session: bool = False
    first_touch: list | None = None  # [epoch, source, medium, campaign, content, term, click id kind]
    last_touch: list | None = None  # the last non-direct one
    affiliate_click_id: int | None = None
    affiliate_clicked_at: float | None = None
    user_id: int | None = None
    records: list = field(default_factory=list)
    cookies_changed: bool = False

    def touch_row(self) -> list:
        source = self.source
        return [int(self.now), source.source, source.medium, source.campaign, source.content, source.term,
                source.click_id_kind]

    def base(self) -> dict:
        return {"session_id": self.session_id, "visitor_id": self.visitor_id, "user_id": self.user_id,
                "at": round(self.now, 3)}

    def add_event(self, name: str, **fields) -> None:
        self.records.append({"kind": "event", "name": name, **self.base(), **fields})


def is_tracking_refused(request) -> bool:
    meta = request.META
    return (meta.get("HTTP_DNT") == "1" or meta.get("HTTP_SEC_GPC") == "1"
            or request.COOKIES.get(CONSENT_COOKIE) == "denied")


def _trackable(request) -> bool:
    if not getattr(settings, "FUNNEL_ENABLED", True):
        return False
    if request.method not in ("GET", "POST"):
        return False
    if request.path.startswith(EXCLUDED_PREFIXES):
        return False
    return not is_tracking_refused(request) and not is_bot(request.META.get("HTTP_USER_AGENT", ""))


def _signed(request, name: str, salt: str, max_age: int):
    value = request.COOKIES.get(name)
    if not value:
        return None
    try:
        return signing.loads(value, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError):
        return None


def build_state(request, now: float | None = None) -> VisitState:
    now = now if now is not None else time.time()
    visitor_id = request.COOKIES.get(VISITOR_COOKIE, "")
    if len(visitor_id) != 24 or not visitor_id.isalnum():
        visitor_id = ""
    session_id, last_seen = "", 0.0
    raw_session = request.COOKIES.get(SESSION_COOKIE, "")
    if "." in raw_session:
        session_id, _dot, seen = raw_session.partition(".")
        try:
            last_seen = float(seen)
        except ValueError:
            session_id = ""
    is_landing = request.method == "GET"
    source = (parse_source(request.GET, request.META.get("HTTP_REFERER", ""), request.get_host())
              if is_landing else Source())
    touches = _signed(request, SOURCE_COOKIE, SOURCE_SALT, VISITOR_MAX_AGE) or {}
    state = VisitState(visitor_id=visitor_id or new_id(), session_id=session_id, now=now, source=source,
                       device=device_of(request.META.get("HTTP_USER_AGENT", "")),
                       first_touch=touches.get("f"), last_touch=touches.get("l"))
    expired = not session_id or len(session_id) != 24 or now - last_seen > session_seconds() or last_seen > now + 60
    last_key = "|".join(str(part) for part in (state.last_touch or [None, "", "", ""])[1:4])
    new_campaign = source.is_campaign and source.key != last_key
    if expired or new_campaign:
        state.session_id = new_id()
        state.is_new_session = True
    if state.first_touch is None:
        state.first_touch = state.touch_row()
        state.cookies_changed = True
    if not source.is_direct and (state.is_new_session or source.is_campaign):
        state.last_touch = state.touch_row()
        state.cookies_changed = True
    click = _signed(request, AFFILIATE_COOKIE, AFFILIATE_SALT,
                    getattr(settings, "AFFILIATE_WINDOW_HOURS", 24) * 3600)
    if isinstance(click, list) and len(click) == 2:
        state.affiliate_click_id, state.affiliate_clicked_at = int(click[0]), float(click[1])
    return state


def _user_id(request):
    user = getattr(request, "user", None)
    try:
        return user.pk if user is not None and user.is_authenticated else None
    except Exception:
        return None


def _url_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.url_name if match else ""


def collect(request, response, state: VisitState) -> None:
    """Turn this request into records (pure bookkeeping; no I/O)."""
    state.user_id = _user_id(request)
    url_name = _url_name(request)
    status = response.status_code
    if request.method == "POST":
        if url_name == "cart_add" and status in (200, 302, 303):
            sku_id = request.POST.get("sku_id") or request.POST.get("sku") or ""
            quantity = request.POST.get("quantity") or "1"
            state.add_event("add_to_cart", path=request.path[:300],
                            data={"sku_id": sku_id[:12], "quantity": quantity[:4]})
        return
    content_type = response.get("Content-Type", "")
    if status != 200 or not content_type.startswith("text/html"):
        return
    path = request.get_full_path()[:300]
    state.add_event("page_view", path=path, referrer=request.META.get("HTTP_REFERER", "")[:300])
    match = request.resolver_match
    if url_name in ("product", "product_detail") and match is not None and match.kwargs.get("product_id"):
        state.add_event("view_item", path=path, product_id=int(match.kwargs.get("product_id")))
    elif url_name == "search" and request.GET.get("q", "").strip():  # blank: the page searched nothing
        state.add_event("search", path=path, search_query=request.GET.get("q", "").strip()[:100],
                        result_count=getattr(request, "funnel_result_count", None))
    elif url_name == "checkout":
        state.add_event("begin_checkout", path=path)


def _visit_record(request, state: VisitState) -> dict:
    source = state.source
    return {
        "kind": "visit", "session_id": state.session_id, "visitor_id": state.visitor_id,
        "user_id": state.user_id, "at": round(state.now, 3), "landing_path": request.get_full_path()[:300],
        "referrer_host": source.referrer_host, "source": source.source, "medium": source.medium,
        "campaign": source.campaign, "content": source.content, "term": source.term,
        "click_id_kind": source.click_id_kind, "device": state.device,
    }


def set_cookies(response, state: VisitState) -> None:
    secure = getattr(settings, "SESSION_COOKIE_SECURE", False)
    if state.is_new_session or state.cookies_changed:
        response.set_cookie(VISITOR_COOKIE, state.visitor_id, max_age=VISITOR_MAX_AGE, samesite="Lax",
                            secure=secure, httponly=True)
    response.set_cookie(SESSION_COOKIE, f"{state.session_id}.{int(state.now)}", max_age=session_seconds(),
                        samesite="Lax", secure=secure, httponly=True)
    if state.cookies_changed:
        value = signing.dumps({"f": state.first_touch, "l": state.last_touch}, salt=SOURCE_SALT, compress=True)
        response.set_cookie(SOURCE_COOKIE, value, max_age=VISITOR_MAX_AGE, samesite="Lax", secure=secure,
                            httponly=True)


class FunnelMiddleware:
    """Put after AuthenticationMiddleware. Never lets recording break or slow a page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _trackable(request):
            return self.get_response(request)
        try:
            state = build_state(request)
        except Exception:
            logger.exception("funnel: could not read the visit cookies")
            return self.get_response(request)
        token = current_visit.set(state)
        request.funnel = state
        try:
            response = self.get_response(request)
        finally:
            current_visit.reset(token)
        try:
            collect(request, response, state)
            if state.records:
                if state.is_new_session:
                    state.records.insert(0, _visit_record(request, state))
                recorder.record(state.records)
                set_cookies(response, state)
        except Exception:
            logger.exception("funnel: recording failed")
        return response
