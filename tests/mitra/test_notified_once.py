"""Proposal, partnership and supply e-mails go out at most once: the row behind each message
(the proposal's event, the partnership event, the supply period) is claimed before sending, so
a retried or twin task sends nothing; a send that fails before anything went out gives the
claim back for the task's retry."""

import pytest
from django.core import mail

from mitra.models import PartnershipEvent, ProposalEvent
from mitra.notifications import partnership_event_notify, proposal_notification_send
from mitra.services import partnerships as services
from tests.mitra.factories_partnerships import Clock, deal_build, wib
from tests.mitra.factories_proposals import need_for, seller, submit

pytestmark = pytest.mark.django_db


def test_a_proposal_is_announced_once(partner, people, django_capture_on_commit_callbacks):
    shop = seller()
    with django_capture_on_commit_callbacks(execute=True):
        proposal = submit(need_for(partner), shop)
    assert len(mail.outbox) == 1
    assert ProposalEvent.objects.get(proposal=proposal).notified_at is not None

    assert proposal_notification_send(proposal.pk, "submitted") == 0  # a retried task
    assert len(mail.outbox) == 1


def test_a_failed_send_gives_the_claim_back_and_the_retry_sends_once(
    partner, people, monkeypatch, django_capture_on_commit_callbacks
):
    shop = seller()
    with django_capture_on_commit_callbacks(execute=False):
        proposal = submit(need_for(partner), shop)

    def broken(**kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("mitra.notifications.send_templated_email", broken)
    with pytest.raises(OSError):
        proposal_notification_send(proposal.pk, "submitted")
    assert ProposalEvent.objects.get(proposal=proposal).notified_at is None
    monkeypatch.undo()
    assert proposal_notification_send(proposal.pk, "submitted") == 1
    assert proposal_notification_send(proposal.pk, "submitted") == 0
    assert len(mail.outbox) == 1


def test_a_partnership_step_is_announced_once(
    regions, monkeypatch, django_capture_on_commit_callbacks
):
    Clock(monkeypatch, wib(2027, 3, 1, 8, 0))
    deal = deal_build()
    with django_capture_on_commit_callbacks(execute=True):
        partnership = services.partnership_propose(
            organization=deal.posyantek,
            actor=deal.posyantek_manager,
            data={
                "with": deal.partner.slug,
                "kind": "research",
                "title": "Uji pengering ampas tahu",
                "start_date": "2027-03-10",
            },
        )
    assert len(mail.outbox) == 1
    event = PartnershipEvent.objects.filter(partnership=partnership, notified_at__isnull=False)
    assert event.count() == 1
    assert partnership_event_notify(event.get().pk) == 0
    assert len(mail.outbox) == 1
