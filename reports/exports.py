"""Exports of a scope's orders, order lines and ledger for a period, as CSV (streamed) or XLSX
(built by a task, reports.services.exports).

Which rows:
- orders and order lines: the orders with `paid_at` in the period — the sales the figures
  count (DESIGN.md, Dashboards), whatever their status now; an order placed in the period
  but not paid is not a sale and is left out. `refunded` is what has gone back to the buyer
  so far (succeeded refunds: goods + shipping + PPN).
- ledger: the entries created in the period for the scope's Posyantek.

Times are local (Asia/Jakarta) as `YYYY-MM-DD HH:MM`; amounts are whole Rupiah numbers. Every
text cell passes through `neutralise`, so a spreadsheet never runs a cell as a formula (OWASP
"CSV injection"); numbers stay numbers. Rows are read with `values()` and `.iterator()`: a
fixed number of queries, however many rows, and never all of them in memory at once.
"""

import csv
import datetime
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db.models import BigIntegerField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from orders.models import LedgerEntry, Order, OrderLine, Refund
from reports.models import ReportExport
from reports.periods import Period, local_zone
from reports.scope import Scope

KINDS = tuple(ReportExport.Kind.values)
CHUNK_SIZE = 2000
# The first characters that make a spreadsheet read a cell as a formula (OWASP).
# A formula's first character (and the full-width forms some spreadsheets also accept), or a
# control character that can start one on the next line.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# File names are for people opening a download folder: in Bahasa Indonesia, like the site.
FILE_NAMES = {
    ReportExport.Kind.ORDERS: "pesanan",
    ReportExport.Kind.ORDER_LINES: "rincian-pesanan",
    ReportExport.Kind.LEDGER: "buku-besar",
}


@dataclass
class Table:
    """One export: its kind, the header (translated) and the rows (a one-pass iterator)."""

    kind: str
    title: str
    header: list[str]
    rows: Iterator[list[Any]]


def kind_parse(value: Any) -> str:
    if value not in KINDS:
        raise InvalidInput(
            _("Choose what to export: orders, order lines or ledger."),
            fields={"kind": [_("Choose orders, order_lines or ledger.")]},
            code="invalid_kind",
        )
    return value


def neutralise(value: Any) -> Any:
    """A cell's value as safe to open in a spreadsheet: text starting with = + - @ (or a tab
    or carriage return) gets a leading apostrophe so it is shown, never evaluated; numbers
    are left as they are (a negative amount stays a number); None is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, (int, Decimal, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + text
    return text


def local_time(value: datetime.datetime | None, zone: zoneinfo.ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""


def _labels(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Value → label in the current language, read once (not per row)."""
    return {value: str(label) for value, label in choices}


def _paid_in(period: Period, prefix: str = "") -> dict[str, datetime.datetime]:
    return {f"{prefix}paid_at__gte": period.start_at, f"{prefix}paid_at__lt": period.end_at}


def _rows(values: Iterable[dict], cells: Callable[[dict], list[Any]]) -> Iterator[list[Any]]:
    for row in values:
        yield [neutralise(cell) for cell in cells(row)]


def _orders(scope: Scope, period: Period) -> Table:
    zone = local_zone()
    statuses = _labels(Order.Status.choices)
    terms = _labels(Order.PaymentTerms.choices)
    refunded = (
        Refund.objects.filter(order=OuterRef("pk"), status=Refund.Status.SUCCEEDED)
        .order_by()
        .values("order")
        .annotate(total=Sum(F("goods_amount") + F("shipping_amount") + F("ppn_amount")))
        .values("total")
    )
    values = (
        Order.objects.filter(scope.organization_q("seller"), **_paid_in(period))
        .annotate(
            refunded=Coalesce(
                Subquery(refunded, output_field=BigIntegerField()),
                Value(0),
                output_field=BigIntegerField(),
            )
        )
        .order_by("paid_at", "pk")
        .values(
            "number",
            "created_at",
            "paid_at",
            "status",
            "buyer__name",
            "buyer_organization__name",
            "seller__name",
            "payment_terms",
            "goods_amount",
            "shipping_amount",
            "ppn_amount",
            "total_amount",
            "platform_fee_amount",
            "refunded",
        )
    )
    header = [
        _("Order number"),
        _("Placed at"),
        _("Paid at"),
        _("Status"),
        _("Buyer"),
        _("Buying for"),
        _("Seller"),
        _("Payment terms"),
        _("Goods (Rp)"),
        _("Shipping (Rp)"),
        _("PPN (Rp)"),
        _("Total (Rp)"),
        _("Platform fee (Rp)"),
        _("Refunded (Rp)"),
    ]

    def cells(row: dict) -> list[Any]:
        return [
            row["number"],
            local_time(row["created_at"], zone),
            local_time(row["paid_at"], zone),
            statuses.get(row["status"], row["status"]),
            row["buyer__name"],
            row["buyer_organization__name"],
            row["seller__name"],
            terms.get(row["payment_terms"], row["payment_terms"]),
            row["goods_amount"],
            row["shipping_amount"],
            row["ppn_amount"],
            row["total_amount"],
            row["platform_fee_amount"],
            row["refunded"],
        ]

    return Table(
        kind=ReportExport.Kind.ORDERS,
        title=_("Orders"),
        header=header,
        rows=_rows(values.iterator(chunk_size=CHUNK_SIZE), cells),
    )


def _order_lines(scope: Scope, period: Period) -> Table:
    zone = local_zone()
    values = (
        OrderLine.objects.filter(
            scope.organization_q("order__seller"), **_paid_in(period, "order__")
        )
        .order_by("order__paid_at", "order_id", "pk")
        .values(
            "order__number",
            "order__paid_at",
            "product_name",
            "selling_unit",
            "quantity",
            "unit_price_amount",
            "line_amount",
        )
    )
    header = [
        _("Order number"),
        _("Paid at"),
        _("Product"),
        _("Unit"),
        _("Quantity"),
        _("Unit price (Rp)"),
        _("Amount (Rp)"),
    ]

    def cells(row: dict) -> list[Any]:
        return [
            row["order__number"],
            local_time(row["order__paid_at"], zone),
            row["product_name"],
            row["selling_unit"],
            row["quantity"],
            row["unit_price_amount"],
            row["line_amount"],
        ]

    return Table(
        kind=ReportExport.Kind.ORDER_LINES,
        title=_("Order lines"),
        header=header,
        rows=_rows(values.iterator(chunk_size=CHUNK_SIZE), cells),
    )


def _ledger(scope: Scope, period: Period) -> Table:
    zone = local_zone()
    kinds = _labels(LedgerEntry.Kind.choices)
    statuses = _labels(LedgerEntry.Status.choices)
    values = (
        LedgerEntry.objects.filter(
            scope.organization_q("organization"),
            created_at__gte=period.start_at,
            created_at__lt=period.end_at,
        )
        .order_by("created_at", "pk")
        .values("created_at", "kind", "status", "amount", "order__number", "note")
    )
    header = [
        _("Date"),
        _("Kind"),
        _("Status"),
        _("Amount (Rp)"),
        _("Order number"),
        _("Note"),
    ]

    def cells(row: dict) -> list[Any]:
        return [
            local_time(row["created_at"], zone),
            kinds.get(row["kind"], row["kind"]),
            statuses.get(row["status"], row["status"]),
            row["amount"],
            row["order__number"],
            row["note"],
        ]

    return Table(
        kind=ReportExport.Kind.LEDGER,
        title=_("Ledger"),
        header=header,
        rows=_rows(values.iterator(chunk_size=CHUNK_SIZE), cells),
    )


BUILDERS = {
    ReportExport.Kind.ORDERS: _orders,
    ReportExport.Kind.ORDER_LINES: _order_lines,
    ReportExport.Kind.LEDGER: _ledger,
}


def export_table(*, kind: str, scope: Scope, period: Period) -> Table:
    """The header now (in the current language) and the rows as they are read. Raises
    InvalidInput for an unknown kind. No permission check: the caller resolved the scope."""
    return BUILDERS[kind_parse(kind)](scope, period)


def export_filename(*, kind: str, scope: Scope, period: Period, extension: str) -> str:
    """E.g. `pesanan-posyantek-purwakarta-2026-11-01_2026-11-30.csv`."""
    if scope.organization is not None:
        who = scope.organization.slug
    elif scope.region_code:
        who = f"wilayah-{scope.region_code}"
    else:
        who = "semua"
    return (
        f"{FILE_NAMES[kind]}-{who}-{period.start.isoformat()}_{period.end.isoformat()}.{extension}"
    )


# --- CSV --------------------------------------------------------------------------------------


class _Echo:
    """A pseudo-buffer for csv.writer: `write` hands the line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(table: Table) -> Iterator[str]:
    """The table as CSV text, line by line; the first starts with a byte-order mark so that
    Excel reads the file as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(table.header)
    for row in table.rows:
        yield writer.writerow(row)


def export_csv_response(*, kind: str, scope: Scope, period: Period) -> StreamingHttpResponse:
    """The export streamed as a CSV attachment (Django's "Streaming large CSV files")."""
    table = export_table(kind=kind, scope=scope, period=period)
    name = export_filename(kind=table.kind, scope=scope, period=period, extension="csv")
    response = StreamingHttpResponse(csv_lines(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export_csv_bytes(*, kind: str, scope: Scope, period: Period) -> bytes:
    """The same CSV as one bytes object (UTF-8 with BOM), e.g. to attach to an e-mail."""
    table = export_table(kind=kind, scope=scope, period=period)
    return "".join(csv_lines(table)).encode("utf-8")


# --- XLSX -------------------------------------------------------------------------------------


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str):
        # XML 1.0 cannot hold most control characters (openpyxl refuses them); what is left
        # is checked again, so "\x01=1+1" does not become a formula.
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def xlsx_write(table: Table, handle: IO[bytes]) -> int:
    """Write the table as one sheet of an XLSX workbook to `handle` (openpyxl's write-only
    mode: rows go out as they come). Returns the number of data rows."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.title[:31])
    sheet.append([_xlsx_cell(cell) for cell in table.header])
    count = 0
    for row in table.rows:
        sheet.append([_xlsx_cell(cell) for cell in row])
        count += 1
    workbook.save(handle)
    return count
