"""The storefront benchmark (bench/storefront.py): production-like, on loopback, PostgreSQL."""

from .base import *  # noqa: F403
from .base import LOGGING, env

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "bench.urls"
SECRET_KEY = env("SECRET_KEY", default="bench-only-insecure-key-0123456789abcdefghijklmnopqrstuvwxyz")
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}
# As in production: hashed static file names, compressed, cached for a year by WhiteNoise.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
