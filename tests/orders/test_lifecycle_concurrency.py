"""The lifecycle under real concurrency on PostgreSQL: two workers running the same beat job at
once, a buyer cancelling while the payment is confirmed. Each contender runs in its own
thread and connection, released together by a barrier; row locks, not luck, decide."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from core.errors import ApplicationError, Conflict, PermissionDenied
from marketplace.models import CapacityBooking, Product, StockMovement
from orders.models import Cart, CartItem, Order, OrderEvent, Payment
from orders.services.checkout import checkout_place
from orders.services.lifecycle import order_cancel, payment_expire
from orders.services.payments import payment_mark_paid
from orders.tasks import orders_complete_delivered, orders_expire_unpaid
from tests.concurrency import race
from tests.factories import ProductFactory
from tests.orders.conftest import checkout_body

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def products(shop):
    """The shop's product (20 in stock), a second stock product (10) and a made-to-order one."""
    second = ProductFactory(seller=shop.seller, name="Alat Kedua", stock=10, price_amount=50_000)
    made = ProductFactory(
        seller=shop.seller,
        name="Mesin Pesanan",
        availability=Product.Availability.MADE_TO_ORDER,
        monthly_capacity=10,
        stock=0,
        lead_time_days=7,
    )
    return shop.product, second, made


def place(shop, lines) -> Order:
    cart, _created = Cart.objects.get_or_create(user=shop.buyer)
    for product, quantity in lines:
        CartItem.objects.create(cart=cart, product=product, quantity=quantity)
    payment = checkout_place(user=shop.buyer, cart=cart, data=checkout_body(shop.seller))
    return payment.orders.get()


def overdue(order: Order) -> None:
    past = timezone.now() - datetime.timedelta(minutes=1)
    Payment.objects.filter(pk=order.payment_id).update(expires_at=past)


def stocks(*products: Product) -> list[int]:
    return [Product.objects.get(pk=product.pk).stock for product in products]


@pytest.mark.parametrize("round_", range(3))
def test_two_expiries_of_one_payment_at_once_release_once(shop, products, round_):
    first, second, made = products
    order = place(shop, [(first, 2), (second, 3), (made, 1)])
    assert stocks(first, second) == [18, 7]
    overdue(order)

    results = race([lambda: payment_expire(payment_id=order.payment_id)] * 2)

    assert sorted(results) == [False, True], results
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    assert order.events.filter(to_status=Order.Status.EXPIRED).count() == 1
    stock_lines = order.lines.filter(availability="stock").count()
    assert StockMovement.objects.filter(reason="cancel").count() == stock_lines == 2
    assert stocks(first, second) == [20, 10]
    booking = CapacityBooking.objects.get(source_type="order", source_id=str(order.pk))
    assert booking.cancelled
    payment = Payment.objects.get(pk=order.payment_id)
    assert payment.status == Payment.Status.EXPIRED
    assert payment.events.filter(kind="status", to_status=Payment.Status.EXPIRED).count() == 1


def test_two_beat_runs_at_once_expire_each_payment_once(shop, products):
    first, second, _made = products
    orders = [place(shop, [(first, 1), (second, 1)]) for _i in range(4)]
    for order in orders:
        overdue(order)
    assert stocks(first, second) == [16, 6]

    results = race([orders_expire_unpaid, orders_expire_unpaid])

    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == 4
    assert set(Order.objects.values_list("status", flat=True)) == {Order.Status.EXPIRED}
    assert OrderEvent.objects.filter(to_status=Order.Status.EXPIRED).count() == 4
    assert StockMovement.objects.filter(reason="cancel").count() == 8
    assert stocks(first, second) == [20, 10]


@pytest.mark.parametrize("round_", range(4))
def test_buyer_cancel_racing_payment_confirmation_one_wins(shop, round_):
    order = place(shop, [(shop.product, 2)])
    payment = order.payment

    results = race(
        [
            lambda: order_cancel(order=order, actor=shop.buyer),
            lambda: payment_mark_paid(payment=payment, actor=shop.platform),
        ]
    )

    cancelled, paid = results
    winners = [r for r in results if not isinstance(r, ApplicationError)]
    assert len(winners) == 1, results
    order.refresh_from_db()
    payment.refresh_from_db()
    moves = list(order.events.exclude(from_status="").values_list("from_status", "to_status"))
    if isinstance(cancelled, Order):
        assert isinstance(paid, Conflict)  # a cancelled payment cannot be marked paid
        assert order.status == Order.Status.CANCELLED
        assert payment.status == Payment.Status.CANCELLED
        assert moves == [("pending_payment", "cancelled")]
        assert stocks(shop.product) == [20]
        assert StockMovement.objects.filter(reason="cancel").count() == 1
    else:
        assert isinstance(cancelled, PermissionDenied)  # the buyer cannot cancel a paid order
        assert order.status == Order.Status.PAID
        assert payment.status == Payment.Status.PAID
        assert moves == [("pending_payment", "paid")]
        assert stocks(shop.product) == [18]
        assert not StockMovement.objects.filter(reason="cancel").exists()


def test_two_auto_completion_runs_at_once_complete_each_order_once(shop):
    orders = [shop.delivered(quantity=1) for _i in range(3)]
    Order.objects.filter(pk__in=[o.pk for o in orders]).update(
        delivered_at=timezone.now() - datetime.timedelta(days=30)
    )
    mail.outbox.clear()

    results = race([orders_complete_delivered, orders_complete_delivered])

    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == 3
    for order in orders:
        order.refresh_from_db()
        assert order.status == Order.Status.COMPLETED
        assert order.events.filter(to_status=Order.Status.COMPLETED).count() == 1
    # One message set per completion (seller managers + buyer), none twice.
    completed = OrderEvent.objects.filter(to_status=Order.Status.COMPLETED)
    assert all(event.notified_at for event in completed)
    assert len(mail.outbox) == 2 * 3
