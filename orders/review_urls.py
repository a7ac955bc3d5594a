"""Page routes of product reviews (see orders/urls.py, namespace "orders")."""

from django.urls import path

from orders import review_views

urlpatterns = [
    path("produk/<slug:slug>/ulasan/", review_views.product_reviews_view, name="product-reviews"),
]
