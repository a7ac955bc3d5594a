"""The platform staff's desks of the orders app, mounted at /staf/ (config/urls.py): disputes,
the money desks (transfers, payments under review, refunds, payouts) and overdue terms
orders."""

from django.urls import path

from orders import money_staff_views as money
from orders import staff_views as views

app_name = "order-staff"

urlpatterns = [
    path("sengketa/", views.dispute_queue_view, name="dispute-queue"),
    path("sengketa/<str:number>/", views.dispute_review_view, name="dispute-review"),
    path("transfer/", money.transfer_queue_view, name="transfer-queue"),
    path("transfer/<str:code>/", money.transfer_review_view, name="transfer-review"),
    path("tinjau-pembayaran/", money.payment_review_view, name="payment-review"),
    path("refund/", money.refund_queue_view, name="refund-queue"),
    path("payout/", money.payout_queue_view, name="payout-queue"),
    path("jatuh-tempo/", views.overdue_terms_view, name="overdue-terms"),
]
