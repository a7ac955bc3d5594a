"""Order lifecycle fixtures: a Posyantek with one member of each role, a buyer, and orders
placed through the real checkout (stock reserved), moved on by the real services."""

from dataclasses import dataclass

import pytest

from accounts.models import Organization, Role, User
from marketplace.models import Product
from orders.models import Cart, CartItem, Order, Refund
from orders.services.checkout import checkout_place
from orders.services.lifecycle import order_accept, order_deliver, order_ship
from orders.services.payments import payment_mark_paid
from orders.services.refunds import refund_account_give, refund_submit
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    ShippingSettingsFactory,
    UserFactory,
)

VILLAGE = "36.72.07.1004"  # Purwakarta, Kota Cilegon (36.72), Banten (36)


def checkout_body(seller: Organization, **changes) -> dict:
    data = {
        "contact_name": "Budi Santoso",
        "contact_phone": "0812-3456-7890",
        "contact_email": "budi@contoh.id",
        "address_line": "Jl. Raya Anyer No. 10",
        "village": VILLAGE,
        "postal_code": "42431",
        "payment_method": "bank_transfer",
        "shipping": {seller.slug: "pickup"},
    }
    data.update(changes)
    return data


@dataclass
class Shop:
    seller: Organization
    owner: User
    manager: User
    staff: User
    buyer: User
    stranger: User
    platform: User
    product: Product

    def place(self, quantity: int = 2, *, buyer: User | None = None, **changes) -> Order:
        """An order awaiting payment, placed by checkout (stock taken)."""
        buyer = buyer or self.buyer
        cart, _created = Cart.objects.get_or_create(user=buyer)
        CartItem.objects.create(cart=cart, product=self.product, quantity=quantity)
        payment = checkout_place(user=buyer, cart=cart, data=checkout_body(self.seller, **changes))
        return payment.orders.get()

    def paid(self, quantity: int = 2, **changes) -> Order:
        order = self.place(quantity, **changes)
        payment_mark_paid(payment=order.payment, actor=self.platform)
        return Order.objects.get(pk=order.pk)

    def processing(self, quantity: int = 2) -> Order:
        return order_accept(order=self.paid(quantity), actor=self.staff)

    def shipped(self, quantity: int = 2) -> Order:
        return order_ship(order=self.processing(quantity), actor=self.staff)

    def delivered(self, quantity: int = 2) -> Order:
        return order_deliver(order=self.shipped(quantity), actor=self.manager)

    def refund_ready(self, refund: Refund) -> Refund:
        """A bank transfer refund ready for staff to send: submitted (pending_manual, as the
        task does after the commit) with the buyer's account given."""
        refund_submit(refund_id=refund.pk)
        refund_account_give(
            refund=refund,
            actor=refund.payment.buyer,
            bank_name="BRI",
            account_number="0123-01-987654-50-1",
            account_holder="Budi Santoso",
        )
        refund.refresh_from_db()
        return refund


@pytest.fixture
def shop(regions) -> Shop:
    """A verified Posyantek (pickup only) with an owner, a manager and a staff member; a
    published product with 20 units in stock at Rp 150.000; a buyer; a stranger; platform
    staff."""
    seller = OrganizationFactory(name="Posyantek Purwakarta", slug="posyantek-purwakarta")
    ShippingSettingsFactory(organization=seller)
    members = {}
    for role in (Role.OWNER, Role.MANAGER, Role.STAFF):
        members[role] = UserFactory()
        MembershipFactory(user=members[role], organization=seller, role=role)
    product = ProductFactory(
        seller=seller, name="Pakan Ternak Ampas Tahu", price_amount=150_000, stock=20
    )
    return Shop(
        seller=seller,
        owner=members[Role.OWNER],
        manager=members[Role.MANAGER],
        staff=members[Role.STAFF],
        buyer=UserFactory(),
        stranger=UserFactory(),
        platform=UserFactory(is_staff=True),
        product=product,
    )


@pytest.fixture
def fake_stripe(settings):
    """The local Stripe stand-in (tests/fakes/stripe_server.py), running, with settings pointing
    the adapter at it (keys set, no network retries) and the provider cache cleared."""
    from orders.payments import _load
    from tests.fakes.stripe_server import FakeStripe

    server = FakeStripe(api_key="sk_test_fake").start()
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"
    settings.STRIPE_API_BASE = server.url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    _load.cache_clear()
    yield server
    server.stop()
    _load.cache_clear()
