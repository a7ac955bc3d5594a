"""The admin shows refunds, disputes and reviews read-only; a refund succeeds only through the
"Mark succeeded" action, which calls refund_mark_succeeded."""

import pytest

from orders.models import Dispute, Order, Refund, RefundEvent
from orders.services.disputes import order_report_problem
from orders.services.lifecycle import order_cancel
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_refund_marked_succeeded_through_the_action_once(shop, admin_client):
    order = order_cancel(order=shop.paid(2), actor=shop.owner, reason="Mesin rusak")
    refund = Refund.objects.get()

    assert admin_client.get(f"/admin/orders/refund/{refund.pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/orders/order/{order.pk}/change/").status_code == 200
    assert admin_client.get("/admin/orders/refund/add/").status_code == 403
    for _attempt in range(2):  # the second run is refused by the service, not doubled
        response = admin_client.post(
            "/admin/orders/refund/",
            {"action": "mark_succeeded", "_selected_action": [refund.pk]},
            follow=True,
        )
        assert response.status_code == 200

    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert order.status == Order.Status.REFUNDED
    assert RefundEvent.objects.filter(refund=refund, to_status="succeeded").count() == 1


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
