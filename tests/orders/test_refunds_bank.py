"""Bank transfer refunds: requested → (submitted after the commit) pending_manual, the buyer
asked for an account → the buyer gives it → staff record the transfer they sent →
succeeded, once, with the ledger and the credit note before the order moves. Submitting twice
is once; a refund that bounced fails and is requested again; the beat re-submits lost ones."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from core.errors import Conflict, InvalidInput, PermissionDenied
from orders.models import Invoice, LedgerEntry, Order, Payment, PaymentEvent, Refund, RefundEvent
from orders.services.ledger import ledger_check
from orders.services.lifecycle import order_cancel
from orders.services.refunds import (
    refund_account_give,
    refund_fail,
    refund_mark_succeeded,
    refund_retry,
    refund_submit,
)
from orders.tasks import refunds_submit_stuck

pytestmark = pytest.mark.django_db

ACCOUNT = {"bank_name": "BCA", "account_number": "123 456 7890", "account_holder": "Budi Santoso"}


def cancelled_paid(shop) -> Order:
    return order_cancel(order=shop.paid(), actor=shop.manager, reason="Mesin rusak")


def snapshot(refund: Refund) -> tuple:
    refund = Refund.objects.get(pk=refund.pk)
    return (
        refund.status,
        refund.provider_reference,
        refund.account_number,
        refund.failure_reason,
        RefundEvent.objects.filter(refund=refund).count(),
        Order.objects.get(pk=refund.order_id).status if refund.order_id else None,
        Payment.objects.get(pk=refund.payment_id).status,
        LedgerEntry.objects.count(),
        Invoice.objects.count(),
        Refund.objects.count(),
    )


def test_the_whole_bank_refund_flow(shop, django_capture_on_commit_callbacks):
    order = shop.paid()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, actor=shop.manager, reason="Mesin rusak")

    refund = Refund.objects.get(order=order)
    assert (refund.status, refund.provider, refund.total_amount) == (
        "pending_manual",
        "bank_transfer",
        300_000,
    )
    assert list(refund.events.values_list("from_status", "to_status")) == [
        ("", "requested"),
        ("requested", "pending_manual"),
    ]
    asks = [m for m in mail.outbox if order.payment.code in m.subject]
    assert len(asks) == 1
    assert set(asks[0].to) == {shop.buyer.email, order.contact_email}
    assert f"/pesanan/{order.number}/" in asks[0].body
    assert "Rp 300.000" in asks[0].body

    refund_account_give(refund=refund, actor=shop.buyer, **ACCOUNT)
    refund.refresh_from_db()
    assert (refund.account_bank_name, refund.account_number, refund.account_holder) == (
        "BCA",
        "123 456 7890",
        "Budi Santoso",
    )
    assert refund.account_given_at is not None and refund.has_account

    refund_mark_succeeded(refund=refund, actor=shop.platform, reference="BCA-OUT-1", note="Sent")

    refund.refresh_from_db()
    assert (refund.status, refund.provider_reference) == ("succeeded", "BCA-OUT-1")
    order.refresh_from_db()
    assert order.status == "refunded"
    assert Payment.objects.get(pk=order.payment_id).status == "refunded"
    entry = LedgerEntry.objects.get(refund=refund, kind="refund")
    assert entry.amount == -300_000
    credit = Invoice.objects.get(refund=refund)
    assert credit.kind == "credit_note" and credit.order == order
    assert ledger_check().ok


def test_submitting_twice_is_once(shop):
    order = cancelled_paid(shop)  # no commit in this test: still requested
    refund = order.refunds.get()
    assert refund.status == "requested"

    refund_submit(refund_id=refund.pk)
    refund_submit(refund_id=refund.pk)

    refund.refresh_from_db()
    assert refund.status == "pending_manual"
    assert refund.events.filter(to_status="pending_manual").count() == 1
    assert PaymentEvent.objects.filter(payment=refund.payment, kind="refund_pending").count() == 1
    assert refund_submit(refund_id=refund.pk + 999) is None


def test_staff_cannot_record_a_bank_refund_before_it_is_ready(shop):
    refund = cancelled_paid(shop).refunds.get()
    before = snapshot(refund)

    with pytest.raises(Conflict) as raised:  # not submitted yet
        refund_mark_succeeded(refund=refund, actor=shop.platform, reference="X")
    assert raised.value.code == "refund_not_ready"
    refund_submit(refund_id=refund.pk)
    submitted = snapshot(refund)
    with pytest.raises(Conflict) as raised:  # no account yet
        refund_mark_succeeded(refund=refund, actor=shop.platform, reference="X")
    assert raised.value.code == "refund_no_account"
    refund_account_give(refund=refund, actor=shop.buyer, **ACCOUNT)
    ready = snapshot(refund)
    with pytest.raises(InvalidInput) as raised:  # no reference
        refund_mark_succeeded(refund=refund, actor=shop.platform, reference="  ")
    assert "reference" in raised.value.fields

    assert before[0] == "requested" and submitted[0] == "pending_manual"
    assert snapshot(refund) == ready


def test_succeeding_twice_is_refused_and_changes_nothing(shop):
    refund = shop.refund_ready(cancelled_paid(shop).refunds.get())
    refund_mark_succeeded(refund=refund, actor=shop.platform, reference="OUT-1")
    before = snapshot(refund)

    with pytest.raises(Conflict):
        refund_mark_succeeded(refund=refund, actor=shop.platform, reference="OUT-2")

    assert snapshot(refund) == before
    assert LedgerEntry.objects.filter(refund=refund, kind="refund").count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"bank_name": ""}, "bank_name"),
        ({"account_number": "12-34"}, "account_number"),
        ({"account_number": "1234a5678"}, "account_number"),
        ({"account_number": "1" * 35}, "account_number"),
        ({"account_holder": " "}, "account_holder"),
    ],
)
def test_a_bad_account_is_refused(shop, changes, field):
    refund = cancelled_paid(shop).refunds.get()
    refund_submit(refund_id=refund.pk)
    before = snapshot(refund)

    with pytest.raises(InvalidInput) as raised:
        refund_account_give(refund=refund, actor=shop.buyer, **{**ACCOUNT, **changes})

    assert field in raised.value.fields
    assert snapshot(refund) == before


def test_only_the_buyer_side_gives_the_account(shop):
    refund = cancelled_paid(shop).refunds.get()
    before = snapshot(refund)

    for outsider in (shop.stranger, shop.owner, shop.manager, shop.platform):
        with pytest.raises(PermissionDenied):
            refund_account_give(refund=refund, actor=outsider, **ACCOUNT)

    assert snapshot(refund) == before


def test_a_closed_refund_takes_no_account(shop):
    refund = shop.refund_ready(cancelled_paid(shop).refunds.get())
    refund_mark_succeeded(refund=refund, actor=shop.platform, reference="OUT-1")
    before = snapshot(refund)

    with pytest.raises(Conflict):
        refund_account_give(refund=refund, actor=shop.buyer, **ACCOUNT)

    assert snapshot(refund) == before


def test_a_bounced_refund_fails_and_is_requested_again(shop, django_capture_on_commit_callbacks):
    order = cancelled_paid(shop)
    refund = shop.refund_ready(order.refunds.get())
    with pytest.raises(PermissionDenied):
        refund_fail(refund=refund, actor=shop.manager, reason="x")
    with pytest.raises(InvalidInput):
        refund_fail(refund=refund, actor=shop.platform, reason=" ")
    with pytest.raises(Conflict):
        refund_retry(refund=refund, actor=shop.platform)  # not failed

    refund_fail(refund=refund, actor=shop.platform, reason="Rekening tutup")

    refund.refresh_from_db()
    assert (refund.status, refund.failure_reason) == ("failed", "Rekening tutup")
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    with pytest.raises(Conflict):
        refund_fail(refund=refund, actor=shop.platform, reason="Lagi")

    with django_capture_on_commit_callbacks(execute=True):
        again = refund_retry(refund=refund, actor=shop.platform)

    again.refresh_from_db()
    assert again.pk != refund.pk
    assert (again.order, again.total_amount, again.reason) == (order, 300_000, refund.reason)
    assert (again.goods_amount, again.shipping_amount, again.ppn_amount) == (
        refund.goods_amount,
        refund.shipping_amount,
        refund.ppn_amount,
    )
    assert again.status == "pending_manual" and not again.has_account
    with pytest.raises(Conflict):
        refund_retry(refund=refund, actor=shop.platform)  # one in flight already
    assert Refund.objects.filter(order=order).count() == 2

    refund_account_give(refund=again, actor=shop.buyer, **ACCOUNT)
    refund_mark_succeeded(refund=again, actor=shop.platform, reference="OUT-2")
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert ledger_check().ok


def test_the_beat_submits_refunds_whose_task_was_lost(shop):
    old = cancelled_paid(shop).refunds.get()
    Refund.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    young = order_cancel(order=shop.paid(1), actor=shop.manager, reason="Habis").refunds.get()

    assert refunds_submit_stuck() == 1
    assert refunds_submit_stuck() == 0

    assert Refund.objects.get(pk=old.pk).status == "pending_manual"
    assert Refund.objects.get(pk=young.pk).status == "requested"


def test_a_dispute_refund_partly_refunds_the_order(shop):
    from orders.services.disputes import dispute_resolve, order_report_problem

    order = shop.delivered()
    order_report_problem(order=order, actor=shop.buyer, reason="incomplete", description="Kurang")
    dispute_resolve(order=order, actor=shop.platform, outcome="refund", amount=100_000, note="1")
    refund = shop.refund_ready(order.refunds.get())

    refund_mark_succeeded(refund=refund, actor=shop.platform, reference="OUT-9")

    order.refresh_from_db()
    assert order.status == "partially_refunded"
    assert Payment.objects.get(pk=order.payment_id).status == "partially_refunded"
    assert LedgerEntry.objects.get(refund=refund, kind="refund").amount == -100_000
    assert Invoice.objects.get(refund=refund).total_amount == 100_000
    assert ledger_check().ok
