"""Page routes of the orders app (see orders/urls.py): checkout and the buyer's orders, with
the buyer's actions, the problem report and its private photos."""

from django.urls import path

from orders import checkout_views as views

urlpatterns = [
    path("checkout/", views.checkout_view, name="checkout"),
    path("pesanan/", views.order_list_view, name="order_list"),
    path("pesanan/<str:number>/", views.order_detail_view, name="order_detail"),
    path("pesanan/<str:number>/masalah/", views.problem_report_view, name="problem_report"),
    path(
        "pesanan/<str:number>/masalah/foto/<int:photo_id>/",
        views.problem_photo_view,
        name="problem_photo",
    ),
]
