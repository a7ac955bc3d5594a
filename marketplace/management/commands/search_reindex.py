"""Recompute every product's search vector in one UPDATE — after bulk loads, and after
renaming categories outside the admin (e.g. by a data migration)."""

import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from marketplace.search import search_vector_refresh


class Command(BaseCommand):
    help = "Recompute the full-text search vector of every product (PostgreSQL)."

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            self.stdout.write("Search vectors exist only on PostgreSQL; nothing to do.")
            return
        started = time.monotonic()
        with transaction.atomic():
            updated = search_vector_refresh()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE marketplace_product")
        self.stdout.write(
            self.style.SUCCESS(
                f"Reindexed {updated} products in {time.monotonic() - started:.1f} s."
            )
        )
