"""The Posyantek dashboard page (/dasbor/<slug>/) and /dasbor/: who sees it, its figures (by
ids and data attributes), the period and grouping controls, bad input (400, never 500) and a
query count that does not grow with the number of orders."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization, Role
from orders.models import Order
from tests.factories import (
    MembershipFactory,
    OrderFactory,
    OrganizationFactory,
    PaymentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


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


def dashboard(slug: str, **params) -> str:
    url = reverse("reports:dashboard", args=[slug])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def attribute(html: str, element_id: str, name: str) -> str:
    match = re.search(rf'<[^>]*id="{element_id}"[^>]*\s{name}="([^"]*)"', html)
    assert match, f"no {name} on #{element_id}"
    return match.group(1)


def chart(response) -> dict:
    match = re.search(
        r'<script id="revenue-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "no chart data"
    return json.loads(match.group(1))


def test_urls():
    assert reverse("reports:home") == "/dasbor/"
    assert reverse("reports:dashboard", args=["pwk"]) == "/dasbor/pwk/"


def test_owner_and_manager_see_the_figures_of_their_orders(client, shop):
    first = shop.paid(2)
    second = shop.paid(3)
    gross = sum(o.goods_amount + o.shipping_amount for o in (first, second))
    fee = first.platform_fee_amount + second.platform_fee_amount
    for user in (shop.owner, shop.manager):
        client.force_login(user)
        response = client.get(dashboard(shop.seller.slug))
        assert response.status_code == 200
        html = response.content.decode()
        assert attribute(html, "kpi-gross_amount", "data-current") == str(gross)
        assert attribute(html, "kpi-paid_orders", "data-current") == "2"
        assert attribute(html, "kpi-platform_fee_amount", "data-current") == str(fee)
        assert attribute(html, "kpi-net_amount", "data-current") == str(gross - fee)
        # no orders last month: no change to show
        assert attribute(html, "kpi-gross_amount", "data-previous") == "0"
        assert attribute(html, "kpi-gross_amount", "data-direction") == "none"
        assert attribute(html, "revenue-totals", "data-gross") == str(gross)
        assert attribute(html, "ledger-pending", "data-amount") == str(
            first.total_amount + second.total_amount
        )
        assert 'data-status="paid" data-count="2"' in html
        assert f'data-product="{shop.product.slug}" data-quantity="5"' in html
        assert reverse("orders:finances", args=[shop.seller.slug]) in html
        assert reverse("mitra:posyantek_needs", args=[shop.seller.slug]) in html
        assert 'id="dashboard-link"' in html  # the organisation nav, for its managers
        # the chart's data: one point per day of this month so far, gross adds up
        data = chart(response)
        today = timezone.localdate()
        assert data["group_by"] == "day"
        assert len(data["gross"]) == today.day == len(data["labels"])
        assert sum(data["gross"]) == gross
        assert data["gross"][-1] == gross
        assert "vendor/chartjs/chart.umd.min.js" in html
        assert "js/dashboard.js" in html


def test_the_period_and_grouping_controls(client, shop):
    shop.paid(2)
    client.force_login(shop.manager)
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    response = client.get(
        dashboard(shop.seller.slug, **{"from": start.isoformat(), "to": today.isoformat()})
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-preset="this_year"' in html
    assert re.search(r'data-preset="this_year" href="[^"]*" aria-current="true"', html)
    data = chart(response)
    expected = (
        "day" if (today - start).days < 31 else "week" if (today - start).days < 124 else "month"
    )
    assert data["group_by"] == expected
    # the grouping links keep the period
    month_link = re.search(r'data-group-by="month" href="([^"]*)"', html).group(1)
    assert f"from={start.isoformat()}" in month_link and "group_by=month" in month_link
    response = client.get(month_link.replace("&amp;", "&"))
    assert response.status_code == 200
    assert len(chart(response)["gross"]) == today.month
    # a custom period a week long, by day
    week_ago = today - datetime.timedelta(days=6)
    response = client.get(
        dashboard(shop.seller.slug, **{"from": week_ago.isoformat(), "to": today.isoformat()})
    )
    assert len(chart(response)["gross"]) == 7
    assert attribute(response.content.decode(), "period-text", "data-from") == week_ago.isoformat()


def test_previous_period_is_compared(client, shop):
    order = shop.paid(2)
    # the order was paid a month ago: it counts for the previous period
    last_month = timezone.now() - datetime.timedelta(days=31)
    Order.objects.filter(pk=order.pk).update(paid_at=last_month)
    shop.paid(4)
    client.force_login(shop.owner)
    today = timezone.localdate()
    start = today - datetime.timedelta(days=30)
    response = client.get(
        dashboard(shop.seller.slug, **{"from": start.isoformat(), "to": today.isoformat()})
    )
    html = response.content.decode()
    assert attribute(html, "kpi-gross_amount", "data-current") == "600000"
    assert attribute(html, "kpi-gross_amount", "data-previous") == "300000"
    assert attribute(html, "kpi-gross_amount", "data-change") == "100.0"
    assert attribute(html, "kpi-gross_amount", "data-direction") == "up"
    assert "▲" in html


def test_who_may_not_see_it(client, shop):
    other = OrganizationFactory(slug="posyantek-lain")
    other_manager = UserFactory()
    MembershipFactory(user=other_manager, organization=other, role=Role.MANAGER)
    for user in (shop.staff, other_manager, shop.buyer, shop.stranger):
        client.force_login(user)
        response = client.get(dashboard(shop.seller.slug))
        assert response.status_code == 403
        assert 'id="kpis"' not in response.content.decode()
    client.force_login(shop.owner)
    assert client.get(dashboard("tidak-ada")).status_code == 404
    company = OrganizationFactory(kind=Organization.Kind.INDUSTRY, slug="pt-maju")
    assert client.get(dashboard(company.slug)).status_code == 404
    client.logout()
    response = client.get(dashboard(shop.seller.slug))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_platform_staff_and_the_dinas_of_its_area(client, shop):
    shop.paid(2)
    for user, status in (
        (shop.platform, 200),
        (dinas("36.72"), 200),  # Kota Cilegon covers Purwakarta
        (dinas("36"), 200),  # so does Banten
        (dinas("31"), 403),  # DKI Jakarta does not
    ):
        client.force_login(user)
        response = client.get(dashboard(shop.seller.slug))
        assert response.status_code == status, user
        html = response.content.decode()
        if status == 200:
            assert attribute(html, "kpi-gross_amount", "data-current") == "300000"
            assert 'id="finances-link"' in html if user == shop.platform else True
    # the dinas does not see the finances link (the finances page is not theirs)
    client.force_login(dinas("36.72"))
    assert 'id="finances-link"' not in client.get(dashboard(shop.seller.slug)).content.decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "kemarin"}, "from"),
        ({"from": "2026-13-45"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"from": "2026-05-10", "to": "2026-05-01"}, "to"),
        ({"from": "2000-01-01", "to": "2026-01-01"}, "from"),
        ({"from": "2026-01-01\x00"}, "from"),
    ],
)
def test_bad_input_is_a_400_with_the_error(client, shop, params, field):
    client.force_login(shop.manager)
    response = client.get(reverse("reports:dashboard", args=[shop.seller.slug]), params)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="period-errors"' in html
    assert f'data-field="{field}"' in html
    assert 'id="period-form"' in html
    assert 'id="kpis"' not in html
    assert 'id="kpi-gross_amount"' not in html
    # the custom dates are unfolded, so the fields at fault are in sight
    assert re.search(r'<details class="dashboard-custom" id="period-custom" open>', html)


def test_the_error_names_the_day_as_the_page_does(client, shop):
    client.force_login(shop.manager)
    response = client.get(dashboard(shop.seller.slug), {"from": "2026-05-10", "to": "2026-05-01"})
    assert response.status_code == 400
    item = re.search(r'<li data-field="to">(.*?)</li>', response.content.decode(), re.S).group(1)
    assert "2026-05-10" not in item
    assert "10 Mei 2026" in item  # Indonesian by default, as the rest of the page ("j M Y")


def test_an_unknown_grouping_falls_back_to_the_default(client, shop):
    """group_by is only a display choice: an old link or a typo shows the page (the API keeps
    answering 400)."""
    shop.paid(2)
    client.force_login(shop.manager)
    response = client.get(dashboard(shop.seller.slug, group_by="year"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="period-errors"' not in html
    assert chart(response)["group_by"] == "day"
    assert re.search(r'data-group-by="day" href="[^"]*" aria-current="true"', html)
    assert attribute(html, "kpi-gross_amount", "data-current") == "300000"


def test_home_sends_each_one_to_their_dashboard(client, shop):
    client.force_login(shop.manager)
    response = client.get(reverse("reports:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:dashboard", args=[shop.seller.slug])
    # managing two: a choice
    second = OrganizationFactory(slug="posyantek-kedua", name="Posyantek Kedua")
    MembershipFactory(user=shop.manager, organization=second, role=Role.OWNER)
    response = client.get(reverse("reports:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-organization="{shop.seller.slug}"' in html
    assert f'data-organization="{second.slug}"' in html
    assert reverse("reports:dashboard", args=[second.slug]) in html
    # a staff member, a buyer: nothing to see
    for user in (shop.staff, shop.buyer):
        client.force_login(user)
        response = client.get(reverse("reports:home"))
        assert response.status_code == 403
        assert 'id="no-dashboard"' in response.content.decode()
    client.logout()
    assert client.get(reverse("reports:home")).status_code == 302


def test_home_sends_platform_staff_and_the_dinas_to_the_overview(client, shop):
    for user in (shop.platform, dinas("36.72")):
        client.force_login(user)
        response = client.get(reverse("reports:home"))
        assert response.status_code == 302
        assert response["Location"] == "/wilayah/"


def test_the_menu_and_the_organisation_nav_link_the_dashboard(client, shop):
    client.force_login(shop.manager)
    html = client.get(reverse("orders:finances", args=[shop.seller.slug])).content.decode()
    assert 'id="dashboard-nav"' in html
    assert f'href="{reverse("reports:dashboard", args=[shop.seller.slug])}"' in html
    client.logout()
    assert 'id="dashboard-nav"' not in client.get(reverse("marketplace:catalogue")).content.decode()


def many_paid_orders(shop, count: int) -> None:
    now = timezone.now()
    for n in range(count):
        payment = PaymentFactory(buyer=UserFactory(), status="paid", paid_at=now)
        OrderFactory(
            payment=payment,
            seller=shop.seller,
            status="paid",
            paid_at=now - datetime.timedelta(minutes=n),
            goods_amount=100_000,
            platform_fee_amount=2_500,
        )


def test_the_number_of_queries_does_not_grow_with_the_orders(client, shop):
    client.force_login(shop.manager)
    url = dashboard(shop.seller.slug)
    client.get(url)  # warm caches (sessions, content types)
    many_paid_orders(shop, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    many_paid_orders(shop, 27)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert attribute(response.content.decode(), "kpi-paid_orders", "data-current") == "30"
    assert len(many) == len(few)
    assert len(few) <= 30  # 26 today: session, user, scope, figures, exports


def test_home_offers_both_to_a_manager_who_is_also_in_a_dinas(client, shop):
    office_member = dinas("36.72")
    MembershipFactory(user=office_member, organization=shop.seller, role=Role.MANAGER)
    client.force_login(office_member)
    response = client.get(reverse("reports:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-organization="{shop.seller.slug}"' in html
    assert 'id="choose-overview"' in html and 'href="/wilayah/"' in html


def position(html: str, needle: str) -> int:
    index = html.find(needle)
    assert index >= 0, needle
    return index


def test_the_headline_comes_first_with_gross_and_net(client, shop):
    """On a phone the period's revenue is the first thing under the title; the custom dates
    and the organisation menu are folded."""
    order = shop.paid(2)
    client.force_login(shop.manager)
    html = client.get(dashboard(shop.seller.slug)).content.decode()
    gross = order.goods_amount + order.shipping_amount
    net = gross - order.platform_fee_amount
    main = html[position(html, '<main id="main"') :]
    # title, then the headline (gross, net under it), then the period and the other cards
    assert position(main, "<h1>") < position(main, 'id="kpi-gross_amount"')
    assert position(main, 'id="kpi-gross_amount"') < position(main, 'id="period"')
    assert position(main, 'id="period"') < position(main, 'id="kpis"')
    assert attribute(html, "kpi-gross_amount", "data-current") == str(gross)
    assert attribute(html, "headline-net", "data-amount") == str(net)
    assert attribute(html, "kpi-net_amount", "data-current") == str(net)
    assert 'id="headline-title"' in html
    # gross is the headline, not one more card of the grid
    grid = main[position(main, 'id="kpis"') : position(main, 'id="revenue"')]
    assert 'data-kpi="gross_amount"' not in grid
    # the presets stay visible; the custom dates are folded (this month is a preset)
    assert re.search(r'<details class="dashboard-custom" id="period-custom">', main)
    assert position(main, 'data-preset="this_month"') < position(main, 'id="period-custom"')
    # the organisation menu is folded above the title, and marks the dashboard as current
    assert position(main, 'id="organization-menu"') < position(main, "<h1>")
    assert re.search(r'id="dashboard-link" href="[^"]*" aria-current="page"', main)


def test_a_custom_period_unfolds_its_dates_and_names_them(client, shop):
    client.force_login(shop.manager)
    today = timezone.localdate()
    start, end = today - datetime.timedelta(days=2), today - datetime.timedelta(days=1)
    html = client.get(
        dashboard(shop.seller.slug, **{"from": start.isoformat(), "to": end.isoformat()})
    ).content.decode()
    assert re.search(r'<details class="dashboard-custom" id="period-custom" open>', html)
    presets_html = html[position(html, 'id="period"') : position(html, 'id="period-custom"')]
    assert 'aria-current="true"' not in presets_html


def test_a_period_not_started_says_so(client, shop):
    client.force_login(shop.manager)
    today = timezone.localdate()
    start = today + datetime.timedelta(days=40)
    response = client.get(
        dashboard(
            shop.seller.slug,
            **{"from": start.isoformat(), "to": (start + datetime.timedelta(days=5)).isoformat()},
        )
    )
    assert response.status_code == 200
    assert 'id="period-not-started"' in response.content.decode()
    response = client.get(dashboard(shop.seller.slug))
    assert 'id="period-not-started"' not in response.content.decode()


def test_charts_wait_hidden_and_the_table_is_open_without_javascript(client, shop):
    shop.paid(2)
    client.force_login(shop.manager)
    html = client.get(dashboard(shop.seller.slug)).content.decode()
    assert re.search(r'<div class="chart-box" id="revenue-chart-box" hidden>', html)
    assert re.search(r'id="status-chart-box"[^>]* hidden>', html)
    assert re.search(r'<details class="chart-table" id="revenue-table" open>', html)


def test_large_changes_read_in_whole_percent(client, shop):
    order = shop.paid(1)
    Order.objects.filter(pk=order.pk).update(paid_at=timezone.now() - datetime.timedelta(days=31))
    for _ in range(12):
        shop.paid(1)
    client.force_login(shop.owner)
    today = timezone.localdate()
    start = today - datetime.timedelta(days=30)
    html = client.get(
        dashboard(shop.seller.slug, **{"from": start.isoformat(), "to": today.isoformat()})
    ).content.decode()
    assert attribute(html, "kpi-gross_amount", "data-change") == "1100.0"
    headline = html[position(html, 'id="kpi-gross_amount"') : position(html, 'id="period"')]
    assert "1.100%" in headline and "1100,0" not in headline


def test_the_dinas_sees_counts_but_no_links_to_member_pages(client, shop):
    """The matching needs, proposals and partnerships pages are for the Posyantek's members and
    platform staff (mitra.permissions): the dinas gets the counts only, and neutral words."""
    shop.paid(2)
    member_links = (
        "dashboard-needs-link",
        "dashboard-proposals-link",
        "dashboard-partnerships-link",
    )
    product_url = reverse("marketplace:detail", args=[shop.product.slug])
    for user, sees in ((shop.manager, True), (shop.platform, True), (dinas("36.72"), False)):
        client.force_login(user)
        html = client.get(dashboard(shop.seller.slug)).content.decode()
        assert 'id="proposals-in-progress"' in html and 'id="partnerships-in-progress"' in html
        assert 'id="matching-needs-count"' in html
        for link in member_links:
            assert (f'id="{link}"' in html) is sees, (user, link)
        assert (f'href="{product_url}"' in html) is sees
        # every member-only page the dashboard links to opens for this viewer
        if sees:
            for name in ("posyantek_needs", "organization_proposals", "organization_partnerships"):
                url = reverse(f"mitra:{name}", args=[shop.seller.slug])
                assert client.get(url).status_code == 200, (user, name)


def test_the_organisation_menu_offers_the_dashboard_only_to_who_may_open_it(client, shop):
    desk = reverse("orders:desk", args=[shop.seller.slug])
    for user, sees in ((shop.owner, True), (shop.manager, True), (shop.staff, False)):
        client.force_login(user)
        response = client.get(desk)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="orders-desk-link"' in html  # the organisation menu is there
        assert ('id="dashboard-link"' in html) is sees, user
        if sees:
            assert client.get(dashboard(shop.seller.slug)).status_code == 200


def test_refusals_say_what_to_do_next(client, shop):
    # a member below manager: ask an owner
    client.force_login(shop.staff)
    response = client.get(dashboard(shop.seller.slug))
    assert response.status_code == 403
    assert attribute(response.content.decode(), "dashboard-refused", "data-next") == "ask-owner"
    response = client.get(reverse("reports:home"))
    assert response.status_code == 403
    html = response.content.decode()
    assert attribute(html, "no-dashboard", "data-next") == "ask-owner"
    assert f'data-organization="{shop.seller.slug}"' in html
    # a dinas of another province: back to their own dashboard
    client.force_login(dinas("31"))
    response = client.get(dashboard(shop.seller.slug))
    assert response.status_code == 403
    html = response.content.decode()
    assert attribute(html, "dashboard-refused", "data-next") == "own-dashboard"
    assert attribute(html, "refused-home", "href") == reverse("reports:home")
    # a buyer: back to the Posyantek's page
    client.force_login(shop.buyer)
    response = client.get(dashboard(shop.seller.slug))
    assert response.status_code == 403
    html = response.content.decode()
    assert attribute(html, "dashboard-refused", "data-next") == "back"
    assert attribute(html, "refused-organization", "href") == reverse(
        "organizations:detail", args=[shop.seller.slug]
    )
    assert client.get(reverse("reports:home")).status_code == 403


def test_the_xlsx_message_shows_where_the_browser_lands(client, shop):
    client.force_login(shop.manager)
    today = timezone.localdate()
    response = client.post(
        reverse("reports:export_request", args=[shop.seller.slug]),
        {"kind": "orders", "from": today.replace(day=1).isoformat(), "to": today.isoformat()},
    )
    assert response.status_code == 302 and response["Location"].endswith("#exports")
    html = client.get(response["Location"]).content.decode()
    exports = html[position(html, 'id="exports"') :]
    assert 'id="exports-messages"' in exports
    assert "message-success" in exports
    # a refusal lands there too
    response = client.post(
        reverse("reports:export_request", args=[shop.seller.slug]),
        {"kind": "customers", "from": today.replace(day=1).isoformat(), "to": today.isoformat()},
    )
    html = client.get(response["Location"]).content.decode()
    exports = html[position(html, 'id="exports"') :]
    assert "message-error" in exports
