"""Needs API: `needs/` (the public board, an organisation's own needs, and posting a draft),
`needs/{id}/` (read, change), `needs/{id}/publish/`, `needs/{id}/close/` and
`needs/{id}/matches/` (ranked, with the reasons in the request's language).

Every view loads through a scoped selector (a need or organisation the caller may not see is a
404, with no hint that it exists), asks mitra.permissions (403 for what the caller sees but may
not do), checks the body's types with an input serializer (400 by field) and calls one
service, which checks what is allowed now (409) and the values themselves (400 by field).
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from accounts.models import Organization, User
from accounts.permissions import is_platform_staff, roles_prime
from accounts.selectors import organization_get
from core.api.filters import FilterBackend
from core.api.pagination import PageNumberPagination
from core.errors import InvalidInput, PermissionDenied
from mitra import permissions, selectors, services
from mitra.api import serializers as s
from mitra.filters import NeedFilter
from mitra.models import Match, Need

# Set only through their own endpoints, or never by a client.
FIXED_FIELDS = (
    "organization",
    "status",
    "published_at",
    "closed_at",
    "created_by",
    "matches_computed_at",
    "match_requested_at",
)


def _not_allowed_message(user: User, organization: Organization) -> str:
    if organization.kind == Organization.Kind.POSYANTEK:
        return _(
            "A Posyantek answers partner needs; it does not post them. Post the need from "
            "your company, university, dinas, NGO or UKM."
        )
    if is_platform_staff(user):
        return _("Platform staff can only close (hide) needs.")
    return _("Only the organisation's owners and managers can post and change its needs.")


def _actions(user: User, needs: Iterable[Need]) -> dict[int, list[str]]:
    """The moves the caller may make on each need, with the caller's roles read at once."""
    needs = list(needs)
    roles_prime(user, {need.organization_id for need in needs})
    return {need.pk: permissions.need_next_actions(user, need) for need in needs}


def _detail(request, need_id: int) -> dict[str, Any]:
    """The need as the caller now sees it, freshly read (after a change or a move too)."""
    need = selectors.need_get(user=request.user, need_id=need_id)
    context = {"request": request, "actions": _actions(request.user, [need])}
    return s.NeedSerializer(need, context=context).data


def _load(request, pk: int, allowed: Callable[[User, Need], bool]) -> Need:
    """The need if the caller may see it (else 404) and may do this (else 403)."""
    need = selectors.need_get(user=request.user, need_id=pk)
    if not allowed(request.user, need):
        raise PermissionDenied(_not_allowed_message(request.user, need.organization))
    return need


def _reject_fixed_fields(data: Any) -> None:
    sent = data.keys() if isinstance(data, Mapping) else ()
    moves = {
        "status": _("Use publish/ or close/ to change the status."),
        "organization": _("A need stays with the organisation that posted it."),
    }
    errors = {
        field: [moves.get(field, _("This cannot be changed."))]
        for field in FIXED_FIELDS
        if field in sent
    }
    if errors:
        raise InvalidInput(fields=errors)


def _body(data: Any) -> Mapping:
    if not isinstance(data, Mapping):
        raise InvalidInput(_("Send the need's fields as a JSON object."))
    return data


# --- Needs ------------------------------------------------------------------------------------


class NeedListView(ListAPIView):
    """Partner needs and offers. Without `organization`: the public board — open and
    in-discussion needs of verified organisations, newest published first. With
    `?organization=<slug>`: all of that organisation's needs, drafts included (its members
    and platform staff), filterable by `status`. Filters: `category` (slug, includes its
    sub-categories), `kind`, `direction`, `province`/`regency`/`district` (Kemendagri codes of
    the delivery kecamatan); `ordering=-published|deadline`. A malformed value is a 400
    naming its field.

    POST posts a draft for a partner organisation (its owners and managers); an unverified
    organisation may prepare drafts but publishes only once verified."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = s.NeedSerializer
    filter_backends = [FilterBackend]
    filterset_class = NeedFilter
    pagination_class = PageNumberPagination

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Need.objects.none()
        slug = self.request.query_params.get("organization")
        return selectors.need_list(
            user=self.request.user, filters={"organization": slug} if slug else None
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {"request": request, "actions": _actions(request.user, page)}
        return self.get_paginated_response(s.NeedSerializer(page, many=True, context=context).data)

    @extend_schema(request=s.NeedCreateSerializer, responses={201: s.NeedSerializer})
    def post(self, request):
        body = _body(request.data)
        # Who may comes before what is sent: strangers learn nothing from validation errors.
        target = s.OrganizationRefSerializer(data=body)
        target.is_valid(raise_exception=True)
        organization = organization_get(
            user=request.user, slug=target.validated_data["organization"]
        )
        if not permissions.can_create_need(request.user, organization):
            raise PermissionDenied(_not_allowed_message(request.user, organization))
        _reject_fixed_fields({key: value for key, value in body.items() if key != "organization"})
        data = s.NeedCreateSerializer(data=body)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.pop("organization")
        need = services.need_create(organization=organization, actor=request.user, data=fields)
        return Response(_detail(request, need.pk), status=status.HTTP_201_CREATED)


class NeedDetailView(GenericAPIView):
    """One need: public while open or in discussion, otherwise only for its organisation's
    members and platform staff. PATCH changes its fields (owners and managers) while it is a
    draft, open or in discussion; the status changes through publish/ and close/."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = s.NeedSerializer

    def get(self, request, pk: int):
        return Response(_detail(request, pk))

    @extend_schema(request=s.NeedWriteSerializer, responses=s.NeedSerializer)
    def patch(self, request, pk: int):
        need = _load(request, pk, permissions.can_edit_need)
        body = _body(request.data)
        _reject_fixed_fields(body)
        data = s.NeedWriteSerializer(data=body, partial=True)
        data.is_valid(raise_exception=True)
        services.need_update(need=need, actor=request.user, data=dict(data.validated_data))
        return Response(_detail(request, pk))


class NeedPublishView(GenericAPIView):
    """draft → open: on the board and matched with Posyantek (owners and managers). 409 for
    an organisation not yet verified, a need that is not a draft, or a deadline passed."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.NeedSerializer

    @extend_schema(request=None, responses=s.NeedSerializer)
    def post(self, request, pk: int):
        need = _load(request, pk, permissions.can_publish_need)
        services.need_publish(need=need, actor=request.user)
        return Response(_detail(request, pk))


class NeedCloseView(GenericAPIView):
    """draft | open | in_discussion → closed: off the board, no longer matched (owners and
    managers; platform staff, to hide a need). 409 for a need already finished."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.CloseInputSerializer

    @extend_schema(request=s.CloseInputSerializer, responses=s.NeedSerializer)
    def post(self, request, pk: int):
        need = _load(request, pk, permissions.can_close_need)
        data = s.CloseInputSerializer(data=_body(request.data))
        data.is_valid(raise_exception=True)
        services.need_close(need=need, actor=request.user, note=data.validated_data["note"])
        return Response(_detail(request, pk))


class NeedMatchListView(ListAPIView):
    """The Posyantek ranked for a need, best first: each with its score (0–100), the
    components it came from (0..1), the reasons in the request's language (`explanation`),
    its place and a WhatsApp link, and its best-fitting product where the need's kind maps to
    products. Every match for the need's organisation's members and platform staff; a
    Posyantek's members see their own match only."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.MatchSerializer
    filter_backends: list = []
    pagination_class = PageNumberPagination

    @extend_schema(
        parameters=[OpenApiParameter("page", OpenApiTypes.INT, required=False)],
        responses=s.MatchSerializer(many=True),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Match.objects.none()
        self.need = selectors.need_get(user=self.request.user, need_id=self.kwargs["pk"])
        return selectors.need_matches(user=self.request.user, need=self.need)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "need": getattr(self, "need", None)}
