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

# --- Proposals (helper P) ---------------------------------------------------------------------
from mitra.api import proposals as proposal_views  # noqa: E402

urlpatterns += [
    path("proposals/", proposal_views.ProposalListView.as_view(), name="proposal-list"),
    path(
        "proposals/<int:pk>/",
        proposal_views.ProposalDetailView.as_view(),
        name="proposal-detail",
    ),
    path(
        "proposals/<int:pk>/accept/",
        proposal_views.ProposalAcceptView.as_view(),
        name="proposal-accept",
    ),
    path(
        "proposals/<int:pk>/reject/",
        proposal_views.ProposalRejectView.as_view(),
        name="proposal-reject",
    ),
    path(
        "proposals/<int:pk>/withdraw/",
        proposal_views.ProposalWithdrawView.as_view(),
        name="proposal-withdraw",
    ),
]

# --- Partnerships (helper S) ------------------------------------------------------------------
from mitra.api import partnerships as partnership_views  # noqa: E402

urlpatterns += [
    path("partnerships/", partnership_views.PartnershipListView.as_view(), name="partnership-list"),
    path(
        "partnerships/<int:pk>/",
        partnership_views.PartnershipDetailView.as_view(),
        name="partnership-detail",
    ),
    *[
        path(
            f"partnerships/<int:pk>/{action}/",
            view.as_view(),
            name=f"partnership-{action}",
        )
        for action, view in (
            ("accept", partnership_views.PartnershipAcceptView),
            ("decline", partnership_views.PartnershipDeclineView),
            ("cancel", partnership_views.PartnershipCancelView),
            ("complete", partnership_views.PartnershipCompleteView),
            ("terminate", partnership_views.PartnershipTerminateView),
        )
    ],
    path(
        "partnerships/<int:pk>/milestones/",
        partnership_views.MilestoneListView.as_view(),
        name="partnership-milestones",
    ),
    path(
        "partnerships/<int:pk>/milestones/<int:mid>/",
        partnership_views.MilestoneDetailView.as_view(),
        name="partnership-milestone",
    ),
]
