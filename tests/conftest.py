"""Shared fixtures, and the rule for tests that need real services.

A test marked `postgres`, `redis` or `e2e` needs PostgreSQL, Redis or Chromium. Under CI
(CI=true) a missing service is a failure: CI must provide it (.ci/run does). Anywhere else the
test is skipped and says what it needs.
"""

import os
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

IN_CI = os.environ.get("CI") == "true"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


def require(available: bool, what: str) -> None:
    if available:
        return
    if IN_CI:
        pytest.fail(f"needs {what}, and CI must provide it (see .ci/run)", pytrace=False)
    pytest.skip(f"needs {what}; runs under CI=true (make test with CI=true, or .ci/run)")


def redis_available() -> bool:
    if not settings.REDIS_URL:
        return False
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres"):
        require(
            connection.vendor == "postgresql",
            "PostgreSQL (set DATABASE_URL=postgres://postgres@127.0.0.1:5432/mitra_ttg)",
        )
    if item.get_closest_marker("redis"):
        require(redis_available(), "Redis (set REDIS_URL=redis://127.0.0.1:6379/15)")
    if item.get_closest_marker("e2e"):
        require(CHROMIUM.exists(), f"Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Every test writes uploads under its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "public"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the platform's default language, Bahasa Indonesia."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def user_client(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


REGIONS_SUBSET = Path(__file__).parent / "fixtures" / "regions_subset.csv"


@pytest.fixture
def regions(db):
    """A small, real subset of the official list (Banten > Kota Cilegon > Purwakarta, the DKI
    pilot kecamatan, Pekalongan Utara, Balikpapan Utara, Samarinda Ulu), loaded by the real
    loader. Transactional tests empty the tables, so this is rebuilt for each test."""
    from regions.services import regions_load

    return regions_load(path=REGIONS_SUBSET)
