"""A real Celery worker process on Redis, sharing the test database.

The worker runs `config.settings.test` against the test database (PostgreSQL: a second process
cannot see SQLite's in-memory test database) and Redis database 15 (or REDIS_URL's). The test
is transactional so the worker sees committed rows, polls for the effect with a deadline, and
always stops the worker.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection

from config.celery_app import app, dispatch_on_commit
from core.tasks import clear_expired_sessions
from tests.core.test_celery import make_session

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def database_url() -> str:
    db = connection.settings_dict
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def wait_for(predicate, *, timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    tail = log.read_text()[-3000:] if log and log.exists() else ""
    pytest.fail(f"timed out after {timeout}s waiting for {what}\n{tail}")


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.REDIS_URL,
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "config", "worker",
                "--pool=solo", "--loglevel=INFO", "--without-mingle", "--without-gossip",
                "--without-heartbeat", "-n", f"test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for(lambda: "ready." in log.read_text(), timeout=60, what="the worker", log=log)
        yield log
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        connection.close()  # the worker's connection is gone; let the flush reconnect


@pytest.fixture
def sending_to_the_broker():
    """Tests run tasks eagerly; here they go to Redis instead."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = eager


def test_task_runs_in_a_real_worker_and_changes_the_database(celery_worker, sending_to_the_broker):
    expired, live = make_session(expired=True), make_session(expired=False)

    dispatch_on_commit(clear_expired_sessions)  # autocommit: sent at once

    wait_for(
        lambda: not Session.objects.filter(session_key=expired).exists(),
        timeout=60,
        what="the worker to delete the expired session",
        log=celery_worker,
    )
    assert Session.objects.filter(session_key=live).exists()
    assert "core.tasks.clear_expired_sessions" in celery_worker.read_text()
