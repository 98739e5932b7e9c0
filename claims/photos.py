"""Photos a shopper attaches to a claim (a defect, a wrong item): checked like product images."""

import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from claims.exceptions import ClaimError
from claims.models import Claim, ClaimPhoto

MAX_PHOTOS_PER_CLAIM = 5


def check_claim_photo(uploaded_file) -> str:
    """Refuse anything that is not a complete JPEG/PNG/WebP/GIF within the shop's size and pixel limits.

    The same checks as product images (catalog.services.images.check_image_file): by content,
    not by name; raises ClaimError with a translated message. Returns the file extension that
    matches the content (the stored name never keeps the shopper's own extension).
    """
    from catalog.exceptions import InvalidImage
    from catalog.services.images import ACCEPTED_FORMATS, check_image_file

    try:
        image_format, _width, _height = check_image_file(uploaded_file)
    except InvalidImage as error:
        raise ClaimError(error.message, code=error.code) from None
    return ACCEPTED_FORMATS[image_format]


@transaction.atomic
def attach_claim_photos(*, claim: Claim, files: list) -> list[ClaimPhoto]:
    """Check every file first, then store them all (or none) on ``claim``; at most five per claim."""
    if claim.photos.count() + len(files) > MAX_PHOTOS_PER_CLAIM:
        raise ClaimError(_("Attach at most %(max)d photos.") % {"max": MAX_PHOTOS_PER_CLAIM}, code="photos")
    extensions = [check_claim_photo(uploaded) for uploaded in files]
    photos = []
    for uploaded, extension in zip(files, extensions, strict=True):
        uploaded.seek(0)
        photo = ClaimPhoto(claim=claim)
        photo.image.save(f"{claim.number}-{uuid.uuid4().hex[:12]}.{extension}", uploaded, save=False)
        photo.save()
        photos.append(photo)
    return photos
