"""Refunds (DESIGN.md, orders: Refund). A refund is requested when a Posyantek cancels a paid
order or staff resolve a dispute with one; `refund_mark_succeeded` is the one way it
succeeds, whichever provider sent the money back (the payment issues call it), and it moves
the order and the payment on.

Locks follow orders.services.lifecycle: payment, then order, then refund.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, InvalidInput
from core.money import format_rupiah, refund_split
from orders.models import Order, Payment, PaymentEvent, Refund, RefundEvent
from orders.services.order_moves import clean_text, order_move, payment_lock

Status = Order.Status

MAX_REFERENCE_LENGTH = 100


def refunded_amount(order: Order) -> int:
    """What has already gone back to the buyer for this order."""
    return (
        order.refunds.filter(status=Refund.Status.SUCCEEDED).aggregate(total=Sum("total_amount"))[
            "total"
        ]
        or 0
    )


def refund_request(
    *, order: Order, payment: Payment, amount: int, actor: User | None, reason: str, note: str = ""
) -> Refund:
    """A `requested` Refund of `amount` (goods, shipping and PPN in the order's proportions,
    core.money.refund_split). The caller holds the payment and order locks. One refund in
    flight per order (Conflict otherwise); never more than what is left of the order's total."""
    left = order.total_amount - refunded_amount(order)
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= left:
        raise InvalidInput(
            fields={
                "amount": [
                    _("Give an amount between Rp 1 and %(left)s.") % {"left": format_rupiah(left)}
                ]
            }
        )
    split = refund_split(
        amount=amount,
        goods_amount=order.goods_amount,
        shipping_amount=order.shipping_amount,
        ppn_amount=order.ppn_amount,
    )
    try:
        with transaction.atomic():
            refund = Refund.objects.create(
                order=order,
                payment=payment,
                status=Refund.Status.REQUESTED,
                reason=reason,
                note=note,
                provider=payment.method,
                goods_amount=split.goods_amount,
                shipping_amount=split.shipping_amount,
                ppn_amount=split.ppn_amount,
                total_amount=split.total_amount,
                requested_by=actor,
            )
    except IntegrityError:
        raise Conflict(
            _("A refund for this order is already under way."), code="refund_in_progress"
        ) from None
    RefundEvent.objects.create(
        refund=refund, actor=actor, from_status="", to_status=Refund.Status.REQUESTED, note=note
    )
    return refund


@transaction.atomic
def refund_mark_succeeded(
    *,
    refund: Refund,
    actor: User | None,
    reference: str = "",
    note: str = "",
    succeeded_at: datetime.datetime | None = None,
) -> Refund:
    """The money is back with the buyer: requested | pending_manual → succeeded, once. The
    order moves cancelled → refunded, or in_dispute → refunded (the whole total back) or
    partially_refunded; the payment → refunded when everything it received has gone back,
    else partially_refunded. A second call for the same refund is a Conflict and changes
    nothing, so a retried provider notification cannot refund twice."""
    note = clean_text(note)
    reference = clean_text(reference, field="reference")
    if len(reference) > MAX_REFERENCE_LENGTH:
        raise InvalidInput(
            fields={
                "reference": [_("Keep it under %(n)s characters.") % {"n": MAX_REFERENCE_LENGTH}]
            }
        )
    payment = payment_lock(refund.payment_id)
    order = Order.objects.select_for_update().get(pk=refund.order_id)
    locked = Refund.objects.select_for_update().get(pk=refund.pk)
    if Refund.Status.SUCCEEDED not in Refund.ALLOWED_TRANSITIONS[locked.status]:
        raise Conflict(
            _("This refund is %(status)s; it cannot succeed again.")
            % {"status": locked.get_status_display().lower()},
            code="refund_status",
        )
    at = succeeded_at or timezone.now()
    from_status = locked.status
    locked.status = Refund.Status.SUCCEEDED
    locked.succeeded_at = at
    update = ["status", "succeeded_at", "updated_at"]
    if reference:
        locked.provider_reference = reference
        update.append("provider_reference")
    locked.save(update_fields=update)
    RefundEvent.objects.create(
        refund=locked,
        actor=actor,
        from_status=from_status,
        to_status=Refund.Status.SUCCEEDED,
        note=note,
    )

    whole = refunded_amount(order) >= order.total_amount
    if order.status == Status.CANCELLED or (order.status == Status.IN_DISPUTE and whole):
        target = Status.REFUNDED
    elif order.status == Status.IN_DISPUTE:
        target = Status.PARTIALLY_REFUNDED
    else:
        target = None  # e.g. a late payment refunded: its order stays as it is
    if target is not None:
        order_move(
            order,
            to_status=target,
            actor=actor,
            at=at,
            note=_("%(amount)s refunded.") % {"amount": format_rupiah(locked.total_amount)},
        )
    _payment_after_refund(payment, actor=actor)
    refund.status, refund.succeeded_at = locked.status, locked.succeeded_at
    return locked


def _payment_after_refund(payment: Payment, *, actor: User | None) -> None:
    back = (
        payment.refunds.filter(status=Refund.Status.SUCCEEDED).aggregate(total=Sum("total_amount"))[
            "total"
        ]
        or 0
    )
    target = (
        Payment.Status.REFUNDED
        if back >= payment.amount_due_amount
        else Payment.Status.PARTIALLY_REFUNDED
    )
    if target == payment.status or target not in Payment.ALLOWED_TRANSITIONS[payment.status]:
        return
    from_status = payment.status
    payment.status = target
    payment.save(update_fields=["status", "updated_at"])
    PaymentEvent.objects.create(
        payment=payment,
        actor=actor,
        from_status=from_status,
        to_status=target,
        note=_("%(amount)s refunded in all.") % {"amount": format_rupiah(back)},
    )
