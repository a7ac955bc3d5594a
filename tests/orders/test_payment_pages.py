"""The buyer's payment pages: the payment page (instructions, proof upload, awaiting
confirmation, rejected, paid with invoices), the private proof file, the refund account form
(order page and its own page), the invoice page and PDF, and the links from the order pages.
Each test checks the answer and the database.

Assertions use status codes, ids, data attributes and the database, not wording
(translations come later)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import Role
from orders.models import Invoice, Payment, Refund, TransferProof
from orders.services.lifecycle import order_cancel
from orders.services.transfers import payment_proof_upload, payment_transfer_reject
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def jpeg(name: str = "bukti.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 120, 60)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def pay_url(payment: Payment) -> str:
    return reverse("orders:payment_detail", args=[payment.code])


def fresh(instance):
    return type(instance).objects.get(pk=instance.pk)


def upload(client, payment: Payment, file, **extra):
    data = {"action": "proof", "file": file, "sender_bank": "BRI", "sender_name": "Budi"}
    data.update(extra)
    return client.post(pay_url(payment), data)


def test_urls_reverse():
    assert reverse("orders:payment_detail", args=["ABCD2345"]) == "/pembayaran/ABCD2345/"
    assert reverse("orders:payment_proof", args=["ABCD2345", 7]) == "/pembayaran/ABCD2345/bukti/7/"
    assert reverse("orders:refund_account", args=[3]) == "/refund/3/rekening/"
    assert (
        reverse("orders:invoice_detail", args=["INV-2026-11-PWK-0001"])
        == "/faktur/INV-2026-11-PWK-0001/"
    )
    assert (
        reverse("orders:invoice_pdf", args=["INV-2026-11-PWK-0001"])
        == "/faktur/INV-2026-11-PWK-0001/pdf/"
    )


def test_the_payment_page_shows_what_to_transfer(client, shop, settings):
    order = shop.place()
    payment = order.payment
    client.force_login(shop.buyer)
    response = client.get(pay_url(payment))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["state"] == "pending"
    assert 'id="payment-instructions"' in html
    assert payment.code in html
    assert "Rp 300.000" in html  # 2 × Rp 150.000, pickup
    assert settings.PLATFORM_BANK_ACCOUNT_NUMBER in html
    assert settings.PLATFORM_BANK_ACCOUNT_HOLDER in html
    # Copy buttons: the code, the amount in digits, the account number without dashes.
    assert f'data-copy="{payment.code}"' in html
    assert 'data-copy="300000"' in html
    assert 'data-copy="0123010004563' in html
    assert "js/copy.js" in html
    assert 'id="proof-form"' in html
    assert f'data-order="{order.number}"' in html


def test_the_payment_page_is_for_its_buyer_side_and_staff_only(client, shop):
    payment = shop.place().payment
    client.force_login(shop.stranger)
    assert client.get(pay_url(payment)).status_code == 404
    client.force_login(shop.owner)  # the seller sees its orders, not the buyer's payment
    assert client.get(pay_url(payment)).status_code == 404
    assert client.get("/pembayaran/NOPE2345/").status_code == 404
    assert client.get("/pembayaran/bad%20code/").status_code == 404
    client.force_login(shop.platform)
    response = client.get(pay_url(payment))
    assert response.status_code == 200
    assert not response.context["can_upload"]
    client.logout()
    assert client.get(pay_url(payment)).status_code == 302  # to the login page


def test_a_stranger_cannot_upload_a_proof(client, shop):
    payment = shop.place().payment
    client.force_login(shop.stranger)
    assert upload(client, payment, jpeg()).status_code == 404
    assert fresh(payment).status == Payment.Status.PENDING
    assert not TransferProof.objects.exists()


def test_uploading_a_proof_awaits_confirmation(client, shop):
    order = shop.place()
    payment = order.payment
    client.force_login(shop.buyer)
    response = upload(client, payment, jpeg())
    assert response.status_code == 302
    assert response["Location"] == pay_url(payment)
    payment = fresh(payment)
    assert payment.status == Payment.Status.AWAITING_CONFIRMATION
    proof = TransferProof.objects.get(payment=payment)
    assert proof.status == TransferProof.Status.SUBMITTED
    assert (proof.sender_bank, proof.sender_name) == ("BRI", "Budi")

    page = client.get(pay_url(payment))
    assert page.context["state"] == "awaiting_confirmation"
    html = page.content.decode()
    assert 'id="awaiting-confirmation"' in html
    assert 'id="proof-form"' not in html
    assert f'data-proof="{proof.pk}"' in html

    # The order page links to the payment page.
    order_page = client.get(reverse("orders:order_detail", args=[order.number]))
    assert f'href="{pay_url(payment)}"' in order_page.content.decode()

    # A second proof while the first is checked is refused, next to the form.
    again = upload(client, payment, jpeg())
    assert again.status_code == 409
    assert TransferProof.objects.filter(payment=payment).count() == 1


def test_the_proof_file_is_private(client, shop):
    payment = shop.place().payment
    proof = payment_proof_upload(payment=payment, actor=shop.buyer, file=jpeg())
    url = reverse("orders:payment_proof", args=[payment.code, proof.pk])
    client.force_login(shop.buyer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    client.force_login(shop.platform)
    assert client.get(url).status_code == 200
    for user in (shop.stranger, shop.owner):
        client.force_login(user)
        assert client.get(url).status_code == 404
    # The proof id under another payment's code: 404.
    other = shop.place().payment
    client.force_login(shop.buyer)
    assert (
        client.get(reverse("orders:payment_proof", args=[other.code, proof.pk])).status_code == 404
    )


def test_a_text_file_renamed_jpg_is_refused_and_changes_nothing(client, shop):
    payment = shop.place().payment
    client.force_login(shop.buyer)
    fake = SimpleUploadedFile("bukti.jpg", b"just some text, not a picture", "image/jpeg")
    response = upload(client, payment, fake)
    assert response.status_code == 400
    assert "file" in response.context["proof_form"].errors
    assert 'id="proof-form"' in response.content.decode()
    assert fresh(payment).status == Payment.Status.PENDING
    assert not TransferProof.objects.exists()


def test_a_too_large_proof_is_refused_and_changes_nothing(client, shop, settings):
    settings.TRANSFER_PROOF_MAX_MB = 1
    payment = shop.place().payment
    client.force_login(shop.buyer)
    big = SimpleUploadedFile("bukti.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10))
    response = upload(client, payment, big)
    assert response.status_code == 400
    assert "file" in response.context["proof_form"].errors
    assert fresh(payment).status == Payment.Status.PENDING
    assert not TransferProof.objects.exists()


def test_a_missing_file_is_refused(client, shop):
    payment = shop.place().payment
    client.force_login(shop.buyer)
    response = client.post(pay_url(payment), {"action": "proof"})
    assert response.status_code == 400
    assert "file" in response.context["proof_form"].errors
    assert fresh(payment).status == Payment.Status.PENDING


def test_a_pdf_proof_is_accepted(client, shop):
    payment = shop.place().payment
    client.force_login(shop.buyer)
    pdf = SimpleUploadedFile("bukti.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    assert upload(client, payment, pdf).status_code == 302
    assert fresh(payment).status == Payment.Status.AWAITING_CONFIRMATION


def test_a_rejected_proof_shows_the_reason_and_the_form_again(client, shop):
    payment = shop.place().payment
    payment_proof_upload(payment=payment, actor=shop.buyer, file=jpeg())
    payment_transfer_reject(
        payment=payment, actor=shop.platform, reason="Nominal tidak ditemukan di rekening."
    )
    client.force_login(shop.buyer)
    response = client.get(pay_url(payment))
    assert response.context["state"] == "rejected"
    html = response.content.decode()
    assert 'id="proof-rejected"' in html
    assert "Nominal tidak ditemukan di rekening." in html
    assert 'id="proof-form"' in html
    assert upload(client, payment, jpeg()).status_code == 302
    assert fresh(payment).status == Payment.Status.AWAITING_CONFIRMATION


def test_a_paid_payment_links_each_invoice(client, shop):
    order = shop.paid()
    invoice = Invoice.objects.get(order=order, kind=Invoice.Kind.INVOICE)
    client.force_login(shop.buyer)
    response = client.get(pay_url(order.payment))
    assert response.context["state"] == "paid"
    html = response.content.decode()
    invoice_url = reverse("orders:invoice_detail", args=[invoice.url_number])
    assert f'href="{invoice_url}"' in html
    assert 'id="proof-form"' not in html
    # Paid: an upload is refused.
    assert upload(client, order.payment, jpeg()).status_code == 409
    # The order page and the desk link it too.
    assert (
        invoice_url
        in client.get(reverse("orders:order_detail", args=[order.number])).content.decode()
    )
    client.force_login(shop.staff)
    desk = client.get(reverse("orders:desk_detail", args=[shop.seller.slug, order.number]))
    assert invoice_url in desk.content.decode()


def test_the_invoice_page_and_pdf(client, shop):
    order = shop.paid()
    invoice = Invoice.objects.get(order=order, kind=Invoice.Kind.INVOICE)
    page_url = reverse("orders:invoice_detail", args=[invoice.url_number])
    pdf_url = reverse("orders:invoice_pdf", args=[invoice.url_number])
    for user in (shop.buyer, shop.staff, shop.owner, shop.platform):
        client.force_login(user)
        response = client.get(page_url)
        assert response.status_code == 200
        html = response.content.decode()
        assert invoice.number in html
        assert 'id="invoice-lines"' in html
        assert response.context["status_key"] == "paid"
        assert "@media print" not in html  # the print CSS lives in site.css
    client.force_login(shop.buyer)
    response = client.get(pdf_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"{invoice.url_number}.pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    client.force_login(shop.stranger)
    assert client.get(page_url).status_code == 404
    assert client.get(pdf_url).status_code == 404
    client.force_login(shop.buyer)
    # Well formed, but never issued.
    assert client.get(f"/faktur/INV-2026-01-{shop.seller.code}-9999/").status_code == 404
    assert client.get("/faktur/nonsense/pdf/").status_code == 404


def _refund_waiting_for_account(shop, django_capture_on_commit_callbacks) -> Refund:
    """A paid order the Posyantek cancels: a bank transfer refund that, once submitted,
    waits for the buyer's account (pending_manual)."""
    order = shop.paid()
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, actor=shop.manager, reason="Stok habis")
    refund = Refund.objects.get(order=order)
    assert refund.status == Refund.Status.PENDING_MANUAL
    return refund


def test_the_buyer_gives_the_refund_account_on_the_order_page(
    client, shop, django_capture_on_commit_callbacks
):
    refund = _refund_waiting_for_account(shop, django_capture_on_commit_callbacks)
    client.force_login(shop.buyer)
    page = client.get(reverse("orders:order_detail", args=[refund.order.number]))
    html = page.content.decode()
    account_url = reverse("orders:refund_account", args=[refund.pk])
    assert f'action="{account_url}"' in html
    assert page.context["refunds_to_give"] == [refund]

    response = client.post(
        account_url,
        {"bank_name": "BNI", "account_number": "0123 4567 89", "account_holder": "Budi Santoso"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:order_detail", args=[refund.order.number])
    refund = fresh(refund)
    assert refund.has_account
    assert refund.account_bank_name == "BNI"
    assert refund.account_given_at is not None
    page = client.get(reverse("orders:order_detail", args=[refund.order.number]))
    assert page.context["refunds_to_give"] == []
    assert client.get(account_url).context["can_give"] is False


def test_a_bad_refund_account_shows_the_error_and_changes_nothing(
    client, shop, django_capture_on_commit_callbacks
):
    refund = _refund_waiting_for_account(shop, django_capture_on_commit_callbacks)
    url = reverse("orders:refund_account", args=[refund.pk])
    client.force_login(shop.buyer)
    response = client.post(url, {"bank_name": "BNI", "account_number": "abc", "account_holder": ""})
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not fresh(refund).has_account


def test_only_the_buyer_side_gives_a_refund_account(
    client, shop, django_capture_on_commit_callbacks
):
    refund = _refund_waiting_for_account(shop, django_capture_on_commit_callbacks)
    url = reverse("orders:refund_account", args=[refund.pk])
    data = {"bank_name": "BNI", "account_number": "0123456789", "account_holder": "Orang Lain"}
    for user in (shop.stranger, shop.owner, shop.platform):
        client.force_login(user)
        assert client.post(url, data).status_code == 404
    assert not fresh(refund).has_account
    assert client.get("/refund/999999/rekening/").status_code == 404


def test_a_member_of_the_buying_organisation_sees_and_pays(client, shop):
    office = OrganizationFactory(kind="government", slug="dinas-uji")
    colleague = UserFactory()
    for user in (shop.buyer, colleague):
        MembershipFactory(user=user, organization=office, role=Role.STAFF)
    payment = shop.place(buyer_organization="dinas-uji").payment
    client.force_login(colleague)
    response = client.get(pay_url(payment))
    assert response.status_code == 200
    assert response.context["can_upload"]
    assert upload(client, payment, jpeg()).status_code == 302
    assert fresh(payment).status == Payment.Status.AWAITING_CONFIRMATION
