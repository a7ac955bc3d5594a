"""Settings shared by every environment. Everything that differs comes from the environment.

See `.env.example` and the README's table of variables.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local `.env` is read when present; real deployments set the environment directly.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -----------------------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default=None)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # search lookups; its DDL runs only on PostgreSQL
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    # Ours, lowest first: core < regions < accounts < marketplace < orders < mitra < reports.
    "core",
    "regions",
    "accounts",
    "marketplace",
    "orders",
    "mitra",
    "reports",
]

MIDDLEWARE = [
    "core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "accounts.context_processors.access",
                "orders.context_processors.cart",
                "reports.context_processors.dashboard",
            ],
        },
    },
]

# Widget templates may live in templates/ (e.g. the region picker).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses logins while an account or an address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.EmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a reset link works for one day
EMAIL_VERIFICATION_MAX_AGE_SECONDS = 60 * 60 * 24 * 3
INVITATION_VALID_DAYS = 14
INVITATIONS_PER_DAY = 30  # per organisation: invitations are e-mails to any address

# Failed logins (django-axes): each account and each client address is locked for an hour after
# AXES_FAILURE_LIMIT failures within that hour (at most 100 per account, as required).
AXES_FAILURE_LIMIT = min(env.int("AXES_FAILURE_LIMIT", default=10), 100)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_HTTP_RESPONSE_CODE = 429
# "A@x.id" and "a@x.id" are one account (from the page's "username" or the API's "email").
AXES_USERNAME_CALLABLE = "accounts.backends.axes_username"
# A page for people, JSON ({"detail", "code": "locked_out"}) for the API.
AXES_LOCKOUT_CALLABLE = "accounts.backends.lockout_response"
# Behind a proxy, the client address is the one the proxy saw: set NUM_PROXIES. Axes reads it
# the way DRF's throttles do (the NUM_PROXIES-th X-Forwarded-For entry from the right, which a
# client cannot forge); without proxies X-Forwarded-For is ignored.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
AXES_CLIENT_IP_CALLABLE = "accounts.backends.client_ip"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL selects PostgreSQL (psycopg 3) in production and CI. Without it, one SQLite file
# tuned for a web server: WAL, IMMEDIATE transactions (no lock upgrade deadlocks) and a busy
# timeout instead of "database is locked" errors.

SQLITE_DEFAULT_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url("DATABASE_URL", default=SQLITE_DEFAULT_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=20),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiles the reports' aggregates anew on every call and spent most of
    # their time doing so in bench/reports.py; the app's queries are short, so it is off.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

# --- Cache and tasks ------------------------------------------------------------------------
# REDIS_URL turns on the Redis cache and a real Celery broker. Without it: local-memory cache and
# tasks run eagerly in the web process, so one laptop needs no services at all.

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "mitra",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# Hard limit per task; the broker's visibility timeout must outlast it (see config/celery_app.py).
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
# A task not acknowledged within this many seconds is redelivered: keep it well above the limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}

# --- Orders and money (DESIGN.md, orders) ---------------------------------------------------

# The platform's fee, a percentage of goods (never shipping or PPN), rounded down.
PLATFORM_FEE_PERCENT = env("PLATFORM_FEE_PERCENT", default="0")
# Unpaid prepaid orders expire after these many hours (bank transfer) / minutes (card).
BANK_TRANSFER_EXPIRY_HOURS = env.int("BANK_TRANSFER_EXPIRY_HOURS", default=24)
CARD_EXPIRY_MINUTES = env.int("CARD_EXPIRY_MINUTES", default=60)
# How long checkout/ remembers an Idempotency-Key.
CHECKOUT_IDEMPOTENCY_HOURS = 24
# Delivered orders complete by themselves after this many days unless the buyer reports a
# problem.
ORDER_AUTO_COMPLETE_DAYS = env.int("ORDER_AUTO_COMPLETE_DAYS", default=7)

# Matching (mitra): changes to a need or to products within this many seconds are folded into
# one recompute of the need's matches; a Posyantek is told about a need (once) when its match
# ranks in the top MITRA_NOTIFY_TOP with a score of at least MITRA_NOTIFY_MIN_SCORE.
MITRA_MATCH_DEBOUNCE_SECONDS = env.int("MITRA_MATCH_DEBOUNCE_SECONDS", default=60)
MITRA_NOTIFY_TOP = env.int("MITRA_NOTIFY_TOP", default=5)
MITRA_NOTIFY_MIN_SCORE = env.int("MITRA_NOTIFY_MIN_SCORE", default=50)
MITRA_MATCHES_KEPT = env.int("MITRA_MATCHES_KEPT", default=50)

# --- Payments (DESIGN.md, orders: Payment; orders/payments/) --------------------------------

# The platform's collection account: every bank transfer goes here, exactly the amount due,
# with the payment code in the description. Bank transfer is offered only when all three are
# set (local and test settings set demo values).
PLATFORM_BANK_NAME = env("PLATFORM_BANK_NAME", default="")
PLATFORM_BANK_ACCOUNT_NUMBER = env("PLATFORM_BANK_ACCOUNT_NUMBER", default="")
PLATFORM_BANK_ACCOUNT_HOLDER = env("PLATFORM_BANK_ACCOUNT_HOLDER", default="")
# One adapter per provider (orders.payments.base.PaymentProvider), by provider name.
PAYMENT_PROVIDERS = {
    "bank_transfer": "orders.payments.bank_transfer.BankTransferProvider",
    "stripe": "orders.payments.stripe.StripeProvider",
}
# Stripe (cards): offered only when both keys are set. The API version is pinned to the one
# the pinned `stripe` library was built for; STRIPE_API_BASE points the library elsewhere (the
# tests' local stand-in, tests/fakes/stripe_server.py).
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_VERSION = "2026-10-28.endive"
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300
# Transfer proofs: a photo (JPEG, PNG, WebP) or a PDF, at most this many megabytes.
TRANSFER_PROOF_MAX_MB = env.int("TRANSFER_PROOF_MAX_MB", default=5)
# After a proof is rejected the buyer gets at least this long to upload another.
TRANSFER_REJECT_GRACE_HOURS = env.int("TRANSFER_REJECT_GRACE_HOURS", default=6)

# --- Internationalisation -------------------------------------------------------------------

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

# --- Static and uploaded files --------------------------------------------------------------
# Two storages (DESIGN.md): public files (product images, user guides) served by URL, and
# private files (proofs, legal documents, certificate scans, invoices, exports) that have no URL
# and are served only by permission-checked views through core.files.

STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]

MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media" / "public")
PRIVATE_MEDIA_ROOT = env.path("DJANGO_PRIVATE_MEDIA_ROOT", default=BASE_DIR / "media" / "private")

STORAGES = {
    "default": {
        "BACKEND": env("PUBLIC_STORAGE_BACKEND", default="core.storages.PublicStorage"),
    },
    "private": {
        "BACKEND": env("PRIVATE_STORAGE_BACKEND", default="core.storages.PrivateStorage"),
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

# Uploads larger than this are refused before they reach a view (images and guides have their
# own, smaller limits).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Mitra TTG <noreply@mitra-ttg.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- API ------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Everything needs a login unless a view opts into public reads.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "core.api.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="120/min"),
        "user": env("API_THROTTLE_USER", default="600/min"),
    },
    # Behind a proxy, the real client address is the last hop the proxy appended.
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Mitra TTG API",
    "DESCRIPTION": (
        "Marketplace dan kemitraan Posyantek (teknologi tepat guna). "
        "Marketplace and partnership platform for Indonesia's Posyantek."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI and Redoc from drf-spectacular-sidecar: the docs work without internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set, where two models use the same field name.
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "accounts.models.Organization.Kind",
        "VerificationStatusEnum": "accounts.models.Organization.VerificationStatus",
        "PosyantekLevelEnum": "accounts.models.Organization.PosyantekLevel",
        "RoleEnum": "accounts.models.Role",
        "DocumentKindEnum": "accounts.models.OrganizationDocument.Kind",
        "OrganizationEventKindEnum": "accounts.models.OrganizationEvent.Kind",
        "InvitationStatusEnum": "accounts.models.Invitation.Status",
        "ProductKindEnum": "marketplace.models.Product.Kind",
        "ProductStatusEnum": "marketplace.models.Product.Status",
        "OrderStatusEnum": "orders.models.Order.Status",
        "PaymentStatusEnum": "orders.models.Payment.Status",
        "PaymentMethodEnum": "orders.models.PaymentMethod",
        "ShippingMethodEnum": "orders.models.ShippingMethod",
        "NeedKindEnum": "mitra.models.Need.Kind",
        "NeedStatusEnum": "mitra.models.Need.Status",
        "NeedDirectionEnum": "mitra.models.Need.Direction",
        "NeedUnitEnum": "mitra.models.Need.Unit",
        "NeedFrequencyEnum": "mitra.models.Need.Frequency",
        # Proposals and partnerships (issue 12).
        "ProposalStatusEnum": "mitra.models.Proposal.Status",
        "PaymentTermsEnum": "mitra.models.Proposal.PaymentTerms",
        "PartnershipKindEnum": "mitra.models.Partnership.Kind",
    },
}

# --- Logging and error tracking -------------------------------------------------------------

LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FORMAT = env("LOG_FORMAT", default="text")  # "text" or "json"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
    },
}

SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
    )

# --- Platform -------------------------------------------------------------------------------

SITE_NAME = "Mitra TTG"
# Absolute links in e-mails (verification, invitations, orders) start with this.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
HEALTHZ_REDIS_TIMEOUT_SECONDS = 2
