"""proposals/ through HTTP: who sees and does what (a permission table over WHO), the card,
filters, a query budget on the list, garbage input (400, never a 500, nothing changes) and
illegal moves (409, nothing changes)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mitra.models import Proposal
from orders.models import Order
from tests.mitra.conftest import WHO, client_for, people_of
from tests.mitra.factories import PartnerFactory
from tests.mitra.factories_proposals import delivery, need_for, proposal_status, seller, submit

pytestmark = pytest.mark.django_db

URL = "/api/v1/proposals/"


@pytest.fixture
def shop(regions):
    return seller()


@pytest.fixture
def rival(regions):
    return seller("Posyantek Pulomerak")


@pytest.fixture
def buyers(partner):
    return people_of(partner)


def posyantek_people(shop) -> dict:
    return {"owner": shop.owner, "manager": shop.manager, "staff": shop.staff}


def user_of(people: dict, who: str):
    return None if who == "anonymous" else people[who]


def ids(response) -> set[int]:
    assert response.status_code == 200, response.json()
    return {item["id"] for item in response.json()["results"]}


def body(_need, shop, **extra) -> dict:
    return {
        "need": _need.pk,
        "posyantek": shop.posyantek.slug,
        "lines": [{"product": shop.product.slug, "quantity": 100, "unit_price_amount": 24_000}],
        "payment_terms": "net_14",
        "schedule": "Setiap Senin mulai 5 Januari",
        "message": "Ampas tahu segar.",
        **extra,
    }


# --- Submit -----------------------------------------------------------------------------------


def test_a_posyantek_manager_submits_and_gets_the_card(partner, buyers, shop):
    need = need_for(partner)

    response = client_for(shop.manager).post(URL, body(need, shop), format="json")

    assert response.status_code == 201, response.json()
    card = response.json()
    proposal = Proposal.objects.get()
    assert card["id"] == proposal.pk
    assert card["status"] == "submitted"
    assert card["need"]["id"] == need.pk
    assert card["posyantek"]["slug"] == shop.posyantek.slug
    assert card["lines"] == [
        {
            "product_slug": shop.product.slug,
            "product_name": shop.product.name,
            "selling_unit": "karung 50 kg",
            "quantity": 100,
            "unit_price_amount": 24_000,
            "unit_price_display": "Rp 24.000",
            "total_amount": 2_400_000,
            "total_display": "Rp 2.400.000",
        }
    ]
    assert (card["total_amount"], card["payment_terms"]) == (2_400_000, "net_14")
    assert card["order"] is None and card["partnership_id"] is None
    assert card["next_actions"] == ["withdraw"]
    buyer_view = client_for(buyers["manager"]).get(f"{URL}{proposal.pk}/").json()
    assert buyer_view["next_actions"] == ["accept", "reject"]


@pytest.mark.parametrize("who", ["owner", "manager"])
def test_owners_and_managers_may_propose(partner, shop, who):
    need = need_for(partner)
    user = posyantek_people(shop)[who]
    assert client_for(user).post(URL, body(need, shop), format="json").status_code == 201


@pytest.mark.parametrize("who", WHO)
def test_outsiders_and_posyantek_staff_may_not_propose(partner, shop, regions, who):
    need = need_for(partner)
    people = people_of(shop.posyantek)
    people["staff"] = shop.staff
    if who in ("owner", "manager"):
        return  # covered above
    response = client_for(user_of(people, who)).post(URL, body(need, shop), format="json")
    assert response.status_code in (401, 403, 404), response.json()
    assert not Proposal.objects.exists()


def test_a_partner_cannot_propose_for_its_own_organisation(partner, buyers, shop):
    need = need_for(partner)
    response = client_for(buyers["owner"]).post(
        URL, body(need, shop, posyantek=partner.slug), format="json"
    )
    assert response.status_code == 403
    assert not Proposal.objects.exists()


GARBAGE = [
    {"need": "abc"},
    {"need": ["1"]},
    {"need": 10**30},
    {"posyantek": "a\x00b"},
    {"posyantek": ["x"]},
    {"lines": "x"},
    {"lines": [{"product": "x", "quantity": "many", "unit_price_amount": 1}]},
    {"lines": [{"product": "x", "quantity": 10**30, "unit_price_amount": 1}]},
    {"lines": [{"product": "x", "quantity": 1, "unit_price_amount": -5}]},
    {"lines": [{"product": "x\x00", "quantity": 1, "unit_price_amount": 1}]},
    {"lines": [None]},
    {"lines": [["x", 1, 1]]},
    {"lines": []},
    {"fee_amount": "lots"},
    {"payment_terms": "net_90"},
    {"schedule": "x" * 301},
    {"message": "a\x00b"},
    {"status": "accepted"},
]


@pytest.mark.parametrize("change", GARBAGE)
def test_garbage_is_a_400_and_nothing_is_saved(partner, shop, change):
    need = need_for(partner)
    data = {**body(need, shop), **change}
    if "lines" in change and change["lines"] and isinstance(change["lines"][0], dict):
        data["lines"][0].setdefault("product", shop.product.slug)
    response = client_for(shop.manager).post(URL, data, format="json")
    assert response.status_code == 400, response.content
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("raw", ["[]", "null", '"x"', "1", "{bad json"])
def test_a_body_that_is_not_an_object_is_a_400(partner, shop, raw):
    response = client_for(shop.manager).post(URL, raw, content_type="application/json")
    assert response.status_code == 400
    assert not Proposal.objects.exists()


def test_a_second_proposal_is_a_409(partner, shop):
    need = need_for(partner)
    client = client_for(shop.manager)
    assert client.post(URL, body(need, shop), format="json").status_code == 201
    assert client.post(URL, body(need, shop), format="json").status_code == 409
    assert Proposal.objects.count() == 1


def test_an_unknown_or_draft_need_is_a_404(partner, shop):
    draft = need_for(partner, status="draft")
    client = client_for(shop.manager)
    assert client.post(URL, body(draft, shop), format="json").status_code == 404
    unknown = {**body(draft, shop), "need": 999999}
    assert client.post(URL, unknown, format="json").status_code == 404


# --- Who sees what ----------------------------------------------------------------------------


def test_each_side_sees_only_its_own(partner, buyers, shop, rival, regions):
    need = need_for(partner)
    mine, theirs = submit(need, shop), submit(need, rival)
    elsewhere = submit(need_for(PartnerFactory()), rival)  # another partner's need

    for who in ("owner", "manager", "staff"):
        assert ids(client_for(buyers[who]).get(URL)) == {mine.pk, theirs.pk}, who
    assert ids(client_for(buyers["platform_staff"]).get(URL)) == {
        mine.pk,
        theirs.pk,
        elsewhere.pk,
    }
    for user in (shop.owner, shop.manager, shop.staff):
        assert ids(client_for(user).get(URL)) == {mine.pk}
    assert ids(client_for(rival.staff).get(URL)) == {theirs.pk, elsewhere.pk}
    for who in ("other", "dinas"):
        assert ids(client_for(buyers[who]).get(URL)) == set()
    assert client_for(None).get(URL).status_code in (401, 403)


@pytest.mark.parametrize("who", WHO)
def test_reading_one_proposal(partner, buyers, shop, who):
    proposal = submit(need_for(partner), shop)
    response = client_for(user_of(buyers, who)).get(f"{URL}{proposal.pk}/")
    expected = 200 if who in ("owner", "manager", "staff", "platform_staff") else 404
    if who == "anonymous":
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == expected


def test_filters(partner, buyers, shop, rival):
    first, second = need_for(partner), need_for(partner)
    a = submit(first, shop)
    b = submit(second, rival)
    client = client_for(buyers["owner"])
    assert ids(client.get(URL, {"need": first.pk})) == {a.pk}
    assert ids(client.get(URL, {"organization": rival.posyantek.slug})) == {b.pk}
    assert ids(client.get(URL, {"organization": partner.slug})) == {a.pk, b.pk}
    client_for(rival.manager).post(f"{URL}{b.pk}/withdraw/")
    assert ids(client.get(URL, {"status": "withdrawn"})) == {b.pk}
    for bad in ({"need": "x"}, {"status": "nope"}, {"need": "99999999999999999999999"}):
        assert client.get(URL, bad).status_code == 400


def test_the_list_reads_in_a_fixed_number_of_queries(partner, buyers, regions):
    def count() -> int:
        client = client_for(buyers["owner"])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    submit(need_for(partner), seller("Posyantek A"))
    few = count()
    for name in ("B", "C", "D", "E"):
        submit(need_for(partner), seller(f"Posyantek {name}"))
    assert count() == few
    assert few <= 12


# --- Moves ------------------------------------------------------------------------------------


MOVES = {
    "accept": lambda: delivery(),
    "reject": lambda: {"reason": "Terlalu mahal"},
    "withdraw": lambda: {},
}
ALLOWED = {
    "accept": {"partner:owner", "partner:manager"},
    "reject": {"partner:owner", "partner:manager"},
    "withdraw": {"posyantek:owner", "posyantek:manager"},
}


@pytest.mark.parametrize("move", list(MOVES))
@pytest.mark.parametrize(
    "who",
    [f"partner:{w}" for w in WHO] + ["posyantek:owner", "posyantek:manager", "posyantek:staff"],
)
def test_permission_table_of_the_moves(partner, buyers, shop, move, who):
    proposal = submit(need_for(partner), shop)
    side, role = who.split(":")
    user = user_of(buyers, role) if side == "partner" else posyantek_people(shop)[role]

    response = client_for(user).post(f"{URL}{proposal.pk}/{move}/", MOVES[move](), format="json")

    if who in ALLOWED[move]:
        assert response.status_code == 200, response.json()
        expected = {"accept": "accepted", "reject": "rejected", "withdraw": "withdrawn"}
        assert proposal_status(proposal) == expected[move]
    else:
        assert response.status_code in (401, 403, 404), response.content
        assert proposal_status(proposal) == "submitted"
        assert not Order.objects.exists()


def test_accept_through_the_api_places_the_order(partner, buyers, shop):
    need = need_for(partner)
    proposal = submit(need, shop, payment_terms="net_14")

    response = client_for(buyers["manager"]).post(
        f"{URL}{proposal.pk}/accept/", delivery(payment_terms="net_14"), format="json"
    )

    assert response.status_code == 200, response.json()
    card = response.json()
    order = Order.objects.get()
    assert card["status"] == "accepted"
    assert card["order"] == {"id": order.pk, "number": order.number, "status": "placed_on_terms"}
    assert card["next_actions"] == []
    need.refresh_from_db()
    assert need.status == "fulfilled"


@pytest.mark.parametrize(
    "change",
    [
        {"payment_terms": "net_30"},
        {"payment_terms": "weekly"},
        {"contact_name": ["x"]},
        {"village": "a\x00b"},
        {"shipping_method": "teleport"},
        {"payment_method": 5},
        {"contact_phone": ""},
    ],
)
def test_bad_accepts_are_a_400_and_change_nothing(partner, buyers, shop, change):
    proposal = submit(need_for(partner), shop)
    response = client_for(buyers["manager"]).post(
        f"{URL}{proposal.pk}/accept/", delivery(**change), format="json"
    )
    assert response.status_code == 400, response.content
    assert proposal_status(proposal) == "submitted"
    assert not Order.objects.exists()


def test_accept_without_stock_is_a_409_and_changes_nothing(partner, buyers, shop):
    proposal = submit(need_for(partner), shop, quantity=300)  # 200 in stock
    response = client_for(buyers["manager"]).post(
        f"{URL}{proposal.pk}/accept/", delivery(), format="json"
    )
    assert response.status_code == 409
    assert proposal_status(proposal) == "submitted"
    assert not Order.objects.exists()


@pytest.mark.parametrize("move", list(MOVES))
def test_moves_on_a_decided_proposal_are_a_409(partner, buyers, shop, move):
    proposal = submit(need_for(partner), shop)
    client_for(shop.manager).post(f"{URL}{proposal.pk}/withdraw/")
    user = shop.manager if move == "withdraw" else buyers["manager"]
    response = client_for(user).post(f"{URL}{proposal.pk}/{move}/", MOVES[move](), format="json")
    assert response.status_code == 409
    assert proposal_status(proposal) == "withdrawn"


def test_garbage_ids_are_a_404(buyers):
    client = client_for(buyers["owner"])
    for pk in ("0", "99999999999999999999999"):
        assert client.get(f"{URL}{pk}/").status_code == 404
    assert client.post(f"{URL}99999/accept/", delivery(), format="json").status_code == 404


def test_the_schema_documents_proposals(db):
    response = client_for(None).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/proposals/{id}/accept/" in response.content
