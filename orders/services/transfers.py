"""Bank transfers to the platform (DESIGN.md, orders: Bank transfer): the buyer uploads a
proof, platform staff confirm (the bank reference, the amount and the date the money arrived)
or reject it with a reason.

A proof pauses the payment's expiry (what was left is kept; the payment never expires while
awaiting confirmation); a rejection resumes it with at least TRANSFER_REJECT_GRACE_HOURS. A
confirmation goes through the bank-transfer provider and payment_apply_event like any
provider's notification, so the exact amount → paid, another amount → needs_review, money
for an expired or cancelled payment → the late-payment service.
"""

import datetime
from io import BytesIO
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, InvalidInput, PermissionDenied
from core.images import reencode_image
from orders.models import (
    Order,
    Payment,
    PaymentAttempt,
    PaymentEvent,
    PaymentMethod,
    Provider,
    TransferProof,
)
from orders.payments import provider_get
from orders.permissions import can_handle_money, can_pay
from orders.services.order_moves import clean_text, payment_lock
from orders.services.payments import (
    attempt_start,
    clean_amount,
    payment_apply_event,
    payment_event_record,
    payment_move,
    pending_attempt,
)

PDF_MAGIC = b"%PDF-"
MAX_REFERENCE_LENGTH = 100
MAX_BANK_LENGTH = 100
MAX_SENDER_LENGTH = 150
# Statuses in which staff may record money that arrived by transfer.
CONFIRMABLE = (
    Payment.Status.AWAITING_CONFIRMATION,
    Payment.Status.PENDING,
    Payment.Status.EXPIRED,
    Payment.Status.CANCELLED,
)


def _max_bytes() -> int:
    return settings.TRANSFER_PROOF_MAX_MB * 1024 * 1024


def _proof_content(file: IO[bytes]) -> tuple[ContentFile, str]:
    """The stored file and its content type: a PDF as sent (checked by its magic bytes), an
    image re-encoded to JPEG without metadata. InvalidInput on `file` otherwise."""
    if file is None or not hasattr(file, "read"):
        raise InvalidInput(fields={"file": [_("Choose the photo or PDF of your transfer.")]})
    limit = _max_bytes()
    size = getattr(file, "size", None)
    too_large = InvalidInput(
        fields={
            "file": [
                _("The file is too large. The limit is %(limit)s MB.")
                % {"limit": settings.TRANSFER_PROOF_MAX_MB}
            ]
        },
        code="file_too_large",
    )
    if size is not None and size > limit:
        raise too_large
    data = file.read(limit + 1)
    if len(data) > limit:
        raise too_large
    if not data:
        raise InvalidInput(fields={"file": [_("The file is empty. Choose it again.")]})
    if data.startswith(PDF_MAGIC):
        return ContentFile(data, name="proof.pdf"), "application/pdf"
    try:
        image = reencode_image(BytesIO(data), max_bytes=limit, name="proof.jpg")
    except InvalidInput:
        raise InvalidInput(
            fields={
                "file": [_("Upload a photo (JPEG, PNG or WebP) or a PDF of the transfer receipt.")]
            },
            code="invalid_file",
        ) from None
    return image, "image/jpeg"


def _short(value: object, *, field: str, limit: int, required: bool = False) -> str:
    text = clean_text(value, field=field, required=required)
    if len(text) > limit:
        raise InvalidInput(fields={field: [_("Keep it under %(n)s characters.") % {"n": limit}]})
    return text


@transaction.atomic
def payment_proof_upload(
    *,
    payment: Payment,
    actor: User,
    file: IO[bytes],
    sender_bank: str = "",
    sender_name: str = "",
) -> TransferProof:
    """The buyer side uploads a proof of its bank transfer (a JPEG/PNG/WebP photo, re-encoded
    without metadata, or a PDF; at most TRANSFER_PROOF_MAX_MB; stored privately): the payment
    goes pending → awaiting_confirmation and its expiry pauses. Conflict (409) when the
    payment is not pending or is not being paid by bank transfer."""
    sender_bank = _short(sender_bank, field="sender_bank", limit=MAX_BANK_LENGTH)
    sender_name = _short(sender_name, field="sender_name", limit=MAX_SENDER_LENGTH)
    locked = payment_lock(payment.pk)
    if not can_pay(actor, locked):
        raise PermissionDenied(_("Only the buyer can upload a proof for this payment."))
    if locked.status != Payment.Status.PENDING:
        raise Conflict(
            _("This payment is %(status)s; no proof is needed now.")
            % {"status": locked.get_status_display().lower()},
            code="payment_not_pending",
        )
    attempt = pending_attempt(locked)
    if attempt is None and locked.method == PaymentMethod.BANK_TRANSFER:
        # A payment that had none yet (an order on terms): the transfer is its attempt.
        attempt = attempt_start(payment=locked, method=PaymentMethod.BANK_TRANSFER, actor=actor)
    if attempt is None or attempt.provider != Provider.BANK_TRANSFER:
        raise Conflict(
            _("This payment is not being paid by bank transfer. Switch to bank transfer first."),
            code="not_bank_transfer",
        )
    content, content_type = _proof_content(file)
    original_name = str(getattr(file, "name", "") or "")[-255:] or content.name
    proof = TransferProof(
        payment=locked,
        attempt=attempt,
        original_name=original_name,
        content_type=content_type,
        sender_bank=sender_bank,
        sender_name=sender_name,
        uploaded_by=actor,
    )
    proof.file.save(content.name, content, save=False)
    proof.save()
    now = timezone.now()
    remaining = None
    if locked.expires_at is not None:
        remaining = max(int((locked.expires_at - now).total_seconds()), 0)
    payment_move(
        locked,
        to_status=Payment.Status.AWAITING_CONFIRMATION,
        actor=actor,
        fields={"expiry_remaining_seconds": remaining},
    )
    payment_event_record(
        payment=locked,
        actor=actor,
        kind=PaymentEvent.Kind.PROOF_UPLOADED,
        attempt=attempt,
        from_status=Payment.Status.AWAITING_CONFIRMATION,
        to_status=Payment.Status.AWAITING_CONFIRMATION,
        note=" · ".join(part for part in (sender_bank, sender_name) if part),
    )
    payment.status = locked.status
    return proof


def _bank_attempt(locked: Payment, *, actor: User) -> PaymentAttempt:
    """The bank-transfer attempt the money came by: the one in flight, else the latest (an
    expired or cancelled payment's), else a new one (a payment that never had one)."""
    attempts = PaymentAttempt.objects.select_for_update().filter(
        payment=locked, provider=Provider.BANK_TRANSFER
    )
    attempt = attempts.filter(status=PaymentAttempt.Status.PENDING).first()
    attempt = attempt or attempts.order_by("-number").first()
    if attempt is None or attempt.status in (
        PaymentAttempt.Status.SUCCEEDED,
        PaymentAttempt.Status.FAILED,
    ):
        attempt = attempt_start(payment=locked, method=PaymentMethod.BANK_TRANSFER, actor=actor)
    return attempt


@transaction.atomic
def payment_transfer_confirm(
    *,
    payment: Payment,
    actor: User,
    amount: int,
    reference: str,
    received_on: datetime.date,
    note: str = "",
) -> Payment:
    """Platform staff record a transfer that arrived (the bank's reference, the amount, the
    date): for a payment awaiting confirmation, a pending one (money seen without a proof),
    or an expired or cancelled one (late money). Applied through the bank-transfer provider
    and payment_apply_event: the amount due → paid (invoices, ledger sales, the buyer
    mailed); another amount → needs_review; late → the late-payment service. The submitted
    proof is marked confirmed. Conflict when the payment is already paid, refunded or under
    review — a second confirmation changes nothing."""
    if not can_handle_money(actor):
        raise PermissionDenied(_("Only platform staff confirm transfers."))
    errors: dict[str, list[str]] = {}
    try:
        amount = clean_amount(amount)
    except InvalidInput as error:
        errors.update(error.fields)
    try:
        reference = _short(reference, field="reference", limit=MAX_REFERENCE_LENGTH, required=True)
    except InvalidInput:
        errors["reference"] = [_("Give the bank's reference of the transfer.")]
    note = clean_text(note)
    today = timezone.localdate()
    if not isinstance(received_on, datetime.date) or isinstance(received_on, datetime.datetime):
        errors["received_on"] = [_("Give the date the money arrived.")]
    elif received_on > today:
        errors["received_on"] = [_("The date cannot be in the future.")]
    if errors:
        raise InvalidInput(fields=errors)
    locked = payment_lock(payment.pk)
    if received_on < timezone.localdate(locked.created_at):
        raise InvalidInput(
            fields={"received_on": [_("The money cannot have arrived before the order.")]}
        )
    if locked.status not in CONFIRMABLE:
        raise Conflict(
            _("This payment is %(status)s; the transfer was already recorded.")
            % {"status": locked.get_status_display().lower()},
            code="payment_not_confirmable",
        )
    attempt = _bank_attempt(locked, actor=actor)
    now = timezone.now()
    TransferProof.objects.filter(payment=locked, status=TransferProof.Status.SUBMITTED).update(
        status=TransferProof.Status.CONFIRMED, reviewed_by=actor, reviewed_at=now, updated_at=now
    )
    event = provider_get(Provider.BANK_TRANSFER).parse_notification(
        body={
            "attempt_id": attempt.pk,
            "amount": amount,
            "reference": reference,
            "received_on": received_on,
            "actor_id": actor.pk,
            "note": note,
        },
        headers={},
    )
    payment_apply_event(event=event)
    locked.refresh_from_db()
    payment.status = locked.status
    return locked


@transaction.atomic
def payment_transfer_reject(*, payment: Payment, actor: User, reason: str) -> Payment:
    """Platform staff reject the proof awaiting confirmation, with a reason the buyer is
    mailed: awaiting_confirmation → pending, the proof rejected, and the expiry resumes with
    what was left — at least TRANSFER_REJECT_GRACE_HOURS — on the payment, its orders awaiting
    payment and the attempt in flight. The buyer may upload again."""
    if not can_handle_money(actor):
        raise PermissionDenied(_("Only platform staff reject transfers."))
    reason = clean_text(reason, field="reason", required=True)
    locked = payment_lock(payment.pk)
    if locked.status != Payment.Status.AWAITING_CONFIRMATION:
        raise Conflict(
            _("This payment is %(status)s; there is no proof to reject.")
            % {"status": locked.get_status_display().lower()},
            code="payment_not_awaiting_confirmation",
        )
    now = timezone.now()
    proof = (
        TransferProof.objects.select_for_update()
        .filter(payment=locked, status=TransferProof.Status.SUBMITTED)
        .first()
    )
    if proof is not None:
        proof.status = TransferProof.Status.REJECTED
        proof.rejection_reason = reason
        proof.reviewed_by = actor
        proof.reviewed_at = now
        proof.save(
            update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at", "updated_at"]
        )
    expires_at = None
    if locked.expires_at is not None:
        grace = settings.TRANSFER_REJECT_GRACE_HOURS * 3600
        seconds = max(locked.expiry_remaining_seconds or 0, grace)
        expires_at = now + datetime.timedelta(seconds=seconds)
        Order.objects.filter(payment=locked, status=Order.Status.PENDING_PAYMENT).update(
            expires_at=expires_at, updated_at=now
        )
        attempt = pending_attempt(locked)
        if attempt is not None:
            attempt.expires_at = expires_at
            if "expires_at" in attempt.instructions:
                attempt.instructions = {
                    **attempt.instructions,
                    "expires_at": expires_at.isoformat(),
                }
            attempt.save(update_fields=["expires_at", "instructions", "updated_at"])
    payment_move(
        locked,
        to_status=Payment.Status.PENDING,
        actor=actor,
        note=reason,
        fields={"expires_at": expires_at, "expiry_remaining_seconds": None},
    )
    payment_event_record(
        payment=locked,
        actor=actor,
        kind=PaymentEvent.Kind.PROOF_REJECTED,
        attempt=proof.attempt if proof else None,
        from_status=Payment.Status.PENDING,
        to_status=Payment.Status.PENDING,
        note=reason,
        notify=True,
    )
    payment.status, payment.expires_at = locked.status, locked.expires_at
    return locked
