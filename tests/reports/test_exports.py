"""Exports of orders, order lines and the ledger (reports.exports, reports.services.exports,
reports/api/exports.py, reports/export_views.py): what each CSV holds for fixture orders, the
period's bounds in Asia/Jakarta, formula neutralisation in CSV and XLSX, the XLSX built by
its task and offered to its requester alone for 24 hours, who may export, bad input (400,
never 500), and a query count that does not grow with the number of orders."""

import csv
import datetime
import io
import zoneinfo

import openpyxl
import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization, Role
from orders.models import LedgerEntry, Order, OrderLine, Refund
from orders.services.lifecycle import order_cancel
from orders.services.refunds import refund_mark_succeeded
from reports.exports import export_csv_bytes, export_table, neutralise
from reports.models import ReportExport
from reports.periods import Period
from reports.scope import Scope, scope_for_posyantek
from reports.services import exports as services
from reports.tasks.exports import export_build_task, exports_purge_expired_task
from tests.factories import (
    MembershipFactory,
    OrderFactory,
    OrganizationFactory,
    UserFactory,
)
from tests.orders.conftest import Shop

pytestmark = pytest.mark.django_db

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
NOVEMBER = Period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def wib(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=WIB)


# --- Fixtures ---------------------------------------------------------------------------------


def dinas(jurisdiction: str):
    """A member of a verified dinas overseeing `jurisdiction`."""
    office = OrganizationFactory(
        kind=Organization.Kind.GOVERNMENT,
        jurisdiction=jurisdiction,
        verification_status=Organization.VerificationStatus.VERIFIED,
    )
    user = UserFactory()
    MembershipFactory(user=user, organization=office, role=Role.STAFF)
    return user


def other_manager():
    """The manager of another Posyantek."""
    user = UserFactory()
    MembershipFactory(user=user, organization=OrganizationFactory(), role=Role.MANAGER)
    return user


def sale(
    shop: Shop,
    *,
    paid_at: datetime.datetime | None,
    placed_at: datetime.datetime | None = None,
    lines: tuple = (("Pakan Ternak Ampas Tahu", "karung", 2, 150_000),),
    shipping: int = 20_000,
    ppn: int = 0,
    fee: int = 0,
    status: str = "paid",
    buyer=None,
    buyer_organization=None,
    seller=None,
) -> Order:
    """An order written directly (for reads): its lines, and its sale in the ledger."""
    goods = sum(quantity * price for _name, _unit, quantity, price in lines)
    buyer = buyer or shop.buyer
    order = OrderFactory(
        seller=seller or shop.seller,
        payment__buyer=buyer,
        buyer_organization=buyer_organization,
        status=status,
        paid_at=paid_at,
        goods_amount=goods,
        shipping_amount=shipping,
        ppn_amount=ppn,
        total_amount=goods + shipping + ppn,
        platform_fee_amount=fee,
    )
    for name, unit, quantity, price in lines:
        OrderLine.objects.create(
            order=order,
            product=shop.product,
            product_name=name,
            selling_unit=unit,
            availability="stock",
            unit_price_amount=price,
            quantity=quantity,
            line_amount=price * quantity,
        )
    Order.objects.filter(pk=order.pk).update(created_at=placed_at or paid_at or timezone.now())
    if paid_at:
        entry = LedgerEntry.objects.create(
            organization=order.seller,
            kind="sale",
            status="pending",
            amount=order.total_amount,
            order=order,
        )
        LedgerEntry.objects.filter(pk=entry.pk).update(created_at=paid_at)
    order.refresh_from_db()
    return order


def refund(order: Order, *, goods: int, shipping: int = 0, ppn: int = 0, status="succeeded"):
    return Refund.objects.create(
        order=order,
        payment=order.payment,
        status=status,
        reason="seller_cancelled",
        provider="bank_transfer",
        goods_amount=goods,
        shipping_amount=shipping,
        ppn_amount=ppn,
        total_amount=goods + shipping + ppn,
        succeeded_at=timezone.now() if status == "succeeded" else None,
    )


def csv_url(kind: str, **params) -> str:
    return reverse("api:reports-export-csv", kwargs={"kind": kind})


def rows_of(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def get_csv(client, kind: str, **params):
    return client.get(csv_url(kind), {**PERIOD, **params})


# --- What each CSV holds -----------------------------------------------------------------------


def test_orders_csv_holds_the_orders_paid_in_the_period_with_their_money(shop, client_for):
    company = OrganizationFactory(kind=Organization.Kind.INDUSTRY, name="PT Tahu Sumedang")
    first = sale(
        shop,
        placed_at=wib(10, 31, 22, 0),  # placed in October, paid in November: counted
        paid_at=wib(11, 1, 0, 5),
        shipping=20_000,
        ppn=35_200,
        fee=7_500,
        buyer_organization=company,
    )
    last = sale(shop, paid_at=wib(11, 30, 23, 30), status="completed")  # 23:30 WIB: counted
    refund(last, goods=150_000, shipping=20_000)
    refund(last, goods=10_000, status="failed")  # not money back
    sale(shop, paid_at=wib(10, 31, 23, 59))  # October
    sale(shop, paid_at=wib(12, 1, 0, 0))  # December
    sale(shop, paid_at=None, placed_at=wib(11, 10), status="pending_payment")  # not a sale
    sale(shop, paid_at=wib(11, 10), seller=OrganizationFactory())  # another Posyantek

    response = get_csv(client_for(shop.manager), "orders", organization=shop.seller.slug)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="pesanan-posyantek-purwakarta-2026-11-01_2026-11-30.csv"'
    )
    assert response["Cache-Control"] == "private, no-store"
    header, *rows = rows_of(response)
    assert len(header) == 14
    assert [row[0] for row in rows] == [first.number, last.number]
    assert rows[0] == [
        first.number,
        "2026-10-31 22:00",
        "2026-11-01 00:05",
        str(Order.Status.PAID.label),
        shop.buyer.name,
        "PT Tahu Sumedang",
        "Posyantek Purwakarta",
        str(Order.PaymentTerms.PREPAID.label),
        "300000",
        "20000",
        "35200",
        "355200",
        "7500",
        "0",
    ]
    assert rows[1][2] == "2026-11-30 23:30"
    assert rows[1][3] == str(Order.Status.COMPLETED.label)
    assert rows[1][5] == ""  # bought for nobody
    assert rows[1][11:] == ["320000", "0", "170000"]  # refunded: succeeded ones only


def test_order_lines_csv_holds_every_line_of_the_orders_paid_in_the_period(shop, client_for):
    order = sale(
        shop,
        paid_at=wib(11, 5, 9, 15),
        lines=(("Mesin Pencacah", "unit", 1, 4_500_000), ("Pisau Cadangan", "buah", 3, 75_000)),
    )
    sale(shop, paid_at=wib(12, 1, 0, 1))

    response = get_csv(client_for(shop.owner), "order_lines", organization=shop.seller.slug)

    assert response.status_code == 200
    assert (
        "rincian-pesanan-posyantek-purwakarta-2026-11-01_2026-11-30.csv"
        in (response["Content-Disposition"])
    )
    header, *rows = rows_of(response)
    assert len(header) == 7
    assert rows == [
        [order.number, "2026-11-05 09:15", "Mesin Pencacah", "unit", "1", "4500000", "4500000"],
        [order.number, "2026-11-05 09:15", "Pisau Cadangan", "buah", "3", "75000", "225000"],
    ]


def test_ledger_csv_holds_the_entries_made_in_the_period_with_their_signs(shop, client_for):
    order = sale(shop, paid_at=wib(11, 3, 8, 0))
    back = refund(order, goods=300_000, shipping=20_000)
    entry = LedgerEntry.objects.create(
        organization=shop.seller,
        kind="refund",
        status="available",
        amount=-320_000,
        order=order,
        refund=back,
        available_at=timezone.now(),
        note="+6281234567890 minta dikembalikan",
    )
    LedgerEntry.objects.filter(pk=entry.pk).update(created_at=wib(11, 30, 23, 59))
    sale(shop, paid_at=wib(12, 1, 0, 0))  # its sale entry is in December

    response = get_csv(client_for(shop.manager), "ledger", organization=shop.seller.slug)

    header, *rows = rows_of(response)
    assert len(header) == 6
    assert rows == [
        [
            "2026-11-03 08:00",
            str(LedgerEntry.Kind.SALE.label),
            str(LedgerEntry.Status.PENDING.label),
            "320000",
            order.number,
            "",
        ],
        [
            "2026-11-30 23:59",
            str(LedgerEntry.Kind.REFUND.label),
            str(LedgerEntry.Status.AVAILABLE.label),
            "-320000",  # a number, not neutralised text
            order.number,
            "'+6281234567890 minta dikembalikan",
        ],
    ]
    assert "buku-besar-posyantek-purwakarta-" in response["Content-Disposition"]


def test_a_real_sale_cancelled_and_refunded_shows_in_each_export(shop, client_for, settings):
    """Through checkout, payment, cancellation and the refund service: the exports agree with
    what the order services wrote."""
    settings.PLATFORM_FEE_PERCENT = "2.5"
    order = shop.paid(2)
    order = order_cancel(order=order, actor=shop.manager, reason="Stok rusak")
    refund_ready = shop.refund_ready(Refund.objects.get(order=order))
    refund_mark_succeeded(refund=refund_ready, actor=shop.platform, reference="TRF-1")
    today = timezone.localdate().isoformat()
    client = client_for(shop.manager)
    params = {"organization": shop.seller.slug, "from": today, "to": today}

    orders = rows_of(client.get(csv_url("orders"), params))[1:]
    lines = rows_of(client.get(csv_url("order_lines"), params))[1:]
    ledger = rows_of(client.get(csv_url("ledger"), params))[1:]

    assert [(row[0], row[3], row[8], row[12], row[13]) for row in orders] == [
        (order.number, str(Order.Status.REFUNDED.label), "300000", "7500", "300000")
    ]
    assert [(row[0], row[2], row[4], row[6]) for row in lines] == [
        (order.number, "Pakan Ternak Ampas Tahu", "2", "300000")
    ]
    amounts = sorted(int(row[3]) for row in ledger)
    entries = sorted(LedgerEntry.objects.filter(order=order).values_list("amount", flat=True))
    assert amounts == entries
    assert -300_000 in amounts and 300_000 in amounts


def test_export_csv_bytes_is_the_same_file_for_an_e_mail(shop, client_for):
    sale(shop, paid_at=wib(11, 5))
    streamed = b"".join(
        get_csv(client_for(shop.manager), "orders", organization=shop.seller.slug).streaming_content
    )
    attached = export_csv_bytes(
        kind="orders", scope=scope_for_posyantek(shop.seller), period=NOVEMBER
    )
    assert attached.startswith("\ufeff".encode())
    assert attached == streamed


def test_a_region_scope_exports_every_posyantek_in_it(shop, client_for):
    mine = sale(shop, paid_at=wib(11, 5))
    neighbour = OrganizationFactory(name="Posyantek Tetangga")  # also 36.72.07
    theirs = sale(shop, paid_at=wib(11, 6), seller=neighbour)
    far = OrganizationFactory(district_id="33.75.03")
    sale(shop, paid_at=wib(11, 7), seller=far)

    response = get_csv(client_for(dinas("36.72")), "orders", region="36.72")

    assert response.status_code == 200
    assert "pesanan-wilayah-36.72-2026-11-01_2026-11-30.csv" in response["Content-Disposition"]
    assert [row[0] for row in rows_of(response)[1:]] == [mine.number, theirs.number]


# --- Neutralisation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-1+2", "'-1+2"),
        ("+6281234567890", "'+6281234567890"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("\n=1+1", "'\n=1+1"),
        ("  =1+1", "'  =1+1"),
        ("\uff1dSUM(A1)", "'\uff1dSUM(A1)"),
        ("Pakan = ternak", "Pakan = ternak"),
        ("", ""),
        (None, ""),
        (-320_000, -320_000),
        (0, 0),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def dangerous_sale(shop: Shop) -> Order:
    buyer = UserFactory(name="@SUM(1+1)")
    company = OrganizationFactory(kind=Organization.Kind.INDUSTRY, name="-1+2 Nusantara")
    return sale(
        shop,
        paid_at=wib(11, 5),
        buyer=buyer,
        buyer_organization=company,
        lines=(('=HYPERLINK("http://jahat.example","klik")', "+62 karung", 1, 100_000),),
    )


def test_formulas_are_neutralised_in_the_csv(shop, client_for):
    order = dangerous_sale(shop)
    client = client_for(shop.manager)

    orders = rows_of(get_csv(client, "orders", organization=shop.seller.slug))[1:]
    lines = rows_of(get_csv(client, "order_lines", organization=shop.seller.slug))[1:]

    assert orders[0][4:6] == ["'@SUM(1+1)", "'-1+2 Nusantara"]
    assert lines == [
        [
            order.number,
            "2026-11-05 10:00",
            '\'=HYPERLINK("http://jahat.example","klik")',
            "'+62 karung",
            "1",
            "100000",
            "100000",
        ]
    ]


def build(user, scope: Scope, kind: str, django_capture_on_commit_callbacks) -> ReportExport:
    """Ask for an XLSX export and let its task run after the commit (eager in tests)."""
    with django_capture_on_commit_callbacks(execute=True):
        export = services.export_request(user=user, scope=scope, period=NOVEMBER, kind=kind)
    export.refresh_from_db()
    return export


def sheet_rows(export: ReportExport) -> list[tuple]:
    with export.file.open("rb") as handle:
        workbook = openpyxl.load_workbook(io.BytesIO(handle.read()))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    # No cell is a formula.
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    return rows


def test_formulas_are_neutralised_in_the_xlsx_and_numbers_stay_numbers(
    shop, django_capture_on_commit_callbacks
):
    order = dangerous_sale(shop)
    LedgerEntry.objects.create(
        organization=shop.seller,
        kind="payout",
        status="available",
        amount=-50_000,
        available_at=timezone.now(),
        note="=1+1\x01",
    )
    LedgerEntry.objects.filter(kind="payout").update(created_at=wib(11, 20))
    scope = scope_for_posyantek(shop.seller)

    orders = sheet_rows(build(shop.manager, scope, "orders", django_capture_on_commit_callbacks))
    lines = sheet_rows(
        build(shop.manager, scope, "order_lines", django_capture_on_commit_callbacks)
    )
    ledger = sheet_rows(build(shop.manager, scope, "ledger", django_capture_on_commit_callbacks))

    assert len(orders[0]) == 14
    assert orders[1][0] == order.number
    assert orders[1][4:6] == ("'@SUM(1+1)", "'-1+2 Nusantara")
    assert orders[1][8:] == (100_000, 20_000, 0, 120_000, 0, 0)
    assert lines[1][2:] == (
        '\'=HYPERLINK("http://jahat.example","klik")',
        "'+62 karung",
        1,
        100_000,
        100_000,
    )
    payout = next(row for row in ledger[1:] if row[3] == -50_000)
    assert payout[5] == "'=1+1"  # the control character is dropped, the formula still neutral


# --- XLSX exports: request, build, download, expiry --------------------------------------------


def test_the_xlsx_task_builds_the_file_into_private_storage(
    shop, django_capture_on_commit_callbacks
):
    sale(shop, paid_at=wib(11, 5))
    sale(shop, paid_at=wib(11, 6))
    before = timezone.now()

    export = build(
        shop.manager, scope_for_posyantek(shop.seller), "orders", django_capture_on_commit_callbacks
    )

    assert export.status == ReportExport.Status.READY
    assert export.requested_by == shop.manager
    assert export.organization == shop.seller
    assert (export.period_start, export.period_end) == (NOVEMBER.start, NOVEMBER.end)
    assert export.row_count == 2
    assert export.ready_at >= before
    assert export.expires_at == export.ready_at + datetime.timedelta(hours=24)
    assert export.file.name.startswith("exports/") and export.file.name.endswith(".xlsx")
    assert export.file.storage.exists(export.file.name)
    assert len(sheet_rows(export)) == 3


def test_the_build_is_idempotent_and_the_task_runs_eagerly(shop):
    sale(shop, paid_at=wib(11, 5))
    # Without running the on-commit callbacks: the export waits, pending.
    export = services.export_request(
        user=shop.manager, scope=scope_for_posyantek(shop.seller), period=NOVEMBER, kind="ledger"
    )
    assert export.status == ReportExport.Status.PENDING and not export.file

    assert export_build_task.delay(export.pk).get() == "ready"
    export.refresh_from_db()
    name = export.file.name
    assert export_build_task.delay(export.pk).get() == "ready"  # a twin run changes nothing
    export.refresh_from_db()
    assert export.file.name == name
    assert export.row_count == 1
    assert export_build_task.delay(999_999).get() is None


def test_a_build_that_fails_is_marked_failed_with_its_reason(shop, monkeypatch):
    def broken(table, handle):
        raise ValueError("disk says no")

    monkeypatch.setattr("reports.services.exports.xlsx_write", broken)
    export = services.export_request(
        user=shop.manager, scope=scope_for_posyantek(shop.seller), period=NOVEMBER, kind="orders"
    )

    services.export_build(export_id=export.pk)

    export.refresh_from_db()
    assert export.status == ReportExport.Status.FAILED
    assert export.failure_reason
    assert not export.file


def api_request(client, **body):
    return client.post(reverse("api:reports-export-list"), {**PERIOD, **body}, format="json")


def test_api_request_then_download_by_the_requester_only(
    shop, client_for, django_capture_on_commit_callbacks
):
    sale(shop, paid_at=wib(11, 5))
    client = client_for(shop.manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_request(client, kind="order_lines", organization=shop.seller.slug)

    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "pending"  # as it was when asked; built after the commit
    assert body["kind"] == "order_lines"
    assert body["organization"] == shop.seller.slug
    assert body["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
    export = ReportExport.objects.get(pk=body["id"])
    assert export.status == "ready" and export.requested_by == shop.manager

    detail = client.get(reverse("api:reports-export-detail", kwargs={"pk": export.pk})).json()
    assert detail["status"] == "ready" and detail["available"] is True
    assert detail["row_count"] == 1
    assert detail["download_url"].endswith(f"/api/v1/reports/exports/{export.pk}/download/")

    listing = client.get(reverse("api:reports-export-list")).json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == export.pk

    download = client.get(detail["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == XLSX
    assert (
        "rincian-pesanan-posyantek-purwakarta-2026-11-01_2026-11-30.xlsx"
        in (download["Content-Disposition"])
    )
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert workbook.worksheets[0].max_row == 2

    # Nobody else sees it or gets its file, not even the Posyantek's owner or platform staff.
    for other in (shop.owner, shop.platform, shop.stranger):
        other_client = client_for(other)
        assert other_client.get(detail["download_url"]).status_code == 404
        detail_url = reverse("api:reports-export-detail", kwargs={"pk": export.pk})
        assert other_client.get(detail_url).status_code == 404
        assert other_client.get(reverse("api:reports-export-list")).json()["count"] == 0
    assert api_client_anonymous_status(detail["download_url"]) == 401


def api_client_anonymous_status(url: str) -> int:
    from rest_framework.test import APIClient

    return APIClient().get(url).status_code


def test_an_export_expires_24_hours_after_it_is_ready(
    shop, client_for, django_capture_on_commit_callbacks
):
    export = build(
        shop.manager, scope_for_posyantek(shop.seller), "orders", django_capture_on_commit_callbacks
    )
    url = reverse("api:reports-export-download", kwargs={"pk": export.pk})
    almost = export.ready_at + datetime.timedelta(hours=23, minutes=59)
    assert services.export_is_available(export, almost)
    assert not services.export_is_available(export, export.ready_at + datetime.timedelta(hours=24))

    ReportExport.objects.filter(pk=export.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client_for(shop.manager).get(url)
    assert response.status_code == 410
    assert response.json()["code"] == "export_expired"
    assert export.file.storage.exists(export.file.name)  # until the purge

    name = export.file.name
    assert exports_purge_expired_task.delay().get() == 1
    export.refresh_from_db()
    assert not export.file and not export.file.storage.exists(name)
    assert export.status == ReportExport.Status.READY
    assert client_for(shop.manager).get(url).status_code == 410
    assert services.exports_purge_expired() == 0  # nothing left to delete


def test_the_purge_leaves_unexpired_files_and_fails_lost_pending_exports(
    shop, django_capture_on_commit_callbacks
):
    ready = build(
        shop.manager, scope_for_posyantek(shop.seller), "orders", django_capture_on_commit_callbacks
    )
    lost = services.export_request(
        user=shop.manager, scope=scope_for_posyantek(shop.seller), period=NOVEMBER, kind="ledger"
    )

    assert services.exports_purge_expired(now=ready.ready_at + datetime.timedelta(hours=2)) == 0

    ready.refresh_from_db()
    lost.refresh_from_db()
    assert ready.file and ready.file.storage.exists(ready.file.name)
    assert lost.status == ReportExport.Status.FAILED and lost.failure_reason


def test_download_while_pending_or_failed_is_a_409(shop, client_for):
    export = services.export_request(
        user=shop.manager, scope=scope_for_posyantek(shop.seller), period=NOVEMBER, kind="orders"
    )
    client = client_for(shop.manager)
    url = reverse("api:reports-export-download", kwargs={"pk": export.pk})

    response = client.get(url)
    assert response.status_code == 409 and response.json()["code"] == "export_not_ready"
    ReportExport.objects.filter(pk=export.pk).update(status="failed", failure_reason="x")
    response = client.get(url)
    assert response.status_code == 409 and response.json()["code"] == "export_failed"


def test_at_most_five_exports_pending_per_user(shop, client_for):
    client = client_for(shop.manager)
    for _n in range(5):
        assert api_request(client, kind="orders", organization=shop.seller.slug).status_code == 202

    response = api_request(client, kind="orders", organization=shop.seller.slug)

    assert response.status_code == 409
    assert response.json()["code"] == "too_many_exports"
    assert ReportExport.objects.filter(requested_by=shop.manager).count() == 5
    # Another user is not limited by them.
    assert api_request(client_for(shop.owner), kind="orders").status_code == 202


# --- Who may export ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", 200),
        ("manager", 200),
        ("staff", 403),
        ("other_manager", 403),
        ("stranger", 403),
        ("dinas_in", 200),
        ("dinas_out", 403),
        ("platform", 200),
    ],
)
def test_who_may_export_a_posyantek(shop, client_for, who, expected):
    users = {
        "owner": shop.owner,
        "manager": shop.manager,
        "staff": shop.staff,
        "other_manager": other_manager(),
        "stranger": shop.stranger,
        "dinas_in": dinas("36.72"),
        "dinas_out": dinas("33"),
        "platform": shop.platform,
    }
    client = client_for(users[who])
    for kind in ("orders", "order_lines", "ledger"):
        response = get_csv(client, kind, organization=shop.seller.slug)
        assert response.status_code == expected, (kind, response.content)
    response = api_request(client, kind="orders", organization=shop.seller.slug)
    assert response.status_code == (202 if expected == 200 else expected)
    assert ReportExport.objects.count() == (1 if expected == 200 else 0)


def test_anonymous_gets_401_and_unknown_posyantek_404(shop, api_client, client_for):
    assert get_csv(api_client, "orders", organization=shop.seller.slug).status_code == 401
    assert api_request(api_client, kind="orders").status_code == 401
    response = get_csv(client_for(shop.platform), "orders", organization="tidak-ada")
    assert response.status_code == 404


def test_regions_follow_the_jurisdiction(shop, client_for):
    banten = client_for(dinas("36"))
    assert get_csv(banten, "ledger", region="36.72").status_code == 200
    assert get_csv(banten, "ledger", region="33").status_code == 403
    # Everything: platform staff only.
    assert get_csv(client_for(shop.platform), "ledger").status_code == 200
    assert api_request(client_for(shop.platform), kind="ledger").status_code == 202
    assert ReportExport.objects.get().organization is None


# --- Bad input: 400, never 500 -----------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-13-01"},
        {"from": "kemarin"},
        {"from": "2026-11-30", "to": "2026-11-01"},
        {"from": "2000-01-01", "to": "2026-11-30"},
        {"organization": "posyantek-purwakarta", "region": "36"},
    ],
)
def test_bad_csv_parameters_are_a_400(shop, client_for, params):
    query = {"organization": shop.seller.slug, **params}
    response = client_for(shop.manager).get(csv_url("orders"), query)
    assert response.status_code == 400
    assert response.json()["code"]


def test_an_unknown_kind_is_a_400(shop, client_for):
    client = client_for(shop.manager)
    response = client.get(csv_url("customers"), {"organization": shop.seller.slug})
    assert response.status_code == 400
    assert response.json()["errors"]["kind"]
    response = api_request(client, kind="customers", organization=shop.seller.slug)
    assert response.status_code == 400 and response.json()["errors"]["kind"]
    assert ReportExport.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "orders", "from": "bukan-tanggal"},
        {"kind": "orders", "from": "2026-11-30", "to": "2026-11-01"},
        {"from": "2026-11-01"},
        {"kind": ["orders"]},
        {"kind": "orders", "to": 20261130},
    ],
)
def test_bad_export_requests_are_a_400(shop, client_for, body):
    client = client_for(shop.manager)
    response = client.post(
        reverse("api:reports-export-list"),
        {"organization": shop.seller.slug, **body},
        format="json",
    )
    assert response.status_code == 400
    assert ReportExport.objects.count() == 0


@pytest.mark.parametrize(
    ("organization", "status"),
    [(["posyantek-purwakarta"], 400), (5, 400), ({"slug": "x"}, 400), ("a\x00b", 404)],
)
def test_an_odd_organization_is_a_400_or_404(shop, client_for, organization, status):
    response = api_request(client_for(shop.platform), kind="orders", organization=organization)
    assert response.status_code == status
    assert ReportExport.objects.count() == 0


def test_a_body_that_is_not_an_object_is_a_400(shop, client_for):
    response = client_for(shop.manager).post(
        reverse("api:reports-export-list"), ["orders"], format="json"
    )
    assert response.status_code == 400


def test_accept_and_format_do_not_get_in_the_way_of_the_csv(shop, client_for):
    """`.csv` is part of the path, not a DRF format suffix; `?format=` and Accept work, and
    errors still answer in JSON."""
    client = client_for(shop.manager)
    base = {"organization": shop.seller.slug, **PERIOD}
    for extra, headers in (
        ({"format": "csv"}, {}),
        ({"format": "json"}, {}),
        ({}, {"HTTP_ACCEPT": "text/csv"}),
        ({}, {"HTTP_ACCEPT": "application/vnd.ms-excel"}),
    ):
        response = client.get(csv_url("orders"), {**base, **extra}, **headers)
        assert response.status_code == 200, (extra, headers)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        rows_of(response)
    response = client.get(csv_url("orders"), {**base, "from": "x"}, HTTP_ACCEPT="text/csv")
    assert response.status_code == 400
    assert response.json()["errors"]["from"]


# --- Queries -----------------------------------------------------------------------------------


def count_queries(client, kind: str, slug: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = get_csv(client, kind, organization=slug)
        rows_of(response)
    return len(queries)


@pytest.mark.parametrize("kind", ["orders", "order_lines", "ledger"])
def test_the_csv_query_count_does_not_grow_with_the_orders(
    shop, client_for, kind, django_assert_max_num_queries
):
    client = client_for(shop.manager)
    company = OrganizationFactory(kind=Organization.Kind.INDUSTRY)
    sale(shop, paid_at=wib(11, 2), buyer_organization=company)
    few = count_queries(client, kind, shop.seller.slug)
    for day in range(3, 28):
        order = sale(
            shop,
            paid_at=wib(11, day),
            buyer=UserFactory(),
            buyer_organization=OrganizationFactory(kind=Organization.Kind.INDUSTRY),
            lines=(("A", "unit", 1, 1000), ("B", "unit", 2, 500)),
        )
        refund(order, goods=500)
    with django_assert_max_num_queries(few):
        response = get_csv(client, kind, organization=shop.seller.slug)
        rows = rows_of(response)
    assert len(rows) > 26


def test_export_table_headers_follow_the_language(shop):
    from django.utils import translation

    with translation.override("en"):
        table = export_table(kind="orders", scope=scope_for_posyantek(shop.seller), period=NOVEMBER)
    assert table.header[0] == "Order number"


# --- Pages -------------------------------------------------------------------------------------


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_csv_url(slug: str, kind: str) -> str:
    return reverse("reports:export_csv", kwargs={"slug": slug, "kind": kind})


def test_the_page_csv_download_for_each_kind(shop):
    order = sale(shop, paid_at=wib(11, 5))
    client = page_client(shop.manager)
    for kind in ("orders", "order_lines", "ledger"):
        response = client.get(page_csv_url(shop.seller.slug, kind), PERIOD)
        assert response.status_code == 200
        rows = rows_of(response)
        assert order.number in rows[1]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("staff", 403),
        ("other_manager", 403),
        ("dinas_in", 200),
        ("dinas_out", 403),
        ("platform", 200),
    ],
)
def test_who_may_download_from_the_page(shop, who, expected):
    users = {
        "staff": shop.staff,
        "other_manager": other_manager(),
        "dinas_in": dinas("36"),
        "dinas_out": dinas("64"),
        "platform": shop.platform,
    }
    client = page_client(users[who])
    response = client.get(page_csv_url(shop.seller.slug, "orders"), PERIOD)
    assert response.status_code == expected
    response = client.post(
        reverse("reports:export_request", kwargs={"slug": shop.seller.slug}),
        {"kind": "orders", **PERIOD},
    )
    assert response.status_code == (302 if expected == 200 else expected)
    assert ReportExport.objects.count() == (1 if expected == 200 else 0)


def test_pages_need_a_login_and_an_existing_posyantek(shop):
    url = page_csv_url(shop.seller.slug, "orders")
    response = Client().get(url)
    assert response.status_code == 302 and "next=" in response["Location"]
    response = Client().post(reverse("reports:export_request", kwargs={"slug": shop.seller.slug}))
    assert response.status_code == 302 and "next=" in response["Location"]
    assert page_client(shop.platform).get(page_csv_url("tidak-ada", "orders")).status_code == 404


def test_bad_page_input_is_a_400(shop):
    client = page_client(shop.manager)
    assert client.get(page_csv_url(shop.seller.slug, "customers")).status_code == 400
    response = client.get(page_csv_url(shop.seller.slug, "orders"), {"from": "2026-02-30"})
    assert response.status_code == 400


def test_the_page_form_asks_for_an_xlsx_and_goes_back_to_the_dashboard(
    shop, django_capture_on_commit_callbacks
):
    client = page_client(shop.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:export_request", kwargs={"slug": shop.seller.slug}),
            {"kind": "ledger", **PERIOD},
        )
    dashboard = reverse("reports:dashboard", kwargs={"slug": shop.seller.slug})
    assert response.status_code == 302
    assert response["Location"] == f"{dashboard}?from=2026-11-01&to=2026-11-30#exports"
    export = ReportExport.objects.get()
    assert (export.kind, export.status, export.requested_by) == ("ledger", "ready", shop.manager)

    download = client.get(reverse("reports:export_download", kwargs={"pk": export.pk}))
    assert download.status_code == 200 and download["Content-Type"] == XLSX
    assert (
        page_client(shop.owner)
        .get(reverse("reports:export_download", kwargs={"pk": export.pk}))
        .status_code
        == 404
    )

    # A bad kind: back to the dashboard with a message, nothing asked for.
    response = client.post(
        reverse("reports:export_request", kwargs={"slug": shop.seller.slug}),
        {"kind": "customers", **PERIOD},
    )
    assert response.status_code == 302
    assert ReportExport.objects.count() == 1


def test_the_page_download_of_an_expired_export_goes_back_with_a_message(
    shop, django_capture_on_commit_callbacks
):
    export = build(
        shop.manager, scope_for_posyantek(shop.seller), "orders", django_capture_on_commit_callbacks
    )
    ReportExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    response = page_client(shop.manager).get(
        reverse("reports:export_download", kwargs={"pk": export.pk})
    )
    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("reports:dashboard", kwargs={"slug": shop.seller.slug})
    )


def test_the_page_form_is_csrf_protected(shop):
    client = Client(enforce_csrf_checks=True)
    client.force_login(shop.manager)
    response = client.post(
        reverse("reports:export_request", kwargs={"slug": shop.seller.slug}),
        {"kind": "orders", **PERIOD},
    )
    assert response.status_code == 403
    assert ReportExport.objects.count() == 0


def test_the_exports_partial_links_the_csvs_and_the_ready_xlsx(
    shop, django_capture_on_commit_callbacks
):
    ready = build(
        shop.manager, scope_for_posyantek(shop.seller), "orders", django_capture_on_commit_callbacks
    )
    pending = services.export_request(
        user=shop.manager, scope=scope_for_posyantek(shop.seller), period=NOVEMBER, kind="ledger"
    )
    exports = services.exports_recent(user=shop.manager, organization=shop.seller)
    assert [export.pk for export in exports] == [pending.pk, ready.pk]
    assert services.exports_recent(user=shop.owner, organization=shop.seller) == []

    html = render_to_string(
        "reports/_exports.html",
        {"organization": shop.seller, "period": NOVEMBER, "exports": exports},
    )

    for kind in ("orders", "order_lines", "ledger"):
        href = f"{page_csv_url(shop.seller.slug, kind)}?from=2026-11-01&amp;to=2026-11-30"
        assert href in html
    assert reverse("reports:export_request", kwargs={"slug": shop.seller.slug}) in html
    assert reverse("reports:export_download", kwargs={"pk": ready.pk}) in html
    assert reverse("reports:export_download", kwargs={"pk": pending.pk}) not in html
    assert f'data-export="{ready.pk}" data-status="ready" data-available="true"' in html
    assert f'data-export="{pending.pk}" data-status="pending" data-available="false"' in html


def test_the_dashboard_shows_the_exports_section(shop):
    response = page_client(shop.manager).get(
        reverse("reports:dashboard", kwargs={"slug": shop.seller.slug}), PERIOD
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="exports" data-from="2026-11-01" data-to="2026-11-30"' in html
    assert f"{page_csv_url(shop.seller.slug, 'ledger')}?from=2026-11-01&amp;to=2026-11-30" in html


# --- Access lost after asking (review) -------------------------------------------------------


def test_an_export_is_not_built_or_given_to_someone_who_lost_access(
    shop, client_for, django_capture_on_commit_callbacks
):
    from accounts.models import Membership
    from reports.services.exports import export_build

    sale(shop, paid_at=wib(11, 5))
    client = client_for(shop.manager)
    with django_capture_on_commit_callbacks(execute=True):
        built = api_request(client, kind="orders", organization=shop.seller.slug).json()
    pending = api_request(client, kind="ledger", organization=shop.seller.slug).json()
    assert ReportExport.objects.get(pk=pending["id"]).status == "pending"

    # The manager is made a staff member: no reports any more.
    Membership.objects.filter(user=shop.manager, organization=shop.seller).update(role=Role.STAFF)

    download = reverse("api:reports-export-download", kwargs={"pk": built["id"]})
    assert client_for(shop.manager).get(download).status_code == 403
    export = export_build(export_id=pending["id"])
    assert export.status == "failed" and not export.file
    assert export.failure_reason


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "orders", "region": 36},
        {"kind": "orders", "region": {}},
        {"kind": "orders", "organization": True},
        {"kind": "orders", "organization": "posyantek-purwakarta", "from": "9999-12-01"},
        {"kind": "orders", "organization": "posyantek-purwakarta", "to": "0001-01-01"},
    ],
)
def test_wrongly_typed_or_out_of_range_requests_are_400(shop, client_for, body):
    response = client_for(shop.platform).post(
        reverse("api:reports-export-list"), body, format="json"
    )
    assert response.status_code == 400, response.content
    assert not ReportExport.objects.exists()
