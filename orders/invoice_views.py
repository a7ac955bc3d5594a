"""The printable invoice and credit note pages (DESIGN.md, orders: Invoice) and their PDF.

The URL carries the number's slash-free form (INV-2026-11-PWK-0001); the invoice comes from
orders.selectors.invoice_get and the PDF from orders.invoice_pdf. Who may see
one: orders.permissions.can_view_invoice (the order's buyer side, the seller's members,
platform staff) — anybody else gets a 404, as for an unknown number.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.errors import ApplicationError
from orders import permissions
from orders.invoice_pdf import invoice_pdf
from orders.models import Invoice
from orders.selectors import invoice_get
from orders.services.invoices import invoice_payment_status


def invoice_or_404(request: HttpRequest, number: str) -> Invoice:
    """orders.selectors.invoice_get: the invoice with its order's lines and credit notes if
    the caller may see it; 404 otherwise, as for a number that does not exist."""
    try:
        return invoice_get(user=request.user, url_number=number)
    except ApplicationError:
        raise Http404 from None


@login_required
@require_GET
def invoice_detail_view(request: HttpRequest, number: str) -> HttpResponse:
    """The invoice as a page that prints on A4 (print CSS hides the site around it)."""
    invoice = invoice_or_404(request, number)
    order = invoice.order
    status_key, status_text = invoice_payment_status(invoice)
    context = {
        "invoice": invoice,
        "order": order,
        "is_credit_note": invoice.kind == Invoice.Kind.CREDIT_NOTE,
        "lines": list(order.lines.all()) if invoice.kind == Invoice.Kind.INVOICE else [],
        "credit_notes": list(invoice.credit_notes.all()),
        "status_key": status_key,
        "status_text": status_text,
        "order_url_buyer": permissions.is_buyer_side(request.user, order),
    }
    return render(request, "orders/invoice_detail.html", context)


@login_required
@require_GET
def invoice_pdf_view(request: HttpRequest, number: str) -> HttpResponse:
    """The same invoice as a PDF download."""
    invoice = invoice_or_404(request, number)
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.url_number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
