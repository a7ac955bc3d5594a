"""Who may do what: the primitives every app builds its rows of DESIGN.md's table on, and the
organisation rows themselves.

Primitives: a user's role in an organisation (`role_in`, `has_role`), platform staff
(`is_platform_staff`), and a government organisation's jurisdiction (`within_jurisdiction`).
Apps answer their own rows in their own permissions.py with these, and views, selectors and
admin ask those functions — never `is_staff` or a role string directly.
"""

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser

from accounts.models import ROLE_RANK, Membership, Organization, Role, User

AnyUser = User | AnonymousUser


# --- Primitives -------------------------------------------------------------------------------


def is_platform_staff(user: AnyUser) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def role_in(user: AnyUser, organization: Organization) -> Role | None:
    """The user's role in the organisation, or None. Cached on the user for the request."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    cache = user.__dict__.setdefault("_organization_roles", {})
    if organization.pk not in cache:
        role = (
            Membership.objects.filter(user=user, organization=organization)
            .values_list("role", flat=True)
            .first()
        )
        cache[organization.pk] = Role(role) if role else None
    return cache[organization.pk]


def roles_prime(user: AnyUser, organization_ids: Iterable[int]) -> None:
    """Read the user's roles in all these organisations in one query into role_in's cache, so
    a page of rows (e.g. orders of many sellers) costs the same whatever its size."""
    if not (user and user.is_authenticated and user.is_active):
        return
    cache = user.__dict__.setdefault("_organization_roles", {})
    wanted = set(organization_ids) - set(cache)
    if not wanted:
        return
    roles = dict(
        Membership.objects.filter(user=user, organization_id__in=wanted).values_list(
            "organization_id", "role"
        )
    )
    for organization_id in wanted:
        role = roles.get(organization_id)
        cache[organization_id] = Role(role) if role else None


def has_role(user: AnyUser, organization: Organization, at_least: Role) -> bool:
    """True if the user is a member with `at_least` this role (owner > manager > staff)."""
    role = role_in(user, organization)
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[at_least]


def is_member(user: AnyUser, organization: Organization) -> bool:
    return has_role(user, organization, Role.STAFF)


def within_jurisdiction(government: Organization, region_code: str) -> bool:
    """Whether a place (any region code) lies in a verified government organisation's area."""
    if (
        government.kind != Organization.Kind.GOVERNMENT
        or not government.is_verified
        or not government.jurisdiction
        or not region_code
    ):
        return False
    return region_code == government.jurisdiction or region_code.startswith(
        government.jurisdiction + "."
    )


def jurisdictions_of(user: AnyUser) -> list[str]:
    """Codes of the areas the user oversees as a member of a verified dinas."""
    if not (user and user.is_authenticated):
        return []
    return list(
        Organization.objects.filter(
            memberships__user=user,
            kind=Organization.Kind.GOVERNMENT,
            verification_status=Organization.VerificationStatus.VERIFIED,
        )
        .exclude(jurisdiction="")
        .values_list("jurisdiction", flat=True)
    )


def user_oversees(user: AnyUser, region_code: str) -> bool:
    """Whether the user is a dinas member whose jurisdiction covers the place."""
    return any(
        region_code == code or region_code.startswith(code + ".") for code in jurisdictions_of(user)
    )


# --- Organisation rows of the table -----------------------------------------------------------


def can_edit_organization(user: AnyUser, organization: Organization) -> bool:
    """Legal details, members and the payout account: owner, or platform staff."""
    return has_role(user, organization, Role.OWNER) or is_platform_staff(user)


def can_edit_profile(user: AnyUser, organization: Organization) -> bool:
    """Profile (description, contact, address) and shipping settings: owner, manager, staff."""
    return has_role(user, organization, Role.MANAGER) or is_platform_staff(user)


def can_view_private(user: AnyUser, organization: Organization) -> bool:
    """Members list, verification history, payout account: any member, or platform staff."""
    return is_member(user, organization) or is_platform_staff(user)


def can_see_documents(user: AnyUser, organization: Organization) -> bool:
    """Legal documents (private files): the owner, or platform staff."""
    return has_role(user, organization, Role.OWNER) or is_platform_staff(user)


def can_verify(user: AnyUser) -> bool:
    """Verify or reject organisations; set a dinas's jurisdiction: platform staff."""
    return is_platform_staff(user)
