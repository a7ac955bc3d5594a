"""orders.permissions against DESIGN.md's table, row by row."""

import pytest

from accounts.models import Organization, Role
from orders import permissions
from tests.factories import (
    MembershipFactory,
    OrderFactory,
    OrganizationFactory,
    PaymentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

WHO = ["owner", "manager", "staff", "other", "platform_staff", "dinas", "dinas_elsewhere"]


def _people(organization: Organization) -> dict:
    people = {
        role: MembershipFactory(organization=organization, role=role).user
        for role in (Role.OWNER, Role.MANAGER, Role.STAFF)
    }
    people["other"] = UserFactory()
    people["platform_staff"] = UserFactory(is_staff=True)
    for name, jurisdiction in (("dinas", "36.72"), ("dinas_elsewhere", "33")):
        dinas = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, jurisdiction=jurisdiction)
        people[name] = MembershipFactory(organization=dinas, role=Role.STAFF).user
    return {str(key): value for key, value in people.items()}


BUY_FOR = {
    "owner": True,
    "manager": True,
    "staff": True,
    "other": False,
    "platform_staff": False,
    "dinas": False,
    "dinas_elsewhere": False,
}

SEE_ORDERS = {
    "owner": True,
    "manager": True,
    "staff": True,
    "other": False,
    "platform_staff": True,
    "dinas": True,
    "dinas_elsewhere": False,
}


@pytest.mark.parametrize("who", WHO)
def test_buy_for_the_organisation(regions, who):
    buyer = OrganizationFactory(kind=Organization.Kind.INDUSTRY)
    people = _people(buyer)

    assert permissions.can_buy_for(people[who], buyer) is BUY_FOR[who]


@pytest.mark.parametrize("who", WHO)
def test_nobody_buys_for_an_unverified_organisation(regions, who):
    buyer = OrganizationFactory(
        kind=Organization.Kind.INDUSTRY,
        verification_status=Organization.VerificationStatus.UNVERIFIED,
    )
    people = _people(buyer)

    assert permissions.can_buy_for(people[who], buyer) is False


@pytest.mark.parametrize("who", WHO)
def test_see_the_organisations_orders(regions, who):
    seller = OrganizationFactory()
    people = _people(seller)
    order = OrderFactory(seller=seller)

    assert permissions.can_view_organization_orders(people[who], seller) is SEE_ORDERS[who]
    assert permissions.can_view_order(people[who], order) is SEE_ORDERS[who]


@pytest.mark.parametrize("who", WHO)
def test_a_payment_is_seen_by_its_buyer_and_platform_staff_only(regions, who):
    seller = OrganizationFactory()
    people = _people(seller)
    payment = PaymentFactory()
    OrderFactory(seller=seller, payment=payment)

    assert permissions.can_view_payment(people[who], payment) is (who == "platform_staff")
    assert permissions.can_view_payment(payment.buyer, payment) is True


def test_the_buyer_and_the_buying_organisations_members_see_the_order(regions):
    buying_for = OrganizationFactory(kind=Organization.Kind.INDUSTRY)
    colleague = MembershipFactory(organization=buying_for, role=Role.STAFF).user
    order = OrderFactory(buyer_organization=buying_for)

    assert permissions.can_view_order(order.buyer, order)
    assert permissions.can_view_order(colleague, order)
    assert not permissions.can_view_order(UserFactory(), order)


def test_anonymous_users_see_nothing(regions):
    from django.contrib.auth.models import AnonymousUser

    order = OrderFactory()
    anonymous = AnonymousUser()
    assert not permissions.can_view_order(anonymous, order)
    assert not permissions.can_view_payment(anonymous, order.payment)
    assert not permissions.can_buy_for(anonymous, order.seller)
    assert not permissions.is_buyer_side(anonymous, order)
    assert not permissions.can_fulfil_order(anonymous, order)
    assert not permissions.can_manage_order(anonymous, order)
    assert not permissions.can_resolve_dispute(anonymous)
    assert not permissions.can_view_dispute(anonymous, order)


# The order rows of DESIGN.md's table (seller side), and the buyer side.
FULFIL = {  # accept, ship
    "owner": True,
    "manager": True,
    "staff": True,
    "other": False,
    "platform_staff": True,
    "dinas": False,
    "dinas_elsewhere": False,
}
MANAGE = {  # mark delivered, cancel a paid order, answer a dispute
    "owner": True,
    "manager": True,
    "staff": False,
    "other": False,
    "platform_staff": True,
    "dinas": False,
    "dinas_elsewhere": False,
}
RESOLVE = {  # resolve a dispute
    "owner": False,
    "manager": False,
    "staff": False,
    "other": False,
    "platform_staff": True,
    "dinas": False,
    "dinas_elsewhere": False,
}
SEE_DISPUTE = {  # private to the two sides and platform staff: not the dinas
    "owner": True,
    "manager": True,
    "staff": True,
    "other": False,
    "platform_staff": True,
    "dinas": False,
    "dinas_elsewhere": False,
}


@pytest.mark.parametrize("who", WHO)
def test_seller_side_order_rows(regions, who):
    seller = OrganizationFactory()
    people = _people(seller)
    order = OrderFactory(seller=seller)
    user = people[who]

    assert permissions.can_fulfil_order(user, order) is FULFIL[who]
    assert permissions.can_manage_order(user, order) is MANAGE[who]
    assert permissions.can_resolve_dispute(user) is RESOLVE[who]
    assert permissions.can_view_dispute(user, order) is SEE_DISPUTE[who]
    assert permissions.is_buyer_side(user, order) is False


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.STAFF])
def test_the_buyer_side_is_the_buyer_and_the_buying_organisations_members(regions, role):
    buying_for = OrganizationFactory(kind=Organization.Kind.INDUSTRY)
    colleague = MembershipFactory(organization=buying_for, role=role).user
    order = OrderFactory(buyer_organization=buying_for)

    assert permissions.is_buyer_side(order.buyer, order)
    assert permissions.is_buyer_side(colleague, order)
    assert permissions.can_view_dispute(colleague, order)
    assert not permissions.is_buyer_side(UserFactory(), order)
    # Buying never gives the seller's powers.
    assert not permissions.can_fulfil_order(order.buyer, order)
    assert not permissions.can_manage_order(order.buyer, order)


def test_an_inactive_buyer_is_no_longer_the_buyer_side(regions):
    order = OrderFactory()
    order.buyer.is_active = False
    order.buyer.save(update_fields=["is_active"])

    assert not permissions.is_buyer_side(order.buyer, order)
