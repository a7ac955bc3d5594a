"""Each Posyantek is told at most once per need: the e-mail to its active owners and managers,
with the need's link, why it fits and a WhatsApp link to the partner — whatever the number of
recomputes, retries or twin workers (the last ones on PostgreSQL, with real connections)."""

from unittest import mock

import pytest
from django.core import mail
from django.utils import translation

from accounts.models import Role
from core import emails
from mitra import services, tasks
from mitra.matching import explain
from mitra.models import NeedNotification
from mitra.notifications import need_notification_send
from tests.concurrency import race
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.mitra.conftest import Ranked

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _thresholds(settings):
    settings.MITRA_NOTIFY_TOP = 5
    settings.MITRA_NOTIFY_MIN_SCORE = 50
    settings.SITE_URL = "https://mitra-ttg.test"


@pytest.fixture
def posyanteks(regions) -> dict:
    """Three Posyantek, each with an owner, a manager and a staff member; the first also with
    an inactive manager."""
    found = {}
    for name in ("purwakarta", "cibeber", "ciwandan"):
        posyantek = OrganizationFactory(name=f"Posyantek {name.title()}", slug=name)
        for role in (Role.OWNER, Role.MANAGER, Role.STAFF):
            MembershipFactory(
                organization=posyantek,
                role=role,
                user=UserFactory(email=f"{role}@{name}.id"),
            )
        found[name] = posyantek
    gone = UserFactory(email="gone@purwakarta.id", is_active=False)
    MembershipFactory(organization=found["purwakarta"], user=gone, role=Role.MANAGER)
    return found


def ranked(posyanteks, **scores) -> list[Ranked]:
    facts = {"category": {"relation": "same"}, "distance": {"level": "regency"}}
    return [
        Ranked(posyanteks[name].pk, score=score, facts=facts)
        for name, score in sorted(scores.items(), key=lambda item: -item[1])
    ]


def compute(need, capture) -> None:
    with capture(execute=True):
        services.need_match_compute(need_id=need.pk)


def told() -> dict[str, list[str]]:
    """Recipients by Posyantek name (from the subject-independent body)."""
    return {tuple(sorted(message.to)): message for message in mail.outbox}


def test_the_best_posyantek_are_told_once_each(
    make_need, posyanteks, ranking, django_capture_on_commit_callbacks
):
    need = make_need(title="Ampas tahu 5 ton per minggu")
    ranking["results"] = ranked(posyanteks, purwakarta=92, cibeber=71, ciwandan=30)

    compute(need, django_capture_on_commit_callbacks)

    recipients = sorted(tuple(sorted(message.to)) for message in mail.outbox)
    assert recipients == [
        ("manager@cibeber.id", "owner@cibeber.id"),
        ("manager@purwakarta.id", "owner@purwakarta.id"),
    ]  # never staff, never an inactive member; ciwandan scores below the threshold
    assert NeedNotification.objects.filter(need=need, sent_at__isnull=False).count() == 2

    # Recomputed twice more (a change, a product_changed): nobody is told again.
    compute(need, django_capture_on_commit_callbacks)
    compute(need, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    assert ranking["calls"] == 3

    # Ciwandan rises above the threshold later: told now, once.
    ranking["results"] = ranked(posyanteks, purwakarta=92, cibeber=71, ciwandan=65)
    compute(need, django_capture_on_commit_callbacks)
    compute(need, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 3
    assert sorted(mail.outbox[-1].to) == ["manager@ciwandan.id", "owner@ciwandan.id"]


def test_the_message_says_what_why_where_and_how_to_reach_the_partner(
    make_need, posyanteks, ranking, partner, django_capture_on_commit_callbacks
):
    need = make_need(title="Ampas tahu 5 ton per minggu", budget_amount=4_000_000)
    ranking["results"] = ranked(posyanteks, purwakarta=92)

    compute(need, django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert "Ampas tahu 5 ton per minggu" in message.subject
    body = message.body
    assert "PT Mitra Pakan Cilegon" in body
    assert "Rp 4.000.000" in body
    assert f"https://mitra-ttg.test/mitra/kebutuhan/{need.pk}/" in body
    assert "https://wa.me/6281311112222?text=" in body
    assert "92/100" in body
    with translation.override("id"):  # the reasons, in Bahasa Indonesia
        reasons = " · ".join(explain(need.matches.get(), need=need))
    assert reasons and reasons in body
    assert "&amp;" not in body and "&#x27;" not in body


def test_a_need_closed_before_the_mail_goes_is_not_announced(
    make_need, posyanteks, ranking, owner, django_capture_on_commit_callbacks
):
    need = make_need()
    ranking["results"] = ranked(posyanteks, purwakarta=92)
    with mock.patch.object(tasks.need_notification_send_task, "delay") as delay:
        compute(need, django_capture_on_commit_callbacks)
    (notification_id,) = [c.args[0] for c in delay.call_args_list]
    services.need_close(need=need, actor=owner)

    assert need_notification_send(notification_id) == 0
    assert mail.outbox == []


def test_the_send_task_twice_sends_once(
    make_need, posyanteks, ranking, django_capture_on_commit_callbacks
):
    need = make_need()
    ranking["results"] = ranked(posyanteks, purwakarta=92)
    with mock.patch.object(tasks.need_notification_send_task, "delay"):
        compute(need, django_capture_on_commit_callbacks)
    notification = NeedNotification.objects.get()

    assert tasks.need_notification_send_task(notification.pk) == 1
    assert tasks.need_notification_send_task(notification.pk) == 0
    assert len(mail.outbox) == 1
    assert tasks.need_notification_send_task(10**9) == 0


def test_a_failed_send_gives_the_claim_back_for_the_retry(
    make_need, posyanteks, ranking, django_capture_on_commit_callbacks
):
    need = make_need()
    ranking["results"] = ranked(posyanteks, purwakarta=92)
    with mock.patch.object(tasks.need_notification_send_task, "delay"):
        compute(need, django_capture_on_commit_callbacks)
    notification = NeedNotification.objects.get()

    with (
        mock.patch.object(emails.EmailMessage, "send", side_effect=OSError("SMTP down")),
        pytest.raises(OSError),
    ):
        need_notification_send(notification.pk)
    notification.refresh_from_db()
    assert notification.sent_at is None

    assert need_notification_send(notification.pk) == 1
    assert len(mail.outbox) == 1


# --- Twin workers on PostgreSQL ------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_computes_at_once_tell_each_posyantek_once(make_need, posyanteks, ranking):
    need = make_need()
    ranking["results"] = ranked(posyanteks, purwakarta=92, cibeber=71)

    results = race(
        [
            lambda: services.need_match_compute(need_id=need.pk),
            lambda: services.need_match_compute(need_id=need.pk),
        ]
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert NeedNotification.objects.filter(need=need).count() == 2
    assert sorted(tuple(sorted(m.to)) for m in mail.outbox) == [
        ("manager@cibeber.id", "owner@cibeber.id"),
        ("manager@purwakarta.id", "owner@purwakarta.id"),
    ]
    assert need.matches.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_once(make_need, posyanteks, ranking):
    need = make_need()
    ranking["results"] = ranked(posyanteks, purwakarta=92)
    with mock.patch.object(tasks.need_notification_send_task, "delay"):
        services.need_match_compute(need_id=need.pk)
    notification = NeedNotification.objects.get()

    results = race([lambda: need_notification_send(notification.pk)] * 2)

    assert sorted(results) == [0, 1]
    assert len(mail.outbox) == 1
