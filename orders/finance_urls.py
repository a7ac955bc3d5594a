"""The Posyantek's finances page (namespace "orders", see orders/urls.py)."""

from django.urls import path

from orders import finance_views as views

urlpatterns = [
    path("organisasi/<slug:slug>/keuangan/", views.finance_view, name="finances"),
]
