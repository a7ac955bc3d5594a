"""Exports API (mounted under /api/v1/ by reports/api/urls.py):

- `GET reports/exports/<kind>.csv?organization=<slug>|region=<code>&from=&to=` streams the
  CSV of orders, order lines or ledger (reports.exports) for a scope the caller may see.
- `POST reports/exports/` `{kind, from, to, organization | region}` asks for an XLSX export,
  built by a task: 202 with the export (status `pending`); poll it, then download it.
- `GET reports/exports/` the caller's own exports, newest first; `GET reports/exports/<id>/`.
- `GET reports/exports/<id>/download/` the XLSX while it is ready, for 24 hours: 409 while it
  is being prepared or when it failed, 410 once expired, 404 for anyone but its requester.

The scope is resolved and checked by reports.scope.scope_resolve (404 unknown, 403 not
allowed), the period by reports.periods.period_parse (400 by field); nothing here gives a 500
for bad input.
"""

from collections.abc import Mapping

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import renderers, serializers, status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse

from core.api.pagination import PageNumberPagination
from core.errors import InvalidInput
from core.files import private_file_response
from reports.api.serializers import PeriodSerializer
from reports.exports import KINDS, export_csv_response, kind_parse
from reports.models import ReportExport
from reports.periods import period_parse
from reports.scope import Scope, scope_resolve
from reports.services import exports as services

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SCOPE_PARAMETERS = [
    OpenApiParameter(
        "organization", OpenApiTypes.STR, description="A Posyantek's slug.", required=False
    ),
    OpenApiParameter(
        "region",
        OpenApiTypes.STR,
        description="A Kemendagri region code (province, regency or kecamatan).",
        required=False,
    ),
    OpenApiParameter(
        "from",
        OpenApiTypes.DATE,
        description="First local day (Asia/Jakarta); default the first of this month.",
        required=False,
    ),
    OpenApiParameter(
        "to",
        OpenApiTypes.DATE,
        description="Last local day, included; default today.",
        required=False,
    ),
]


# --- Serializers ------------------------------------------------------------------------------


KIND_HELP = "What is exported: `orders`, `order_lines` or `ledger`."


class ExportSerializer(serializers.ModelSerializer):
    # Plain text rather than an enum: a `kind` enum here would collide with other `kind`
    # choice sets in the OpenAPI document.
    kind = serializers.CharField(read_only=True, help_text=KIND_HELP)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    region = serializers.CharField(source="region_code", read_only=True)
    period = serializers.SerializerMethodField()
    available = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportExport
        fields = [
            "id",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "organization",
            "region",
            "period",
            "row_count",
            "failure_reason",
            "created_at",
            "ready_at",
            "expires_at",
            "available",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(PeriodSerializer)
    def get_period(self, export: ReportExport) -> dict[str, str]:
        return {"from": export.period_start.isoformat(), "to": export.period_end.isoformat()}

    def get_available(self, export: ReportExport) -> bool:
        return services.export_is_available(export)

    def get_download_url(self, export: ReportExport) -> str | None:
        if not services.export_is_available(export):
            return None
        return reverse(
            "api:reports-export-download",
            kwargs={"pk": export.pk},
            request=self.context.get("request"),
        )


class ExportRequestSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=20, help_text=KIND_HELP)
    organization = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="A Posyantek's slug."
    )
    region = serializers.CharField(
        required=False, allow_blank=True, max_length=13, help_text="A Kemendagri region code."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # `from` is a Python keyword: added here rather than declared.
        fields = super().get_fields()
        fields["from"] = serializers.DateField(
            required=False, help_text="First local day; default the first of this month."
        )
        fields["to"] = serializers.DateField(
            required=False, help_text="Last local day, included; default today."
        )
        return fields


# --- Views ------------------------------------------------------------------------------------


class CsvRenderer(renderers.BaseRenderer):
    """Lets a client ask for `Accept: text/csv` (or `?format=csv`); errors answer in JSON."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, (bytes, str)):
            return data
        return renderers.JSONRenderer().render(data)


class XlsxRenderer(CsvRenderer):
    media_type = XLSX_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"


class _AnyAcceptMixin:
    """A file download answers whatever the client accepts (an unknown Accept or `?format=`
    is no 406 or 404), and its errors are JSON."""

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        # An error is JSON, whatever file type the client asked for.
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = renderers.JSONRenderer.media_type
        return response


def _scope(request, data: Mapping) -> Scope:
    return scope_resolve(
        user=request.user,
        organization=data.get("organization") or None,
        region=data.get("region") or None,
    )


class ExportCsvView(_AnyAcceptMixin, GenericAPIView):
    """The orders, order lines or ledger of a Posyantek (`?organization=<slug>`), a region
    (`?region=<code>`) or, for platform staff, everything, for a period of local days —
    streamed as CSV (UTF-8 with BOM). Orders and order lines: those paid in the period;
    ledger: entries made in the period. Owners and managers of the Posyantek, the dinas
    within its jurisdiction, platform staff."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [renderers.JSONRenderer, CsvRenderer]
    serializer_class = None

    @extend_schema(
        operation_id="reports_exports_csv",
        parameters=[
            OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(KINDS)),
            *SCOPE_PARAMETERS,
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The CSV file."
            ),
            400: OpenApiResponse(description="Unknown kind, bad dates or an ambiguous scope."),
            403: OpenApiResponse(description="The caller may not see this scope's reports."),
            404: OpenApiResponse(description="No such Posyantek or region."),
        },
    )
    def get(self, request, kind: str):
        params = request.query_params
        scope = _scope(request, params)
        kind = kind_parse(kind)
        period = period_parse(start=params.get("from"), end=params.get("to"))
        return export_csv_response(kind=kind, scope=scope, period=period)


class ExportListView(ListAPIView):
    """GET: the caller's own exports, newest first. POST: ask for an XLSX export of a scope
    the caller may see (`organization` or `region`; neither: the caller's own) — 202 with the
    export, built in the background; at most 5 being prepared at once (409)."""

    permission_classes = [IsAuthenticated]
    serializer_class = ExportSerializer
    pagination_class = PageNumberPagination
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReportExport.objects.none()
        return services.exports_list(user=self.request.user)

    @extend_schema(request=ExportRequestSerializer, responses={202: ExportSerializer})
    def post(self, request):
        if not isinstance(request.data, Mapping):
            raise InvalidInput(_("Send the export's fields as a JSON object."))
        data = ExportRequestSerializer(data=request.data)
        # Who may comes before what is sent: the scope first (404/403), then the rest.
        scope = _scope(request, request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        start, end = fields.get("from"), fields.get("to")
        period = period_parse(
            start=start.isoformat() if start else None, end=end.isoformat() if end else None
        )
        export = services.export_request(
            user=request.user, scope=scope, period=period, kind=kind_parse(fields["kind"])
        )
        body = ExportSerializer(export, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ExportDetailView(GenericAPIView):
    """One of the caller's exports (404 for anyone else's)."""

    permission_classes = [IsAuthenticated]
    serializer_class = ExportSerializer

    def get(self, request, pk: int):
        export = services.export_get(user=request.user, export_id=pk)
        return Response(ExportSerializer(export, context={"request": request}).data)


class ExportDownloadView(_AnyAcceptMixin, GenericAPIView):
    """The XLSX file of one of the caller's exports, while it is offered (24 hours)."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [renderers.JSONRenderer, XlsxRenderer]
    serializer_class = None

    @extend_schema(
        operation_id="reports_exports_download",
        responses={
            (200, XLSX_TYPE): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The XLSX file."
            ),
            404: OpenApiResponse(description="No such export of the caller."),
            409: OpenApiResponse(description="Still being prepared, or it failed."),
            410: OpenApiResponse(description="Its 24 hours have passed; ask again."),
        },
    )
    def get(self, request, pk: int):
        export = services.export_get_for_download(user=request.user, export_id=pk)
        return private_file_response(
            export.file, allowed=True, download_name=services.export_download_name(export)
        )


urlpatterns = [
    path("reports/exports/", ExportListView.as_view(), name="reports-export-list"),
    path("reports/exports/<int:pk>/", ExportDetailView.as_view(), name="reports-export-detail"),
    path(
        "reports/exports/<int:pk>/download/",
        ExportDownloadView.as_view(),
        name="reports-export-download",
    ),
    path("reports/exports/<str:kind>.csv", ExportCsvView.as_view(), name="reports-export-csv"),
]
