"""Partnerships API: who may see and do what (a table over WHO, both sides), every transition
legal and illegal through HTTP with the database checked afterwards, garbage input never a
500, milestones, and a query budget on the list."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from mitra.models import Milestone, Partnership, PartnershipEvent
from mitra.services import partnerships as services
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.mitra.conftest import client_for
from tests.mitra.factories_partnerships import Clock, deal_build, order_details, recurring_data, wib

pytestmark = pytest.mark.django_db

URL = "/api/v1/partnerships/"
MON = datetime.date(2027, 3, 1)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, wib(2027, 3, 1, 8, 0))


@pytest.fixture
def deal(regions):
    return deal_build()


def research(deal, **changes) -> dict:
    data = {
        "organization": deal.posyantek.slug,
        "with": deal.partner.slug,
        "kind": "research",
        "title": "Uji pengering ampas tahu",
        "start_date": "2027-03-10",
        "milestones": [{"title": "Prototipe", "due_date": "2027-05-01"}],
    }
    data.update(changes)
    return data


def proposed(deal) -> Partnership:
    data = research(deal)
    data.pop("organization")
    return services.partnership_propose(
        organization=deal.posyantek, actor=deal.posyantek_manager, data=data
    )


def person(deal, who: str):
    """WHO from the partner's side (the side that answers the Posyantek's proposal)."""
    people = {
        "owner": deal.partner_owner,
        "manager": deal.partner_manager,
        "staff": deal.partner_staff,
        "other": deal.stranger,
        "platform_staff": deal.platform,
        "anonymous": None,
    }
    if who == "dinas":
        dinas = OrganizationFactory(kind="government", jurisdiction="36.72")
        return MembershipFactory(organization=dinas, role=Role.OWNER).user
    return people[who]


# --- Seeing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, listed, detail",
    [
        ("owner", 1, 200),
        ("manager", 1, 200),
        ("staff", 1, 200),
        ("other", 0, 404),
        ("dinas", 0, 404),
        ("platform_staff", 1, 200),
        ("anonymous", None, 401),
    ],
)
def test_who_sees_a_partnership(deal, clock, who, listed, detail):
    partnership = proposed(deal)
    client = client_for(person(deal, who))
    response = client.get(URL)
    if listed is None:
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 200
        assert response.json()["count"] == listed
    response = client.get(f"{URL}{partnership.pk}/")
    assert response.status_code in ((401, 403) if detail == 401 else (detail,))


def test_the_detail_shows_the_agreement_and_the_callers_next_actions(deal, clock):
    partnership = proposed(deal)
    body = client_for(deal.partner_manager).get(f"{URL}{partnership.pk}/").json()
    assert body["status"] == "proposed"
    assert body["partner"]["slug"] == deal.partner.slug
    assert body["posyantek"]["whatsapp_url"].startswith("https://wa.me/")
    assert body["next_actions"] == ["accept", "decline", "milestones"]
    assert [m["title"] for m in body["milestones"]] == ["Prototipe"]
    assert [e["kind"] for e in body["events"]] == ["status", "consent"]
    assert body["orders"] == [] and body["supply_periods"] == []
    mine = client_for(deal.posyantek_manager).get(f"{URL}{partnership.pk}/").json()
    assert mine["next_actions"] == ["cancel", "milestones"]
    staff = client_for(deal.partner_staff).get(f"{URL}{partnership.pk}/").json()
    assert staff["next_actions"] == []


def test_filters_and_a_fixed_number_of_queries(deal, clock):
    for _ in range(2):
        proposed(deal)
    services.partnership_accept(partnership=proposed(deal), actor=deal.partner_owner)
    client = client_for(deal.partner_manager)
    assert client.get(URL, {"status": "active"}).json()["count"] == 1
    assert client.get(URL, {"kind": "supply"}).json()["count"] == 0
    assert client.get(URL, {"organization": deal.posyantek.slug}).json()["count"] == 3
    assert client.get(URL, {"status": "bogus"}).status_code == 400
    assert client.get(URL, {"kind": ["x", "y"]}).status_code == 400
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for _ in range(5):
        proposed(deal)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert response.json()["count"] == 8
    assert len(many) == len(few) <= 8


# --- Proposing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, code",
    [
        ("owner", 201),
        ("manager", 201),
        ("staff", 403),
        ("other", 403),
        ("platform_staff", 403),
        ("anonymous", 401),
    ],
)
def test_who_may_propose_for_the_partner(deal, clock, who, code):
    data = research(deal, organization=deal.partner.slug, **{"with": deal.posyantek.slug})
    response = client_for(person(deal, who)).post(URL, data, format="json")
    if code == 401:
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == code, response.json()
    assert Partnership.objects.count() == (1 if code == 201 else 0)


def test_a_partner_proposes_a_recurring_supply_with_the_organisation_in_the_query(deal, clock):
    data = recurring_data(deal, start=MON)
    response = client_for(deal.partner_manager).post(
        f"{URL}?organization={deal.partner.slug}", data, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["frequency"] == "weekly"
    assert body["lines"][0]["total_amount"] == 20 * 55_000
    assert body["lines"][0]["unit_price_display"] == "Rp 55.000"
    assert Partnership.objects.get().ordered_by == deal.partner_manager


@pytest.mark.parametrize(
    "body",
    [
        [],
        "teks",
        {"organization": None},
        {"organization": ["a"]},
        {"organization": "a\x00b"},
        {"organization": "x" * 500},
    ],
)
def test_garbage_bodies_are_400_or_404_never_500(deal, clock, body):
    response = client_for(deal.partner_manager).post(URL, body, format="json")
    assert response.status_code in (400, 404)
    assert not Partnership.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"with": 12},
        {"with": None},
        {"kind": ["supply"]},
        {"title": {"a": 1}},
        {"title": "x" * 5000},
        {"title": "a\x00b"},
        {"start_date": "kemarin"},
        {"start_date": "9" * 100},
        {"start_date": None},
        {"end_date": 20270101},
        {"milestones": {"title": "x"}},
        {"milestones": [None]},
        {"milestones": [{"title": "x", "due_date": "2027-13-01"}]},
        {"lines": [{"product": "x", "quantity": "banyak"}]},
        {"terms": 5},
        {"frequency": "weekly"},
        {"kind": "supply", "frequency": "weekly", "lines": [{"product": {}, "quantity": 1}]},
    ],
)
def test_bad_values_are_400_by_field(deal, clock, changes):
    response = client_for(deal.posyantek_manager).post(
        URL, research(deal, **changes), format="json"
    )
    assert response.status_code == 400, response.content
    assert not Partnership.objects.exists()


# --- Answering --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, code",
    [
        ("owner", 200),
        ("manager", 200),
        ("staff", 403),
        ("other", 404),
        ("platform_staff", 403),
        ("anonymous", 401),
    ],
)
@pytest.mark.parametrize("action", ["accept", "decline"])
def test_who_may_answer_a_proposal(deal, clock, who, code, action):
    partnership = proposed(deal)
    response = client_for(person(deal, who)).post(f"{URL}{partnership.pk}/{action}/", {})
    if code == 401:
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == code
    partnership.refresh_from_db()
    expected = {"accept": "active", "decline": "declined"}[action] if code == 200 else "proposed"
    assert partnership.status == expected


def test_the_proposer_cannot_accept_its_own_proposal_but_may_cancel_it(deal, clock):
    partnership = proposed(deal)
    client = client_for(deal.posyantek_owner)
    assert client.post(f"{URL}{partnership.pk}/accept/").status_code == 403
    assert client.post(f"{URL}{partnership.pk}/decline/").status_code == 403
    assert client_for(deal.partner_owner).post(f"{URL}{partnership.pk}/cancel/").status_code == 403
    response = client.post(f"{URL}{partnership.pk}/cancel/", {"note": "Ditunda"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert partnership.events.get(to_status="cancelled").note == "Ditunda"


TRANSITIONS = {
    # status → {action: expected status code}
    "proposed": {"complete": 409, "terminate": 409},
    "active": {"accept": 409, "decline": 409, "complete": 200},
    "declined": {"accept": 409, "complete": 409, "terminate": 409},
    "completed": {"terminate": 409, "complete": 409},
}


def _in_status(deal, status: str) -> Partnership:
    partnership = proposed(deal)
    if status in ("active", "completed"):
        services.partnership_accept(partnership=partnership, actor=deal.partner_owner)
    if status == "declined":
        services.partnership_decline(partnership=partnership, actor=deal.partner_owner)
    if status == "completed":
        services.partnership_complete(partnership=partnership, actor=deal.partner_owner)
    return partnership


@pytest.mark.parametrize(
    "status, action, code",
    [(s, a, c) for s, moves in TRANSITIONS.items() for a, c in moves.items()],
)
def test_every_move_from_every_status(deal, clock, status, action, code):
    partnership = _in_status(deal, status)
    events = partnership.events.count()
    # The partner's owner may answer (the Posyantek proposed) and manage; the guard is the
    # status, except for answering moves once the proposal is over (no longer "proposed").
    response = client_for(deal.partner_owner).post(f"{URL}{partnership.pk}/{action}/")
    if code == 409 and action in ("accept", "decline") and status != "proposed":
        assert response.status_code in (403, 409)
    else:
        assert response.status_code == code, response.json()
    partnership.refresh_from_db()
    if code != 200:
        assert partnership.status == status
        assert partnership.events.count() == events


def test_terminate_from_active_by_the_posyantek(deal, clock):
    partnership = _in_status(deal, "active")
    response = client_for(deal.posyantek_manager).post(f"{URL}{partnership.pk}/terminate/")
    assert response.status_code == 200
    event = PartnershipEvent.objects.get(partnership=partnership, to_status="terminated")
    assert event.organization == deal.posyantek


def test_accepting_a_recurring_supply_from_the_posyantek_takes_the_partners_details(deal, clock):
    data = recurring_data(deal, start=MON, organization=deal.posyantek.slug)
    data["with"] = deal.partner.slug
    data.pop("order_details")
    response = client_for(deal.posyantek_manager).post(URL, data, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    client = client_for(deal.partner_manager)
    assert client.post(f"{URL}{pk}/accept/", {}, format="json").status_code == 400
    bad = client.post(f"{URL}{pk}/accept/", {"order_details": "x"}, format="json")
    assert bad.status_code == 400
    good = client.post(
        f"{URL}{pk}/accept/", {"order_details": order_details(deal.posyantek)}, format="json"
    )
    assert good.status_code == 200, good.json()
    assert Partnership.objects.get(pk=pk).status == "active"


def test_unknown_ids_are_404(deal, clock):
    client = client_for(deal.partner_owner)
    assert client.get(f"{URL}999999/").status_code == 404
    assert client.post(f"{URL}999999/accept/").status_code == 404
    assert client.get(f"{URL}99999999999999999999999/").status_code == 404


# --- Milestones -------------------------------------------------------------------------------


def test_milestones_through_the_api(deal, clock):
    partnership = _in_status(deal, "active")
    url = f"{URL}{partnership.pk}/milestones/"
    client = client_for(deal.partner_manager)
    response = client.post(url, {"title": "Laporan", "due_date": "2027-08-01"}, format="json")
    assert response.status_code == 201
    mid = response.json()["id"]
    assert [m["title"] for m in client.get(url).json()] == ["Prototipe", "Laporan"]
    done = client.patch(f"{url}{mid}/", {"done": True}, format="json")
    assert done.status_code == 200 and done.json()["done"] is True
    assert Milestone.objects.get(pk=mid).done_by == deal.partner_manager
    assert client.patch(f"{url}{mid}/", {"done": "mungkin"}, format="json").status_code == 400
    assert client.patch(f"{url}{mid}/", [], format="json").status_code == 400
    assert client.patch(f"{url}999999/", {"done": True}, format="json").status_code == 404
    assert client.post(url, {"title": "x", "due_date": "x"}, format="json").status_code == 400
    undo = client.patch(f"{url}{mid}/", {"done": False}, format="json")
    assert undo.json()["done"] is False
    # Who may: staff members see but do not tick; strangers do not see.
    assert client_for(deal.partner_staff).get(url).status_code == 200
    assert (
        client_for(deal.partner_staff).patch(f"{url}{mid}/", {"done": True}, format="json")
    ).status_code == 403
    assert client_for(UserFactory()).get(url).status_code == 404
    assert client_for(deal.platform).post(url, {"title": "x"}, format="json").status_code == 403


# --- Regressions from review ------------------------------------------------------------------


def _supply_body(deal, **changes):
    data = {
        "organization": deal.posyantek.slug,
        "with": deal.partner.slug,
        "kind": "supply",
        "title": "Ampas tahu setiap Senin",
        "start_date": "2027-03-10",
        "frequency": "weekly",
        "weekday": 0,
        "lines": [{"product": deal.product.slug, "quantity": 5}],
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "changes",
    [
        {"weekday": "²"},  # str.isdigit() is true, int() is not
        {"frequency": "monthly", "weekday": None, "day_of_month": "٣"},
        {"lines": [{"product": "x", "quantity": "²"}]},
        {"with": "a\x00b"},  # PostgreSQL text cannot hold NUL
        {"lines": [{"product": "a\x00b", "quantity": 1}]},
        {"lines": [{"product": "x", "quantity": 1_000_000, "unit_price_amount": 10**12}]},
    ],
)
def test_odd_numbers_and_nul_bytes_are_a_400_not_a_500(clock, deal, changes):
    before = Partnership.objects.count()
    response = client_for(deal.posyantek_manager).post(
        URL, _supply_body(deal, **changes), format="json"
    )
    assert response.status_code == 400, response.content
    assert Partnership.objects.count() == before


def test_a_period_too_large_for_one_order_is_refused(clock, deal):
    body = _supply_body(
        deal,
        lines=[{"product": deal.product.slug, "quantity": 1_000_000, "unit_price_amount": 10**10}],
    )
    response = client_for(deal.posyantek_manager).post(URL, body, format="json")
    assert response.status_code == 400
    assert "lines" in response.json()["errors"]


def test_only_the_cleaned_delivery_details_are_stored(clock, deal):
    """Other Posyantek's shipping entries (even a NUL-bearing key) are dropped; the phone is
    stored normalised."""
    details = order_details(deal.posyantek)
    details["shipping"] = {deal.posyantek.slug: "pickup", "zz\x00": "pickup"}
    details["contact_phone"] = "0812-3456-7890"
    data = recurring_data(deal, start=datetime.date(2027, 3, 8), order_details=details)
    data["organization"] = deal.partner.slug
    response = client_for(deal.partner_manager).post(URL, data, format="json")
    assert response.status_code == 201, response.content
    stored = Partnership.objects.get(pk=response.json()["id"]).order_details
    assert stored["shipping"] == {deal.posyantek.slug: "pickup"}
    assert stored["contact_phone"] == "6281234567890"
