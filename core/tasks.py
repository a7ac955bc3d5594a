from importlib import import_module

from celery import shared_task
from django.conf import settings
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def clear_expired_sessions() -> None:
    """Delete expired login sessions (beat: daily), whatever the session engine. Idempotent."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
