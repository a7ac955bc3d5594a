"""Pages of products: the catalogue, a Posyantek's storefront, the product desk of an
organisation, a product's own desk, the public product page. Fixed paths come first: product
slugs always end in the seller's code, so none is ever "meja" or "posyantek"."""

from django.urls import path

from marketplace import catalogue_views, views

app_name = "marketplace"

urlpatterns = [
    path("", catalogue_views.catalogue_view, name="catalogue"),
    path("posyantek/<slug:slug>/", catalogue_views.storefront_view, name="storefront"),
    path("meja/<slug:slug>/", views.desk_view, name="desk"),
    path("meja/<slug:slug>/baru/", views.product_create_view, name="create"),
    path("<slug:slug>/", catalogue_views.product_detail_view, name="detail"),
    path("<slug:slug>/kelola/", views.product_manage_view, name="manage"),
    path(
        "<slug:slug>/sertifikat/<int:pk>/",
        views.certification_scan_view,
        name="certification-scan",
    ),
]
