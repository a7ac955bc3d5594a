from django.http import HttpRequest

from reports.permissions import sees_any_reports


def dashboard(request: HttpRequest) -> dict:
    """`sees_reports` for the page header's "Dashboard" link. A callable, so its query runs
    only when a page shows the header to a signed-in visitor."""
    user = getattr(request, "user", None)
    return {"sees_reports": lambda: sees_any_reports(user)}
