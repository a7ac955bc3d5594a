"""Exports from a Posyantek's dashboard (namespace "reports"): the CSV of its orders, order
lines or ledger for the dashboard's period, streamed; an XLSX asked for with a form and built
in the background; and the XLSX downloaded by the user who asked for it, for 24 hours.

Who: the Posyantek's owners and managers, the dinas within its jurisdiction, platform staff
(reports.scope.scope_resolve) — an unknown Posyantek is a 404, one the caller may not see a
403. The file of an export is served to its requester alone (404 for anyone else).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Organization
from core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from core.files import private_file_response
from reports.exports import export_csv_response, kind_parse
from reports.periods import period_parse
from reports.scope import Scope, scope_resolve
from reports.services import exports as services


class _Forbidden(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _posyantek_scope(request: HttpRequest, slug: str) -> Scope:
    """The Posyantek's scope if the caller may see its reports: Http404 for an unknown one,
    a 403 page (raised as _Forbidden) for one the caller may not see."""
    try:
        return scope_resolve(user=request.user, organization=slug)
    except NotFound:
        raise Http404 from None
    except (PermissionDenied, InvalidInput) as error:
        organization = Organization.objects.filter(slug=slug).first()
        response = render(
            request,
            "organizations/forbidden.html",
            {"organization": organization, "message": error.message},
            status=403,
        )
        raise _Forbidden(response) from None


def _dashboard_url(slug: str, start: str = "", end: str = "") -> str:
    params = {key: value for key, value in (("from", start), ("to", end)) if value}
    query = f"?{urlencode(params)}" if params else ""
    return f"{reverse('reports:dashboard', kwargs={'slug': slug})}{query}#exports"


def _plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def export_csv_view(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """`?from=&to=` (local days, default this month to today): the CSV, streamed."""
    try:
        scope = _posyantek_scope(request, slug)
    except _Forbidden as forbidden:
        return forbidden.response
    try:
        kind = kind_parse(kind)
        period = period_parse(start=request.GET.get("from"), end=request.GET.get("to"))
    except InvalidInput as error:
        messages_ = [str(error.message)] + [str(m) for ms in error.fields.values() for m in ms]
        return _plain(" ".join(messages_), 400)
    return export_csv_response(kind=kind, scope=scope, period=period)


@login_required
@require_POST
def export_request_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Form fields `kind`, `from`, `to`: ask for an XLSX export, then back to the dashboard
    with a message (what went wrong, or that the file is being prepared)."""
    try:
        scope = _posyantek_scope(request, slug)
    except _Forbidden as forbidden:
        return forbidden.response
    start, end = request.POST.get("from", ""), request.POST.get("to", "")
    try:
        period = period_parse(start=start or None, end=end or None)
        services.export_request(
            user=request.user, scope=scope, period=period, kind=request.POST.get("kind")
        )
    except ApplicationError as error:
        details = [str(m) for ms in error.fields.values() for m in ms]
        messages.error(request, " ".join([str(error.message), *details]))
    else:
        messages.success(
            request,
            _(
                "Your XLSX file is being prepared. It appears under Exports in a minute; "
                "reload the page to see it. It stays available for 24 hours."
            ),
        )
    return redirect(_dashboard_url(slug, start, end))


@login_required
@require_GET
def export_download_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The XLSX of one of the caller's exports while it is offered; 404 for anyone else."""
    try:
        export = services.export_get_for_download(user=request.user, export_id=pk)
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        export = services.export_get(user=request.user, export_id=pk)
        if export.organization is None:
            return _plain(str(error.message), error.status_code)
        messages.error(request, error.message)
        return redirect(
            _dashboard_url(
                export.organization.slug,
                export.period_start.isoformat(),
                export.period_end.isoformat(),
            )
        )
    return private_file_response(
        export.file, allowed=True, download_name=services.export_download_name(export)
    )


urlpatterns = [
    path("dasbor/<slug:slug>/ekspor/<str:kind>.csv", export_csv_view, name="export_csv"),
    path("dasbor/<slug:slug>/ekspor/", export_request_view, name="export_request"),
    path("laporan/ekspor/<int:pk>/", export_download_view, name="export_download"),
]
