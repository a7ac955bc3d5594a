"""On a 360 px phone, a Posyantek's manager opens the dashboard from the menu: this month's
revenue is on the first screen, the revenue chart is drawn by Chart.js (its box shown, its
table folded, its axis short: "500 rb"), nothing scrolls sideways, every control is big enough
to tap; the
manager picks the last three months, switches the chart to months (three points, the URL says
group_by=month) and downloads the orders as CSV (H1's export link on the page).

Elements are found by id, data attributes and URL, not by their wording."""

import csv
import datetime
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Role
from orders.models import Order
from reports.periods import local_midnight, month_start
from tests.e2e.conftest import assert_fits_phone
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    ShippingSettingsFactory,
    UserFactory,
)
from tests.orders.conftest import Shop

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Dasbor-pengelola-2026"
# Screenshots for people to look at, only when asked: DASHBOARD_SHOTS=<folder>.
SHOTS = os.environ.get("DASHBOARD_SHOTS", "")


@pytest.fixture
def shop(regions) -> Shop:
    seller = OrganizationFactory(name="Posyantek Kecamatan Purwakarta", slug="pwk", code="PWK")
    ShippingSettingsFactory(organization=seller)
    manager = UserFactory(email="pengelola@pwk.test", password=PASSWORD)
    MembershipFactory(user=manager, organization=seller, role=Role.MANAGER)
    product = ProductFactory(
        seller=seller, name="Pakan Ternak Ampas Tahu", price_amount=150_000, stock=40
    )
    return Shop(
        seller=seller,
        owner=manager,
        manager=manager,
        staff=manager,
        buyer=UserFactory(),
        stranger=UserFactory(),
        platform=UserFactory(is_staff=True),
        product=product,
    )


def log_in(page, email):
    page.context.clear_cookies()
    page.goto(page.base_url + "/akun/masuk/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def chart_state(page, canvas_id):
    return page.evaluate(
        """(id) => {
            const canvas = document.getElementById(id);
            const chart = canvas && window.Chart ? Chart.getChart(canvas) : null;
            const box = canvas ? canvas.getBoundingClientRect() : {width: 0, height: 0};
            return {
                drawn: !!chart,
                points: chart ? chart.data.labels.length : 0,
                gross: chart ? chart.data.datasets[0].data : [],
                width: box.width, height: box.height,
            };
        }""",
        canvas_id,
    )


def shoot(page, name):
    if SHOTS:
        page.wait_for_timeout(500)  # let the charts' short animation finish
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / name), full_page=True)


def test_a_manager_reads_the_dashboard_on_a_phone_and_downloads_the_orders(phone_page, shop):
    page = phone_page
    today = timezone.localdate()
    this_month = [shop.paid(2), shop.paid(1)]
    earlier = shop.paid(4)
    last_month_day = month_start(today) - datetime.timedelta(days=10)
    Order.objects.filter(pk=earlier.pk).update(
        paid_at=local_midnight(last_month_day) + datetime.timedelta(hours=10)
    )

    log_in(page, "pengelola@pwk.test")
    page.click("#dashboard-nav")  # /dasbor/ → the only Posyantek the manager runs
    page.wait_for_url(re.compile(r"/dasbor/pwk/$"))
    page.wait_for_function("() => window.Chart && Chart.getChart('revenue-chart')")
    state = chart_state(page, "revenue-chart")
    assert state["drawn"] and state["width"] > 0 and state["height"] > 0
    assert state["points"] == today.day  # by day, this month so far
    assert sum(state["gross"]) == sum(o.goods_amount + o.shipping_amount for o in this_month)
    assert chart_state(page, "status-chart")["drawn"]
    # this month's revenue, gross and net, is on the first screen, under the title
    headline = page.locator("#kpi-gross_amount").bounding_box()
    assert headline["y"] + headline["height"] <= 740
    assert page.locator("#headline-net").is_visible()
    # the chart's box is shown once drawn and its table folds away; on a phone the status
    # chart gives way to its list
    assert page.locator("#revenue-chart-box").is_visible()
    assert page.evaluate("document.getElementById('revenue-table').open") is False
    assert page.locator("#status-chart-box").is_hidden()
    assert page.locator("#status-list").is_visible()
    ticks = page.evaluate("Chart.getChart('revenue-chart').scales.y.ticks.map(t => t.label)")
    assert ticks and all("Rp" not in str(tick) and len(str(tick)) <= 7 for tick in ticks), ticks
    assert any("rb" in str(tick) for tick in ticks), ticks
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_fits_phone(page)
    shoot(page, "dashboard-360-this-month.png")

    # the last three months, then by month: three points, the URL says so
    page.click("[data-preset=last_3_months]")
    page.wait_for_url(re.compile(r"from="))
    page.click("[data-group-by=month]")
    page.wait_for_url(re.compile(r"group_by=month"))
    page.wait_for_function("() => window.Chart && Chart.getChart('revenue-chart')")
    state = chart_state(page, "revenue-chart")
    assert state["points"] == 3
    assert state["gross"][-2] == earlier.goods_amount + earlier.shipping_amount
    assert page.get_attribute("[data-group-by=month]", "aria-current") == "true"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # the numbers are also in a table, for screen readers and without JavaScript
    page.click("#revenue-table > summary")
    assert page.locator("#revenue-table tbody tr").count() == 3
    assert_fits_phone(page)
    shoot(page, "dashboard-360-by-month.png")

    # the orders of those three months as CSV
    with page.expect_download() as info:
        page.click("#exports-csv a[data-kind=orders]")
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert len(rows[0]) == 14 and rows[0][0]
    numbers = {row[0] for row in rows[1:]}
    assert {earlier.number, *(o.number for o in this_month)} <= numbers


def test_without_javascript_the_numbers_are_open_and_no_empty_box_shows(browser, live_server, shop):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=False, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    try:
        order = shop.paid(2)
        log_in(page, "pengelola@pwk.test")
        page.goto(live_server.url + "/dasbor/pwk/")
        assert page.locator("#kpi-gross_amount").is_visible()
        assert page.locator("#revenue-chart-box").is_hidden()
        assert page.locator("#status-chart-box").is_hidden()
        assert page.locator("#revenue-table tbody tr").first.is_visible()
        total = page.get_attribute("#revenue-totals", "data-gross")
        assert total == str(order.goods_amount + order.shipping_amount)
        # the custom dates open without JavaScript (a <details>)
        page.click("#period-custom > summary")
        assert page.locator("#id_from").is_visible()
        assert_fits_phone(page)
        shoot(page, "dashboard-360-no-js.png")
    finally:
        context.close()
