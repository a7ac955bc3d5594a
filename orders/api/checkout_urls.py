"""Routes of orders.api (see orders/api/urls.py): checkout and orders."""

from django.urls import path

from orders.api import checkout as views

urlpatterns = [
    path("checkout/", views.CheckoutView.as_view(), name="checkout"),
    path("checkout/preview/", views.CheckoutPreviewView.as_view(), name="checkout-preview"),
    path("orders/", views.OrderListView.as_view(), name="order-list"),
    path("orders/<str:number>/", views.OrderDetailView.as_view(), name="order-detail"),
]
