"""Page routes of the orders app (see orders/urls.py): the cart and shipping settings."""

from django.urls import path

from orders import cart_views, shipping_views

urlpatterns = [
    path("keranjang/", cart_views.cart_view, name="cart"),
    path("keranjang/tambah/", cart_views.cart_add_view, name="cart_add"),
    path(
        "keranjang/<int:item_id>/ubah/", cart_views.cart_item_update_view, name="cart_item_update"
    ),
    path(
        "keranjang/<int:item_id>/hapus/", cart_views.cart_item_remove_view, name="cart_item_remove"
    ),
    # Under the organisation pages (accounts.organization_urls has no "pengiriman/").
    path(
        "organisasi/<slug:slug>/pengiriman/",
        shipping_views.shipping_settings_view,
        name="shipping_settings",
    ),
]
