"""Order status moves after checkout (DESIGN.md, orders: the state machine).

    pending_payment -> paid -> processing -> shipped -> delivered -> completed      (prepaid)
    placed_on_terms -> processing -> shipped -> delivered -> completed              (terms)
    pending_payment | placed_on_terms -> cancelled          (stock/capacity released)
    pending_payment -> expired                              (stock/capacity released)
    paid | processing -> cancelled                          (a refund is requested)
    cancelled (after payment) -> refunded                   (when the refund succeeds)
    delivered -> in_dispute -> completed | refunded | partially_refunded

Every move here locks the order row, checks the move against Order.ALLOWED_TRANSITIONS and
the caller against orders.permissions, saves with update_fields and writes an OrderEvent; a
refused move raises Conflict (409) or PermissionDenied (403) and changes nothing. Each event
queues one notification once the transaction commits (orders.tasks.order_event_notify).

Locks are always taken payment first, then orders (in id order), then products — the order
payment_mark_paid uses — so two moves never deadlock.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ApplicationError, Conflict, InvalidInput, PermissionDenied
from marketplace.capacity import capacity_release
from marketplace.models import Product, StockMovement
from marketplace.services import stock_adjust
from orders.models import Order, Payment, PaymentAttempt, Refund, ShippingMethod
from orders.permissions import can_fulfil_order, can_manage_order, is_buyer_side
from orders.services.order_moves import (
    check_move,
    clean_text,
    order_lock,
    order_move,
    payment_lock,
)
from orders.services.payments import (
    attempt_move,
    attempt_start,
    payment_event_record,
    payment_move,
    pending_attempt,
)
from orders.services.refunds import refund_request

Status = Order.Status

MAX_CARRIER_LENGTH = 60
MAX_TRACKING_LENGTH = 60


def _deny(message: str) -> PermissionDenied:
    return PermissionDenied(message, code="permission_denied")


# --- Stock and capacity -----------------------------------------------------------------------


def order_release(order: Order, *, actor: User | None, why: str) -> None:
    """Give back what the order took: stock to stock products (a `cancel` movement), its
    capacity bookings to made-to-order and recurring-output ones. Called only on the move
    into cancelled or expired, under the order's lock, so it happens exactly once."""
    lines = sorted(order.lines.select_related("product"), key=lambda line: line.product_id)
    for line in lines:
        if line.availability != Product.Availability.STOCK:
            continue
        try:
            stock_adjust(
                product=line.product,
                actor=actor,
                delta=line.quantity,
                reason=StockMovement.Reason.CANCEL,
                note=why,
            )
        except ApplicationError:
            # The product no longer counts stock (its seller switched it to made to order)
            # or is at the column's limit: nothing to give back to.
            continue
    capacity_release(source_type="order", source_id=str(order.pk))


# --- Seller -----------------------------------------------------------------------------------


@transaction.atomic
def order_accept(*, order: Order, actor: User, note: str = "") -> Order:
    """paid | placed_on_terms → processing (the Posyantek starts on it). Any member of the
    selling Posyantek, or platform staff."""
    note = clean_text(note)
    locked = order_lock(order)
    if not can_fulfil_order(actor, locked):
        raise _deny(_("Only the Posyantek's members can accept its orders."))
    order_move(locked, to_status=Status.PROCESSING, actor=actor, note=note)
    return locked


@transaction.atomic
def order_ship(
    *, order: Order, actor: User, carrier: str = "", tracking_number: str = "", note: str = ""
) -> Order:
    """processing → shipped. A courier shipment needs the courier's name and the tracking
    number; own delivery and pickup may leave them out."""
    note = clean_text(note)
    carrier = clean_text(carrier, field="carrier")
    tracking_number = clean_text(tracking_number, field="tracking_number").replace(" ", "")
    locked = order_lock(order)
    if not can_fulfil_order(actor, locked):
        raise _deny(_("Only the Posyantek's members can ship its orders."))
    check_move(locked, Status.SHIPPED)
    errors: dict[str, list[str]] = {}
    if len(carrier) > MAX_CARRIER_LENGTH:
        errors["carrier"] = [_("Keep it under %(n)s characters.") % {"n": MAX_CARRIER_LENGTH}]
    if len(tracking_number) > MAX_TRACKING_LENGTH:
        errors["tracking_number"] = [
            _("Keep it under %(n)s characters.") % {"n": MAX_TRACKING_LENGTH}
        ]
    if locked.shipping_method == ShippingMethod.COURIER:
        if not carrier:
            errors.setdefault("carrier", [_("Name the courier, e.g. JNE or J&T.")])
        if not tracking_number:
            errors.setdefault(
                "tracking_number", [_("Give the tracking number (nomor resi) from the courier.")]
            )
    if errors:
        raise InvalidInput(fields=errors)
    order_move(
        locked,
        to_status=Status.SHIPPED,
        actor=actor,
        note=note,
        fields={"carrier": carrier, "tracking_number": tracking_number},
    )
    return locked


@transaction.atomic
def order_deliver(*, order: Order, actor: User, note: str = "") -> Order:
    """shipped → delivered (the goods reached the buyer). The Posyantek's owners and
    managers, or platform staff. The order completes by itself ORDER_AUTO_COMPLETE_DAYS later
    unless the buyer reports a problem."""
    note = clean_text(note)
    locked = order_lock(order)
    if not can_manage_order(actor, locked):
        raise _deny(_("Only the Posyantek's owners and managers can mark an order delivered."))
    order_move(locked, to_status=Status.DELIVERED, actor=actor, note=note)
    return locked


# --- Buyer ------------------------------------------------------------------------------------


@transaction.atomic
def order_complete(*, order: Order, actor: User, note: str = "") -> Order:
    """The buyer confirms receipt: delivered → completed, or shipped → delivered → completed
    (both moves recorded)."""
    note = clean_text(note)
    locked = order_lock(order)
    if not is_buyer_side(actor, locked):
        raise _deny(_("Only the buyer can confirm receipt."))
    if locked.status == Status.IN_DISPUTE:
        # in_dispute → completed is dispute_resolve's move: the platform decides a dispute.
        raise Conflict(
            _("This order is in dispute; the platform team resolves it."), code="order_status"
        )
    if locked.status not in (Status.SHIPPED, Status.DELIVERED):
        check_move(locked, Status.DELIVERED)  # Conflict with the usual message
    if locked.status == Status.SHIPPED:
        order_move(
            locked,
            to_status=Status.DELIVERED,
            actor=actor,
            note=_("Receipt confirmed by the buyer."),
        )
    order_move(locked, to_status=Status.COMPLETED, actor=actor, note=note)
    return locked


@transaction.atomic
def order_auto_complete(*, order_id: int, now: datetime.datetime | None = None) -> bool:
    """Complete a delivered order ORDER_AUTO_COMPLETE_DAYS after delivery (beat). Does nothing,
    and returns False, if it is no longer delivered (confirmed, in dispute) or not yet due —
    so running twice, or at once in two workers, completes it once."""
    now = now or timezone.now()
    locked = (
        Order.objects.select_for_update()
        .filter(pk=order_id, status=Status.DELIVERED, delivered_at__lte=_complete_cutoff(now))
        .first()
    )
    if locked is None:
        return False
    order_move(
        locked,
        to_status=Status.COMPLETED,
        actor=None,
        at=now,
        note=_("Completed automatically %(days)s days after delivery.")
        % {"days": settings.ORDER_AUTO_COMPLETE_DAYS},
    )
    return True


def _complete_cutoff(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(days=settings.ORDER_AUTO_COMPLETE_DAYS)


def orders_due_for_completion(now: datetime.datetime | None = None) -> list[int]:
    """Ids of delivered orders whose automatic completion is due."""
    return list(
        Order.objects.filter(
            status=Status.DELIVERED, delivered_at__lte=_complete_cutoff(now or timezone.now())
        )
        .order_by("delivered_at", "pk")
        .values_list("pk", flat=True)
    )


# --- Cancel -----------------------------------------------------------------------------------


def _cancel_unpaid(locked: Order, payment: Payment, *, actor: User, note: str) -> None:
    """An unpaid order (awaiting payment, or on terms) is cancelled: its stock and capacity
    come back, the payment's amount due drops by its total, and a payment with nothing left
    to pay is cancelled."""
    if payment.status == Payment.Status.AWAITING_CONFIRMATION:
        raise Conflict(
            _(
                "A transfer proof for this order is being checked. Wait for the check, or "
                "contact the platform."
            ),
            code="payment_awaiting_confirmation",
        )
    if payment.status != Payment.Status.PENDING:
        raise Conflict(
            _("This order's payment is %(status)s; it can no longer be cancelled here.")
            % {"status": payment.get_status_display().lower()},
            code="payment_status",
        )
    order_move(locked, to_status=Status.CANCELLED, actor=actor, note=note)
    order_release(
        locked, actor=actor, why=_("Order %(number)s cancelled") % {"number": locked.number}
    )
    remaining = payment.amount_due_amount - locked.total_amount
    payment.amount_due_amount = max(remaining, 0)
    still_open = payment.orders.filter(
        status__in=(Status.PENDING_PAYMENT, Status.PLACED_ON_TERMS)
    ).exists()
    if still_open:
        payment.save(update_fields=["amount_due_amount", "updated_at"])
        payment_event_record(
            payment=payment,
            actor=actor,
            from_status=payment.status,
            to_status=payment.status,
            note=_("Order %(number)s cancelled; the amount due is lowered by its total.")
            % {"number": locked.number},
        )
    else:
        payment_move(
            payment,
            to_status=Payment.Status.CANCELLED,
            actor=actor,
            note=_("Every order of this payment was cancelled."),
            fields={"amount_due_amount": payment.amount_due_amount},
        )
    _attempt_after_cancel(payment, actor=actor, still_open=still_open)


def _attempt_after_cancel(payment: Payment, *, actor: User, still_open: bool) -> None:
    """The attempt in flight follows the amount due: cancelled with the payment, or started
    again for the lower amount (fresh transfer instructions)."""

    attempt = pending_attempt(payment)
    if attempt is None:
        return
    if still_open:
        try:
            attempt_start(payment=payment, method=attempt.method, actor=actor)
            return
        except Conflict:  # the method is no longer offered: the buyer starts a new attempt
            pass
    attempt.payment = payment
    attempt_move(
        attempt=attempt,
        to_status=PaymentAttempt.Status.CANCELLED,
        actor=actor,
        note=(
            _("The payment method is no longer offered; choose another one.")
            if still_open
            else _("Every order of this payment was cancelled.")
        ),
    )


@transaction.atomic
def order_cancel(*, order: Order, actor: User, reason: str = "") -> Order:
    """Cancel an order.

    - Awaiting payment: the buyer side, the Posyantek's owners and managers, or platform
      staff; only that order (the payment's amount due drops; the payment is cancelled when
      nothing remains). Refused while a transfer proof awaits confirmation.
    - On terms, not yet accepted: the same people; its terms payment is cancelled. Accepted
      (processing) but not paid yet: the Posyantek's owners and managers or platform staff;
      nothing to refund, the terms payment is cancelled.
    - Paid or processing: the Posyantek's owners and managers or platform staff, with a
      reason; a Refund of the whole total is requested (orders.services.refunds).

    Stock and capacity come back in every case, exactly once."""
    reason = clean_text(reason, field="reason")
    payment = payment_lock(order.payment_id)
    locked = order_lock(order)
    manager = can_manage_order(actor, locked)
    if locked.status in (Status.PENDING_PAYMENT, Status.PLACED_ON_TERMS):
        if not (manager or is_buyer_side(actor, locked)):
            raise _deny(_("Only the buyer or the Posyantek's managers can cancel this order."))
        check_move(locked, Status.CANCELLED)
        _cancel_unpaid(locked, payment, actor=actor, note=reason)
        return locked
    if locked.status in (Status.PAID, Status.PROCESSING):
        if not manager:
            if is_buyer_side(actor, locked) and locked.is_on_terms:
                raise _deny(
                    _("This order is already being prepared. Ask the Posyantek to cancel it.")
                )
            if is_buyer_side(actor, locked):
                raise _deny(
                    _(
                        "This order is already paid. Ask the Posyantek to cancel it; the money "
                        "is then refunded."
                    )
                )
            raise _deny(_("Only the Posyantek's owners and managers can cancel a paid order."))
        if not reason:
            raise InvalidInput(fields={"reason": [_("Tell the buyer why the order is cancelled.")]})
        if locked.is_on_terms and payment.status == Payment.Status.PENDING:
            # Accepted on terms but not paid yet: nothing to refund; what is owed drops.
            _cancel_unpaid(locked, payment, actor=actor, note=reason)
            return locked
        order_move(locked, to_status=Status.CANCELLED, actor=actor, note=reason)
        order_release(
            locked, actor=actor, why=_("Order %(number)s cancelled") % {"number": locked.number}
        )
        refund_request(
            order=locked,
            payment=payment,
            amount=locked.total_amount,
            actor=actor,
            reason=Refund.Reason.SELLER_CANCELLED,
            note=reason,
        )
        return locked
    check_move(locked, Status.CANCELLED)  # raises: nothing else may be cancelled
    raise AssertionError("unreachable")  # pragma: no cover


# --- Expiry -----------------------------------------------------------------------------------


def payments_due_for_expiry(now: datetime.datetime | None = None) -> list[int]:
    """Ids of pending prepaid payments past their expiry (terms payments have none; a
    payment whose transfer proof awaits confirmation is not pending)."""
    return list(
        Payment.objects.filter(status=Payment.Status.PENDING, expires_at__lte=now or timezone.now())
        .order_by("expires_at", "pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def payment_expire(*, payment_id: int, now: datetime.datetime | None = None) -> bool:
    """Expire an unpaid prepaid payment past its expiry and its orders awaiting payment,
    giving their stock and capacity back. Returns False and changes nothing if it is not (or
    no longer) due — paid, proof uploaded, already expired by a twin run — so two runs at once
    release everything exactly once."""
    now = now or timezone.now()
    payment = (
        Payment.objects.select_for_update()
        .filter(pk=payment_id, status=Payment.Status.PENDING, expires_at__lte=now)
        .first()
    )
    if payment is None:
        return False
    orders = list(
        Order.objects.select_for_update()
        .filter(payment=payment, status=Status.PENDING_PAYMENT)
        .order_by("pk")
    )
    for order in orders:
        order_move(order, to_status=Status.EXPIRED, actor=None, at=now, note=_("Not paid in time."))
        order_release(
            order, actor=None, why=_("Order %(number)s expired") % {"number": order.number}
        )

    attempt = pending_attempt(payment)
    if attempt is not None:
        attempt.payment = payment
        attempt_move(
            attempt=attempt, to_status=PaymentAttempt.Status.EXPIRED, note=_("Not paid in time.")
        )
    payment_move(payment, to_status=Payment.Status.EXPIRED, actor=None, note=_("Not paid in time."))
    return True
