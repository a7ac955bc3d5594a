import pytest
from django.db import DatabaseError

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_healthy_without_redis(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not_configured"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.redis
def test_healthy_with_real_redis(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["redis"] == "ok"


def test_unreachable_redis_is_503(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "redis": "error"}


def test_database_down_is_503(client, settings, monkeypatch):
    settings.REDIS_URL = ""

    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("core.views.connection.cursor", broken_cursor)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_answers_any_host_and_plain_http(client, settings):
    """Health probes call by IP over HTTP: no DisallowedHost, no HTTPS redirect."""
    settings.ALLOWED_HOSTS = ["mitra-ttg.example.id"]
    settings.SECURE_SSL_REDIRECT = True
    settings.REDIS_URL = ""

    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_other_paths_still_validate_the_host(client, settings):
    settings.ALLOWED_HOSTS = ["mitra-ttg.example.id"]

    assert client.get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400
