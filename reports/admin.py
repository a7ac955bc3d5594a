from django.contrib import admin

from core.admin import ReadOnlyAdmin
from reports.models import ReportDispatch, ReportExport


@admin.register(ReportExport)
class ReportExportAdmin(ReadOnlyAdmin):
    """Exports built in the background: read-only (the file is the requester's to download)."""

    list_display = [
        "kind",
        "organization",
        "region_code",
        "period_start",
        "period_end",
        "status",
        "row_count",
        "requested_by",
        "created_at",
        "expires_at",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["organization__name", "requested_by__email"]
    list_select_related = ["organization", "requested_by"]


@admin.register(ReportDispatch)
class ReportDispatchAdmin(ReadOnlyAdmin):
    """Scheduled reports, one per Posyantek, kind and period: read-only (the beat's)."""

    list_display = ["organization", "kind", "period_start", "recipient_count", "sent_at"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["organization__name"]
    list_select_related = ["organization"]
