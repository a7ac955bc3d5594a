"""The seller's ledger (orders.services.ledger): a sale and its platform fee pending from
payment and available when the order settles; refunds with the fee given back; the invariant
(ledger_check and `manage.py ledger_check`) after every story."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Role
from orders.models import Invoice, LedgerEntry, Order, Payment, Refund
from orders.services import refunds as refund_services
from orders.services.disputes import dispute_resolve, order_report_problem
from orders.services.ledger import (
    Balance,
    ledger_balance,
    ledger_check,
    ledger_order_settle,
    ledger_record_refund,
    ledger_record_sale,
)
from orders.services.lifecycle import (
    order_accept,
    order_cancel,
    order_complete,
    order_deliver,
    order_ship,
)
from orders.services.payments import payment_mark_paid
from orders.services.terms import TermsLine, order_place_on_terms
from tests.factories import MembershipFactory, OrganizationFactory
from tests.orders.conftest import Shop, checkout_body

pytestmark = pytest.mark.django_db

Kind = LedgerEntry.Kind
PENDING = LedgerEntry.Status.PENDING
AVAILABLE = LedgerEntry.Status.AVAILABLE


@pytest.fixture
def fee(settings):
    """A 2,5 % platform fee (on goods, rounded down), frozen into orders at checkout."""
    settings.PLATFORM_FEE_PERCENT = "2.5"


def entries(order: Order) -> list[tuple[str, int, str, bool]]:
    """(kind, amount, status, is for a refund) of the order's entries, oldest first."""
    return [
        (entry.kind, entry.amount, entry.status, entry.refund_id is not None)
        for entry in LedgerEntry.objects.filter(order=order).order_by("pk")
    ]


def assert_ledger_ok() -> None:
    check = ledger_check()
    assert check.ok, check
    out = io.StringIO()
    call_command("ledger_check", stdout=out)
    assert "Ledger OK." in out.getvalue()


def refund_succeed(shop: Shop, order: Order, *, at: datetime.datetime | None = None) -> Refund:
    """Send the order's open bank transfer refund back to the buyer the way the refund
    services require: submitted, the buyer's account given, staff record the transfer."""
    refund = Refund.objects.get(order=order, status__in=Refund.OPEN)
    if refund.status == Refund.Status.REQUESTED:
        refund_services.refund_submit(refund_id=refund.pk)
    refund = Refund.objects.get(pk=refund.pk)
    if not refund.has_account:
        refund_services.refund_account_give(
            refund=refund,
            actor=shop.buyer,
            bank_name="Bank BRI",
            account_number="0123-4567-89",
            account_holder="Budi Santoso",
        )
    refund_services.refund_mark_succeeded(
        refund=Refund.objects.get(pk=refund.pk),
        actor=shop.platform,
        reference="TRF-REFUND-1",
        succeeded_at=at,
    )
    return Refund.objects.get(pk=refund.pk)


def completed(order: Order, shop: Shop) -> Order:
    order = order_accept(order=order, actor=shop.staff)
    order = order_ship(order=order, actor=shop.staff)
    order = order_deliver(order=order, actor=shop.manager)
    return order_complete(order=order, actor=shop.buyer)


# --- Sales -------------------------------------------------------------------------------------


def test_a_sale_is_pending_at_payment_and_available_at_completion(shop, fee):
    order = shop.paid(2)  # 2 × Rp 150.000, pickup, not PKP; fee 2,5 % = 7.500
    assert order.total_amount == 300_000 and order.platform_fee_amount == 7_500
    assert entries(order) == [
        (Kind.SALE, 300_000, PENDING, False),
        (Kind.PLATFORM_FEE, -7_500, PENDING, False),
    ]
    assert ledger_balance(organization=shop.seller) == Balance(
        pending=292_500, available=0, total=292_500
    )
    assert_ledger_ok()

    # Recording the sale again (a retried payment notification) changes nothing.
    ledger_record_sale(order=order, at=timezone.now())
    assert LedgerEntry.objects.filter(order=order).count() == 2

    order = order_accept(order=order, actor=shop.staff)
    order = order_ship(order=order, actor=shop.staff)
    order = order_deliver(order=order, actor=shop.manager)
    assert {status for _k, _a, status, _r in entries(order)} == {PENDING}
    order = order_complete(order=order, actor=shop.buyer)

    assert entries(order) == [
        (Kind.SALE, 300_000, AVAILABLE, False),
        (Kind.PLATFORM_FEE, -7_500, AVAILABLE, False),
    ]
    assert all(
        entry.available_at == order.completed_at
        for entry in LedgerEntry.objects.filter(order=order)
    )
    balance = ledger_balance(organization=shop.seller)
    assert (balance.pending, balance.available, balance.total) == (0, 292_500, 292_500)
    assert_ledger_ok()


def test_no_fee_entry_without_a_platform_fee(shop):
    order = shop.paid(1)
    assert order.platform_fee_amount == 0
    assert entries(order) == [(Kind.SALE, 150_000, PENDING, False)]
    assert_ledger_ok()


def test_balance_is_one_query(shop, django_assert_num_queries):
    shop.paid(1)
    with django_assert_num_queries(1):
        balance = ledger_balance(organization=shop.seller)
    assert balance.pending == 150_000


def test_settling_twice_keeps_the_first_date(shop):
    order = shop.paid(1)
    first = timezone.now()
    ledger_order_settle(order=order, at=first)
    ledger_order_settle(order=order, at=first + datetime.timedelta(days=1))
    assert set(LedgerEntry.objects.filter(order=order).values_list("available_at", flat=True)) == {
        first
    }


# --- Refunds -----------------------------------------------------------------------------------


def test_cancelled_after_payment_and_refunded_nets_to_zero(
    shop, fee, django_capture_on_commit_callbacks
):
    order = shop.paid(2)
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, actor=shop.manager, reason="Mesin rusak")
    # Cancelled but not refunded yet: the money is still held, pending.
    balance = ledger_balance(organization=shop.seller)
    assert (balance.pending, balance.available) == (292_500, 0)

    with django_capture_on_commit_callbacks(execute=True):
        refund = refund_succeed(shop, order)
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert refund.total_amount == 300_000
    assert sorted(entries(order)) == sorted(
        [
            (Kind.SALE, 300_000, AVAILABLE, False),
            (Kind.PLATFORM_FEE, -7_500, AVAILABLE, False),
            (Kind.REFUND, -300_000, AVAILABLE, True),
            (Kind.PLATFORM_FEE, 7_500, AVAILABLE, True),  # the whole fee given back
        ]
    )
    balance = ledger_balance(organization=shop.seller)
    assert (balance.pending, balance.available, balance.total) == (0, 0, 0)
    assert_ledger_ok()
    # The invoice of the paid order keeps its number and gets a credit note of the refund.
    note = Invoice.objects.get(refund=refund)
    assert note.number.startswith("CN/") and note.total_amount == 300_000
    assert note.credited_invoice == Invoice.objects.get(order=order, kind=Invoice.Kind.INVOICE)

    # Recording the same refund again changes nothing.
    ledger_record_refund(refund=refund, at=timezone.now())
    assert LedgerEntry.objects.filter(order=order).count() == 4


def test_dispute_partial_refund_makes_the_remainder_available(
    shop, fee, django_capture_on_commit_callbacks
):
    order = shop.delivered(2)  # total 300.000, fee 7.500
    order_report_problem(order=order, actor=shop.buyer, reason="damaged", description="Patah")
    with django_capture_on_commit_callbacks(execute=True):
        dispute_resolve(
            order=order,
            actor=shop.platform,
            outcome="refund",
            amount=100_000,
            note="Satu karung rusak",
        )
    assert ledger_balance(organization=shop.seller).available == 0  # in dispute: held

    with django_capture_on_commit_callbacks(execute=True):
        refund = refund_succeed(shop, order)
    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_REFUNDED
    assert refund.goods_amount == 100_000  # not PKP, no shipping: all goods
    # Fee still due on 200.000 goods = 5.000 → 2.500 given back.
    assert sorted(entries(order)) == sorted(
        [
            (Kind.SALE, 300_000, AVAILABLE, False),
            (Kind.PLATFORM_FEE, -7_500, AVAILABLE, False),
            (Kind.REFUND, -100_000, AVAILABLE, True),
            (Kind.PLATFORM_FEE, 2_500, AVAILABLE, True),
        ]
    )
    balance = ledger_balance(organization=shop.seller)
    assert (balance.pending, balance.available) == (0, 195_000)
    assert_ledger_ok()


def test_fee_given_back_over_two_refunds_adds_up_to_the_whole_fee(shop, fee):
    """Two partial refunds of an order whose fee was rounded down: what is given back never
    exceeds the fee, and everything back gives back the whole fee."""
    order = shop.paid(1)  # goods 150.000 → fee 3.750
    first = Refund.objects.create(
        order=order,
        payment=order.payment,
        status=Refund.Status.SUCCEEDED,
        reason=Refund.Reason.DISPUTE,
        provider=order.payment.method,
        goods_amount=50_001,
        shipping_amount=0,
        ppn_amount=0,
        total_amount=50_001,
        succeeded_at=timezone.now(),
    )
    ledger_record_refund(refund=first, at=timezone.now())
    # Fee still due on 99.999 = 2.499,97 → 2.499; given back 3.750 − 2.499 = 1.251.
    assert LedgerEntry.objects.get(refund=first, kind=Kind.PLATFORM_FEE).amount == 1_251
    second = Refund.objects.create(
        order=order,
        payment=order.payment,
        status=Refund.Status.SUCCEEDED,
        reason=Refund.Reason.DISPUTE,
        provider=order.payment.method,
        goods_amount=99_999,
        shipping_amount=0,
        ppn_amount=0,
        total_amount=99_999,
        succeeded_at=timezone.now(),
    )
    ledger_record_refund(refund=second, at=timezone.now())
    assert LedgerEntry.objects.get(refund=second, kind=Kind.PLATFORM_FEE).amount == 2_499
    assert ledger_balance(organization=shop.seller).total == 0


def test_a_payments_own_refund_is_not_in_the_ledger(shop):
    order = shop.paid(1)
    refund = Refund.objects.create(
        order=None,
        payment=order.payment,
        status=Refund.Status.SUCCEEDED,
        reason=Refund.Reason.OVERPAYMENT,
        provider=order.payment.method,
        goods_amount=0,
        shipping_amount=0,
        ppn_amount=0,
        other_amount=5_000,
        total_amount=5_000,
    )
    count = LedgerEntry.objects.count()
    ledger_record_refund(refund=refund, at=timezone.now())
    assert LedgerEntry.objects.count() == count


# --- Orders on terms ---------------------------------------------------------------------------


def on_terms(shop: Shop, quantity: int = 2) -> Order:
    company = OrganizationFactory(kind="industry", name="PT Tahu Makmur")
    MembershipFactory(user=shop.buyer, organization=company, role=Role.OWNER)
    return order_place_on_terms(
        user=shop.buyer,
        data=checkout_body(shop.seller, buyer_organization=company.slug),
        lines=[TermsLine(product=shop.product, quantity=quantity, unit_price_amount=140_000)],
        payment_terms="net_14",
    )


def test_terms_order_paid_after_completion_is_available_at_once(shop, fee):
    order = completed(on_terms(shop), shop)
    assert order.status == Order.Status.COMPLETED
    assert entries(order) == []  # nothing received yet, nothing owed to the seller
    assert_ledger_ok()

    paid_at = timezone.now()
    payment_mark_paid(payment=order.payment, actor=shop.platform, paid_at=paid_at)

    assert entries(order) == [
        (Kind.SALE, 280_000, AVAILABLE, False),
        (Kind.PLATFORM_FEE, -7_000, AVAILABLE, False),
    ]
    assert set(LedgerEntry.objects.filter(order=order).values_list("available_at", flat=True)) == {
        paid_at
    }
    assert ledger_balance(organization=shop.seller).available == 273_000
    assert_ledger_ok()


def test_terms_order_credited_in_a_dispute_before_payment_sells_the_rest(shop, fee):
    order = on_terms(shop)  # goods 280.000, fee 7.000
    order = order_accept(order=order, actor=shop.staff)
    order = order_ship(order=order, actor=shop.staff)
    order = order_deliver(order=order, actor=shop.manager)
    order_report_problem(order=order, actor=shop.buyer, reason="damaged", description="Patah")
    dispute_resolve(order=order, actor=shop.platform, outcome="refund", amount=80_000, note="Rusak")
    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_REFUNDED
    payment = Payment.objects.get(pk=order.payment_id)
    assert payment.amount_due_amount == 200_000

    payment_mark_paid(payment=payment, actor=shop.platform)

    # Sold what was paid for: 200.000; fee on 200.000 goods = 5.000; settled already.
    assert entries(order) == [
        (Kind.SALE, 200_000, AVAILABLE, False),
        (Kind.PLATFORM_FEE, -5_000, AVAILABLE, False),
    ]
    assert_ledger_ok()


# --- The check ---------------------------------------------------------------------------------


def test_ledger_check_fails_loudly_when_money_is_missing(shop):
    shop.paid(1)
    LedgerEntry.objects.filter(kind=Kind.SALE).update(amount=100_000)
    check = ledger_check()
    assert not check.ok
    assert (check.received, check.refunded, check.balances) == (150_000, 0, 100_000)
    with pytest.raises(SystemExit) as exit_info:
        call_command("ledger_check", stdout=io.StringIO(), stderr=io.StringIO())
    assert exit_info.value.code == 1


def test_an_overpayment_waiting_to_go_back_keeps_the_ledger_balanced(shop):
    """Regression: Rp 5.000 too much was transferred; staff honour the payment and the excess
    is to go back to the buyer. While that refund waits for the buyer's account the excess is
    the buyer's money, not a seller's: the check counts it as returned, and stays balanced
    before and after the refund is sent — but not if the refund fails and nobody retries."""
    from orders.services.late_payments import payment_review_resolve
    from orders.services.transfers import payment_transfer_confirm

    order = shop.place(1)
    payment = order.payment
    payment_transfer_confirm(
        payment=payment,
        actor=shop.platform,
        amount=payment.amount_due_amount + 5_000,
        reference="BCA-LEBIH",
        received_on=timezone.localdate(),
    )
    payment_review_resolve(payment=payment, actor=shop.platform, decision="honour")
    excess = Refund.objects.get(payment=payment, order=None)
    assert (excess.status, excess.total_amount) == (Refund.Status.REQUESTED, 5_000)
    check = ledger_check()
    assert (check.received, check.returned, check.balances) == (155_000, 5_000, 150_000)
    assert check.ok

    refund_services.refund_fail(refund=excess, actor=shop.platform, reason="Rekening ditutup")
    assert not ledger_check().ok  # the platform still holds the buyer's Rp 5.000
    again = refund_services.refund_retry(refund=excess, actor=shop.platform)
    assert ledger_check().ok
    shop.refund_ready(again)
    refund_services.refund_mark_succeeded(refund=again, actor=shop.platform, reference="OUT-1")
    assert ledger_check().ok
