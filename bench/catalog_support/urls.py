"""The project's URLs plus the baseline view, under /api/ so the same middleware applies in
the same way (the language middleware treats /api/ paths apart)."""

from django.urls import include, path

from bench.catalog_support.baseline import product_cards

urlpatterns = [
    path("api/bench/products/", product_cards, name="bench-baseline-products"),
    path("", include("config.urls")),
]
