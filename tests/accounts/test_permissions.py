"""The organisation rows of DESIGN.md's "Who may do what", as a table."""

import pytest

from accounts import permissions
from accounts.models import Role
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

WHO = ["owner", "manager", "staff", "other_user", "platform_staff", "dinas"]

#                             owner  manager staff  other  platform dinas
TABLE = {
    "can_edit_organization": (True, False, False, False, True, False),
    "can_edit_profile": (True, True, False, False, True, False),
    "can_view_private": (True, True, True, False, True, False),
    "can_see_documents": (True, False, False, False, True, False),
}


@pytest.fixture
def world(regions):
    posyantek = OrganizationFactory(code="PWK", slug="pwk")  # in 36.72.07, Banten
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
    people["dinas"] = MembershipFactory(organization=dinas_org, role=Role.STAFF).user
    return posyantek, dinas_org, people


@pytest.mark.parametrize("check", TABLE)
@pytest.mark.parametrize("who", WHO)
def test_organisation_rows(world, check, who):
    posyantek, _dinas, people = world
    expected = TABLE[check][WHO.index(who)]

    assert getattr(permissions, check)(people[who], posyantek) is expected


@pytest.mark.parametrize("who", WHO)
def test_only_platform_staff_verify(world, who):
    _posyantek, _dinas, people = world

    assert permissions.can_verify(people[who]) is (who == "platform_staff")


def test_anonymous_may_do_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    posyantek, _dinas, _people = world
    for check in TABLE:
        assert getattr(permissions, check)(AnonymousUser(), posyantek) is False


def test_inactive_user_loses_every_right(world):
    posyantek, _dinas, people = world
    owner = people["owner"]
    owner.is_active = False

    assert not permissions.can_edit_organization(owner, posyantek)


@pytest.mark.parametrize(
    "jurisdiction, place, inside",
    [
        ("36", "36.72.07", True),
        ("36", "36.72.07.1004", True),
        ("36.72", "36.72.07", True),
        ("36.72", "36.04.05", False),
        ("36", "31.71.05", False),
        ("3", "36.72.07", False),
        ("36", "", False),
    ],
)
def test_within_jurisdiction(world, jurisdiction, place, inside):
    _posyantek, dinas, _people = world
    dinas.jurisdiction = jurisdiction

    assert permissions.within_jurisdiction(dinas, place) is inside


def test_unverified_dinas_oversees_nothing(world):
    _posyantek, dinas, people = world
    dinas.verification_status = "pending"
    dinas.save()

    assert not permissions.within_jurisdiction(dinas, "36.72.07")
    assert not permissions.user_oversees(people["dinas"], "36.72.07")


def test_dinas_member_oversees_its_area(world):
    _posyantek, _dinas, people = world

    assert permissions.user_oversees(people["dinas"], "36.72.07")
    assert not permissions.user_oversees(people["dinas"], "31.71.05")
    assert not permissions.user_oversees(people["owner"], "36.72.07")
