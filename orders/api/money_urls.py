"""Routes of orders.api (see orders/api/urls.py): refunds, the ledger, payouts, invoices."""

from django.urls import path

from orders.api import money as views

urlpatterns = [
    path("refunds/", views.RefundListView.as_view(), name="refund-list"),
    path("refunds/<int:pk>/", views.RefundDetailView.as_view(), name="refund-detail"),
    path("refunds/<int:pk>/account/", views.RefundAccountView.as_view(), name="refund-account"),
    path("refunds/<int:pk>/succeed/", views.RefundSucceedView.as_view(), name="refund-succeed"),
    path("refunds/<int:pk>/fail/", views.RefundFailView.as_view(), name="refund-fail"),
    path("ledger/", views.LedgerView.as_view(), name="ledger"),
    path("payouts/", views.PayoutListView.as_view(), name="payout-list"),
    path("invoices/<str:number>/", views.InvoiceDetailView.as_view(), name="invoice-detail"),
    path("invoices/<str:number>/pdf/", views.InvoicePdfView.as_view(), name="invoice-pdf"),
]
