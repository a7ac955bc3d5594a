"""The platform staff's dispute desk, mounted at /staf/ (config/urls.py)."""

from django.urls import path

from orders import staff_views as views

app_name = "order-staff"

urlpatterns = [
    path("sengketa/", views.dispute_queue_view, name="dispute-queue"),
    path("sengketa/<str:number>/", views.dispute_review_view, name="dispute-review"),
]
