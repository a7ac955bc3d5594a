"""Routes of the reviews API (see orders/api/reviews.py)."""

from django.urls import path

from orders.api.reviews import ReviewListView

urlpatterns = [
    path("reviews/", ReviewListView.as_view(), name="review-list"),
]
