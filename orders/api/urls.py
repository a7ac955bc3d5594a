"""The orders app's API: cart and shipping settings (cart_urls), checkout and orders
(checkout_urls), order moves and disputes (lifecycle_urls), reviews (reviews_urls), payments
and bank transfers (payments_urls), refunds, the ledger, payouts and invoices (money_urls)."""

from django.urls import include, path

urlpatterns = [
    path("", include("orders.api.cart_urls")),
    path("", include("orders.api.checkout_urls")),
    path("", include("orders.api.lifecycle_urls")),
    path("", include("orders.api.reviews_urls")),
    path("", include("orders.api.payments_urls")),
    path("", include("orders.api.money_urls")),
]
