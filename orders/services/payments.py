"""Payment status moves. Each locks the payment row, checks the move against
Payment.ALLOWED_TRANSITIONS, saves with update_fields and writes an event — and moves the
payment's orders the same way."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict
from orders.models import Order, Payment, PaymentEvent
from orders.services.order_moves import order_move, payment_lock

# The payment moves to paid from these; expired/cancelled go through needs_review first.
PAYABLE = {
    Payment.Status.PENDING,
    Payment.Status.AWAITING_CONFIRMATION,
    Payment.Status.NEEDS_REVIEW,
}


@transaction.atomic
def payment_mark_paid(
    *,
    payment: Payment,
    actor: User | None = None,
    note: str = "",
    paid_at: datetime.datetime | None = None,
) -> Payment:
    """pending | awaiting_confirmation | needs_review → paid, and its orders awaiting payment →
    paid (an event on each). Raises Conflict from any other status."""
    locked = payment_lock(payment.pk)
    if locked.status not in PAYABLE or Payment.Status.PAID not in Payment.ALLOWED_TRANSITIONS.get(
        locked.status, set()
    ):
        raise Conflict(
            _("A payment that is %(status)s cannot be marked paid.")
            % {"status": locked.get_status_display().lower()},
            code="payment_not_payable",
        )
    paid_at = paid_at or timezone.now()
    from_status = locked.status
    locked.status = Payment.Status.PAID
    locked.paid_at = paid_at
    locked.save(update_fields=["status", "paid_at", "updated_at"])
    PaymentEvent.objects.create(
        payment=locked,
        actor=actor,
        from_status=from_status,
        to_status=Payment.Status.PAID,
        note=note or "",
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
    payment.status = locked.status
    payment.paid_at = locked.paid_at
    return locked
