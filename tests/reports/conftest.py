"""Shared fixtures of the reports tests."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Role
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    ShippingSettingsFactory,
    UserFactory,
)
from tests.orders.conftest import Shop


@pytest.fixture
def client_for(db):
    """An API client signed in (by token) as the given user."""

    def make(user) -> APIClient:
        client = APIClient()
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def shop(regions) -> Shop:
    """A verified Posyantek in Purwakarta, Kota Cilegon (36.72.07) with an owner, a manager and
    a staff member; a product at Rp 150.000 with 40 in stock; a buyer, a stranger, staff."""
    seller = OrganizationFactory(name="Posyantek Purwakarta", slug="posyantek-purwakarta")
    ShippingSettingsFactory(organization=seller)
    members = {}
    for role in (Role.OWNER, Role.MANAGER, Role.STAFF):
        members[role] = UserFactory()
        MembershipFactory(user=members[role], organization=seller, role=role)
    product = ProductFactory(
        seller=seller, name="Pakan Ternak Ampas Tahu", price_amount=150_000, stock=40
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
