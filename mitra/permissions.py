"""The partner-need rows of DESIGN.md's "Who may do what", on accounts' primitives.

| action                                     | owner | manager | staff | other | platform | dinas |
|--------------------------------------------|-------|---------|-------|-------|----------|-------|
| post needs (create, edit, publish, close)  |   ✓   |    ✓    |   —   |   —   | hide only|   —   |
| see the organisation's drafts, old needs   |   ✓   |    ✓    |   ✓   |   —   |    ✓     |   —   |
| see a need's ranked matches                |   ✓   |    ✓    |   ✓   |   —   |    ✓     |   —   |

"Hide only": platform staff close a need (it leaves the board), nothing else. A need is posted
by a partner organisation (industry, university, government, NGO, UKM), never by a Posyantek,
which answers needs instead: its members see the active needs that fit it and their own match
on each (the reverse view), not the other Posyantek ranked beside them. Open and in-discussion
needs of verified organisations are public; drafts, and needs that are fulfilled, closed or
expired, only for the organisation's members and platform staff. A dinas is a partner like any
other for its own needs and has no rights over other organisations' needs.
"""

from accounts.models import Organization, Role
from accounts.permissions import AnyUser, has_role, is_member, is_platform_staff
from mitra.models import Need
from mitra.services import PARTNER_KINDS


def is_partner(organization: Organization) -> bool:
    """An organisation that posts needs: every kind but a Posyantek."""
    return organization.kind in PARTNER_KINDS


def can_create_need(user: AnyUser, organization: Organization) -> bool:
    """Post needs for the organisation (drafts even while it is not verified; publishing
    waits for verification, which the service checks): owners and managers of a partner."""
    return is_partner(organization) and has_role(user, organization, Role.MANAGER)


def can_view_need_desk(user: AnyUser, organization: Organization) -> bool:
    """All of the organisation's needs, drafts and finished ones included: any member, or
    platform staff."""
    return is_member(user, organization) or is_platform_staff(user)


def is_public(need: Need) -> bool:
    """On the board for everyone: open or in discussion, from a verified organisation."""
    return need.is_active and need.organization.is_verified


def can_view_need(user: AnyUser, need: Need) -> bool:
    return is_public(need) or can_view_need_desk(user, need.organization)


def can_edit_need(user: AnyUser, need: Need) -> bool:
    """Edit and publish the need: its organisation's owners and managers."""
    return can_create_need(user, need.organization)


def can_publish_need(user: AnyUser, need: Need) -> bool:
    return can_edit_need(user, need)


def can_close_need(user: AnyUser, need: Need) -> bool:
    """Close the need: its organisation's owners and managers, or platform staff (hiding
    it)."""
    return can_edit_need(user, need) or is_platform_staff(user)


def can_view_matches(user: AnyUser, need: Need) -> bool:
    """Every Posyantek ranked for the need: the need's organisation's members, and platform
    staff. A Posyantek's members see their own match only (can_view_own_matches)."""
    return can_view_need_desk(user, need.organization)


def can_view_own_matches(user: AnyUser, posyantek: Organization) -> bool:
    """The needs a Posyantek matches, with its own score and reasons: its members and
    platform staff."""
    return posyantek.kind == Organization.Kind.POSYANTEK and (
        is_member(user, posyantek) or is_platform_staff(user)
    )


# --- What to offer ----------------------------------------------------------------------------

NEED_ACTIONS = ["edit", "publish", "close"]


def need_next_actions(user: AnyUser, need: Need) -> list[str]:
    """The moves the caller may make on the need now (NEED_ACTIONS), from its status and the
    rows above — what the API lists and the pages offer as buttons. The services still
    decide (e.g. an unverified organisation cannot publish)."""
    Status = Need.Status
    actions = []
    editor = can_edit_need(user, need)
    if editor and need.status in (Status.DRAFT, Status.OPEN, Status.IN_DISCUSSION):
        actions.append("edit")
    if editor and Status.OPEN in Need.ALLOWED_TRANSITIONS.get(need.status, set()):
        actions.append("publish")
    if Status.CLOSED in Need.ALLOWED_TRANSITIONS.get(need.status, set()) and can_close_need(
        user, need
    ):
        actions.append("close")
    return actions
