"""Celery tasks of the orders app. Each takes ids, calls one service and is idempotent: the
beat jobs lock and re-check every row they change, so two runs at once change it once; a
notification is claimed before it is sent, so it goes out at most once."""

from celery import shared_task

from orders.services import refunds
from orders.services.cart import carts_delete_abandoned
from orders.services.lifecycle import (
    order_auto_complete,
    orders_due_for_completion,
    payment_expire,
    payments_due_for_expiry,
)

RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


@shared_task
def orders_expire_unpaid() -> int:
    """Beat: expire prepaid payments past their expiry with their unpaid orders, giving stock
    and capacity back (never while a transfer proof awaits confirmation, never on terms)."""
    return sum(payment_expire(payment_id=pk) for pk in payments_due_for_expiry())


@shared_task
def orders_complete_delivered() -> int:
    """Beat: complete orders delivered ORDER_AUTO_COMPLETE_DAYS ago (never one in dispute)."""
    return sum(order_auto_complete(order_id=pk) for pk in orders_due_for_completion())


@shared_task
def carts_clean_abandoned() -> int:
    """Beat: delete anonymous carts untouched for SESSION_COOKIE_AGE (nobody can reach them)."""
    return carts_delete_abandoned()


@shared_task(**RETRY)
def order_event_notify(event_id: int) -> None:
    """E-mail the people an order event concerns (orders.notifications), at most once."""
    from orders.notifications import order_event_send

    order_event_send(event_id)


@shared_task(**RETRY)
def refund_submit(refund_id: int) -> None:
    """Send a requested refund to its provider (orders.services.refunds.refund_submit); a
    refund already sent is left alone, so a retry or a twin run sends it once."""
    refunds.refund_submit(refund_id=refund_id)


@shared_task
def refunds_submit_stuck() -> int:
    """Beat: submit again the refunds still requested 10 minutes after they were requested
    (their task was lost). Returns how many were tried."""
    stuck = refunds.refunds_stuck()
    for pk in stuck:
        refunds.refund_submit(refund_id=pk)
    return len(stuck)


@shared_task(**RETRY)
def payment_event_notify(event_id: int) -> None:
    """E-mail the people a payment event concerns (orders.notifications), at most once."""
    from orders.notifications import payment_event_send

    payment_event_send(event_id)


@shared_task(**RETRY)
def webhook_event_process(webhook_event_id: int) -> None:
    """Apply a stored provider event (orders.services.webhooks.webhook_event_process), once:
    a processed event is left alone, so a retry or a twin run changes nothing."""
    from orders.services.webhooks import webhook_event_process as process

    process(webhook_event_id=webhook_event_id)


@shared_task
def payments_reconcile() -> dict:
    """Beat: re-check Stripe attempts pending for 15 minutes (and expire stale ones at Stripe),
    process webhook events left unprocessed for a minute."""
    from orders.services.webhooks import payments_reconcile as reconcile

    return reconcile()


@shared_task
def terms_reminders_send() -> int:
    """Beat (daily 08:00): claim this period's payment reminder of every unpaid terms order
    due by today (Asia/Jakarta) and e-mail it after the commit, once per order and period
    (orders.services.terms.terms_reminders_send). Returns how many were claimed."""
    from orders.services.terms import terms_reminders_send as send

    return send()


@shared_task(**RETRY)
def terms_reminder_notify(reminder_id: int, today: str | None = None) -> int:
    """E-mail one claimed terms payment reminder, at most once (orders.notifications);
    `today` is the claiming run's day (ISO), from which the days overdue are counted."""
    import datetime

    from orders.notifications import terms_reminder_send

    day = datetime.date.fromisoformat(today) if today else None
    return terms_reminder_send(reminder_id, today=day)
