"""Problem reports and disputes (DESIGN.md, orders): the buyer reports a problem with a
delivered order (reason, description, photos — private), the order goes `in_dispute`; the
Posyantek answers; platform staff resolve with an outcome — complete the order, or a refund
of an amount, the order staying `in_dispute` until orders.services.refunds.
refund_mark_succeeded moves it to refunded or partially_refunded."""

from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, InvalidInput, PermissionDenied
from core.images import reencode_image
from core.money import format_rupiah
from orders.models import Dispute, DisputePhoto, Order, OrderEvent, Payment, PaymentEvent, Refund
from orders.permissions import can_manage_order, can_resolve_dispute, is_buyer_side
from orders.services.order_moves import (
    clean_text,
    order_event_record,
    order_lock,
    order_move,
    payment_lock,
)
from orders.services.refunds import refund_request, refunded_amount

Status = Order.Status

MAX_PHOTOS = 5
PHOTO_MAX_BYTES = 8 * 1024 * 1024
MAX_DESCRIPTION_LENGTH = 2000


def _description(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(fields={"description": [_("Describe what went wrong.")]})
    text = value.strip()
    if len(text) > MAX_DESCRIPTION_LENGTH:
        raise InvalidInput(
            fields={
                "description": [
                    _("Keep it under %(n)s characters.") % {"n": MAX_DESCRIPTION_LENGTH}
                ]
            }
        )
    return text


@transaction.atomic
def order_report_problem(
    *,
    order: Order,
    actor: User,
    reason: str,
    description: str,
    photos: list[IO[bytes]] | None = None,
) -> Dispute:
    """The buyer side reports a problem: delivered → in_dispute (a shipped order the buyer
    received is recorded delivered first). Photos (at most MAX_PHOTOS JPEG/PNG/WebP, re-encoded
    without metadata) are private. Once per order."""
    photos = list(photos or [])
    errors: dict[str, list[str]] = {}
    if reason not in Dispute.Reason.values:
        errors["reason"] = [_("Choose what kind of problem it is.")]
    try:
        description = _description(description)
    except InvalidInput as error:
        errors.update(error.fields)
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [_("Attach at most %(n)s photos.") % {"n": MAX_PHOTOS}]
    if errors:
        raise InvalidInput(fields=errors)
    # Check the photos before anything is written.
    encoded = []
    for index, photo in enumerate(photos, start=1):
        try:
            encoded.append(
                reencode_image(photo, max_bytes=PHOTO_MAX_BYTES, name=f"problem-{index}.jpg")
            )
        except InvalidInput as error:
            raise InvalidInput(fields={"photos": [str(error.message)]}, code=error.code) from None

    locked = order_lock(order)
    if not is_buyer_side(actor, locked):
        raise PermissionDenied(_("Only the buyer can report a problem with this order."))
    if locked.status == Status.SHIPPED:
        order_move(
            locked,
            to_status=Status.DELIVERED,
            actor=actor,
            note=_("Received, with a problem reported by the buyer."),
        )
    order_move(
        locked,
        to_status=Status.IN_DISPUTE,
        actor=actor,
        note=f"{Dispute.Reason(reason).label}: {description}",
    )
    dispute = Dispute.objects.create(
        order=locked, opened_by=actor, reason=reason, description=description
    )
    for content in encoded:
        photo = DisputePhoto(dispute=dispute)
        photo.image.save(content.name, content, save=False)
        photo.save()
    return dispute


def _open_dispute(order: Order) -> Dispute:
    dispute = Dispute.objects.select_for_update().filter(order=order).first()
    if order.status != Status.IN_DISPUTE or dispute is None:
        raise Conflict(_("This order has no open dispute."), code="no_open_dispute")
    if dispute.is_resolved:
        raise Conflict(
            _("This dispute is already resolved; the refund is under way."),
            code="dispute_resolved",
        )
    return dispute


@transaction.atomic
def dispute_respond(*, order: Order, actor: User, response: str) -> Dispute:
    """The Posyantek (owners, managers) or platform staff answer the buyer's report. May be
    sent again (a fuller answer) until staff resolve it; each answer is an event."""
    response = clean_text(response, field="response", required=True)
    locked = order_lock(order)
    if not can_manage_order(actor, locked):
        raise PermissionDenied(_("Only the Posyantek's owners and managers can answer."))
    dispute = _open_dispute(locked)
    dispute.seller_response = response
    dispute.responded_by = actor
    dispute.responded_at = timezone.now()
    dispute.save(update_fields=["seller_response", "responded_by", "responded_at", "updated_at"])
    order_event_record(
        order=locked,
        actor=actor,
        from_status=locked.status,
        to_status=locked.status,
        note=response,
        kind=OrderEvent.Kind.DISPUTE_ANSWERED,
    )
    return dispute


def _record_resolution(dispute: Dispute, *, outcome: str, amount: int, note: str, actor) -> None:
    dispute.outcome = outcome
    dispute.refund_amount = amount
    dispute.resolution_note = note
    dispute.resolved_by = actor
    dispute.resolved_at = timezone.now()
    dispute.save(
        update_fields=[
            "outcome",
            "refund_amount",
            "resolution_note",
            "resolved_by",
            "resolved_at",
            "updated_at",
        ]
    )


def _resolve_unpaid_terms(
    order: Order, payment: Payment, dispute: Dispute, *, actor: User, amount: int, note: str
) -> None:
    """A dispute on an order on terms that is not paid yet: the amount comes off what the
    buyer owes (a credit, not a refund), and the order is refunded or partly refunded now."""
    _record_resolution(
        dispute, outcome=Dispute.Outcome.REFUND, amount=amount, note=note, actor=actor
    )
    payment.amount_due_amount = max(payment.amount_due_amount - amount, 0)
    payment.save(update_fields=["amount_due_amount", "updated_at"])
    credit = _("%(amount)s taken off the amount due (order on terms, not paid yet).") % {
        "amount": format_rupiah(amount)
    }
    PaymentEvent.objects.create(
        payment=payment,
        actor=actor,
        from_status=payment.status,
        to_status=payment.status,
        note=credit,
    )
    whole = amount >= order.total_amount
    order_move(
        order,
        to_status=Status.REFUNDED if whole else Status.PARTIALLY_REFUNDED,
        actor=actor,
        note=f"{credit} {note}",
    )


@transaction.atomic
def dispute_resolve(
    *, order: Order, actor: User, outcome: str, amount: int | None = None, note: str = ""
) -> Dispute:
    """Platform staff decide: `complete` (no refund; the order completes) or `refund` of
    `amount` (1 … what is left of the order's total): a Refund is requested and the order
    stays in_dispute until refund_mark_succeeded. An order on terms not paid yet gets a credit
    instead: the amount comes off what is owed and the order is (partly) refunded at once.
    Once per dispute."""
    note = clean_text(note, required=True)
    if outcome not in Dispute.Outcome.values:
        raise InvalidInput(fields={"outcome": [_("Choose: complete the order, or refund.")]})
    payment = payment_lock(order.payment_id)
    locked = order_lock(order)
    if not can_resolve_dispute(actor):
        raise PermissionDenied(_("Only platform staff resolve disputes."))
    dispute = _open_dispute(locked)
    refund: Refund | None = None
    if outcome == Dispute.Outcome.REFUND:
        left = locked.total_amount - refunded_amount(locked)
        if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= left:
            raise InvalidInput(
                fields={
                    "amount": [
                        _("Give the refund in whole Rupiah, from Rp 1 to %(left)s.")
                        % {"left": format_rupiah(left)}
                    ]
                }
            )
        if locked.is_on_terms and payment.status == Payment.Status.PENDING:
            # On terms and not paid yet: no money to send back; what is owed drops instead.
            _resolve_unpaid_terms(locked, payment, dispute, actor=actor, amount=amount, note=note)
            return dispute
        refund = refund_request(
            order=locked,
            payment=payment,
            amount=amount,
            actor=actor,
            reason=Refund.Reason.DISPUTE,
            note=note,
        )
    _record_resolution(
        dispute,
        outcome=outcome,
        amount=refund.total_amount if refund else 0,
        note=note,
        actor=actor,
    )
    if refund is None:
        order_move(locked, to_status=Status.COMPLETED, actor=actor, note=note)
    else:
        order_event_record(
            order=locked,
            actor=actor,
            from_status=locked.status,
            to_status=locked.status,
            note=_("Refund of %(amount)s decided: %(note)s")
            % {"amount": format_rupiah(refund.total_amount), "note": note},
            kind=OrderEvent.Kind.DISPUTE_RESOLVED,
        )
    return dispute
