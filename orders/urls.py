"""The orders app's pages: cart (cart_urls), checkout and my orders (checkout_urls), the
Posyantek's order desk (desk_urls), product reviews (review_urls), payments and invoices
(payment_urls), the Posyantek's finances (finance_urls)."""

from django.urls import include, path

app_name = "orders"

urlpatterns = [
    path("", include("orders.cart_urls")),
    path("", include("orders.checkout_urls")),
    path("", include("orders.desk_urls")),
    path("", include("orders.review_urls")),
    path("", include("orders.payment_urls")),
    path("", include("orders.finance_urls")),
]
