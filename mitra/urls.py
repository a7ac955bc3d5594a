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
