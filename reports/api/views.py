"""Figures API: `reports/summary/` (the dashboard's KPIs against the previous period, and the
lists around them) and `reports/revenue/` (gross, refunds, fee and net per day, week or month).

Both take the scope as `?organization=<Posyantek slug>` or `?region=<Kemendagri code>` (or
neither: the caller's own — everything for platform staff, the jurisdiction for a dinas, the
Posyantek for its owner or manager) and the period as `?from=YYYY-MM-DD&to=YYYY-MM-DD` (local
days, both included; default this month to today). reports.scope answers who may see what.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.api import serializers as s
from reports.periods import GROUPINGS, Period, group_by_parse, period_parse
from reports.scope import Scope, scope_resolve
from reports.selectors.figures import report_summary, revenue_series

PERIOD_PARAMETERS = [
    OpenApiParameter(
        "from",
        OpenApiTypes.DATE,
        description="First day (default: this month's first).",
        required=False,
    ),
    OpenApiParameter(
        "to", OpenApiTypes.DATE, description="Last day, included (default: today).", required=False
    ),
]
SCOPE_PARAMETERS = [
    OpenApiParameter(
        "organization", OpenApiTypes.STR, description="A Posyantek's slug.", required=False
    ),
    OpenApiParameter(
        "region",
        OpenApiTypes.STR,
        description="A province, regency or kecamatan code (platform staff, or a dinas within "
        "its jurisdiction).",
        required=False,
    ),
    *PERIOD_PARAMETERS,
]


def scope_and_period(request) -> tuple[Scope, Period]:
    """The request's scope and period: 400, 403 or 404 with a message when they are wrong."""
    params = request.query_params
    scope = scope_resolve(
        user=request.user, organization=params.get("organization"), region=params.get("region")
    )
    return scope, period_parse(start=params.get("from"), end=params.get("to"))


class SummaryView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Dashboard figures",
        parameters=SCOPE_PARAMETERS,
        responses=s.SummarySerializer,
    )
    def get(self, request):
        scope, period = scope_and_period(request)
        return Response(report_summary(scope=scope, period=period))


class RevenueView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Revenue over time",
        parameters=[
            *SCOPE_PARAMETERS,
            OpenApiParameter("group_by", OpenApiTypes.STR, enum=list(GROUPINGS), required=False),
        ],
        responses=s.RevenueSerializer,
    )
    def get(self, request):
        scope, period = scope_and_period(request)
        group_by = group_by_parse(request.query_params.get("group_by"))
        return Response(revenue_series(scope=scope, period=period, group_by=group_by))
