"""Overview API: `GET reports/overview/?region=&from=&to=` — every Posyantek in a region (the
caller's jurisdiction by default; everything for platform staff) with its figures for the
period, a ranking, a province → regency → kecamatan tree with subtotals and the inactive ones
(reports.selectors.overview). Times are ISO 8601 in Asia/Jakarta.

401 without a login, 403 for a region outside the caller's jurisdiction or for a caller who is
not platform staff or a dinas member, 404 for an unknown region, 400 for a bad period."""

import datetime

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import jurisdictions_of
from core.errors import InvalidInput, PermissionDenied
from reports.api.serializers import PeriodSerializer, ScopeSerializer
from reports.api.views import PERIOD_PARAMETERS
from reports.periods import local_zone, period_parse
from reports.scope import scope_resolve
from reports.selectors.overview import posyantek_overview

# --- Shapes, for the OpenAPI document (the selector's dictionaries are returned as they are) --


class OverviewRegionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class OverviewTotalsSerializer(serializers.Serializer):
    posyanteks = serializers.IntegerField()
    verified = serializers.IntegerField()
    unverified = serializers.IntegerField()
    inactive = serializers.IntegerField()
    products_published = serializers.IntegerField()
    paid_orders = serializers.IntegerField()
    gross_amount = serializers.IntegerField(help_text="Goods + shipping, paid in the period.")
    refunds_amount = serializers.IntegerField(help_text="Goods + shipping, refunded in the period.")
    platform_fee_amount = serializers.IntegerField()
    net_amount = serializers.IntegerField(help_text="Gross − refunds − platform fee.")
    partnerships_active = serializers.IntegerField()


class OverviewPosyantekSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    code = serializers.CharField()
    level = serializers.CharField(help_text="kecamatan or desa.")
    level_label = serializers.CharField()
    verified = serializers.BooleanField()
    verification_status = serializers.CharField()
    province = OverviewRegionSerializer()
    regency = OverviewRegionSerializer()
    district = OverviewRegionSerializer()
    products_published = serializers.IntegerField()
    paid_orders = serializers.IntegerField()
    gross_amount = serializers.IntegerField()
    refunds_amount = serializers.IntegerField()
    platform_fee_amount = serializers.IntegerField()
    net_amount = serializers.IntegerField()
    partnerships_active = serializers.IntegerField()
    last_product_change = serializers.DateTimeField(allow_null=True)
    last_order = serializers.DateTimeField(allow_null=True)
    last_member_login = serializers.DateTimeField(allow_null=True)
    last_activity = serializers.DateTimeField(allow_null=True)
    inactive = serializers.BooleanField()
    rank = serializers.IntegerField(help_text="By gross, then paid orders, then name.")


class OverviewDistrictSerializer(OverviewRegionSerializer):
    totals = OverviewTotalsSerializer()
    posyanteks = OverviewPosyantekSerializer(many=True)


class OverviewRegencySerializer(OverviewRegionSerializer):
    totals = OverviewTotalsSerializer()
    districts = OverviewDistrictSerializer(many=True)


class OverviewProvinceSerializer(OverviewRegionSerializer):
    totals = OverviewTotalsSerializer()
    regencies = OverviewRegencySerializer(many=True)


class OverviewSerializer(serializers.Serializer):
    scope = ScopeSerializer()
    period = PeriodSerializer()
    today = serializers.DateField()
    inactive_days = serializers.IntegerField()
    active_since = serializers.DateField(help_text="The first day that still counts as recent.")
    totals = OverviewTotalsSerializer()
    ranking = OverviewPosyantekSerializer(many=True)
    tree = OverviewProvinceSerializer(many=True)
    inactive = OverviewPosyantekSerializer(many=True, help_text="Longest idle first.")


# --- The view ---------------------------------------------------------------------------------


def jsonable(value):
    """The selector's result with aware datetimes as local ISO 8601 (dates are ISO already)."""
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value, local_zone()).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class OverviewView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Posyantek overview by region",
        parameters=[
            OpenApiParameter(
                "region",
                OpenApiTypes.STR,
                description="A province, regency or kecamatan code (default: all for platform "
                "staff, the jurisdiction for a dinas member).",
                required=False,
            ),
            *PERIOD_PARAMETERS,
        ],
        responses=OverviewSerializer,
    )
    def get(self, request):
        params = request.query_params
        user = request.user
        try:
            scope = scope_resolve(user=user, region=params.get("region") or None)
        except InvalidInput as error:
            if error.code == "scope_ambiguous" and not jurisdictions_of(user):
                raise PermissionDenied(_not_allowed(), code="reports_not_allowed") from None
            raise
        if scope.is_posyantek:
            raise PermissionDenied(_not_allowed(), code="reports_not_allowed")
        period = period_parse(start=params.get("from"), end=params.get("to"))
        return Response(jsonable(posyantek_overview(scope=scope, period=period)))


def _not_allowed() -> str:
    return _("The overview by region is for the dinas and platform staff.")


urlpatterns = [
    path("reports/overview/", OverviewView.as_view(), name="reports-overview"),
]
