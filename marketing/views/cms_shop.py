"""Storefront pages of the CMS (exhibitions, notices, FAQ) and the funnel's first-party
endpoints: the page script's answer (/e/), promotion clicks (/e/p/…), the opt-out and the
affiliate short links (/r/<code>)."""

import json
import re

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from marketing import selectors as coupon_selectors
from marketing import selectors_cms
from marketing.funnel import recorder
from marketing.funnel.middleware import (
    AFFILIATE_COOKIE,
    AFFILIATE_SALT,
    CONSENT_COOKIE,
    SESSION_COOKIE,
    VISITOR_COOKIE,
    build_state,
    is_tracking_refused,
)
from marketing.funnel.sources import is_bot
from marketing.models_cms import Banner, Exhibition, Faq, Notice

PROMOTION_ID = re.compile(r"^(banner|exhibition)-\d{1,12}$")
MAX_PROMOTIONS_PER_PING = 30


@require_GET
def exhibition_list(request):
    return render(request, "shop/marketing/exhibition_list.html", {
        "exhibitions": selectors_cms.list_exhibitions(),
    })


@require_GET
def exhibition_detail(request, slug: str):
    """An exhibition; an ended one still answers 200 and says it ended (links live on in blogs)."""
    try:
        exhibition = selectors_cms.get_exhibition_for_shop(slug=slug)
    except Exhibition.DoesNotExist as error:
        raise Http404 from error
    now = timezone.now()
    ended = exhibition.is_expired(now)
    upcoming = exhibition.is_upcoming(now)
    sections = [] if (ended or upcoming) else [
        (section, selectors_cms.section_products(section)) for section in exhibition.sections.all()]
    coupon_ids = {coupon.pk for coupon in exhibition.coupons.all()}
    coupons = [] if (ended or upcoming or not coupon_ids) else [
        coupon for coupon in coupon_selectors.list_downloadable_coupons(user=request.user) if coupon.pk in coupon_ids]
    return render(request, "shop/marketing/exhibition_detail.html", {
        "exhibition": exhibition, "ended": ended, "upcoming": upcoming, "sections": sections, "coupons": coupons,
    })


@require_GET
def notice_list(request):
    return render(request, "shop/marketing/notice_list.html", {"notices": selectors_cms.list_notices()})


@require_GET
def notice_detail(request, notice_id: int):
    try:
        notice = selectors_cms.get_notice(notice_id=notice_id)
    except Notice.DoesNotExist as error:
        raise Http404 from error
    return render(request, "shop/marketing/notice_detail.html", {"notice": notice})


@require_GET
def faq(request):
    topic = request.GET.get("topic", "")
    if topic not in Faq.Topic.values:
        topic = ""
    return render(request, "shop/marketing/faq.html", {
        "faqs": selectors_cms.list_faqs(topic=topic), "topic": topic, "topics": Faq.Topic.choices})


# --- Funnel endpoints ---------------------------------------------------------------------------

def _tracked_state(request):
    """The visit of a request to an endpoint, or None when it must not be recorded."""
    if is_tracking_refused(request) or is_bot(request.META.get("HTTP_USER_AGENT", "")):
        return None
    if not request.COOKIES.get(SESSION_COOKIE) or not request.COOKIES.get(VISITOR_COOKIE):
        return None  # no page was recorded before: nothing to attach to
    state = build_state(request)
    return None if state.is_new_session else state


@csrf_exempt
@require_POST
def ping(request):
    """The page script's answer: the visit is a person (no-JS bots never send it), and the
    promotions that were on screen (GA4 view_promotion). Always 204."""
    state = _tracked_state(request)
    if state is None:
        return HttpResponse(status=204)
    try:
        payload = json.loads(request.body.decode() or "{}")
    except (ValueError, UnicodeDecodeError):
        return HttpResponseBadRequest()
    records = [{"kind": "human", "session_id": state.session_id}]
    promotions = payload.get("promotions") if isinstance(payload, dict) else None
    user_id = request.user.pk if request.user.is_authenticated else None
    for item in (promotions or [])[:MAX_PROMOTIONS_PER_PING]:
        if not isinstance(item, dict) or not PROMOTION_ID.match(str(item.get("id", ""))):
            continue
        records.append({"kind": "event", "name": "view_promotion", **state.base(), "user_id": user_id,
                        "path": str(payload.get("path", ""))[:300], "promotion_id": item["id"],
                        "promotion_name": str(item.get("name", ""))[:80],
                        "creative": str(item.get("creative", ""))[:80], "slot": str(item.get("slot", ""))[:20]})
    recorder.record(records)
    return HttpResponse(status=204)


@require_GET
def promotion_click(request, kind: str, object_id: int):
    """A click on a banner or an exhibition card (GA4 select_promotion), then on to its page."""
    if kind == "banner":
        banner = Banner.objects.filter(pk=object_id).first()
        if banner is None:
            return redirect("shop:home")
        target, name, creative, slot = banner.link_url, banner.title, banner.subtitle or banner.title, banner.slot
    elif kind == "exhibition":
        exhibition = Exhibition.objects.filter(pk=object_id, is_published=True).first()
        if exhibition is None:
            return redirect("shop:exhibition_list")
        target = exhibition_url(exhibition)
        name, creative, slot = exhibition.title, exhibition.title, request.GET.get("slot", "exhibition_list")[:20]
    else:
        raise Http404
    state = _tracked_state(request)
    if state is not None:
        user_id = request.user.pk if request.user.is_authenticated else None
        recorder.record([{"kind": "event", "name": "select_promotion", **state.base(), "user_id": user_id,
                          "path": request.META.get("HTTP_REFERER", "")[:300], "promotion_id": f"{kind}-{object_id}",
                          "promotion_name": name[:80], "creative": creative[:80], "slot": slot}])
    return redirect(target)


def exhibition_url(exhibition) -> str:
    from django.urls import reverse

    return reverse("shop:exhibition_detail", args=[exhibition.slug])


@require_POST
def tracking_opt_out(request):
    """The consent setting: 'do not record my visits' (a cookie; DNT and GPC are honoured too)."""
    response = redirect(request.POST.get("next") if str(request.POST.get("next", "")).startswith("/") else "/")
    choice = "denied" if request.POST.get("consent") != "granted" else "granted"
    response.set_cookie(CONSENT_COOKIE, choice, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    if choice == "denied":
        for name in (VISITOR_COOKIE, SESSION_COOKIE, AFFILIATE_COOKIE, "mo_src"):
            response.delete_cookie(name)
    return response


@require_GET
def affiliate_redirect(request, code: str):
    """An affiliate's short link: count the click, remember it for the window, go to the page."""
    from django.core import signing

    from marketing.services.affiliates import record_click

    visitor_id = request.COOKIES.get(VISITOR_COOKIE, "")[:32]
    counted = not is_bot(request.META.get("HTTP_USER_AGENT", "")) and not is_tracking_refused(request)
    result = record_click(code=code, visitor_id=visitor_id, count=counted)
    if result is None:
        return redirect("shop:home")
    link, click = result
    response = redirect(link.target_path)
    if click is not None:
        from django.conf import settings

        hours = getattr(settings, "AFFILIATE_WINDOW_HOURS", 24)
        value = signing.dumps([click.pk, click.created_at.timestamp()], salt=AFFILIATE_SALT)
        response.set_cookie(AFFILIATE_COOKIE, value, max_age=hours * 3600, samesite="Lax", httponly=True)
    return response
