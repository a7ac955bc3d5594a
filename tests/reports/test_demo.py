"""The reports demo of `seed_demo`: six months of history across the demo Posyantek — growth
for Purwakarta, a monsoon dip for Mitra Pantura, refunds, payouts, partnerships in every state
and one quiet Posyantek — written once, with the ledger balanced and the dashboard's months
filled."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Organization, User
from marketplace.demo import CATALOGUE
from marketplace.models import Product
from mitra.models import Partnership
from orders.models import Invoice, LedgerEntry, Order, Payout, Refund
from orders.services.ledger import ledger_check
from reports.periods import Period, month_start
from reports.scope import scope_for_posyantek
from reports.selectors.figures import money_figures

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        sorted(Order.objects.values_list("number", "status", "paid_at")),
        sorted(Refund.objects.values_list("order__number", "status", "succeeded_at")),
        LedgerEntry.objects.count(),
        Invoice.objects.count(),
        sorted(Payout.objects.values_list("reference", "amount")),
        sorted(Partnership.objects.values_list("title", "status")),
        User.objects.count(),
        sorted(Product.objects.values_list("pk", "stock", "updated_at")),
    )


def months_back(today, count):
    """The first days of the current month and the `count - 1` before it, newest first."""
    months = [month_start(today)]
    while len(months) < count:
        months.append(month_start(months[-1] - datetime.timedelta(days=1)))
    return months


def figures(code, month):
    return money_figures(
        scope=scope_for_posyantek(Organization.objects.get(code=code)), period=Period.month(month)
    )


@pytest.fixture
def seeded(regions):
    call_command("seed_demo", "--force", verbosity=0)


@pytest.mark.smoke
def test_seed_demo_writes_six_months_of_history_once(regions):
    call_command("seed_demo", "--force", verbosity=0)
    first = snapshot()
    call_command("seed_demo", "--force", verbosity=0)

    assert snapshot() == first
    assert ledger_check().ok
    today = timezone.localdate()
    purwakarta = Order.objects.filter(seller__code="PWK")
    for month in months_back(today, 6):
        period = Period.month(month)
        paid = purwakarta.filter(paid_at__gte=period.start_at, paid_at__lt=period.end_at)
        assert paid.exists(), month
    assert not Order.objects.filter(created_at__gt=timezone.now()).exists()


def test_the_dashboard_months_are_filled_and_tell_the_story(seeded):
    months = months_back(timezone.localdate(), 6)  # newest first
    current, previous = figures("PWK", months[0]), figures("PWK", months[1])
    assert current["gross_amount"] > 0 and current["paid_orders"] > 0
    assert previous["gross_amount"] > 0 and previous["net_amount"] > 0
    assert previous["new_buyers"] + figures("PWK", months[5])["new_buyers"] > 0
    # Purwakarta grows; Mitra Pantura dips in the monsoon.
    assert figures("PWK", months[1])["paid_orders"] > figures("PWK", months[5])["paid_orders"]
    assert figures("PWK", months[1])["gross_amount"] > figures("PWK", months[4])["gross_amount"]
    assert figures("MPN", months[1])["paid_orders"] < figures("MPN", months[4])["paid_orders"]
    # A buyer buys for an organisation.
    assert Order.objects.filter(seller__code="PWK", buyer_organization__code="MPC").exists()
    assert Order.objects.filter(seller__code="BPU", buyer_organization__code="BSO").exists()


def test_refunds_succeeded_and_count_when_they_did(seeded):
    refunds = Refund.objects.filter(status=Refund.Status.SUCCEEDED).select_related("order")
    reasons = set(refunds.values_list("reason", flat=True))
    assert {Refund.Reason.SELLER_CANCELLED, Refund.Reason.DISPUTE} <= reasons
    assert refunds.count() >= 3
    partial = refunds.get(reason=Refund.Reason.DISPUTE)
    assert partial.order.status == Order.Status.PARTIALLY_REFUNDED
    assert 0 < partial.total_amount < partial.order.total_amount
    for refund in refunds.exclude(order__buyer__email="pembeli@mitra-ttg.test"):
        entry = LedgerEntry.objects.get(refund=refund, kind=LedgerEntry.Kind.REFUND)
        assert entry.created_at == refund.succeeded_at
        assert refund.succeeded_at > refund.order.paid_at
    month = Period.month(timezone.localtime(partial.succeeded_at).date())
    assert figures("BPU", month.start)["refunds_amount"] > 0


def test_sales_are_booked_when_they_were_paid(seeded):
    sales = LedgerEntry.objects.filter(
        kind=LedgerEntry.Kind.SALE, order__seller__code__in=["MPN", "BPU", "CPT", "SMU"]
    ).select_related("order")
    assert sales.count() > 20
    for entry in sales:
        assert entry.created_at == entry.order.paid_at
    completed = Order.objects.filter(seller__code="PWK", status=Order.Status.COMPLETED)
    assert completed.count() > 15
    available = LedgerEntry.objects.filter(
        order__in=completed, kind=LedgerEntry.Kind.SALE, status=LedgerEntry.Status.AVAILABLE
    )
    assert available.count() == completed.count()
    payouts = Payout.objects.filter(organization__code="PWK", reference__startswith="BJB-PO-")
    assert payouts.count() >= 3
    assert Order.objects.filter(status=Order.Status.EXPIRED).exists()
    assert Order.objects.filter(status=Order.Status.CANCELLED).exists()


def test_one_posyantek_is_quiet_and_the_shelves_are_stocked(seeded):
    cutoff = timezone.now() - datetime.timedelta(days=90)
    quiet = Organization.objects.get(code="SMU")
    assert Order.objects.filter(seller=quiet).exists()
    assert not Order.objects.filter(seller=quiet, created_at__gte=cutoff).exists()
    assert not Product.objects.filter(seller=quiet, updated_at__gte=cutoff).exists()
    assert not User.objects.filter(memberships__organization=quiet, last_login__gte=cutoff).exists()
    for code in ("PWK", "MPN", "BPU"):
        assert Order.objects.filter(seller__code=code, created_at__gte=cutoff).exists(), code
    # Every stock product of the selling Posyantek can still be bought.
    for code, demos in CATALOGUE.items():
        for demo in demos:
            if demo.stock and code != "SMU":
                product = Product.objects.get(seller__code=code, name=demo.name)
                assert product.stock >= demo.stock, (code, demo.name)


def test_partnerships_in_every_state(seeded):
    states = dict(
        Partnership.objects.filter(
            partner__code__in=["BSO", "MPC", "FTU", "DPKT"],
            posyantek__code__in=["BPU", "PDM", "KBJ", "SMU"],
        ).values_list("posyantek__code", "status")
    )
    assert states == {
        "BPU": "completed",
        "PDM": "active",
        "KBJ": "declined",
        "SMU": "proposed",
    }
    active = Partnership.objects.get(posyantek__code="PDM")
    assert active.partner_consented_at and active.posyantek_consented_at
    assert active.milestones.filter(done_at__isnull=False).exists()
