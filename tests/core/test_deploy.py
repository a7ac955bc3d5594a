"""Production settings: no default secret, and Django's deployment check passes with the
documented variables (those of .env.example) set."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "SENTRY_"))
    }
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def documented_production_environment() -> dict[str, str]:
    env: dict[str, str] = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key] = value
    # The example points at compose's hostnames; the check does not connect to them.
    return env


def test_check_deploy_passes_with_the_documented_variables():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", **documented_production_environment()
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = documented_production_environment()
    del env["DJANGO_SECRET_KEY"]

    result = run_manage("check", **env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_has_debug_off_and_https_only():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.STORAGES['staticfiles']['BACKEND'])"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        **documented_production_environment(),
        "DJANGO_DEBUG": "True",  # ignored: production never runs with DEBUG
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )

    assert result.stdout.split() == [
        "False", "True", "True", "True",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]  # fmt: skip
