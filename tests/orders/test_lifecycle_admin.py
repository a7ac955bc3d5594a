"""The admin shows orders, payments, refunds, disputes, reviews, the ledger, payouts and
invoices read-only; money moves only on the staff desks, through the services."""

import pytest

from orders.models import Dispute, Refund, RefundEvent
from orders.services.disputes import order_report_problem
from orders.services.lifecycle import order_cancel
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_money_is_shown_read_only_and_moves_only_on_the_staff_desks(shop, admin_client):
    order = order_cancel(order=shop.paid(2), actor=shop.owner, reason="Mesin rusak")
    refund = Refund.objects.get()
    pages = [
        f"/admin/orders/refund/{refund.pk}/change/",
        f"/admin/orders/order/{order.pk}/change/",
        f"/admin/orders/payment/{order.payment_id}/change/",
        "/admin/orders/payment/",
        "/admin/orders/refund/",
        "/admin/orders/ledgerentry/",
        "/admin/orders/payout/",
        "/admin/orders/invoice/",
    ]
    for page in pages:
        assert admin_client.get(page).status_code == 200, page
    for model in ["refund", "payment", "ledgerentry", "payout", "invoice"]:
        assert admin_client.get(f"/admin/orders/{model}/add/").status_code == 403
    # No bulk action can mark money moved without its reference: only "delete" would be
    # offered by Django, and deleting is off.
    response = admin_client.get("/admin/orders/refund/")
    assert b"mark_succeeded" not in response.content
    assert b"mark_paid" not in admin_client.get("/admin/orders/payment/").content

    refund.refresh_from_db()
    assert refund.status in Refund.OPEN
    assert RefundEvent.objects.filter(refund=refund, to_status="succeeded").count() == 0


def test_refund_amounts_cannot_be_edited_in_the_admin(shop, admin_client):
    order_cancel(order=shop.paid(2), actor=shop.owner, reason="Mesin rusak")
    refund = Refund.objects.get()

    admin_client.post(
        f"/admin/orders/refund/{refund.pk}/change/",
        {"total_amount": 1, "status": "succeeded"},
    )

    refund.refresh_from_db()
    assert (refund.total_amount, refund.status) == (300_000, Refund.Status.REQUESTED)


def test_disputes_are_shown_read_only(shop, admin_client):
    order = shop.delivered(1)
    order_report_problem(order=order, actor=shop.buyer, reason="damaged", description="Pecah")
    dispute = Dispute.objects.get()

    assert admin_client.get("/admin/orders/dispute/").status_code == 200
    assert admin_client.get(f"/admin/orders/dispute/{dispute.pk}/change/").status_code == 200
    assert admin_client.get("/admin/orders/review/").status_code == 200
