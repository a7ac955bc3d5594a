"""Provider webhooks (DESIGN.md, orders: WebhookEvent) and payment reconciliation.

A verified notification is stored once by (provider, event id) — `webhook_event_store`; a
duplicate delivery is acknowledged and changes nothing. After the commit a task runs
`webhook_event_process`, which locks the stored row, skips it if it was processed already,
rebuilds the ProviderEvent from the stored payload (no second signature check) and applies it
through orders.services.payments.payment_apply_event — the one place a payment moves — or,
for a refund notification, re-checks the payment's open refunds at the provider
(orders.services.refunds.refund_reconcile → refund_mark_succeeded). An event about nothing
we know (another attempt, another shop on the same Stripe account) is processed with a note;
an error is recorded on the row and the beat tries again (`payments_reconcile`).

`payments_reconcile` (beat, every 10 minutes) re-checks card attempts still pending after 15
minutes through payment_attempt_recheck, expires stale ones at the provider, and processes
stored events left unprocessed.
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.celery_app import dispatch_on_commit
from core.errors import ApplicationError, NotFound
from orders.models import Payment, PaymentAttempt, PaymentMethod, Provider, Refund, WebhookEvent
from orders.payments import provider_get
from orders.payments.base import EXPIRED, IGNORED, REFUND_SUCCEEDED, ProviderEvent

logger = logging.getLogger(__name__)

RECHECK_AFTER = datetime.timedelta(minutes=15)
REPROCESS_AFTER = datetime.timedelta(minutes=1)
MAX_PROCESS_ATTEMPTS = 50  # then it stays unprocessed, with its error, for staff to look at
BATCH = 200


def webhook_event_store(*, event: ProviderEvent) -> tuple[WebhookEvent, bool]:
    """Store a verified event once by (provider, event id); (row, created). A new row is
    processed after the commit (orders.tasks.webhook_event_process); a duplicate — a redelivery,
    or the same event arriving twice at once — only returns the stored row."""
    payload = dict(event.raw)
    event_type = str(payload.get("type") or event.kind)[:100]
    try:
        with transaction.atomic():
            stored = WebhookEvent.objects.create(
                provider=event.provider,
                event_id=event.event_id,
                event_type=event_type,
                payload=payload,
            )
    except IntegrityError:
        existing = WebhookEvent.objects.filter(
            provider=event.provider, event_id=event.event_id
        ).first()
        if existing is None:  # pragma: no cover - another constraint failed
            raise
        return existing, False
    from orders import tasks  # tasks import the services: import here, not at the top

    try:
        dispatch_on_commit(tasks.webhook_event_process, stored.pk)
    except Exception:  # the queue is down: stored, so the beat processes it within minutes
        logger.exception("Queueing webhook event %s failed", stored.pk)
    return stored, True


def _rebuild(stored: WebhookEvent) -> ProviderEvent:
    provider = provider_get(stored.provider)
    rebuild = getattr(provider, "event_from_payload", None)
    if rebuild is None:
        raise NotFound(f"{stored.provider} events cannot be rebuilt", code="provider_events")
    return rebuild(stored.payload)


def _refund_payment(event: ProviderEvent) -> Payment | None:
    """The payment a refund notification is about: by the attempt in its metadata, else by the
    PaymentIntent it arrived by (the payment's received reference, else the intent's own
    metadata at the provider)."""
    if event.attempt_id is not None:
        attempt = PaymentAttempt.objects.filter(
            pk=event.attempt_id, provider=event.provider
        ).first()
        if attempt is not None:
            return Payment.objects.get(pk=attempt.payment_id)
    if not event.reference:
        return None
    payment = Payment.objects.filter(received_reference=event.reference).first()
    if payment is not None:
        return payment
    lookup = getattr(provider_get(event.provider), "payment_intent_metadata", None)
    if lookup is None:
        return None
    attempt_id = str(lookup(event.reference).get("attempt_id") or "")
    if not attempt_id.isdigit():
        return None
    attempt = PaymentAttempt.objects.filter(pk=int(attempt_id), provider=event.provider).first()
    return Payment.objects.get(pk=attempt.payment_id) if attempt else None


def _apply_refunds(event: ProviderEvent) -> str:
    """A refund notification: every open card refund of its payment is re-checked at the
    provider and applied (refund_mark_succeeded, once)."""
    from orders.services.refunds import refund_reconcile

    payment = _refund_payment(event)
    if payment is None:
        raise NotFound("No payment matches this refund notification.", code="refund_unknown")
    refunds = list(
        Refund.objects.filter(
            payment=payment, provider=PaymentMethod.CARD, status__in=Refund.OPEN
        ).values_list("pk", flat=True)
    )
    for pk in refunds:
        refund_reconcile(refund_id=pk)
    return f"refunds re-checked: {len(refunds)}"


def _apply(stored: WebhookEvent) -> str:
    """Apply a stored event; returns a note for the row."""
    from orders.services.payments import payment_apply_event

    event = _rebuild(stored)
    if event.kind == IGNORED:
        return "ignored"
    if event.kind == REFUND_SUCCEEDED:
        return _apply_refunds(event)
    payment = payment_apply_event(event=event)
    return f"applied: {event.kind}, payment {payment.status if payment else '-'}"


def webhook_event_process(*, webhook_event_id: int) -> WebhookEvent | None:
    """Process a stored event once: lock it, skip it if done, apply it. An event about no
    attempt or refund of ours (NotFound), or one whose content cannot be applied (another
    currency, no amount), is done with a note; any other error is counted and recorded, and
    the row waits for the beat. Idempotent: twin runs wait on the row lock, the second finds
    it processed."""
    with transaction.atomic():
        stored = WebhookEvent.objects.select_for_update().filter(pk=webhook_event_id).first()
        if stored is None or stored.processed_at is not None:
            return stored
        stored.attempts += 1
        error = None
        try:
            with transaction.atomic():
                note = _apply(stored)
        except NotFound as not_found:
            note = f"nothing to apply: {not_found.message}"
        except ApplicationError as refused:
            if refused.status_code >= 500:  # the provider could not be asked: try again
                error = refused
            else:
                # Bad content stays bad: another currency, no amount, a move not allowed.
                logger.error(
                    "Webhook event %s (%s) not applied: %s",
                    stored.event_id,
                    stored.event_type,
                    refused,
                )
                note = f"not applied: {refused.code}: {refused.message}"
        except Exception as failed:  # recorded; the beat tries again
            logger.exception("Webhook event %s failed", stored.event_id)
            error = failed
        if error is not None:
            stored.last_error = f"{type(error).__name__}: {error}"[:2000]
            stored.save(update_fields=["attempts", "last_error", "updated_at"])
            return stored
        stored.processed_at = timezone.now()
        stored.last_error = str(note)[:2000]
        stored.save(update_fields=["attempts", "processed_at", "last_error", "updated_at"])
        return stored


def webhook_events_unprocessed(now: datetime.datetime | None = None) -> list[int]:
    """Stored events still unprocessed REPROCESS_AFTER after they arrived (their task failed
    or was lost), oldest first."""
    cutoff = (now or timezone.now()) - REPROCESS_AFTER
    return list(
        WebhookEvent.objects.filter(
            processed_at__isnull=True,
            created_at__lte=cutoff,
            attempts__lt=MAX_PROCESS_ATTEMPTS,
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )


def attempts_to_recheck(now: datetime.datetime | None = None) -> list[int]:
    """Stripe attempts still pending RECHECK_AFTER after they started, or past their expiry."""
    now = now or timezone.now()
    pending = PaymentAttempt.objects.filter(
        provider=Provider.STRIPE, status=PaymentAttempt.Status.PENDING
    )
    stale = pending.filter(created_at__lte=now - RECHECK_AFTER) | pending.filter(
        expires_at__lte=now
    )
    return list(stale.order_by("created_at", "pk").values_list("pk", flat=True)[:BATCH])


def attempt_reconcile(*, attempt_id: int, now: datetime.datetime | None = None) -> str:
    """Re-check one pending attempt at its provider and apply what it says
    (payment_attempt_recheck); one still pending past its expiry is expired at the provider
    (a session paid meanwhile comes back succeeded and is applied as such) and here."""
    from orders.services.payments import payment_apply_event, payment_attempt_recheck

    now = now or timezone.now()
    attempt = PaymentAttempt.objects.filter(pk=attempt_id).first()
    if attempt is None or attempt.status != PaymentAttempt.Status.PENDING:
        return "gone"
    payment_attempt_recheck(attempt=attempt)
    attempt.refresh_from_db()
    if attempt.status != PaymentAttempt.Status.PENDING:
        return attempt.status
    if attempt.expires_at is None or attempt.expires_at > now:
        return attempt.status
    provider = provider_get(attempt.provider)
    expire = getattr(provider, "expire_session", None)
    status = expire(attempt=attempt) if expire else None
    if status is not None and status.status == PaymentAttempt.Status.SUCCEEDED:
        payment_attempt_recheck(attempt=attempt)
    else:
        payment_apply_event(
            event=ProviderEvent(
                provider=attempt.provider,
                event_id=f"recheck:{attempt.pk}:expired",
                kind=EXPIRED,
                attempt_id=attempt.pk,
                provider_reference=attempt.provider_reference,
                amount=None,
                currency=attempt.currency,
                occurred_at=now,
                raw={"recheck": True},
            )
        )
    attempt.refresh_from_db()
    return attempt.status


def payments_reconcile(now: datetime.datetime | None = None) -> dict[str, int]:
    """The beat's reconciliation: stale Stripe attempts re-checked (and expired), unprocessed
    webhook events processed. One failure is logged and does not stop the others."""
    counts = {"attempts": 0, "events": 0, "errors": 0}
    for pk in attempts_to_recheck(now):
        try:
            attempt_reconcile(attempt_id=pk, now=now)
            counts["attempts"] += 1
        except Exception:  # logged; the next run tries again
            logger.exception("Re-checking payment attempt %s failed", pk)
            counts["errors"] += 1
    for pk in webhook_events_unprocessed(now):
        webhook_event_process(webhook_event_id=pk)
        counts["events"] += 1
    return counts
