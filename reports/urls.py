"""Reports' pages: a Posyantek's dashboard and its exports, and the overview by region."""

from django.urls import include, path

app_name = "reports"

urlpatterns = [
    path("", include("reports.dashboard_views")),
    path("", include("reports.export_views")),
    path("", include("reports.overview_views")),
]
