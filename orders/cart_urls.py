"""Page routes of the orders app (see orders/urls.py)."""

urlpatterns: list = []
