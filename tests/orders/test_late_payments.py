"""Payments under review (DESIGN.md, orders: late payment): another amount than was due, or
money for an expired or cancelled payment. Late money is honoured when the stock is back
(orders and payment paid, an excess refunded) and refunded when it is not (staff told); staff
decide mismatches. The ledger invariant holds after every scenario."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.translation import gettext

from core.errors import Conflict, InvalidInput, PermissionDenied
from marketplace.models import CapacityBooking, Product, StockMovement
from orders.models import Cart, CartItem, Invoice, LedgerEntry, Order, Payment, Refund
from orders.services.checkout import checkout_place
from orders.services.late_payments import payment_late_resolve, payment_review_resolve
from orders.services.ledger import ledger_check
from orders.services.lifecycle import order_cancel, payment_expire
from orders.services.refunds import refund_mark_succeeded
from orders.services.transfers import payment_transfer_confirm
from tests.factories import ProductFactory, UserFactory
from tests.orders.conftest import checkout_body

pytestmark = pytest.mark.django_db

FAR = datetime.timedelta(days=2)


def confirm(shop, payment: Payment, amount: int, reference: str = "BRI-1") -> Payment:
    return payment_transfer_confirm(
        payment=payment,
        actor=shop.platform,
        amount=amount,
        reference=reference,
        received_on=timezone.localdate(),
    )


def stock(product: Product) -> int:
    return Product.objects.get(pk=product.pk).stock


def expired(shop, quantity: int = 2) -> Order:
    order = shop.place(quantity)
    assert payment_expire(payment_id=order.payment_id, now=timezone.now() + FAR)
    return Order.objects.get(pk=order.pk)


def snapshot(payment: Payment) -> tuple:
    payment = Payment.objects.get(pk=payment.pk)
    return (
        payment.status,
        payment.received_amount,
        payment.amount_due_amount,
        list(Order.objects.filter(payment=payment).values_list("status", flat=True)),
        list(Refund.objects.filter(payment=payment).values_list("status", "total_amount")),
        Product.objects.values_list("stock", flat=True).order_by("pk")[::1],
        LedgerEntry.objects.count(),
        Invoice.objects.count(),
    )


def send_refund(shop, refund: Refund, reference: str = "OUT-1") -> Refund:
    refund = shop.refund_ready(refund)
    return refund_mark_succeeded(refund=refund, actor=shop.platform, reference=reference)


# --- Amount mismatch ------------------------------------------------------------------------


def test_less_than_due_goes_to_review_and_is_refunded_by_staff(
    shop, django_capture_on_commit_callbacks
):
    order = shop.place()
    payment = order.payment

    confirm(shop, payment, 250_000)

    payment.refresh_from_db()
    assert (payment.status, payment.review_reason, payment.received_amount) == (
        "needs_review",
        "amount_mismatch",
        250_000,
    )
    assert Order.objects.get(pk=order.pk).status == "pending_payment"
    assert payment.attempts.get().status == "succeeded"
    assert not Invoice.objects.exists() and not LedgerEntry.objects.exists()
    # Still reserved, and never expires while under review.
    assert stock(shop.product) == 18
    assert not payment_expire(payment_id=payment.pk, now=timezone.now() + FAR)

    before = snapshot(payment)
    with pytest.raises(Conflict) as raised:
        payment_review_resolve(payment=payment, actor=shop.platform, decision="honour")
    assert raised.value.code == "received_less_than_due"
    assert snapshot(payment) == before

    with django_capture_on_commit_callbacks(execute=True):
        payment_review_resolve(
            payment=payment, actor=shop.platform, decision="refund", note="Kurang bayar"
        )

    assert Order.objects.get(pk=order.pk).status == "cancelled"
    assert stock(shop.product) == 20
    refund = Refund.objects.get(payment=payment)
    assert (refund.order, refund.reason, refund.other_amount, refund.total_amount) == (
        None,
        "payment_review",
        250_000,
        250_000,
    )
    assert refund.status == "pending_manual"  # submitted after the commit
    assert Payment.objects.get(pk=payment.pk).status == "needs_review"  # until it is sent

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_refund(shop, refund)

    payment.refresh_from_db()
    assert payment.status == "refunded"
    assert ledger_check().ok
    (sent,) = [m for m in mail.outbox if payment.code in m.subject]
    assert "Rp 250.000" in sent.body and "OUT-1" in sent.body


def test_more_than_due_is_honoured_and_the_excess_refunded(shop):
    order = shop.place()
    payment = order.payment
    confirm(shop, payment, 350_000)
    assert Payment.objects.get(pk=payment.pk).status == "needs_review"

    payment_review_resolve(payment=payment, actor=shop.platform, decision="honour", note="OK")

    payment.refresh_from_db()
    assert (payment.status, payment.received_amount) == ("paid", 350_000)
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert LedgerEntry.objects.get(order=order, kind="sale").amount == 300_000
    refund = Refund.objects.get(payment=payment)
    assert (refund.order, refund.reason, refund.total_amount) == (None, "overpayment", 50_000)

    send_refund(shop, refund)

    payment.refresh_from_db()
    assert payment.status == "paid"  # an overpayment sent back does not touch the payment
    assert ledger_check().ok


def test_review_decisions_are_for_staff_and_once(shop):
    payment = shop.place().payment
    confirm(shop, payment, 100_000)
    before = snapshot(payment)

    with pytest.raises(PermissionDenied):
        payment_review_resolve(payment=payment, actor=shop.buyer, decision="refund")
    with pytest.raises(InvalidInput):
        payment_review_resolve(payment=payment, actor=shop.platform, decision="later")
    assert snapshot(payment) == before

    payment_review_resolve(payment=payment, actor=shop.platform, decision="refund")
    decided = snapshot(payment)
    with pytest.raises(Conflict):
        payment_review_resolve(payment=payment, actor=shop.platform, decision="refund")
    with pytest.raises(Conflict):
        payment_review_resolve(payment=payment, actor=shop.platform, decision="honour")
    assert snapshot(payment) == decided


# --- Late money -----------------------------------------------------------------------------


def test_late_money_is_honoured_when_the_stock_is_back(shop, django_capture_on_commit_callbacks):
    order = expired(shop)
    assert stock(shop.product) == 20

    with django_capture_on_commit_callbacks(execute=True):
        payment = confirm(shop, order.payment, 300_000)

    assert payment.status == "paid"
    order.refresh_from_db()
    assert order.status == "paid" and order.paid_at is not None
    assert list(order.events.values_list("from_status", "to_status"))[-1] == ("expired", "paid")
    assert gettext("Late payment honoured.") in order.events.last().note
    moves = list(payment.events.filter(kind="status").values_list("from_status", "to_status"))
    assert moves[-3:] == [
        ("pending", "expired"),
        ("expired", "needs_review"),
        ("needs_review", "paid"),
    ]
    assert stock(shop.product) == 18
    assert StockMovement.objects.filter(product=shop.product, reason="sale").count() == 2
    assert Invoice.objects.filter(order=order).count() == 1
    assert LedgerEntry.objects.get(order=order, kind="sale").amount == 300_000
    assert not Refund.objects.exists()
    assert ledger_check().ok
    # The seller hears of a paid order; the buyer of the payment.
    assert any(order.number in m.subject for m in mail.outbox)


def test_late_money_beyond_the_amount_due_is_honoured_with_an_overpayment_refund(shop):
    order = expired(shop)

    payment = confirm(shop, order.payment, 320_000)

    assert payment.status == "paid"
    refund = Refund.objects.get(payment=payment)
    assert (refund.reason, refund.total_amount, refund.order) == ("overpayment", 20_000, None)


def test_late_money_is_refunded_when_the_stock_is_gone(shop, django_capture_on_commit_callbacks):
    order = expired(shop, quantity=2)
    other = UserFactory()
    cart, _created = Cart.objects.get_or_create(user=other)
    CartItem.objects.create(cart=cart, product=shop.product, quantity=19)
    checkout_place(user=other, cart=cart, data=checkout_body(shop.seller))
    assert stock(shop.product) == 1
    staff = UserFactory(is_staff=True)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        payment = confirm(shop, order.payment, 300_000)

    assert (payment.status, payment.review_reason, payment.received_amount) == (
        "needs_review",
        "late",
        300_000,
    )
    assert Order.objects.get(pk=order.pk).status == "expired"
    assert stock(shop.product) == 1  # nothing half-reserved
    assert not Invoice.objects.filter(order=order).exists()
    assert not LedgerEntry.objects.filter(order=order).exists()
    refund = Refund.objects.get(payment=payment)
    assert (refund.order, refund.reason, refund.total_amount, refund.status) == (
        None,
        "late_payment",
        300_000,
        "pending_manual",
    )
    staff_mails = [m for m in mail.outbox if staff.email in m.to]
    assert len(staff_mails) == 1
    # Not the one who confirmed it (the desk shows them), nor the buyer.
    assert shop.platform.email not in staff_mails[0].to
    assert shop.buyer.email not in staff_mails[0].to
    assert payment.code in staff_mails[0].body
    buyer_mails = [m for m in mail.outbox if shop.buyer.email in m.to]
    assert len(buyer_mails) == 1  # give us your account
    assert f"/pesanan/{order.number}/" in buyer_mails[0].body

    # Running the service again changes nothing.
    before = snapshot(payment)
    payment_late_resolve(payment=payment)
    assert snapshot(payment) == before

    send_refund(shop, refund)
    payment.refresh_from_db()
    assert payment.status == "refunded"
    assert Order.objects.get(pk=order.pk).status == "expired"
    assert ledger_check().ok


def test_late_money_for_a_made_to_order_product_books_its_capacity_again(shop):
    made = ProductFactory(
        seller=shop.seller,
        name="Mesin Pesanan",
        availability=Product.Availability.MADE_TO_ORDER,
        monthly_capacity=5,
        stock=0,
        lead_time_days=3,
    )
    cart, _created = Cart.objects.get_or_create(user=shop.buyer)
    CartItem.objects.create(cart=cart, product=made, quantity=2)
    payment = checkout_place(user=shop.buyer, cart=cart, data=checkout_body(shop.seller))
    order = payment.orders.get()
    payment_expire(payment_id=payment.pk, now=timezone.now() + FAR)
    assert not CapacityBooking.objects.filter(source_id=str(order.pk), cancelled=False).exists()

    confirm(shop, payment, order.total_amount)

    assert Order.objects.get(pk=order.pk).status == "paid"
    booking = CapacityBooking.objects.get(source_id=str(order.pk), cancelled=False)
    assert booking.quantity == 2


def test_late_money_for_a_cancelled_payment_with_too_little_is_refunded(shop):
    order = shop.place()
    order_cancel(order=order, actor=shop.buyer, reason="Batal")

    payment = confirm(shop, order.payment, 100_000)

    assert payment.status == "needs_review"
    refund = Refund.objects.get(payment=payment)
    assert (refund.reason, refund.total_amount) == ("late_payment", 100_000)
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    assert stock(shop.product) == 20


def test_late_money_for_a_cancelled_payment_is_honoured_in_full(shop):
    order = shop.place()
    order_cancel(order=order, actor=shop.buyer, reason="Batal")

    payment = confirm(shop, order.payment, 300_000)

    assert payment.status == "paid" and payment.amount_due_amount == 300_000
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert stock(shop.product) == 18
    assert ledger_check().ok


def test_late_resolve_only_for_payments_under_review(shop):
    payment = shop.place().payment
    with pytest.raises(Conflict):
        payment_late_resolve(payment=payment)
    assert Payment.objects.get(pk=payment.pk).status == "pending"
