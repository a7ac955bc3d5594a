"""Reports' row of DESIGN.md's "who may do what": see reports and exports — a Posyantek's owners
and managers for their Posyantek, platform staff everywhere, a dinas within its jurisdiction."""

from django.db.models import Q

from accounts.models import Membership, Organization, Role
from accounts.permissions import AnyUser, has_role, is_platform_staff, user_oversees


def region_covers(region_code: str, place_code: str) -> bool:
    """Whether a place (any region code) lies in a region ("" is everywhere)."""
    return not region_code or place_code == region_code or place_code.startswith(region_code + ".")


def can_view_reports(user: AnyUser, organization: Organization) -> bool:
    """One Posyantek's figures and exports."""
    if organization.kind != Organization.Kind.POSYANTEK:
        return False
    if has_role(user, organization, Role.MANAGER) or is_platform_staff(user):
        return True
    return bool(organization.district_id) and user_oversees(user, organization.district_id)


def can_view_region_reports(user: AnyUser, region_code: str) -> bool:
    """The figures of every Posyantek in a region ("" is the whole country: staff only)."""
    if is_platform_staff(user):
        return True
    return bool(region_code) and user_oversees(user, region_code)


def sees_any_reports(user: AnyUser) -> bool:
    """Whether some report is the user's to see (the header's "Dashboard" link): platform
    staff, a Posyantek's owner or manager, a member of a verified dinas with a jurisdiction.
    One query at most."""
    if not (user and user.is_authenticated):
        return False
    if is_platform_staff(user):
        return True
    posyantek = Q(
        organization__kind=Organization.Kind.POSYANTEK, role__in=(Role.OWNER, Role.MANAGER)
    )
    dinas = Q(
        organization__kind=Organization.Kind.GOVERNMENT,
        organization__verification_status=Organization.VerificationStatus.VERIFIED,
    ) & ~Q(organization__jurisdiction="")
    return Membership.objects.filter(posyantek | dinas, user=user).exists()
