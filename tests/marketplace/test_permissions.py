"""The product rows of DESIGN.md's "Who may do what", as a table."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Role
from marketplace import permissions
from tests.factories import MembershipFactory, OrganizationFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

WHO = ["owner", "manager", "staff", "other_user", "platform_staff", "dinas"]

# "create/edit/publish products, set stock": owner ✓, manager ✓, staff —, others —,
# platform staff "hide only", dinas —.
#                            owner  manager staff  other  platform dinas
TABLE = {
    "can_manage_products": (True, True, False, False, False, False),
    "can_manage_product": (True, True, False, False, False, False),
    "can_hide_products": (False, False, False, False, True, False),
    "can_view_product_desk": (True, True, True, False, True, False),
}


@pytest.fixture
def world(regions):
    posyantek = OrganizationFactory(code="PWK", slug="pwk")
    dinas_org = OrganizationFactory(
        kind="government", code="DPMPD", slug="dpmpd-banten", posyantek_level="",
        jurisdiction="36",
    )  # fmt: skip
    people = {
        role: MembershipFactory(organization=posyantek, role=role).user
        for role in (Role.OWNER, Role.MANAGER, Role.STAFF)
    }
    people["other_user"] = UserFactory()
    people["platform_staff"] = UserFactory(is_staff=True)
    people["dinas"] = MembershipFactory(organization=dinas_org, role=Role.OWNER).user
    product = ProductFactory(seller=posyantek, status="draft")
    return posyantek, product, people


def subject(check, posyantek, product):
    return {
        "can_manage_product": (product,),
        "can_hide_products": (),
    }.get(check, (posyantek,))


@pytest.mark.parametrize("check", TABLE)
@pytest.mark.parametrize("who", WHO)
def test_product_rows(world, check, who):
    posyantek, product, people = world
    expected = TABLE[check][WHO.index(who)]

    assert getattr(permissions, check)(people[who], *subject(check, posyantek, product)) is expected


def test_anonymous_and_inactive_may_do_nothing(world):
    posyantek, product, people = world
    owner = people["owner"]
    owner.is_active = False
    for user in (AnonymousUser(), owner):
        for check in TABLE:
            assert getattr(permissions, check)(user, *subject(check, posyantek, product)) is False


def test_an_owner_of_a_company_cannot_sell(world):
    company = OrganizationFactory(kind="industry", posyantek_level="")
    owner = MembershipFactory(organization=company, role=Role.OWNER).user

    assert not permissions.can_manage_products(owner, company)


@pytest.mark.parametrize(
    "status, verification, public",
    [
        ("published", "verified", True),
        ("published", "pending", False),
        ("draft", "verified", False),
        ("archived", "verified", False),
        ("hidden", "verified", False),
    ],
)
def test_who_sees_a_product(world, status, verification, public):
    posyantek, product, people = world
    posyantek.verification_status = verification
    posyantek.save()
    product.status = status
    product.hidden_reason = "Spam" if status == "hidden" else ""
    product.save()

    assert permissions.can_view_product(AnonymousUser(), product) is public
    assert permissions.can_view_product(people["other_user"], product) is public
    assert permissions.can_view_product(people["staff"], product) is True
    assert permissions.can_view_product(people["platform_staff"], product) is True
