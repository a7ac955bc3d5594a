"""Invoice numbers and payouts under real concurrency on PostgreSQL: each contender in its own
thread and connection, released together by a barrier; the counter's and the organisation's
row locks, not luck, keep the numbers gap-free and the balance from being overdrawn."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from core.errors import Conflict
from orders.models import Invoice, InvoiceCounter, LedgerEntry, Payout
from orders.services.invoices import invoice_issue
from orders.services.ledger import ledger_balance, ledger_order_settle
from orders.services.payouts import payout_record
from tests.concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# A month no other invoice is in: the counter row does not exist yet and is created in the race.
AT = datetime.datetime(2027, 3, 1, 0, 5, tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta"))


def test_twenty_invoices_of_one_seller_at_once_are_numbered_without_gaps(shop):
    shop.seller.code = "PWK"
    shop.seller.save(update_fields=["code"])
    orders = [shop.place(1) for _ in range(20)]  # the product has 20 in stock

    results = race([lambda order=order: invoice_issue(order=order, at=AT) for order in orders])

    assert all(isinstance(result, Invoice) for result in results), results
    numbers = sorted(Invoice.objects.filter(kind="invoice").values_list("number", flat=True))
    assert numbers == [f"INV/2027/03/PWK/{n:04d}" for n in range(1, 21)]
    assert sorted(invoice.sequence for invoice in results) == list(range(1, 21))
    assert {invoice.order_id for invoice in results} == {order.pk for order in orders}
    counter = InvoiceCounter.objects.get(seller=shop.seller, kind="invoice", year=2027, month=3)
    assert counter.last_number == 20


def test_one_order_issued_twice_at_once_gets_one_invoice(shop):
    order = shop.place(1)

    results = race([lambda: invoice_issue(order=order, at=AT)] * 2)

    assert all(isinstance(result, Invoice) for result in results), results
    assert results[0].pk == results[1].pk
    assert Invoice.objects.filter(order=order).count() == 1
    assert InvoiceCounter.objects.get(seller=shop.seller, kind="invoice").last_number == 1


def test_two_payouts_at_once_never_overdraw(shop):
    seller = shop.seller
    seller.payout_bank_name = "Bank BJB"
    seller.payout_account_number = "0012345678901"
    seller.payout_account_holder = "Posyantek Purwakarta"
    seller.save()
    order = shop.paid(2)  # Rp 300.000
    ledger_order_settle(order=order, at=timezone.now())
    today = timezone.localdate()

    results = race(
        [
            lambda reference=reference: payout_record(
                organization=seller,
                actor=shop.platform,
                amount=200_000,
                reference=reference,
                paid_on=today,
            )
            for reference in ("BJB-1", "BJB-2")
        ]
    )

    assert sum(isinstance(result, Payout) for result in results) == 1, results
    refused = [result for result in results if isinstance(result, Conflict)]
    assert len(refused) == 1 and refused[0].code == "insufficient_balance"
    assert Payout.objects.count() == 1
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYOUT).count() == 1
    assert ledger_balance(organization=seller).available == 100_000
