"""The one way an order's status moves: lock, check, save with update_fields, record an event,
queue its notification after commit. Used by every order service (lifecycle, disputes,
refunds, payments)."""

import datetime

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from config.celery_app import dispatch_on_commit
from core.errors import Conflict, InvalidInput
from orders.models import Order, OrderEvent, Payment
from orders.services.ledger import ledger_order_settle

Status = Order.Status

MAX_NOTE_LENGTH = 1000

# What each move is called in a refusal ("An order that is shipped cannot be accepted.").
VERBS = {
    Status.PROCESSING: gettext_lazy("accepted"),
    Status.SHIPPED: gettext_lazy("shipped"),
    Status.DELIVERED: gettext_lazy("marked delivered"),
    Status.COMPLETED: gettext_lazy("completed"),
    Status.CANCELLED: gettext_lazy("cancelled"),
    Status.EXPIRED: gettext_lazy("expired"),
    Status.IN_DISPUTE: gettext_lazy("reported as a problem"),
    Status.REFUNDED: gettext_lazy("refunded"),
    Status.PARTIALLY_REFUNDED: gettext_lazy("partly refunded"),
}
# The timestamp each status sets.
STAMPS = {
    Status.PROCESSING: "accepted_at",
    Status.SHIPPED: "shipped_at",
    Status.DELIVERED: "delivered_at",
    Status.COMPLETED: "completed_at",
    Status.CANCELLED: "cancelled_at",
}

# Entering one of these makes the order's pending ledger entries available (the seller's
# money is no longer held back).
SETTLING = (Status.COMPLETED, Status.REFUNDED, Status.PARTIALLY_REFUNDED)


# --- The one mover ----------------------------------------------------------------------------


def order_lock(order: Order) -> Order:
    """The order, re-read under a row lock (the caller is inside a transaction)."""
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("seller", "buyer_organization", "payment")
        .get(pk=order.pk)
    )


def payment_lock(payment_id: int) -> Payment:
    """The payment, re-read under a row lock. Take it before its orders' locks: payment, then
    orders, then products, everywhere, so two moves never deadlock."""
    return Payment.objects.select_for_update().get(pk=payment_id)


def check_move(order: Order, to_status: str) -> None:
    """Conflict unless the order may move from its current status to `to_status`."""
    if to_status not in Order.ALLOWED_TRANSITIONS.get(order.status, set()):
        raise Conflict(
            _("An order that is %(status)s cannot be %(verb)s.")
            % {
                "status": order.get_status_display().lower(),
                "verb": VERBS.get(to_status, to_status),
            },
            code="order_status",
        )


def order_event_record(
    *,
    order: Order,
    actor: User | None,
    from_status: str,
    to_status: str,
    note: str = "",
    kind: str = OrderEvent.Kind.STATUS,
) -> OrderEvent:
    """Write an event and queue its notification for after the commit."""
    event = OrderEvent.objects.create(
        order=order,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        note=note or "",
    )
    from orders import tasks  # tasks import the services: import here, not at the top

    dispatch_on_commit(tasks.order_event_notify, event.pk)
    return event


def order_move(
    order: Order,
    *,
    to_status: str,
    actor: User | None,
    note: str = "",
    fields: dict | None = None,
    at: datetime.datetime | None = None,
) -> OrderEvent:
    """Move a locked order (see order_lock) to `to_status`, setting `fields` and the status's
    timestamp, saved with update_fields; Conflict if the move is not allowed. Entering
    completed, refunded or partially_refunded settles the order's ledger entries."""
    check_move(order, to_status)
    at = at or timezone.now()
    from_status = order.status
    changed = {"status": to_status, **(fields or {})}
    if to_status in STAMPS:
        changed[STAMPS[to_status]] = at
    for name, value in changed.items():
        setattr(order, name, value)
    order.save(update_fields=[*changed, "updated_at"])
    if to_status in SETTLING:
        ledger_order_settle(order=order, at=at)
    return order_event_record(
        order=order, actor=actor, from_status=from_status, to_status=to_status, note=note
    )


def clean_text(value: object, *, field: str = "note", required: bool = False) -> str:
    """A short free text from a person (a note, a reason): whitespace collapsed, at most
    MAX_NOTE_LENGTH characters; InvalidInput on `field` otherwise."""
    if isinstance(value, Promise):  # a lazy translation from code (admin actions, jobs)
        value = str(value)
    if not isinstance(value, str | type(None)):
        raise InvalidInput(fields={field: [_("Write the text as plain words.")]})
    text = " ".join((value or "").split())
    if required and not text:
        raise InvalidInput(fields={field: [_("Write a short reason.")]})
    if len(text) > MAX_NOTE_LENGTH:
        raise InvalidInput(
            fields={field: [_("Keep it under %(n)s characters.") % {"n": MAX_NOTE_LENGTH}]}
        )
    return text
