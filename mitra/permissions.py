"""The partner-need rows of DESIGN.md's "Who may do what", on accounts' primitives.

| action                                     | owner | manager | staff | other | platform | dinas |
|--------------------------------------------|-------|---------|-------|-------|----------|-------|
| post needs (create, edit, publish, close)  |   ✓   |    ✓    |   —   |   —   | hide only|   —   |
| see the organisation's drafts, old needs   |   ✓   |    ✓    |   ✓   |   —   |    ✓     |   —   |
| see a need's ranked matches                |   ✓   |    ✓    |   ✓   |   —   |    ✓     |   —   |
| answer a need with a proposal (Posyantek)  |   ✓   |    ✓    |   —   |   —   |    —     |   —   |
| withdraw the Posyantek's proposal          |   ✓   |    ✓    |   —   |   —   |    —     |   —   |
| see proposals (sent, or received for the   |   ✓   |    ✓    |   ✓   |   —   |    ✓     |   —   |
|   organisation's own needs)                |       |         |       |       |          |       |
| accept or reject proposals (partner org)   |   ✓   |    ✓    |   —   |   —   |    —     |   —   |
| propose a partnership (either side)        |   ✓   |    ✓    |   —   |   —   |    —     |   —   |
| accept or decline one (the other side),    |   ✓   |    ✓    |   —   |   —   |    —     |   —   |
|   cancel one's own proposal, complete or   |       |         |       |       |          |       |
|   terminate, add and tick off milestones   |       |         |       |       |          |       |
| see the organisation's partnerships        |   ✓   |    ✓    |   ✓   |   —   |    ✓     |   —   |

"Hide only": platform staff close a need (it leaves the board), nothing else. A need is posted
by a partner organisation (industry, university, government, NGO, UKM), never by a Posyantek,
which answers needs instead: its members see the active needs that fit it and their own match
on each (the reverse view), not the other Posyantek ranked beside them. Open and in-discussion
needs of verified organisations are public; drafts, and needs that are fulfilled, closed or
expired, only for the organisation's members and platform staff. A dinas is a partner like any
other for its own needs and has no rights over other organisations' needs.

Proposals are seen by the two organisations concerned (the Posyantek that sent it, the
organisation whose need it answers) and platform staff, never by other Posyantek. A
partnership is seen by its two parties and platform staff; each "side" row means a member of
that side's organisation with the role shown.
"""

from accounts.models import Organization, Role
from accounts.permissions import AnyUser, has_role, is_member, is_platform_staff
from mitra.models import Need, Partnership, Proposal
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


# --- Proposals --------------------------------------------------------------------------------


def can_propose(user: AnyUser, posyantek: Organization) -> bool:
    """Answer needs with proposals on the Posyantek's behalf: its owners and managers."""
    return posyantek.kind == Organization.Kind.POSYANTEK and has_role(user, posyantek, Role.MANAGER)


def can_view_proposal(user: AnyUser, proposal: Proposal) -> bool:
    """The Posyantek that sent it, the organisation whose need it answers (any member), and
    platform staff."""
    return (
        is_member(user, proposal.posyantek)
        or is_member(user, proposal.need.organization)
        or is_platform_staff(user)
    )


def can_decide_proposal(user: AnyUser, proposal: Proposal) -> bool:
    """Accept or reject: owners and managers of the organisation whose need it answers."""
    return has_role(user, proposal.need.organization, Role.MANAGER)


def can_withdraw_proposal(user: AnyUser, proposal: Proposal) -> bool:
    """Withdraw: owners and managers of the Posyantek that sent it."""
    return has_role(user, proposal.posyantek, Role.MANAGER)


PROPOSAL_ACTIONS = ["accept", "reject", "withdraw"]


def proposal_next_actions(user: AnyUser, proposal: Proposal) -> list[str]:
    """The moves the caller may make on the proposal now (PROPOSAL_ACTIONS)."""
    if proposal.status != Proposal.Status.SUBMITTED:
        return []
    actions = []
    if can_decide_proposal(user, proposal):
        actions += ["accept", "reject"]
    if can_withdraw_proposal(user, proposal):
        actions.append("withdraw")
    return actions


# --- Partnerships -----------------------------------------------------------------------------


def partnership_sides(partnership: Partnership) -> tuple[Organization, Organization]:
    return partnership.partner, partnership.posyantek


def can_propose_partnership(user: AnyUser, organization: Organization) -> bool:
    """Propose a partnership on the organisation's behalf (a partner or a Posyantek): its
    owners and managers."""
    return has_role(user, organization, Role.MANAGER)


def can_view_partnership(user: AnyUser, partnership: Partnership) -> bool:
    """Its two parties (any member) and platform staff."""
    return (
        is_member(user, partnership.partner)
        or is_member(user, partnership.posyantek)
        or is_platform_staff(user)
    )


def acting_side(user: AnyUser, partnership: Partnership) -> Organization | None:
    """The party the caller manages (owner or manager), the partner first when both."""
    for organization in partnership_sides(partnership):
        if has_role(user, organization, Role.MANAGER):
            return organization
    return None


def can_answer_partnership(user: AnyUser, partnership: Partnership) -> bool:
    """Accept or decline a proposed partnership: the managers of the side that did not
    propose it."""
    other = (
        partnership.posyantek
        if partnership.proposed_by_id == partnership.partner_id
        else partnership.partner
    )
    return has_role(user, other, Role.MANAGER)


def can_cancel_partnership(user: AnyUser, partnership: Partnership) -> bool:
    """Withdraw a proposed partnership: the managers of the side that proposed it."""
    return has_role(user, partnership.proposed_by, Role.MANAGER)


def can_manage_partnership(user: AnyUser, partnership: Partnership) -> bool:
    """Complete or terminate an active partnership, add milestones and tick them off: the
    managers of either side."""
    return acting_side(user, partnership) is not None


PARTNERSHIP_ACTIONS = ["accept", "decline", "cancel", "complete", "terminate", "milestones"]


def partnership_next_actions(user: AnyUser, partnership: Partnership) -> list[str]:
    """The moves the caller may make on the partnership now (PARTNERSHIP_ACTIONS)."""
    Status = Partnership.Status
    actions = []
    if partnership.status == Status.PROPOSED:
        if can_answer_partnership(user, partnership):
            actions += ["accept", "decline"]
        if can_cancel_partnership(user, partnership):
            actions.append("cancel")
    elif partnership.status == Status.ACTIVE and can_manage_partnership(user, partnership):
        actions += ["complete", "terminate"]
    if partnership.status in (Status.PROPOSED, Status.ACTIVE) and can_manage_partnership(
        user, partnership
    ):
        actions.append("milestones")
    return actions
