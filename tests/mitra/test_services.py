"""Needs through their services (mitra.services): validation, every status move (allowed ones
write the right event; refused ones raise and change nothing), expiry by deadline, the
debounce marks and the match store with its notify-once rows. Matching itself is stubbed here
(tests/mitra/test_matching*.py test the engine)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import Conflict, InvalidInput
from mitra import services
from mitra.matching import MatchResult
from mitra.models import Match, Need, NeedEvent, NeedNotification
from regions.models import District
from tests.factories import CategoryFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Need.Status
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def partner(regions):
    return OrganizationFactory(kind="industry", name="PT Mitra Pakan Cilegon")


@pytest.fixture
def actor():
    return UserFactory()


@pytest.fixture
def category(db):
    return CategoryFactory(name="Pakan ternak")


def supply(category_, **extra):
    return {
        "kind": "supply",
        "title": "Ampas tahu 5 ton per minggu",
        "description": "Untuk pakan sapi.",
        "category": category_,
        "quantity": Decimal("5"),
        "unit": "ton",
        "frequency": "weekly",
        "budget_amount": 4_000_000,
        "required_certifications": ["npp"],
        **extra,
    }


def make(partner, actor, category, status=S.DRAFT, **extra) -> Need:
    need = services.need_create(organization=partner, actor=actor, data=supply(category, **extra))
    if status != S.DRAFT:
        Need.objects.filter(pk=need.pk).update(status=status)
        need.refresh_from_db()
    return need


def state(need: Need) -> tuple:
    need.refresh_from_db()
    return (need.status, need.title, need.closed_at, need.published_at, need.events.count())


# --- Create and validate ------------------------------------------------------------------------


def test_create_makes_a_draft_delivered_to_the_partners_kecamatan(partner, actor, category):
    need = services.need_create(organization=partner, actor=actor, data=supply(category))
    assert need.status == S.DRAFT
    assert need.delivery_district_id == partner.district_id
    assert need.required_certifications == ["npp"]
    event = need.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", S.DRAFT, actor)


def test_an_unverified_partner_may_prepare_a_draft(regions, actor, category):
    partner = OrganizationFactory(kind="university", verification_status="pending")
    need = services.need_create(organization=partner, actor=actor, data=supply(category))
    assert need.status == S.DRAFT


def test_a_posyantek_does_not_post_needs(regions, actor, category):
    posyantek = OrganizationFactory(kind="posyantek")
    with pytest.raises(Conflict) as error:
        services.need_create(organization=posyantek, actor=actor, data=supply(category))
    assert error.value.code == "not_a_partner"
    assert not Need.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"kind": "barter"}, "kind"),
        ({"direction": "sideways"}, "direction"),
        ({"frequency": "daily"}, "frequency"),
        ({"unit": "gallon"}, "unit"),
        ({"quantity": "lima"}, "quantity"),
        ({"quantity": Decimal("-1")}, "quantity"),
        ({"quantity": Decimal("0")}, "quantity"),
        ({"quantity": Decimal("1.0005")}, "quantity"),
        ({"quantity": "NaN"}, "quantity"),
        ({"unit": ""}, "unit"),
        ({"quantity": None}, "quantity"),
        ({"budget_amount": -5}, "budget_amount"),
        ({"budget_amount": 1.5}, "budget_amount"),
        ({"budget_amount": True}, "budget_amount"),
        ({"required_certifications": ["iso9001"]}, "required_certifications"),
        ({"required_certifications": "npp"}, "required_certifications"),
        ({"deadline": datetime.date(2020, 1, 1)}, "deadline"),
        ({"deadline": "2030-01-01"}, "deadline"),
        ({"category": None}, "category"),
        ({"delivery_district": "36.72.07"}, "delivery_district"),
    ],
)
def test_bad_data_is_refused_field_by_field_and_nothing_is_stored(
    partner, actor, category, change, field
):
    with pytest.raises(InvalidInput) as error:
        services.need_create(organization=partner, actor=actor, data=supply(category, **change))
    assert field in error.value.fields
    assert not Need.objects.exists()


def test_unknown_fields_are_refused(partner, actor, category):
    with pytest.raises(InvalidInput) as error:
        services.need_create(
            organization=partner, actor=actor, data=supply(category, status="open")
        )
    assert error.value.code == "unknown_fields"


def test_research_needs_no_quantity(partner, actor, category):
    data = supply(category, kind="research", quantity=None, unit="", frequency="once")
    need = services.need_create(organization=partner, actor=actor, data=data)
    assert (need.quantity, need.unit) == (None, "")


def test_a_retired_kecamatan_is_refused_for_a_new_need(partner, actor, category):
    District.objects.filter(code="36.72.04").update(is_retired=True)
    retired = District.objects.get(code="36.72.04")
    with pytest.raises(InvalidInput) as error:
        services.need_create(
            organization=partner, actor=actor, data=supply(category, delivery_district=retired)
        )
    assert "delivery_district" in error.value.fields


# --- Update ---------------------------------------------------------------------------------------


def test_update_records_what_changed(partner, actor, category):
    need = make(partner, actor, category)
    services.need_update(
        need=need, actor=actor, data={"title": "Ampas tahu 6 ton", "quantity": Decimal("6")}
    )
    need.refresh_from_db()
    assert (need.title, need.quantity) == ("Ampas tahu 6 ton", Decimal("6"))
    edit = need.events.get(kind=NeedEvent.Kind.EDITED)
    assert set(edit.note.split(", ")) == {"title", "quantity"}


def test_update_without_a_change_records_nothing(partner, actor, category):
    need = make(partner, actor, category)
    services.need_update(need=need, actor=actor, data={"title": need.title})
    assert need.events.count() == 1


def test_update_checks_the_combination_against_current_values(partner, actor, category):
    need = make(partner, actor, category)
    with pytest.raises(InvalidInput) as error:
        services.need_update(need=need, actor=actor, data={"unit": ""})
    assert "unit" in error.value.fields
    need.refresh_from_db()
    assert need.unit == "ton"


def test_a_passed_deadline_may_stay_when_other_fields_change(partner, actor, category):
    need = make(partner, actor, category)
    Need.objects.filter(pk=need.pk).update(deadline=datetime.date(2020, 1, 1))
    need.refresh_from_db()
    services.need_update(need=need, actor=actor, data={"deadline": need.deadline, "title": "Baru"})
    need.refresh_from_db()
    assert need.title == "Baru"


@pytest.mark.parametrize("status", [S.FULFILLED, S.CLOSED, S.EXPIRED])
def test_a_finished_need_cannot_be_changed(partner, actor, category, status):
    need = make(partner, actor, category, status=status)
    before = state(need)
    with pytest.raises(Conflict):
        services.need_update(need=need, actor=actor, data={"title": "Lain"})
    assert state(need) == before


def test_updating_an_open_need_requests_matching(
    partner, actor, category, django_capture_on_commit_callbacks, monkeypatch
):
    need = make(partner, actor, category, status=S.OPEN)
    queued = []
    monkeypatch.setattr(
        "mitra.tasks.need_match_compute_task.apply_async",
        lambda args, countdown: queued.append((args, countdown)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.need_update(need=need, actor=actor, data={"title": "Ampas tahu segar"})
    assert queued == [([need.pk], 60)]


# --- Moves ----------------------------------------------------------------------------------------

ALLOWED = {
    (S.DRAFT, S.OPEN),
    (S.DRAFT, S.CLOSED),
    (S.OPEN, S.CLOSED),
    (S.IN_DISCUSSION, S.CLOSED),
}


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("move", ["publish", "close"])
def test_every_status_and_move(partner, actor, category, status, move):
    need = make(partner, actor, category, status=status)
    target = S.OPEN if move == "publish" else S.CLOSED
    service = services.need_publish if move == "publish" else services.need_close
    before = state(need)
    if (status, target) in ALLOWED:
        service(need=need, actor=actor)
        need.refresh_from_db()
        assert need.status == target
        event = need.events.latest("id")
        assert (event.from_status, event.to_status, event.actor) == (status, target, actor)
        assert (need.published_at is not None) == (target == S.OPEN)
        assert (need.closed_at is not None) == (target == S.CLOSED)
    else:
        with pytest.raises(Conflict) as error:
            service(need=need, actor=actor)
        assert error.value.code == "need_status"
        assert state(need) == before


def test_only_a_verified_organisation_publishes(regions, actor, category):
    partner = OrganizationFactory(kind="ngo", verification_status="pending")
    need = make(partner, actor, category)
    before = state(need)
    with pytest.raises(Conflict) as error:
        services.need_publish(need=need, actor=actor)
    assert error.value.code == "organization_not_verified"
    assert state(need) == before


def test_a_need_past_its_deadline_is_not_published(partner, actor, category):
    need = make(partner, actor, category)
    Need.objects.filter(pk=need.pk).update(deadline=timezone.localdate() - datetime.timedelta(1))
    before = state(need)
    with pytest.raises(Conflict) as error:
        services.need_publish(need=need, actor=actor)
    assert error.value.code == "deadline_passed"
    assert state(need) == before


def test_the_mover_refuses_fulfilled_from_a_draft(partner, actor, category):
    need = make(partner, actor, category)
    with pytest.raises(Conflict):
        services.need_move(need, to_status=S.FULFILLED, actor=actor)


# --- Expiry -----------------------------------------------------------------------------------


def test_expiry_takes_active_needs_whose_deadline_day_is_over(partner, actor, category):
    due = make(partner, actor, category, status=S.OPEN)
    talking = make(partner, actor, category, status=S.IN_DISCUSSION)
    today = make(partner, actor, category, status=S.OPEN)
    draft = make(partner, actor, category)
    no_deadline = make(partner, actor, category, status=S.OPEN)
    Need.objects.filter(pk__in=[due.pk, talking.pk, draft.pk]).update(
        deadline=TODAY - datetime.timedelta(days=1)
    )
    Need.objects.filter(pk=today.pk).update(deadline=TODAY)

    assert services.needs_expire_due(today=TODAY) == 2
    assert services.needs_expire_due(today=TODAY) == 0  # a second run changes nothing

    statuses = dict(Need.objects.values_list("pk", "status"))
    assert statuses[due.pk] == statuses[talking.pk] == S.EXPIRED
    assert statuses[today.pk] == statuses[no_deadline.pk] == S.OPEN
    assert statuses[draft.pk] == S.DRAFT
    event = NeedEvent.objects.filter(need=due).latest("id")
    assert (event.from_status, event.to_status, event.actor) == (S.OPEN, S.EXPIRED, None)


# --- Matching: debounce and the match store ------------------------------------------------------


def test_requests_are_debounced_until_the_compute_starts(
    partner, actor, category, django_capture_on_commit_callbacks, monkeypatch
):
    need = make(partner, actor, category, status=S.OPEN)
    queued = []
    monkeypatch.setattr(
        "mitra.tasks.need_match_compute_task.apply_async",
        lambda args, countdown: queued.append(args),
    )
    monkeypatch.setattr("mitra.matching.need_rank", lambda need: [])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.need_match_request(need_id=need.pk) is True
        assert services.need_match_request(need_id=need.pk) is False
        assert services.need_match_request(need_id=need.pk) is False
    assert queued == [[need.pk]]

    services.need_match_compute(need_id=need.pk)  # the queued task runs
    with django_capture_on_commit_callbacks(execute=True):
        assert services.need_match_request(need_id=need.pk) is True
    assert queued == [[need.pk], [need.pk]]


def test_a_lost_request_does_not_block_matching_forever(partner, actor, category, monkeypatch):
    need = make(partner, actor, category, status=S.OPEN)
    monkeypatch.setattr("mitra.tasks.need_match_compute_task.apply_async", lambda **kw: None)
    Need.objects.filter(pk=need.pk).update(
        match_requested_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert services.need_match_request(need_id=need.pk) is True


@pytest.mark.parametrize("status", [S.DRAFT, S.CLOSED, S.EXPIRED, S.FULFILLED])
def test_an_inactive_need_is_not_matched(partner, actor, category, status):
    need = make(partner, actor, category, status=status)
    assert services.need_match_request(need_id=need.pk) is False


def result(posyantek, score, **extra):
    return MatchResult(
        posyantek_id=posyantek.pk,
        product_id=None,
        score=score,
        components={"category": 1.0},
        facts={"category": "same"},
        **extra,
    )


def test_compute_stores_ranked_matches_and_tells_each_good_posyantek_once(
    partner, actor, category, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.MITRA_NOTIFY_TOP = 2
    settings.MITRA_NOTIFY_MIN_SCORE = 50
    need = make(partner, actor, category, status=S.OPEN)
    first, second, third, weak = (OrganizationFactory() for _ in range(4))
    ranking = [result(first, 90), result(second, 70), result(third, 60), result(weak, 20)]
    monkeypatch.setattr("mitra.matching.need_rank", lambda need: list(ranking))
    sent = []
    monkeypatch.setattr("mitra.tasks.need_notification_send_task.delay", sent.append)

    with django_capture_on_commit_callbacks(execute=True):
        matches = services.need_match_compute(need_id=need.pk)
    assert [(m.posyantek_id, m.rank, m.score) for m in matches] == [
        (first.pk, 1, 90),
        (second.pk, 2, 70),
        (third.pk, 3, 60),
        (weak.pk, 4, 20),
    ]
    told = set(NeedNotification.objects.values_list("posyantek_id", flat=True))
    assert told == {first.pk, second.pk}
    assert len(sent) == 2

    # Recomputed with another order: rows replaced, nobody told twice, a newcomer told.
    ranking[:] = [result(third, 95), result(first, 80), result(second, 10)]
    with django_capture_on_commit_callbacks(execute=True):
        services.need_match_compute(need_id=need.pk)
    assert list(Match.objects.filter(need=need).values_list("posyantek_id", "rank")) == [
        (third.pk, 1),
        (first.pk, 2),
        (second.pk, 3),
    ]
    assert NeedNotification.objects.count() == 3
    assert len(sent) == 3
    need.refresh_from_db()
    assert need.match_requested_at is None and need.matches_computed_at is not None


def test_compute_keeps_the_last_matches_of_a_closed_need(partner, actor, category, monkeypatch):
    need = make(partner, actor, category, status=S.OPEN)
    posyantek = OrganizationFactory()
    monkeypatch.setattr("mitra.matching.need_rank", lambda need: [result(posyantek, 80)])
    monkeypatch.setattr("mitra.tasks.need_notification_send_task.delay", lambda pk: None)
    services.need_match_compute(need_id=need.pk)
    services.need_close(need=need, actor=actor)
    monkeypatch.setattr("mitra.matching.need_rank", lambda need: [])
    services.need_match_compute(need_id=need.pk)
    assert Match.objects.filter(need=need).count() == 1


def test_compute_of_a_missing_need_does_nothing(db):
    assert services.need_match_compute(need_id=987654) == []


# --- Which needs a product change re-ranks --------------------------------------------------------


def test_a_product_change_reaches_the_needs_it_can_be_found_for(partner, actor, category):
    from tests.factories import ProductFactory

    dryer_need = make(
        partner,
        actor,
        category,
        status=S.OPEN,
        kind="technology",
        title="Pengering ikan tenaga surya",
        quantity=Decimal("10"),
        unit="unit",
    )
    in_field = make(partner, actor, category, status=S.OPEN, title="Bungkil kedelai")
    unrelated = make(
        partner, actor, CategoryFactory(), status=S.OPEN, title="Bungkil sawit untuk sapi"
    )
    closed = make(partner, actor, category, status=S.CLOSED, title="Pengering ikan")
    # Filed in another field, named with the need's words: the engine finds it by text.
    dryer = ProductFactory(
        name="Alat Pengering Ikan Tenaga Surya", description="", category=CategoryFactory()
    )
    feed = ProductFactory(
        name="Mesin Pencacah", description="", category=CategoryFactory(parent=category.parent)
    )

    assert services.needs_for_product(dryer.pk) == [dryer_need.pk]
    assert services.needs_for_product(feed.pk) == [dryer_need.pk, in_field.pk]  # its field
    assert unrelated.pk not in services.needs_for_product(dryer.pk)
    assert closed.pk not in services.needs_for_product(dryer.pk)
    assert services.needs_for_product(987654) == []


@pytest.mark.postgres
def test_a_product_change_reaches_needs_by_stem_on_postgresql(partner, actor, category):
    from tests.factories import ProductFactory

    need = make(partner, actor, CategoryFactory(), status=S.OPEN, title="Mesin pengering gabah")
    dryer = ProductFactory(name="Alat Mengeringkan Padi", category=CategoryFactory())
    assert services.needs_for_product(dryer.pk) == [need.pk]


def test_the_daily_refresh_requests_every_active_need_once(
    partner, actor, category, monkeypatch, django_capture_on_commit_callbacks
):
    open_need = make(partner, actor, category, status=S.OPEN)
    talking = make(partner, actor, category, status=S.IN_DISCUSSION)
    make(partner, actor, category)  # a draft
    make(partner, actor, category, status=S.EXPIRED)
    queued = []
    monkeypatch.setattr(
        "mitra.tasks.need_match_compute_task.apply_async",
        lambda args, countdown: queued.append(args[0]),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.needs_match_refresh() == 2
        assert services.needs_match_refresh() == 0  # already waiting: debounced
    assert sorted(queued) == [open_need.pk, talking.pk]
