"""Production: services mode, every secret from the environment, HTTPS only."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOW_SANDBOX_PG_IN_PRODUCTION, PAYMENT_GATEWAY, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[f"https://{h}" for h in ALLOWED_HOSTS])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")

SANDBOX_PG_SHOPPER_ACCESS = env.bool("SANDBOX_PG_SHOPPER_ACCESS", default=False)

# The sandbox PG lets anyone mark an order paid: a production deploy must name a real gateway.
if PAYMENT_GATEWAY == "sandbox" and not ALLOW_SANDBOX_PG_IN_PRODUCTION:
    raise ImproperlyConfigured(
        "PAYMENT_GATEWAY=sandbox is refused in production: set PAYMENT_GATEWAY=toss (with TOSS_SECRET_KEY), "
        "or ALLOW_SANDBOX_PG_IN_PRODUCTION=1 for a public demo that takes no real money."
    )
