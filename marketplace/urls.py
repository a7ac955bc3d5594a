"""Pages of products: the product desk of an organisation, a product's own desk, the public
product page. Desk paths come first: product slugs always end in the seller's code, so none is
ever "meja"."""

from django.urls import path

from marketplace import views

app_name = "marketplace"

urlpatterns = [
    path("meja/<slug:slug>/", views.desk_view, name="desk"),
    path("meja/<slug:slug>/baru/", views.product_create_view, name="create"),
    path("<slug:slug>/", views.product_detail_view, name="detail"),
    path("<slug:slug>/kelola/", views.product_manage_view, name="manage"),
    path(
        "<slug:slug>/sertifikat/<int:pk>/",
        views.certification_scan_view,
        name="certification-scan",
    ),
]
