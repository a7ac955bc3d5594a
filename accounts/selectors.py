"""Reads of organisations and members, filtered to what the caller may see."""

from django.core.validators import slug_re
from django.db.models import OuterRef, Q, QuerySet, Subquery

from accounts.models import Invitation, Membership, Organization, OrganizationEvent
from accounts.permissions import AnyUser, can_view_private, is_platform_staff
from core.errors import NotFound

Status = Organization.VerificationStatus


def _with_places(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("district__regency__province", "village")


def organization_list(*, user: AnyUser, kind: str | None = None) -> QuerySet:
    """Verified organisations for everyone; a member also sees its own; staff see all."""
    queryset = Organization.objects.all()
    if not is_platform_staff(user):
        visible = Q(verification_status=Status.VERIFIED)
        if user and user.is_authenticated:
            visible |= Q(memberships__user=user)
        queryset = queryset.filter(visible).distinct()
    if kind:
        queryset = queryset.filter(kind=kind)
    return _with_places(queryset).order_by("name")


def organization_get(*, user: AnyUser, slug: str) -> Organization:
    """The organisation if the caller may see it; NotFound otherwise (no hint it exists)."""
    if not isinstance(slug, str) or not slug_re.fullmatch(slug):
        raise NotFound()  # e.g. a NUL byte from a query string, which PostgreSQL refuses
    organization = _with_places(Organization.objects.filter(slug=slug)).first()
    if organization is None:
        raise NotFound()
    if organization.verification_status != Status.VERIFIED and not can_view_private(
        user, organization
    ):
        raise NotFound()
    return organization


def organizations_of(*, user: AnyUser) -> QuerySet:
    """The caller's memberships with their organisations, for "my organisations"."""
    if not (user and user.is_authenticated):
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user)
        .select_related("organization__district__regency__province")
        .order_by("organization__name")
    )


def membership_list(*, organization: Organization) -> QuerySet:
    return organization.memberships.select_related("user").order_by("user__name", "user__email")


def invitation_list(*, organization: Organization) -> QuerySet:
    return organization.invitations.filter(status=Invitation.Status.PENDING).select_related(
        "invited_by"
    )


def organization_events(*, organization: Organization) -> QuerySet:
    return OrganizationEvent.objects.filter(organization=organization).select_related("actor")


def organizations_awaiting_verification() -> QuerySet:
    """The staff desk's queue, oldest request first."""
    # Ordered by when verification was last asked for, not by the last edit.
    asked = OrganizationEvent.objects.filter(
        organization=OuterRef("pk"),
        kind=OrganizationEvent.Kind.VERIFICATION,
        to_status=Status.PENDING,
    ).order_by("-created_at")
    return _with_places(
        Organization.objects.filter(verification_status=Status.PENDING)
        .annotate(requested_at=Subquery(asked.values("created_at")[:1]))
        .prefetch_related("documents")
    ).order_by("requested_at", "pk")
