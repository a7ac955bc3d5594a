import logging

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness for load balancers and compose: 200 when the database (and Redis,
    when configured) answer, 503 otherwise. Says which part failed, never why (no secrets)."""
    checks: dict[str, str] = {"database": _check_database()}
    checks["redis"] = _check_redis() if settings.REDIS_URL else "not_configured"
    healthy = all(value in ("ok", "not_configured") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("healthz: database check failed")
        return "error"
    return "ok"


def _check_redis() -> str:
    timeout = settings.HEALTHZ_REDIS_TIMEOUT_SECONDS
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        try:
            client.ping()
        finally:
            client.close()
    except redis.RedisError:
        logger.exception("healthz: redis check failed")
        return "error"
    return "ok"
