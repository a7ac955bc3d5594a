"""An invoice or credit note as a PDF (A4, fpdf2's core Helvetica font): the seller as it was
at issue (name, address, NIB, NPWP), the buyer, the number and dates, the order's lines, goods,
shipping, DPP and PPN when the seller is PKP, the total and what has been paid.

The core fonts only know Latin-1: every text goes through `latin1` first, which spells common
typographic characters the plain way and replaces anything else with "?".
"""

import zoneinfo

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from core.money import format_rupiah
from orders.models import Invoice
from orders.services.invoices import invoice_payment_status

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
FONT = "Helvetica"
WIDTH = 190  # A4 (210 mm) less 10 mm margins
LINE = 5.5
# Characters the core fonts lack, spelt the plain way.
PLAIN = str.maketrans(
    {
        "\u2212": "-",  # minus (format_rupiah of a negative amount)
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u00d7": "x",  # × is Latin-1, kept plain for the "12 % x DPP" label anyway
        "\u2022": "-",
        "\u00a0": " ",
        "\u202f": " ",
    }
)
COLUMNS = (  # (title, width, align)
    ("product", 78, "L"),
    ("qty", 18, "R"),
    ("unit", 26, "L"),
    ("price", 34, "R"),
    ("amount", 34, "R"),
)


def latin1(text: object) -> str:
    """`text` as something the core fonts can draw."""
    value = str(text or "").translate(PLAIN)
    return value.encode("latin-1", "replace").decode("latin-1")


def rupiah(amount: int) -> str:
    return latin1(format_rupiah(amount))


class _Document(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        self.set_margins(10, 12, 10)
        self.set_auto_page_break(auto=True, margin=18)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(110, 110, 110)
        self.cell(WIDTH * 0.8, 5, self.footer_text, align="L")
        self.cell(WIDTH * 0.2, 5, f"{self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    def text_line(self, text: str, *, style: str = "", size: float = 9.5, width: float = 0):
        self.set_font(FONT, style, size)
        self.multi_cell(width or WIDTH, LINE, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def fit(self, text: str, width: float) -> str:
        """`text` cut with "..." to fit in `width` mm at the current font."""
        text = latin1(text)
        if self.get_string_width(text) <= width - 2:
            return text
        while text and self.get_string_width(text + "...") > width - 2:
            text = text[:-1]
        return text + "..."


def invoice_pdf(invoice: Invoice, *, compress: bool = True, language: str | None = None) -> bytes:
    """The invoice (or credit note) as PDF bytes, in `language` (default: the active one).
    `compress=False` leaves the page text readable in the bytes (tests)."""
    with translation.override(language or translation.get_language()):
        return _render(invoice, compress=compress)


def _render(invoice: Invoice, *, compress: bool) -> bytes:
    credit_note = invoice.kind == Invoice.Kind.CREDIT_NOTE
    site = getattr(settings, "SITE_NAME", "Mitra TTG")
    pdf = _Document(
        latin1(
            _("%(site)s, the marketplace of the Posyantek. %(number)s")
            % {"site": site, "number": invoice.number}
        )
    )
    pdf.set_compression(compress)
    pdf.set_title(latin1(invoice.number))
    pdf.set_author(latin1(invoice.seller_name))
    pdf.set_creator(latin1(site))
    pdf.alias_nb_pages()
    pdf.add_page()

    # Heading: the platform on the left, the document's kind on the right.
    pdf.set_font(FONT, "B", 11)
    pdf.set_text_color(20, 90, 60)
    pdf.cell(WIDTH / 2, 8, latin1(site))
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, "B", 18)
    title = _("CREDIT NOTE") if credit_note else _("INVOICE")
    pdf.cell(WIDTH / 2, 8, latin1(title), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 10)
    pdf.cell(WIDTH, 6, latin1(invoice.number), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)

    # Seller (left) and the document's facts (right), side by side.
    top = pdf.get_y()
    half = WIDTH / 2 - 4
    pdf.text_line(_("From"), style="B", size=8.5, width=half)
    pdf.text_line(invoice.seller_name, style="B", size=11, width=half)
    if invoice.seller_address:
        pdf.text_line(invoice.seller_address, width=half)
    if invoice.seller_nib:
        pdf.text_line(f"NIB: {invoice.seller_nib}", width=half)
    if invoice.seller_npwp:
        pdf.text_line(f"NPWP: {invoice.seller_npwp}", width=half)
    if invoice.seller_is_pkp:
        pdf.text_line(_("Taxable entrepreneur (PKP)"), width=half)
    seller_bottom = pdf.get_y()

    code, status_label = invoice_payment_status(invoice)
    issued = invoice.issued_at.astimezone(JAKARTA)
    order = invoice.order
    facts = [
        (_("Number"), invoice.number),
        (_("Date"), f"{issued:%d-%m-%Y}"),
        (_("Order"), order.number),
    ]
    if credit_note and invoice.credited_invoice_id:
        facts.append((_("For invoice"), invoice.credited_invoice.number))
    if not credit_note and order.due_date:
        facts.append((_("Due date"), f"{order.due_date:%d-%m-%Y}"))
    facts.append((_("Status"), status_label))
    pdf.set_xy(10 + WIDTH / 2 + 4, top)
    for label, value in facts:
        pdf.set_x(10 + WIDTH / 2 + 4)
        pdf.set_font(FONT, "", 9.5)
        pdf.cell(28, LINE, latin1(label))
        pdf.set_font(FONT, "B" if label == _("Status") else "", 9.5)
        pdf.cell(half - 28, LINE, latin1(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(seller_bottom, pdf.get_y()) + 4)

    # Buyer.
    pdf.text_line(_("Bill to"), style="B", size=8.5)
    pdf.text_line(invoice.buyer_name, style="B", size=10.5)
    if invoice.buyer_organization_name:
        pdf.text_line(invoice.buyer_organization_name)
    if invoice.buyer_npwp:
        pdf.text_line(f"NPWP: {invoice.buyer_npwp}")
    pdf.ln(4)

    if credit_note:
        _credit_lines(pdf, invoice)
    else:
        _order_lines(pdf, invoice)
    pdf.ln(3)
    _totals(pdf, invoice, credit_note=credit_note)

    pdf.ln(6)
    pdf.set_font(FONT, "", 8.5)
    pdf.set_text_color(90, 90, 90)
    notes = [_("Amounts in Indonesian Rupiah.")]
    if not invoice.seller_is_pkp:
        notes.append(_("The seller is not a PKP: no PPN is charged."))
    notes.append(
        _("Issued through %(site)s on behalf of the seller; payment is collected by %(site)s.")
        % {"site": site}
    )
    for line in notes:
        pdf.multi_cell(WIDTH, 4.5, latin1(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    if code == "paid":
        pdf.ln(2)
        pdf.set_font(FONT, "B", 14)
        pdf.set_text_color(20, 120, 60)
        pdf.cell(WIDTH, 8, latin1(status_label.upper()), align="R")
        pdf.set_text_color(0, 0, 0)
    return bytes(pdf.output())


def _table_head(pdf: _Document) -> None:
    titles = {
        "product": _("Product"),
        "qty": _("Qty"),
        "unit": _("Unit"),
        "price": _("Unit price"),
        "amount": _("Amount"),
    }
    pdf.set_font(FONT, "B", 9)
    pdf.set_fill_color(232, 240, 235)
    for key, width, align in COLUMNS:
        pdf.cell(width, 7, latin1(titles[key]), border="B", align=align, fill=True)
    pdf.ln(7)


def _order_lines(pdf: _Document, invoice: Invoice) -> None:
    _table_head(pdf)
    pdf.set_font(FONT, "", 9)
    for line in invoice.order.lines.order_by("pk"):
        if pdf.will_page_break(6.5):
            pdf.add_page()
            _table_head(pdf)
            pdf.set_font(FONT, "", 9)
        values = {
            "product": pdf.fit(line.product_name, COLUMNS[0][1]),
            "qty": f"{line.quantity:,}".replace(",", "."),
            "unit": pdf.fit(line.selling_unit, COLUMNS[2][1]),
            "price": rupiah(line.unit_price_amount),
            "amount": rupiah(line.line_amount),
        }
        for key, width, align in COLUMNS:
            pdf.cell(width, 6.5, values[key], border="B", align=align)
        pdf.ln(6.5)


def _credit_lines(pdf: _Document, invoice: Invoice) -> None:
    pdf.text_line(
        _("Credit for a refund on order %(order)s (invoice %(invoice)s).")
        % {
            "order": invoice.order.number,
            "invoice": invoice.credited_invoice.number if invoice.credited_invoice_id else "-",
        }
    )
    refund = invoice.refund
    if refund is not None and refund.get_reason_display():
        pdf.text_line(_("Reason: %(reason)s") % {"reason": refund.get_reason_display()})


def _totals(pdf: _Document, invoice: Invoice, *, credit_note: bool) -> None:
    rows = [
        (_("Goods"), invoice.goods_amount, ""),
        (_("Shipping"), invoice.shipping_amount, ""),
    ]
    if invoice.seller_is_pkp:
        rows.append((_("Tax base (DPP, 11/12 of goods + shipping)"), invoice.dpp_amount, ""))
        rows.append(("PPN 12% x DPP", invoice.ppn_amount, ""))
    rows.append((_("Total credited") if credit_note else _("Total"), invoice.total_amount, "B"))
    label_width, amount_width = 80, 34
    for label, amount, style in rows:
        pdf.set_x(10 + WIDTH - label_width - amount_width)
        pdf.set_font(FONT, style, 10.5 if style else 9.5)
        border = "T" if style else ""
        pdf.cell(label_width, 6.5, latin1(label), border=border, align="R")
        pdf.cell(
            amount_width,
            6.5,
            rupiah(amount),
            border=border,
            align="R",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
