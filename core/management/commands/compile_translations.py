"""Compile locale/*/LC_MESSAGES/*.po into .mo with polib, so no system gettext is needed.

(`makemessages`, which extracts new strings, still needs GNU gettext: `make messages`.)
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the project's translation catalogues (.po → .mo)."

    def handle(self, *args, **options):
        for locale_path in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_path).glob("*/LC_MESSAGES/*.po")):
                catalogue = polib.pofile(str(po_path))
                catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
                self.stdout.write(
                    f"{po_path}: {len(catalogue.translated_entries())} translated, "
                    f"{len(catalogue.untranslated_entries())} untranslated"
                )
