"""On a 360 px phone, a dinas member of Banten opens the overview: it fits the screen (no
sideways scroll, tap targets ≥ 44 px), ranks the Posyantek, and drills down to a regency."""

import datetime
import os
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import Organization, Role
from marketplace.models import Product
from regions.models import District
from tests.e2e.conftest import assert_fits_phone
from tests.factories import MembershipFactory, OrderFactory, OrganizationFactory, ProductFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
# Screenshots for people to look at, only when asked: DASHBOARD_SHOTS=<folder>.
SHOTS = os.environ.get("DASHBOARD_SHOTS", "")


def shoot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / name), full_page=True)


@pytest.fixture
def dinas_user(regions):
    for code, slug, name in (
        ("36.72.07", "pwk", "Posyantek Purwakarta dengan Nama yang Cukup Panjang Sekali"),
        ("36.72.07", "rmj", "Posyantek Ramanuju"),
        ("36.04.05", "kmw", "Posyantek Kramatwatu"),
    ):
        organization = OrganizationFactory(
            district=District.objects.get(code=code), slug=slug, name=name, code=slug.upper()
        )
        ProductFactory(seller=organization)
    OrderFactory(
        seller=Organization.objects.get(slug="kmw"),
        status="paid",
        paid_at=datetime.datetime.now(WIB),
        goods_amount=12_500_000,
        shipping_amount=150_000,
    )
    Product.objects.filter(seller__slug="rmj").update(
        updated_at=datetime.datetime(2025, 1, 5, tzinfo=WIB)
    )
    dinas = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, jurisdiction="36")
    return MembershipFactory(organization=dinas, role=Role.OWNER).user


def test_dinas_overview_fits_a_phone_and_drills_down(phone_page, dinas_user, live_server):
    client = Client()
    client.force_login(dinas_user)
    phone_page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )

    phone_page.goto(f"{live_server.url}/wilayah/")

    assert phone_page.locator(".ranking-row").count() == 3
    assert phone_page.locator(".ranking-row").first.get_attribute("data-posyantek") == "kmw"
    assert phone_page.locator("#overview-inactive [data-posyantek='rmj']").count() == 1
    assert phone_page.get_attribute("[data-preset=this_month]", "aria-current") == "true"
    assert_fits_phone(phone_page)
    shoot(phone_page, "overview-360.png")
    # the inactive list is one tap from the totals' first row
    link = phone_page.locator("#overview-inactive-link").bounding_box()
    assert link["y"] + link["height"] <= 740 * 2
    phone_page.click("#overview-inactive-link")
    phone_page.wait_for_url("**#overview-inactive")
    assert (
        phone_page.evaluate(
            "document.getElementById('overview-inactive').getBoundingClientRect().top"
        )
        < 740
    )

    phone_page.locator("#overview-tree .overview-regency[data-region='36.72'] h4 a").click()
    phone_page.wait_for_url("**/wilayah/?region=36.72*")

    assert phone_page.locator(".ranking-row").count() == 2
    assert phone_page.locator("#overview-breadcrumb a").count() == 1
    assert_fits_phone(phone_page)
