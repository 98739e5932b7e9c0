"""CMS writes: banners, exhibitions, notices and FAQ.

Every write calls ``content_changed()``, which bumps the ``banners`` scope of
``core.cache_versions`` (now and again on commit): the storefront's page cache
(catalog/views/shop.py) and the banner list (selectors_cms) are keyed by its token, so a changed
banner or exhibition shows on the next request.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from marketing.exceptions import MarketingError
from marketing.models_cms import Banner, Exhibition, ExhibitionSection, Faq, Notice

logger = logging.getLogger(__name__)

ALLOWED_LINK_SCHEMES = ("https://", "http://")


class ContentError(MarketingError):
    """A CMS rule refused the change; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        first = next(iter(errors.values()))[0] if errors else ""
        super().__init__(first, code="invalid_content")
        self.errors = errors


def content_changed() -> None:
    """Bump the ``banners`` version (``core.cache_versions``) so cached storefront pages and the
    banner list are rebuilt on the next request.

    Safe anywhere: ``bump`` sets a new token at once and again after the surrounding transaction
    commits; a cache that is down is ignored (nothing is served from it then).
    """
    from core import cache_versions

    try:
        cache_versions.bump_banners()
    except Exception:
        logger.warning("cms: cache unavailable; banners version not bumped")


def clean_html(html: str) -> str:
    """The same cleaning as product descriptions (nh3 with the product allow-list)."""
    from catalog.services.products import _sanitize_html

    return _sanitize_html(html)


def _check_link(link_url: str, errors: dict) -> str:
    link = (link_url or "").strip()
    if not link:
        errors.setdefault("link_url", []).append(_("Enter where the banner leads."))
    elif not (link.startswith("/") and not link.startswith("//")) and not link.startswith(ALLOWED_LINK_SCHEMES):
        errors.setdefault("link_url", []).append(_("Enter a path on this shop (starting with /) or an https:// address."))
    return link


def _check_schedule(starts_at: datetime | None, ends_at: datetime | None, errors: dict) -> None:
    if starts_at is None:
        errors.setdefault("starts_at", []).append(_("Enter when it starts."))
    elif ends_at is not None and ends_at <= starts_at:
        errors.setdefault("ends_at", []).append(_("The end must come after the start."))


def _check_images(images: dict, errors: dict) -> None:
    from catalog.exceptions import InvalidImage
    from catalog.services.images import check_image_file

    for field, uploaded in images.items():
        if not uploaded:
            continue
        try:
            check_image_file(uploaded)
        except InvalidImage as error:
            errors.setdefault(field, []).append(error.message)


BANNER_FIELDS = ("slot", "title", "subtitle", "link_url", "starts_at", "ends_at", "audience", "sort_order",
                 "is_active")


@transaction.atomic
def save_banner(*, banner: Banner | None = None, actor, image_desktop=None, image_mobile=None, **fields) -> Banner:
    """Create (``banner`` None) or update a banner; raise ContentError changing nothing.

    Images are checked like product images (format, size, pixels, not truncated). A new banner
    needs at least one image.
    """
    errors: dict[str, list[str]] = {}
    fields["link_url"] = _check_link(fields.get("link_url", ""), errors)
    _check_schedule(fields.get("starts_at"), fields.get("ends_at"), errors)
    if fields.get("slot") not in Banner.Slot.values:
        errors.setdefault("slot", []).append(_("Choose a slot."))
    if fields.get("audience", Banner.Audience.EVERYONE) not in Banner.Audience.values:
        errors.setdefault("audience", []).append(_("Choose an audience."))
    if not (fields.get("title") or "").strip():
        errors.setdefault("title", []).append(_("Enter a title."))
    _check_images({"image_desktop": image_desktop, "image_mobile": image_mobile}, errors)
    has_image = image_desktop or image_mobile or (banner is not None and (banner.image_desktop or banner.image_mobile))
    if not has_image:
        errors.setdefault("image_desktop", []).append(_("Upload a desktop or a phone image."))
    if errors:
        raise ContentError(errors)
    banner = banner or Banner()
    for name in BANNER_FIELDS:
        if name in fields:
            setattr(banner, name, fields[name])
    if image_desktop:
        banner.image_desktop = image_desktop
    if image_mobile:
        banner.image_mobile = image_mobile
    banner.save()
    content_changed()
    return banner


@transaction.atomic
def delete_banner(*, banner_id: int, actor) -> None:
    Banner.objects.filter(pk=banner_id).delete()
    content_changed()


EXHIBITION_FIELDS = ("slug", "title", "summary", "starts_at", "ends_at", "is_published")


@transaction.atomic
def save_exhibition(*, exhibition: Exhibition | None = None, actor, body_html: str = "", hero_image=None,
                    coupons=(), **fields) -> Exhibition:
    """Create or update an exhibition (text cleaned with nh3; hero checked like product images).

    Attached coupons must be downloadable (shoppers take them from the page).
    """
    errors: dict[str, list[str]] = {}
    _check_schedule(fields.get("starts_at"), fields.get("ends_at"), errors)
    _check_images({"hero_image": hero_image}, errors)
    not_downloadable = [coupon.name for coupon in coupons if not coupon.downloadable]
    if not_downloadable:
        errors.setdefault("coupons", []).append(
            _("Only downloadable coupons can be attached: %(names)s.") % {"names": ", ".join(not_downloadable)})
    slug = fields.get("slug", "")
    if slug and Exhibition.objects.filter(slug=slug).exclude(pk=getattr(exhibition, "pk", None)).exists():
        errors.setdefault("slug", []).append(_("Another exhibition has this address."))
    if errors:
        raise ContentError(errors)
    exhibition = exhibition or Exhibition()
    for name in EXHIBITION_FIELDS:
        if name in fields:
            setattr(exhibition, name, fields[name])
    exhibition.body_html = clean_html(body_html)
    if hero_image:
        exhibition.hero_image = hero_image
    exhibition.save()
    exhibition.coupons.set(coupons)
    content_changed()
    return exhibition


@transaction.atomic
def save_exhibition_section(*, exhibition: Exhibition, section: ExhibitionSection | None = None, actor,
                            products=(), **fields) -> ExhibitionSection:
    """Add or change a product section: hand-picked products, or a rule (category, seller,
    brand, minimum discount) that needs at least one condition."""
    errors: dict[str, list[str]] = {}
    kind = fields.get("kind", ExhibitionSection.Kind.PICKED)
    if kind == ExhibitionSection.Kind.PICKED and not products:
        errors.setdefault("products", []).append(_("Pick at least one product."))
    rule_fields = ("rule_category", "rule_seller", "rule_brand", "rule_min_discount_percent")
    if kind == ExhibitionSection.Kind.RULE and not any(fields.get(name) for name in rule_fields):
        errors.setdefault(None, []).append(_("A rule needs a category, a seller, a brand or a minimum discount."))
    if not (fields.get("title") or "").strip():
        errors.setdefault("title", []).append(_("Enter a title."))
    if errors:
        raise ContentError(errors)
    section = section or ExhibitionSection(exhibition=exhibition)
    for name in ("title", "sort_order", "kind", "limit", *rule_fields):
        if name in fields:
            setattr(section, name, fields[name])
    section.save()
    section.products.set(products if kind == ExhibitionSection.Kind.PICKED else [])
    content_changed()
    return section


@transaction.atomic
def delete_exhibition_section(*, section_id: int, actor) -> None:
    ExhibitionSection.objects.filter(pk=section_id).delete()
    content_changed()


@transaction.atomic
def save_notice(*, notice: Notice | None = None, actor, body_html: str, **fields) -> Notice:
    notice = notice or Notice(author=actor)
    for name in ("audience", "title", "is_pinned", "is_published", "published_at"):
        if name in fields:
            setattr(notice, name, fields[name])
    notice.body_html = clean_html(body_html)
    notice.save()
    content_changed()
    return notice


@transaction.atomic
def save_faq(*, faq: Faq | None = None, actor, answer_html: str, **fields) -> Faq:
    faq = faq or Faq()
    for name in ("topic", "question", "sort_order", "is_published"):
        if name in fields:
            setattr(faq, name, fields[name])
    faq.answer_html = clean_html(answer_html)
    faq.save()
    content_changed()
    return faq
