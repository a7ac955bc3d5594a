"""mitra.permissions against DESIGN.md's table ("post needs, accept proposals (partner org)":
owner ✓, manager ✓, staff —, other —, platform staff hide only, dinas —), row by row, and who
sees a need and its matches."""

import pytest

from accounts.models import Organization, Role
from mitra import permissions
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.mitra.conftest import WHO, people_of
from tests.mitra.factories import NeedFactory, PartnerFactory

pytestmark = pytest.mark.django_db

T, F = True, False


def row(owner, manager, staff, other, platform_staff, dinas, anonymous) -> dict:
    return dict(
        zip(WHO, (owner, manager, staff, other, platform_staff, dinas, anonymous), strict=True)
    )


# action → who may, for a need of a verified industry partner.
POST = row(T, T, F, F, F, F, F)  # create a need for the organisation
EDIT = row(T, T, F, F, F, F, F)  # edit and publish
CLOSE = row(T, T, F, F, T, F, F)  # platform staff: "hide only"
DESK = row(T, T, T, F, T, F, F)  # all the organisation's needs, drafts included
MATCHES = row(T, T, T, F, T, F, F)  # every Posyantek ranked for the need
SEE_DRAFT = row(T, T, T, F, T, F, F)
SEE_OPEN = row(T, T, T, T, T, T, T)


@pytest.mark.parametrize("who", WHO)
def test_post_needs(regions, who):
    partner = PartnerFactory()
    people = people_of(partner)

    assert permissions.can_create_need(people[who], partner) is POST[who]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("status", ["draft", "open", "in_discussion"])
def test_edit_publish_and_close_a_need(regions, who, status):
    need = NeedFactory(status=status)
    people = people_of(need.organization)
    user = people[who]

    assert permissions.can_edit_need(user, need) is EDIT[who]
    assert permissions.can_publish_need(user, need) is EDIT[who]
    assert permissions.can_close_need(user, need) is CLOSE[who]


@pytest.mark.parametrize("who", WHO)
def test_see_the_desk_and_the_matches(regions, who):
    need = NeedFactory()
    people = people_of(need.organization)
    user = people[who]

    assert permissions.can_view_need_desk(user, need.organization) is DESK[who]
    assert permissions.can_view_matches(user, need) is MATCHES[who]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("status", ["draft", "fulfilled", "closed", "expired"])
def test_drafts_and_finished_needs_are_seen_only_by_their_organisation(regions, who, status):
    need = NeedFactory(status=status)
    people = people_of(need.organization)

    assert permissions.can_view_need(people[who], need) is SEE_DRAFT[who]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("status", ["open", "in_discussion"])
def test_active_needs_are_public(regions, who, status):
    need = NeedFactory(status=status)
    people = people_of(need.organization)

    assert permissions.can_view_need(people[who], need) is SEE_OPEN[who]


@pytest.mark.parametrize("who", WHO)
def test_an_unverified_partner_prepares_drafts_its_open_needs_are_not_public(regions, who):
    partner = PartnerFactory(verification_status=Organization.VerificationStatus.PENDING)
    people = people_of(partner)
    need = NeedFactory(organization=partner, status="open")

    # May prepare drafts (the service refuses publishing with a 409).
    assert permissions.can_create_need(people[who], partner) is POST[who]
    assert permissions.can_view_need(people[who], need) is SEE_DRAFT[who]


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.STAFF])
def test_a_posyantek_does_not_post_needs(regions, role):
    posyantek = OrganizationFactory(kind=Organization.Kind.POSYANTEK)
    member = MembershipFactory(organization=posyantek, role=role).user

    assert not permissions.can_create_need(member, posyantek)


@pytest.mark.parametrize("kind", ["industry", "university", "government", "ngo", "ukm"])
def test_every_partner_kind_posts_needs(regions, kind):
    partner = PartnerFactory(kind=kind)
    owner = MembershipFactory(organization=partner, role=Role.OWNER).user

    assert permissions.can_create_need(owner, partner)


@pytest.mark.parametrize("who", WHO)
def test_a_posyantek_sees_its_own_matches_only_as_its_members(regions, who):
    posyantek = OrganizationFactory()
    people = people_of(posyantek)

    assert permissions.can_view_own_matches(people[who], posyantek) is DESK[who]
    # …and never the whole ranking of someone else's need.
    need = NeedFactory()
    if who not in ("platform_staff",):
        assert not permissions.can_view_matches(people[who], need)


def test_a_member_of_another_partner_has_no_rights(regions):
    need = NeedFactory(status="draft")
    other_partner = PartnerFactory()
    stranger = MembershipFactory(organization=other_partner, role=Role.OWNER).user

    assert not permissions.can_view_need(stranger, need)
    assert not permissions.can_edit_need(stranger, need)
    assert not permissions.can_close_need(stranger, need)
    assert not permissions.can_view_matches(stranger, need)


def test_an_inactive_owner_has_no_rights(regions):
    need = NeedFactory(status="draft")
    owner = MembershipFactory(organization=need.organization, role=Role.OWNER).user
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    assert not permissions.can_view_need(owner, need)
    assert not permissions.can_edit_need(owner, need)


@pytest.mark.parametrize(
    "status, owner_actions, staff_actions",
    [
        ("draft", ["edit", "publish", "close"], ["close"]),
        ("open", ["edit", "close"], ["close"]),
        ("in_discussion", ["edit", "close"], ["close"]),
        ("fulfilled", [], []),
        ("closed", [], []),
        ("expired", [], []),
    ],
)
def test_next_actions_follow_the_status_and_the_table(
    regions, status, owner_actions, staff_actions
):
    need = NeedFactory(status=status)
    owner = MembershipFactory(organization=need.organization, role=Role.OWNER).user
    member = MembershipFactory(organization=need.organization, role=Role.STAFF).user

    assert permissions.need_next_actions(owner, need) == owner_actions
    assert permissions.need_next_actions(UserFactory(is_staff=True), need) == staff_actions
    assert permissions.need_next_actions(member, need) == []
