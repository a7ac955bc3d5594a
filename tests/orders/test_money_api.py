"""Money after payment through the API: refunds/ (the buyer gives its account, staff record the
transfer sent or a failure), ledger/ with its balance, payouts/ (409 beyond the available
balance), invoices/{number}/ and its PDF — the answer and the database after each call, bad
bodies (400 by field) changing nothing, and lists whose query count does not grow."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Organization
from orders.models import Invoice, LedgerEntry, Order, Payment, Payout, Refund, RefundEvent
from orders.services.lifecycle import order_cancel, order_complete
from orders.services.refunds import refund_account_give, refund_submit
from tests.factories import MembershipFactory, OrganizationFactory, ProductFactory, UserFactory
from tests.orders.test_payments_api import client_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def open_refund(shop, *, account: bool = False) -> Refund:
    """A paid order the Posyantek cancelled: its refund sent to the bank-transfer provider,
    waiting (pending_manual) for the buyer's account — given, if `account`."""
    order = shop.paid()
    order_cancel(order=order, actor=shop.owner, reason="Mesin rusak, tidak bisa dibuat.")
    refund = Refund.objects.get(order=order)
    refund_submit(refund_id=refund.pk)
    if account:
        refund_account_give(
            refund=refund,
            actor=shop.buyer,
            bank_name="BRI",
            account_number="0123-01-000123-50-1",
            account_holder="Budi Santoso",
        )
    refund.refresh_from_db()
    assert refund.status == Refund.Status.PENDING_MANUAL
    return refund


def completed(shop, quantity: int = 2) -> Order:
    return order_complete(order=shop.delivered(quantity), actor=shop.buyer)


def with_payout_account(organization: Organization) -> Organization:
    organization.payout_bank_name = "BRI"
    organization.payout_account_number = "0987654321"
    organization.payout_account_holder = "Posyantek Purwakarta"
    organization.save()
    return organization


def money_state() -> dict:
    return {
        "refunds": list(
            Refund.objects.order_by("pk").values_list(
                "pk", "status", "account_number", "provider_reference", "failure_reason"
            )
        ),
        "refund_events": RefundEvent.objects.count(),
        "orders": list(Order.objects.order_by("pk").values_list("pk", "status")),
        "payments": list(Payment.objects.order_by("pk").values_list("pk", "status")),
        "ledger": list(LedgerEntry.objects.order_by("pk").values_list("pk", "status", "amount")),
        "payouts": Payout.objects.count(),
        "invoices": Invoice.objects.count(),
    }


# --- Refunds ----------------------------------------------------------------------------------


def test_a_bank_transfer_refund_from_account_to_money_sent(shop):
    refund = open_refund(shop)
    order = refund.order
    buyer = client_for(shop.buyer)

    listed = buyer.get("/api/v1/refunds/").json()
    assert [(r["id"], r["status"], r["has_account"]) for r in listed["results"]] == [
        (refund.pk, "pending_manual", False)
    ]

    given = buyer.post(
        f"/api/v1/refunds/{refund.pk}/account/",
        {"bank_name": "BRI", "account_number": "0123 0100 0123", "account_holder": "Budi Santoso"},
        format="json",
    )
    assert given.status_code == 200, given.json()
    assert given.json()["has_account"] is True
    assert given.json()["account"]["account_number"] == "0123 0100 0123"
    assert given.json()["account"]["bank_name"] == "BRI"

    # The Posyantek sees the refund of its sale, never the buyer's account.
    seller_view = (
        client_for(shop.owner).get(f"/api/v1/refunds/?organization={shop.seller.slug}").json()
    )
    assert [r["id"] for r in seller_view["results"]] == [refund.pk]
    assert seller_view["results"][0]["account"] is None
    assert client_for(shop.owner).get(f"/api/v1/refunds/{refund.pk}/").json()["account"] is None

    sent = client_for(shop.platform).post(
        f"/api/v1/refunds/{refund.pk}/succeed/",
        {"reference": "BRI-KELUAR-0001", "note": "Sudah ditransfer."},
        format="json",
    )
    assert sent.status_code == 200, sent.json()
    assert sent.json()["status"] == "succeeded"
    assert sent.json()["provider_reference"] == "BRI-KELUAR-0001"
    assert [e["to_status"] for e in sent.json()["events"]][-1] == "succeeded"
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert LedgerEntry.objects.get(refund=refund, kind="refund").amount == -refund.total_amount
    credit_note = Invoice.objects.get(refund=refund)
    assert credit_note.kind == Invoice.Kind.CREDIT_NOTE


def test_a_refund_cannot_be_recorded_sent_before_the_buyer_gives_an_account(shop):
    refund = open_refund(shop)
    before = money_state()

    response = client_for(shop.platform).post(
        f"/api/v1/refunds/{refund.pk}/succeed/", {"reference": "BRI-1"}, format="json"
    )

    assert response.status_code == 409, response.json()
    assert money_state() == before


def test_a_refund_sent_needs_its_reference(shop):
    refund = open_refund(shop, account=True)
    before = money_state()

    response = client_for(shop.platform).post(
        f"/api/v1/refunds/{refund.pk}/succeed/", {"note": "Sudah."}, format="json"
    )

    assert response.status_code == 400, response.json()
    assert "reference" in response.json()["errors"]
    assert money_state() == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({"bank_name": "BRI", "account_number": "abc", "account_holder": "Budi"}, "account_number"),
        ({"bank_name": "BRI", "account_number": "12", "account_holder": "Budi"}, "account_number"),
        ({"bank_name": "BRI", "account_number": "1" * 35, "account_holder": "Budi"}, None),
        ({"account_number": "0123456789", "account_holder": "Budi"}, "bank_name"),
        ({"bank_name": "BRI", "account_number": "0123456789"}, "account_holder"),
        ({"bank_name": ["BRI"], "account_number": "0123456789", "account_holder": "B"}, None),
    ],
)
def test_a_bad_account_is_a_400_on_its_field(shop, body, field):
    refund = open_refund(shop)
    before = money_state()

    response = client_for(shop.buyer).post(
        f"/api/v1/refunds/{refund.pk}/account/", body, format="json"
    )

    assert response.status_code == 400, response.json()
    assert (field or next(iter(body))) in response.json()["errors"] or field is None
    assert money_state() == before


def test_staff_record_a_refund_that_failed(shop):
    refund = open_refund(shop, account=True)

    response = client_for(shop.platform).post(
        f"/api/v1/refunds/{refund.pk}/fail/", {"reason": "Rekening sudah ditutup."}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "failed"
    assert response.json()["failure_reason"] == "Rekening sudah ditutup."
    refund.refresh_from_db()
    assert refund.status == Refund.Status.FAILED
    again = client_for(shop.platform).post(
        f"/api/v1/refunds/{refund.pk}/fail/", {"reason": "Lagi."}, format="json"
    )
    assert again.status_code == 409


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": {"x": 1}}])
def test_a_failure_needs_a_reason(shop, body):
    refund = open_refund(shop)
    before = money_state()

    response = client_for(shop.platform).post(
        f"/api/v1/refunds/{refund.pk}/fail/", body, format="json"
    )

    assert response.status_code == 400, response.json()
    assert "reason" in response.json()["errors"]
    assert money_state() == before


def test_the_refund_list_filters_and_scopes(shop):
    refund = open_refund(shop)
    staff = client_for(shop.platform)

    assert staff.get("/api/v1/refunds/?status=pending_manual").json()["count"] == 1
    assert staff.get("/api/v1/refunds/?status=succeeded").json()["count"] == 0
    assert staff.get("/api/v1/refunds/?status=dikembalikan").status_code == 400
    assert staff.get("/api/v1/refunds/?organization=tidak-ada").status_code == 404
    assert staff.get(f"/api/v1/refunds/?organization={shop.seller.slug}").json()["count"] == 1
    other = OrganizationFactory()
    assert staff.get(f"/api/v1/refunds/?organization={other.slug}").json()["count"] == 0
    assert client_for(shop.stranger).get("/api/v1/refunds/").json()["count"] == 0
    member = client_for(shop.staff)
    assert member.get(f"/api/v1/refunds/?organization={shop.seller.slug}").status_code == 403
    assert member.get(f"/api/v1/refunds/{refund.pk}/").status_code == 404
    assert client_for(shop.buyer).get("/api/v1/refunds/999999/").status_code == 404


# --- Ledger -----------------------------------------------------------------------------------


def test_the_ledger_shows_a_sale_pending_then_available(shop):
    order = shop.paid()
    owner = client_for(shop.owner)
    path = f"/api/v1/ledger/?organization={shop.seller.slug}"

    body = owner.get(path).json()
    assert body["balance"] == {"pending": 300_000, "available": 0, "total": 300_000}
    assert [(e["kind"], e["status"], e["amount"], e["order"]) for e in body["results"]] == [
        ("sale", "pending", 300_000, order.number)
    ]

    order_complete(order=shop.delivered(1), actor=shop.buyer)  # a second order, completed
    body = owner.get(path).json()
    assert body["balance"] == {"pending": 300_000, "available": 150_000, "total": 450_000}
    assert body["count"] == 2
    sales = owner.get(path + "&status=available").json()
    assert [e["amount"] for e in sales["results"]] == [150_000]
    assert owner.get(path + "&kind=sale&kind=payout").json()["count"] == 2
    assert owner.get(path + "&kind=penjualan").status_code == 400


def test_platform_staff_see_every_ledger_and_others_must_name_an_organisation(shop):
    shop.paid()
    other = OrganizationFactory()
    assert client_for(shop.platform).get("/api/v1/ledger/").json()["balance"]["total"] == 300_000
    assert client_for(shop.owner).get("/api/v1/ledger/").status_code == 400
    assert client_for(shop.owner).get(f"/api/v1/ledger/?organization={other.slug}").status_code == (
        403
    )
    assert client_for(shop.staff).get(
        f"/api/v1/ledger/?organization={shop.seller.slug}"
    ).status_code == (403)


# --- Payouts ----------------------------------------------------------------------------------


def payout_body(shop, **changes) -> dict:
    body = {
        "organization": shop.seller.slug,
        "amount": 100_000,
        "reference": "BRI-PAYOUT-0001",
        "paid_on": TODAY().isoformat(),
        "note": "Pencairan pertama.",
    }
    body.update(changes)
    return body


def test_staff_record_a_payout_from_the_available_balance(shop):
    with_payout_account(shop.seller)
    completed(shop)
    staff = client_for(shop.platform)

    response = staff.post("/api/v1/payouts/", payout_body(shop), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["amount"] == 100_000
    assert body["reference"] == "BRI-PAYOUT-0001"
    assert body["account_number"] == "0987654321"
    assert body["organization"]["slug"] == shop.seller.slug
    entry = LedgerEntry.objects.get(kind="payout")
    assert (entry.amount, entry.status, entry.payout_id) == (-100_000, "available", body["id"])
    ledger = client_for(shop.manager).get(f"/api/v1/ledger/?organization={shop.seller.slug}")
    assert ledger.json()["balance"]["available"] == 200_000
    listed = client_for(shop.owner).get(f"/api/v1/payouts/?organization={shop.seller.slug}")
    assert [p["id"] for p in listed.json()["results"]] == [body["id"]]
    assert staff.get("/api/v1/payouts/").json()["count"] == 1

    twice = staff.post("/api/v1/payouts/", payout_body(shop), format="json")
    assert twice.status_code == 409
    assert Payout.objects.count() == 1


def test_a_payout_beyond_the_available_balance_is_a_409(shop):
    with_payout_account(shop.seller)
    completed(shop)
    shop.paid()  # pending money is not available
    before = money_state()

    response = client_for(shop.platform).post(
        "/api/v1/payouts/", payout_body(shop, amount=300_001), format="json"
    )

    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "insufficient_balance"
    assert money_state() == before


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"amount": "seratus ribu"}, "amount"),
        ({"amount": -100_000}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": 10.5}, "amount"),
        ({"amount": 10**25}, "amount"),
        ({"paid_on": "2026/11/23"}, "paid_on"),
        ({"paid_on": "besok"}, "paid_on"),
        ({"paid_on": (TODAY() + datetime.timedelta(days=3)).isoformat()}, "paid_on"),
        ({"reference": ""}, "reference"),
        ({"organization": "tidak-ada"}, "organization"),
        ({"organization": "../%00"}, "organization"),
        ({"organization": None}, "organization"),
        ({"note": "n" * 301}, "note"),
    ],
)
def test_a_bad_payout_is_a_400_on_its_field_and_changes_nothing(shop, changes, field):
    with_payout_account(shop.seller)
    completed(shop)
    before = money_state()

    response = client_for(shop.platform).post(
        "/api/v1/payouts/", payout_body(shop, **changes), format="json"
    )

    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert money_state() == before


def test_a_payout_to_a_posyantek_without_an_account_is_a_400(shop):
    completed(shop)
    before = money_state()

    response = client_for(shop.platform).post("/api/v1/payouts/", payout_body(shop), format="json")

    assert response.status_code == 400, response.json()
    assert money_state() == before


# --- Invoices ---------------------------------------------------------------------------------


def test_the_buyer_reads_its_invoice_and_downloads_the_pdf(shop):
    order = shop.paid()
    invoice = Invoice.objects.get(order=order)
    client = client_for(shop.buyer)

    response = client.get(f"/api/v1/invoices/{invoice.url_number}/")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["number"] == invoice.number
    assert body["url_number"] == invoice.url_number
    assert body["kind"] == "invoice"
    assert body["order"] == order.number
    assert body["total_amount"] == order.total_amount
    assert body["payment_status"] == "paid"
    assert [line["quantity"] for line in body["lines"]] == [2]
    assert body["pdf_url"].endswith(f"/api/v1/invoices/{invoice.url_number}/pdf/")
    pdf = client.get(f"/api/v1/invoices/{invoice.url_number}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="{invoice.url_number}.pdf"'
    assert pdf.content.startswith(b"%PDF-")
    assert client.get(body["pdf_url"], HTTP_ACCEPT="application/pdf").status_code == 200


def test_a_refunded_invoice_lists_its_credit_note(shop):
    refund = open_refund(shop, account=True)
    client_for(shop.platform).post(
        f"/api/v1/refunds/{refund.pk}/succeed/", {"reference": "BRI-2"}, format="json"
    )
    invoice = Invoice.objects.get(order=refund.order, kind="invoice")
    credit_note = Invoice.objects.get(refund=refund)

    body = client_for(shop.owner).get(f"/api/v1/invoices/{invoice.url_number}/").json()
    note = client_for(shop.buyer).get(f"/api/v1/invoices/{credit_note.url_number}/").json()

    assert body["credit_notes"] == [credit_note.url_number]
    assert note["kind"] == "credit_note"
    assert note["credited_invoice"] == invoice.url_number
    assert note["refund_id"] == refund.pk
    assert note["lines"] == []
    pdf = client_for(shop.buyer).get(f"/api/v1/invoices/{credit_note.url_number}/pdf/")
    assert pdf.content.startswith(b"%PDF-")


@pytest.mark.parametrize(
    "number",
    ["INV-2026-11-PWK", "INV%2F2026%2F11%2FPWK%2F0001", "X" * 200, "INV-2026-11-PWK-0001%00"],
)
def test_odd_invoice_numbers_are_a_404(shop, number):
    shop.paid()

    response = client_for(shop.buyer).get(f"/api/v1/invoices/{number}/")

    assert response.status_code == 404
    assert client_for(shop.buyer).get(f"/api/v1/invoices/{number}/pdf/").status_code == 404


def test_an_invoice_is_a_404_for_whoever_may_not_see_it(shop):
    invoice = Invoice.objects.get(order=shop.paid())

    for user in (shop.stranger, UserFactory(is_staff=False)):
        client = client_for(user)
        assert client.get(f"/api/v1/invoices/{invoice.url_number}/").status_code == 404
        assert client.get(f"/api/v1/invoices/{invoice.url_number}/pdf/").status_code == 404


# --- Query budgets ----------------------------------------------------------------------------


def _queries(client, path: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200, response.json()
    return len(context.captured_queries), len(response.json()["results"])


def _sales(shop, count: int, other_seller: Organization) -> None:
    """`count` paid orders, alternating between the shop and another Posyantek, half of
    them cancelled with a refund waiting for an account."""
    other_product = ProductFactory(seller=other_seller, price_amount=50_000, stock=100)
    for index in range(count):
        if index % 2:
            order = shop.paid(1)
            order_cancel(order=order, actor=shop.owner, reason="Stok habis.")
            refund_submit(refund_id=Refund.objects.get(order=order).pk)
        else:
            product = shop.product
            shop.product = other_product
            try:
                shop.paid(1, shipping={other_seller.slug: "pickup"})
            finally:
                shop.product = product


@pytest.mark.parametrize(
    "who, path",
    [
        ("platform", "/api/v1/refunds/?page_size=100"),
        ("buyer", "/api/v1/refunds/?page_size=100"),
        ("owner", "/api/v1/refunds/?organization=posyantek-purwakarta&page_size=100"),
        ("platform", "/api/v1/ledger/?page_size=100"),
        ("manager", "/api/v1/ledger/?organization=posyantek-purwakarta&page_size=100"),
        ("platform", "/api/v1/payouts/?page_size=100"),
    ],
)
def test_money_lists_take_a_fixed_number_of_queries(shop, who, path):
    from tests.factories import ShippingSettingsFactory

    other = OrganizationFactory(slug="posyantek-lain")
    ShippingSettingsFactory(organization=other)
    MembershipFactory(organization=other)
    with_payout_account(shop.seller)
    client = client_for(getattr(shop, who))

    def payouts(count):
        for index in range(count):
            Payout.objects.create(
                organization=shop.seller if index % 2 else other,
                amount=1000,
                reference=f"P-{Payout.objects.count()}",
                paid_on=TODAY(),
                bank_name="BRI",
                account_number="1234567",
                account_holder="X",
                recorded_by=shop.platform,
            )

    _sales(shop, 4, other)
    payouts(2)
    few, few_rows = _queries(client, path)
    _sales(shop, 12, other)
    payouts(8)
    many, many_rows = _queries(client, path)

    assert many_rows > few_rows
    assert many == few
    assert many <= 7


def test_money_lists_take_an_ordering(shop):
    small = shop.paid(1)
    big = shop.paid(3)
    path = f"/api/v1/ledger/?organization={shop.seller.slug}"
    owner = client_for(shop.owner)

    ascending = owner.get(path + "&ordering=amount").json()["results"]
    descending = owner.get(path + "&ordering=-amount").json()["results"]

    assert [e["order"] for e in ascending] == [small.number, big.number]
    assert [e["order"] for e in descending] == [big.number, small.number]
    assert owner.get(path + "&ordering=organization__name").status_code == 200  # ignored
    staff = client_for(shop.platform)
    assert staff.get("/api/v1/refunds/?ordering=-total_amount").status_code == 200
    assert staff.get("/api/v1/payouts/?ordering=paid_on").status_code == 200
