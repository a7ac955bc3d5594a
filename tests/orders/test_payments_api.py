"""The payments API: payments/ (the staff transfer desk, a buyer's own), payments/{id}/ with the
attempt in progress and its proofs, attempts/, transfer-proof/, confirm/, reject/, review/ —
the answer and the database after each call, bad bodies (400 by field) changing nothing, and a
list whose query count does not grow with the page."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orders.models import (
    Invoice,
    LedgerEntry,
    Order,
    Payment,
    PaymentAttempt,
    PaymentEvent,
    Refund,
    TransferProof,
)
from orders.services.transfers import payment_proof_upload, payment_transfer_confirm
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def url(payment: Payment, action: str = "") -> str:
    return f"/api/v1/payments/{payment.pk}/" + (f"{action}/" if action else "")


def png(name: str = "bukti.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf(name: str = "bukti.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n", "application/pdf"
    )


def awaiting(shop, order: Order | None = None) -> Payment:
    """A payment whose buyer uploaded a proof: awaiting_confirmation."""
    order = order or shop.place()
    payment_proof_upload(payment=order.payment, actor=shop.buyer, file=png())
    return Payment.objects.get(pk=order.payment_id)


def under_review(shop) -> Payment:
    """A transfer of less than is due, confirmed by staff: needs_review."""
    payment = awaiting(shop)
    payment_transfer_confirm(
        payment=payment,
        actor=shop.platform,
        amount=payment.amount_due_amount - 1000,
        reference="BCA-KURANG-1",
        received_on=timezone.localdate(),
    )
    payment.refresh_from_db()
    assert payment.status == Payment.Status.NEEDS_REVIEW
    return payment


def payment_state(payment: Payment) -> dict:
    """Everything a payment call could change, to compare before and after a refused one."""
    return {
        "payment": Payment.objects.filter(pk=payment.pk)
        .values(
            "status",
            "method",
            "amount_due_amount",
            "received_amount",
            "received_reference",
            "expires_at",
            "paid_at",
        )
        .get(),
        "orders": list(
            Order.objects.filter(payment=payment).order_by("pk").values_list("status", "expires_at")
        ),
        "attempts": list(
            PaymentAttempt.objects.filter(payment=payment)
            .order_by("pk")
            .values_list("pk", "status", "method")
        ),
        "proofs": list(
            TransferProof.objects.filter(payment=payment)
            .order_by("pk")
            .values_list("pk", "status", "rejection_reason")
        ),
        "events": PaymentEvent.objects.filter(payment=payment).count(),
        "refunds": list(Refund.objects.order_by("pk").values_list("pk", "status")),
        "invoices": Invoice.objects.count(),
        "ledger": LedgerEntry.objects.count(),
    }


# --- Reading ----------------------------------------------------------------------------------


def test_the_buyer_reads_its_payment_with_the_transfer_instructions(shop, settings):
    order = shop.place()
    payment = order.payment

    response = client_for(shop.buyer).get(url(payment))

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == payment.pk
    assert body["code"] == payment.code
    assert body["status"] == "pending"
    assert body["amount_due_amount"] == order.total_amount == 300_000
    assert body["received_amount"] == 0
    assert body["orders"] == [
        {
            "number": order.number,
            "seller": {"slug": "posyantek-purwakarta", "name": "Posyantek Purwakarta"},
            "status": "pending_payment",
            "status_display": order.get_status_display(),
            "total_amount": 300_000,
        }
    ]
    assert body["methods"] == ["bank_transfer"]
    assert body["proofs"] == []
    attempt = body["current_attempt"]
    assert attempt["number"] == 1
    assert attempt["method"] == "bank_transfer"
    assert attempt["status"] == "pending"
    assert attempt["instructions"]["bank_name"] == settings.PLATFORM_BANK_NAME
    assert attempt["instructions"]["account_number"] == settings.PLATFORM_BANK_ACCOUNT_NUMBER
    assert attempt["instructions"]["account_holder"] == settings.PLATFORM_BANK_ACCOUNT_HOLDER
    assert attempt["instructions"]["amount"] == 300_000
    assert attempt["instructions"]["code"] == payment.code


def test_platform_staff_read_any_payment_and_others_get_a_404(shop):
    payment = shop.place().payment

    assert client_for(shop.platform).get(url(payment)).status_code == 200
    for user in (shop.stranger, shop.owner, shop.staff):
        assert client_for(user).get(url(payment)).status_code == 404
    assert client_for(None).get(url(payment)).status_code == 401
    assert client_for(shop.buyer).get("/api/v1/payments/999999/").status_code == 404


def test_a_paid_payment_offers_no_method(shop):
    order = shop.paid()

    body = client_for(shop.buyer).get(url(order.payment)).json()

    assert body["status"] == "paid"
    assert body["methods"] == []
    assert body["received_amount"] == 300_000
    assert body["orders"][0]["status"] == "paid"


# --- Attempts ---------------------------------------------------------------------------------


def test_a_new_attempt_cancels_the_one_in_flight(shop):
    payment = shop.place().payment
    client = client_for(shop.buyer)

    response = client.post(url(payment, "attempts"), {"method": "bank_transfer"}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["number"] == 2
    assert response.json()["status"] == "pending"
    assert response.json()["instructions"]["code"] == payment.code
    assert list(PaymentAttempt.objects.filter(payment=payment).values_list("number", "status")) == [
        (1, "cancelled"),
        (2, "pending"),
    ]
    listed = client.get(url(payment, "attempts"))
    assert listed.status_code == 200
    assert [(a["number"], a["status"]) for a in listed.json()] == [
        (1, "cancelled"),
        (2, "pending"),
    ]
    assert client.get(url(payment)).json()["current_attempt"]["number"] == 2


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "method"),
        ({"method": "bitcoin"}, "method"),
        ({"method": ["bank_transfer"]}, "method"),
        ({"method": None}, "method"),
    ],
)
def test_a_bad_attempt_body_is_a_400_and_changes_nothing(shop, body, field):
    payment = shop.place().payment
    before = payment_state(payment)

    response = client_for(shop.buyer).post(url(payment, "attempts"), body, format="json")

    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert payment_state(payment) == before


def test_no_attempt_on_a_paid_payment(shop):
    payment = shop.paid().payment
    before = payment_state(payment)

    response = client_for(shop.buyer).post(
        url(payment, "attempts"), {"method": "bank_transfer"}, format="json"
    )

    assert response.status_code == 409, response.json()
    assert payment_state(payment) == before


def test_card_is_refused_while_it_is_not_available(shop):
    payment = shop.place().payment
    before = payment_state(payment)

    response = client_for(shop.buyer).post(
        url(payment, "attempts"), {"method": "card"}, format="json"
    )

    assert response.status_code in (400, 409), response.json()
    assert payment_state(payment) == before


# --- Transfer proof ---------------------------------------------------------------------------


@pytest.mark.parametrize("make_file, content_type", [(png, "image/jpeg"), (pdf, "application/pdf")])
def test_the_buyer_uploads_a_proof_and_the_payment_awaits_confirmation(
    shop, make_file, content_type
):
    payment = shop.place().payment

    response = client_for(shop.buyer).post(
        url(payment, "transfer-proof"),
        {"file": make_file(), "sender_bank": "BRI", "sender_name": "Budi Santoso"},
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "awaiting_confirmation"
    assert len(body["proofs"]) == 1
    proof = body["proofs"][0]
    assert proof["status"] == "submitted"
    assert proof["sender_bank"] == "BRI"
    assert proof["sender_name"] == "Budi Santoso"
    assert proof["uploaded_at"]
    stored = TransferProof.objects.get(payment=payment)
    assert stored.content_type == content_type
    assert stored.uploaded_by == shop.buyer
    payment.refresh_from_db()
    assert payment.status == Payment.Status.AWAITING_CONFIRMATION
    assert body["methods"] == []


@pytest.mark.parametrize(
    "data, format_",
    [
        ({}, "multipart"),
        ({"sender_bank": "BRI"}, "multipart"),
        ({"file": "not a file"}, "json"),
        ({"file": SimpleUploadedFile("kosong.png", b"", content_type="image/png")}, "multipart"),
        (
            {"file": SimpleUploadedFile("catatan.txt", b"saya sudah transfer", "text/plain")},
            "multipart",
        ),
        (
            {"file": SimpleUploadedFile("palsu.png", b"\x89PNG\r\n\x1a\nrusak", "image/png")},
            "multipart",
        ),
        ({"file": png(), "sender_bank": "B" * 101}, "multipart"),
    ],
)
def test_a_bad_proof_is_a_400_on_its_field_and_changes_nothing(shop, data, format_):
    payment = shop.place().payment
    before = payment_state(payment)

    response = client_for(shop.buyer).post(url(payment, "transfer-proof"), data, format=format_)

    assert response.status_code == 400, response.json()
    assert set(response.json()["errors"]) & {"file", "sender_bank"}
    assert payment_state(payment) == before


def test_a_proof_too_large_is_a_400(shop, settings):
    settings.TRANSFER_PROOF_MAX_MB = 1
    payment = shop.place().payment
    before = payment_state(payment)
    big = SimpleUploadedFile("besar.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 10), "application/pdf")

    response = client_for(shop.buyer).post(
        url(payment, "transfer-proof"), {"file": big}, format="multipart"
    )

    assert response.status_code == 400, response.json()
    assert "file" in response.json()["errors"]
    assert payment_state(payment) == before


def test_a_second_proof_while_one_awaits_is_a_409(shop):
    payment = awaiting(shop)
    before = payment_state(payment)

    response = client_for(shop.buyer).post(
        url(payment, "transfer-proof"), {"file": png()}, format="multipart"
    )

    assert response.status_code == 409, response.json()
    assert payment_state(payment) == before


# --- Staff: confirm, reject, review -----------------------------------------------------------


def test_staff_confirm_the_amount_due_and_the_orders_are_paid_and_invoiced(shop):
    payment = awaiting(shop)
    order = payment.orders.get()

    response = client_for(shop.platform).post(
        url(payment, "confirm"),
        {
            "amount": payment.amount_due_amount,
            "reference": "BCA-20261123-0001",
            "received_on": timezone.localdate().isoformat(),
            "note": "Masuk di mutasi pagi ini.",
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "paid"
    assert body["received_amount"] == payment.amount_due_amount
    assert body["proofs"][0]["status"] == "confirmed"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert payment.received_reference == "BCA-20261123-0001"
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert Invoice.objects.filter(order=order, kind="invoice").count() == 1
    assert LedgerEntry.objects.filter(order=order, kind="sale").get().amount == order.total_amount


def test_staff_confirm_a_pending_payment_without_a_proof(shop):
    payment = shop.place().payment

    response = client_for(shop.platform).post(
        url(payment, "confirm"),
        {
            "amount": str(payment.amount_due_amount),
            "reference": "MANDIRI-77",
            "received_on": timezone.localdate().isoformat(),
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "paid"


def test_another_amount_puts_the_payment_under_review(shop):
    payment = awaiting(shop)

    response = client_for(shop.platform).post(
        url(payment, "confirm"),
        {
            "amount": payment.amount_due_amount + 50_000,
            "reference": "BRI-LEBIH-1",
            "received_on": timezone.localdate().isoformat(),
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "needs_review"
    assert response.json()["review_reason"] == "amount_mismatch"
    assert response.json()["received_amount"] == payment.amount_due_amount + 50_000


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"amount": "tiga ratus ribu"}, "amount"),
        ({"amount": -300_000}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": 10**30}, "amount"),
        ({"amount": None}, "amount"),
        ({"reference": ""}, "reference"),
        ({"reference": "R" * 101}, "reference"),
        ({"reference": ["a"]}, "reference"),
        ({"received_on": "23-11-2026"}, "received_on"),
        ({"received_on": "2026-02-30"}, "received_on"),
        ({"received_on": "kemarin"}, "received_on"),
        ({"received_on": (timezone.localdate() + datetime.timedelta(days=2)).isoformat()}, None),
        ({"note": {"a": 1}}, "note"),
    ],
)
def test_a_bad_confirmation_is_a_400_on_its_field_and_changes_nothing(shop, changes, field):
    payment = awaiting(shop)
    before = payment_state(payment)
    body = {
        "amount": payment.amount_due_amount,
        "reference": "BCA-1",
        "received_on": timezone.localdate().isoformat(),
        **changes,
    }

    response = client_for(shop.platform).post(url(payment, "confirm"), body, format="json")

    assert response.status_code == 400, response.json()
    assert (field or "received_on") in response.json()["errors"]
    assert payment_state(payment) == before


def test_a_second_confirmation_is_a_409_and_changes_nothing(shop):
    payment = shop.paid().payment
    before = payment_state(payment)

    response = client_for(shop.platform).post(
        url(payment, "confirm"),
        {
            "amount": payment.amount_due_amount,
            "reference": "BCA-2",
            "received_on": timezone.localdate().isoformat(),
        },
        format="json",
    )

    assert response.status_code == 409, response.json()
    assert payment_state(payment) == before


def test_staff_reject_a_proof_and_the_buyer_sees_why_and_may_upload_again(shop):
    payment = awaiting(shop)

    response = client_for(shop.platform).post(
        url(payment, "reject"), {"reason": "Nominal di bukti tidak terbaca."}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "pending"
    buyer = client_for(shop.buyer)
    proofs = buyer.get(url(payment)).json()["proofs"]
    assert [(p["status"], p["rejection_reason"]) for p in proofs] == [
        ("rejected", "Nominal di bukti tidak terbaca.")
    ]
    again = buyer.post(url(payment, "transfer-proof"), {"file": png()}, format="multipart")
    assert again.status_code == 201, again.json()
    assert [p["status"] for p in again.json()["proofs"]] == ["rejected", "submitted"]


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": 5 * ["x"]}])
def test_a_rejection_needs_a_reason(shop, body):
    payment = awaiting(shop)
    before = payment_state(payment)

    response = client_for(shop.platform).post(url(payment, "reject"), body, format="json")

    assert response.status_code == 400, response.json()
    assert "reason" in response.json()["errors"]
    assert payment_state(payment) == before


def test_rejecting_a_pending_payment_is_a_409(shop):
    payment = shop.place().payment
    before = payment_state(payment)

    response = client_for(shop.platform).post(
        url(payment, "reject"), {"reason": "Tidak ada bukti."}, format="json"
    )

    assert response.status_code == 409, response.json()
    assert payment_state(payment) == before


def test_staff_refund_a_payment_under_review(shop):
    payment = under_review(shop)

    response = client_for(shop.platform).post(
        url(payment, "review"), {"decision": "refund", "note": "Kurang bayar."}, format="json"
    )

    assert response.status_code == 200, response.json()
    refund = Refund.objects.get(payment=payment, order=None)
    assert refund.total_amount == payment.received_amount
    assert refund.reason == Refund.Reason.PAYMENT_REVIEW
    assert set(Order.objects.filter(payment=payment).values_list("status", flat=True)) == {
        "cancelled"
    }


def test_honouring_less_than_is_due_is_a_409(shop):
    payment = under_review(shop)
    before = payment_state(payment)

    response = client_for(shop.platform).post(
        url(payment, "review"), {"decision": "honour"}, format="json"
    )

    assert response.status_code == 409, response.json()
    assert payment_state(payment) == before


@pytest.mark.parametrize("body", [{}, {"decision": "maybe"}, {"decision": "honour", "note": [1]}])
def test_a_bad_review_is_a_400(shop, body):
    payment = under_review(shop)
    before = payment_state(payment)

    response = client_for(shop.platform).post(url(payment, "review"), body, format="json")

    assert response.status_code == 400, response.json()
    assert payment_state(payment) == before


# --- The list ---------------------------------------------------------------------------------


def test_the_transfer_desk_lists_payments_awaiting_confirmation(shop):
    waiting = awaiting(shop)
    shop.place()  # pending: not listed with the filter

    response = client_for(shop.platform).get("/api/v1/payments/?status=awaiting_confirmation")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == waiting.pk
    assert row["code"] == waiting.code
    assert row["latest_proof"]["status"] == "submitted"
    assert row["orders"][0]["number"] == waiting.orders.get().number
    both = client_for(shop.platform).get(
        "/api/v1/payments/?status=awaiting_confirmation&status=pending"
    )
    assert both.json()["count"] == 2
    by_code = client_for(shop.platform).get(f"/api/v1/payments/?code={waiting.code.lower()}")
    assert [p["id"] for p in by_code.json()["results"]] == [waiting.pk]


def test_a_buyer_lists_only_its_own_payments(shop):
    own = shop.place().payment
    other_buyer = UserFactory()
    theirs = shop.place(buyer=other_buyer).payment

    mine = client_for(shop.buyer).get("/api/v1/payments/").json()
    their_list = client_for(other_buyer).get("/api/v1/payments/").json()

    assert [p["id"] for p in mine["results"]] == [own.pk]
    assert [p["id"] for p in their_list["results"]] == [theirs.pk]
    assert client_for(shop.stranger).get("/api/v1/payments/").json()["count"] == 0
    assert client_for(shop.owner).get("/api/v1/payments/").json()["count"] == 0
    assert client_for(None).get("/api/v1/payments/").status_code == 401


@pytest.mark.parametrize(
    "query",
    ["?status=lunas", "?method=bitcoin", "?code=" + "X" * 30, "?page=abc", "?ordering=orders"],
)
def test_bad_list_parameters_are_never_a_500(shop, query):
    shop.place()

    response = client_for(shop.platform).get("/api/v1/payments/" + query)

    assert response.status_code in (200, 400, 404), response.content
    if query.startswith("?status") or query.startswith("?method"):
        assert response.status_code == 400


def _fill(shop, count: int) -> None:
    for index in range(count):
        order = shop.place(1)
        if index % 2:
            awaiting(shop, order)


def _queries(client, path: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200, response.json()
    return len(context.captured_queries), len(response.json()["results"])


@pytest.mark.parametrize("who", ["platform", "buyer"])
def test_the_payment_list_query_count_does_not_grow_with_the_page(shop, who):
    client = client_for(getattr(shop, who))
    _fill(shop, 2)
    few, few_rows = _queries(client, "/api/v1/payments/?page_size=100")

    _fill(shop, 8)
    many, many_rows = _queries(client, "/api/v1/payments/?page_size=100")

    assert (few_rows, many_rows) == (2, 10)
    assert many == few
    # Token, count, page, orders (with sellers), attempts, proofs.
    assert many <= 6
