from django.urls import path

from marketplace.api import views

urlpatterns = [
    path("categories/", views.CategoryListView.as_view(), name="category-list"),
    path("products/", views.ProductListView.as_view(), name="product-list"),
    path("posyanteks/", views.PosyantekListView.as_view(), name="posyantek-list"),
    path("posyanteks/<slug:slug>/", views.PosyantekDetailView.as_view(), name="posyantek-detail"),
    path("products/<slug:slug>/", views.ProductDetailView.as_view(), name="product-detail"),
    path(
        "products/<slug:slug>/publish/",
        views.ProductPublishView.as_view(),
        name="product-publish",
    ),
    path(
        "products/<slug:slug>/unpublish/",
        views.ProductUnpublishView.as_view(),
        name="product-unpublish",
    ),
    path(
        "products/<slug:slug>/archive/",
        views.ProductArchiveView.as_view(),
        name="product-archive",
    ),
    path("products/<slug:slug>/hide/", views.ProductHideView.as_view(), name="product-hide"),
    path("products/<slug:slug>/unhide/", views.ProductUnhideView.as_view(), name="product-unhide"),
    path("products/<slug:slug>/stock/", views.ProductStockView.as_view(), name="product-stock"),
    path(
        "products/<slug:slug>/images/",
        views.ProductImageListView.as_view(),
        name="product-images",
    ),
    path(
        "products/<slug:slug>/images/<int:pk>/",
        views.ProductImageDetailView.as_view(),
        name="product-image",
    ),
    path("products/<slug:slug>/guide/", views.ProductGuideView.as_view(), name="product-guide"),
    path(
        "products/<slug:slug>/certifications/",
        views.ProductCertificationListView.as_view(),
        name="product-certifications",
    ),
    path(
        "products/<slug:slug>/certifications/<int:pk>/",
        views.ProductCertificationDetailView.as_view(),
        name="product-certification",
    ),
    path(
        "products/<slug:slug>/certifications/<int:pk>/scan/",
        views.ProductCertificationScanView.as_view(),
        name="product-certification-scan",
    ),
    path(
        "organizations/<slug:slug>/certifications/",
        views.OrganizationCertificationListView.as_view(),
        name="organization-certifications",
    ),
    path(
        "organizations/<slug:slug>/certifications/<int:pk>/",
        views.OrganizationCertificationDetailView.as_view(),
        name="organization-certification",
    ),
    path(
        "organizations/<slug:slug>/certifications/<int:pk>/scan/",
        views.OrganizationCertificationScanView.as_view(),
        name="organization-certification-scan",
    ),
]
