"""Reads of partner needs and their matches, filtered to what the caller may see
(mitra.permissions). Every list reads its rows in a fixed number of queries, whatever its
length."""

from collections.abc import Mapping
from typing import Any

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Organization
from accounts.permissions import AnyUser
from accounts.selectors import organization_get
from core.errors import InvalidInput, NotFound, PermissionDenied
from mitra.filters import NeedFilter
from mitra.models import Match, Need, NeedEvent
from mitra.permissions import (
    can_view_matches,
    can_view_need,
    can_view_need_desk,
    can_view_own_matches,
)

MAX_ID = 2**63 - 1
PUBLIC_ORDER = (F("published_at").desc(nulls_last=True), "-created_at", "-id")
DESK_ORDER = ("-created_at", "-id")


def _needs(queryset: QuerySet) -> QuerySet:
    """Everything a need card shows: its organisation, category (with its parent) and the
    delivery kecamatan with its regency and province."""
    return queryset.select_related(
        "organization",
        "category__parent",
        "delivery_district__regency__province",
    )


def public_needs() -> QuerySet:
    """The needs board: open and in-discussion needs of verified organisations, newest
    first."""
    return _needs(
        Need.objects.filter(
            status__in=Need.ACTIVE,
            organization__verification_status=Organization.VerificationStatus.VERIFIED,
        )
    ).order_by(*PUBLIC_ORDER)


def need_desk_list(*, user: AnyUser, organization: Organization) -> QuerySet:
    """All of an organisation's needs, newest first: its members and platform staff
    (PermissionDenied otherwise)."""
    if not can_view_need_desk(user, organization):
        raise PermissionDenied(_("Only the organisation's members can see all its needs."))
    return _needs(Need.objects.filter(organization=organization)).order_by(*DESK_ORDER)


def need_list(*, user: AnyUser, filters: Mapping[str, Any] | None = None) -> QuerySet:
    """Needs as the caller may list them: the public board, or with `organization` (a slug)
    in `filters`, that organisation's needs of every status (its members and platform staff;
    NotFound for an organisation the caller may not see, PermissionDenied for one it sees but
    is not a member of). The other `filters` are NeedFilter's (category, kind, direction,
    province, regency, district, status, ordering); InvalidInput names a malformed one."""
    filters = filters or {}
    slug = filters.get("organization")
    if slug:
        organization = organization_get(user=user, slug=slug)
        queryset = need_desk_list(user=user, organization=organization)
    else:
        queryset = public_needs()
    if not any(name in filters for name in NeedFilter.base_filters if name != "organization"):
        return queryset
    filterset = NeedFilter(filters, queryset=queryset)
    if not filterset.is_valid():
        raise InvalidInput(fields={k: list(v) for k, v in filterset.errors.items()})
    return filterset.qs


def need_get(*, user: AnyUser, need_id: Any) -> Need:
    """The need if the caller may see it, with its organisation, category and place; NotFound
    otherwise (no hint that it exists)."""
    try:
        pk = int(need_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < pk <= MAX_ID:
        raise NotFound()
    need = _needs(Need.objects.filter(pk=pk)).first()
    if need is None or not can_view_need(user, need):
        raise NotFound()
    return need


def need_events(*, need: Need) -> QuerySet:
    """The need's history, oldest first, with the people who acted."""
    return NeedEvent.objects.filter(need=need).select_related("actor").order_by("created_at", "id")


def _matches(queryset: QuerySet) -> QuerySet:
    """Everything a match card shows: the Posyantek with its place, and the product."""
    return queryset.select_related(
        "posyantek__district__regency__province",
        "product__category",
    )


def need_matches(*, user: AnyUser, need: Need) -> QuerySet:
    """The need's matches, best first: every one for the need's organisation's members and
    platform staff; for a Posyantek's members, their own match only; PermissionDenied for
    anyone else."""
    queryset = Match.objects.filter(need=need)
    if not can_view_matches(user, need):
        if not (user and user.is_authenticated and user.is_active):
            raise PermissionDenied(_("Log in to see the matches of a need."))
        queryset = queryset.filter(
            posyantek__kind=Organization.Kind.POSYANTEK, posyantek__memberships__user=user
        )
        if not queryset.exists():
            raise PermissionDenied(
                _("Only the organisation that posted the need sees all its matches.")
            )
    return _matches(queryset).order_by("rank", "id")


def needs_for_posyantek(*, user: AnyUser, posyantek: Organization) -> QuerySet:
    """The reverse view: the Posyantek's matches on public needs (open or in discussion, of
    verified organisations), best score first — Match rows, each with its `need` (and the
    need's organisation, category and place) joined. PermissionDenied unless the caller is a
    member of the Posyantek or platform staff."""
    if not can_view_own_matches(user, posyantek):
        raise PermissionDenied(_("Only the Posyantek's members can see the needs that fit it."))
    return (
        Match.objects.filter(
            posyantek=posyantek,
            need__status__in=Need.ACTIVE,
            need__organization__verification_status=Organization.VerificationStatus.VERIFIED,
        )
        .select_related(
            "product",
            "need__organization",
            "need__category__parent",
            "need__delivery_district__regency__province",
        )
        .order_by("-score", F("need__deadline").asc(nulls_last=True), "-need_id")
    )
