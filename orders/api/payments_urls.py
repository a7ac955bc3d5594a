"""Routes of orders.api (see orders/api/urls.py): payments, bank transfers and Stripe's
webhook."""

from django.urls import path

from orders.api import payments as views
from orders.api.stripe_webhook import stripe_webhook_view

urlpatterns = [
    path("payments/", views.PaymentListView.as_view(), name="payment-list"),
    path("payments/<int:pk>/", views.PaymentDetailView.as_view(), name="payment-detail"),
    path(
        "payments/<int:pk>/attempts/", views.PaymentAttemptsView.as_view(), name="payment-attempts"
    ),
    path(
        "payments/<int:pk>/transfer-proof/",
        views.TransferProofView.as_view(),
        name="payment-transfer-proof",
    ),
    path("payments/<int:pk>/confirm/", views.TransferConfirmView.as_view(), name="payment-confirm"),
    path("payments/<int:pk>/reject/", views.TransferRejectView.as_view(), name="payment-reject"),
    path("payments/<int:pk>/review/", views.PaymentReviewView.as_view(), name="payment-review"),
    path("payments/stripe/webhook/", stripe_webhook_view, name="stripe-webhook"),
]
