"""Checkout under real concurrency on PostgreSQL: many buyers released together by a barrier,
each in its own connection. The database, not luck, keeps stock ≥ 0 and bookings ≤ capacity,
and two checkouts locking the same products never deadlock."""

import pytest

from marketplace.capacity import CapacityExceeded, capacity_booked
from marketplace.models import CapacityBooking, Product, StockMovement
from marketplace.services import OutOfStock
from orders.models import Cart, CartItem, Order, Payment
from orders.services.checkout import checkout_place
from tests.concurrency import race
from tests.factories import (
    OrganizationFactory,
    ProductFactory,
    ShippingSettingsFactory,
    UserFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 24


def data(seller_slug: str) -> dict:
    return {
        "contact_name": "Pembeli",
        "contact_phone": "081234567890",
        "contact_email": "pembeli@contoh.id",
        "address_line": "Jl. Uji 1",
        "village": "36.72.07.1004",
        "payment_method": "bank_transfer",
        "shipping": {seller_slug: "pickup"},
    }


def buyer_with_cart(*lines: tuple[Product, int]):
    user = UserFactory()
    cart = Cart.objects.create(user=user)
    for product, quantity in lines:
        CartItem.objects.create(cart=cart, product=product, quantity=quantity)
    return user, cart


def checkout_work(user, cart, seller_slug: str):
    return lambda: checkout_place(user=user, cart=cart, data=data(seller_slug))


@pytest.fixture
def seller(regions):
    seller = OrganizationFactory(slug="posyantek-ramai")
    ShippingSettingsFactory(organization=seller)
    return seller


def test_many_buyers_racing_for_the_last_units_never_oversell(seller):
    product = ProductFactory(seller=seller, name="Mesin Terakhir", stock=5)
    buyers = [buyer_with_cart((product, 1)) for _i in range(BUYERS)]

    results = race([checkout_work(user, cart, seller.slug) for user, cart in buyers])

    sold = [result for result in results if isinstance(result, Payment)]
    refused = [result for result in results if not isinstance(result, Payment)]
    assert len(sold) == 5
    assert len(refused) == BUYERS - 5
    assert all(isinstance(error, OutOfStock) for error in refused), refused
    assert all("Mesin Terakhir" in str(error.message) for error in refused)
    assert all(error.status_code == 409 for error in refused)
    product.refresh_from_db()
    assert product.stock == 0
    assert Order.objects.count() == 5
    assert Payment.objects.count() == 5
    assert StockMovement.objects.filter(product=product, reason="sale").count() == 5
    # The refused buyers keep their carts; the others' carts are empty.
    assert CartItem.objects.count() == BUYERS - 5


def test_many_buyers_racing_for_the_last_capacity_never_overbook(seller):
    product = ProductFactory(
        seller=seller,
        name="Mesin Pesanan",
        availability=Product.Availability.MADE_TO_ORDER,
        monthly_capacity=5,
        stock=0,
        lead_time_days=7,
    )
    buyers = [buyer_with_cart((product, 1)) for _i in range(BUYERS)]

    results = race([checkout_work(user, cart, seller.slug) for user, cart in buyers])

    sold = [result for result in results if isinstance(result, Payment)]
    refused = [result for result in results if not isinstance(result, Payment)]
    assert len(sold) == 5
    assert all(isinstance(error, CapacityExceeded) for error in refused), refused
    assert all("Mesin Pesanan" in str(error.message) for error in refused)
    booking = CapacityBooking.objects.filter(product=product).first()
    assert capacity_booked(product, booking.month) == 5
    assert CapacityBooking.objects.filter(product=product).count() == 5
    assert Order.objects.count() == 5


@pytest.mark.parametrize("round_", range(5))
def test_carts_holding_two_products_in_opposite_order_do_not_deadlock(seller, round_):
    counted = ProductFactory(seller=seller, stock=100)
    made = ProductFactory(
        seller=seller,
        availability=Product.Availability.MADE_TO_ORDER,
        monthly_capacity=100,
        stock=0,
    )
    buyers = [
        buyer_with_cart((counted, 1), (made, 1))
        if i % 2
        else buyer_with_cart((made, 1), (counted, 1))
        for i in range(8)
    ]

    results = race([checkout_work(user, cart, seller.slug) for user, cart in buyers])

    assert all(isinstance(result, Payment) for result in results), results
    counted.refresh_from_db()
    assert counted.stock == 92
    assert capacity_booked(made, CapacityBooking.objects.first().month) == 8


def test_two_identical_requests_with_one_key_place_one_checkout(seller):
    product = ProductFactory(seller=seller, stock=10)
    user, cart = buyer_with_cart((product, 2))

    def work():
        return checkout_place(
            user=user, cart=cart, data=data(seller.slug), idempotency_key="sama-sekali"
        )

    results = race([work for _i in range(4)])

    assert all(isinstance(result, Payment) for result in results), results
    assert len({result.pk for result in results}) == 1
    assert Payment.objects.count() == 1
    product.refresh_from_db()
    assert product.stock == 8
