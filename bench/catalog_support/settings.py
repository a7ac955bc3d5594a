"""Settings for bench/catalog.py: the production settings, served by gunicorn on loopback over
plain HTTP, with the baseline view mounted beside the real URLs.

DATABASE_URL and REDIS_URL come from the environment, as in production (bench/catalog.py
points them at its own database and Redis database 13). The API's throttles are off: the
load generator is one client sending thousands of requests a minute.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret-" + "0123456789" * 5)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "False")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from config.settings.production import *  # noqa: F403
from config.settings.production import REST_FRAMEWORK

ROOT_URLCONF = "bench.catalog_support.urls"

# Plain HTTP on loopback: no HSTS, no secure-only cookies.
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Nothing is collected for the bench; the API renders no static URLs.
STATIC_ROOT = None
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
}

REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}

# Nothing the bench does should leave the process for a worker that is not running.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
