"""No Docker engine runs here, so the deployment files are checked by reading them: the services
exist, each has a health check, and every command names modules that really exist."""

import importlib
import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def command_words(service: str) -> list[str]:
    command = SERVICES[service]["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def assert_wsgi_target(target: str) -> None:
    module, attribute = target.split(":")
    assert callable(getattr(importlib.import_module(module), attribute)), target


def assert_celery_app(words: list[str]) -> None:
    module = words[words.index("-A") + 1]
    app = importlib.import_module(module).app
    assert app.main == "mitra_ttg"


def test_all_services_are_there_with_health_checks():
    assert set(SERVICES) == {"web", "worker", "beat", "db", "redis"}
    for name, service in SERVICES.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"


def test_web_runs_gunicorn_on_the_real_wsgi_app_and_checks_healthz():
    command = " ".join(command_words("web"))
    target = re.search(r"gunicorn (\S+)", command).group(1)

    assert_wsgi_target(target)
    assert "migrate" in command
    assert "/healthz" in " ".join(SERVICES["web"]["healthcheck"]["test"])


def test_worker_and_beat_name_the_real_celery_app():
    worker, beat = command_words("worker"), command_words("beat")

    assert worker[:1] == ["celery"] and "worker" in worker
    assert beat[:1] == ["celery"] and "beat" in beat
    assert_celery_app(worker)
    assert_celery_app(beat)


def test_services_take_env_from_dotenv_and_wait_for_healthy_dependencies():
    for name in ("web", "worker", "beat"):
        service = SERVICES[name]
        assert service["env_file"] == ".env"
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"


def test_database_and_redis_versions():
    assert SERVICES["db"]["image"] == "postgres:16"
    assert SERVICES["redis"]["image"] == "redis:7"


def test_dockerfile_serves_the_real_wsgi_app():
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE).group(1)

    assert_wsgi_target(yaml.safe_load(cmd)[1])
    assert "FROM python:3.11" in dockerfile
    assert "requirements.txt" in dockerfile
