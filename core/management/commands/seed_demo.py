"""`manage.py seed_demo`: the demo world a newcomer's `make run` shows. Local only.

Each app may have a `demo.py` with `seed(*, password: str) -> list[tuple[str, str]]` that
creates its demo rows through its services, idempotently, and returns (who, e-mail) lines for
the logins it made. Apps are seeded in INSTALLED_APPS order, which is dependency order.
"""

from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.db import transaction
from django.test.utils import override_settings

DEMO_PASSWORD = "mitra-ttg-demo-2026"  # noqa: S105 - published on purpose: local demo only


def _is_ours(path: str) -> bool:
    folder = Path(path).resolve()
    return folder.is_relative_to(settings.BASE_DIR) and ".venv" not in folder.parts


class Command(BaseCommand):
    help = "Create the demo organisations, people and data (idempotent; never in production)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="run even with DEBUG off (tests); never on a real deployment",
        )

    @no_translations
    def handle(self, *args, force: bool = False, **options):
        if not (settings.DEBUG or force):
            raise CommandError(
                "seed_demo creates accounts with a published password: it runs only with "
                "DEBUG on (make run). Use --force only on a throwaway database."
            )
        logins: list[tuple[str, str]] = []
        # Demo rows are made through the real services, which e-mail people: not here.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            for config in apps.get_app_configs():
                module_name = f"{config.name}.demo"
                if not _is_ours(config.path) or find_spec(module_name) is None:
                    continue
                with transaction.atomic():
                    logins += import_module(module_name).seed(password=DEMO_PASSWORD)
                if options["verbosity"]:
                    self.stdout.write(f"Seeded {config.label}.")
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS("Demo logins (local only), password: " + DEMO_PASSWORD)
            )
            width = max((len(who) for who, _email in logins), default=0)
            for who, email in logins:
                self.stdout.write(f"  {who.ljust(width)}  {email}")
