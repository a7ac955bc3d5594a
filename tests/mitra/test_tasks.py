"""mitra's Celery tasks: the matching is debounced per need (several changes, or several
product_changed signals, queue ONE compute until it runs), never triggered by plain stock
changes; the beat task expires needs past their deadline; each task calls its service."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from config.celery_app import app
from marketplace import services as marketplace_services
from mitra import services, tasks
from mitra.models import Match, Need
from tests.factories import MembershipFactory, OrganizationFactory, ProductFactory
from tests.mitra.conftest import Ranked, client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/needs/"


@pytest.fixture(autouse=True)
def _debounce(settings):
    settings.MITRA_MATCH_DEBOUNCE_SECONDS = 60


@pytest.fixture
def queued():
    """The compute tasks queued (apply_async), not run."""
    with mock.patch.object(tasks.need_match_compute_task, "apply_async") as apply_async:
        yield apply_async


def compute_calls(apply_async) -> list[tuple]:
    return [(c.kwargs["args"], c.kwargs["countdown"]) for c in apply_async.call_args_list]


def test_task_names_are_the_contracts():
    for name in (
        "mitra.tasks.need_match_compute_task",
        "mitra.tasks.needs_match_for_product_task",
        "mitra.tasks.needs_expire_task",
        "mitra.tasks.need_notification_send_task",
    ):
        assert name in app.tasks, name
    schedule = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "mitra.tasks.needs_expire_task" in schedule


# --- Debounce ---------------------------------------------------------------------------------


def test_several_changes_of_a_need_queue_one_compute_until_it_runs(
    regions, make_need, owner, queued, ranking, django_capture_on_commit_callbacks
):
    need = make_need(status="draft")
    client = client_for(owner)

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{URL}{need.pk}/publish/").status_code == 200
        for tonnes in ("6", "7", "8"):
            response = client.patch(f"{URL}{need.pk}/", {"quantity": tonnes}, format="json")
            assert response.status_code == 200

    assert compute_calls(queued) == [([need.pk], 60)]
    need.refresh_from_db()
    assert need.match_requested_at is not None

    # The compute runs (and clears the mark): the next change queues the next one.
    tasks.need_match_compute_task(need.pk)
    need.refresh_from_db()
    assert need.match_requested_at is None and need.matches_computed_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        client.patch(f"{URL}{need.pk}/", {"title": "Ampas tahu 9 ton"}, format="json")
        client.patch(f"{URL}{need.pk}/", {"title": "Ampas tahu 10 ton"}, format="json")

    assert compute_calls(queued) == [([need.pk], 60), ([need.pk], 60)]


def test_a_draft_is_not_matched(
    regions, make_need, owner, queued, django_capture_on_commit_callbacks
):
    need = make_need(status="draft")

    with django_capture_on_commit_callbacks(execute=True):
        client_for(owner).patch(f"{URL}{need.pk}/", {"title": "Baru"}, format="json")

    assert queued.call_count == 0


def test_nothing_is_queued_when_the_change_rolls_back(
    regions, make_need, owner, queued, django_capture_on_commit_callbacks
):
    need = make_need()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).patch(f"{URL}{need.pk}/", {"unit": ""}, format="json")

    assert response.status_code == 400
    assert queued.call_count == 0
    need.refresh_from_db()
    assert need.match_requested_at is None


def test_several_product_changes_queue_one_compute_per_need(
    regions, make_need, category, queued, django_capture_on_commit_callbacks
):
    need = make_need()
    other = make_need()
    product = ProductFactory(category=category, kind="byproduct", price_amount=100_000)
    manager = MembershipFactory(organization=product.seller, role="manager").user

    with django_capture_on_commit_callbacks(execute=True):
        for price in (110_000, 120_000, 130_000):
            marketplace_services.product_update(
                product=product, actor=manager, data={"price_amount": price}
            )
        marketplace_services.product_archive(product=product, actor=manager)

    assert sorted(compute_calls(queued)) == [([need.pk], 60), ([other.pk], 60)]


def test_plain_stock_changes_queue_nothing(
    regions, make_need, category, queued, django_capture_on_commit_callbacks
):
    make_need()
    product = ProductFactory(category=category, kind="byproduct", stock=10)
    manager = MembershipFactory(organization=product.seller, role="manager").user

    with (
        mock.patch.object(tasks.needs_match_for_product_task, "apply_async") as for_product,
        django_capture_on_commit_callbacks(execute=True),
    ):
        marketplace_services.stock_adjust(product=product, actor=manager, delta=-2, reason="sale")
        marketplace_services.stock_set(product=product, actor=manager, stock=20)

    assert for_product.call_count == 0
    assert queued.call_count == 0


def test_a_product_outside_every_needs_field_queues_nothing(regions, make_need, queued):
    make_need()
    # Its own category tree, and none of the need's words: the engine could not find it.
    product = ProductFactory(name="Kompor Biogas", description="", specs=[])

    assert tasks.needs_match_for_product_task(product.pk, ["price_amount"]) == 0
    assert tasks.needs_match_for_product_task(10**9, ["price_amount"]) == 0
    assert queued.call_count == 0


# --- Compute ----------------------------------------------------------------------------------


def test_the_compute_task_stores_the_ranking(regions, make_need, ranking):
    need = make_need()
    first, second = OrganizationFactory(), OrganizationFactory()
    ranking["results"] = [Ranked(first.pk, score=90), Ranked(second.pk, score=40)]

    assert tasks.need_match_compute_task(need.pk) == 2

    rows = list(Match.objects.filter(need=need).order_by("rank"))
    assert [(m.posyantek_id, m.rank, m.score) for m in rows] == [
        (first.pk, 1, 90),
        (second.pk, 2, 40),
    ]
    # A vanished need: nothing to do, no error.
    assert tasks.need_match_compute_task(10**9) == 0


# --- Expiry (beat) ----------------------------------------------------------------------------


def test_the_beat_task_expires_needs_past_their_deadline(regions, make_need):
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    due = [
        make_need(status="open", deadline=yesterday),
        make_need(status="in_discussion", deadline=yesterday - datetime.timedelta(days=9)),
    ]
    kept = [
        make_need(status="open", deadline=today),
        make_need(status="open", deadline=None),
        make_need(status="draft", deadline=yesterday),
        make_need(status="closed", deadline=yesterday),
    ]

    assert tasks.needs_expire_task() == 2
    assert tasks.needs_expire_task() == 0  # a second run changes nothing

    for need in due:
        need.refresh_from_db()
        assert need.status == Need.Status.EXPIRED and need.closed_at is not None
        event = need.events.get()
        assert (event.to_status, event.actor) == ("expired", None)
    assert [Need.objects.get(pk=n.pk).status for n in kept] == ["open", "open", "draft", "closed"]


def test_an_expired_need_leaves_the_board(regions, make_need):
    need = make_need(deadline=timezone.localdate() - datetime.timedelta(days=1))
    assert client_for(None).get(URL).json()["count"] == 1

    services.needs_expire_due()

    assert client_for(None).get(URL).json()["count"] == 0
    assert client_for(None).get(f"{URL}{need.pk}/").status_code == 404
