"""The overview by region for the dinas and platform staff: figures per Posyantek from orders
(paid in the period, whatever their status now), inactive detection, the tree's subtotals,
jurisdiction, bad input, and a query count that does not grow with the Posyantek."""

import datetime
import re
import zoneinfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization, Role, User
from marketplace.models import Product
from mitra.models import Partnership
from orders.models import LedgerEntry, Order, Refund
from regions.models import District
from reports.periods import Period
from reports.scope import Scope
from reports.selectors.figures import money_figures
from reports.selectors.overview import INACTIVE_DAYS, posyantek_overview
from tests.factories import (
    MembershipFactory,
    OrderFactory,
    OrganizationFactory,
    ProductFactory,
    UserFactory,
)
from tests.mitra.factories import PartnerFactory

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
NOVEMBER = Period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
PAGE = "/wilayah/"
API = "/api/v1/reports/overview/"

CILEGON = "36.72.07"  # Purwakarta, Kota Cilegon, Banten
SERANG = "36.04.05"  # Kramatwatu, Kab. Serang, Banten
PEKALONGAN = "33.75.03"  # Pekalongan Utara, Kota Pekalongan, Jawa Tengah


def wib(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=WIB)


def posyantek(district: str = CILEGON, **fields) -> Organization:
    return OrganizationFactory(district=District.objects.get(code=district), **fields)


def paid_order(seller, paid_at, goods=1_000_000, shipping=0, status="paid", **fields) -> Order:
    """A paid order with the platform fee the ledger charged on it (as payment_paid writes)."""
    order = OrderFactory(
        seller=seller,
        status=status,
        paid_at=paid_at,
        goods_amount=goods,
        shipping_amount=shipping,
        **fields,
    )
    if order.platform_fee_amount:
        LedgerEntry.objects.create(
            organization=seller,
            kind=LedgerEntry.Kind.PLATFORM_FEE,
            status=LedgerEntry.Status.PENDING,
            amount=-order.platform_fee_amount,
            order=order,
        )
    return order


def dinas_member(jurisdiction: str) -> User:
    dinas = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, jurisdiction=jurisdiction)
    return MembershipFactory(organization=dinas, role=Role.OWNER).user


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows_by_slug(overview: dict) -> dict:
    return {row["slug"]: row for row in overview["ranking"]}


def everything() -> Scope:
    return Scope(label="all")


@pytest.fixture
def banten(regions):
    """Two Posyantek in Kota Cilegon, one in Kab. Serang (Banten), one in Kota Pekalongan."""
    return {
        "cilegon": posyantek(CILEGON, name="Posyantek Purwakarta", slug="pwk", code="PWK"),
        "cilegon2": posyantek(CILEGON, name="Posyantek Ramanuju", slug="rmj", code="RMJ"),
        "serang": posyantek(SERANG, name="Posyantek Kramatwatu", slug="kmw", code="KMW"),
        "pekalongan": posyantek(PEKALONGAN, name="Posyantek Krapyak", slug="krp", code="KRP"),
    }


# --- Figures ----------------------------------------------------------------------------------


def test_gross_and_paid_orders_count_what_was_paid_inside_the_period(banten):
    seller = banten["cilegon"]
    # Inside: the first instant, the last evening (23:30 WIB on the 30th is 16:30 UTC).
    paid_order(seller, wib(2026, 11, 1, 0, 0), goods=1_000_000, shipping=50_000)
    paid_order(seller, wib(2026, 11, 30, 23, 30), goods=2_000_000, shipping=0)
    # Paid in the period but refunded since: still gross in the period it was paid.
    paid_order(seller, wib(2026, 11, 15, 10), goods=300_000, status="refunded")
    # Outside: a minute before, the first instant after.
    paid_order(seller, wib(2026, 10, 31, 23, 59), goods=7_000_000)
    paid_order(seller, wib(2026, 12, 1, 0, 0), goods=9_000_000)
    # Cancelled before payment: never paid, never counted.
    paid_order(seller, None, goods=5_000_000, status="cancelled")
    paid_order(seller, None, goods=5_000_000, status="pending_payment")
    # PPN is not gross.
    OrderFactory(
        seller=seller,
        status="paid",
        paid_at=wib(2026, 11, 20, 9),
        goods_amount=100_000,
        shipping_amount=10_000,
        ppn_amount=12_100,
        total_amount=122_100,
    )

    overview = posyantek_overview(
        scope=everything(), period=NOVEMBER, today=datetime.date(2026, 12, 7)
    )

    row = rows_by_slug(overview)["pwk"]
    assert row["paid_orders"] == 4
    assert row["gross_amount"] == 1_050_000 + 2_000_000 + 300_000 + 110_000
    assert rows_by_slug(overview)["rmj"]["gross_amount"] == 0
    assert Order.objects.filter(seller=seller).count() == 8
    assert overview["totals"]["gross_amount"] == row["gross_amount"]
    assert overview["totals"]["paid_orders"] == 4


def test_refunds_count_when_they_succeed_inside_the_period(banten):
    seller = banten["cilegon"]
    order = paid_order(seller, wib(2026, 10, 20), goods=400_000, shipping=20_000, status="refunded")
    other = paid_order(seller, wib(2026, 11, 2), goods=100_000, status="partially_refunded")
    for refunded, amount, at in (
        (order, 420_000, wib(2026, 11, 30, 23, 30)),  # in: counted
        (other, 50_000, wib(2026, 12, 1, 0, 5)),  # after the period
    ):
        Refund.objects.create(
            order=refunded,
            payment=refunded.payment,
            status=Refund.Status.SUCCEEDED,
            reason=Refund.Reason.SELLER_CANCELLED,
            provider="bank_transfer",
            goods_amount=amount,
            shipping_amount=0,
            ppn_amount=0,
            total_amount=amount,
            succeeded_at=at,
        )

    overview = posyantek_overview(scope=everything(), period=NOVEMBER)

    row = rows_by_slug(overview)["pwk"]
    assert row["refunds_amount"] == 420_000
    assert row["gross_amount"] == 100_000  # the October order's gross was October's


def test_region_totals_match_the_summary_figures(banten):
    """The same definitions as reports.selectors.figures: a region's totals are its summary."""
    seller = banten["cilegon"]
    paid_order(
        seller, wib(2026, 11, 5), goods=1_000_000, shipping=40_000, platform_fee_amount=52_000
    )
    paid_order(banten["serang"], wib(2026, 11, 6), goods=600_000, platform_fee_amount=30_000)
    paid_order(banten["pekalongan"], wib(2026, 11, 6), goods=900_000, platform_fee_amount=45_000)
    refunded = paid_order(
        seller, wib(2026, 10, 28), goods=200_000, status="refunded", platform_fee_amount=10_000
    )
    refund = Refund.objects.create(
        order=refunded,
        payment=refunded.payment,
        status=Refund.Status.SUCCEEDED,
        reason=Refund.Reason.SELLER_CANCELLED,
        provider="bank_transfer",
        goods_amount=200_000,
        shipping_amount=0,
        ppn_amount=0,
        total_amount=200_000,
        succeeded_at=wib(2026, 11, 10),
    )
    LedgerEntry.objects.create(
        organization=seller,
        kind=LedgerEntry.Kind.PLATFORM_FEE,
        status=LedgerEntry.Status.PENDING,
        amount=10_000,
        order=refunded,
        refund=refund,
    )
    scope = Scope(region_code="36")

    overview = posyantek_overview(scope=scope, period=NOVEMBER)
    summary = money_figures(scope=scope, period=NOVEMBER)

    totals = overview["totals"]
    for key in ("gross_amount", "refunds_amount", "platform_fee_amount", "net_amount"):
        assert totals[key] == summary[key], key
    assert totals["paid_orders"] == summary["paid_orders"] == 2
    row = rows_by_slug(overview)["pwk"]
    assert row["gross_amount"] == 1_040_000
    assert row["refunds_amount"] == 200_000
    assert row["platform_fee_amount"] == 52_000 - 10_000
    assert row["net_amount"] == 1_040_000 - 200_000 - 42_000


def test_products_published_and_active_partnerships_either_side(banten):
    seller = banten["cilegon"]
    ProductFactory(seller=seller)
    ProductFactory(seller=seller)
    ProductFactory(seller=seller, status="draft", published_at=None)
    ProductFactory(seller=seller, status="archived")
    partner = PartnerFactory()
    for status, posyantek_side, partner_side in (
        (Partnership.Status.ACTIVE, seller, partner),
        (Partnership.Status.PROPOSED, seller, partner),
        (Partnership.Status.COMPLETED, seller, partner),
        # Another Posyantek partnering with this one: counts for both.
        (Partnership.Status.ACTIVE, banten["serang"], seller),
    ):
        Partnership.objects.create(
            partner=partner_side,
            posyantek=posyantek_side,
            proposed_by=partner_side,
            created_by=UserFactory(),
            kind=Partnership.Kind.TECHNOLOGY,
            title="Kerja sama uji",
            status=status,
            start_date=datetime.date(2026, 11, 1),
        )

    rows = rows_by_slug(posyantek_overview(scope=everything(), period=NOVEMBER))

    assert rows["pwk"]["products_published"] == 2
    assert rows["pwk"]["partnerships_active"] == 2
    assert rows["kmw"]["partnerships_active"] == 1
    assert rows["rmj"]["products_published"] == 0
    assert rows["rmj"]["partnerships_active"] == 0


def test_ranking_by_gross_then_paid_orders_then_name(banten):
    paid_order(banten["serang"], wib(2026, 11, 3), goods=5_000_000)
    paid_order(banten["cilegon2"], wib(2026, 11, 3), goods=1_000_000)
    paid_order(banten["cilegon"], wib(2026, 11, 3), goods=500_000)
    paid_order(banten["cilegon"], wib(2026, 11, 4), goods=500_000)

    overview = posyantek_overview(scope=everything(), period=NOVEMBER)

    # Kramatwatu 5 jt; Purwakarta 1 jt in 2 orders before Ramanuju 1 jt in 1; Krapyak 0.
    assert [row["slug"] for row in overview["ranking"]] == ["kmw", "pwk", "rmj", "krp"]
    assert [row["rank"] for row in overview["ranking"]] == [1, 2, 3, 4]


def test_tree_groups_province_regency_kecamatan_with_subtotals(banten):
    paid_order(banten["cilegon"], wib(2026, 11, 3), goods=1_000_000)
    paid_order(banten["cilegon2"], wib(2026, 11, 3), goods=2_000_000)
    paid_order(banten["serang"], wib(2026, 11, 3), goods=4_000_000)
    paid_order(banten["pekalongan"], wib(2026, 11, 3), goods=8_000_000)

    overview = posyantek_overview(scope=everything(), period=NOVEMBER)

    provinces = {province["code"]: province for province in overview["tree"]}
    assert set(provinces) == {"36", "33"}
    banten_node = provinces["36"]
    assert banten_node["totals"]["gross_amount"] == 7_000_000
    assert banten_node["totals"]["posyanteks"] == 3
    regencies = {regency["code"]: regency for regency in banten_node["regencies"]}
    assert set(regencies) == {"36.72", "36.04"}
    assert regencies["36.72"]["totals"]["gross_amount"] == 3_000_000
    assert regencies["36.72"]["totals"]["paid_orders"] == 2
    [district] = regencies["36.72"]["districts"]
    assert district["code"] == CILEGON
    assert {row["slug"] for row in district["posyanteks"]} == {"pwk", "rmj"}
    assert overview["totals"]["gross_amount"] == 15_000_000
    assert overview["totals"]["posyanteks"] == 4


def test_unverified_posyantek_are_listed_and_marked(banten):
    posyantek(
        CILEGON,
        slug="baru",
        verification_status=Organization.VerificationStatus.PENDING,
    )

    overview = posyantek_overview(scope=everything(), period=NOVEMBER)

    rows = rows_by_slug(overview)
    assert rows["baru"]["verified"] is False
    assert rows["baru"]["verification_status"] == "pending"
    assert rows["pwk"]["verified"] is True
    assert overview["totals"]["unverified"] == 1
    assert overview["totals"]["verified"] == 4


def test_region_scope_lists_only_its_posyantek(banten):
    overview = posyantek_overview(scope=Scope(region_code="36.72"), period=NOVEMBER)

    assert {row["slug"] for row in overview["ranking"]} == {"pwk", "rmj"}


# --- Inactive ---------------------------------------------------------------------------------


def idle_since(organization: Organization, moment: datetime.datetime) -> None:
    """Put every kind of activity of the Posyantek at `moment`."""
    Product.objects.filter(seller=organization).update(updated_at=moment)
    Order.objects.filter(seller=organization).update(created_at=moment)
    User.objects.filter(memberships__organization=organization).update(last_login=moment)


@pytest.fixture
def quiet(regions):
    """A Posyantek with a product, an order and a member, all 91 days idle."""
    organization = posyantek(CILEGON, slug="sepi", code="SEPI")
    ProductFactory(seller=organization)
    OrderFactory(seller=organization)
    MembershipFactory(organization=organization, role=Role.MANAGER)
    idle_since(organization, timezone.now() - datetime.timedelta(days=INACTIVE_DAYS + 1))
    return organization


def overview_row(slug: str) -> dict:
    overview = posyantek_overview(scope=everything(), period=NOVEMBER, today=timezone.localdate())
    return rows_by_slug(overview)[slug]


def test_91_days_of_nothing_is_inactive(quiet):
    row = overview_row("sepi")

    assert row["inactive"] is True
    assert row["last_activity"] is not None
    assert timezone.now() - row["last_activity"] > datetime.timedelta(days=INACTIVE_DAYS)


def test_a_posyantek_that_never_did_anything_is_inactive(regions):
    posyantek(CILEGON, slug="kosong")

    overview = posyantek_overview(scope=everything(), period=NOVEMBER)

    row = rows_by_slug(overview)["kosong"]
    assert row["inactive"] is True
    assert row["last_activity"] is None
    assert [item["slug"] for item in overview["inactive"]] == ["kosong"]
    assert overview["totals"]["inactive"] == 1


def test_a_recent_product_change_alone_keeps_it_active(quiet):
    recent = timezone.now() - datetime.timedelta(days=10)
    Product.objects.filter(seller=quiet).update(updated_at=recent)

    row = overview_row("sepi")

    assert row["inactive"] is False
    assert row["last_activity"] == recent
    assert row["last_product_change"] == recent


def test_a_recent_order_alone_keeps_it_active(quiet):
    recent = timezone.now() - datetime.timedelta(days=10)
    Order.objects.filter(seller=quiet).update(created_at=recent)

    row = overview_row("sepi")

    assert row["inactive"] is False
    assert row["last_order"] == recent


def test_a_recent_member_login_alone_keeps_it_active(quiet):
    recent = timezone.now() - datetime.timedelta(days=10)
    User.objects.filter(memberships__organization=quiet).update(last_login=recent)

    row = overview_row("sepi")

    assert row["inactive"] is False
    assert row["last_member_login"] == recent


def test_activity_on_the_90th_day_back_still_counts(quiet):
    today = timezone.localdate()
    edge = datetime.datetime.combine(
        today - datetime.timedelta(days=INACTIVE_DAYS), datetime.time(0, 0), tzinfo=WIB
    )
    Product.objects.filter(seller=quiet).update(updated_at=edge)

    assert overview_row("sepi")["inactive"] is False

    Product.objects.filter(seller=quiet).update(updated_at=edge - datetime.timedelta(minutes=1))

    assert overview_row("sepi")["inactive"] is True


def test_inactive_list_longest_idle_first(regions):
    older = posyantek(CILEGON, slug="lama")
    newer = posyantek(CILEGON, slug="baru-sepi")
    never = posyantek(CILEGON, slug="tak-pernah")
    ProductFactory(seller=older)
    ProductFactory(seller=newer)
    Product.objects.filter(seller=older).update(updated_at=timezone.now() - datetime.timedelta(400))
    Product.objects.filter(seller=newer).update(updated_at=timezone.now() - datetime.timedelta(100))

    overview = posyantek_overview(scope=everything(), period=NOVEMBER)

    assert [row["slug"] for row in overview["inactive"]] == [never.slug, "lama", "baru-sepi"]


# --- The page ---------------------------------------------------------------------------------


def ranked_slugs(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'class="card ranking-row" data-posyantek="([^"]+)"', html)


def test_staff_page_shows_every_posyantek_ranked(banten):
    paid_order(banten["serang"], wib(2026, 11, 3), goods=5_000_000, shipping=100_000)
    staff = UserFactory(is_staff=True)

    response = page_client(staff).get(PAGE, {"from": "2026-11-01", "to": "2026-11-30"})

    assert response.status_code == 200
    assert ranked_slugs(response)[0] == "kmw"
    assert set(ranked_slugs(response)) == {"pwk", "rmj", "kmw", "krp"}
    html = response.content.decode()
    assert 'data-figure="gross_amount" data-value="5100000"' in html
    assert reverse("reports:dashboard", args=["kmw"]) in html
    assert reverse("organizations:detail", args=["kmw"]) in html
    assert "Rp 5.100.000" in html


def test_page_marks_inactive_posyantek_with_their_last_activity(regions):
    organization = posyantek(CILEGON, slug="sepi")
    ProductFactory(seller=organization)
    Product.objects.filter(seller=organization).update(updated_at=wib(2026, 3, 14, 10))
    posyantek(CILEGON, slug="ramai")
    ProductFactory(seller=Organization.objects.get(slug="ramai"))

    response = page_client(UserFactory(is_staff=True)).get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    inactive = html.split('id="overview-inactive"')[1].split("</section>")[0]
    assert 'data-posyantek="sepi"' in inactive
    assert 'data-posyantek="ramai"' not in inactive
    assert "14 Mar 2026" in inactive
    flags = dict(
        re.findall(r'ranking-row" data-posyantek="([^"]+)"[^>]*data-inactive="(\w+)"', html)
    )
    assert flags == {"sepi": "true", "ramai": "false"}


def test_dinas_of_a_province_sees_its_province_only(banten):
    user = dinas_member("36")

    response = page_client(user).get(PAGE)

    assert response.status_code == 200
    assert set(ranked_slugs(response)) == {"pwk", "rmj", "kmw"}
    # Drill down to a regency within the province.
    html = response.content.decode()
    assert "?region=36.72" in html
    narrower = page_client(user).get(PAGE, {"region": "36.72"})
    assert narrower.status_code == 200
    assert set(ranked_slugs(narrower)) == {"pwk", "rmj"}
    # ... and back up.
    crumbs = narrower.content.decode().split('id="overview-breadcrumb"')[1].split("</nav>")[0]
    assert re.findall(r'href="/wilayah/\?region=([\d.]+)&', crumbs) == ["36"]


@pytest.mark.parametrize("region", ["33", "33.75", PEKALONGAN])
def test_dinas_of_a_province_gets_403_outside(banten, region):
    response = page_client(dinas_member("36")).get(PAGE, {"region": region})

    assert response.status_code == 403
    assert 'data-posyantek="krp"' not in response.content.decode()


def test_dinas_of_a_regency_sees_its_regency_only(banten):
    user = dinas_member("36.72")

    response = page_client(user).get(PAGE)

    assert response.status_code == 200
    assert set(ranked_slugs(response)) == {"pwk", "rmj"}
    assert page_client(user).get(PAGE, {"region": "36"}).status_code == 403
    assert page_client(user).get(PAGE, {"region": SERANG}).status_code == 403
    assert page_client(user).get(PAGE, {"region": CILEGON}).status_code == 200


def test_posyantek_manager_gets_403(banten):
    manager = MembershipFactory(organization=banten["cilegon"], role=Role.MANAGER).user

    assert page_client(manager).get(PAGE).status_code == 403
    assert page_client(manager).get(PAGE, {"region": CILEGON}).status_code == 403


def test_a_user_with_no_role_gets_403(regions):
    assert page_client(UserFactory()).get(PAGE).status_code == 403


def test_anonymous_is_sent_to_log_in(regions):
    response = Client().get(PAGE)

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("region", ["99", "36.99", "bukan-kode", "3" * 40])
def test_unknown_region_is_404(regions, region):
    response = page_client(UserFactory(is_staff=True)).get(PAGE, {"region": region})

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"from": "kemarin"}, "from"),
        ({"from": "2026-11-30", "to": "2026-11-01"}, "to"),
        ({"from": "2010-01-01", "to": "2026-11-01"}, "from"),
    ],
)
def test_bad_period_is_400_with_the_field(banten, params, field):
    response = page_client(UserFactory(is_staff=True)).get(PAGE, params)

    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-field="{field}"' in html
    assert 'id="overview-period"' in html  # the form is there to fix it


def test_the_bad_day_is_named_as_the_page_names_days(banten):
    response = page_client(UserFactory(is_staff=True)).get(
        PAGE, {"from": "2026-11-30", "to": "2026-11-01"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    item = re.search(r'<a href="#period-to" data-field="to">(.*?)</a>', html, re.S).group(1)
    assert "2026-11-30" not in item and "30 Nov 2026" in item
    # the dates are unfolded so the field at fault is in sight
    assert re.search(r'<details class="dashboard-custom" id="overview-custom" open>', html)


def test_the_chosen_period_is_marked_and_custom_dates_fold(banten):
    client = page_client(UserFactory(is_staff=True))

    html = client.get(PAGE).content.decode()  # this month by default

    current = re.findall(r'class="button button-secondary is-current" data-preset="(\w+)"', html)
    assert current == ["this_month"]
    assert re.search(r'data-preset="this_month" href="[^"]*" aria-current="true"', html)
    assert re.search(r'<details class="dashboard-custom" id="overview-custom">', html)
    custom = client.get(PAGE, {"from": "2026-11-03", "to": "2026-11-05"}).content.decode()
    assert 'aria-current="true"' not in custom.split('id="overview-custom"')[0]
    assert re.search(r'<details class="dashboard-custom" id="overview-custom" open>', custom)


def test_the_inactive_list_is_one_tap_from_the_top(regions):
    organization = posyantek(CILEGON, slug="sepi")
    ProductFactory(seller=organization)
    Product.objects.filter(seller=organization).update(updated_at=wib(2026, 3, 14, 10))

    html = page_client(dinas_member("36")).get(PAGE).content.decode()

    link = html.index('id="overview-inactive-link"')
    assert re.search(r'id="overview-inactive-link" href="#overview-inactive"', html)
    # the link sits in the totals, before the list it leads to, itself before the ranking
    assert link < html.index('id="overview-inactive"') < html.index('id="overview-ranking"')
    # the second total card: in the first row of the two-column grid on a phone
    figures = re.findall(r'data-figure="(\w+)"', html)
    assert figures[:2] == ["posyanteks", "inactive"]


def test_nothing_inactive_no_link(regions):
    ProductFactory(seller=posyantek(CILEGON, slug="ramai"))

    html = page_client(UserFactory(is_staff=True)).get(PAGE).content.decode()

    assert 'id="overview-inactive-link"' not in html
    assert 'id="overview-inactive"' not in html


def test_a_posyantek_manager_is_sent_on_to_their_dashboard(banten):
    manager = MembershipFactory(organization=banten["cilegon"], role=Role.MANAGER).user

    response = page_client(manager).get(PAGE)

    assert response.status_code == 403
    html = response.content.decode()
    assert re.search(r'id="overview-refused-home" href="/dasbor/"', html)


def test_dinas_of_several_regions_chooses_one(banten):
    user = dinas_member("36")
    other = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, jurisdiction="33")
    MembershipFactory(organization=other, user=user)

    response = page_client(user).get(PAGE)

    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-region="36"' in html and 'data-region="33"' in html
    assert page_client(user).get(PAGE, {"region": "33"}).status_code == 200


# --- The API ----------------------------------------------------------------------------------


def test_api_returns_the_overview_as_json(banten, client_for):
    paid_order(banten["cilegon"], wib(2026, 11, 30, 23, 30), goods=2_000_000, shipping=25_000)
    Product.objects.filter(seller=banten["cilegon"]).update(updated_at=wib(2026, 11, 2, 8))
    ProductFactory(seller=banten["cilegon"])

    response = client_for(dinas_member("36.72")).get(
        API, {"from": "2026-11-01", "to": "2026-11-30"}
    )

    assert response.status_code == 200
    data = response.json()
    assert data["scope"]["region"] == "36.72"
    assert data["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
    assert data["inactive_days"] == INACTIVE_DAYS
    [first, second] = data["ranking"]
    assert first["slug"] == "pwk"
    assert first["gross_amount"] == 2_025_000
    assert type(first["gross_amount"]) is int  # whole Rupiah, not 2025000.0
    assert '"gross_amount":2025000,' in response.content.decode().replace(" ", "")
    assert first["paid_orders"] == 1
    assert first["products_published"] == 1
    assert first["district"] == {"code": CILEGON, "name": "Purwakarta"}
    # Times are ISO 8601, Asia/Jakarta.
    assert first["last_activity"].endswith("+07:00")
    datetime.datetime.fromisoformat(first["last_activity"])
    assert second["slug"] == "rmj"
    assert data["tree"][0]["regencies"][0]["totals"]["gross_amount"] == 2_025_000


def test_api_jurisdiction(banten, client_for):
    dinas = client_for(dinas_member("36"))
    assert dinas.get(API, {"region": "33"}).status_code == 403
    assert dinas.get(API, {"region": PEKALONGAN}).status_code == 403
    assert {row["slug"] for row in dinas.get(API).json()["ranking"]} == {"pwk", "rmj", "kmw"}

    staff = client_for(UserFactory(is_staff=True))
    assert len(staff.get(API).json()["ranking"]) == 4

    manager = MembershipFactory(organization=banten["cilegon"], role=Role.MANAGER).user
    assert client_for(manager).get(API).status_code == 403


def test_api_errors(banten, client_for, api_client):
    staff = client_for(UserFactory(is_staff=True))

    assert api_client.get(API).status_code == 401
    assert staff.get(API, {"region": "99"}).status_code == 404
    bad = staff.get(API, {"from": "2026-11-30", "to": "2026-11-01"})
    assert bad.status_code == 400
    assert "to" in str(bad.json())
    assert staff.get(API, {"from": "nope"}).status_code == 400


# --- A fixed number of queries ----------------------------------------------------------------


def populate(count: int) -> None:
    districts = [CILEGON, SERANG, PEKALONGAN, "31.71.05", "64.71.03"]
    for n in range(count):
        organization = posyantek(districts[n % len(districts)])
        ProductFactory(seller=organization)
        MembershipFactory(organization=organization, role=Role.MANAGER)
        paid_order(organization, wib(2026, 11, 3 + n % 20), goods=100_000 * (n + 1))
        paid_order(organization, None, status="cancelled")


def queries(action) -> int:
    with CaptureQueriesContext(connection) as context:
        action()
    return len(context.captured_queries)


def test_query_count_does_not_grow_with_the_posyantek(regions, client_for):
    staff = UserFactory(is_staff=True)
    page = page_client(staff)
    api = client_for(staff)
    params = {"from": "2026-11-01", "to": "2026-11-30"}

    def measure() -> tuple[int, int, int]:
        return (
            queries(lambda: posyantek_overview(scope=everything(), period=NOVEMBER)),
            queries(lambda: page.get(PAGE, params)),
            queries(lambda: api.get(API, params)),
        )

    populate(2)
    few = measure()
    populate(8)
    many = measure()

    assert Organization.objects.filter(kind="posyantek").count() == 10
    assert few == many
    # One for the Posyantek and their activity, four for the money (figures.money_by_posyantek).
    assert few[0] == 5


def test_a_dinas_organisation_menu_links_to_its_overview(regions):
    dinas = OrganizationFactory(
        kind=Organization.Kind.GOVERNMENT, jurisdiction="36", slug="dpmpd-banten"
    )
    member = MembershipFactory(organization=dinas, role=Role.OWNER).user
    page = page_client(member).get(reverse("organizations:members", args=[dinas.slug]))
    assert page.status_code == 200
    assert 'id="overview-link" href="/wilayah/?region=36"' in page.content.decode()
    posyantek = OrganizationFactory(slug="pos-menu")
    owner = MembershipFactory(organization=posyantek, role=Role.OWNER).user
    assert (
        'id="overview-link"' not in page_client(owner).get("/organisasi/pos-menu/").content.decode()
    )
