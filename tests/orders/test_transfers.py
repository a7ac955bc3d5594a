"""Bank transfers: the buyer uploads a proof (checked, re-encoded, private; the expiry pauses),
staff confirm it (paid, invoiced, in the ledger, the buyer told) or reject it with a reason
(pending again with a grace period; the buyer uploads again). Refusals change nothing.
Two staff confirming at once pay once (PostgreSQL)."""

import datetime
from io import BytesIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from core.errors import ApplicationError, Conflict, InvalidInput, PermissionDenied
from orders.models import (
    Invoice,
    LedgerEntry,
    Order,
    Payment,
    PaymentAttempt,
    PaymentEvent,
    TransferProof,
)
from orders.services.ledger import ledger_check
from orders.services.lifecycle import order_cancel, payment_expire, payments_due_for_expiry
from orders.services.transfers import (
    payment_proof_upload,
    payment_transfer_confirm,
    payment_transfer_reject,
)
from tests.concurrency import race

pytestmark = pytest.mark.django_db


def photo(name: str = "bukti.png", size: tuple[int, int] = (40, 30)) -> SimpleUploadedFile:
    buffer = BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf(name: str = "bukti.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", "application/pdf")


def state(payment: Payment) -> tuple:
    payment = Payment.objects.get(pk=payment.pk)
    return (
        payment.status,
        payment.expires_at,
        payment.expiry_remaining_seconds,
        payment.received_amount,
        list(TransferProof.objects.filter(payment=payment).values_list("status", flat=True)),
        PaymentEvent.objects.filter(payment=payment).count(),
        list(Order.objects.filter(payment=payment).values_list("status", "expires_at")),
        Invoice.objects.count(),
        LedgerEntry.objects.count(),
    )


def today() -> datetime.date:
    return timezone.localdate()


# --- Upload ---------------------------------------------------------------------------------


def test_a_photo_proof_pauses_the_expiry_and_awaits_confirmation(shop):
    order = shop.place()
    payment = order.payment
    left = (payment.expires_at - timezone.now()).total_seconds()

    proof = payment_proof_upload(
        payment=payment,
        actor=shop.buyer,
        file=photo(),
        sender_bank=" BCA ",
        sender_name="Budi  Santoso",
    )

    payment.refresh_from_db()
    assert payment.status == "awaiting_confirmation"
    assert payment.expiry_remaining_seconds == pytest.approx(left, abs=5)
    assert payment.expires_at is not None  # kept, but a payment awaiting confirmation never expires
    assert payment.pk not in payments_due_for_expiry(timezone.now() + datetime.timedelta(days=3))
    assert (proof.status, proof.content_type, proof.original_name) == (
        "submitted",
        "image/jpeg",
        "bukti.png",
    )
    assert (proof.sender_bank, proof.sender_name, proof.uploaded_by) == (
        "BCA",
        "Budi Santoso",
        shop.buyer,
    )
    assert proof.attempt == payment.attempts.get(status="pending")
    assert proof.file.name.startswith("transfer-proofs/") and proof.file.name.endswith(".jpg")
    with proof.file.open("rb") as stored:
        assert Image.open(stored).format == "JPEG"
    with pytest.raises(ValueError):
        proof.file.url  # noqa: B018 - private: no URL
    kinds = list(payment.events.values_list("kind", "from_status", "to_status"))[-2:]
    assert kinds == [
        ("status", "pending", "awaiting_confirmation"),
        ("proof_uploaded", "awaiting_confirmation", "awaiting_confirmation"),
    ]
    # The buyer cannot cancel while it is checked.
    with pytest.raises(Conflict):
        order_cancel(order=order, actor=shop.buyer)


def test_a_pdf_proof_is_kept_as_sent(shop):
    payment = shop.place().payment

    proof = payment_proof_upload(payment=payment, actor=shop.buyer, file=pdf())

    assert proof.content_type == "application/pdf"
    with proof.file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("upload", "field"),
    [
        (SimpleUploadedFile("bukti.png", b"not an image at all", "image/png"), "file"),
        (SimpleUploadedFile("bukti.pdf", b"", "application/pdf"), "file"),
        (SimpleUploadedFile("bukti.gif", b"GIF89a" + b"\x00" * 20, "image/gif"), "file"),
    ],
)
def test_a_bad_file_is_refused_and_changes_nothing(shop, upload, field):
    payment = shop.place().payment
    before = state(payment)

    with pytest.raises(InvalidInput) as raised:
        payment_proof_upload(payment=payment, actor=shop.buyer, file=upload)

    assert field in raised.value.fields
    assert state(payment) == before


@override_settings(TRANSFER_PROOF_MAX_MB=1)
def test_a_proof_over_the_limit_is_refused(shop):
    payment = shop.place().payment
    before = state(payment)
    big = SimpleUploadedFile("bukti.pdf", b"%PDF-" + b"0" * (1024 * 1024), "application/pdf")

    with pytest.raises(InvalidInput) as raised:
        payment_proof_upload(payment=payment, actor=shop.buyer, file=big)

    assert "1 MB" in str(raised.value.fields["file"][0])
    assert state(payment) == before


def test_only_the_buyer_uploads_and_only_while_pending(shop):
    payment = shop.place().payment
    before = state(payment)
    for outsider in (shop.stranger, shop.owner, shop.platform):
        with pytest.raises(PermissionDenied):
            payment_proof_upload(payment=payment, actor=outsider, file=photo())
    assert state(payment) == before

    payment_proof_upload(payment=payment, actor=shop.buyer, file=photo())
    waiting = state(payment)
    with pytest.raises(Conflict):
        payment_proof_upload(payment=payment, actor=shop.buyer, file=photo())
    assert state(payment) == waiting


# --- Confirm --------------------------------------------------------------------------------


def test_staff_confirm_the_proof_and_the_orders_are_paid(shop, django_capture_on_commit_callbacks):
    order = shop.place()
    payment = order.payment
    payment_proof_upload(payment=payment, actor=shop.buyer, file=photo())
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        payment_transfer_confirm(
            payment=payment,
            actor=shop.platform,
            amount=300_000,
            reference="BRI 20261123 0001",
            received_on=today(),
            note="Mutasi pagi",
        )

    payment.refresh_from_db()
    assert (payment.status, payment.received_amount, payment.received_reference) == (
        "paid",
        300_000,
        "BRI 20261123 0001",
    )
    assert payment.expiry_remaining_seconds is None
    proof = payment.proofs.get()
    assert (proof.status, proof.reviewed_by) == ("confirmed", shop.platform)
    attempt = payment.attempts.get()
    assert (attempt.status, attempt.received_amount) == ("succeeded", 300_000)
    order.refresh_from_db()
    assert order.status == "paid" and order.paid_at == payment.paid_at
    assert Invoice.objects.filter(order=order, kind="invoice").count() == 1
    assert LedgerEntry.objects.filter(order=order, kind="sale").get().amount == 300_000
    assert "Mutasi pagi" in payment.events.get(kind="status", to_status="paid").note
    assert ledger_check().ok
    buyer_mails = [m for m in mail.outbox if payment.code in m.subject]
    assert len(buyer_mails) == 1
    assert set(buyer_mails[0].to) == {shop.buyer.email, order.contact_email}
    assert "Rp 300.000" in buyer_mails[0].body


def test_staff_may_confirm_money_seen_without_a_proof(shop):
    payment = shop.place().payment

    payment_transfer_confirm(
        payment=payment, actor=shop.platform, amount=300_000, reference="M-1", received_on=today()
    )

    payment.refresh_from_db()
    assert payment.status == "paid"
    assert not payment.proofs.exists()


def test_a_second_confirmation_is_refused_and_changes_nothing(shop):
    payment = shop.place().payment
    payment_transfer_confirm(
        payment=payment, actor=shop.platform, amount=300_000, reference="M-1", received_on=today()
    )
    before = state(payment)

    with pytest.raises(Conflict):
        payment_transfer_confirm(
            payment=payment,
            actor=shop.platform,
            amount=300_000,
            reference="M-1",
            received_on=today(),
        )

    assert state(payment) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": "300000"}, "amount"),
        ({"reference": "  "}, "reference"),
        ({"reference": "x" * 101}, "reference"),
        ({"received_on": timezone.localdate() + datetime.timedelta(days=1)}, "received_on"),
        ({"received_on": timezone.localdate() - datetime.timedelta(days=30)}, "received_on"),
        ({"received_on": "2026-11-23"}, "received_on"),
    ],
)
def test_a_confirmation_with_bad_input_is_refused(shop, changes, field):
    payment = shop.place().payment
    payment_proof_upload(payment=payment, actor=shop.buyer, file=photo())
    before = state(payment)
    data = {"amount": 300_000, "reference": "M-1", "received_on": today(), **changes}

    with pytest.raises(InvalidInput) as raised:
        payment_transfer_confirm(payment=payment, actor=shop.platform, **data)

    assert field in raised.value.fields
    assert state(payment) == before


def test_only_platform_staff_confirm_or_reject(shop):
    payment = shop.place().payment
    payment_proof_upload(payment=payment, actor=shop.buyer, file=photo())
    before = state(payment)

    for user in (shop.buyer, shop.owner, shop.manager, shop.stranger):
        with pytest.raises(PermissionDenied):
            payment_transfer_confirm(
                payment=payment, actor=user, amount=300_000, reference="M", received_on=today()
            )
        with pytest.raises(PermissionDenied):
            payment_transfer_reject(payment=payment, actor=user, reason="x")

    assert state(payment) == before


# --- Reject and upload again ------------------------------------------------------------------


def test_reject_then_upload_again_then_confirm(shop, django_capture_on_commit_callbacks):
    order = shop.place()
    payment = order.payment
    # Little time was left when the proof came: the buyer gets the grace period after a rejection.
    Payment.objects.filter(pk=payment.pk).update(
        expires_at=timezone.now() + datetime.timedelta(minutes=10)
    )
    payment_proof_upload(payment=payment, actor=shop.buyer, file=photo())
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        payment_transfer_reject(
            payment=payment, actor=shop.platform, reason="Nominal di bukti tidak terbaca."
        )

    payment.refresh_from_db()
    grace = datetime.timedelta(hours=settings.TRANSFER_REJECT_GRACE_HOURS)
    assert payment.status == "pending"
    assert payment.expires_at == pytest.approx(
        timezone.now() + grace, abs=datetime.timedelta(minutes=1)
    )
    assert payment.expiry_remaining_seconds is None
    order.refresh_from_db()
    assert order.expires_at == payment.expires_at
    attempt = payment.attempts.get(status="pending")
    assert attempt.expires_at == payment.expires_at
    assert attempt.instructions["expires_at"] == payment.expires_at.isoformat()
    proof = payment.proofs.get()
    assert (proof.status, proof.rejection_reason) == ("rejected", "Nominal di bukti tidak terbaca.")
    assert payment.events.filter(kind="proof_rejected").count() == 1
    (rejected,) = mail.outbox
    assert set(rejected.to) == {shop.buyer.email, order.contact_email}
    assert "Nominal di bukti tidak terbaca." in rejected.body

    payment_proof_upload(payment=payment, actor=shop.buyer, file=pdf())
    payment_transfer_confirm(
        payment=payment, actor=shop.platform, amount=300_000, reference="M-2", received_on=today()
    )

    payment.refresh_from_db()
    assert payment.status == "paid"
    assert list(payment.proofs.order_by("pk").values_list("status", flat=True)) == [
        "rejected",
        "confirmed",
    ]
    assert PaymentAttempt.objects.filter(payment=payment).count() == 1


def test_a_rejection_keeps_a_longer_remaining_time(shop):
    payment = shop.place().payment
    payment_proof_upload(payment=payment, actor=shop.buyer, file=photo())
    remaining = Payment.objects.get(pk=payment.pk).expiry_remaining_seconds

    payment_transfer_reject(payment=payment, actor=shop.platform, reason="Buram")

    payment.refresh_from_db()
    assert remaining > settings.TRANSFER_REJECT_GRACE_HOURS * 3600
    assert payment.expires_at == pytest.approx(
        timezone.now() + datetime.timedelta(seconds=remaining), abs=datetime.timedelta(minutes=1)
    )


def test_reject_without_a_reason_or_a_proof_is_refused(shop):
    payment = shop.place().payment
    before = state(payment)
    with pytest.raises(Conflict):
        payment_transfer_reject(payment=payment, actor=shop.platform, reason="Buram")
    assert state(payment) == before

    payment_proof_upload(payment=payment, actor=shop.buyer, file=photo())
    waiting = state(payment)
    with pytest.raises(InvalidInput):
        payment_transfer_reject(payment=payment, actor=shop.platform, reason="  ")
    assert state(payment) == waiting


# --- Late money through the desk --------------------------------------------------------------


def test_staff_confirming_money_for_an_expired_payment_goes_to_the_late_payment_service(shop):
    order = shop.place()
    payment_expire(payment_id=order.payment_id, now=timezone.now() + datetime.timedelta(days=2))

    payment = payment_transfer_confirm(
        payment=order.payment,
        actor=shop.platform,
        amount=300_000,
        reference="LATE-1",
        received_on=today(),
    )

    assert payment.status == "paid"
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert payment.attempts.get().status == "succeeded"


# --- Concurrency (PostgreSQL) -----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_two_staff_confirming_at_once_pay_once(shop, round_):
    order = shop.place()
    payment = order.payment
    payment_proof_upload(payment=payment, actor=shop.buyer, file=photo())

    def confirm():
        return payment_transfer_confirm(
            payment=payment,
            actor=shop.platform,
            amount=300_000,
            reference="BRI-RACE",
            received_on=timezone.localdate(),
        )

    results = race([confirm, confirm])

    winners = [r for r in results if isinstance(r, Payment)]
    losers = [r for r in results if isinstance(r, ApplicationError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert isinstance(losers[0], Conflict)
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert payment.events.filter(kind="status", to_status="paid").count() == 1
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert order.events.filter(to_status="paid").count() == 1
    assert Invoice.objects.filter(order=order, kind="invoice").count() == 1
    assert LedgerEntry.objects.filter(order=order, kind="sale").count() == 1
    assert ledger_check().ok
