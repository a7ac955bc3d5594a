"""The admin shows needs, their history, matches and notifications, and changes a need's status
only through actions that call the services."""

from unittest import mock

import pytest

from mitra import tasks
from mitra.models import Need
from tests.factories import UserFactory
from tests.mitra.factories import MatchFactory

pytestmark = pytest.mark.django_db

URL = "/admin/mitra/need/"


@pytest.fixture
def admin_user(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_close_action_closes_through_the_service(regions, make_need, admin_client, admin_user):
    open_need, draft, done = make_need(), make_need(status="draft"), make_need(status="closed")

    response = admin_client.post(
        URL, {"action": "close_selected", "_selected_action": [open_need.pk, draft.pk, done.pk]}
    )

    assert response.status_code == 302
    for need in (open_need, draft):
        need.refresh_from_db()
        assert need.status == "closed" and need.closed_at is not None
        event = need.events.get()
        assert (event.to_status, event.actor) == ("closed", admin_user)
    done.refresh_from_db()
    assert not done.events.exists()  # refused by the service, with a warning


def test_rematch_action_requests_the_matching(
    regions, make_need, admin_client, django_capture_on_commit_callbacks
):
    active, draft = make_need(), make_need(status="draft")

    with (
        mock.patch.object(tasks.need_match_compute_task, "apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        admin_client.post(
            URL, {"action": "rematch_selected", "_selected_action": [active.pk, draft.pk]}
        )

    assert [c.kwargs["args"] for c in queued.call_args_list] == [[active.pk]]


def test_everything_is_shown_and_nothing_is_edited_here(regions, make_need, admin_client):
    need = make_need()
    match = MatchFactory(need=need)

    assert admin_client.get(URL).status_code == 200
    page = admin_client.get(f"{URL}{need.pk}/change/")
    assert page.status_code == 200
    assert not page.context["adminform"].form.fields  # every field read-only
    before = Need.objects.filter(pk=need.pk).values().get()
    admin_client.post(f"{URL}{need.pk}/change/", {"status": "fulfilled", "title": "x"})
    assert Need.objects.filter(pk=need.pk).values().get() == before
    assert admin_client.get(f"{URL}add/").status_code == 403
    assert admin_client.get(f"{URL}{need.pk}/delete/").status_code == 403

    for model in ("match", "needevent", "neednotification"):
        assert admin_client.get(f"/admin/mitra/{model}/").status_code == 200
        assert admin_client.get(f"/admin/mitra/{model}/add/").status_code == 403
    assert admin_client.get(f"/admin/mitra/match/{match.pk}/change/").status_code == 200
