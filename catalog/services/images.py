"""Product images: checked uploads, WebP thumbnails, order and removal.

An upload is checked by its content, never its name: Pillow must recognise it as JPEG, PNG,
WebP or GIF, its pixel count (read from the header, before anything is decoded) must be at
most ``settings.IMAGE_MAX_PIXELS``, and it must decode completely (a truncated file is refused).
Thumbnails are made after the transaction commits, by a Celery task (eager in embedded mode).
"""

from __future__ import annotations

import io
import logging
import re
import uuid
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from catalog.exceptions import CatalogError, InvalidImage
from catalog.models import Product, ProductImage
from core import cache_versions

logger = logging.getLogger(__name__)

ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
THUMBNAIL_DIRECTORY = "products/thumbs"
WEBP_QUALITY = 82
MAX_IMAGES_PER_PRODUCT = 30


def _not_accepted() -> InvalidImage:
    return InvalidImage(_("This file is not an image we accept (JPEG, PNG, WebP, GIF)."), code="image_type")


def _too_many_pixels(width: int, height: int) -> InvalidImage:
    return InvalidImage(
        _("The image is too large (%(megapixels)s megapixels; at most %(limit)s).")
        % {"megapixels": f"{width * height / 1_000_000:.1f}", "limit": f"{settings.IMAGE_MAX_PIXELS / 1_000_000:g}"},
        code="image_pixels",
    )


def _file_size(uploaded_file) -> int:
    size = getattr(uploaded_file, "size", None)
    if size is None:
        position = uploaded_file.tell()
        uploaded_file.seek(0, io.SEEK_END)
        size = uploaded_file.tell()
        uploaded_file.seek(position)
    return size


def _open_guarded(source, *, warn_is_error: bool = True) -> Image.Image:
    """Open with Pillow's own decompression-bomb guard set to our pixel limit.

    Pillow refuses outright above twice ``MAX_IMAGE_PIXELS`` and warns above it. When decoding
    follows, the warning is an error too, so nothing above the limit is ever decoded here.
    """
    Image.MAX_IMAGE_PIXELS = settings.IMAGE_MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error" if warn_is_error else "ignore", Image.DecompressionBombWarning)
        return Image.open(source)


def _bomb_pixels(error: Exception) -> int | None:
    match = re.search(r"\((\d+) pixels\)", str(error))
    return int(match.group(1)) if match else None


def check_image_file(uploaded_file) -> tuple[str, int, int]:
    """Check an upload and return (Pillow format, width, height as displayed, i.e. after the EXIF
    orientation); raise InvalidImage, with a translated message, when it is refused."""
    size = _file_size(uploaded_file)
    if size > settings.IMAGE_MAX_BYTES:
        raise InvalidImage(
            _("The image is larger than %(megabytes)s MB.") % {"megabytes": settings.IMAGE_MAX_BYTES // 2**20},
            code="image_size",
        )
    if size == 0:
        raise _not_accepted()
    uploaded_file.seek(0)
    try:
        # Reads the header only; the pixel count is checked below before anything is decoded.
        image = _open_guarded(uploaded_file, warn_is_error=False)
    except Image.DecompressionBombError as error:
        pixels = _bomb_pixels(error) or settings.IMAGE_MAX_PIXELS * 2
        raise InvalidImage(
            _("The image is too large (%(megapixels)s megapixels; at most %(limit)s).")
            % {"megapixels": f"{pixels / 1_000_000:.1f}", "limit": f"{settings.IMAGE_MAX_PIXELS / 1_000_000:g}"},
            code="image_pixels",
        ) from None
    except Exception:  # UnidentifiedImageError, OSError, SyntaxError … : not an image Pillow reads
        raise _not_accepted() from None
    image_format = image.format
    width, height = image.size
    if image_format not in ACCEPTED_FORMATS or width <= 0 or height <= 0:
        raise _not_accepted()
    if width * height > settings.IMAGE_MAX_PIXELS:
        raise _too_many_pixels(width, height)
    try:
        image.verify()  # structure and checksums (PNG CRCs) without decoding; must come right after open
        uploaded_file.seek(0)
        image = _open_guarded(uploaded_file)
        if _orientation(image) in (5, 6, 7, 8):
            width, height = height, width
        if image_format == "JPEG":
            # Decoding at 1/8 scale still reads every scan, so truncation shows, with 1/64 of the memory.
            image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()  # a truncated file fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(width, height) from None
    except Exception:  # Pillow raises OSError, SyntaxError, ValueError, struct.error … for damaged files
        raise _not_accepted() from None
    finally:
        uploaded_file.seek(0)
    return image_format, width, height


def _orientation(picture: Image.Image) -> int:
    try:
        return int(picture.getexif().get(0x0112, 1))
    except Exception:  # a damaged EXIF block is not worth refusing the picture for
        return 1


@transaction.atomic
def add_product_image(*, product: Product, uploaded_file, actor, alt: str = "",
                      generate_now: bool = False) -> ProductImage:
    """Store an image of ``product`` after checking it (type by content, bytes, pixels, integrity).

    Raises InvalidImage with a translated message and stores nothing when the file is refused.
    The image goes last in the product's order. Thumbnails are generated after commit by the
    ``catalog.tasks.generate_thumbnails`` task, or right away when ``generate_now`` (the seed
    command and scripts that want them at once).
    """
    image_format, width, height = check_image_file(uploaded_file)
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.images.count() >= MAX_IMAGES_PER_PRODUCT:
        raise InvalidImage(_("A product can have at most %(max)s images.") % {"max": MAX_IMAGES_PER_PRODUCT},
                           code="too_many_images")
    last = product.images.aggregate(last=Max("position"))["last"]
    image = ProductImage(product=product, alt=(alt or "")[:120], position=0 if last is None else last + 1)
    name = f"{uuid.uuid4().hex}.{ACCEPTED_FORMATS[image_format]}"
    uploaded_file.seek(0)
    image.original.save(name, uploaded_file, save=False)
    stored_name = image.original.name
    try:
        image.width, image.height = width, height
        image.save()
    except Exception:
        default_storage.delete(stored_name)
        raise
    logger.info("product image %s added to product %s by %s", image.pk, product.pk, getattr(actor, "pk", None))
    if generate_now:
        generate_product_image_thumbnails(image_id=image.pk)
        image.refresh_from_db(fields=["thumbnails"])
    else:
        from catalog.tasks import generate_thumbnails

        image_id = image.pk
        transaction.on_commit(lambda: generate_thumbnails.delay(image_id))
    cache_versions.bump_products(product.pk)
    return image


def _thumbnail_name(image_id: int, width: int) -> str:
    return f"{THUMBNAIL_DIRECTORY}/{image_id}/{width}.webp"


def _prepared(image: Image.Image) -> Image.Image:
    """Upright (EXIF orientation applied) and in RGB, or RGBA when the image has transparency."""
    image = ImageOps.exif_transpose(image) or image
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if has_alpha:
        return image.convert("RGBA")
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit greyscale: scale down to 8 bits before the colour conversion.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    return image.convert("RGB") if image.mode != "RGB" else image


def thumbnail_widths_for(original_width: int) -> list[int]:
    """The configured widths up to the original's, plus the original width itself when it is
    narrower than the largest configured one: thumbnails never upscale, and every key is the
    rendition's true width (the model's srcset uses the keys as ``w`` descriptors)."""
    configured = sorted(set(settings.IMAGE_THUMBNAIL_WIDTHS))
    widths = [w for w in configured if w <= original_width]
    if configured and original_width < configured[-1] and original_width not in widths:
        widths.append(original_width)
    return widths


def generate_product_image_thumbnails(*, image_id: int) -> dict[str, str]:
    """Make the WebP thumbnails of one image and record them; synchronous and idempotent.

    Writes ``products/thumbs/<image id>/<width>.webp`` (replacing earlier ones, removing ones no
    longer wanted) and stores {"240": name, ...} in ``ProductImage.thumbnails``. Returns that
    mapping, or {} when the image no longer exists.
    """
    image = ProductImage.objects.filter(pk=image_id).first()
    if image is None or not image.original:
        return {}
    with image.original.open("rb") as source:
        picture = _open_guarded(source)
        widths = thumbnail_widths_for(_upright_width(picture))
        if picture.format == "JPEG" and widths:
            # Let libjpeg decode at a reduced scale; asking for a square keeps both sides large enough
            # whichever way the EXIF orientation turns the picture.
            picture.draft("RGB", (max(widths), max(widths)))
        picture = _prepared(picture)
        picture.load()
    thumbnails: dict[str, str] = {}
    for width in widths:
        height = max(1, round(picture.height * width / picture.width))
        rendition = picture if width == picture.width else picture.resize(
            (width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        buffer = io.BytesIO()
        rendition.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
        name = _thumbnail_name(image.pk, width)
        if default_storage.exists(name):
            default_storage.delete(name)
        thumbnails[str(width)] = default_storage.save(name, ContentFile(buffer.getvalue()))
    for stale in set((image.thumbnails or {}).values()) - set(thumbnails.values()):
        default_storage.delete(stale)
    # update() so a reorder or alt change made meanwhile is not overwritten.
    ProductImage.objects.filter(pk=image.pk).update(thumbnails=thumbnails)
    cache_versions.bump_products(image.product_id)
    return thumbnails


def _upright_width(picture: Image.Image) -> int:
    return picture.height if _orientation(picture) in (5, 6, 7, 8) else picture.width


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # a missing file must not stop the others
            logger.warning("could not delete %s", name)


@transaction.atomic
def delete_product_image(*, image_id: int, actor) -> None:
    """Delete an image and, after commit, its files; the others close the gap in the order."""
    image = ProductImage.objects.select_for_update().filter(pk=image_id).first()
    if image is None:
        raise CatalogError(_("This image no longer exists."), code="unknown_image")
    product_id = image.product_id
    names = [image.original.name, *(image.thumbnails or {}).values()] if image.original else list(
        (image.thumbnails or {}).values())
    image.delete()
    remaining = list(ProductImage.objects.select_for_update().filter(product_id=product_id).order_by("position", "id"))
    for position, other in enumerate(remaining):
        other.position = position
    ProductImage.objects.bulk_update(remaining, ["position"])
    logger.info("product image %s deleted by %s", image_id, getattr(actor, "pk", None))
    transaction.on_commit(lambda: _delete_files(names))
    cache_versions.bump_products(product_id)


@transaction.atomic
def reorder_product_images(*, product: Product, image_ids: list[int], actor=None) -> list[ProductImage]:
    """Put a product's images in the order of ``image_ids`` (the first becomes the main image).

    ``image_ids`` must name each of the product's images exactly once.
    """
    images = {image.pk: image for image in ProductImage.objects.select_for_update().filter(product_id=product.pk)}
    wanted = [int(pk) for pk in image_ids]
    if len(wanted) != len(set(wanted)) or set(wanted) != set(images):
        raise CatalogError(_("The images changed meanwhile. Reload the page and try again."), code="stale_order")
    ordered = [images[pk] for pk in wanted]
    for position, image in enumerate(ordered):
        image.position = position
    ProductImage.objects.bulk_update(ordered, ["position"])
    cache_versions.bump_products(product.pk)
    return ordered


def move_product_image(*, image_id: int, direction: str, actor=None) -> list[ProductImage]:
    """Move one image up, down or to the front of its product's order."""
    image = ProductImage.objects.filter(pk=image_id).select_related("product").first()
    if image is None:
        raise CatalogError(_("This image no longer exists."), code="unknown_image")
    ids = list(ProductImage.objects.filter(product_id=image.product_id).order_by("position", "id")
               .values_list("pk", flat=True))
    index = ids.index(image.pk)
    if direction == "first":
        ids.insert(0, ids.pop(index))
    elif direction == "up" and index > 0:
        ids[index - 1], ids[index] = ids[index], ids[index - 1]
    elif direction == "down" and index < len(ids) - 1:
        ids[index + 1], ids[index] = ids[index], ids[index + 1]
    return reorder_product_images(product=image.product, image_ids=ids, actor=actor)
