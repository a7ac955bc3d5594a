"""Celery tasks of the mitra app. Each takes ids, calls one service and is idempotent: the
compute rewrites a need's matches as a whole and tells each Posyantek at most once per need
(NeedNotification); the expiry re-checks each need under its lock; a notification is claimed
before it is sent, so it goes out at most once."""

from celery import shared_task
from django.db import OperationalError

from mitra import services

# A lost database connection is retried too: a compute that failed leaves its need marked
# (debounced) until MATCH_REQUEST_STALE, so it must not be dropped.
RETRY = {"autoretry_for": (OSError, OperationalError), "retry_backoff": True, "max_retries": 5}


@shared_task(**RETRY)
def need_match_compute_task(need_id: int) -> int:
    """Rank the Posyantek for a need and store its matches (mitra.services.need_match_compute;
    queued, debounced, by need_match_request). Returns how many matches it stored."""
    return len(services.need_match_compute(need_id=need_id))


@shared_task(**RETRY)
def needs_match_for_product_task(product_id: int, changed_fields: list[str]) -> int:
    """A product changed in a way that matters to matching: request a recompute of each
    active need it may re-rank (debounced per need). Returns how many were queued now."""
    return services.needs_match_request_for_product(
        product_id=product_id, changed_fields=list(changed_fields)
    )


@shared_task
def needs_expire_task() -> int:
    """Beat (daily, just after midnight Asia/Jakarta): expire the open and in-discussion needs
    whose deadline has passed. Returns how many."""
    return services.needs_expire_due()


@shared_task
def needs_match_refresh_task() -> int:
    """Beat (daily): request a recompute of every active need, for what changes with time
    alone — a certificate running out, a new production month, the 90-day window of
    responsiveness, a product renamed. Debounced like any request. Returns how many."""
    return services.needs_match_refresh()


@shared_task(**RETRY)
def need_notification_send_task(notification_id: int) -> int:
    """E-mail a Posyantek's owners and managers about a need that fits it, at most once
    (mitra.notifications)."""
    from mitra.notifications import need_notification_send

    return need_notification_send(notification_id)


# --- Proposals (helper P) ---------------------------------------------------------------------


@shared_task(**RETRY)
def proposal_notification_send_task(proposal_id: int, event: str) -> int:
    """E-mail the other party about a proposal submitted, accepted or rejected
    (mitra.notifications.proposal_notification_send)."""
    from mitra.notifications import proposal_notification_send

    return proposal_notification_send(proposal_id, event)


# --- Partnerships and recurring supply (helper S) ---------------------------------------------


@shared_task
def supply_periods_place_task() -> int:
    """Beat (hourly, :15): place the current period's order of every active recurring supply
    partnership that has none yet (exactly once per period, mitra.services.supply), report
    periods that cannot be supplied, and top up capacity commitments. Returns how many periods
    were written."""
    from mitra.services.supply import supply_periods_place

    return supply_periods_place()


@shared_task(**RETRY)
def supply_partnership_place_task(partnership_id: int) -> int:
    """Right after a recurring partnership becomes active: place its current period, if due
    (the same once-per-period service as the beat). Returns 1 if a period was written."""
    from django.utils import timezone

    from mitra.models import Partnership
    from mitra.services.supply import period_start_of, supply_period_place

    partnership = Partnership.objects.filter(pk=partnership_id).first()
    if partnership is None or not partnership.is_recurring:
        return 0
    start = period_start_of(timezone.localdate(), partnership.frequency)
    return int(supply_period_place(partnership_id=partnership_id, period_start=start) is not None)


@shared_task(**RETRY)
def supply_period_notify_task(period_id: int) -> int:
    """E-mail both sides about a period placed or short (mitra.notifications)."""
    from mitra.notifications import supply_period_notify

    return supply_period_notify(period_id)


@shared_task(**RETRY)
def partnership_event_notify_task(event_id: int) -> int:
    """E-mail the other side about a partnership proposed, accepted, declined, cancelled,
    completed or terminated (mitra.notifications)."""
    from mitra.notifications import partnership_event_notify

    return partnership_event_notify(event_id)
