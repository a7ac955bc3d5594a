"""Reads of partnerships, filtered to what the caller may see (mitra.permissions): those of the
organisations the caller belongs to, on either side; platform staff see all. Lists read their
rows in a fixed number of queries, whatever their length."""

from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Membership
from accounts.permissions import AnyUser, is_platform_staff
from core.errors import InvalidInput, NotFound
from mitra.models import Milestone, Partnership, PartnershipEvent, PartnershipLine, SupplyPeriod
from orders.models import Order

MAX_ID = 2**63 - 1
FILTERS = ("status", "kind", "organization")


def _partnerships(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "partner__district__regency__province",
        "posyantek__district__regency__province",
        "proposed_by",
        "need",
        "proposal",
    )


def visible_partnerships(user: AnyUser) -> QuerySet:
    if is_platform_staff(user):
        return Partnership.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return Partnership.objects.none()
    mine = Membership.objects.filter(user=user).values("organization_id")
    return Partnership.objects.filter(Q(partner_id__in=mine) | Q(posyantek_id__in=mine))


def _choice(value: Any, choices, field: str) -> str:
    if value not in choices.values:
        raise InvalidInput(
            fields={
                field: [_("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)}]
            }
        )
    return value


def partnership_list(*, user: AnyUser, filters: Mapping[str, Any] | None = None) -> QuerySet:
    """The partnerships the caller may see, newest first; `filters`: status, kind,
    organization (slug: either side). InvalidInput names a malformed filter."""
    filters = filters or {}
    queryset = visible_partnerships(user)
    status = filters.get("status")
    if status not in (None, ""):
        queryset = queryset.filter(status=_choice(status, Partnership.Status, "status"))
    kind = filters.get("kind")
    if kind not in (None, ""):
        queryset = queryset.filter(kind=_choice(kind, Partnership.Kind, "kind"))
    slug = filters.get("organization")
    if slug not in (None, ""):
        if not isinstance(slug, str) or len(slug) > 100 or "\x00" in slug:
            raise InvalidInput(fields={"organization": [_("Give the organisation's slug.")]})
        queryset = queryset.filter(Q(partner__slug=slug) | Q(posyantek__slug=slug))
    return _partnerships(queryset).order_by("-created_at", "-id")


def partnership_get(*, user: AnyUser, partnership_id: Any) -> Partnership:
    """One partnership with its lines, milestones, supply periods and events, if the caller
    may see it; NotFound otherwise (no hint it exists)."""
    try:
        pk = int(partnership_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < pk <= MAX_ID:
        raise NotFound()
    partnership = (
        _partnerships(visible_partnerships(user).filter(pk=pk))
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=PartnershipLine.objects.select_related("product").order_by("id"),
            ),
            Prefetch(
                "milestones",
                queryset=Milestone.objects.select_related("done_by").order_by("due_date", "id"),
            ),
            Prefetch(
                "supply_periods",
                queryset=SupplyPeriod.objects.select_related("order").order_by("-period_start"),
            ),
            Prefetch(
                "events",
                queryset=PartnershipEvent.objects.select_related("actor", "organization").order_by(
                    "created_at", "id"
                ),
            ),
        )
        .first()
    )
    if partnership is None:
        raise NotFound()
    return partnership


def partnership_orders(*, partnership: Partnership) -> QuerySet:
    """The orders the partnership generated: its proposal's order and its supply periods'."""
    return (
        Order.objects.filter(
            Q(supply_period__partnership=partnership) | Q(proposal__partnership=partnership)
        )
        .select_related("seller", "buyer_organization", "payment")
        .order_by("-created_at", "-id")
    )


def milestone_get(*, partnership: Partnership, milestone_id: Any) -> Milestone:
    try:
        pk = int(milestone_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < pk <= MAX_ID:
        raise NotFound()
    milestone = Milestone.objects.filter(partnership=partnership, pk=pk).first()
    if milestone is None:
        raise NotFound()
    return milestone
