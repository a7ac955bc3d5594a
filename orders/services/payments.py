"""Payments and their attempts (DESIGN.md, orders: Payment).

Every payment move locks the payment row, checks the move against
Payment.ALLOWED_TRANSITIONS, saves with update_fields and writes a PaymentEvent — and moves
the payment's orders the same way. Attempts move the same way (PaymentAttempt.
ALLOWED_TRANSITIONS, an event of kind `attempt`).

`payment_apply_event` is the one function that applies what a provider reports (a staff-
confirmed bank transfer now; a Stripe webhook or status re-check next): whichever way the
money arrived, the same rules decide — the exact amount on time → paid; another amount →
needs_review; money for an expired or cancelled payment → needs_review, then the late-payment
service. A payment never moves backwards, and an event applied twice changes nothing.

Locks: payment, then orders (pk order), then refunds, then products — everywhere.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from config.celery_app import dispatch_on_commit
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.money import format_rupiah
from orders.models import Order, Payment, PaymentAttempt, PaymentEvent, PaymentMethod, Refund
from orders.payments import methods_available, provider_for_method, provider_get
from orders.payments.base import (
    EXPIRED,
    FAILED,
    REFUND_SUCCEEDED,
    SUCCEEDED,
    InvalidNotification,
    ProviderEvent,
)
from orders.permissions import can_pay
from orders.services.order_moves import order_move, payment_lock

# The payment moves to paid from these; expired/cancelled go through needs_review first.
PAYABLE = {
    Payment.Status.PENDING,
    Payment.Status.AWAITING_CONFIRMATION,
    Payment.Status.NEEDS_REVIEW,
}
# Money has been accounted for: a provider event for these changes nothing.
SETTLED = {
    Payment.Status.PAID,
    Payment.Status.NEEDS_REVIEW,
    Payment.Status.PARTIALLY_REFUNDED,
    Payment.Status.REFUNDED,
}
# A card attempt extends the payment's expiry to at least this far from now (DESIGN.md).
CARD_MIN_EXPIRY = datetime.timedelta(minutes=35)
# Orders of a paid payment that carry an invoice and a sale: everything that was not given up
# before payment (terms orders may be anywhere in their life when their payment arrives).
NOT_SOLD = (Order.Status.PENDING_PAYMENT, Order.Status.CANCELLED, Order.Status.EXPIRED)


def payment_event_record(
    *,
    payment: Payment,
    actor: User | None,
    from_status: str,
    to_status: str,
    note: str = "",
    kind: str = PaymentEvent.Kind.STATUS,
    attempt: PaymentAttempt | None = None,
    notify: bool = False,
) -> PaymentEvent:
    """Write a payment event; with `notify`, queue its e-mails for after the commit
    (orders.tasks.payment_event_notify, at most once)."""
    event = PaymentEvent.objects.create(
        payment=payment,
        actor=actor,
        kind=kind,
        attempt=attempt,
        from_status=from_status,
        to_status=to_status,
        note=note or "",
    )
    if notify:
        from orders import tasks  # tasks import the services: import here, not at the top

        dispatch_on_commit(tasks.payment_event_notify, event.pk)
    return event


def payment_move(
    payment: Payment,
    *,
    to_status: str,
    actor: User | None,
    note: str = "",
    fields: dict | None = None,
    notify: bool = False,
    kind: str = PaymentEvent.Kind.STATUS,
) -> PaymentEvent:
    """Move a locked payment (see payment_lock) to `to_status` with `fields`, saved with
    update_fields, and write the event; Conflict if the move is not allowed."""
    if to_status not in Payment.ALLOWED_TRANSITIONS.get(payment.status, set()):
        raise Conflict(
            _("A payment that is %(status)s cannot become %(to)s.")
            % {
                "status": payment.get_status_display().lower(),
                "to": Payment.Status(to_status).label.lower(),
            },
            code="payment_status",
        )
    from_status = payment.status
    changed = {"status": to_status, **(fields or {})}
    for name, value in changed.items():
        setattr(payment, name, value)
    payment.save(update_fields=[*changed, "updated_at"])
    return payment_event_record(
        payment=payment,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
        notify=notify,
        kind=kind,
    )


# --- Attempts ---------------------------------------------------------------------------------


def attempt_move(
    *,
    attempt: PaymentAttempt,
    to_status: str,
    actor: User | None = None,
    note: str = "",
    fields: dict | None = None,
) -> PaymentEvent:
    """Move an attempt (the caller holds its payment's lock) and write an `attempt` event;
    Conflict if PaymentAttempt.ALLOWED_TRANSITIONS does not allow it."""
    if to_status not in PaymentAttempt.ALLOWED_TRANSITIONS.get(attempt.status, set()):
        raise Conflict(
            _("An attempt that is %(status)s cannot become %(to)s.")
            % {
                "status": attempt.get_status_display().lower(),
                "to": PaymentAttempt.Status(to_status).label.lower(),
            },
            code="attempt_status",
        )
    from_status = attempt.status
    changed = {"status": to_status, **(fields or {})}
    if to_status == PaymentAttempt.Status.SUCCEEDED and "succeeded_at" not in changed:
        changed["succeeded_at"] = timezone.now()
    for name, value in changed.items():
        setattr(attempt, name, value)
    attempt.save(update_fields=[*changed, "updated_at"])
    return payment_event_record(
        payment=attempt.payment,
        actor=actor,
        kind=PaymentEvent.Kind.ATTEMPT,
        attempt=attempt,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )


def pending_attempt(payment: Payment) -> PaymentAttempt | None:
    """The payment's attempt in flight (at most one), locked."""
    return (
        PaymentAttempt.objects.select_for_update()
        .select_related("payment")
        .filter(payment=payment, status=PaymentAttempt.Status.PENDING)
        .first()
    )


def card_expiry_extend(payment: Payment, *, now: datetime.datetime | None = None) -> None:
    """A card attempt needs time at Stripe (a Checkout Session lives 30 min to 24 h): the
    locked payment and its orders awaiting payment get at least CARD_MIN_EXPIRY from now.
    A later expiry, or none (terms), is left alone."""
    if payment.expires_at is None:
        return
    floor = (now or timezone.now()) + CARD_MIN_EXPIRY
    if payment.expires_at >= floor:
        return
    payment.expires_at = floor
    payment.save(update_fields=["expires_at", "updated_at"])
    Order.objects.filter(
        payment=payment, status=Order.Status.PENDING_PAYMENT, expires_at__lt=floor
    ).update(expires_at=floor, updated_at=timezone.now())


def attempt_start(*, payment: Payment, method: str, actor: User | None) -> PaymentAttempt:
    """Start the next attempt of a locked, pending payment (no permission check: checkout,
    order_cancel and payment_attempt_start call it). Cancels the attempt in flight first."""
    if method not in methods_available():
        raise Conflict(
            _("This payment method is not available. Choose another one."),
            code="method_unavailable",
        )
    provider = provider_for_method(method)
    if method == PaymentMethod.CARD:
        card_expiry_extend(payment)
    previous = pending_attempt(payment)
    number = (payment.attempts.order_by("-number").values_list("number", flat=True).first()) or 0
    number += 1
    if previous is not None:
        previous.payment = payment
        attempt_move(
            attempt=previous,
            to_status=PaymentAttempt.Status.CANCELLED,
            actor=actor,
            note=_("Replaced by attempt %(n)s.") % {"n": number},
        )
    if payment.method != method:
        payment.method = method
        payment.save(update_fields=["method", "updated_at"])
    attempt = PaymentAttempt.objects.create(
        payment=payment,
        number=number,
        method=method,
        provider=provider.name,
        idempotency_key=f"payment:{payment.pk}:attempt:{number}",
        status=PaymentAttempt.Status.PENDING,
        amount_amount=payment.amount_due_amount,
        currency=payment.currency,
        expires_at=payment.expires_at,
        created_by=actor,
    )
    # A provider that redirects (Stripe) is called here, under the payment's lock, with the
    # attempt's idempotency key: a retried start never creates two sessions.
    start = provider.start_attempt(payment=payment, attempt=attempt)
    attempt.expires_at = start.expires_at
    attempt.instructions = dict(start.instructions)
    attempt.redirect_url = start.redirect_url
    attempt.provider_reference = start.provider_reference
    attempt.save(
        update_fields=[
            "expires_at",
            "instructions",
            "redirect_url",
            "provider_reference",
            "updated_at",
        ]
    )
    payment_event_record(
        payment=payment,
        actor=actor,
        kind=PaymentEvent.Kind.ATTEMPT,
        attempt=attempt,
        from_status="",
        to_status=PaymentAttempt.Status.PENDING,
        note=_("Attempt %(n)s: %(method)s, %(amount)s.")
        % {
            "n": number,
            "method": attempt.get_method_display(),
            "amount": format_rupiah(attempt.amount_amount),
        },
    )
    return attempt


@transaction.atomic
def payment_attempt_start(*, payment: Payment, method: str, actor: User) -> PaymentAttempt:
    """A new attempt at paying a pending payment by `method` (the buyer side only): the
    attempt in flight is cancelled first, attempts are numbered 1..n with the idempotency key
    `payment:<id>:attempt:<n>`, and switching method changes the payment's method. Conflict
    when the payment is not pending or the method is not available; PermissionDenied for
    anyone but the buyer side."""
    locked = payment_lock(payment.pk)
    if not can_pay(actor, locked):
        raise PermissionDenied(_("Only the buyer can pay this payment."))
    if locked.status != Payment.Status.PENDING:
        raise Conflict(
            _("This payment is %(status)s; a new attempt cannot be started.")
            % {"status": locked.get_status_display().lower()},
            code="payment_not_pending",
        )
    return attempt_start(payment=locked, method=method, actor=actor)


# --- Paid -------------------------------------------------------------------------------------


def _bookkeep_sales(payment: Payment, *, at: datetime.datetime) -> None:
    """An invoice and a ledger sale for every order the payment paid for (each once:
    invoice_issue and ledger_record_sale are no-ops the second time). The invoice is dated and
    numbered when it is issued — now — even for money staff confirm a day after it arrived:
    a closed month never gains an invoice afterwards."""
    from orders.services.invoices import invoice_issue
    from orders.services.ledger import ledger_record_sale

    orders = (
        Order.objects.filter(payment=payment)
        .exclude(status__in=NOT_SOLD)
        .select_related("seller", "buyer", "buyer_organization")
        .order_by("pk")
    )
    issued_at = timezone.now()
    for order in orders:
        invoice_issue(order=order, at=issued_at)
        ledger_record_sale(order=order, at=at)


def payment_paid(
    locked: Payment,
    *,
    actor: User | None,
    note: str = "",
    paid_at: datetime.datetime | None = None,
    received_amount: int | None = None,
    reference: str = "",
    attempt: PaymentAttempt | None = None,
) -> Payment:
    """payment_mark_paid's work on a payment already locked by the caller. `attempt` is the
    attempt the money came by (already succeeded); any other attempt in flight is then
    cancelled, else the attempt in flight succeeds."""
    if locked.status not in PAYABLE or Payment.Status.PAID not in Payment.ALLOWED_TRANSITIONS.get(
        locked.status, set()
    ):
        raise Conflict(
            _("A payment that is %(status)s cannot be marked paid.")
            % {"status": locked.get_status_display().lower()},
            code="payment_not_payable",
        )
    paid_at = paid_at or timezone.now()
    if received_amount is None:
        received_amount = locked.received_amount or locked.amount_due_amount
    if received_amount < locked.amount_due_amount:
        # The ledger would count money that never came: under review, staff refund it.
        raise Conflict(
            _("%(received)s was received but %(due)s is due; it cannot be marked paid.")
            % {
                "received": format_rupiah(received_amount),
                "due": format_rupiah(locked.amount_due_amount),
            },
            code="received_less_than_due",
        )
    in_flight = pending_attempt(locked)
    if in_flight is not None:
        in_flight.payment = locked
        if attempt is None or attempt.pk == in_flight.pk:
            attempt_move(
                attempt=in_flight,
                to_status=PaymentAttempt.Status.SUCCEEDED,
                actor=actor,
                fields={"succeeded_at": paid_at, "received_amount": received_amount},
            )
        else:
            attempt_move(
                attempt=in_flight,
                to_status=PaymentAttempt.Status.CANCELLED,
                actor=actor,
                note=_("The payment arrived by attempt %(n)s.") % {"n": attempt.number},
            )
    payment_move(
        locked,
        to_status=Payment.Status.PAID,
        actor=actor,
        note=note,
        fields={
            "paid_at": paid_at,
            "received_amount": received_amount,
            "received_at": locked.received_at or paid_at,
            "received_reference": reference or locked.received_reference,
            "expiry_remaining_seconds": None,
        },
        notify=True,
    )
    orders = list(
        Order.objects.select_for_update()
        .filter(payment=locked, status=Order.Status.PENDING_PAYMENT)
        .order_by("pk")
    )
    for order in orders:
        order_move(
            order,
            to_status=Order.Status.PAID,
            actor=actor,
            note=note or "",
            at=paid_at,
            fields={"paid_at": paid_at},
        )
    # A terms order was placed (and worked on) before its money came: it has no `paid` status
    # to move to, but it is paid now — the moment reports count its sale from.
    Order.objects.filter(payment=locked, paid_at__isnull=True).exclude(
        payment_terms=Order.PaymentTerms.PREPAID
    ).exclude(status__in=NOT_SOLD).update(paid_at=paid_at, updated_at=timezone.now())
    _bookkeep_sales(locked, at=paid_at)
    return locked


@transaction.atomic
def payment_mark_paid(
    *,
    payment: Payment,
    actor: User | None = None,
    note: str = "",
    paid_at: datetime.datetime | None = None,
    received_amount: int | None = None,
    reference: str = "",
) -> Payment:
    """pending | awaiting_confirmation | needs_review → paid, and its orders awaiting payment →
    paid (an event on each). Records what was received (default: the amount due), its
    reference and time; the attempt in flight succeeds; every order paid for gets its invoice
    and its ledger sale (once). The buyer is mailed. Raises Conflict from any other status."""
    locked = payment_lock(payment.pk)
    payment_paid(
        locked,
        actor=actor,
        note=note,
        paid_at=paid_at,
        received_amount=received_amount,
        reference=reference,
    )
    payment.status = locked.status
    payment.paid_at = locked.paid_at
    payment.received_amount = locked.received_amount
    return locked


# --- Provider events --------------------------------------------------------------------------


def _event_attempt(event: ProviderEvent) -> PaymentAttempt:
    attempts = PaymentAttempt.objects.filter(provider=event.provider)
    if event.attempt_id is not None:
        attempt = attempts.filter(pk=event.attempt_id).first()
    elif event.provider_reference:
        attempt = attempts.filter(provider_reference=event.provider_reference).first()
    else:
        attempt = None
    if attempt is None:
        raise NotFound(_("No payment attempt matches this notification."), code="attempt_unknown")
    return attempt


@transaction.atomic
def payment_apply_event(*, event: ProviderEvent) -> Payment:
    """Apply a provider's outcome to its payment — the one place that does.

    - succeeded, the amount due, payment pending | awaiting_confirmation → paid
      (payment_mark_paid's work);
    - succeeded, another amount → needs_review (amount_mismatch);
    - succeeded for an expired | cancelled payment → needs_review (late), then
      orders.services.late_payments.payment_late_resolve (honour or refund);
    - succeeded for a payment already paid, under review or refunded → nothing (idempotent;
      never backwards);
    - failed | expired → the attempt moves; the payment stays pending (the buyer may retry);
    - refund_succeeded → the open refund with that provider reference succeeds.
    """
    if event.currency != "IDR":
        raise InvalidNotification(_("Only Rupiah payments are accepted."), code="currency")
    if event.kind == REFUND_SUCCEEDED:
        return _apply_refund_event(event)
    if event.kind not in (SUCCEEDED, FAILED, EXPIRED):
        attempt = _event_attempt(event) if event.attempt_id or event.provider_reference else None
        return attempt.payment if attempt else None  # ignored
    found = _event_attempt(event)
    payment = payment_lock(found.payment_id)
    attempt = PaymentAttempt.objects.select_for_update().get(pk=found.pk)
    attempt.payment = payment
    actor = User.objects.filter(pk=event.actor_id).first() if event.actor_id else None

    if event.kind in (FAILED, EXPIRED):
        if attempt.status == PaymentAttempt.Status.PENDING:
            attempt_move(
                attempt=attempt,
                to_status=(
                    PaymentAttempt.Status.FAILED
                    if event.kind == FAILED
                    else PaymentAttempt.Status.EXPIRED
                ),
                actor=actor,
                fields=(
                    {"failure_reason": str(event.raw.get("failure_reason", ""))[:1000]}
                    if event.kind == FAILED
                    else None
                ),
            )
        return payment

    amount = event.amount
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise InvalidNotification(_("The amount received is missing."), code="amount")
    if payment.status in SETTLED:
        return payment  # already accounted for: applied twice, or a twin confirmation
    if attempt.status != PaymentAttempt.Status.SUCCEEDED:
        attempt_move(
            attempt=attempt,
            to_status=PaymentAttempt.Status.SUCCEEDED,
            actor=actor,
            fields={"succeeded_at": event.occurred_at, "received_amount": amount},
        )
    note = _("%(amount)s received, reference %(reference)s.") % {
        "amount": format_rupiah(amount),
        "reference": event.reference or "—",
    }
    staff_note = event.raw.get("note") if isinstance(event.raw.get("note"), str) else ""
    note = f"{note} {staff_note}".strip()
    if payment.status in (Payment.Status.EXPIRED, Payment.Status.CANCELLED):
        from orders.services.late_payments import payment_late_resolve, payment_needs_review

        payment_needs_review(
            payment=payment,
            reason=Payment.ReviewReason.LATE,
            received_amount=amount,
            reference=event.reference,
            actor=actor,
            at=event.occurred_at,
        )
        return payment_late_resolve(payment=payment, actor=actor)
    if amount != payment.amount_due_amount:
        from orders.services.late_payments import payment_needs_review

        return payment_needs_review(
            payment=payment,
            reason=Payment.ReviewReason.AMOUNT_MISMATCH,
            received_amount=amount,
            reference=event.reference,
            actor=actor,
            at=event.occurred_at,
        )
    return payment_paid(
        payment,
        actor=actor,
        note=note,
        paid_at=event.occurred_at,
        received_amount=amount,
        reference=event.reference,
        attempt=attempt,
    )


# What a re-check may apply: the attempt's status at the provider → the event kind.
RECHECK_KINDS = {
    PaymentAttempt.Status.SUCCEEDED: SUCCEEDED,
    PaymentAttempt.Status.FAILED: FAILED,
    PaymentAttempt.Status.EXPIRED: EXPIRED,
}


def payment_attempt_recheck(*, attempt: PaymentAttempt) -> Payment:
    """Ask the attempt's provider where it stands now and apply that through
    payment_apply_event — the same rules as a webhook (the success page, when the buyer is
    back before the webhook, and the beat, when a webhook is late or lost). The provider is
    asked outside any lock; nothing changes while it is still pending, or when the provider
    says what the attempt already is. Returns the payment as it now is."""
    provider = provider_get(attempt.provider)
    status = provider.fetch_status(attempt=attempt)
    kind = RECHECK_KINDS.get(status.status)
    current = PaymentAttempt.objects.filter(pk=attempt.pk).values_list("status", flat=True).first()
    if kind is None or current is None or current == status.status:
        return Payment.objects.get(pk=attempt.payment_id)
    event = ProviderEvent(
        provider=attempt.provider,
        event_id=f"recheck:{attempt.pk}:{status.status}",
        kind=kind,
        attempt_id=attempt.pk,
        provider_reference=attempt.provider_reference,
        amount=status.amount,
        currency=status.currency or attempt.currency,
        occurred_at=timezone.now(),
        reference=status.reference,
        raw={"recheck": True},
    )
    return payment_apply_event(event=event)


def _apply_refund_event(event: ProviderEvent) -> Payment | None:
    from orders.services.refunds import refund_mark_succeeded

    if not event.refund_reference:
        raise InvalidNotification(_("The refund reference is missing."), code="refund_reference")
    refund = (
        Refund.objects.select_related("payment")
        .filter(provider_reference=event.refund_reference)
        .first()
    )
    if refund is None:
        raise NotFound(_("No refund matches this notification."), code="refund_unknown")
    if refund.status in Refund.OPEN:
        refund_mark_succeeded(
            refund=refund,
            actor=None,
            reference=event.refund_reference,
            succeeded_at=event.occurred_at,
        )
    return Payment.objects.get(pk=refund.payment_id)


def clean_amount(value: object, *, field: str = "amount") -> int:
    """A whole Rupiah amount of at least 1, or InvalidInput on `field`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(fields={field: [_("Give the amount in whole Rupiah.")]})
    return value
