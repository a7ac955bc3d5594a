"""Routes of orders.api (see orders/api/urls.py): the cart and shipping settings."""

from django.urls import path

from orders.api import cart as views

urlpatterns = [
    path("cart/", views.CartDetailView.as_view(), name="cart"),
    path("cart/items/", views.CartItemListView.as_view(), name="cart-items"),
    path("cart/items/<int:item_id>/", views.CartItemDetailView.as_view(), name="cart-item"),
    path(
        "organizations/<slug:slug>/shipping/",
        views.ShippingSettingsView.as_view(),
        name="organization-shipping",
    ),
]
