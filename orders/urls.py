"""The orders app's pages: cart (cart_urls), checkout and my orders (checkout_urls), the
Posyantek's order desk (desk_urls), product reviews (review_urls)."""

from django.urls import include, path

app_name = "orders"

urlpatterns = [
    path("", include("orders.cart_urls")),
    path("", include("orders.checkout_urls")),
    path("", include("orders.desk_urls")),
    path("", include("orders.review_urls")),
]
