"""Page routes of payments (namespace "orders", see orders/urls.py): the payment page with its
transfer proofs, a refund's account, and the printable invoices."""

from django.urls import path

from orders import invoice_views, payment_views

urlpatterns = [
    path("pembayaran/<str:code>/", payment_views.payment_detail_view, name="payment_detail"),
    path(
        "pembayaran/<str:code>/bukti/<int:proof_id>/",
        payment_views.payment_proof_view,
        name="payment_proof",
    ),
    path(
        "refund/<int:refund_id>/rekening/",
        payment_views.refund_account_view,
        name="refund_account",
    ),
    path("faktur/<str:number>/", invoice_views.invoice_detail_view, name="invoice_detail"),
    path("faktur/<str:number>/pdf/", invoice_views.invoice_pdf_view, name="invoice_pdf"),
]
