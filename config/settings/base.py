"""Settings shared by every mode.

Two modes, chosen by the environment alone:
- embedded (nothing set): SQLite file, Celery eager, local-memory cache, console mail;
- services (DATABASE_URL and/or REDIS_URL): PostgreSQL through psycopg 3 with a pool,
  Redis as Celery broker and cache, a real worker and beat.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdefghijklmnop")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "csp",
    "axes",
    "core",
    "accounts",
    "partners",
    "catalog",
    "orders",
    "claims",
    "settlement",
    "marketing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but for security: gzips only anonymous HTML (BREACH; docs/performance.md).
    "core.middleware.AnonymousHtmlGZipMiddleware",
    "core.middleware.HostileInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.KoreanFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "marketing.funnel.middleware.FunnelMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "orders.context_processors.cart",
                "partners.context_processors.portal",
            ],
            "builtins": ["core.templatetags.money"],
        },
    },
]

# --- Database: SQLite file unless DATABASE_URL is given -------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    # psycopg 3 connection pool; persistent connections must stay off with a pool.
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": env.int("DB_POOL_MIN", default=2),
        "max_size": env.int("DB_POOL_MAX", default=20),
        "timeout": 10,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    USING_POSTGRES = True
else:
    # Several people at once on one SQLite file (the embedded demo): WAL lets readers run beside the
    # writer, the busy timeout makes a writer wait for the lock instead of failing at once, and
    # IMMEDIATE transactions take the write lock when the transaction starts, so two transactions that
    # both read then write cannot deadlock into "database is locked" (SQLite cannot upgrade a reader).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;")
    USING_POSTGRES = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache when REDIS_URL is given --------------------------------------
REDIS_URL = env("REDIS_URL", default="")


def redis_caches(url: str) -> dict:
    """The CACHES setting for a Redis at ``url``; Redis down → every call answers as a miss and pages
    render from the database (core.cache.ResilientRedisCache)."""
    return {"default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": url, "KEY_PREFIX": "shop"}}


if REDIS_URL:
    CACHES = redis_caches(REDIS_URL)
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True

CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Asia/Seoul"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# If Redis is down when a request publishes a task, give up quickly: the outbox row or the
# stored payment event stays, and the beat sweeps send it once the broker is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BEAT_SCHEDULE: dict = {
    "dispatch-outbox": {"task": "core.dispatch_outbox", "schedule": 60.0},
    "expire-unpaid-orders": {"task": "orders.expire_unpaid_orders", "schedule": 300.0},
    "process-pending-payment-events": {"task": "orders.process_pending_payment_events", "schedule": 120.0},
    "sandbox-pg-callbacks": {"task": "orders.retry_sandbox_callbacks", "schedule": 30.0},
    "auto-confirm-purchases": {"task": "orders.auto_confirm_purchases", "schedule": 3600.0},
    "sync-deliveries": {"task": "orders.sync_deliveries", "schedule": 1800.0},
    "expire-points": {"task": "marketing.expire_points", "schedule": 3600.0},
    "expire-coupons": {"task": "marketing.expire_coupons", "schedule": 3600.0},
    "voc-housekeeping": {"task": "marketing.voc_housekeeping", "schedule": 600.0},
    "flush-funnel-events": {"task": "marketing.flush_events", "schedule": 10.0},
    "accrue-affiliate-commissions": {"task": "marketing.accrue_affiliate_commissions", "schedule": 3600.0},
    "close-affiliate-month": {"task": "marketing.close_affiliate_month", "schedule": 6 * 3600.0},
}

# --- Auth -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Sessions live in the database: a shopper's cart and login survive a Redis outage.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "shop:home"
LOGOUT_REDIRECT_URL = "shop:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): 5 failures for one account from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_RESET_ON_SUCCESS = True

# --- i18n: Korean by default, English selectable -------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

# --- Static and media --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Files only some people may see (claim photos): never served as /media/, only through views.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private-media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Image uploads: checked before Pillow decodes them fully.
IMAGE_MAX_BYTES = 10 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000
IMAGE_THUMBNAIL_WIDTHS = (240, 480, 960)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Mail --------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="숍 <no-reply@shop.example>")

# --- Security that holds in every mode -----------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
    }
}

ADMIN_URL = env("ADMIN_URL", default="django-admin/")

# One line per event (tracebacks folded onto the line), secrets and card numbers masked, every
# record written once: Django's own loggers get the one handler and do not propagate to the root.
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "core.logging.RedactFilter"},
                "quiet_403": {"()": "core.log_filters.QuietPermissionDenied"}},
    "formatters": {"line": {"()": "core.logging.OneLineFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.db.backends": {"level": "INFO"},
        "django.request": {"filters": ["quiet_403"]},
        "axes": {"level": "WARNING"},
    },
}

# --- Shop -------------------------------------------------------------------------------
SHOP_NAME = env("SHOP_NAME", default="마켓온")
CATALOG_PAGE_SIZE = 24
# List counts and filter facets are cached this long (seconds); 0 turns the cache off.
CATALOG_LIST_CACHE_SECONDS = env.int("CATALOG_LIST_CACHE_SECONDS", default=60)

# --- Funnel and affiliates (docs/marketing.md) ---------------------------------------------
FUNNEL_ENABLED = env.bool("FUNNEL_ENABLED", default=True)
FUNNEL_SESSION_MINUTES = 30
ATTRIBUTION_WINDOW_DAYS = env.int("ATTRIBUTION_WINDOW_DAYS", default=7)
AFFILIATE_WINDOW_HOURS = env.int("AFFILIATE_WINDOW_HOURS", default=24)
AFFILIATE_DEFAULT_RATE_PERCENT = 3
AFFILIATE_MINIMUM_PAYOUT = 10_000

# --- Messages (알림톡) ---------------------------------------------------------------------
ALIMTALK_PROVIDER = env("ALIMTALK_PROVIDER", default="core.messaging.DevAlimtalkProvider")
SOLAPI_API_KEY = env("SOLAPI_API_KEY", default="")
SOLAPI_API_SECRET = env("SOLAPI_API_SECRET", default="")
SOLAPI_SENDER = env("SOLAPI_SENDER", default="")
SOLAPI_PF_ID = env("SOLAPI_PF_ID", default="")
SOLAPI_BASE_URL = env("SOLAPI_BASE_URL", default="https://api.solapi.com")

# --- Payments (PG) -------------------------------------------------------------------------
PAYMENT_GATEWAYS = {
    "sandbox": "orders.payments.sandbox.SandboxGateway",
    "toss": "orders.payments.toss.TossGateway",
}
PAYMENT_GATEWAY = env("PAYMENT_GATEWAY", default="sandbox")
TOSS_SECRET_KEY = env("TOSS_SECRET_KEY", default="")
TOSS_CLIENT_KEY = env("TOSS_CLIENT_KEY", default="")
TOSS_API_BASE = env("TOSS_API_BASE", default="https://api.tosspayments.com")
# Where the shop listens (make run / make web pass HOST and PORT) and where the sandbox PG sends its
# callbacks (the shop's own webhook URL is appended): derived from HOST and PORT unless SITE_URL is set.
HOST = env("HOST", default="127.0.0.1")
PORT = env.int("PORT", default=8000)
_CALLBACK_HOST = "127.0.0.1" if HOST in ("", "0.0.0.0", "::", "[::]") else HOST  # a bind-all address is not an address to call
SITE_URL = env("SITE_URL", default=f"http://{_CALLBACK_HOST}:{PORT}")
# The sandbox PG console: operators always; with this on, a signed-in shopper also works the payments of
# their own orders (the embedded demo pays a virtual account that way). Off in production.
SANDBOX_PG_SHOPPER_ACCESS = env.bool("SANDBOX_PG_SHOPPER_ACCESS", default=True)
# Production refuses the sandbox PG (anyone could "pay" in it) unless this is deliberately set for a demo.
ALLOW_SANDBOX_PG_IN_PRODUCTION = env.bool("ALLOW_SANDBOX_PG_IN_PRODUCTION", default=False)
# PG webhooks accepted per client address per minute (the cache counts them; no cache → no limit).
PAYMENT_WEBHOOK_RATE_PER_MINUTE = env.int("PAYMENT_WEBHOOK_RATE_PER_MINUTE", default=120)
SANDBOX_PG_WEBHOOK_SECRET = env("SANDBOX_PG_WEBHOOK_SECRET", default="")
VIRTUAL_ACCOUNT_DUE_HOURS = env.int("VIRTUAL_ACCOUNT_DUE_HOURS", default=72)
PAYMENT_WINDOW_MINUTES = env.int("PAYMENT_WINDOW_MINUTES", default=30)

# --- Fulfilment ----------------------------------------------------------------------------
PURCHASE_AUTO_CONFIRM_DAYS = env.int("PURCHASE_AUTO_CONFIRM_DAYS", default=7)
# A dispatch delay (발송지연) or backorder may promise a date at most this many days ahead.
DISPATCH_DELAY_MAX_DAYS = env.int("DISPATCH_DELAY_MAX_DAYS", default=30)
TRACKING_PROVIDER = env("TRACKING_PROVIDER", default="orders.tracking.SandboxTrackingProvider")
TRACKING_SANDBOX_DELIVERY_HOURS = env.int("TRACKING_SANDBOX_DELIVERY_HOURS", default=24)
SWEETTRACKER_API_KEY = env("SWEETTRACKER_API_KEY", default="")
SWEETTRACKER_BASE_URL = env("SWEETTRACKER_BASE_URL", default="https://info.sweettracker.co.kr")

# --- Points (적립금) and coupons ---------------------------------------------------------------
POINTS_EARN_RATE_PERCENT = env.float("POINTS_EARN_RATE_PERCENT", default=1.0)
POINTS_EXPIRY_MONTHS = env.int("POINTS_EXPIRY_MONTHS", default=12)
POINTS_MIN_BALANCE_TO_USE = env.int("POINTS_MIN_BALANCE_TO_USE", default=1000)
POINTS_USE_UNIT = env.int("POINTS_USE_UNIT", default=10)
POINTS_MAX_USE_PERCENT = env.int("POINTS_MAX_USE_PERCENT", default=50)

# --- Claims (취교반) ---------------------------------------------------------------------------
CLAIM_WINDOW_DAYS = env.int("CLAIM_WINDOW_DAYS", default=7)  # change of mind, from delivery
CLAIM_SELLER_FAULT_WINDOW_DAYS = env.int("CLAIM_SELLER_FAULT_WINDOW_DAYS", default=90)
CLAIM_REFUND_DUE_BUSINESS_DAYS = env.int("CLAIM_REFUND_DUE_BUSINESS_DAYS", default=3)

# --- Settlement ------------------------------------------------------------------------------
# Commission when no rule applies (percent; amounts round down to whole won).
SETTLEMENT_DEFAULT_COMMISSION_RATE = env.str("SETTLEMENT_DEFAULT_COMMISSION_RATE", default="10")
# Payout within this many days after a period closes (business days; weekends skipped).
SETTLEMENT_PAY_WITHIN_DAYS = env.int("SETTLEMENT_PAY_WITHIN_DAYS", default=20)

# --- Voice of the customer: reviews, questions, inquiries, survey -----------------------------
REVIEW_WINDOW_DAYS = env.int("REVIEW_WINDOW_DAYS", default=90)  # after purchase confirmation
REVIEW_REWARD_TEXT_AMOUNT = env.int("REVIEW_REWARD_TEXT_AMOUNT", default=100)  # points for a text review
REVIEW_REWARD_PHOTO_AMOUNT = env.int("REVIEW_REWARD_PHOTO_AMOUNT", default=500)  # points for a photo review
REVIEW_MIN_LENGTH = env.int("REVIEW_MIN_LENGTH", default=10)
INQUIRY_FIRST_ANSWER_BUSINESS_DAYS = env.int("INQUIRY_FIRST_ANSWER_BUSINESS_DAYS", default=1)
QUESTION_ANSWER_BUSINESS_DAYS = env.int("QUESTION_ANSWER_BUSINESS_DAYS", default=2)  # then it counts as a penalty
