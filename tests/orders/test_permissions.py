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
