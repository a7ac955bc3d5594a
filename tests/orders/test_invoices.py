"""Invoices and credit notes (orders.services.invoices, orders.invoice_pdf): numbers from a
per-seller monthly series in Asia/Jakarta, once per order, the seller and buyer copied at
issue, credit notes for refunds, the payment status shown, and the PDF."""

import contextlib
import datetime
import zlib
import zoneinfo

import pytest
from django.utils import timezone, translation

from accounts.models import Role
from core.errors import NotFound
from core.money import refund_split
from orders.invoice_pdf import invoice_pdf, latin1
from orders.models import Invoice, InvoiceCounter, Order, Refund
from orders.services.invoices import (
    credit_note_issue,
    invoice_get_by_url,
    invoice_issue,
    invoice_payment_status,
)
from orders.services.lifecycle import order_cancel
from orders.services.terms import TermsLine, order_place_on_terms
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    ShippingSettingsFactory,
)
from tests.orders.conftest import Shop, checkout_body

pytestmark = pytest.mark.django_db

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")


@pytest.fixture(autouse=True)
def english():
    """Labels and PDF texts asserted in their English source form."""
    with translation.override("en"):
        yield


def wib(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=WIB)


@pytest.fixture
def pwk(shop) -> Shop:
    """The shop, its Posyantek coded PWK with its legal details."""
    seller = shop.seller
    seller.code = "PWK"
    seller.nib = "1234567890123"
    seller.npwp = "0123456789012345"
    seller.address = "Jl. Raya Purwakarta No. 5"
    seller.save()
    return shop


def other_shop(shop: Shop, *, code: str) -> Shop:
    """A second Posyantek selling to the same buyer."""
    seller = OrganizationFactory(
        name=f"Posyantek {code}", slug=f"posyantek-{code.lower()}", code=code
    )
    ShippingSettingsFactory(organization=seller)
    product = ProductFactory(seller=seller, name="Alat Pengering", price_amount=80_000, stock=10)
    return Shop(**{**shop.__dict__, "seller": seller, "product": product})


def pdf_text(data: bytes) -> str:
    """The PDF's bytes as text, page streams inflated if they were compressed."""
    text = data.decode("latin-1")
    parts = [text]
    for chunk in text.split("stream\n")[1:]:
        raw = chunk.split("endstream")[0].encode("latin-1")
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompress(raw).decode("latin-1"))
    return "\n".join(parts)


# --- Numbers ----------------------------------------------------------------------------------


def test_number_format_with_the_sellers_code(pwk):
    order = pwk.place(2)
    invoice = invoice_issue(order=order, at=wib(2026, 11, 15, 10, 0))
    assert invoice.number == "INV/2026/11/PWK/0001"
    assert invoice.url_number == "INV-2026-11-PWK-0001"
    assert (invoice.kind, invoice.year, invoice.month, invoice.sequence) == ("invoice", 2026, 11, 1)
    second = invoice_issue(order=pwk.place(1), at=wib(2026, 11, 16, 9, 0))
    assert second.number == "INV/2026/11/PWK/0002"
    assert (
        InvoiceCounter.objects.get(
            seller=pwk.seller, kind="invoice", year=2026, month=11
        ).last_number
        == 2
    )


def test_an_order_gets_one_invoice(pwk):
    order = pwk.place(2)
    first = invoice_issue(order=order, at=wib(2026, 11, 15, 10, 0))
    again = invoice_issue(order=order, at=wib(2026, 11, 20, 10, 0))
    assert again.pk == first.pk
    assert Invoice.objects.filter(order=order).count() == 1
    assert InvoiceCounter.objects.get(seller=pwk.seller, kind="invoice").last_number == 1


def test_the_month_is_the_jakarta_month(pwk):
    # 23:30 WIB on 30 November is 16:30 UTC: still November.
    late_november = invoice_issue(order=pwk.place(1), at=wib(2026, 11, 30, 23, 30))
    # 00:10 WIB on 1 December is still 30 November in UTC (17:10): December here.
    early_december = invoice_issue(
        order=pwk.place(1),
        at=datetime.datetime(2026, 11, 30, 17, 10, tzinfo=datetime.UTC),
    )
    assert late_november.number == "INV/2026/11/PWK/0001"
    assert early_december.number == "INV/2026/12/PWK/0001"
    assert early_december.issued_at == wib(2026, 12, 1, 0, 10)


def test_each_seller_has_its_own_series(pwk):
    srg = other_shop(pwk, code="SRG")
    at = wib(2026, 11, 15, 10, 0)
    assert invoice_issue(order=pwk.place(1), at=at).number == "INV/2026/11/PWK/0001"
    assert invoice_issue(order=srg.place(1), at=at).number == "INV/2026/11/SRG/0001"
    assert invoice_issue(order=pwk.place(1), at=at).number == "INV/2026/11/PWK/0002"
    assert invoice_issue(order=srg.place(1), at=at).number == "INV/2026/11/SRG/0002"


def test_a_paid_order_is_invoiced_at_payment(pwk):
    order = pwk.paid(2)
    invoice = Invoice.objects.get(order=order, kind="invoice")
    now = timezone.localtime(timezone.now(), WIB)
    assert invoice.number == f"INV/{now:%Y}/{now:%m}/PWK/0001"
    assert invoice.issued_at >= order.paid_at  # issued at the move, never backdated
    assert invoice_payment_status(invoice) == ("paid", "Paid in full")


def test_money_confirmed_a_day_late_is_invoiced_in_the_month_it_is_confirmed(pwk, monkeypatch):
    """The money arrived on 30 November but staff confirm it on 1 December: the payment and
    the order are paid on 30 November (the sale counts then), the invoice is December's —
    a closed month never gains an invoice afterwards."""
    import datetime

    from orders.services.transfers import payment_transfer_confirm

    # Placed on 30 November, whatever day the suite runs.
    monkeypatch.setattr(timezone, "now", lambda: wib(2026, 11, 30, 8, 0))
    order = pwk.place(1)
    confirmed = wib(2026, 12, 1, 9, 0)
    monkeypatch.setattr(timezone, "now", lambda: confirmed)
    payment_transfer_confirm(
        payment=order.payment,
        actor=pwk.platform,
        amount=order.payment.amount_due_amount,
        reference="BCA-3011",
        received_on=datetime.date(2026, 11, 30),
    )
    order.refresh_from_db()
    invoice = Invoice.objects.get(order=order, kind="invoice")
    assert timezone.localtime(order.paid_at, WIB).date() == datetime.date(2026, 11, 30)
    assert invoice.number == "INV/2026/12/PWK/0001"
    assert invoice.issued_at == confirmed


def test_a_terms_order_is_invoiced_at_placement(pwk):
    company = OrganizationFactory(kind="industry", name="PT Tahu Makmur", npwp="987654321098765")
    MembershipFactory(user=pwk.buyer, organization=company, role=Role.OWNER)
    order = order_place_on_terms(
        user=pwk.buyer,
        data=checkout_body(pwk.seller, buyer_organization=company.slug),
        lines=[TermsLine(product=pwk.product, quantity=2, unit_price_amount=140_000)],
        payment_terms="net_14",
    )
    invoice = Invoice.objects.get(order=order)
    assert invoice.number.startswith("INV/") and invoice.number.endswith("/PWK/0001")
    assert (invoice.buyer_organization_name, invoice.buyer_npwp) == (
        "PT Tahu Makmur",
        "987654321098765",
    )
    assert invoice.total_amount == order.total_amount == 280_000
    code, label = invoice_payment_status(invoice)
    assert code == "due"
    assert label == f"Due on {order.due_date:%d-%m-%Y}"


# --- What is copied ---------------------------------------------------------------------------


def test_the_seller_and_amounts_are_copied_and_stay(pwk):
    pwk.seller.is_pkp = True
    pwk.seller.save()
    order = pwk.place(2)  # goods 300.000, pickup; PKP: DPP 275.000, PPN 33.000
    invoice = invoice_issue(order=order, at=wib(2026, 11, 15, 10, 0))
    assert (
        invoice.goods_amount,
        invoice.shipping_amount,
        invoice.dpp_amount,
        invoice.ppn_amount,
        invoice.total_amount,
    ) == (300_000, 0, 275_000, 33_000, 333_000)
    assert invoice.seller_is_pkp

    pwk.seller.npwp = "999999999999999"
    pwk.seller.name = "Posyantek Baru"
    pwk.seller.address = "Alamat baru"
    pwk.seller.save()

    invoice = Invoice.objects.get(pk=invoice.pk)
    assert (invoice.seller_name, invoice.seller_npwp, invoice.seller_nib, invoice.seller_code) == (
        "Posyantek Purwakarta",
        "0123456789012345",
        "1234567890123",
        "PWK",
    )
    assert invoice.seller_address.startswith("Jl. Raya Purwakarta No. 5")
    assert invoice.buyer_name == pwk.buyer.name
    assert "999999999999999" not in pdf_text(invoice_pdf(invoice, compress=False))


# --- Credit notes -----------------------------------------------------------------------------


def succeeded_refund(order: Order, amount: int) -> Refund:
    split = refund_split(
        amount=amount,
        goods_amount=order.goods_amount,
        shipping_amount=order.shipping_amount,
        ppn_amount=order.ppn_amount,
    )
    return Refund.objects.create(
        order=order,
        payment=order.payment,
        status=Refund.Status.SUCCEEDED,
        reason=Refund.Reason.DISPUTE,
        provider=order.payment.method,
        goods_amount=split.goods_amount,
        shipping_amount=split.shipping_amount,
        ppn_amount=split.ppn_amount,
        total_amount=split.total_amount,
        succeeded_at=timezone.now(),
    )


def test_a_refund_of_an_invoiced_order_gets_a_credit_note(pwk):
    pwk.seller.is_pkp = True
    pwk.seller.save()
    order = pwk.place(2)  # total 333.000
    invoice = invoice_issue(order=order, at=wib(2026, 11, 15, 10, 0))
    refund = succeeded_refund(order, 111_000)  # PPN 11.000, goods 100.000

    note = credit_note_issue(refund=refund, at=wib(2026, 12, 2, 8, 0))

    assert note.number == "CN/2026/12/PWK/0001"
    assert note.kind == Invoice.Kind.CREDIT_NOTE
    assert (note.refund, note.credited_invoice, note.order) == (refund, invoice, order)
    assert (
        note.goods_amount,
        note.shipping_amount,
        note.dpp_amount,
        note.ppn_amount,
        note.total_amount,
    ) == (100_000, 0, 91_667, 11_000, 111_000)
    assert credit_note_issue(refund=refund, at=timezone.now()).pk == note.pk  # once
    # The invoice keeps its number; its status says what happened.
    invoice.refresh_from_db()
    assert invoice.number == "INV/2026/11/PWK/0001"
    assert invoice_payment_status(invoice)[0] == "partially_refunded"
    assert invoice_payment_status(note) == ("refunded", "Refunded")
    # Credit notes have their own series.
    assert invoice_issue(order=pwk.place(1), at=wib(2026, 12, 3, 8, 0)).number.endswith(
        "/12/PWK/0001"
    )

    text = pdf_text(invoice_pdf(note, compress=False))
    assert "CN/2026/12/PWK/0001" in text
    assert "CREDIT NOTE" in text
    assert "INV/2026/11/PWK/0001" in text


def test_cancelled_paid_order_refunded_in_full_has_a_refunded_invoice(
    pwk, django_capture_on_commit_callbacks
):
    order = pwk.paid(2)
    invoice = Invoice.objects.get(order=order)
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, actor=pwk.manager, reason="Mesin rusak")
    refund = Refund.objects.get(order=order)
    Refund.objects.filter(pk=refund.pk).update(
        status=Refund.Status.SUCCEEDED, succeeded_at=timezone.now()
    )
    refund.refresh_from_db()
    note = credit_note_issue(refund=refund, at=timezone.now())
    assert note.total_amount == invoice.total_amount == 300_000
    assert (note.dpp_amount, note.ppn_amount) == (0, 0)  # not PKP
    assert invoice_payment_status(invoice) == ("refunded", "Refunded")


def test_no_credit_note_without_an_invoice_or_an_order(pwk):
    order = pwk.place(1)
    assert credit_note_issue(refund=succeeded_refund(order, 50_000), at=timezone.now()) is None
    payment_refund = Refund.objects.create(
        order=None,
        payment=order.payment,
        status=Refund.Status.SUCCEEDED,
        reason=Refund.Reason.OVERPAYMENT,
        provider=order.payment.method,
        goods_amount=0,
        shipping_amount=0,
        ppn_amount=0,
        other_amount=1_000,
        total_amount=1_000,
    )
    assert credit_note_issue(refund=payment_refund, at=timezone.now()) is None
    assert not Invoice.objects.exists()


# --- Lookup and status ------------------------------------------------------------------------


def test_get_by_url(pwk):
    invoice = invoice_issue(order=pwk.place(1), at=wib(2026, 11, 15, 10, 0))
    assert invoice_get_by_url("INV-2026-11-PWK-0001") == invoice
    for wrong in ("INV-2026-11-PWK-0002", "INV/2026/11/PWK/0001", "", "x" * 500, None, "../etc"):
        with pytest.raises(NotFound):
            invoice_get_by_url(wrong)


def test_an_unpaid_order_is_not_paid_yet(pwk):
    invoice = invoice_issue(order=pwk.place(1), at=wib(2026, 11, 15, 10, 0))
    assert invoice_payment_status(invoice) == ("unpaid", "Not paid yet")


# --- PDF --------------------------------------------------------------------------------------


def test_pdf_of_a_pkp_invoice(pwk):
    pwk.seller.is_pkp = True
    pwk.seller.save()
    pwk.product.name = "Pakan Ternak “Ampas Tahu” – 50 kg ≥ mutu"
    pwk.product.save()
    order = pwk.place(2)
    invoice = invoice_issue(order=order, at=wib(2026, 11, 15, 10, 0))

    data = invoice_pdf(invoice, compress=False)

    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in (
        "INV/2026/11/PWK/0001",
        "INVOICE",
        "Posyantek Purwakarta",
        "NIB: 1234567890123",
        "NPWP: 0123456789012345",
        "Rp 300.000",  # goods
        "Rp 275.000",  # DPP
        "PPN 12% x DPP",
        "Rp 33.000",  # PPN
        "Rp 333.000",  # total
        "Rp 150.000",  # unit price
        "15-11-2026",
        "Not paid yet",
        "Mitra TTG",
        order.number,
        '"Ampas Tahu" - 50 kg ? mutu',
    ):
        assert expected in text, expected


def test_pdf_of_a_non_pkp_invoice_has_no_ppn(pwk):
    invoice = invoice_issue(order=pwk.paid(1), at=wib(2026, 11, 15, 10, 0))
    text = pdf_text(invoice_pdf(invoice, compress=False))
    assert "Rp 150.000" in text
    assert "PPN 12%" not in text and "DPP" not in text
    assert "Paid in full" in text
    # Compressed (the default) is still a PDF, and smaller.
    compressed = invoice_pdf(invoice)
    assert compressed.startswith(b"%PDF") and len(compressed) < len(
        invoice_pdf(invoice, compress=False)
    )
    assert invoice.number in pdf_text(compressed)


def test_latin1_keeps_text_drawable():
    assert latin1("Rp 1.500.000 − “x” … Café 日本") == 'Rp 1.500.000 - "x" ... Café ??'
