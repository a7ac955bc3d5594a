"""Pages of partner needs (include with `path("", include("mitra.urls"))`): the public board
and a need's pages under /mitra/, and an organisation's own lists under /organisasi/<slug>/
(accounts.organization_urls has no "kebutuhan/" or "kebutuhan-cocok/")."""

from django.urls import path

from mitra import views

app_name = "mitra"

urlpatterns = [
    path("mitra/", views.board_view, name="board"),
    path("mitra/kebutuhan/baru/", views.create_view, name="create"),
    path("mitra/kebutuhan/<int:need_id>/", views.detail_view, name="detail"),
    path("mitra/kebutuhan/<int:need_id>/ubah/", views.edit_view, name="edit"),
    path("mitra/kebutuhan/<int:need_id>/terbitkan/", views.publish_view, name="publish"),
    path("mitra/kebutuhan/<int:need_id>/tutup/", views.close_view, name="close"),
    path("organisasi/<slug:slug>/kebutuhan/", views.desk_view, name="desk"),
    path(
        "organisasi/<slug:slug>/kebutuhan-cocok/",
        views.posyantek_needs_view,
        name="posyantek_needs",
    ),
]

# --- Proposals (helper P) ---------------------------------------------------------------------
from mitra import proposal_views  # noqa: E402

urlpatterns += [
    path(
        "mitra/kebutuhan/<int:need_id>/penawaran/baru/",
        proposal_views.proposal_create_view,
        name="proposal_create",
    ),
    path(
        "mitra/penawaran/<int:proposal_id>/",
        proposal_views.proposal_detail_view,
        name="proposal_detail",
    ),
    path(
        "mitra/penawaran/<int:proposal_id>/terima/",
        proposal_views.proposal_accept_view,
        name="proposal_accept",
    ),
    path(
        "mitra/penawaran/<int:proposal_id>/tolak/",
        proposal_views.proposal_reject_view,
        name="proposal_reject",
    ),
    path(
        "mitra/penawaran/<int:proposal_id>/tarik/",
        proposal_views.proposal_withdraw_view,
        name="proposal_withdraw",
    ),
    path(
        "organisasi/<slug:slug>/penawaran/",
        proposal_views.organization_proposals_view,
        name="organization_proposals",
    ),
]

# --- Partnerships (helper S) ------------------------------------------------------------------
from mitra import partnership_views  # noqa: E402

urlpatterns += [
    path(
        "organisasi/<slug:slug>/kemitraan/",
        partnership_views.organization_partnerships_view,
        name="organization_partnerships",
    ),
    path(
        "mitra/kemitraan/baru/",
        partnership_views.partnership_propose_view,
        name="partnership_propose",
    ),
    path(
        "mitra/kemitraan/<int:partnership_id>/",
        partnership_views.partnership_detail_view,
        name="partnership_detail",
    ),
    path(
        "mitra/kemitraan/<int:partnership_id>/tonggak/",
        partnership_views.milestone_add_view,
        name="partnership_milestone_add",
    ),
    path(
        "mitra/kemitraan/<int:partnership_id>/tonggak/<int:milestone_id>/",
        partnership_views.milestone_toggle_view,
        name="partnership_milestone_toggle",
    ),
    path(
        "mitra/kemitraan/<int:partnership_id>/<slug:action>/",
        partnership_views.partnership_action_view,
        name="partnership_action",
    ),
]
