"""needs/{id}/matches/ and the query budgets of the needs API: the ranked Posyantek with their
cards and reasons in the request's language, seen whole only by the need's organisation and
platform staff (a Posyantek sees its own match); lists cost the same number of queries for 3
and for 30 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.models import Role
from tests.factories import MembershipFactory, OrganizationFactory, ProductFactory
from tests.mitra.conftest import client_for
from tests.mitra.factories import MatchFactory, NeedFactory, PartnerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/needs/"


@pytest.fixture
def explain_in_language(monkeypatch, matching_module):
    """explain() stood in for: the active language and the match's score, so the test sees
    that the reasons are rendered in the request's language."""

    def explain(match, *, need):
        return [translation.get_language(), f"skor {match.score}"]

    monkeypatch.setattr(matching_module, "explain", explain)


def rank(need, count: int, *, with_products: bool = True) -> list:
    matches = []
    for position in range(1, count + 1):
        posyantek = OrganizationFactory(district_id="36.72.07" if position % 2 else "64.71.03")
        product = (
            ProductFactory(seller=posyantek, kind="byproduct", selling_unit="karung 50 kg")
            if with_products and position % 3
            else None
        )
        matches.append(
            MatchFactory(
                need=need,
                posyantek=posyantek,
                product=product,
                rank=position,
                score=100 - position,
                components={"category": 1.0, "distance": 0.5},
            )
        )
    return matches


def test_the_organisation_sees_every_match_ranked_with_reasons(
    regions, make_need, people, explain_in_language
):
    need = make_need()
    first, second, third = rank(need, 3)

    response = client_for(people["staff"]).get(f"{URL}{need.pk}/matches/")

    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [m["rank"] for m in results] == [1, 2, 3]
    assert [m["posyantek"]["slug"] for m in results] == [
        first.posyantek.slug,
        second.posyantek.slug,
        third.posyantek.slug,
    ]
    card = results[0]
    assert card["score"] == 99
    assert card["components"] == {"category": 1.0, "distance": 0.5}
    assert card["explanation"] == ["id", "skor 99"]
    assert card["posyantek"]["place"]["district"] == "36.72.07"
    assert card["posyantek"]["place"]["regency_name"]
    assert card["posyantek"]["whatsapp_url"].startswith("https://wa.me/6281234567890?text=")
    assert card["product"] == {
        "slug": first.product.slug,
        "name": first.product.name,
        "kind": "byproduct",
        "price_amount": first.product.price_amount,
        "price_display": "Rp 4.500.000",
        "selling_unit": "karung 50 kg",
    }
    assert results[2]["product"] is None


def test_the_reasons_follow_the_requests_language(regions, make_need, people, explain_in_language):
    need = make_need()
    rank(need, 1)

    english = client_for(people["owner"]).get(f"{URL}{need.pk}/matches/", HTTP_ACCEPT_LANGUAGE="en")

    assert english.json()["results"][0]["explanation"] == ["en", "skor 99"]


def test_the_real_explanation_in_english_and_indonesian(regions, make_need, people):
    from mitra.matching import scoring

    need = make_need()
    (match,) = rank(need, 1)
    match.facts = {
        scoring.CATEGORY: {"relation": "same"},
        scoring.DISTANCE: {"level": "regency"},
        "certifications": ["npp"],
    }
    match.save(update_fields=["facts"])
    client = client_for(people["owner"])

    english = client.get(f"{URL}{need.pk}/matches/", HTTP_ACCEPT_LANGUAGE="en")
    indonesian = client.get(f"{URL}{need.pk}/matches/")

    assert english.json()["results"][0]["explanation"] == [
        "Same category",
        "same regency",
        "NPP valid",
    ]
    assert indonesian.json()["results"][0]["explanation"] == [
        "Kategori sama",
        "satu kabupaten/kota",
        "NPP berlaku",
    ]


@pytest.mark.parametrize("who", ["owner", "manager", "staff", "platform_staff"])
def test_who_sees_every_match(regions, make_need, people, explain_in_language, who):
    need = make_need()
    rank(need, 2)

    response = client_for(people[who]).get(f"{URL}{need.pk}/matches/")

    assert response.status_code == 200
    assert response.json()["count"] == 2


@pytest.mark.parametrize("who", ["other", "dinas"])
def test_others_see_no_matches(regions, make_need, people, explain_in_language, who):
    need = make_need()
    rank(need, 2)

    response = client_for(people[who]).get(f"{URL}{need.pk}/matches/")

    assert response.status_code == 403
    assert "results" not in response.json()


def test_anonymous_sees_no_matches(regions, make_need, explain_in_language):
    need = make_need()
    rank(need, 1)
    assert client_for(None).get(f"{URL}{need.pk}/matches/").status_code in (401, 403)


def test_a_posyantek_member_sees_its_own_match_only(regions, make_need, explain_in_language):
    need = make_need()
    _first, second = rank(need, 2)
    member = MembershipFactory(organization=second.posyantek, role=Role.STAFF).user

    response = client_for(member).get(f"{URL}{need.pk}/matches/")

    assert response.status_code == 200
    assert [m["posyantek"]["slug"] for m in response.json()["results"]] == [second.posyantek.slug]


def test_the_matches_of_a_draft_are_a_404_outside_its_organisation(
    regions, make_need, people, explain_in_language
):
    need = make_need(status="draft")
    (match,) = rank(need, 1)
    member = MembershipFactory(organization=match.posyantek, role=Role.OWNER).user

    for user in (people["other"], member):
        assert client_for(user).get(f"{URL}{need.pk}/matches/").status_code == 404


# --- Query budgets ------------------------------------------------------------------------------


def count_queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.json()
    return len(queries)


def test_matches_cost_the_same_for_3_and_for_30(regions, people, partner, category):
    small = NeedFactory(organization=partner, category=category)
    large = NeedFactory(organization=partner, category=category)
    rank(small, 3)
    rank(large, 30)
    client = client_for(people["owner"])

    few = count_queries(client, f"{URL}{small.pk}/matches/", {"page_size": 50})
    many = count_queries(client, f"{URL}{large.pk}/matches/", {"page_size": 50})

    assert few == many
    assert many <= 8


def test_a_posyantek_members_matches_cost_the_same_too(regions, make_need):
    small, large = make_need(), make_need()
    rank(small, 3)
    rank(large, 30)
    posyantek = OrganizationFactory()
    member = MembershipFactory(organization=posyantek, role=Role.OWNER).user
    MatchFactory(need=small, posyantek=posyantek, rank=4)
    MatchFactory(need=large, posyantek=posyantek, rank=31)
    client = client_for(member)

    assert count_queries(client, f"{URL}{small.pk}/matches/") == count_queries(
        client, f"{URL}{large.pk}/matches/"
    )


@pytest.mark.parametrize("who", ["anonymous", "other", "owner"])
def test_the_board_costs_the_same_for_3_and_for_30(regions, people, category, who):
    user = None if who == "anonymous" else people[who]
    client = client_for(user)

    def needs(count: int) -> None:
        for _index in range(count):
            # Each from its own partner: the caller's roles are read at once, not per need.
            partner = PartnerFactory()
            NeedFactory(organization=partner, category=category)
            if user is not None:
                MembershipFactory(organization=partner, user=user, role=Role.MANAGER)

    needs(3)
    few = count_queries(client, URL, {"page_size": 50})
    needs(27)
    many = count_queries(client, URL, {"page_size": 50})

    assert few == many
    assert many <= 6


def test_the_desk_costs_the_same_for_3_and_for_30(regions, people, partner, make_need):
    client = client_for(people["owner"])
    params = {"organization": partner.slug, "page_size": 50}
    for status in ("draft", "open", "closed"):
        make_need(status=status)
    few = count_queries(client, URL, params)
    for index in range(27):
        make_need(status=("draft", "open", "expired")[index % 3])
    many = count_queries(client, URL, params)

    assert few == many
    filtered_few = count_queries(client, URL, {**params, "status": "draft", "category": "x"})
    assert filtered_few <= many + 1


def test_partner_members_cannot_list_another_partners_matches_by_id(regions, make_need):
    need = make_need()
    rank(need, 1)
    other_partner = PartnerFactory()
    stranger = MembershipFactory(organization=other_partner, role=Role.OWNER).user

    assert client_for(stranger).get(f"{URL}{need.pk}/matches/").status_code == 403
