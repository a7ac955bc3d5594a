"""The partner-need pages: the board, a need's page with its matches, the new and edit forms,
publishing and closing, the partner's desk and the Posyantek's fitting needs — each with
success, anonymous, another organisation, too low a role, platform staff and bad input,
asserting the status, the redirect and the database (not the wording, except Rupiah and
numbers)."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization, Role
from mitra import services
from mitra.models import Match, Need, NeedEvent
from regions.models import District
from tests.factories import (
    CategoryFactory,
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BACKEND = "accounts.backends.EmailBackend"
S = Need.Status


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend=BACKEND)
    return client


@pytest.fixture(autouse=True)
def _plain_explanations(monkeypatch):
    """The pages join the matching engine's reasons; here they are fixed words (the engine's
    own wording is tested with it), except where a test uses the real one."""
    monkeypatch.setattr(
        "mitra.views.explain", lambda match, *, need: [f"alasan {match.rank}", "satu kabupaten"]
    )


@pytest.fixture
def field(db):
    return CategoryFactory(parent=None, slug="peternakan-uji", name="Peternakan (uji)")


@pytest.fixture
def feed(field):
    return CategoryFactory(parent=field, slug="produk-samping-uji", name="Produk samping (uji)")


@pytest.fixture
def fish(db):
    return CategoryFactory(slug="perikanan-uji", name="Perikanan (uji)")


@pytest.fixture
def partner(regions):
    return OrganizationFactory(
        kind="industry",
        name="PT Mitra Pakan Cilegon",
        slug="mpc",
        code="MPC",
        district=District.objects.get(code="36.72.04"),
        whatsapp="6281234560002",
    )


@pytest.fixture
def posyantek(regions):
    return OrganizationFactory(name="Posyantek Kecamatan Purwakarta", slug="pwk", code="PWK")


@pytest.fixture
def rival(regions):
    return OrganizationFactory(
        name="Posyantek Mitra Pantura",
        slug="mpn",
        code="MPN",
        district=District.objects.get(code="33.75.03"),
    )


@pytest.fixture
def people(partner, posyantek):
    other = OrganizationFactory(kind="university", name="Kampus Lain", slug="lain", code="LAIN")
    users = {
        "owner": MembershipFactory(organization=partner, role=Role.OWNER).user,
        "manager": MembershipFactory(organization=partner, role=Role.MANAGER).user,
        "staff": MembershipFactory(organization=partner, role=Role.STAFF).user,
        "other_owner": MembershipFactory(organization=other, role=Role.OWNER).user,
        "posyantek": MembershipFactory(organization=posyantek, role=Role.MANAGER).user,
        "stranger": UserFactory(),
        "platform": UserFactory(is_staff=True),
        "anonymous": None,
    }
    return users


def need_data(category, **extra) -> dict:
    return {
        "kind": "supply",
        "title": "Ampas tahu 5 ton per minggu",
        "description": "Untuk pakan sapi.",
        "category": category,
        "quantity": Decimal("5"),
        "unit": "ton",
        "frequency": "weekly",
        "budget_amount": 4_500_000,
        **extra,
    }


def make_need(partner, actor, category, status=S.DRAFT, **extra) -> Need:
    need = services.need_create(
        organization=partner, actor=actor, data=need_data(category, **extra)
    )
    if status != S.DRAFT:
        Need.objects.filter(pk=need.pk).update(status=status, published_at=timezone.now())
        need.refresh_from_db()
    return need


def add_match(need, posyantek, *, rank, score, product=None) -> Match:
    return Match.objects.create(
        need=need,
        posyantek=posyantek,
        product=product,
        rank=rank,
        score=score,
        components={"category": 1.0},
        facts={},
    )


def form_data(category, **overrides) -> dict:
    data = {
        "direction": "need",
        "kind": "supply",
        "title": "Ampas tahu 5 ton per minggu",
        "description": "Pasokan rutin untuk pabrik pakan.",
        "category": category.pk,
        "quantity": "2,5",
        "unit": "ton",
        "frequency": "weekly",
        "budget_amount": "Rp 4.500.000",
        "required_certifications": ["npp", "halal"],
        "delivery_district_province": "36",
        "delivery_district_regency": "36.72",
        "delivery_district_district": "36.72.07",
        "deadline": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def snapshot() -> tuple:
    return (
        sorted(Need.objects.values_list("pk", "status", "title", "updated_at")),
        NeedEvent.objects.count(),
    )


# --- The board ----------------------------------------------------------------------------------


def test_board_lists_open_needs_with_their_facts_and_not_drafts(partner, people, feed):
    owner = people["owner"]
    open_need = make_need(partner, owner, feed, status=S.OPEN)
    discussed = make_need(partner, owner, feed, status=S.IN_DISCUSSION, title="Dedak 1 ton")
    draft = make_need(partner, owner, feed, title="Rahasia")
    closed = make_need(partner, owner, feed, status=S.CLOSED, title="Lama")

    response = Client().get(reverse("mitra:board"))

    assert response.status_code == 200
    shown = [need.pk for need in response.context["page"].object_list]
    assert set(shown) == {open_need.pk, discussed.pk}
    assert draft.pk not in shown and closed.pk not in shown
    body = response.content.decode()
    assert "Rp 4.500.000" in body
    assert "PT Mitra Pakan Cilegon" in body
    assert f'data-need="{open_need.pk}"' in body
    assert reverse("mitra:detail", args=[open_need.pk]) in body


def test_board_hides_needs_of_an_unverified_organisation(partner, people, feed):
    need = make_need(partner, people["owner"], feed, status=S.OPEN)
    Organization.objects.filter(pk=partner.pk).update(verification_status="pending")

    response = Client().get(reverse("mitra:board"))

    assert need.pk not in [n.pk for n in response.context["page"].object_list]


def test_board_filters_by_kind_direction_category_and_province(partner, people, feed, fish):
    owner = people["owner"]
    supply = make_need(partner, owner, feed, status=S.OPEN)
    offer = make_need(
        partner,
        owner,
        fish,
        status=S.OPEN,
        title="Riset pengering ikan",
        kind="research",
        direction="offer",
        quantity=None,
        unit="",
        budget_amount=None,
    )
    kaltim = make_need(
        partner,
        owner,
        fish,
        status=S.OPEN,
        title="Pengering ikan",
        kind="technology",
        quantity=Decimal("10"),
        unit="unit",
        delivery_district=District.objects.get(code="64.71.03"),
    )
    client = Client()

    def shown(**params):
        response = client.get(reverse("mitra:board"), params)
        assert response.status_code == 200
        return {need.pk for need in response.context["page"].object_list}

    assert shown() == {supply.pk, offer.pk, kaltim.pk}
    assert shown(kind="research") == {offer.pk}
    assert shown(direction="offer") == {offer.pk}
    assert shown(direction="need") == {supply.pk, kaltim.pk}
    # A whole field includes its sub-categories.
    assert shown(category=feed.parent.slug) == {supply.pk}
    assert shown(category=fish.slug) == {offer.pk, kaltim.pk}
    assert shown(province="64") == {kaltim.pk}
    assert shown(province="36", kind="supply") == {supply.pk}


def test_board_with_a_bad_filter_says_so_instead_of_failing(partner, people, feed):
    make_need(partner, people["owner"], feed, status=S.OPEN)

    response = Client().get(reverse("mitra:board"), {"kind": "sihir", "province": "xx"})

    assert response.status_code == 400
    assert response.context["form"].errors


def test_board_is_paginated(partner, people, feed):
    for number in range(23):
        make_need(partner, people["owner"], feed, status=S.OPEN, title=f"Ampas tahu {number}")
    client = Client()

    first = client.get(reverse("mitra:board"))
    second = client.get(reverse("mitra:board"), {"page": 2})

    assert len(first.context["page"].object_list) == 20
    assert len(second.context["page"].object_list) == 3


def test_board_offers_posting_to_owners_and_managers_of_a_partner(partner, people):
    for who, expected in [("owner", True), ("staff", False), ("posyantek", False)]:
        response = client_for(people[who]).get(reverse("mitra:board"))
        assert (b'id="post-need"' in response.content) is expected, who


# --- A need's page ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 200),
        ("manager", 200),
        ("staff", 200),
        ("platform", 200),
        ("other_owner", 404),
        ("posyantek", 404),
        ("stranger", 404),
        ("anonymous", 404),
    ],
)
def test_a_draft_is_seen_only_by_its_organisation_and_staff(partner, people, feed, who, status):
    need = make_need(partner, people["owner"], feed)

    response = client_for(people[who]).get(reverse("mitra:detail", args=[need.pk]))

    assert response.status_code == status


def test_an_open_need_is_public(partner, people, feed):
    need = make_need(partner, people["owner"], feed, status=S.OPEN)

    response = Client().get(reverse("mitra:detail", args=[need.pk]))

    assert response.status_code == 200
    assert response.context["matches"] == []
    assert b"match-list" not in response.content


def test_unknown_need_is_404(db):
    assert Client().get("/mitra/kebutuhan/999999/").status_code == 404
    assert Client().get("/mitra/kebutuhan/99999999999999999999999/").status_code == 404


def test_the_partner_sees_every_match_ranked_with_its_reasons(
    partner, people, feed, posyantek, rival
):
    need = make_need(partner, people["owner"], feed, status=S.OPEN)
    product = ProductFactory(
        seller=posyantek, category=feed, name="Ampas Tahu Basah", kind="byproduct"
    )
    add_match(need, rival, rank=2, score=41)
    add_match(need, posyantek, rank=1, score=87, product=product)

    for who in ("owner", "staff", "platform"):
        response = client_for(people[who]).get(reverse("mitra:detail", args=[need.pk]))
        assert response.status_code == 200
        rows = response.context["matches"]
        assert [row["match"].posyantek.code for row in rows] == ["PWK", "MPN"]
        assert rows[0]["explanation"] == "alasan 1 · satu kabupaten"
        body = response.content.decode()
        assert body.index('data-posyantek="PWK"') < body.index('data-posyantek="MPN"')
        assert 'data-score="87"' in body
        assert "Ampas Tahu Basah" in body
        assert "alasan 1 · satu kabupaten" in body


def test_a_posyantek_member_sees_only_its_own_match(partner, people, feed, posyantek, rival):
    need = make_need(partner, people["owner"], feed, status=S.OPEN)
    add_match(need, rival, rank=1, score=90)
    add_match(need, posyantek, rank=2, score=70)

    response = client_for(people["posyantek"]).get(reverse("mitra:detail", args=[need.pk]))

    assert response.status_code == 200
    assert response.context["matches"] == []
    own = response.context["own_matches"]
    assert [row["match"].posyantek_id for row in own] == [posyantek.pk]
    assert own[0]["explanation"] == "alasan 2 · satu kabupaten"
    assert own[0]["whatsapp_url"].startswith("https://wa.me/6281234560002?text=")
    assert b'data-posyantek="MPN"' not in response.content


def test_other_visitors_see_no_match(partner, people, feed, posyantek):
    need = make_need(partner, people["owner"], feed, status=S.OPEN)
    add_match(need, posyantek, rank=1, score=70)

    for who in ("anonymous", "stranger", "other_owner"):
        response = client_for(people[who]).get(reverse("mitra:detail", args=[need.pk]))
        assert response.context["matches"] == [] and response.context["own_matches"] == []
        assert b"match-row" not in response.content


# --- New need ---------------------------------------------------------------------------------


def create_url(slug: str | None = "mpc") -> str:
    url = reverse("mitra:create")
    return f"{url}?organization={slug}" if slug else url


def test_new_need_form_defaults_to_the_organisations_own_kecamatan(partner, people, feed):
    response = client_for(people["manager"]).get(create_url())

    assert response.status_code == 200
    form = response.context["form"]
    assert form["delivery_district"].value() == "36.72.04"
    assert b'name="required_certifications"' in response.content
    assert b'name="delivery_district_district"' in response.content


def test_manager_posts_a_need_as_a_draft(partner, people, feed):
    manager = people["manager"]

    response = client_for(manager).post(create_url(), form_data(feed))

    need = Need.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("mitra:detail", args=[need.pk])
    assert need.status == S.DRAFT
    assert (need.organization, need.created_by) == (partner, manager)
    assert (need.quantity, need.unit, need.frequency) == (Decimal("2.5"), "ton", "weekly")
    assert need.budget_amount == 4_500_000
    assert sorted(need.required_certifications) == ["halal", "npp"]
    assert need.delivery_district_id == "36.72.07"
    assert need.deadline == timezone.localdate() + datetime.timedelta(days=30)


def test_thousands_dots_in_a_quantity_are_thousands(partner, people, feed):
    client_for(people["owner"]).post(create_url(), form_data(feed, quantity="1.500", unit="kg"))

    assert Need.objects.get().quantity == Decimal("1500")


@pytest.mark.parametrize(
    "overrides",
    [
        {"title": ""},
        {"quantity": None, "unit": ""},  # a supply need says how much
        {"quantity": "lima"},
        {"budget_amount": "-5"},
        {"required_certifications": ["sakti"]},
        {"deadline": "2001-01-01"},
        {"delivery_district_district": None},
    ],
)
def test_bad_input_is_shown_on_the_form_and_nothing_is_saved(partner, people, feed, overrides):
    response = client_for(people["owner"]).post(create_url(), form_data(feed, **overrides))

    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Need.objects.exists()


@pytest.mark.parametrize("who", ["staff", "posyantek"])
def test_who_may_not_post_gets_a_refusal(partner, posyantek, people, feed, who):
    slug = "pwk" if who == "posyantek" else "mpc"

    response = client_for(people[who]).post(create_url(slug), form_data(feed))

    assert response.status_code == 403
    assert not Need.objects.exists()


@pytest.mark.parametrize("who", ["stranger", "other_owner"])
def test_outsiders_cannot_reach_the_form(partner, people, feed, who):
    response = client_for(people[who]).post(create_url(), form_data(feed))

    assert response.status_code == 404
    assert not Need.objects.exists()


def test_anonymous_is_sent_to_log_in(partner, feed):
    response = Client().get(create_url())

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_without_an_organisation_the_form_asks_which_or_says_how(partner, people, feed):
    # One partner organisation: its form directly.
    response = client_for(people["owner"]).get(create_url(None))
    assert response.context["organization"] == partner
    # None: how to get one.
    response = client_for(people["stranger"]).get(create_url(None))
    assert response.status_code == 200
    assert b'id="no-organization"' in response.content
    # Several: a choice.
    second = OrganizationFactory(kind="ngo", slug="lsm", code="LSM")
    MembershipFactory(organization=second, user=people["owner"], role=Role.MANAGER)
    response = client_for(people["owner"]).get(create_url(None))
    assert {o.slug for o in response.context["organizations"]} == {"lsm", "mpc"}


def test_an_unverified_organisation_prepares_a_draft(partner, people, feed):
    Organization.objects.filter(pk=partner.pk).update(verification_status="unverified")

    response = client_for(people["owner"]).post(create_url(), form_data(feed))

    assert response.status_code == 302
    assert Need.objects.get().status == S.DRAFT


# --- Edit -------------------------------------------------------------------------------------


def test_manager_edits_a_need(partner, people, feed):
    need = make_need(partner, people["owner"], feed)
    client = client_for(people["manager"])

    page = client.get(reverse("mitra:edit", args=[need.pk]))
    assert page.context["form"]["budget_amount"].value() == "4.500.000"
    assert page.context["form"]["quantity"].value() == "5"
    response = client.post(
        reverse("mitra:edit", args=[need.pk]),
        form_data(feed, title="Ampas tahu 6 ton per minggu", quantity="6"),
    )

    assert response.status_code == 302
    need.refresh_from_db()
    assert (need.title, need.quantity) == ("Ampas tahu 6 ton per minggu", Decimal("6"))
    assert need.events.filter(kind=NeedEvent.Kind.EDITED).exists()


@pytest.mark.parametrize(("who", "status"), [("staff", 403), ("platform", 403), ("stranger", 404)])
def test_who_may_not_edit(partner, people, feed, who, status):
    need = make_need(partner, people["owner"], feed)
    before = snapshot()

    response = client_for(people[who]).post(
        reverse("mitra:edit", args=[need.pk]), form_data(feed, title="Diubah")
    )

    assert response.status_code == status
    assert snapshot() == before


def test_a_closed_need_cannot_be_edited(partner, people, feed):
    need = make_need(partner, people["owner"], feed, status=S.CLOSED)
    before = snapshot()

    response = client_for(people["owner"]).post(
        reverse("mitra:edit", args=[need.pk]), form_data(feed, title="Diubah")
    )

    assert response.status_code == 409
    assert snapshot() == before


# --- Publish and close ------------------------------------------------------------------------


def test_publishing_opens_the_need_and_computes_its_matches(
    partner, people, feed, posyantek, django_capture_on_commit_callbacks, monkeypatch
):
    from mitra.matching import MatchResult

    need = make_need(partner, people["owner"], feed)
    monkeypatch.setattr(
        "mitra.matching.need_rank",
        lambda need: [MatchResult(posyantek.pk, None, 80, {"category": 1.0}, {})],
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(people["manager"]).post(reverse("mitra:publish", args=[need.pk]))

    assert response.status_code == 302
    assert response.url == reverse("mitra:detail", args=[need.pk])
    need.refresh_from_db()
    assert need.status == S.OPEN and need.published_at is not None
    assert list(need.matches.values_list("posyantek__code", "score")) == [("PWK", 80)]
    page = client_for(people["manager"]).get(response.url)
    assert [row["match"].score for row in page.context["matches"]] == [80]


def test_an_unverified_organisation_cannot_publish_and_is_told_why(partner, people, feed):
    need = make_need(partner, people["owner"], feed)
    Organization.objects.filter(pk=partner.pk).update(verification_status="pending")
    before = snapshot()

    response = client_for(people["owner"]).post(reverse("mitra:publish", args=[need.pk]))

    assert response.status_code == 409
    assert response.context["error"]
    assert b'id="need-error"' in response.content
    assert snapshot() == before


def test_publishing_twice_is_a_409_with_the_services_message(partner, people, feed):
    need = make_need(partner, people["owner"], feed, status=S.OPEN)
    before = snapshot()

    response = client_for(people["owner"]).post(reverse("mitra:publish", args=[need.pk]))

    assert response.status_code == 409
    assert response.context["error"]
    assert snapshot() == before


@pytest.mark.parametrize(("who", "status"), [("staff", 403), ("platform", 403), ("stranger", 404)])
def test_who_may_not_publish(partner, people, feed, who, status):
    need = make_need(partner, people["owner"], feed)
    before = snapshot()

    response = client_for(people[who]).post(reverse("mitra:publish", args=[need.pk]))

    assert response.status_code == status
    assert snapshot() == before


def test_publish_and_close_take_only_posts(partner, people, feed):
    need = make_need(partner, people["owner"], feed)
    client = client_for(people["owner"])

    assert client.get(reverse("mitra:publish", args=[need.pk])).status_code == 405
    assert client.get(reverse("mitra:close", args=[need.pk])).status_code == 405


@pytest.mark.parametrize("who", ["owner", "platform"])
def test_the_partner_or_platform_staff_close_a_need(partner, people, feed, who):
    need = make_need(partner, people["owner"], feed, status=S.OPEN)

    response = client_for(people[who]).post(
        reverse("mitra:close", args=[need.pk]), {"note": "Sudah dapat pemasok."}
    )

    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == S.CLOSED
    assert need.events.last().note == "Sudah dapat pemasok."


@pytest.mark.parametrize(("who", "status"), [("staff", 403), ("stranger", 403), ("posyantek", 403)])
def test_who_may_not_close(partner, people, feed, who, status):
    need = make_need(partner, people["owner"], feed, status=S.OPEN)
    before = snapshot()

    response = client_for(people[who]).post(reverse("mitra:close", args=[need.pk]))

    assert response.status_code == status
    assert snapshot() == before


def test_a_note_too_long_to_keep_closes_nothing(partner, people, feed):
    need = make_need(partner, people["owner"], feed, status=S.OPEN)
    before = snapshot()

    response = client_for(people["owner"]).post(
        reverse("mitra:close", args=[need.pk]), {"note": "x" * 1001}
    )

    assert response.status_code == 400
    assert response.context["error_fields"]
    assert snapshot() == before


def test_closing_a_closed_need_is_a_409(partner, people, feed):
    need = make_need(partner, people["owner"], feed, status=S.CLOSED)
    before = snapshot()

    response = client_for(people["owner"]).post(reverse("mitra:close", args=[need.pk]))

    assert response.status_code == 409
    assert response.context["error"]
    assert snapshot() == before


# --- The partner's desk -----------------------------------------------------------------------


def test_the_desk_shows_every_need_by_status_with_its_next_action(partner, people, feed):
    owner = people["owner"]
    draft = make_need(partner, owner, feed, title="Konsep")
    open_need = make_need(partner, owner, feed, status=S.OPEN, title="Terbuka")
    closed = make_need(partner, owner, feed, status=S.CLOSED, title="Selesai")
    client = client_for(people["manager"])
    url = reverse("mitra:desk", args=["mpc"])

    response = client.get(url)
    assert response.status_code == 200
    assert response.context["tab"].key == "draft"
    assert [row["need"].pk for row in response.context["rows"]] == [draft.pk]
    assert response.context["rows"][0]["action"] == "publish"
    counts = {tab.key: tab.count for tab in response.context["tabs"]}
    assert counts == {"draft": 1, "active": 1, "done": 1, "all": 3}

    active = client.get(url, {"tab": "active"})
    assert [row["need"].pk for row in active.context["rows"]] == [open_need.pk]
    assert active.context["rows"][0]["action"] == "matches"
    done = client.get(url, {"tab": "done"})
    assert [(row["need"].pk, row["action"]) for row in done.context["rows"]] == [(closed.pk, "")]


def test_a_staff_member_sees_the_desk_without_actions(partner, people, feed):
    make_need(partner, people["owner"], feed)

    response = client_for(people["staff"]).get(reverse("mitra:desk", args=["mpc"]))

    assert response.status_code == 200
    assert [row["action"] for row in response.context["rows"]] == [""]
    assert b'id="new-need"' not in response.content


@pytest.mark.parametrize("who", ["stranger", "other_owner", "posyantek", "anonymous"])
def test_the_desk_is_private(partner, people, feed, who):
    make_need(partner, people["owner"], feed)

    response = client_for(people[who]).get(reverse("mitra:desk", args=["mpc"]))

    assert response.status_code == (302 if who == "anonymous" else 404)


# --- The Posyantek's fitting needs ------------------------------------------------------------


def test_a_posyantek_sees_the_open_needs_that_fit_it_best_first(partner, people, feed, posyantek):
    owner = people["owner"]
    good = make_need(partner, owner, feed, status=S.OPEN, title="Cocok sekali")
    fair = make_need(partner, owner, feed, status=S.OPEN, title="Cukup cocok")
    draft = make_need(partner, owner, feed, title="Belum terbit")
    add_match(fair, posyantek, rank=3, score=55)
    add_match(good, posyantek, rank=1, score=91)
    add_match(draft, posyantek, rank=1, score=99)

    response = client_for(people["posyantek"]).get(reverse("mitra:posyantek_needs", args=["pwk"]))

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["need"].pk for row in rows] == [good.pk, fair.pk]
    assert rows[0]["explanation"] == "alasan 1 · satu kabupaten"
    assert rows[0]["whatsapp_url"].startswith("https://wa.me/6281234560002?text=")
    assert b"Belum terbit" not in response.content


@pytest.mark.parametrize("who", ["stranger", "owner"])
def test_the_fitting_needs_are_private_to_the_posyantek(partner, posyantek, people, who):
    response = client_for(people[who]).get(reverse("mitra:posyantek_needs", args=["pwk"]))

    assert response.status_code == 404


def test_a_partners_fitting_needs_link_leads_to_its_desk(partner, people):
    response = client_for(people["owner"]).get(reverse("mitra:posyantek_needs", args=["mpc"]))

    assert response.status_code == 302
    assert response.url == reverse("mitra:desk", args=["mpc"])


# --- Query budgets ----------------------------------------------------------------------------


def count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_board_runs_the_same_queries_for_3_and_20_needs(partner, people, feed):
    client, url = Client(), reverse("mitra:board")
    for number in range(3):
        make_need(partner, people["owner"], feed, status=S.OPEN, title=f"Ampas {number}")
    few = count_queries(client, url)
    for number in range(17):
        make_need(partner, people["owner"], feed, status=S.OPEN, title=f"Dedak {number}")

    assert count_queries(client, url) == few


def test_a_needs_page_runs_the_same_queries_for_2_and_8_matches(partner, people, feed, regions):
    need = make_need(partner, people["owner"], feed, status=S.OPEN)
    client, url = client_for(people["owner"]), reverse("mitra:detail", args=[need.pk])
    for rank in range(1, 9):
        seller = OrganizationFactory()
        product = ProductFactory(seller=seller, category=feed, kind="byproduct")
        add_match(need, seller, rank=rank, score=90 - rank, product=product)
        if rank == 2:
            few = count_queries(client, url)

    assert count_queries(client, url) == few
