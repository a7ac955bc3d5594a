"""Organisations API: `organizations/`, members, invitations, documents and verification.

Every view loads through a scoped selector (an organisation the caller may not see is a 404),
asks accounts.permissions, and calls one service.
"""

from collections.abc import Callable, Mapping

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from accounts import permissions
from accounts.api import organization_serializers as s
from accounts.models import Invitation, Membership, Organization, OrganizationDocument, User
from accounts.selectors import (
    invitation_list,
    membership_list,
    organization_events,
    organization_get,
    organization_list,
)
from accounts.services import organizations as services
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.files import private_file_response


class OrganizationFilterSet(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Organization.Kind.choices)
    verified = filters.BooleanFilter(method="filter_verified")

    class Meta:
        model = Organization
        fields = []

    def filter_verified(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        verified = Organization.VerificationStatus.VERIFIED
        return (
            queryset.filter(verification_status=verified)
            if value
            else queryset.exclude(verification_status=verified)
        )


def _load(request, slug: str, allowed: Callable[[User, Organization], bool]) -> Organization:
    """The organisation, if the caller may see it at all (else 404) and may do this (else 403)."""
    organization = organization_get(user=request.user, slug=slug)
    if not allowed(request.user, organization):
        raise PermissionDenied()
    return organization


def _private_or_public(request, organization: Organization):
    if permissions.can_view_private(request.user, organization):
        return s.OrganizationPrivateSerializer(organization, context={"request": request}).data
    return s.OrganizationPublicSerializer(organization, context={"request": request}).data


class OrganizationListView(ListAPIView):
    """Verified organisations for everyone (a member also sees its own). POST creates one with
    the caller as owner; it starts unverified. Needs a confirmed e-mail address."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = s.OrganizationPublicSerializer
    filterset_class = OrganizationFilterSet
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return organization_list(user=self.request.user)

    @extend_schema(
        request=s.OrganizationCreateSerializer, responses={201: s.OrganizationPrivateSerializer}
    )
    def post(self, request):
        data = s.OrganizationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        organization = services.organization_create(
            user=request.user, kind=fields.pop("kind"), name=fields.pop("name"),
            code=fields.pop("code", ""), **fields,
        )  # fmt: skip
        organization = organization_get(user=request.user, slug=organization.slug)
        return Response(
            s.OrganizationPrivateSerializer(organization, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class OrganizationDetailView(GenericAPIView):
    """One organisation. Members and staff see legal details and the payout account. PATCH:
    profile fields (owner, manager), legal fields and payout account (owner). The code and the
    kind never change."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = s.OrganizationPrivateSerializer
    lookup_field = "slug"

    def get(self, request, slug: str):
        return Response(_private_or_public(request, organization_get(user=request.user, slug=slug)))

    @extend_schema(request=s.OrganizationWriteSerializer, responses=s.OrganizationPrivateSerializer)
    def patch(self, request, slug: str):
        organization = _load(request, slug, permissions.can_edit_profile)
        sent = request.data.keys() if isinstance(request.data, Mapping) else ()
        fixed = {field for field in ("code", "kind", "slug") if field in sent}
        if fixed:
            raise InvalidInput(fields={field: [_("This cannot be changed.")] for field in fixed})
        data = s.OrganizationWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        legal = set(changes) & services.LEGAL_FIELDS
        if legal and not permissions.can_edit_organization(request.user, organization):
            raise PermissionDenied(
                _("Only an owner can change: %(fields)s.") % {"fields": ", ".join(sorted(legal))}
            )
        services.organization_update(organization=organization, actor=request.user, data=changes)
        organization = organization_get(user=request.user, slug=slug)
        return Response(_private_or_public(request, organization))


class OrganizationJurisdictionView(GenericAPIView):
    """Platform staff set the province or regency a government organisation oversees."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.JurisdictionSerializer

    @extend_schema(responses=s.OrganizationPrivateSerializer)
    def post(self, request, slug: str):
        organization = _load(request, slug, lambda user, org: permissions.can_verify(user))
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = services.organization_set_jurisdiction(
            organization=organization,
            actor=request.user,
            jurisdiction=data.validated_data["jurisdiction"],
        )
        return Response(_private_or_public(request, organization))


class MemberListView(ListAPIView):
    """Members and their roles (members and staff see them). POST invites someone by e-mail
    (owner): they get a link and join when they accept."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.MembershipSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        organization = _load(self.request, self.kwargs["slug"], permissions.can_view_private)
        return membership_list(organization=organization)

    @extend_schema(request=s.InvitationCreateSerializer, responses={201: s.InvitationSerializer})
    def post(self, request, slug: str):
        organization = _load(request, slug, permissions.can_edit_organization)
        data = s.InvitationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invitation_create(
            organization=organization, actor=request.user, **data.validated_data
        )
        return Response(s.InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class MemberDetailView(GenericAPIView):
    """PATCH changes a member's role, DELETE removes a member (owner). A member may also leave.
    The last owner can neither step down nor leave (409)."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.MembershipSerializer

    def _membership(self, request, slug: str, pk: int) -> tuple[Organization, Membership]:
        organization = _load(request, slug, permissions.can_view_private)
        membership = membership_list(organization=organization).filter(pk=pk).first()
        if membership is None:
            raise NotFound()
        return organization, membership

    @extend_schema(request=s.RoleSerializer)
    def patch(self, request, slug: str, pk: int):
        organization, membership = self._membership(request, slug, pk)
        if not permissions.can_edit_organization(request.user, organization):
            raise PermissionDenied(_("Only an owner can change roles."))
        data = s.RoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_change_role(
            membership=membership, actor=request.user, role=data.validated_data["role"]
        )
        return Response(self.get_serializer(membership).data)

    def delete(self, request, slug: str, pk: int):
        organization, membership = self._membership(request, slug, pk)
        leaving = membership.user_id == request.user.pk
        if not (leaving or permissions.can_edit_organization(request.user, organization)):
            raise PermissionDenied(_("Only an owner can remove members."))
        services.membership_remove(membership=membership, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationListView(ListAPIView):
    """Invitations still waiting (owner)."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.InvitationSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        organization = _load(self.request, self.kwargs["slug"], permissions.can_edit_organization)
        return invitation_list(organization=organization)


class InvitationDetailView(GenericAPIView):
    """DELETE withdraws a waiting invitation (owner)."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.InvitationSerializer

    def delete(self, request, slug: str, pk: int):
        organization = _load(request, slug, permissions.can_edit_organization)
        invitation = Invitation.objects.filter(organization=organization, pk=pk).first()
        if invitation is None:
            raise NotFound()
        services.invitation_revoke(invitation=invitation, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationAcceptView(GenericAPIView):
    """Join an organisation with the token from the invitation e-mail. The caller must be
    logged in with the invited, confirmed e-mail address."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.InvitationAcceptSerializer

    @extend_schema(responses={201: s.MembershipSerializer})
    def post(self, request):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.invitation_accept(
            token=data.validated_data["token"], user=request.user
        )
        return Response(s.MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class DocumentListView(ListAPIView):
    """Legal documents (owner and staff). POST uploads one (multipart: kind, file)."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.DocumentSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return OrganizationDocument.objects.none()
        organization = _load(self.request, self.kwargs["slug"], permissions.can_see_documents)
        return organization.documents.select_related("organization")

    @extend_schema(request=s.DocumentUploadSerializer, responses={201: s.DocumentSerializer})
    def post(self, request, slug: str):
        organization = _load(request, slug, permissions.can_edit_organization)
        data = s.DocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.organization_document_add(
            organization=organization, actor=request.user, **data.validated_data
        )
        return Response(self.get_serializer(document).data, status=status.HTTP_201_CREATED)


class DocumentFileView(GenericAPIView):
    """The document's file. Owner and platform staff only; everyone else gets 404."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.DocumentSerializer

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, slug: str, pk: int):
        try:
            organization = organization_get(user=request.user, slug=slug)
        except NotFound:
            organization = None
        document = (
            organization.documents.filter(pk=pk).first() if organization is not None else None
        )
        allowed = document is not None and permissions.can_see_documents(request.user, organization)
        return private_file_response(
            document.file if document else None,
            allowed=allowed,
            download_name=document.original_name if document else None,
        )


class VerificationView(GenericAPIView):
    """Verification status, its history and (owner, staff) the documents."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.VerificationSerializer

    def get(self, request, slug: str):
        organization = _load(request, slug, permissions.can_view_private)
        return Response(self._body(request, organization))

    @staticmethod
    def _body(request, organization: Organization) -> dict:
        documents = (
            organization.documents.select_related("organization")
            if permissions.can_see_documents(request.user, organization)
            else None
        )
        required = services.REQUIRED_DOCUMENTS.get(organization.kind, [])
        return s.VerificationSerializer(
            {
                "verification_status": organization.verification_status,
                "verification_note": organization.verification_note,
                "verified_at": organization.verified_at,
                "required_documents": [str(kind) for kind in required],
                "documents": documents,
                "events": organization_events(organization=organization),
            },
            context={"request": request},
        ).data


class VerificationRequestView(GenericAPIView):
    """The owner asks platform staff to verify (needs documents on file)."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.VerificationSerializer

    @extend_schema(request=None)
    def post(self, request, slug: str):
        organization = _load(request, slug, permissions.can_edit_organization)
        organization = services.organization_request_verification(
            organization=organization, actor=request.user
        )
        return Response(VerificationView._body(request, organization))


class VerifyView(GenericAPIView):
    """Platform staff verify a pending organisation."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.VerificationSerializer

    @extend_schema(request=None)
    def post(self, request, slug: str):
        organization = _load(request, slug, lambda user, org: permissions.can_verify(user))
        organization = services.organization_verify(organization=organization, actor=request.user)
        return Response(VerificationView._body(request, organization))


class RejectView(GenericAPIView):
    """Platform staff reject a pending organisation with a reason."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.RejectSerializer

    @extend_schema(responses=s.VerificationSerializer)
    def post(self, request, slug: str):
        organization = _load(request, slug, lambda user, org: permissions.can_verify(user))
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = services.organization_reject(
            organization=organization, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(VerificationView._body(request, organization))
