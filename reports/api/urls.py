from django.urls import include, path

from reports.api import views

urlpatterns = [
    path("reports/summary/", views.SummaryView.as_view(), name="reports-summary"),
    path("reports/revenue/", views.RevenueView.as_view(), name="reports-revenue"),
    path("", include("reports.api.exports")),
    path("", include("reports.api.overview")),
]
