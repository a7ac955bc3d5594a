"""The Posyantek's order desk (namespace "orders", see orders/urls.py)."""

from django.urls import path

from orders import desk_views as views

urlpatterns = [
    path("organisasi/<slug:slug>/pesanan/", views.desk_list_view, name="desk"),
    path(
        "organisasi/<slug:slug>/pesanan/<str:number>/",
        views.desk_detail_view,
        name="desk_detail",
    ),
]
