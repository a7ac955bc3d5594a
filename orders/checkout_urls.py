"""Page routes of the orders app (see orders/urls.py): checkout and the buyer's orders."""

from django.urls import path

from orders import checkout_views as views

urlpatterns = [
    path("checkout/", views.checkout_view, name="checkout"),
    path("pesanan/", views.order_list_view, name="order_list"),
    path("pesanan/<str:number>/", views.order_detail_view, name="order_detail"),
]
