"""Platform staff desks of the accounts app: verification of organisations."""

from django.urls import path

from accounts import staff_views as views

app_name = "staff"

urlpatterns = [
    path("verifikasi/", views.verification_queue_view, name="verification-queue"),
    path("verifikasi/<slug:slug>/", views.verification_review_view, name="verification-review"),
]
