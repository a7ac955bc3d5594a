"""Payments under review (DESIGN.md, orders: late payment): money that arrived in another
amount than was due, or for a payment that had expired or was cancelled.

- `payment_needs_review` records what arrived and parks the payment in needs_review (it no
  longer expires).
- `payment_late_resolve` (automatic, for late money) honours it when it covers what is due and
  every order's stock and capacity can be reserved again — the orders and the payment become
  paid ("late payment honoured"), an excess goes back as an overpayment refund — and otherwise
  refunds everything received and tells platform staff. All or nothing: a reservation that
  fails half-way is rolled back (a savepoint) before the refund is requested.
- `payment_review_resolve` is the staff desk's decision: honour, or refund everything.

The payment becomes `refunded` only when its refund succeeds (orders.services.refunds).
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ApplicationError, Conflict, InvalidInput, PermissionDenied
from core.money import format_rupiah
from marketplace.capacity import booking_month, capacity_book, month_start
from marketplace.models import CapacityBooking, Product, StockMovement
from marketplace.services import stock_adjust
from orders.models import Order, Payment, PaymentEvent, Refund
from orders.permissions import can_handle_money
from orders.services.order_moves import clean_text, order_move, payment_lock
from orders.services.payments import payment_event_record, payment_move, payment_paid

Status = Order.Status

HONOUR = "honour"
REFUND = "refund"


class CannotHonour(Conflict):
    default_code = "cannot_honour"


@transaction.atomic
def payment_needs_review(
    *,
    payment: Payment,
    reason: str,
    received_amount: int,
    reference: str,
    actor: User | None,
    at: datetime.datetime | None = None,
) -> Payment:
    """pending | awaiting_confirmation | expired | cancelled → needs_review, recording the
    amount received, its reference and time, and why (Payment.ReviewReason)."""
    locked = payment_lock(payment.pk)
    at = at or timezone.now()
    due = locked.amount_due_amount
    if reason == Payment.ReviewReason.LATE:
        note = _("%(amount)s arrived after the payment was %(status)s.") % {
            "amount": format_rupiah(received_amount),
            "status": locked.get_status_display().lower(),
        }
    else:
        note = _("%(received)s received, %(due)s due.") % {
            "received": format_rupiah(received_amount),
            "due": format_rupiah(due),
        }
    payment_move(
        locked,
        to_status=Payment.Status.NEEDS_REVIEW,
        actor=actor,
        note=note,
        fields={
            "review_reason": reason,
            "received_amount": received_amount,
            "received_at": at,
            "received_reference": reference or "",
            "expiry_remaining_seconds": None,
        },
    )
    _copy(locked, payment)
    return locked


def _copy(locked: Payment, payment: Payment) -> None:
    for name in ("status", "review_reason", "received_amount", "received_at", "paid_at"):
        setattr(payment, name, getattr(locked, name))


def _open_payment_refund(payment: Payment) -> Refund | None:
    return payment.refunds.filter(order__isnull=True, status__in=Refund.OPEN).first()


def _late_orders(payment: Payment) -> list[Order]:
    """The orders late money is for: the expired ones of an expired payment; every unpaid
    cancelled one of a cancelled payment (orders cancelled while the payment still ran stay
    cancelled: the amount due no longer counted them)."""
    orders = Order.objects.select_for_update().filter(payment=payment, paid_at__isnull=True)
    expired = list(orders.filter(status=Status.EXPIRED).order_by("pk"))
    if expired:
        return expired
    if (
        payment.status == Payment.Status.NEEDS_REVIEW
        and not payment.orders.filter(
            status__in=(Status.PENDING_PAYMENT, Status.PLACED_ON_TERMS)
        ).exists()
    ):
        return list(orders.filter(status=Status.CANCELLED).order_by("pk"))
    return []


def _reserve_again(orders: list[Order], *, actor: User | None, now: datetime.datetime) -> None:
    """Take the orders' stock and capacity again, in product-id order; CannotHonour on the
    first line that cannot be (the caller's savepoint undoes the others)."""
    lines = sorted(
        (line for order in orders for line in order.lines.select_related("product")),
        key=lambda line: (line.product_id, line.order_id),
    )
    numbers = {order.pk: order.number for order in orders}
    for line in lines:
        product = line.product
        try:
            if line.availability == Product.Availability.STOCK:
                stock_adjust(
                    product=product,
                    actor=actor,
                    delta=-line.quantity,
                    reason=StockMovement.Reason.SALE,
                    note=_("Order %(number)s (late payment honoured)")
                    % {"number": numbers[line.order_id]},
                )
            else:
                capacity_book(
                    product=product,
                    month=_booking_month(line, now=now),
                    quantity=line.quantity,
                    source_type="order",
                    source_id=str(line.order_id),
                )
        except ApplicationError as error:
            raise CannotHonour(
                _("%(product)s can no longer be reserved: %(why)s")
                % {"product": line.product_name, "why": error.message}
            ) from error


def _booking_month(line, *, now: datetime.datetime) -> datetime.date:
    """The month the order had booked (released when it expired), or a later one if that
    month is over."""
    released = (
        CapacityBooking.objects.filter(
            product_id=line.product_id, source_type="order", source_id=str(line.order_id)
        )
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    earliest = month_start(timezone.localdate(now))
    if released is not None and released >= earliest:
        return released
    return booking_month(at=now, lead_time_days=line.product.lead_time_days)


def _honour(locked: Payment, *, actor: User | None, note: str = "") -> None:
    """The honour path: the orders still awaiting payment, and those that expired or were
    cancelled, become paid (the latter reserved again); the payment becomes paid with its
    invoices and sales; anything received beyond what is due goes back as an overpayment.
    CannotHonour when the money does not cover it or something cannot be reserved."""
    pending = list(
        Order.objects.select_for_update()
        .filter(payment=locked, status=Status.PENDING_PAYMENT)
        .order_by("pk")
    )
    late = _late_orders(locked)
    due = sum(order.total_amount for order in pending + late)
    received = locked.received_amount
    if not pending and not late:
        raise CannotHonour(_("This payment has no orders left to pay for."))
    if received < due:
        raise CannotHonour(
            _("%(received)s was received but %(due)s is due; refund it instead.")
            % {"received": format_rupiah(received), "due": format_rupiah(due)},
            code="received_less_than_due",
        )
    now = timezone.now()
    paid_at = locked.received_at or now
    _reserve_again(late, actor=actor, now=now)
    honoured = _("Late payment honoured.")
    for order in late:
        order_move(
            order,
            to_status=Status.PAID,
            actor=actor,
            note=f"{honoured} {note}".strip(),
            at=paid_at,
            fields={"paid_at": paid_at},
        )
    if due != locked.amount_due_amount:
        locked.amount_due_amount = due
        locked.save(update_fields=["amount_due_amount", "updated_at"])
    payment_paid(
        locked,
        actor=actor,
        note=(f"{honoured} {note}".strip() if late else note),
        paid_at=paid_at,
        received_amount=received,
    )
    if received > due:
        from orders.services.refunds import refund_request_for_payment

        refund_request_for_payment(
            payment=locked,
            amount=received - due,
            reason=Refund.Reason.OVERPAYMENT,
            actor=actor,
            note=_("%(received)s received, %(due)s due.")
            % {"received": format_rupiah(received), "due": format_rupiah(due)},
        )


def _refund_all(locked: Payment, *, actor: User | None, reason: str, note: str) -> Refund:
    from orders.services.lifecycle import order_release
    from orders.services.refunds import payment_refunded_amount, refund_request_for_payment

    if locked.received_amount < 1:
        raise Conflict(_("Nothing was received; there is nothing to refund."), code="nothing")
    pending = list(
        Order.objects.select_for_update()
        .filter(payment=locked, status=Status.PENDING_PAYMENT)
        .order_by("pk")
    )
    for order in pending:
        order_move(order, to_status=Status.CANCELLED, actor=actor, note=note)
        order_release(
            order, actor=actor, why=_("Order %(number)s cancelled") % {"number": order.number}
        )
    return refund_request_for_payment(
        payment=locked,
        amount=locked.received_amount - payment_refunded_amount(locked),
        reason=reason,
        actor=actor,
        note=note,
    )


@transaction.atomic
def payment_late_resolve(*, payment: Payment, actor: User | None = None) -> Payment:
    """Decide a payment in needs_review automatically: honour it when what arrived covers
    what is due and every order can be reserved again; otherwise a payment-level refund of
    everything received (reason late_payment) and platform staff are told. Nothing changes
    if a refund of it is already under way."""
    locked = payment_lock(payment.pk)
    if locked.status != Payment.Status.NEEDS_REVIEW:
        raise Conflict(
            _("This payment is %(status)s, not under review.")
            % {"status": locked.get_status_display().lower()},
            code="payment_status",
        )
    if _open_payment_refund(locked) is None:
        try:
            with transaction.atomic():
                _honour(locked, actor=actor)
        except CannotHonour as why:
            locked.refresh_from_db()
            refund = _refund_all(
                locked, actor=actor, reason=Refund.Reason.LATE_PAYMENT, note=str(why.message)
            )
            payment_event_record(
                payment=locked,
                actor=actor,
                kind=PaymentEvent.Kind.LATE_REFUNDED,
                from_status=locked.status,
                to_status=locked.status,
                note=_("Late payment refunded (%(amount)s): %(why)s")
                % {"amount": format_rupiah(refund.total_amount), "why": why.message},
                notify=True,
            )
    _copy(locked, payment)
    return locked


@transaction.atomic
def payment_review_resolve(
    *, payment: Payment, actor: User, decision: str, note: str = ""
) -> Payment:
    """Platform staff decide a payment in needs_review: `honour` (Conflict when less was
    received than is due, or something can no longer be reserved; an excess is refunded) or
    `refund` everything received (orders still awaiting payment are cancelled and their stock
    released; the payment becomes refunded when the refund succeeds)."""
    note = clean_text(note)
    if decision not in (HONOUR, REFUND):
        raise InvalidInput(fields={"decision": [_("Choose: honour the payment, or refund it.")]})
    if not can_handle_money(actor):
        raise PermissionDenied(_("Only platform staff decide payments under review."))
    locked = payment_lock(payment.pk)
    if locked.status != Payment.Status.NEEDS_REVIEW:
        raise Conflict(
            _("This payment is %(status)s, not under review.")
            % {"status": locked.get_status_display().lower()},
            code="payment_status",
        )
    if _open_payment_refund(locked) is not None:
        raise Conflict(
            _("A refund of this payment is already under way."), code="refund_in_progress"
        )
    if decision == HONOUR:
        _honour(locked, actor=actor, note=note)
    else:
        _refund_all(
            locked,
            actor=actor,
            reason=Refund.Reason.PAYMENT_REVIEW,
            note=note or _("Refunded after review."),
        )
    _copy(locked, payment)
    return locked
