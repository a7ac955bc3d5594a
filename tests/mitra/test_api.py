"""needs/ through HTTP: who lists, reads, posts, changes, publishes and closes which needs;
bad input is a 400 naming its field (never a 500) and changes nothing; illegal moves are a 409
and change nothing; the board's filters."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Organization, Role
from mitra.models import Need, NeedEvent
from tests.factories import CategoryFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.mitra.conftest import client_for
from tests.mitra.factories import NeedFactory, PartnerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/needs/"


def ids(response) -> set[int]:
    assert response.status_code == 200, response.json()
    return {need["id"] for need in response.json()["results"]}


def snapshot(need: Need) -> tuple:
    need.refresh_from_db()
    return (
        need.status,
        need.title,
        need.quantity,
        need.unit,
        need.budget_amount,
        need.published_at,
        need.closed_at,
        need.updated_at,
        need.events.count(),
    )


def body(_partner, _category, **extra) -> dict:
    return {
        "organization": _partner.slug,
        "kind": "supply",
        "title": "Ampas tahu 5 ton per minggu",
        "description": "Untuk pakan sapi perah di Cilegon.",
        "category": _category.slug,
        "quantity": "5",
        "unit": "ton",
        "frequency": "weekly",
        "budget_amount": 4_000_000,
        "required_certifications": ["npp"],
        **extra,
    }


# --- The board and the desk -------------------------------------------------------------------


def test_the_board_shows_active_needs_of_verified_partners_to_everyone(regions, make_need, people):
    shown = {make_need(status="open").pk, make_need(status="in_discussion").pk}
    for status in ("draft", "fulfilled", "closed", "expired"):
        make_need(status=status)
    unverified = PartnerFactory(verification_status=Organization.VerificationStatus.PENDING)
    NeedFactory(organization=unverified, status="open")

    for who in ("anonymous", "other", "owner", "platform_staff"):
        user = None if who == "anonymous" else people[who]
        assert ids(client_for(user).get(URL)) == shown


def test_the_board_card_carries_what_a_partner_reads(regions, make_need, category):
    need = make_need(
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        required_certifications=["npp"],
    )

    card = client_for(None).get(URL).json()["results"][0]

    assert card["id"] == need.pk
    assert card["organization"] == {
        "slug": "pt-mitra-pakan-cilegon",
        "code": "MPC",
        "name": "PT Mitra Pakan Cilegon",
        "kind": "industry",
        "is_verified": True,
    }
    assert card["category"]["slug"] == category.slug
    assert card["category"]["parent_slug"] == category.parent.slug
    assert (card["quantity"], card["unit"], card["frequency"]) == ("5.000", "ton", "weekly")
    assert (card["budget_amount"], card["budget_display"]) == (4_000_000, "Rp 4.000.000")
    assert card["required_certifications"] == ["npp"]
    assert card["delivery"]["district"] == "36.72.07"
    assert card["delivery"]["regency"] == "36.72"
    assert card["delivery"]["province"] == "36"
    assert card["status"] == "open"
    assert card["actions"] == []


def test_the_desk_lists_all_the_organisations_needs_for_its_members(regions, make_need, people):
    needs = {make_need(status=status).pk for status in ("draft", "open", "closed", "expired")}
    NeedFactory(status="draft")  # another organisation's

    for who in ("owner", "manager", "staff", "platform_staff"):
        response = client_for(people[who]).get(URL, {"organization": "pt-mitra-pakan-cilegon"})
        assert ids(response) == needs, who
    drafts = client_for(people["owner"]).get(
        URL, {"organization": "pt-mitra-pakan-cilegon", "status": "draft"}
    )
    assert {need["status"] for need in drafts.json()["results"]} == {"draft"}
    assert drafts.json()["results"][0]["actions"] == ["edit", "publish", "close"]


@pytest.mark.parametrize("who, code", [("other", 403), ("dinas", 403), ("anonymous", 403)])
def test_the_desk_is_closed_to_others(regions, make_need, people, who, code):
    make_need(status="draft")
    user = None if who == "anonymous" else people[who]

    response = client_for(user).get(URL, {"organization": "pt-mitra-pakan-cilegon"})

    assert response.status_code in (code, 401)
    assert "results" not in response.json()


def test_an_unknown_organisation_is_a_404(regions, people):
    response = client_for(people["owner"]).get(URL, {"organization": "tidak-ada"})
    assert response.status_code == 404
    response = client_for(people["owner"]).get(URL, {"organization": "a\x00b"})
    assert response.status_code in (400, 404)


# --- Filters ----------------------------------------------------------------------------------


def test_filters_by_category_including_sub_categories(regions, make_need, category):
    sibling = CategoryFactory(parent=category.parent)
    in_child = make_need()
    in_sibling = make_need(category=sibling)
    make_need(category=CategoryFactory())  # another field

    client = client_for(None)
    assert ids(client.get(URL, {"category": category.slug})) == {in_child.pk}
    assert ids(client.get(URL, {"category": category.parent.slug})) == {
        in_child.pk,
        in_sibling.pk,
    }
    assert ids(client.get(URL, {"category": "tidak-ada"})) == set()


def test_filters_by_kind_direction_and_region(regions, make_need, partner):
    supply = make_need(kind="supply")
    offer = make_need(
        kind="technology", direction="offer", quantity=None, unit="", budget_amount=None
    )
    kaltim = make_need(delivery_district_id="64.71.03")

    client = client_for(None)
    assert ids(client.get(URL, {"kind": "technology"})) == {offer.pk}
    assert ids(client.get(URL, {"direction": "offer"})) == {offer.pk}
    assert ids(client.get(URL, {"province": "64"})) == {kaltim.pk}
    assert ids(client.get(URL, {"regency": "36.72"})) == {supply.pk, offer.pk}
    assert ids(client.get(URL, {"district": "64.71.03"})) == {kaltim.pk}
    assert ids(client.get(URL, {"province": "99"})) == set()


def test_orders_by_deadline_or_newest(regions, make_need):
    today = timezone.localdate()
    late = make_need(deadline=today + datetime.timedelta(days=30))
    soon = make_need(deadline=today + datetime.timedelta(days=3))
    none = make_need(deadline=None)

    by_deadline = client_for(None).get(URL, {"ordering": "deadline"}).json()["results"]
    assert [need["id"] for need in by_deadline] == [soon.pk, late.pk, none.pk]
    newest = client_for(None).get(URL, {"ordering": "-published"}).json()["results"]
    assert [need["id"] for need in newest] == [none.pk, soon.pk, late.pk]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"province": "xx"}, "province"),
        ({"regency": "36"}, "regency"),
        ({"district": "36.72"}, "district"),
        ({"kind": "barter"}, "kind"),
        ({"direction": "sideways"}, "direction"),
        ({"status": "lost"}, "status"),
        ({"ordering": "price"}, "ordering"),
        ({"category": "bukan slug!"}, "category"),
        ({"category": "a\x00b"}, "category"),
    ],
)
def test_a_malformed_filter_is_a_400_naming_it(regions, make_need, params, field):
    make_need()

    response = client_for(None).get(URL, params)

    assert response.status_code == 400
    assert field in response.json()["errors"]


# --- Posting a draft --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "manager"])
def test_owners_and_managers_post_a_draft(regions, people, partner, category, who):
    response = client_for(people[who]).post(URL, body(partner, category), format="json")

    assert response.status_code == 201, response.json()
    need = Need.objects.get()
    assert response.json()["id"] == need.pk
    assert (need.status, need.organization, need.created_by) == ("draft", partner, people[who])
    assert need.quantity == 5 and need.unit == "ton" and need.required_certifications == ["npp"]
    assert need.delivery_district_id == partner.district_id
    assert response.json()["actions"] == ["edit", "publish", "close"]
    assert need.events.get().to_status == "draft"


@pytest.mark.parametrize("who", ["staff", "other", "platform_staff", "dinas"])
def test_others_may_not_post_for_the_organisation(regions, people, partner, category, who):
    response = client_for(people[who]).post(URL, body(partner, category), format="json")

    assert response.status_code == 403
    assert not Need.objects.exists()


def test_anonymous_may_not_post(regions, partner, category):
    response = client_for(None).post(URL, body(partner, category), format="json")
    assert response.status_code in (401, 403)
    assert not Need.objects.exists()


def test_wrong_organisation_slugs(regions, people, partner, category):
    owner = people["owner"]
    client = client_for(owner)
    posyantek = OrganizationFactory()
    MembershipFactory(organization=posyantek, user=owner, role=Role.OWNER)

    assert client.post(URL, body(partner, category, organization="tidak-ada")).status_code == 404
    assert client.post(URL, body(partner, category, organization="a b/c")).status_code == 400
    assert client.post(URL, body(partner, category, organization=None)).status_code == 400
    missing = body(partner, category)
    del missing["organization"]
    assert client.post(URL, missing, format="json").status_code == 400
    # A Posyantek answers needs; it does not post them.
    refused = client.post(URL, body(partner, category, organization=posyantek.slug))
    assert refused.status_code == 403
    # Another partner's: the caller is no member.
    other = PartnerFactory()
    assert client.post(URL, body(partner, category, organization=other.slug)).status_code == 403
    # An unverified organisation the caller is not a member of is not even seen.
    hidden = PartnerFactory(verification_status=Organization.VerificationStatus.PENDING)
    assert client.post(URL, body(partner, category, organization=hidden.slug)).status_code == 404
    assert not Need.objects.exists()


def past() -> str:
    return (timezone.localdate() - datetime.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"category": "tidak-ada"}, "category"),
        ({"category": ["pakan-ternak-uji"]}, "category"),
        ({"category": None}, "category"),
        ({"kind": "barter"}, "kind"),
        ({"kind": None}, "kind"),
        ({"direction": "sideways"}, "direction"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": {"a": 1}}, "title"),
        ({"unit": "gallon"}, "unit"),
        ({"unit": ""}, "unit"),  # a quantity without its unit
        ({"quantity": None}, "quantity"),  # a supply need says how much
        ({"quantity": "lima"}, "quantity"),
        ({"quantity": "-1"}, "quantity"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "1.0005"}, "quantity"),
        ({"quantity": "NaN"}, "quantity"),
        ({"quantity": "1e400"}, "quantity"),
        ({"quantity": "9999999999999"}, "quantity"),
        ({"frequency": "daily"}, "frequency"),
        ({"budget_amount": -1}, "budget_amount"),
        ({"budget_amount": "abc"}, "budget_amount"),
        ({"budget_amount": 1.5}, "budget_amount"),
        ({"budget_amount": 10**30}, "budget_amount"),
        ({"required_certifications": ["iso9001"]}, "required_certifications"),
        ({"required_certifications": "npp"}, "required_certifications"),
        ({"required_certifications": [["npp"]]}, "required_certifications"),
        ({"delivery_district": "36.72"}, "delivery_district"),
        ({"delivery_district": "36.72.99"}, "delivery_district"),
        ({"delivery_district": 367207}, "delivery_district"),
        ({"delivery_district": "36.72.0\x007"}, "delivery_district"),
        ({"category": "pakan\x00"}, "category"),  # PostgreSQL refuses NUL in a query
        ({"category": 12}, "category"),
        ({"deadline": "kemarin"}, "deadline"),
        ({"deadline": "2026-02-30"}, "deadline"),
        ({"deadline": "past"}, "deadline"),
        ({"status": "open"}, "status"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_posts_nothing(
    regions, owner, partner, category, change, field
):
    if change.get("deadline") == "past":
        change = {"deadline": past()}

    response = client_for(owner).post(URL, body(partner, category, **change), format="json")

    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert any(key.split(".")[0] == field for key in errors), errors
    assert all(messages[0] for messages in errors.values())
    assert not Need.objects.exists()


def test_a_body_that_is_not_an_object_is_a_400(regions, owner):
    response = client_for(owner).post(URL, ["a", "b"], format="json")
    assert response.status_code == 400
    response = client_for(owner).post(URL, "x", content_type="application/json")
    assert response.status_code == 400


def test_english_messages_when_asked(regions, owner, partner, category):
    response = client_for(owner).post(
        URL,
        body(partner, category, unit="", quantity="5"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["unit"] == [
        "Say what the quantity is counted in: kg, ton, liter or unit."
    ]


def test_an_unverified_partner_drafts_but_cannot_publish(regions, category):
    partner = PartnerFactory(verification_status=Organization.VerificationStatus.PENDING)
    owner = MembershipFactory(organization=partner, role=Role.OWNER).user
    client = client_for(owner)

    created = client.post(URL, body(partner, category), format="json")
    assert created.status_code == 201, created.json()
    need = Need.objects.get()
    before = snapshot(need)

    refused = client.post(f"{URL}{need.pk}/publish/")

    assert refused.status_code == 409
    assert refused.json()["code"] == "organization_not_verified"
    assert snapshot(need) == before
    assert ids(client_for(None).get(URL)) == set()


# --- One need ---------------------------------------------------------------------------------


def test_a_draft_is_a_404_for_everyone_outside_its_organisation(regions, make_need, people):
    need = make_need(status="draft")

    for who in ("other", "dinas", "anonymous"):
        user = None if who == "anonymous" else people[who]
        assert client_for(user).get(f"{URL}{need.pk}/").status_code == 404, who
    for who in ("owner", "manager", "staff", "platform_staff"):
        assert client_for(people[who]).get(f"{URL}{need.pk}/").status_code == 200, who


@pytest.mark.parametrize("path", ["0", "99999999", "99999999999999999999999"])
def test_bad_ids_are_404(regions, owner, path):
    for suffix in ("", "publish/", "close/", "matches/"):
        method = "get" if suffix in ("", "matches/") else "post"
        response = getattr(client_for(owner), method)(f"{URL}{path}/{suffix}")
        assert response.status_code == 404, (path, suffix)
    assert client_for(owner).get(f"{URL}abc/").status_code == 404


def test_owner_changes_a_need_and_it_is_recorded(regions, make_need, owner):
    need = make_need(status="draft")

    response = client_for(owner).patch(
        f"{URL}{need.pk}/",
        {"title": "Ampas tahu 6 ton per minggu", "quantity": "6", "budget_amount": None},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Ampas tahu 6 ton per minggu"
    need.refresh_from_db()
    assert (need.quantity, need.budget_amount) == (6, None)
    event = need.events.get(kind=NeedEvent.Kind.EDITED)
    assert event.actor == owner


@pytest.mark.parametrize("who", ["staff", "other", "platform_staff", "dinas"])
def test_others_may_not_change_a_public_need(regions, make_need, people, who):
    need = make_need()
    before = snapshot(need)

    response = client_for(people[who]).patch(f"{URL}{need.pk}/", {"title": "Diubah"}, format="json")

    assert response.status_code == 403
    assert snapshot(need) == before


@pytest.mark.parametrize(
    "change, field",
    [
        ({"status": "open"}, "status"),
        ({"organization": "lain"}, "organization"),
        ({"published_at": "2026-01-01T00:00:00Z"}, "published_at"),
        ({"unit": ""}, "unit"),
        ({"quantity": "-2"}, "quantity"),
        ({"kind": "barter"}, "kind"),
        ({"category": "tidak-ada"}, "category"),
        ({"deadline": "past"}, "deadline"),
        ({"required_certifications": ["iso"]}, "required_certifications"),
    ],
)
def test_a_bad_change_is_a_400_and_changes_nothing(regions, make_need, owner, change, field):
    need = make_need()
    before = snapshot(need)
    if change.get("deadline") == "past":
        change = {"deadline": past()}

    response = client_for(owner).patch(f"{URL}{need.pk}/", change, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert snapshot(need) == before


@pytest.mark.parametrize("status", ["fulfilled", "closed", "expired"])
def test_a_finished_need_cannot_be_changed(regions, make_need, owner, status):
    need = make_need(status=status)
    before = snapshot(need)

    response = client_for(owner).patch(f"{URL}{need.pk}/", {"title": "Baru"}, format="json")

    assert response.status_code == 409
    assert snapshot(need) == before


# --- Moves ------------------------------------------------------------------------------------


def test_publish_then_close(regions, make_need, owner, ranking, django_capture_on_commit_callbacks):
    need = make_need(status="draft")
    client = client_for(owner)

    with django_capture_on_commit_callbacks(execute=True):
        published = client.post(f"{URL}{need.pk}/publish/")

    assert published.status_code == 200, published.json()
    assert published.json()["status"] == "open"
    assert published.json()["actions"] == ["edit", "close"]
    need.refresh_from_db()
    assert need.status == "open" and need.published_at is not None
    assert ids(client_for(None).get(URL)) == {need.pk}

    closed = client.post(f"{URL}{need.pk}/close/", {"note": "Sudah dapat pemasok."})

    assert closed.status_code == 200
    need.refresh_from_db()
    assert need.status == "closed" and need.closed_at is not None
    assert [(e.from_status, e.to_status) for e in need.events.filter(kind="status")] == [
        ("draft", "open"),
        ("open", "closed"),
    ]
    assert need.events.last().note == "Sudah dapat pemasok."
    assert ids(client_for(None).get(URL)) == set()


@pytest.mark.parametrize(
    "status, move",
    [
        ("open", "publish"),
        ("in_discussion", "publish"),
        ("closed", "publish"),
        ("expired", "publish"),
        ("fulfilled", "publish"),
        ("closed", "close"),
        ("expired", "close"),
        ("fulfilled", "close"),
    ],
)
def test_an_illegal_move_is_a_409_and_changes_nothing(regions, make_need, owner, status, move):
    need = make_need(status=status)
    before = snapshot(need)

    response = client_for(owner).post(f"{URL}{need.pk}/{move}/")

    assert response.status_code == 409
    assert response.json()["code"] == "need_status"
    assert snapshot(need) == before


def test_a_passed_deadline_blocks_publishing(regions, make_need, owner):
    need = make_need(status="draft", deadline=timezone.localdate() - datetime.timedelta(days=1))
    before = snapshot(need)

    response = client_for(owner).post(f"{URL}{need.pk}/publish/")

    assert response.status_code == 409
    assert snapshot(need) == before


def test_platform_staff_may_only_hide(regions, make_need, people):
    need = make_need()
    staff_client = client_for(people["platform_staff"])
    draft = make_need(status="draft")
    before = snapshot(draft)

    assert staff_client.post(f"{URL}{draft.pk}/publish/").status_code == 403
    assert snapshot(draft) == before
    closed = staff_client.post(f"{URL}{need.pk}/close/", {"note": "Iklan palsu."})

    assert closed.status_code == 200
    need.refresh_from_db()
    assert need.status == "closed"
    assert need.events.last().actor == people["platform_staff"]


@pytest.mark.parametrize("who", ["staff", "other", "dinas"])
@pytest.mark.parametrize("move", ["publish", "close"])
def test_others_may_not_move_a_need(regions, make_need, people, who, move):
    need = make_need(status="draft" if move == "publish" else "open")
    if who == "staff":
        pass  # sees the draft, may not move it: 403
    before = snapshot(need)

    response = client_for(people[who]).post(f"{URL}{need.pk}/{move}/")

    assert response.status_code == (403 if who == "staff" or need.status == "open" else 404)
    assert snapshot(need) == before


def test_a_bad_close_note_is_a_400(regions, make_need, owner):
    need = make_need()
    before = snapshot(need)

    response = client_for(owner).post(f"{URL}{need.pk}/close/", {"note": {"a": 1}}, format="json")

    assert response.status_code == 400
    assert "note" in response.json()["errors"]
    assert snapshot(need) == before


def test_unauthenticated_moves_are_refused(regions, make_need):
    need = make_need(status="draft")
    before = snapshot(need)
    for move in ("publish", "close"):
        assert client_for(None).post(f"{URL}{need.pk}/{move}/").status_code in (401, 403)
    assert client_for(None).patch(f"{URL}{need.pk}/", {"title": "x"}).status_code in (401, 403)
    assert snapshot(need) == before


def test_a_staff_member_of_a_verified_partner_sees_but_does_not_post(regions, people, partner):
    assert UserFactory()  # (the table is in test_permissions.py; this is the HTTP side)
    response = client_for(people["staff"]).get(URL, {"organization": partner.slug})
    assert response.status_code == 200
