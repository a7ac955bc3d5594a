"""pytest: SQLite in memory unless DATABASE_URL names PostgreSQL (CI does), eager tasks,
e-mail kept in memory, fast password hashing."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Tests run tasks in-process; the real-worker test sends to Redis explicitly.
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "10000/min", "user": "10000/min"},
}

# Each test writes uploads under its own tmp_path (tests/conftest.py).
STORAGES = {
    **STORAGES,
    "default": {"BACKEND": "core.storages.PublicStorage"},
    "private": {"BACKEND": "core.storages.PrivateStorage"},
}

STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# A demo collection account so bank transfer works out of the box (never a real account).
PLATFORM_BANK_NAME = env("PLATFORM_BANK_NAME", default="Bank Rakyat Indonesia (BRI)")
PLATFORM_BANK_ACCOUNT_NUMBER = env("PLATFORM_BANK_ACCOUNT_NUMBER", default="0123-01-000456-30-7")
PLATFORM_BANK_ACCOUNT_HOLDER = env("PLATFORM_BANK_ACCOUNT_HOLDER", default="PT Mitra TTG Nusantara")
