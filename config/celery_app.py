"""The Celery application: one place for the task policy and the beat schedule.

Policy: JSON only; a task is acknowledged after it finishes (`acks_late`) and goes back to the
queue if its worker dies (`task_reject_on_worker_lost`), so every task must be idempotent; the
Redis visibility timeout (settings.CELERY_BROKER_TRANSPORT_OPTIONS) outlasts the hard time limit,
so a long task is never handed to a second worker while the first still runs it.
"""

import os
from collections.abc import Callable
from typing import Any

from celery import Celery
from celery.schedules import crontab
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("mitra_ttg")
# Everything named CELERY_* in Django settings (broker, eagerness, time limits, transport).
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    timezone="Asia/Jakarta",
    enable_utc=True,
)

# The beat schedule, all of it. Times are Asia/Jakarta.
app.conf.beat_schedule = {
    "clear-expired-sessions": {
        "task": "core.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=0),
    },
    "orders-expire-unpaid": {
        "task": "orders.tasks.orders_expire_unpaid",
        "schedule": crontab(minute="*/5"),
    },
    "orders-clean-abandoned-carts": {
        "task": "orders.tasks.carts_clean_abandoned",
        "schedule": crontab(hour=3, minute=30),
    },
    "orders-complete-delivered": {
        "task": "orders.tasks.orders_complete_delivered",
        "schedule": crontab(minute=15),
    },
    "orders-payments-reconcile": {
        "task": "orders.tasks.payments_reconcile",
        "schedule": crontab(minute="*/10"),
    },
    "orders-refunds-submit-stuck": {
        "task": "orders.tasks.refunds_submit_stuck",
        "schedule": crontab(minute="*/10"),
    },
    # A need's deadline is a day in Asia/Jakarta: it expires once that day is over.
    "mitra-needs-expire": {
        "task": "mitra.tasks.needs_expire_task",
        "schedule": crontab(hour=0, minute=5),
    },
    # Matches change with time alone (certificates run out, a new production month).
    "mitra-needs-rematch": {
        "task": "mitra.tasks.needs_match_refresh_task",
        "schedule": crontab(hour=0, minute=20),
    },
    # Recurring supply partnerships: each period's order, once (hourly, so a missed run is
    # caught up within the period; the SupplyPeriod row makes a second run a no-op).
    "mitra-supply-periods": {
        "task": "mitra.tasks.supply_periods_place_task",
        "schedule": crontab(minute=15),
    },
    # Terms orders: a reminder on the due date and each week while overdue, once per period.
    "orders-terms-reminders": {
        "task": "orders.tasks.terms_reminders_send",
        "schedule": crontab(hour=8, minute=0),
    },
    # Scheduled reports to each Posyantek's owners and managers, once per period (the
    # ReportDispatch row is the claim): the previous month's report and the previous week's
    # new matching needs. Run daily so that a run missed on the 1st or on Monday, or a send
    # task lost on its way, is caught up the next morning; a later run sends nothing again.
    "reports-monthly": {
        "task": "reports.tasks.scheduled.monthly_reports_task",
        "schedule": crontab(hour=6, minute=0),
    },
    "reports-weekly-digest": {
        "task": "reports.tasks.scheduled.weekly_digests_task",
        "schedule": crontab(hour=6, minute=30),
    },
    # XLSX exports are offered for 24 hours: their files are deleted within the hour after.
    "reports-exports-purge": {
        "task": "reports.tasks.exports.exports_purge_expired_task",
        "schedule": crontab(minute=45),
    },
}

app.autodiscover_tasks()


def dispatch_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Queue `task` with ids only, once the current transaction commits.

    If the transaction rolls back, the task is never sent. Outside a transaction it is sent
    at once. Arguments must be JSON values (ids, strings), never model instances.
    """
    send: Callable[[], Any] = lambda: task.apply_async(args=args, kwargs=kwargs)  # noqa: E731
    transaction.on_commit(send)
