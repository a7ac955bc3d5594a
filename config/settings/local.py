"""One laptop: `make run`. DEBUG on, e-mail printed to the console, no secrets needed."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-only-insecure-key-do-not-deploy")
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)

# WhiteNoise serves straight from the app folders (finders) while DEBUG: nothing to collect.
STATIC_ROOT = None

# A demo collection account so bank transfer works out of the box (never a real account).
PLATFORM_BANK_NAME = env("PLATFORM_BANK_NAME", default="Bank Rakyat Indonesia (BRI)")
PLATFORM_BANK_ACCOUNT_NUMBER = env("PLATFORM_BANK_ACCOUNT_NUMBER", default="0123-01-000456-30-7")
PLATFORM_BANK_ACCOUNT_HOLDER = env("PLATFORM_BANK_ACCOUNT_HOLDER", default="PT Mitra TTG Nusantara")
