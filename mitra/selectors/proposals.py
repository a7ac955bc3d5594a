"""Reads of proposals, filtered to what the caller may see (mitra.permissions): the proposals
of the Posyantek the caller belongs to, and those received for the needs of organisations the
caller belongs to; platform staff see all. Lists read their rows in a fixed number of queries,
whatever their length."""

from collections.abc import Mapping
from typing import Any

from django.db.models import Case, Prefetch, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from accounts.models import Membership
from accounts.permissions import AnyUser, is_platform_staff
from core.errors import InvalidInput, NotFound
from mitra.models import Proposal, ProposalEvent, ProposalLine

MAX_ID = 2**63 - 1
FILTERS = ("need", "status", "organization")


def _proposals(queryset: QuerySet) -> QuerySet:
    """Everything a proposal card shows: the need with its organisation, the Posyantek with
    its place, the order, the partnership and the lines with their products."""
    return queryset.select_related(
        "need__organization",
        "need__category",
        "posyantek__district__regency__province",
        "order",
        "partnership",
    ).prefetch_related(
        Prefetch(
            "lines",
            queryset=ProposalLine.objects.select_related("product").order_by("id"),
        )
    )


def visible_proposals(user: AnyUser) -> QuerySet:
    if is_platform_staff(user):
        return Proposal.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return Proposal.objects.none()
    mine = Membership.objects.filter(user=user).values("organization_id")
    return Proposal.objects.filter(Q(posyantek_id__in=mine) | Q(need__organization_id__in=mine))


def _id(value: Any, field: str) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(fields={field: [_("Give a whole number.")]}) from None
    if not 0 < pk <= MAX_ID:
        raise InvalidInput(fields={field: [_("Give a whole number.")]})
    return pk


def proposal_list(*, user: AnyUser, filters: Mapping[str, Any] | None = None) -> QuerySet:
    """The proposals the caller may see, newest first; `filters`: need (id), status,
    organization (slug: proposals sent by it or received for its needs). InvalidInput names
    a malformed filter."""
    filters = filters or {}
    queryset = visible_proposals(user)
    need = filters.get("need")
    if need not in (None, ""):
        queryset = queryset.filter(need_id=_id(need, "need"))
    status = filters.get("status")
    if status not in (None, ""):
        if status not in Proposal.Status.values:
            raise InvalidInput(
                fields={
                    "status": [
                        _("Choose one of: %(choices)s.")
                        % {"choices": ", ".join(Proposal.Status.values)}
                    ]
                }
            )
        queryset = queryset.filter(status=status)
    slug = filters.get("organization")
    if slug not in (None, ""):
        if not isinstance(slug, str) or len(slug) > 50 or "\x00" in slug:
            raise InvalidInput(fields={"organization": [_("Give a slug.")]})
        queryset = queryset.filter(Q(posyantek__slug=slug) | Q(need__organization__slug=slug))
    return _proposals(queryset).order_by("-created_at", "-id")


def proposal_get(*, user: AnyUser, proposal_id: Any) -> Proposal:
    """The proposal if the caller may see it; NotFound otherwise (no hint that it exists)."""
    try:
        pk = int(proposal_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < pk <= MAX_ID:
        raise NotFound()
    proposal = _proposals(visible_proposals(user).filter(pk=pk)).first()
    if proposal is None:
        raise NotFound()
    return proposal


def proposal_events(*, proposal: Proposal) -> QuerySet:
    return (
        ProposalEvent.objects.filter(proposal=proposal)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def proposals_for_need(*, user: AnyUser, need_id: int) -> QuerySet:
    """The proposals for one need the caller may see (all of them for the need's
    organisation and staff; its own for a Posyantek): those waiting for an answer first, then
    the accepted ones, then the rest; newest first within each."""
    waiting_first = Case(
        When(status=Proposal.Status.SUBMITTED, then=Value(0)),
        When(status=Proposal.Status.ACCEPTED, then=Value(1)),
        default=Value(2),
    )
    return _proposals(visible_proposals(user).filter(need_id=need_id)).order_by(
        waiting_first, "-created_at", "-id"
    )
