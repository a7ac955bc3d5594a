"""Who sees which reports (DESIGN.md: see reports and exports — owner ✓, manager ✓, staff
member —, other users —, platform staff all, dinas within its jurisdiction), through the
figures API, and what a wrong scope or period answers."""

import pytest

from accounts.models import Organization, Role
from tests.factories import MembershipFactory, OrderFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/reports/summary/"
REVENUE = "/api/v1/reports/revenue/"


@pytest.fixture
def world(regions):
    cilegon = OrganizationFactory(slug="pos-cilegon")  # 36.72.07 Purwakarta, Kota Cilegon
    serang = OrganizationFactory(slug="pos-serang", district_id="36.04.05")  # Kab. Serang
    jakarta = OrganizationFactory(slug="pos-jakarta", district_id="31.74.08")
    banten = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, jurisdiction="36")
    kota_cilegon = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, jurisdiction="36.72")
    people = {
        "owner": MembershipFactory(organization=cilegon, role=Role.OWNER).user,
        "manager": MembershipFactory(organization=cilegon, role=Role.MANAGER).user,
        "staff member": MembershipFactory(organization=cilegon, role=Role.STAFF).user,
        "other manager": MembershipFactory(organization=jakarta, role=Role.MANAGER).user,
        "other user": UserFactory(),
        "platform staff": UserFactory(is_staff=True),
        "dinas banten": MembershipFactory(organization=banten, role=Role.STAFF).user,
        "dinas kota cilegon": MembershipFactory(organization=kota_cilegon, role=Role.MANAGER).user,
    }
    for seller, goods in ((cilegon, 1_000_000), (serang, 300_000), (jakarta, 50_000)):
        OrderFactory(
            seller=seller,
            status="paid",
            goods_amount=goods,
            paid_at="2026-11-10T10:00:00+07:00",
        )
    return {"cilegon": cilegon, "serang": serang, "jakarta": jakarta, "people": people}


ALLOWED_FOR_CILEGON = {
    "owner": True,
    "manager": True,
    "staff member": False,
    "other manager": False,
    "other user": False,
    "platform staff": True,
    "dinas banten": True,
    "dinas kota cilegon": True,
}


@pytest.mark.parametrize(("who", "allowed"), sorted(ALLOWED_FOR_CILEGON.items()))
@pytest.mark.parametrize("url", [SUMMARY, REVENUE])
def test_posyantek_reports_table(world, client_for, who, allowed, url):
    response = client_for(world["people"][who]).get(
        url, {"organization": "pos-cilegon", "from": "2026-11-01", "to": "2026-11-30"}
    )
    if allowed:
        assert response.status_code == 200, response.content
        gross = (
            response.data["kpis"]["gross_amount"]["current"]
            if url == SUMMARY
            else response.data["totals"]["gross_amount"]
        )
        assert gross == 1_000_000
    else:
        assert response.status_code == 403
        assert response.json()["detail"]


def test_anonymous_gets_401(world, api_client):
    response = api_client.get(SUMMARY, {"organization": "pos-cilegon"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("who", "region", "status", "gross"),
    [
        ("platform staff", "", 200, 1_350_000),
        ("platform staff", "31", 200, 50_000),
        ("dinas banten", "", 200, 1_300_000),
        ("dinas banten", "36", 200, 1_300_000),
        ("dinas banten", "36.04", 200, 300_000),
        ("dinas banten", "31", 403, None),
        ("dinas kota cilegon", "", 200, 1_000_000),
        ("dinas kota cilegon", "36", 403, None),
        ("dinas kota cilegon", "36.72.07", 200, 1_000_000),
        ("owner", "", 200, 1_000_000),  # the owner's own Posyantek
        ("owner", "36.72", 403, None),
        ("other user", "", 403, None),
        ("staff member", "", 403, None),
    ],
)
def test_region_scopes(world, client_for, who, region, status, gross):
    params = {"from": "2026-11-01", "to": "2026-11-30"}
    if region:
        params["region"] = region
    response = client_for(world["people"][who]).get(REVENUE, params)
    assert response.status_code == status, response.content
    if gross is not None:
        assert response.data["totals"]["gross_amount"] == gross


def test_region_lists_are_for_one_posyantek_only(world, client_for):
    staff = client_for(world["people"]["platform staff"])
    region = staff.get(SUMMARY, {"region": "36", "from": "2026-11-01", "to": "2026-11-30"})
    assert region.status_code == 200
    assert region.data["scope"] == {"organization": None, "region": "36", "label": "Banten"}
    assert region.data["low_stock"] is None
    assert region.data["matching_needs"] is None
    one = staff.get(SUMMARY, {"organization": "pos-cilegon"})
    assert one.data["low_stock"] == []
    assert one.data["matching_needs"] == {"count": 0, "items": []}


def test_a_manager_of_two_posyantek_names_one(world, client_for):
    manager = world["people"]["manager"]
    MembershipFactory(user=manager, organization=world["serang"], role=Role.OWNER)
    client = client_for(manager)
    response = client.get(SUMMARY)
    assert response.status_code == 400
    assert response.json()["code"] == "scope_ambiguous"
    assert client.get(SUMMARY, {"organization": "pos-serang"}).status_code == 200


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"organization": "tidak-ada"}, 404, None),
        ({"organization": "pos\x00cilegon"}, 404, None),
        ({"region": "99"}, 404, None),
        ({"region": "x" * 300}, 404, None),
        ({"region": "36.72.07.1004"}, 404, None),  # a village: Posyantek are by kecamatan
        ({"organization": "pos-cilegon", "from": "9999-12-01", "to": "9999-12-31"}, 400, "from"),
        ({"organization": "pos-cilegon", "from": "0001-01-01", "to": "0001-01-31"}, 400, "from"),
        ({"organization": "pos-cilegon", "from": "2026-11-01", "to": "2101-01-01"}, 400, "to"),
        ({"organization": "pos-cilegon", "region": "36"}, 400, "region"),
        ({"organization": "pos-cilegon", "from": "2026-13-01"}, 400, "from"),
        ({"organization": "pos-cilegon", "from": "kemarin"}, 400, "from"),
        ({"organization": "pos-cilegon", "from": "2026-11-30", "to": "2026-11-01"}, 400, "to"),
        ({"organization": "pos-cilegon", "from": "2000-01-01", "to": "2026-11-01"}, 400, "from"),
        ({"organization": "pos-cilegon", "group_by": "year"}, 400, "group_by"),
    ],
)
def test_bad_scope_or_period_is_a_clear_error(world, client_for, params, status, field):
    response = client_for(world["people"]["platform staff"]).get(REVENUE, params)
    assert response.status_code == status, response.content
    body = response.json()
    assert body["detail"]
    if field:
        assert field in body["errors"]


def test_a_partner_organisation_is_not_a_posyantek_scope(world, client_for):
    partner = OrganizationFactory(kind=Organization.Kind.INDUSTRY, slug="pt-mitra")
    owner = MembershipFactory(organization=partner, role=Role.OWNER).user
    assert client_for(owner).get(SUMMARY, {"organization": "pt-mitra"}).status_code == 404
    assert client_for(owner).get(SUMMARY).status_code == 403
