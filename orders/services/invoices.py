"""Invoices and credit notes (DESIGN.md, orders: Invoice).

An order gets one invoice when it is paid (at placement for a terms order), numbered
`INV/{yyyy}/{mm}/{seller code}/{nnnn}` from a per-seller, per-kind, per-month counter
(Asia/Jakarta month of issue). The counter row is locked in the issuing transaction, so the
numbers have no gaps and no duplicates even when many are issued at once. A refund of an
invoiced order gets a credit note `CN/…` from its own series. The seller's and the buyer's
details are copied at issue: a later profile edit never changes an issued document.
"""

import datetime
import re
import zoneinfo

from django.db import transaction
from django.db.models import Sum
from django.utils import formats
from django.utils.translation import gettext as _

from core.errors import NotFound
from core.money import dpp_amount
from orders.models import Invoice, InvoiceCounter, Order, Payment, Refund

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
URL_NUMBER = re.compile(r"^(INV|CN)-\d{4}-\d{2}-[A-Za-z0-9]{1,10}-\d{4,}$")


def invoice_period(at: datetime.datetime) -> tuple[int, int]:
    """The (year, month) of `at` in Asia/Jakarta: an invoice issued at 23:30 WIB on 30
    November belongs to November even though it is still the 30th at 16:30 UTC."""
    local = at.astimezone(JAKARTA)
    return local.year, local.month


def _next_number(*, seller_id: int, kind: str, year: int, month: int) -> int:
    """Take the next number of the series, under the counter's row lock (the caller is in a
    transaction). The row is created if missing without a race: ON CONFLICT DO NOTHING, then
    SELECT … FOR UPDATE."""
    InvoiceCounter.objects.bulk_create(
        [InvoiceCounter(seller_id=seller_id, kind=kind, year=year, month=month, last_number=0)],
        ignore_conflicts=True,
    )
    counter = InvoiceCounter.objects.select_for_update().get(
        seller_id=seller_id, kind=kind, year=year, month=month
    )
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _number(*, kind: str, year: int, month: int, code: str, sequence: int) -> str:
    return f"{Invoice.PREFIXES[kind]}/{year:04d}/{month:02d}/{code}/{sequence:04d}"


def _seller_address(seller) -> str:
    parts = [seller.address.strip()] if seller.address.strip() else []
    district = seller.district
    if district is not None:
        parts.append(f"Kec. {district.display_name}, {district.regency.display_name}")
    return "\n".join(parts)


def _seller_snapshot(seller) -> dict:
    return {
        "seller_id": seller.pk,
        "seller_name": seller.name,
        "seller_code": seller.code,
        "seller_address": _seller_address(seller),
        "seller_nib": seller.nib,
        "seller_npwp": seller.npwp,
    }


def _buyer_snapshot(order: Order) -> dict:
    buyer_org = order.buyer_organization
    return {
        "buyer_name": order.buyer.name or order.contact_name,
        "buyer_organization_name": buyer_org.name if buyer_org else "",
        "buyer_npwp": buyer_org.npwp if buyer_org else "",
    }


@transaction.atomic
def invoice_issue(*, order: Order, at: datetime.datetime) -> Invoice:
    """The order's invoice, issued now with the next number of its seller's monthly series;
    once per order (a second call returns the first invoice). Amounts are the order's frozen
    figures; the seller's and buyer's details are copied."""
    existing = Invoice.objects.filter(order_id=order.pk, kind=Invoice.Kind.INVOICE).first()
    if existing is not None:
        return existing
    # Serialise issuing for one order (the caller usually holds this lock already).
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("seller__district__regency", "buyer", "buyer_organization")
        .get(pk=order.pk)
    )
    existing = Invoice.objects.filter(order_id=order.pk, kind=Invoice.Kind.INVOICE).first()
    if existing is not None:
        return existing
    kind = Invoice.Kind.INVOICE
    year, month = invoice_period(at)
    seller = order.seller
    sequence = _next_number(seller_id=seller.pk, kind=kind, year=year, month=month)
    return Invoice.objects.create(
        number=_number(kind=kind, year=year, month=month, code=seller.code, sequence=sequence),
        kind=kind,
        order=order,
        year=year,
        month=month,
        sequence=sequence,
        issued_at=at,
        seller_is_pkp=order.seller_is_pkp,
        goods_amount=order.goods_amount,
        shipping_amount=order.shipping_amount,
        dpp_amount=order.dpp_amount,
        ppn_amount=order.ppn_amount,
        total_amount=order.total_amount,
        **_seller_snapshot(seller),
        **_buyer_snapshot(order),
    )


@transaction.atomic
def credit_note_issue(*, refund: Refund, at: datetime.datetime) -> Invoice | None:
    """A credit note `CN/…` for a refund of an invoiced order, for the refund's goods,
    shipping and PPN (DPP of goods + shipping refunded when the invoice charged PPN); once
    per refund. None for a payment's own refund or an order without an invoice."""
    if refund.order_id is None:
        return None
    existing = Invoice.objects.filter(refund_id=refund.pk).first()
    if existing is not None:
        return existing
    invoice = (
        Invoice.objects.filter(order_id=refund.order_id, kind=Invoice.Kind.INVOICE)
        .select_related("seller__district__regency")
        .first()
    )
    if invoice is None:
        return None
    kind = Invoice.Kind.CREDIT_NOTE
    year, month = invoice_period(at)
    seller = invoice.seller
    sequence = _next_number(seller_id=seller.pk, kind=kind, year=year, month=month)
    pkp = invoice.seller_is_pkp
    return Invoice.objects.create(
        number=_number(kind=kind, year=year, month=month, code=seller.code, sequence=sequence),
        kind=kind,
        order_id=refund.order_id,
        refund=refund,
        credited_invoice=invoice,
        year=year,
        month=month,
        sequence=sequence,
        issued_at=at,
        seller_is_pkp=pkp,
        buyer_name=invoice.buyer_name,
        buyer_organization_name=invoice.buyer_organization_name,
        buyer_npwp=invoice.buyer_npwp,
        goods_amount=refund.goods_amount,
        shipping_amount=refund.shipping_amount,
        dpp_amount=(
            dpp_amount(goods_amount=refund.goods_amount, shipping_amount=refund.shipping_amount)
            if pkp
            else 0
        ),
        ppn_amount=refund.ppn_amount,
        total_amount=refund.total_amount,
        **_seller_snapshot(seller),
    )


def invoice_get_by_url(number_in_url: str) -> Invoice:
    """The invoice or credit note whose URL form is `number_in_url` (INV-2026-11-PWK-0001);
    NotFound otherwise."""
    if not isinstance(number_in_url, str) or not URL_NUMBER.match(number_in_url):
        raise NotFound(_("There is no invoice with this number."))
    try:
        return Invoice.objects.select_related(
            "order__payment", "refund", "credited_invoice", "seller"
        ).get(number=Invoice.number_from_url(number_in_url))
    except Invoice.DoesNotExist:
        raise NotFound(_("There is no invoice with this number.")) from None


def invoice_payment_status(invoice: Invoice) -> tuple[str, str]:
    """(code, label) of what the buyer has paid on the invoice's order, for display:
    paid, due (a terms order with a due date), unpaid, refunded, partially_refunded. A credit
    note is `refunded` once its refund succeeded."""
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        if invoice.refund and invoice.refund.status == Refund.Status.SUCCEEDED:
            return "refunded", _("Refunded")
        return "unpaid", _("Refund in progress")
    order = invoice.order
    refunded = (
        order.refunds.filter(status=Refund.Status.SUCCEEDED).aggregate(total=Sum("total_amount"))[
            "total"
        ]
        or 0
    )
    if refunded >= order.total_amount > 0:
        return "refunded", _("Refunded")
    if refunded > 0:
        return "partially_refunded", _("Partially refunded")
    payment = order.payment
    if payment.status in Payment.MONEY_KEPT or order.paid_at is not None:
        return "paid", _("Paid in full")
    due_date = order.due_date or payment.due_date
    if due_date is not None:
        return "due", _("Due on %(date)s") % {"date": formats.date_format(due_date, "d-m-Y")}
    return "unpaid", _("Not paid yet")
