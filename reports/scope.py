"""Whose figures a report shows: one Posyantek, every Posyantek in a region, or all of them —
resolved from the request against what the caller may see (reports.permissions)."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Organization, Role
from accounts.permissions import AnyUser, is_platform_staff, jurisdictions_of
from core.errors import InvalidInput, NotFound, PermissionDenied
from regions.selectors import region_get
from reports.permissions import can_view_region_reports, can_view_reports


@dataclass(frozen=True)
class Scope:
    """A Posyantek (`organization`), or a region by Kemendagri code (`region_code`), or
    everything (neither). `label` names it for people."""

    organization: Organization | None = None
    region_code: str = ""
    label: str = ""

    @property
    def is_posyantek(self) -> bool:
        return self.organization is not None

    def organization_q(self, prefix: str = "") -> Q:
        """Rows whose Posyantek (reached through `prefix`, e.g. "seller") is in the scope."""
        path = f"{prefix}__" if prefix else ""
        if self.organization is not None:
            return Q(**{f"{path}pk" if path else "pk": self.organization.pk})
        q = Q(**{f"{path}kind": Organization.Kind.POSYANTEK})
        if self.region_code:
            # district__code is the district_id column itself (no join).
            q &= Q(**{f"{path}district_id": self.region_code}) | Q(
                **{f"{path}district__code__startswith": self.region_code + "."}
            )
        return q

    def posyanteks(self) -> QuerySet:
        return Organization.objects.filter(self.organization_q())

    def as_dict(self) -> dict:
        return {
            "organization": self.organization.slug if self.organization else None,
            "region": self.region_code or None,
            "label": self.label,
        }


def scope_for_posyantek(organization: Organization) -> Scope:
    """A Posyantek's own scope, with no permission check (tasks and services)."""
    return Scope(organization=organization, label=organization.name)


def _region_scope(user: AnyUser, code: str) -> Scope:
    # Posyantek are placed by kecamatan: a region is a province, regency or kecamatan code
    # (at most three parts, e.g. 36.72.07), never a village.
    region = region_get(code) if len(code) <= 8 and "\x00" not in code else None
    if region is None:
        raise NotFound(
            _("There is no province, regency or kecamatan with code %(code)s.")
            % {"code": code[:20]}
        )
    if not can_view_region_reports(user, region.code):
        raise PermissionDenied(
            _("You can see the reports of Posyantek in your own jurisdiction only."),
            code="outside_jurisdiction",
        )
    return Scope(region_code=region.code, label=region.display_name)


def _posyantek_scope(user: AnyUser, slug: str) -> Scope:
    organization = (
        Organization.objects.filter(slug=slug, kind=Organization.Kind.POSYANTEK)
        .select_related("district")
        .first()
        if isinstance(slug, str) and "\x00" not in slug
        else None
    )
    if organization is None:
        raise NotFound(_("There is no Posyantek %(slug)s.") % {"slug": str(slug)[:60]})
    if not can_view_reports(user, organization):
        raise PermissionDenied(
            _(
                "Only the Posyantek's owners and managers, platform staff and the dinas that "
                "oversees it can see its reports."
            ),
            code="reports_not_allowed",
        )
    return scope_for_posyantek(organization)


def managed_posyanteks(user: AnyUser) -> QuerySet:
    """The Posyantek whose reports the user sees as an owner or manager."""
    if not (user and user.is_authenticated):
        return Organization.objects.none()
    return Organization.objects.filter(
        kind=Organization.Kind.POSYANTEK,
        memberships__user=user,
        memberships__role__in=(Role.OWNER, Role.MANAGER),
    ).order_by("name")


def scope_resolve(
    *, user: AnyUser, organization: str | None = None, region: str | None = None
) -> Scope:
    """The scope a request names (`?organization=<slug>` or `?region=<code>`), or the caller's
    own when it names none: everything for platform staff, the jurisdiction for a dinas member,
    the Posyantek for its owner or manager. NotFound for an unknown slug or code;
    PermissionDenied for one the caller may not see; InvalidInput when both are named or the
    caller's own is ambiguous."""
    for name, value in (("organization", organization), ("region", region)):
        if value is not None and not isinstance(value, str):
            raise InvalidInput(
                _("Give the Posyantek's slug or the region's code as text."),
                fields={name: [_("Must be text.")]},
            )
    if organization and region:
        raise InvalidInput(
            _("Name a Posyantek or a region, not both."),
            fields={"region": [_("Leave this out when naming a Posyantek.")]},
        )
    if organization:
        return _posyantek_scope(user, organization)
    if region:
        return _region_scope(user, region)
    if is_platform_staff(user):
        return Scope(label=_("All Posyantek"))
    codes = jurisdictions_of(user)
    if len(codes) == 1:
        return _region_scope(user, codes[0])
    managed = list(managed_posyanteks(user)[:2])
    if len(managed) == 1 and not codes:
        return scope_for_posyantek(managed[0])
    if codes or len(managed) > 1:
        raise InvalidInput(
            _("You can see several reports: name one with ?organization=<slug> or ?region=<code>."),
            code="scope_ambiguous",
        )
    raise PermissionDenied(
        _("Reports are for Posyantek owners and managers, the dinas and platform staff."),
        code="reports_not_allowed",
    )
