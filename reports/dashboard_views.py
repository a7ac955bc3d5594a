"""The Posyantek manager's dashboard (DESIGN.md, Dashboards): its money, orders, products,
certificates, matching needs and partnerships over a period, compared with the period before,
with a revenue chart by day, week or month.

`/dasbor/` sends the caller to the dashboard they may see (one Posyantek → its page; platform
staff and dinas → the overview by region; several → a list to choose from). `/dasbor/<slug>/`
takes `?from=&to=` (local days, YYYY-MM-DD) and `?group_by=day|week|month`; every control is a
plain link or GET form, so the page works without JavaScript, and the charts' numbers are in a
table too. Who sees it: reports.permissions.can_view_reports (404 for an unknown Posyantek,
403 for one the caller may not see, 400 with the form's message for a bad period)."""

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET

from accounts.models import Organization, Role
from accounts.permissions import has_role, is_member, is_platform_staff, jurisdictions_of
from core.errors import InvalidInput, NotFound, PermissionDenied
from orders.permissions import can_view_finances
from reports.periods import Period, group_by_parse, month_start, period_parse
from reports.scope import managed_posyanteks, scope_resolve
from reports.selectors import figures
from reports.services.exports import exports_recent

# The KPI cards, in order: key of summary["kpis"], label, whether it is money.
KPIS = (
    ("gross_amount", gettext_lazy("Gross revenue"), True),
    ("net_amount", gettext_lazy("Net revenue"), True),
    ("paid_orders", gettext_lazy("Paid orders"), False),
    ("average_order_amount", gettext_lazy("Average order"), True),
    ("new_buyers", gettext_lazy("New buyers"), False),
    ("refunds_amount", pgettext_lazy("figures", "Refunds"), True),
    ("platform_fee_amount", gettext_lazy("Platform fee"), True),
)
# The headline card's title for each preset; a custom period names its days.
HEADLINES = {
    "this_month": gettext_lazy("This month's revenue"),
    "last_month": gettext_lazy("Last month's revenue"),
    "last_3_months": gettext_lazy("Revenue in the last 3 months"),
    "this_year": gettext_lazy("This year's revenue"),
}
GROUP_LABELS = (
    ("day", gettext_lazy("By day")),
    ("week", gettext_lazy("By week")),
    ("month", gettext_lazy("By month")),
)


@dataclass
class Preset:
    key: str
    label: Any
    period: Period
    url: str = ""
    current: bool = False


def default_group_by(period: Period) -> str:
    """Days for a month or less, weeks up to about four months, months beyond."""
    if period.days <= 31:
        return "day"
    if period.days <= 124:
        return "week"
    return "month"


def presets(today: datetime.date) -> list[Preset]:
    this_month = Period(month_start(today), today)
    last_month = Period.month(month_start(today) - datetime.timedelta(days=1))
    three_back = month_start(last_month.start - datetime.timedelta(days=1))
    this_year = Period(today.replace(month=1, day=1), today)
    return [
        Preset("this_month", gettext_lazy("This month"), this_month),
        Preset("last_month", gettext_lazy("Last month"), last_month),
        Preset("last_3_months", gettext_lazy("Last 3 months"), Period(three_back, today)),
        Preset("this_year", gettext_lazy("This year"), this_year),
    ]


def page_url(slug: str, **params: str) -> str:
    query = urlencode({key: value for key, value in params.items() if value})
    return reverse("reports:dashboard", args=[slug]) + (f"?{query}" if query else "")


def bucket_label(start: datetime.date, group_by: str) -> str:
    """A bucket's name in the page language: "7 Des", "Mg 7 Des" (week from Monday), "Des 2026"."""
    if group_by == "month":
        return date_format(start, "M Y")
    if group_by == "week":
        return _("Wk %(day)s") % {"day": date_format(start, "j M")}
    return date_format(start, "j M")


def kpi_cards(kpis: dict) -> list[dict]:
    cards = []
    for key, label, money in KPIS:
        figure = kpis.get(key) or {"current": 0, "previous": 0, "change_percent": None}
        change = figure.get("change_percent")
        if change is None:
            direction = "none"
        elif change > 0:
            direction = "up"
        elif change < 0:
            direction = "down"
        else:
            direction = "same"
        cards.append(
            {
                "key": key,
                "label": label,
                "money": money,
                "current": figure["current"],
                "previous": figure["previous"],
                "change": change,
                "change_abs": abs(change) if change is not None else None,
                "direction": direction,
                # For refunds and fees, more is worse: the colour says so, the arrow stays.
                "good": (direction == "down")
                if key in ("refunds_amount", "platform_fee_amount")
                else (direction == "up"),
            }
        )
    return cards


def chart_data(revenue: dict, summary: dict, group_by: str) -> dict:
    results = revenue["results"]
    statuses = summary["orders_by_status"]
    return {
        "group_by": group_by,
        "labels": [
            bucket_label(datetime.date.fromisoformat(row["start"]), group_by) for row in results
        ],
        "starts": [row["start"] for row in results],
        "gross": [row["gross_amount"] for row in results],
        "net": [row["net_amount"] for row in results],
        "orders": [row["paid_orders"] for row in results],
        "text": {
            "gross": _("Gross revenue"),
            "net": _("Net revenue"),
            "orders": _("Orders"),
            "currency": "Rp",
        },
        "status": {
            "labels": [str(row["label"]) for row in statuses],
            "keys": [row["status"] for row in statuses],
            "counts": [row["count"] for row in statuses],
        },
    }


def period_errors(error: InvalidInput, start: str, today: datetime.date) -> dict[str, list[str]]:
    """The period's field errors for a page: "on or after <day>" names the day as the page
    does ("10 Des 2026"), not as YYYY-MM-DD (reports.periods writes it for the API)."""
    fields = {
        name: [str(message) for message in messages] for name, messages in error.fields.items()
    }
    if "to" in fields:
        try:
            first = datetime.date.fromisoformat(start) if start else month_start(today)
        except ValueError:
            return fields
        fields["to"] = [
            _("Must be on or after %(day)s.") % {"day": date_format(first, "j M Y")}
            if message == _("Must be on or after %(day)s.") % {"day": first.isoformat()}
            else message
            for message in fields["to"]
        ]
    return fields


def headline_label(period: Period, choices: list[Preset]) -> str:
    for preset in choices:
        if preset.current:
            return str(HEADLINES[preset.key])
    return _("Revenue from %(start)s to %(end)s") % {
        "start": date_format(period.start, "j M Y"),
        "end": date_format(period.end, "j M Y"),
    }


def overview_url() -> str:
    try:
        return reverse("reports:overview")
    except NoReverseMatch:  # the overview page is not there (yet)
        return ""


# --- Pages ------------------------------------------------------------------------------------


@login_required
@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    """Where "Dashboard" in the menu leads: the caller's own dashboard, or a choice."""
    user = request.user
    managed = list(managed_posyanteks(user))
    sees_regions = is_platform_staff(user) or bool(jurisdictions_of(user))
    overview = overview_url() if sees_regions else ""
    if len(managed) == 1 and not overview:
        return redirect("reports:dashboard", slug=managed[0].slug)
    if overview and not managed:
        return redirect(overview)
    context: dict[str, Any] = {"organizations": managed, "overview_url": overview}
    if not managed:
        # A member without the manager role: the next step is to ask an owner.
        context["member_of"] = list(
            Organization.objects.filter(
                kind=Organization.Kind.POSYANTEK, memberships__user=user
            ).distinct()[:3]
        )
    return render(request, "reports/choose.html", context, status=200 if managed else 403)


@login_required
@require_GET
def dashboard_view(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    try:
        scope = scope_resolve(user=user, organization=slug)
    except NotFound:
        raise Http404 from None
    except (PermissionDenied, InvalidInput) as error:
        # What to do next: a member asks an owner; someone with a dashboard of their own
        # goes there; anyone else goes back.
        organization = Organization.objects.filter(slug=slug).first()
        context = {
            "refused": True,
            "organization": organization,
            "message": error.message,
            "member_of_it": bool(organization) and is_member(user, organization),
        }
        return render(request, "reports/choose.html", context, status=403)
    organization = scope.organization
    today = timezone.localdate()
    start, end = request.GET.get("from", ""), request.GET.get("to", "")
    raw_group_by = request.GET.get("group_by", "")
    errors: dict[str, list[str]] = {}
    error_message = ""
    try:
        period = period_parse(start=start or None, end=end or None, today=today)
    except InvalidInput as error:
        errors, error_message = period_errors(error, start, today), str(error.message)
        period = Period(month_start(today), today)
    try:
        group_by = group_by_parse(raw_group_by or None, default=default_group_by(period))
    except InvalidInput:
        # Only a display choice (an old link, a typo): the default grouping, not an error.
        group_by = default_group_by(period)

    choices = presets(today)
    for preset in choices:
        preset.url = page_url(
            slug, **{"from": preset.period.start.isoformat(), "to": preset.period.end.isoformat()}
        )
        preset.current = not errors and preset.period == period
    context: dict[str, Any] = {
        "organization": organization,
        "scope": scope,
        "period": period,
        "today": today,
        "presets": choices,
        "custom": not errors and not any(preset.current for preset in choices),
        "form": {"from": start or period.start.isoformat(), "to": end or period.end.isoformat()},
        "errors": errors,
        "error_message": error_message,
        "group_by": group_by,
        "is_manager": has_role(user, organization, Role.MANAGER),
        # The matching needs, proposals and partnerships pages: members and platform staff
        # (mitra.permissions); a dinas sees the counts only.
        "sees_member_pages": is_member(user, organization) or is_platform_staff(user),
        "can_view_finances": can_view_finances(user, organization),
    }
    if errors:
        return render(request, "reports/dashboard.html", context, status=400)

    summary = figures.report_summary(scope=scope, period=period, today=today)
    revenue = figures.revenue_series(scope=scope, period=period, group_by=group_by)
    period_params = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    cards = kpi_cards(summary["kpis"])
    context.update(
        {
            "summary": summary,
            # The headline card (gross, with net under it) and the other cards.
            "gross": cards[0],
            "net": cards[1],
            "kpis": cards[1:],
            "previous": Period(
                datetime.date.fromisoformat(summary["previous_period"]["from"]),
                datetime.date.fromisoformat(summary["previous_period"]["to"]),
            ),
            "headline": headline_label(period, choices),
            "not_started": period.start > today,
            "certificates": [
                {**row, "valid_until": datetime.date.fromisoformat(row["valid_until"])}
                for row in summary["certificates_expiring"] or []
            ],
            "revenue": revenue,
            "series": [
                {**row, "label": label}
                for row, label in zip(
                    revenue["results"],
                    (
                        bucket_label(datetime.date.fromisoformat(row["start"]), group_by)
                        for row in revenue["results"]
                    ),
                    strict=True,
                )
            ],
            "chart": chart_data(revenue, summary, group_by),
            "groupings": [
                {
                    "key": key,
                    "label": label,
                    "url": page_url(slug, **period_params, group_by=key),
                    "current": key == group_by,
                }
                for key, label in GROUP_LABELS
            ],
            "period_params": urlencode(period_params),
            "exports": exports_recent(user=user, organization=organization),
        }
    )
    return render(request, "reports/dashboard.html", context)


urlpatterns = [
    path("dasbor/", home_view, name="home"),
    path("dasbor/<slug:slug>/", dashboard_view, name="dashboard"),
]
