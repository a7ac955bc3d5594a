from django.db.models import Q
from django.http import HttpRequest

from accounts.models import Membership, Organization, Role
from accounts.permissions import is_platform_staff


def dashboard(request: HttpRequest) -> dict:
    """`sees_reports` for the page header's "Dashboard" link: platform staff, a Posyantek's
    owners and managers, a verified dinas's members. A callable, so the one query runs only
    when a page shows the header to a signed-in visitor."""
    user = getattr(request, "user", None)

    def sees_reports() -> bool:
        if not (user and user.is_authenticated):
            return False
        if is_platform_staff(user):
            return True
        return (
            Membership.objects.filter(user=user)
            .filter(
                Q(
                    organization__kind=Organization.Kind.POSYANTEK,
                    role__in=(Role.OWNER, Role.MANAGER),
                )
                | (
                    Q(
                        organization__kind=Organization.Kind.GOVERNMENT,
                        organization__verification_status=(
                            Organization.VerificationStatus.VERIFIED
                        ),
                    )
                    & ~Q(organization__jurisdiction="")
                )
            )
            .exists()
        )

    return {"sees_reports": sees_reports}
