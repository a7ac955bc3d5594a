"""Export tasks (thin: ids in, one service called, idempotent — reports.services.exports)."""

from celery import shared_task
from django.db import OperationalError

from reports.services import exports as services

__all__ = ["export_build_task", "exports_purge_expired_task"]

# A lost database connection or a storage error is retried; the build itself leaves an export
# that is not pending alone, so a retry or a twin run builds it once.
RETRY = {"autoretry_for": (OSError, OperationalError), "retry_backoff": True, "max_retries": 5}


@shared_task(bind=True, acks_late=True, **RETRY)
def export_build_task(self, export_id: int) -> str | None:
    """Build a requested XLSX export into private storage. Returns its status."""
    export = services.export_build(export_id=export_id)
    return export.status if export else None


@shared_task(bind=True, acks_late=True, **RETRY)
def exports_purge_expired_task(self) -> int:
    """Beat (daily): delete the files of exports past their 24 hours. Returns how many."""
    return services.exports_purge_expired()
