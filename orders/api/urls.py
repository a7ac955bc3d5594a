"""The orders app's API: cart and shipping settings (cart_urls), checkout, orders and
payments (checkout_urls)."""

from django.urls import include, path

urlpatterns = [
    path("", include("orders.api.cart_urls")),
    path("", include("orders.api.checkout_urls")),
]
