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
