"""The platform staff's money desks: transfers (queue, search by code, confirm, reject),
payments under review (honour, refund), refunds (record sent, failed, try again) and payouts
(balances, record a payout). Everyone but platform staff gets a 404. Each test checks the
answer and the database; a refused action shows why and changes nothing."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from orders.models import Order, Payment, Payout, Refund, TransferProof
from orders.services.lifecycle import order_cancel, order_complete
from orders.services.refunds import refund_account_give
from orders.services.transfers import payment_proof_upload, payment_transfer_confirm

pytestmark = pytest.mark.django_db

QUEUE = "/staf/transfer/"
REVIEW = "/staf/tinjau-pembayaran/"
REFUNDS = "/staf/refund/"
PAYOUTS = "/staf/payout/"


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (90, 90, 200)).save(buffer, format="JPEG")
    return SimpleUploadedFile("bukti.jpg", buffer.getvalue(), content_type="image/jpeg")


def transfer(payment: Payment) -> str:
    return reverse("order-staff:transfer-review", args=[payment.code])


def fresh(instance):
    return type(instance).objects.get(pk=instance.pk)


def today() -> str:
    return timezone.localdate().isoformat()


def awaiting(shop) -> Payment:
    """A payment whose buyer uploaded a proof."""
    payment = shop.place().payment
    payment_proof_upload(payment=payment, actor=shop.buyer, file=jpeg())
    return fresh(payment)


def test_urls_reverse():
    assert reverse("order-staff:transfer-queue") == QUEUE
    assert reverse("order-staff:transfer-review", args=["ABCD2345"]) == "/staf/transfer/ABCD2345/"
    assert reverse("order-staff:payment-review") == REVIEW
    assert reverse("order-staff:refund-queue") == REFUNDS
    assert reverse("order-staff:payout-queue") == PAYOUTS


def test_the_desks_do_not_exist_for_anyone_but_platform_staff(client, shop):
    payment = awaiting(shop)
    urls = [QUEUE, transfer(payment), REVIEW, REFUNDS, PAYOUTS]
    for user in (shop.buyer, shop.owner, shop.stranger, None):
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        response = client.post(
            transfer(payment),
            {
                "action": "confirm",
                "confirm-amount": payment.amount_due_amount,
                "confirm-reference": "X",
                "confirm-received_on": today(),
            },
        )
        assert response.status_code == 404
    assert fresh(payment).status == Payment.Status.AWAITING_CONFIRMATION


def test_staff_see_the_desk_links_in_the_header(client, shop):
    client.force_login(shop.platform)
    html = client.get("/").content.decode()
    for name in ("transfer-desk-nav", "refund-desk-nav", "payout-desk-nav"):
        assert f'id="{name}"' in html
    client.force_login(shop.buyer)
    assert 'id="transfer-desk-nav"' not in client.get("/").content.decode()


def test_the_transfer_queue_lists_proofs_oldest_first_and_finds_a_code(client, shop):
    first = awaiting(shop)
    second = awaiting(shop)
    shop.place()  # pending, no proof: not in the queue
    client.force_login(shop.platform)
    response = client.get(QUEUE)
    assert response.status_code == 200
    codes = [proof.payment.code for proof in response.context["page"].object_list]
    assert codes == [first.code, second.code]
    found = client.get(QUEUE + f"?code={second.code.lower()}")
    assert found.status_code == 302
    assert found["Location"] == transfer(second)
    missing = client.get(QUEUE + "?code=ZZZZ9999")
    assert missing.status_code == 200
    assert 'id="code-not-found"' in missing.content.decode()


def test_staff_confirm_a_transfer(client, shop):
    payment = awaiting(shop)
    client.force_login(shop.platform)
    page = client.get(transfer(payment))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="confirm-form"' in html and 'id="reject-form"' in html
    assert page.context["confirm_form"].initial["amount"] == payment.amount_due_amount
    proof = TransferProof.objects.get(payment=payment)
    assert reverse("orders:payment_proof", args=[payment.code, proof.pk]) in html
    assert 'class="proof-preview"' in html

    response = client.post(
        transfer(payment),
        {
            "action": "confirm",
            "confirm-amount": payment.amount_due_amount,
            "confirm-reference": "BRI-20261123-001",
            "confirm-received_on": today(),
        },
    )
    assert response.status_code == 302
    payment = fresh(payment)
    assert payment.status == Payment.Status.PAID
    assert payment.received_amount == payment.amount_due_amount
    assert payment.received_reference == "BRI-20261123-001"
    assert set(payment.orders.values_list("status", flat=True)) == {Order.Status.PAID}
    assert fresh(proof).status == TransferProof.Status.CONFIRMED

    # A second confirmation is refused next to the action and changes nothing.
    again = client.post(
        transfer(payment),
        {
            "action": "confirm",
            "confirm-amount": payment.amount_due_amount,
            "confirm-reference": "BRI-20261123-002",
            "confirm-received_on": today(),
        },
    )
    assert again.status_code == 409
    assert again.context["error"]
    assert fresh(payment).received_reference == "BRI-20261123-001"


def test_a_confirmation_without_a_reference_changes_nothing(client, shop):
    payment = awaiting(shop)
    client.force_login(shop.platform)
    response = client.post(
        transfer(payment),
        {"action": "confirm", "confirm-amount": "", "confirm-received_on": today()},
    )
    assert response.status_code == 400
    errors = response.context["confirm_form"].errors
    assert "reference" in errors and "amount" in errors
    assert fresh(payment).status == Payment.Status.AWAITING_CONFIRMATION
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(
        transfer(payment),
        {
            "action": "confirm",
            "confirm-amount": payment.amount_due_amount,
            "confirm-reference": "BRI-1",
            "confirm-received_on": future,
        },
    )
    assert response.status_code == 400
    assert "received_on" in response.context["confirm_form"].errors
    assert fresh(payment).status == Payment.Status.AWAITING_CONFIRMATION


def test_staff_reject_a_proof_with_a_reason(client, shop):
    payment = awaiting(shop)
    client.force_login(shop.platform)
    response = client.post(transfer(payment), {"action": "reject", "reject-reason": ""})
    assert response.status_code == 400
    assert "reason" in response.context["reject_form"].errors
    assert fresh(payment).status == Payment.Status.AWAITING_CONFIRMATION

    response = client.post(
        transfer(payment), {"action": "reject", "reject-reason": "Tidak ada dana masuk."}
    )
    assert response.status_code == 302
    assert fresh(payment).status == Payment.Status.PENDING
    proof = TransferProof.objects.get(payment=payment)
    assert proof.status == TransferProof.Status.REJECTED
    assert proof.rejection_reason == "Tidak ada dana masuk."
    # Nothing to reject any more: the form is gone, a stale post is refused.
    page = client.get(transfer(payment))
    assert 'id="reject-form"' not in page.content.decode()
    stale = client.post(transfer(payment), {"action": "reject", "reject-reason": "Lagi."})
    assert stale.status_code == 409
    assert stale.context["error"]


def test_a_different_amount_goes_under_review_and_is_refunded(
    client, shop, django_capture_on_commit_callbacks
):
    payment = awaiting(shop)
    client.force_login(shop.platform)
    response = client.post(
        transfer(payment),
        {
            "action": "confirm",
            "confirm-amount": payment.amount_due_amount - 50_000,
            "confirm-reference": "BRI-KURANG",
            "confirm-received_on": today(),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == REVIEW
    payment = fresh(payment)
    assert payment.status == Payment.Status.NEEDS_REVIEW

    page = client.get(REVIEW)
    assert page.status_code == 200
    assert [row["payment"].code for row in page.context["rows"]] == [payment.code]
    assert page.context["rows"][0]["short"]

    # Less than due cannot be honoured: refused next to that payment, nothing changes.
    honour = client.post(REVIEW, {"code": payment.code, f"{payment.code}-decision": "honour"})
    assert honour.status_code == 409
    assert honour.context["rows"][0]["error"]
    assert fresh(payment).status == Payment.Status.NEEDS_REVIEW
    assert not Refund.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        refund = client.post(
            REVIEW,
            {
                "code": payment.code,
                f"{payment.code}-decision": "refund",
                f"{payment.code}-note": "x",
            },
        )
    assert refund.status_code == 302
    made = Refund.objects.get(payment=payment)
    assert made.total_amount == payment.received_amount
    assert made.order_id is None
    # It waits on the refund desk for the buyer's account.
    desk = client.get(REFUNDS)
    assert [row["refund"].pk for row in desk.context["waiting"]] == [made.pk]


def test_a_review_decision_without_a_choice_changes_nothing(client, shop):
    payment = awaiting(shop)
    payment_transfer_confirm(
        payment=payment,
        actor=shop.platform,
        amount=payment.amount_due_amount + 1_000,
        reference="BRI-LEBIH",
        received_on=timezone.localdate(),
    )
    client.force_login(shop.platform)
    response = client.post(REVIEW, {"code": payment.code})
    assert response.status_code == 400
    assert "decision" in response.context["rows"][0]["form"].errors
    assert fresh(payment).status == Payment.Status.NEEDS_REVIEW
    unknown = client.post(REVIEW, {"code": "ZZZZ9999", "ZZZZ9999-decision": "refund"})
    assert unknown.status_code == 404
    assert unknown.context["error"]


def cancelled_paid_order(shop, capture) -> Refund:
    order = shop.paid()
    with capture(execute=True):
        order_cancel(order=order, actor=shop.manager, reason="Stok habis")
    return Refund.objects.get(order=order)


def test_staff_record_a_refund_sent(client, shop, django_capture_on_commit_callbacks):
    refund = cancelled_paid_order(shop, django_capture_on_commit_callbacks)
    client.force_login(shop.platform)
    page = client.get(REFUNDS)
    assert [row["refund"].pk for row in page.context["waiting"]] == [refund.pk]
    assert page.context["ready"] == []

    refund_account_give(
        refund=refund,
        actor=shop.buyer,
        bank_name="BNI",
        account_number="0123456789",
        account_holder="Budi Santoso",
    )
    page = client.get(REFUNDS)
    assert [row["refund"].pk for row in page.context["ready"]] == [refund.pk]
    assert "0123456789" in page.content.decode()

    prefix = f"sent-{refund.pk}"
    response = client.post(REFUNDS, {"action": "sent", "refund": refund.pk})
    assert response.status_code == 400
    assert fresh(refund).status == Refund.Status.PENDING_MANUAL

    response = client.post(
        REFUNDS, {"action": "sent", "refund": refund.pk, f"{prefix}-reference": "BNI-BALIK-1"}
    )
    assert response.status_code == 302
    refund = fresh(refund)
    assert refund.status == Refund.Status.SUCCEEDED
    assert refund.provider_reference == "BNI-BALIK-1"
    assert fresh(refund.order).status == Order.Status.REFUNDED


def test_a_refund_without_an_account_cannot_be_recorded_sent(
    client, shop, django_capture_on_commit_callbacks
):
    refund = cancelled_paid_order(shop, django_capture_on_commit_callbacks)
    client.force_login(shop.platform)
    response = client.post(
        REFUNDS, {"action": "sent", "refund": refund.pk, f"sent-{refund.pk}-reference": "X-1"}
    )
    assert response.status_code == 409
    assert response.context["waiting"][0]["error"]  # shown on that refund's card
    assert fresh(refund).status == Refund.Status.PENDING_MANUAL


def test_staff_record_a_failed_refund_and_try_again(
    client, shop, django_capture_on_commit_callbacks
):
    refund = cancelled_paid_order(shop, django_capture_on_commit_callbacks)
    client.force_login(shop.platform)
    response = client.post(REFUNDS, {"action": "fail", "refund": refund.pk})
    assert response.status_code == 400
    assert fresh(refund).status == Refund.Status.PENDING_MANUAL

    response = client.post(
        REFUNDS,
        {"action": "fail", "refund": refund.pk, f"fail-{refund.pk}-reason": "Rekening ditutup."},
    )
    assert response.status_code == 302
    refund = fresh(refund)
    assert refund.status == Refund.Status.FAILED
    assert refund.failure_reason == "Rekening ditutup."
    page = client.get(REFUNDS)
    assert [row["refund"].pk for row in page.context["failed"]] == [refund.pk]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REFUNDS, {"action": "retry", "refund": refund.pk})
    assert response.status_code == 302
    again = Refund.objects.exclude(pk=refund.pk).get(order=refund.order)
    assert again.total_amount == refund.total_amount
    assert again.status in Refund.OPEN
    page = client.get(REFUNDS)
    assert page.context["failed"] == []  # tried again: not offered twice
    unknown = client.post(REFUNDS, {"action": "retry", "refund": "999999"})
    assert unknown.status_code == 404


def with_payout_account(organization):
    organization.payout_bank_name = "Bank BJB"
    organization.payout_account_number = "0012345678901"
    organization.payout_account_holder = "Posyantek Purwakarta"
    organization.save()


def test_staff_record_a_payout(client, shop):
    done = order_complete(order=shop.shipped(), actor=shop.buyer)
    shop.paid()  # pending money: not payable
    client.force_login(shop.platform)
    page = client.get(PAYOUTS)
    rows = page.context["rows"]
    assert [row["organization"].pk for row in rows] == [shop.seller.pk]
    assert rows[0]["available"] == done.total_amount
    assert not rows[0]["has_account"]
    assert 'data-testid="no-payout-account"' in page.content.decode()

    with_payout_account(shop.seller)
    page = client.get(PAYOUTS)
    assert page.context["rows"][0]["form"].initial["amount"] == done.total_amount
    slug = shop.seller.slug

    too_much = client.post(
        PAYOUTS,
        {
            "organization": slug,
            f"{slug}-amount": done.total_amount + 1,
            f"{slug}-reference": "BJB-OUT-1",
            f"{slug}-paid_on": today(),
        },
    )
    assert too_much.status_code == 409
    assert too_much.context["rows"][0]["error"]
    assert not Payout.objects.exists()

    response = client.post(
        PAYOUTS,
        {
            "organization": slug,
            f"{slug}-amount": done.total_amount,
            f"{slug}-reference": "BJB-OUT-1",
            f"{slug}-paid_on": today(),
        },
    )
    assert response.status_code == 302
    payout = Payout.objects.get()
    assert (payout.amount, payout.reference) == (done.total_amount, "BJB-OUT-1")
    page = client.get(PAYOUTS)
    assert page.context["rows"] == []  # nothing available any more
    assert f'data-payout="{payout.pk}"' in page.content.decode()


def test_a_payout_form_with_errors_changes_nothing(client, shop):
    order_complete(order=shop.shipped(), actor=shop.buyer)
    with_payout_account(shop.seller)
    client.force_login(shop.platform)
    slug = shop.seller.slug
    response = client.post(PAYOUTS, {"organization": slug, f"{slug}-amount": "-5"})
    assert response.status_code == 400
    errors = response.context["rows"][0]["form"].errors
    assert {"amount", "reference", "paid_on"} <= set(errors)
    assert not Payout.objects.exists()
    unknown = client.post(PAYOUTS, {"organization": "tidak-ada"})
    assert unknown.status_code == 404
    assert unknown.context["error"]
