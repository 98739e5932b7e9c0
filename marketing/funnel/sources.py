"""Where a visit came from, what device it runs on, and whether it is a bot: pure functions."""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
MAX_FIELD = 100

# Ad click ids → (source, medium) when no utm_* says otherwise (GA4's default channel rules).
CLICK_IDS = {
    "gclid": ("google", "cpc"),
    "gbraid": ("google", "cpc"),
    "wbraid": ("google", "cpc"),
    "dclid": ("google", "display"),
    "msclkid": ("bing", "cpc"),
    "fbclid": ("facebook", "social"),
    "ttclid": ("tiktok", "cpc"),
    "twclid": ("twitter", "cpc"),
    "li_fat_id": ("linkedin", "cpc"),
    "n_keyword": ("naver", "cpc"),  # Naver search ads append n_media / n_keyword …
}
SEARCH_ENGINES = {"google": "google", "naver": "naver", "daum": "daum", "bing": "bing", "yahoo": "yahoo",
                  "zum": "zum", "duckduckgo": "duckduckgo"}
SOCIAL_HOSTS = {"facebook": "facebook", "instagram": "instagram", "t.co": "twitter", "youtube": "youtube",
                "kakao": "kakao", "band.us": "band"}

BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|scrap|fetch|preview|headless|monitor|lighthouse|pingdom|python|curl|wget|"
    r"httpclient|okhttp|axios|go-http|java/|libwww|node-fetch|phantom|facebookexternalhit|daum(oa)?-|yeti",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Source:
    source: str = ""  # empty: direct
    medium: str = ""
    campaign: str = ""
    content: str = ""
    term: str = ""
    click_id_kind: str = ""
    referrer_host: str = ""

    @property
    def is_direct(self) -> bool:
        return not self.source

    @property
    def key(self) -> str:
        return f"{self.source}|{self.medium}|{self.campaign}"

    @property
    def is_campaign(self) -> bool:
        """Tagged by the marketer (utm_* or an ad click id): such a landing starts a new visit."""
        return bool(self.click_id_kind) or bool(self.campaign) or (bool(self.source) and not self.referrer_host
                                                                    and self.medium not in ("organic", "referral"))


def _clip(value) -> str:
    return (value or "").strip()[:MAX_FIELD]


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _short_host(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def parse_source(query, referrer: str, own_host: str) -> Source:
    """The source of a landing, from its query string (a QueryDict or dict) and referrer.

    utm_* win; then an ad click id; then an outside referrer (search engine → organic,
    social → social, anything else → referral); else direct (empty source).
    """
    utm = {field: _clip(query.get(field)) for field in UTM_FIELDS}
    click_kind = next((name for name in CLICK_IDS if query.get(name)), "")
    host = _host(referrer)
    own = (own_host or "").split(":")[0].lower()
    referrer_host = "" if not host or host == own else _short_host(host)
    if utm["utm_source"]:
        return Source(source=utm["utm_source"].lower(), medium=utm["utm_medium"].lower(),
                      campaign=utm["utm_campaign"], content=utm["utm_content"], term=utm["utm_term"],
                      click_id_kind=click_kind, referrer_host=referrer_host)
    if click_kind:
        source, medium = CLICK_IDS[click_kind]
        return Source(source=source, medium=utm["utm_medium"].lower() or medium, campaign=utm["utm_campaign"],
                      content=utm["utm_content"], term=utm["utm_term"], click_id_kind=click_kind,
                      referrer_host=referrer_host)
    if referrer_host:
        for needle, name in SEARCH_ENGINES.items():
            if needle in referrer_host and ("search" in referrer_host or referrer_host.startswith(needle)):
                return Source(source=name, medium="organic", referrer_host=referrer_host)
        for needle, name in SOCIAL_HOSTS.items():
            if needle in referrer_host:
                return Source(source=name, medium="social", referrer_host=referrer_host)
        return Source(source=referrer_host, medium="referral", referrer_host=referrer_host)
    return Source()


def device_of(user_agent: str) -> str:
    agent = user_agent or ""
    if "iPad" in agent or ("Android" in agent and "Mobile" not in agent) or "Tablet" in agent:
        return "tablet"
    if "Mobi" in agent or "iPhone" in agent or "Android" in agent:
        return "mobile"
    return "desktop"


def is_bot(user_agent: str) -> bool:
    """A crawler, a script or a headless browser by its user agent (or no user agent at all).

    The other half of bot exclusion is the no-JS rule: a visit counts in reports only once the
    page's script has answered (``Visit.is_human``)."""
    agent = (user_agent or "").strip()
    return len(agent) < 10 or bool(BOT_PATTERN.search(agent))
