"""The beat jobs (orders.tasks): unpaid prepaid orders expire after BANK_TRANSFER_EXPIRY_HOURS
(card: CARD_EXPIRY_MINUTES), never while a transfer proof awaits confirmation, giving stock and
capacity back exactly once; delivered orders complete ORDER_AUTO_COMPLETE_DAYS after delivery,
never one in dispute.

Neither time-machine nor freezegun is installed (requirements-dev.txt): tests move the
deadline (`expires_at`, `delivered_at`) into the past in their setup, or pass `now` to the
services. The tasks themselves read the clock."""

import datetime

import pytest
from django.utils import timezone

from marketplace.models import CapacityBooking, Product, StockMovement
from orders.models import Cart, CartItem, Order, OrderEvent, Payment, PaymentMethod
from orders.services.checkout import checkout_place, payment_expiry
from orders.services.disputes import order_report_problem
from orders.services.lifecycle import payment_expire, payments_due_for_expiry
from orders.tasks import orders_complete_delivered, orders_expire_unpaid
from tests.factories import OrganizationFactory, ProductFactory, ShippingSettingsFactory
from tests.orders.conftest import checkout_body

pytestmark = pytest.mark.django_db

S = Order.Status
MINUTE = datetime.timedelta(minutes=1)


def move_deadline(order: Order, at: datetime.datetime) -> None:
    Payment.objects.filter(pk=order.payment_id).update(expires_at=at)
    Order.objects.filter(payment_id=order.payment_id).update(expires_at=at)


def expire_now(order: Order) -> None:
    """As if the payment's time ran out a minute ago."""
    move_deadline(order, timezone.now() - MINUTE)


@pytest.fixture
def made(shop):
    """A made-to-order product of the shop's Posyantek: 5 a month, 7 days' lead time."""
    return ProductFactory(
        seller=shop.seller,
        name="Mesin Pesanan",
        availability=Product.Availability.MADE_TO_ORDER,
        monthly_capacity=5,
        stock=0,
        lead_time_days=7,
        price_amount=1_000_000,
    )


def place_both(shop, made) -> Order:
    """One order with a stock line (2 units) and a made-to-order line (3)."""
    cart, _created = Cart.objects.get_or_create(user=shop.buyer)
    CartItem.objects.create(cart=cart, product=shop.product, quantity=2)
    CartItem.objects.create(cart=cart, product=made, quantity=3)
    payment = checkout_place(user=shop.buyer, cart=cart, data=checkout_body(shop.seller))
    return payment.orders.get()


# --- Expiry -----------------------------------------------------------------------------------


@pytest.mark.parametrize("hours", [24, 2])
def test_a_bank_transfer_waits_the_configured_hours(shop, settings, hours):
    settings.BANK_TRANSFER_EXPIRY_HOURS = hours
    before = timezone.now()
    order = shop.place()
    after = timezone.now()

    payment = order.payment
    wait = datetime.timedelta(hours=hours)
    assert before + wait <= payment.expires_at <= after + wait
    assert order.expires_at == payment.expires_at

    # Not yet: a minute before the end nothing happens.
    assert payment_expire(payment_id=payment.pk, now=payment.expires_at - MINUTE) is False
    assert orders_expire_unpaid() == 0
    order.refresh_from_db()
    assert order.status == S.PENDING_PAYMENT

    # Due: the beat expires it.
    assert payment.pk in payments_due_for_expiry(payment.expires_at)
    expire_now(order)
    assert orders_expire_unpaid() == 1

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == S.EXPIRED
    assert payment.status == Payment.Status.EXPIRED
    assert payment.events.last().to_status == Payment.Status.EXPIRED
    event = order.events.last()
    assert (event.from_status, event.to_status, event.actor) == (S.PENDING_PAYMENT, S.EXPIRED, None)
    shop.product.refresh_from_db()
    assert shop.product.stock == 20


def test_a_card_payment_waits_the_card_minutes(shop, settings):
    """Checkout refuses card payments today (the payments issue adds them): the test turns a
    bank-transfer payment into a card one in its setup, with the card's expiry."""
    settings.CARD_EXPIRY_MINUTES = 60
    assert payment_expiry(PaymentMethod.CARD) == datetime.timedelta(minutes=60)
    order = shop.place()
    created = order.payment.created_at
    Payment.objects.filter(pk=order.payment_id).update(method=PaymentMethod.CARD)
    move_deadline(order, created + payment_expiry(PaymentMethod.CARD))

    assert payment_expire(payment_id=order.payment_id, now=created + 59 * MINUTE) is False
    assert payment_expire(payment_id=order.payment_id, now=created + 61 * MINUTE) is True

    order.refresh_from_db()
    assert order.status == S.EXPIRED
    shop.product.refresh_from_db()
    assert shop.product.stock == 20


def test_nothing_expires_while_a_transfer_proof_awaits_confirmation(shop):
    """The payments issue moves a payment to awaiting_confirmation when a proof is uploaded;
    the test sets the status directly."""
    order = shop.place()
    Payment.objects.filter(pk=order.payment_id).update(status=Payment.Status.AWAITING_CONFIRMATION)
    expire_now(order)

    assert orders_expire_unpaid() == 0
    assert payment_expire(payment_id=order.payment_id) is False

    order.refresh_from_db()
    assert order.status == S.PENDING_PAYMENT
    assert order.payment.status == Payment.Status.AWAITING_CONFIRMATION
    shop.product.refresh_from_db()
    assert shop.product.stock == 18
    assert not StockMovement.objects.filter(reason="cancel").exists()


def test_a_paid_order_never_expires(shop):
    order = shop.paid()
    expire_now(order)

    assert orders_expire_unpaid() == 0

    order.refresh_from_db()
    assert order.status == S.PAID


def test_expiry_gives_stock_and_capacity_back_once(shop, made):
    order = place_both(shop, made)
    bookings = CapacityBooking.objects.filter(source_type="order", source_id=str(order.pk))
    assert bookings.count() == 1 and not bookings.get().cancelled
    shop.product.refresh_from_db()
    assert shop.product.stock == 18
    expire_now(order)

    assert orders_expire_unpaid() == 1
    assert orders_expire_unpaid() == 0  # the second run finds nothing due

    order.refresh_from_db()
    assert order.status == S.EXPIRED
    assert order.events.filter(to_status=S.EXPIRED).count() == 1
    shop.product.refresh_from_db()
    assert shop.product.stock == 20
    movements = StockMovement.objects.filter(reason="cancel")
    assert [(m.product_id, m.delta) for m in movements] == [(shop.product.pk, 2)]
    booking = bookings.get()
    assert booking.cancelled and booking.cancelled_at is not None
    made.refresh_from_db()
    assert made.stock == 0
    # Even a direct second call for the same payment changes nothing.
    assert payment_expire(payment_id=order.payment_id) is False
    assert StockMovement.objects.filter(reason="cancel").count() == 1


@pytest.fixture
def two_sellers(shop):
    """The shop and a second Posyantek with a product in stock."""
    other = OrganizationFactory(slug="posyantek-lain")
    ShippingSettingsFactory(organization=other)
    product = ProductFactory(seller=other, stock=4, price_amount=50_000)
    return shop, other, product


def test_expiry_expires_every_unpaid_order_of_the_payment(two_sellers):
    shop, other, product = two_sellers
    cart, _created = Cart.objects.get_or_create(user=shop.buyer)
    CartItem.objects.create(cart=cart, product=shop.product, quantity=2)
    CartItem.objects.create(cart=cart, product=product, quantity=1)
    data = checkout_body(shop.seller, shipping={shop.seller.slug: "pickup", other.slug: "pickup"})
    payment = checkout_place(user=shop.buyer, cart=cart, data=data)
    first, _second = payment.orders.order_by("pk")
    expire_now(first)

    assert orders_expire_unpaid() == 1

    assert set(payment.orders.values_list("status", flat=True)) == {S.EXPIRED}
    assert StockMovement.objects.filter(reason="cancel").count() == 2


# --- Auto-completion --------------------------------------------------------------------------


def delivered_days_ago(order: Order, days: float) -> None:
    Order.objects.filter(pk=order.pk).update(
        delivered_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_delivered_orders_complete_after_the_days(shop, settings):
    settings.ORDER_AUTO_COMPLETE_DAYS = 7
    due = shop.delivered()
    delivered_days_ago(due, 7.01)
    not_yet = shop.delivered()
    delivered_days_ago(not_yet, 6.9)
    disputed = shop.delivered()
    delivered_days_ago(disputed, 30)
    order_report_problem(order=disputed, actor=shop.buyer, reason="damaged", description="Rusak")

    assert orders_complete_delivered() == 1
    assert orders_complete_delivered() == 0

    due.refresh_from_db()
    not_yet.refresh_from_db()
    disputed.refresh_from_db()
    assert due.status == S.COMPLETED
    assert due.completed_at is not None
    events = OrderEvent.objects.filter(order=due, to_status=S.COMPLETED)
    assert events.count() == 1
    assert events.get().actor is None
    assert not_yet.status == S.DELIVERED
    assert disputed.status == S.IN_DISPUTE
    assert not OrderEvent.objects.filter(order=disputed, to_status=S.COMPLETED).exists()


def test_the_days_are_configurable(shop, settings):
    settings.ORDER_AUTO_COMPLETE_DAYS = 2
    order = shop.delivered()
    delivered_days_ago(order, 2.01)

    assert orders_complete_delivered() == 1

    order.refresh_from_db()
    assert order.status == S.COMPLETED
