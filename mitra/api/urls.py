"""Routes of the needs API (mounted under /api/v1/ by config/api_router.py)."""

from django.urls import path

from mitra.api import views

urlpatterns = [
    path("needs/", views.NeedListView.as_view(), name="need-list"),
    path("needs/<int:pk>/", views.NeedDetailView.as_view(), name="need-detail"),
    path("needs/<int:pk>/publish/", views.NeedPublishView.as_view(), name="need-publish"),
    path("needs/<int:pk>/close/", views.NeedCloseView.as_view(), name="need-close"),
    path("needs/<int:pk>/matches/", views.NeedMatchListView.as_view(), name="need-matches"),
]
