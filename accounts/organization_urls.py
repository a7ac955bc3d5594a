"""Pages for organisations: create, profile, members, documents and verification."""

from django.urls import path

from accounts import organization_views as views

app_name = "organizations"

urlpatterns = [
    path("", views.organization_list_view, name="list"),
    path("baru/", views.organization_create_view, name="create"),
    path("<slug:slug>/", views.organization_detail_view, name="detail"),
    path("<slug:slug>/ubah/", views.organization_edit_view, name="edit"),
    path("<slug:slug>/anggota/", views.organization_members_view, name="members"),
    path("<slug:slug>/verifikasi/", views.verification_view, name="verification"),
    path("<slug:slug>/dokumen/<int:pk>/", views.document_view, name="document"),
    # After the slug pages: an organisation called "undangan" keeps its pages.
    path("undangan/<str:token>/", views.invitation_view, name="invitation"),
]
