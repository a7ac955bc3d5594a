from django.urls import include, path

from accounts.api import organization_views as views

urlpatterns = [
    path("auth/", include("accounts.api.auth_urls")),
    path("organizations/", views.OrganizationListView.as_view(), name="organization-list"),
    path(
        "organizations/<slug:slug>/",
        views.OrganizationDetailView.as_view(),
        name="organization-detail",
    ),
    path(
        "organizations/<slug:slug>/jurisdiction/",
        views.OrganizationJurisdictionView.as_view(),
        name="organization-jurisdiction",
    ),
    path(
        "organizations/<slug:slug>/members/",
        views.MemberListView.as_view(),
        name="organization-members",
    ),
    path(
        "organizations/<slug:slug>/members/<int:pk>/",
        views.MemberDetailView.as_view(),
        name="organization-member",
    ),
    path(
        "organizations/<slug:slug>/invitations/",
        views.InvitationListView.as_view(),
        name="organization-invitations",
    ),
    path(
        "organizations/<slug:slug>/invitations/<int:pk>/",
        views.InvitationDetailView.as_view(),
        name="organization-invitation",
    ),
    path(
        "organizations/<slug:slug>/documents/",
        views.DocumentListView.as_view(),
        name="organization-documents",
    ),
    path(
        "organizations/<slug:slug>/documents/<int:pk>/file/",
        views.DocumentFileView.as_view(),
        name="organization-document-file",
    ),
    path(
        "organizations/<slug:slug>/verification/",
        views.VerificationView.as_view(),
        name="organization-verification",
    ),
    path(
        "organizations/<slug:slug>/verification/request/",
        views.VerificationRequestView.as_view(),
        name="organization-verification-request",
    ),
    path(
        "organizations/<slug:slug>/verification/verify/",
        views.VerifyView.as_view(),
        name="organization-verify",
    ),
    path(
        "organizations/<slug:slug>/verification/reject/",
        views.RejectView.as_view(),
        name="organization-reject",
    ),
    path("invitations/accept/", views.InvitationAcceptView.as_view(), name="invitation-accept"),
]
