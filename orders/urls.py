"""The orders app's pages: cart (cart_urls), checkout and my orders (checkout_urls)."""

from django.urls import include, path

app_name = "orders"

urlpatterns = [
    path("", include("orders.cart_urls")),
    path("", include("orders.checkout_urls")),
]
