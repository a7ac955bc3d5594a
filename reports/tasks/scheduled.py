"""The scheduled reports' tasks (thin: ids only, one service each; reports.services.scheduled).
Beat runs the two `*_task` creators (config/celery_app.py); each queues one send task per
dispatch after its commit. Every one is idempotent: a period is claimed once by its unique
ReportDispatch row, and a send claims `sent_at` before sending, so it goes out at most once."""

from celery import shared_task
from django.db import OperationalError

__all__ = [
    "monthly_report_send_task",
    "monthly_reports_task",
    "weekly_digest_send_task",
    "weekly_digests_task",
]

# SMTP errors are OSErrors; a lost database connection is retried too (the claim was given
# back, or never taken, so the retry sends it once).
RETRY = {
    "autoretry_for": (OSError, OperationalError),
    "retry_backoff": True,
    "max_retries": 5,
    "acks_late": True,
}


@shared_task(acks_late=True)
def monthly_reports_task() -> int:
    """Beat (every morning, 06:00 WIB): claim the previous month's report of every verified
    Posyantek not yet claimed and queue its e-mail. Returns how many were claimed now."""
    from reports.services.scheduled import monthly_reports_create

    return len(monthly_reports_create())


@shared_task(**RETRY)
def monthly_report_send_task(dispatch_id: int) -> int:
    """E-mail one claimed monthly report (summary and the month's orders as CSV), at most
    once. Returns how many messages were sent."""
    from reports.services.scheduled import monthly_report_send

    return monthly_report_send(dispatch_id=dispatch_id)


@shared_task(acks_late=True)
def weekly_digests_task() -> int:
    """Beat (every morning, 06:30 WIB): claim the previous week's digest of new matching needs
    of every verified Posyantek not yet claimed and queue its e-mail. Returns how many were
    claimed now."""
    from reports.services.scheduled import weekly_digests_create

    return len(weekly_digests_create())


@shared_task(**RETRY)
def weekly_digest_send_task(dispatch_id: int) -> int:
    """E-mail one claimed weekly digest, at most once (nothing when no need is new).
    Returns how many messages were sent."""
    from reports.services.scheduled import weekly_digest_send

    return weekly_digest_send(dispatch_id=dispatch_id)
