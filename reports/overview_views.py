"""The overview by region for the dinas and platform staff (`/wilayah/`): every Posyantek in
the caller's jurisdiction (or a narrower region of it) with its figures over a period, a
ranking, a province → regency → kecamatan tree with subtotals and the inactive Posyantek
(reports.selectors.overview).

`?region=<Kemendagri code>` narrows the scope (default: all for platform staff, the
jurisdiction for a dinas member); `?from=&to=` are local days (YYYY-MM-DD). Every control is a
plain link or GET form. Who sees it: platform staff and dinas members (reports.scope); a
Posyantek's own people get 403 (their page is the dashboard), an unknown region 404, a region
outside the jurisdiction 403, a bad period 400 with the form's message — never a 500."""

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.permissions import is_platform_staff, jurisdictions_of
from core.errors import ApplicationError, InvalidInput, PermissionDenied
from regions.selectors import region_chain_codes, region_get
from reports.dashboard_views import period_errors
from reports.periods import Period, month_start, period_parse
from reports.permissions import region_covers
from reports.scope import Scope, scope_resolve
from reports.selectors.overview import posyantek_overview

# How many Posyantek the page's ranking shows; the tree below lists them all.
RANKING_ON_PAGE = 20


def _presets(today: datetime.date) -> list[tuple[str, Any, Period]]:
    last_month = Period.month(month_start(today) - datetime.timedelta(days=1))
    three_back = month_start(last_month.start - datetime.timedelta(days=1))
    return [
        ("this_month", gettext_lazy("This month"), Period(month_start(today), today)),
        ("last_month", gettext_lazy("Last month"), last_month),
        ("last_3_months", gettext_lazy("Last 3 months"), Period(three_back, today)),
        ("this_year", gettext_lazy("This year"), Period(today.replace(month=1, day=1), today)),
    ]


def page_url(region: str = "", **params: str) -> str:
    query = urlencode({key: value for key, value in {"region": region, **params}.items() if value})
    return reverse("reports:overview") + (f"?{query}" if query else "")


def _overview_scope(user, region: str) -> Scope:
    """The region scope the page shows; a Posyantek's own scope is not an overview."""
    try:
        scope = scope_resolve(user=user, region=region or None)
    except InvalidInput as error:
        if error.code == "scope_ambiguous" and not jurisdictions_of(user):
            raise PermissionDenied(
                _("The overview by region is for the dinas and platform staff."),
                code="reports_not_allowed",
            ) from None
        raise
    if scope.is_posyantek:
        raise PermissionDenied(
            _("The overview by region is for the dinas and platform staff."),
            code="reports_not_allowed",
        )
    return scope


def _breadcrumb(user, scope: Scope, period_params: dict) -> list[dict]:
    """The regions above the current one that the caller may also see, broadest first."""
    if not scope.region_code:
        return []
    staff = is_platform_staff(user)
    jurisdictions = [] if staff else jurisdictions_of(user)
    crumbs = []
    if staff:
        crumbs.append({"label": _("All Posyantek"), "url": page_url("", **period_params)})
    for code in region_chain_codes(scope.region_code).values():
        if code == scope.region_code:
            continue
        if staff or any(region_covers(own, code) for own in jurisdictions):
            region = region_get(code)
            label = region.display_name if region else code
            crumbs.append({"label": label, "url": page_url(code, **period_params)})
    return crumbs


def _decorate(overview: dict, period_params: dict, region: str) -> None:
    """Add the drill-down links to the tree: a group links to the page narrowed to it."""
    for province in overview["tree"]:
        province["url"] = page_url(province["code"], **period_params)
        province["current"] = province["code"] == region
        for regency in province["regencies"]:
            regency["url"] = page_url(regency["code"], **period_params)
            regency["current"] = regency["code"] == region
            for district in regency["districts"]:
                district["url"] = page_url(district["code"], **period_params)
                district["current"] = district["code"] == region


@login_required
@require_GET
def overview_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    region = request.GET.get("region", "").strip()
    start, end = request.GET.get("from", ""), request.GET.get("to", "")
    today = timezone.localdate()
    context: dict[str, Any] = {
        "region": region,
        "form": {"from": start, "to": end},
        "errors": {},
        "error_message": "",
    }
    try:
        scope = _overview_scope(user, region)
    except InvalidInput as error:
        # A dinas member of several jurisdictions who named none: offer them.
        context.update(
            error_message=str(error.message),
            jurisdictions=[
                {
                    "code": code,
                    "name": getattr(region_get(code), "display_name", code),
                    "url": page_url(code, **{"from": start, "to": end}),
                }
                for code in jurisdictions_of(user)
            ],
        )
        return render(request, "reports/overview.html", context, status=400)
    except ApplicationError as error:
        context.update(error_message=str(error.message), refused=True)
        return render(request, "reports/overview.html", context, status=error.status_code)

    context["scope"] = scope
    try:
        period = period_parse(start=start or None, end=end or None, today=today)
    except InvalidInput as error:
        context.update(errors=period_errors(error, start, today), error_message=str(error.message))
        context["presets"] = [
            {"key": key, "label": label, "url": page_url(scope.region_code, **_params(p))}
            for key, label, p in _presets(today)
        ]
        return render(request, "reports/overview.html", context, status=400)

    period_params = _params(period)
    presets = [
        {
            "key": key,
            "label": label,
            "url": page_url(scope.region_code, **_params(p)),
            "current": p == period,
        }
        for key, label, p in _presets(today)
    ]
    overview = posyantek_overview(scope=scope, period=period, today=today)
    _decorate(overview, period_params, scope.region_code)
    context.update(
        {
            "period": period,
            "today": today,
            "form": {
                "from": start or period.start.isoformat(),
                "to": end or period.end.isoformat(),
            },
            "presets": presets,
            "custom": not any(preset["current"] for preset in presets),
            "overview": overview,
            "totals": overview["totals"],
            "ranking": overview["ranking"][:RANKING_ON_PAGE],
            "ranking_more": max(0, len(overview["ranking"]) - RANKING_ON_PAGE),
            "inactive": overview["inactive"],
            "breadcrumb": _breadcrumb(user, scope, period_params),
            "period_params": urlencode(period_params),
        }
    )
    return render(request, "reports/overview.html", context)


def _params(period: Period) -> dict:
    return {"from": period.start.isoformat(), "to": period.end.isoformat()}


urlpatterns = [
    path("wilayah/", overview_view, name="overview"),
]
