"""Template helpers of the reports app: `{% load reports %}`."""

from django import template

from accounts.models import Organization
from accounts.permissions import AnyUser
from reports.permissions import can_view_reports

register = template.Library()


@register.filter
def sees_dashboard(organization: Organization | None, user: AnyUser) -> bool:
    """Whether the user may open the organisation's dashboard (reports.permissions): its
    owners and managers, platform staff, the dinas of its area — so the organisation menu
    offers no link that answers 403. The role is cached per request (accounts.permissions);
    only a member below manager costs a query (the dinas jurisdictions)."""
    if organization is None or organization.kind != Organization.Kind.POSYANTEK:
        return False
    return can_view_reports(user, organization)
