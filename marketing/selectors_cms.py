"""Reads of the CMS for the storefront, the portal and the console (constant query counts)."""

from django.core.cache import cache
from django.db.models import F, Prefetch, Q
from django.utils import timezone

from marketing.models_cms import Banner, Exhibition, ExhibitionSection, Faq, Notice


def _live(queryset, now):
    return queryset.filter(starts_at__lte=now).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))


BANNER_CACHE_SECONDS = 300


def has_ordered(user) -> bool:
    from orders.models import Order

    return Order.objects.filter(user_id=user.pk).exclude(
        payment_status__in=[Order.PaymentStatus.EXPIRED, Order.PaymentStatus.FAILED]).exists()


def audiences_for(user) -> list[str]:
    """The banner audiences ``user`` belongs to (one query for a signed-in shopper)."""
    if not getattr(user, "is_authenticated", False):
        return [Banner.Audience.EVERYONE]
    audiences = [Banner.Audience.EVERYONE, Banner.Audience.SIGNED_IN]
    if not has_ordered(user):
        audiences.append(Banner.Audience.FIRST_TIME)
    return audiences


def _active_banners(now) -> list[Banner]:
    """Every active banner not ended, cached under the ``banners`` token of ``core.cache_versions``
    (bumped by every CMS write), so a warm page asks the database nothing; the schedule is applied
    per request. When the cache cannot tell the token, the banners come from the database."""
    from core import cache_versions

    try:
        versions, stored = cache_versions.read((cache_versions.BANNERS,), ["cms:banners"])
    except Exception:
        versions, stored = None, {}
    cached = stored.get("cms:banners")
    if versions is not None and cached is not None and cached["version"] == versions[cache_versions.BANNERS]:
        return cached["banners"]
    banners = list(Banner.objects.filter(is_active=True).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
                   .order_by("sort_order", "-starts_at", "id"))
    if versions is not None:
        try:
            cache.set("cms:banners", {"version": versions[cache_versions.BANNERS], "banners": banners},
                      BANNER_CACHE_SECONDS)
        except Exception:
            pass
    return banners


def list_banners(*, slot: str, user=None, now=None, audiences: list[str] | None = None) -> list[Banner]:
    """The banners of ``slot`` on schedule now for this shopper, in their order.

    At most one query for the banners (none when cached) and, only when a live banner targets
    first-time buyers and the shopper is signed in, one for their orders."""
    now = now or timezone.now()
    live = [banner for banner in _active_banners(now)
            if banner.slot == slot and banner.starts_at <= now and (banner.ends_at is None or banner.ends_at > now)]
    if audiences is None:
        signed_in = getattr(user, "is_authenticated", False)
        audiences = [Banner.Audience.EVERYONE]
        if signed_in:
            audiences.append(Banner.Audience.SIGNED_IN)
            if any(banner.audience == Banner.Audience.FIRST_TIME for banner in live) and not has_ordered(user):
                audiences.append(Banner.Audience.FIRST_TIME)
    return [banner for banner in live if banner.audience in audiences]


def list_banners_for_console(*, slot: str = "") -> list[Banner]:
    queryset = Banner.objects.all().order_by("slot", "sort_order", "-starts_at", "id")
    if slot in Banner.Slot.values:
        queryset = queryset.filter(slot=slot)
    return list(queryset)


# --- Exhibitions ------------------------------------------------------------------------------

def list_exhibitions(*, now=None, include_ended: bool = False) -> list[Exhibition]:
    """Published exhibitions running now (or, with ``include_ended``, the ended ones too)."""
    now = now or timezone.now()
    queryset = Exhibition.objects.filter(is_published=True, starts_at__lte=now)
    if not include_ended:
        queryset = queryset.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
    return list(queryset.order_by("-starts_at", "-id"))


def get_exhibition_for_shop(*, slug: str) -> Exhibition:
    """A published exhibition (ended ones too: the page says it ended), with sections and coupons."""
    return (Exhibition.objects.filter(is_published=True)
            .prefetch_related(Prefetch("sections", queryset=ExhibitionSection.objects.order_by("sort_order", "id")),
                              "coupons")
            .get(slug=slug))


def section_products(section: ExhibitionSection, *, limit: int | None = None) -> list:
    """The products a section shows, ready for product cards (catalog's card queries): its picks,
    or what its rule matches now; visible products of active sellers only, best sellers first."""
    from catalog.selectors import SORT_POPULAR, list_products_for_shop

    limit = limit or section.limit
    if section.kind == ExhibitionSection.Kind.PICKED:
        through = ExhibitionSection.products.through
        queryset = list_products_for_shop(sort=SORT_POPULAR).filter(
            pk__in=through.objects.filter(exhibitionsection_id=section.pk).values("product_id"))
        return list(queryset[:limit])
    queryset = list_products_for_shop(
        category=section.rule_category, sort=SORT_POPULAR,
        seller_ids=[section.rule_seller_id] if section.rule_seller_id else (),
        brand_ids=[section.rule_brand_id] if section.rule_brand_id else ())
    if section.rule_min_discount_percent:
        # (list − sale) / list ≥ N %, in integers: 100 × (list − sale) ≥ N × list.
        queryset = queryset.filter(list_price_amount__gt=0).alias(
            off=(F("list_price_amount") - F("sale_price_amount")) * 100).filter(
            off__gte=F("list_price_amount") * section.rule_min_discount_percent)
    return list(queryset[:limit])


# --- Notices and FAQ ------------------------------------------------------------------------

def list_notices(*, audience: str = Notice.Audience.SHOPPERS, now=None) -> list[Notice]:
    now = now or timezone.now()
    return list(Notice.objects.filter(audience=audience, is_published=True, published_at__lte=now)
                .order_by("-is_pinned", "-published_at", "-id"))


def list_seller_notices(*, limit: int | None = None, now=None) -> list[Notice]:
    """Notices for sellers, pinned first then newest: for the partner portal."""
    notices = list_notices(audience=Notice.Audience.SELLERS, now=now)
    return notices[:limit] if limit else notices


def get_notice(*, notice_id: int, audience: str = Notice.Audience.SHOPPERS) -> Notice:
    return Notice.objects.get(pk=notice_id, audience=audience, is_published=True, published_at__lte=timezone.now())


def list_faqs(*, topic: str = "") -> list[Faq]:
    queryset = Faq.objects.filter(is_published=True)
    if topic in Faq.Topic.values:
        queryset = queryset.filter(topic=topic)
    return list(queryset.order_by("topic", "sort_order", "id"))
