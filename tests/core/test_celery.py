"""The task policy, and that a task dispatched in a transaction runs only if it commits."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from config.celery_app import app, dispatch_on_commit
from core.tasks import clear_expired_sessions


def make_session(*, expired: bool) -> str:
    store = SessionStore()
    store["cart"] = [1, 2]
    store.create()
    if expired:
        Session.objects.filter(session_key=store.session_key).update(
            expire_date=timezone.now() - timedelta(days=1)
        )
    return store.session_key


def test_policy_json_only_late_ack_and_requeue_on_lost_worker():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit


def test_visibility_timeout_outlasts_every_task():
    visibility = app.conf.broker_transport_options["visibility_timeout"]

    assert visibility > app.conf.task_time_limit
    assert visibility == settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()

    assert app.conf.beat_schedule
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, entry["task"]


@pytest.mark.django_db(transaction=True)
def test_task_dispatched_in_a_rolled_back_transaction_never_runs(monkeypatch):
    sent = []
    original = clear_expired_sessions.apply_async
    monkeypatch.setattr(
        clear_expired_sessions,
        "apply_async",
        lambda *a, **kw: sent.append(kw) or original(*a, **kw),
    )
    expired = make_session(expired=True)

    with pytest.raises(RuntimeError), transaction.atomic():
        dispatch_on_commit(clear_expired_sessions)
        raise RuntimeError("checkout failed")

    assert sent == []
    assert Session.objects.filter(session_key=expired).exists()

    with transaction.atomic():
        dispatch_on_commit(clear_expired_sessions)
        assert sent == []  # not before the commit

    assert len(sent) == 1
    assert not Session.objects.filter(session_key=expired).exists()


@pytest.mark.django_db
def test_clear_expired_sessions_keeps_live_ones():
    expired, live = make_session(expired=True), make_session(expired=False)

    clear_expired_sessions.delay()

    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=live).exists()
