"""Every command honours DATABASE_URL and REDIS_URL, and falls back to SQLite and eager tasks
only without them. Each case starts a fresh interpreter with its own environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
django.setup()
from django.conf import settings
from config.celery_app import app
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "options": db.get("OPTIONS", {}),
    "cache": settings.CACHES["default"]["BACKEND"],
    "broker": app.conf.broker_url, "eager": app.conf.task_always_eager,
    "time_zone": settings.TIME_ZONE, "use_tz": settings.USE_TZ,
    "language": settings.LANGUAGE_CODE, "languages": [c for c, _ in settings.LANGUAGES],
}))
"""


def settings_under(**environment: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.local", **environment})
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.smoke
def test_without_services_sqlite_with_wal_and_eager_tasks():
    probe = settings_under()

    assert probe["engine"] == "django.db.backends.sqlite3"
    assert probe["name"].endswith("db.sqlite3")
    assert probe["options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in probe["options"]["init_command"]
    assert probe["options"]["timeout"] >= 5
    assert probe["cache"].endswith("LocMemCache")
    assert probe["eager"] is True


def test_database_url_selects_postgresql_with_psycopg():
    probe = settings_under(DATABASE_URL="postgres://postgres@127.0.0.1:5432/mitra_ttg")

    assert probe["engine"] == "django.db.backends.postgresql"
    assert probe["name"] == "mitra_ttg"


def test_redis_url_selects_redis_cache_and_real_broker():
    probe = settings_under(REDIS_URL="redis://127.0.0.1:6379/3")

    assert probe["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert probe["broker"] == "redis://127.0.0.1:6379/3"
    assert probe["eager"] is False


def test_time_and_language():
    probe = settings_under()

    assert probe["time_zone"] == "Asia/Jakarta"
    assert probe["use_tz"] is True
    assert probe["language"] == "id"
    assert probe["languages"] == ["id", "en"]


@pytest.mark.smoke
def test_sqlite_file_really_runs_in_wal_with_busy_timeout(tmp_path):
    """On a real file (not the in-memory test database) the pragmas are in force."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'probe.sqlite3'}",
    )
    code = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "c = connection.cursor()\n"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0],"
        " c.execute('PRAGMA busy_timeout').fetchone()[0])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )

    journal_mode, busy_timeout_ms = result.stdout.split()
    assert journal_mode == "wal"
    assert int(busy_timeout_ms) >= 5000


def test_json_logs_on_request():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", LOG_FORMAT="json")
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('mitra').warning('stok habis', extra={'product': 7})"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )

    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "stok habis"
    assert line["level"] == "WARNING" and line["logger"] == "mitra" and line["product"] == 7
