"""Routes of orders.api (see orders/api/urls.py)."""

urlpatterns: list = []
