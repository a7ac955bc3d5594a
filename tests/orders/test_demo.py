"""The orders demo of `seed_demo`: every demo Posyantek ships, and the demo buyer's orders with
Posyantek Kecamatan Purwakarta stand at every step of their life — once, however often it runs."""

import pytest
from django.core.management import call_command

from orders.models import (
    Dispute,
    Invoice,
    LedgerEntry,
    Order,
    Payment,
    Payout,
    Refund,
    Review,
    ShippingSettings,
    TransferProof,
)
from orders.services.ledger import ledger_balance, ledger_check

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        sorted(Order.objects.values_list("seller__code", "status", "total_amount")),
        ShippingSettings.objects.count(),
        Review.objects.count(),
        Invoice.objects.count(),
        LedgerEntry.objects.count(),
        Payout.objects.count(),
    )


@pytest.mark.smoke
def test_seed_demo_places_orders_in_every_step_once(regions):
    call_command("seed_demo", "--force")
    first = snapshot()
    call_command("seed_demo", "--force")

    assert snapshot() == first
    statuses = set(Order.objects.filter(seller__code="PWK").values_list("status", flat=True))
    assert statuses == {
        "pending_payment",
        "paid",
        "processing",
        "shipped",
        "delivered",
        "completed",
        "in_dispute",
        "cancelled",
        "placed_on_terms",  # the weekly ampas tahu supply to PT Mitra Pakan Cilegon (mitra demo)
    }
    # Each desk has something to do: a proof to check, a refund to send.
    waiting = Payment.objects.get(status="awaiting_confirmation")
    assert TransferProof.objects.get(payment=waiting).status == "submitted"
    refund = Refund.objects.get(status="pending_manual")
    assert refund.has_account and refund.order.status == "cancelled"
    # Money adds up: every paid order invoiced (the reports demo's history of every demo
    # Posyantek too), a payout drawn on the available balance.
    paid = Order.objects.filter(paid_at__isnull=False)
    on_terms = Order.objects.filter(payment_terms__in=["net_14", "net_30"])  # invoiced when placed
    assert Invoice.objects.filter(kind="invoice").count() == paid.count() + on_terms.count()
    payout = Payout.objects.get(reference="BRI-PAYOUT-0001")
    balance = ledger_balance(organization=payout.organization)
    assert balance.available >= 0 and balance.pending > 0
    assert ledger_check().ok
    dispute = Dispute.objects.get(order__buyer__email="pembeli@mitra-ttg.test")
    assert dispute.order.status == "in_dispute"
    review = Review.objects.select_related("product").get()
    assert (review.product.rating_count, review.product.rating_average) == (1, 5)
    purwakarta = ShippingSettings.objects.get(organization__code="PWK")
    assert purwakarta.own_delivery_enabled and purwakarta.courier_enabled
    assert purwakarta.delivery_rates.filter(regency_id="36.72").exists()
