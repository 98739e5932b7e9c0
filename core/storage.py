"""Private files (e.g. claim photos): kept outside MEDIA_ROOT and served only by views that
check who asks. ``settings.PRIVATE_MEDIA_ROOT`` is read on every access (tests move it)."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("private files have no public URL; serve them through a view that checks access")


def private_storage() -> PrivateStorage:
    return PrivateStorage()
