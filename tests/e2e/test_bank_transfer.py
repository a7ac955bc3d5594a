"""On a 360 px phone: a buyer's order awaits payment by bank transfer (placed by checkout,
through the service, to save time); the buyer opens the payment page, sees what to transfer
where, and uploads a photo of the receipt; platform staff, on the transfer desk, open the
proof and confirm the money with the bank's reference; the buyer sees the payment paid, opens
the invoice and downloads its PDF. Every page fits the phone.

Elements are found by id, name, data attributes and URL, not by their wording."""

import io
import re

import pytest
from PIL import Image

from accounts.models import Role
from orders.models import (
    Cart,
    CartItem,
    Invoice,
    LedgerEntry,
    Order,
    Payment,
    ShippingSettings,
    TransferProof,
)
from orders.services.checkout import checkout_place
from tests.e2e.conftest import PHONE, assert_fits_phone
from tests.factories import MembershipFactory, OrganizationFactory, ProductFactory, UserFactory
from tests.orders.conftest import checkout_body

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Ampas-tahu-2026"


@pytest.fixture
def unpaid_order(regions):
    seller = OrganizationFactory(
        name="Posyantek Purwakarta", slug="pwk", code="PWK", nib="9120001234561"
    )
    ShippingSettings.objects.create(organization=seller, pickup_enabled=True)
    owner = UserFactory(name="Siti Operator", email="siti@contoh.id", password=PASSWORD)
    MembershipFactory(user=owner, organization=seller, role=Role.OWNER)
    product = ProductFactory(
        seller=seller, name="Pakan Ternak Ampas Tahu", price_amount=175_000, stock=20
    )
    buyer = UserFactory(name="Budi Santoso", email="budi@contoh.id", password=PASSWORD)
    UserFactory(name="Staf Platform", email="staf@contoh.id", password=PASSWORD, is_staff=True)
    cart = Cart.objects.create(user=buyer)
    CartItem.objects.create(cart=cart, product=product, quantity=2)
    payment = checkout_place(user=buyer, cart=cart, data=checkout_body(seller))
    return payment


def log_in(page, email: str) -> None:
    page.goto(page.base_url + "/akun/masuk/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def receipt_png(tmp_path) -> str:
    path = tmp_path / "bukti-transfer.png"
    buffer = io.BytesIO()
    Image.new("RGB", (600, 400), "white").save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_buyer_pays_by_transfer_staff_confirms_buyer_downloads_the_invoice(
    phone_page, browser, live_server, unpaid_order, tmp_path
):
    payment = unpaid_order
    code = payment.code
    payment_url = f"{live_server.url}/pembayaran/{code}/"

    # --- The buyer: instructions, then the proof -------------------------------------------
    page = phone_page
    log_in(page, "budi@contoh.id")
    page.goto(payment_url)
    assert page.locator("#payment-state").get_attribute("data-state") == "pending"
    assert page.locator("#payment-code").first.inner_text() == code
    assert page.locator("#payment-amount").first.inner_text() == "Rp 350.000"
    assert page.locator("#bank-account-number").inner_text() == "0123-01-000456-30-7"
    assert_fits_phone(page)
    page.set_input_files("#proof-form input[type=file]", receipt_png(tmp_path))
    page.fill("#proof-form input[name=sender_bank]", "BCA")
    page.fill("#proof-form input[name=sender_name]", "Budi Santoso")
    page.click("[data-testid=proof-submit]")
    page.wait_for_load_state()
    assert page.locator("#awaiting-confirmation").count() == 1
    assert_fits_phone(page)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.AWAITING_CONFIRMATION
    assert TransferProof.objects.get(payment=payment).status == "submitted"

    # --- Platform staff, on another phone: the transfer desk --------------------------------
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    try:
        staff = context.new_page()
        staff.set_default_timeout(15_000)
        staff.base_url = live_server.url
        log_in(staff, "staf@contoh.id")
        staff.goto(f"{live_server.url}/staf/transfer/")
        card = staff.locator(f"#proof-queue [data-payment='{code}']")
        assert card.count() == 1
        assert_fits_phone(staff)
        card.locator("a").first.click()
        staff.wait_for_url(re.compile(rf"/staf/transfer/{code}/$"))
        assert staff.locator("#proof-list li").count() == 1
        assert staff.input_value("#id_confirm-amount") == "350000"
        staff.fill("#id_confirm-reference", "BCA-20261123-0042")
        assert_fits_phone(staff)
        staff.click("[data-testid=confirm-submit]")
        # Back on the desk, with nothing left to check.
        staff.wait_for_url(re.compile(r"/staf/transfer/$"))
        assert staff.locator("#proof-queue-empty").count() == 1
    finally:
        context.close()

    payment.refresh_from_db()
    order = payment.orders.get()
    assert payment.status == Payment.Status.PAID
    assert (payment.received_amount, payment.received_reference) == (
        350_000,
        "BCA-20261123-0042",
    )
    assert order.status == Order.Status.PAID
    invoice = Invoice.objects.get(order=order)
    assert re.fullmatch(r"INV/\d{4}/\d{2}/PWK/0001", invoice.number)
    assert LedgerEntry.objects.get(order=order, kind="sale").amount == 350_000

    # --- The buyer again: paid, the invoice, its PDF ---------------------------------------
    page.goto(payment_url)
    assert page.locator("#payment-state").get_attribute("data-state") == "paid"
    assert_fits_phone(page)
    page.click(f"a.invoice-link[data-invoice='{invoice.number}']")
    page.wait_for_url(re.compile(rf"/faktur/{invoice.url_number}/$"))
    assert page.locator("#invoice").get_attribute("data-number") == invoice.number
    assert page.locator("#invoice-total").inner_text() == "Rp 350.000"
    assert page.locator("#invoice-status").get_attribute("data-status") == "paid"
    assert_fits_phone(page)
    with page.expect_download() as download_info:
        page.click("#invoice-pdf-link")
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = (tmp_path / "invoice.pdf").as_posix()
    download.save_as(pdf)
    with open(pdf, "rb") as file:
        assert file.read(5) == b"%PDF-"
