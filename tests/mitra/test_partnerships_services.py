"""Partnerships through their services (mitra.services.partnerships): proposing from either
side with consent recorded, answering, ending, milestones, every refused move changing
nothing, and the active partnership made from an accepted proposal (helper P's entry)."""

import datetime

import pytest
from django.core import mail

from core.errors import Conflict, InvalidInput
from marketplace.models import CapacityBooking
from mitra.models import (
    Milestone,
    Partnership,
    PartnershipEvent,
    Proposal,
    ProposalLine,
    SupplyPeriod,
)
from mitra.services import partnerships as services
from orders.services.terms import TermsLine, order_place_agreed
from tests.mitra.factories import NeedFactory
from tests.mitra.factories_partnerships import (
    Clock,
    deal_build,
    order_details,
    recurring_data,
    wib,
)

pytestmark = pytest.mark.django_db

S = Partnership.Status
MON = datetime.date(2027, 3, 1)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, wib(2027, 3, 1, 8, 0))


@pytest.fixture
def deal(regions):
    return deal_build()


def research(deal, **changes) -> dict:
    data = {
        "with": deal.partner.slug,
        "kind": "research",
        "title": "Uji pengering ampas tahu",
        "terms": "Fakultas Teknik menguji prototipe.",
        "start_date": "2027-03-10",
        "end_date": "2027-09-30",
        "milestones": [
            {"title": "Prototipe", "due_date": "2027-05-01"},
            {"title": "Laporan uji", "due_date": "2027-08-01"},
        ],
    }
    data.update(changes)
    return data


# --- Proposing --------------------------------------------------------------------------------


def test_a_posyantek_proposes_a_research_collaboration_with_its_consent(deal, clock):
    mail.outbox.clear()
    partnership = services.partnership_propose(
        organization=deal.posyantek, actor=deal.posyantek_manager, data=research(deal)
    )
    assert partnership.status == S.PROPOSED
    assert (partnership.partner, partnership.posyantek) == (deal.partner, deal.posyantek)
    assert partnership.proposed_by == deal.posyantek
    assert partnership.posyantek_consented_at is not None
    assert partnership.partner_consented_at is None
    assert partnership.frequency == ""
    assert list(partnership.milestones.values_list("title", flat=True)) == [
        "Prototipe",
        "Laporan uji",
    ]
    kinds = list(partnership.events.values_list("kind", "organization_id"))
    assert kinds == [("status", deal.posyantek.pk), ("consent", deal.posyantek.pk)]


def test_a_partner_proposes_a_recurring_supply_with_its_delivery_details(deal, clock):
    partnership = services.partnership_propose(
        organization=deal.partner, actor=deal.partner_manager, data=recurring_data(deal, start=MON)
    )
    assert partnership.frequency == "weekly"
    assert partnership.weekday == 0
    assert partnership.payment_terms == "net_14"
    assert partnership.ordered_by == deal.partner_manager
    assert partnership.order_details["village"] == "36.72.07.1004"
    line = partnership.lines.get()
    assert (line.product, line.quantity, line.unit_price_amount) == (deal.product, 20, 55_000)
    assert not CapacityBooking.objects.exists()  # booked only when accepted


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"with": "tidak-ada"}, "with"),
        ({"with": ["x"]}, "with"),
        ({"kind": "bogus"}, "kind"),
        ({"title": ""}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"start_date": "2027-02-30"}, "start_date"),
        ({"start_date": "2020-01-01"}, "start_date"),
        ({"start_date": 12}, "start_date"),
        ({"end_date": "2027-02-01"}, "end_date"),
        ({"frequency": "daily"}, "frequency"),
        ({"weekday": 9}, "weekday"),
        ({"weekday": "x"}, "weekday"),
        ({"payment_terms": "net_90"}, "payment_terms"),
        ({"lines": "ampas"}, "lines"),
        ({"lines": [{"product": "tidak-ada", "quantity": 1}]}, "lines"),
        ({"lines": [{"product": None, "quantity": 1}]}, "lines"),
        ({"milestones": [{"title": "x"}]}, "milestones"),
        ({"milestones": "x"}, "milestones"),
        ({"order_details": "x"}, "order_details"),
        ({"order_details": {"village": "x"}}, "order_details.village"),
    ],
)
def test_proposals_with_bad_values_are_refused_by_field_and_write_nothing(
    deal, clock, changes, field
):
    data = recurring_data(deal, start=MON, **changes)
    with pytest.raises(InvalidInput) as error:
        services.partnership_propose(
            organization=deal.partner, actor=deal.partner_manager, data=data
        )
    assert field in error.value.fields
    assert not Partnership.objects.exists()


def test_quantities_and_prices_must_be_whole(deal, clock):
    for line in (
        {"product": deal.product.slug, "quantity": 0},
        {"product": deal.product.slug, "quantity": 1.5},
        {"product": deal.product.slug, "quantity": True},
        {"product": deal.product.slug, "quantity": 10**30},
        {"product": deal.product.slug, "quantity": 1, "unit_price_amount": -1},
        {"product": deal.product.slug, "quantity": 1, "unit_price_amount": "9" * 40},
    ):
        with pytest.raises(InvalidInput):
            services.partnership_propose(
                organization=deal.partner,
                actor=deal.partner_manager,
                data=recurring_data(deal, start=MON, lines=[line]),
            )
    assert not Partnership.objects.exists()


def test_only_opposite_sides_partner_and_both_must_be_verified(deal, clock):
    from tests.mitra.factories import PartnerFactory

    other_partner = PartnerFactory()
    with pytest.raises(InvalidInput):
        services.partnership_propose(
            organization=deal.partner,
            actor=deal.partner_manager,
            data=research(deal, **{"with": other_partner.slug}),
        )
    deal.partner.verification_status = "pending"
    deal.partner.save()
    with pytest.raises(Conflict):
        services.partnership_propose(
            organization=deal.posyantek, actor=deal.posyantek_manager, data=research(deal)
        )
    assert not Partnership.objects.exists()


# --- Answering and ending ---------------------------------------------------------------------


def test_accept_records_the_other_sides_consent_and_activates(deal, clock):
    partnership = services.partnership_propose(
        organization=deal.posyantek, actor=deal.posyantek_manager, data=research(deal)
    )
    partnership = services.partnership_accept(partnership=partnership, actor=deal.partner_owner)
    assert partnership.status == S.ACTIVE
    assert partnership.partner_consented_at is not None
    consent = partnership.events.filter(kind="consent").order_by("id").last()
    assert consent.organization == deal.partner
    assert consent.actor == deal.partner_owner
    assert partnership.events.filter(kind="status", to_status="active").count() == 1


def test_a_recurring_supply_proposed_by_the_posyantek_needs_the_partners_details(deal, clock):
    data = recurring_data(deal, start=MON, **{"with": deal.partner.slug})
    data.pop("order_details")
    partnership = services.partnership_propose(
        organization=deal.posyantek, actor=deal.posyantek_manager, data=data
    )
    assert partnership.ordered_by is None
    with pytest.raises(InvalidInput):
        services.partnership_accept(partnership=partnership, actor=deal.partner_manager)
    partnership.refresh_from_db()
    assert partnership.status == S.PROPOSED
    services.partnership_accept(
        partnership=partnership,
        actor=deal.partner_manager,
        data={"order_details": order_details(deal.posyantek)},
    )
    partnership.refresh_from_db()
    assert partnership.status == S.ACTIVE
    assert partnership.ordered_by == deal.partner_manager
    assert CapacityBooking.objects.filter(source_type="partnership").exists()


@pytest.mark.parametrize(
    "first, then",
    [
        ("decline", ["accept", "cancel", "complete", "terminate", "decline"]),
        ("cancel", ["accept", "decline", "complete", "terminate", "cancel"]),
    ],
)
def test_a_proposal_ends_once_and_every_later_move_is_refused(deal, clock, first, then):
    partnership = services.partnership_propose(
        organization=deal.posyantek, actor=deal.posyantek_manager, data=research(deal)
    )
    getattr(services, f"partnership_{first}")(partnership=partnership, actor=deal.partner_owner)
    partnership.refresh_from_db()
    assert partnership.status == {"decline": S.DECLINED, "cancel": S.CANCELLED}[first]
    assert partnership.ended_at is not None
    events = partnership.events.count()
    for move in then:
        with pytest.raises(Conflict):
            getattr(services, f"partnership_{move}")(
                partnership=partnership, actor=deal.partner_owner
            )
    assert partnership.events.count() == events


def test_complete_and_terminate_only_from_active(deal, clock):
    partnership = services.partnership_propose(
        organization=deal.posyantek, actor=deal.posyantek_manager, data=research(deal)
    )
    for move in (services.partnership_complete, services.partnership_terminate):
        with pytest.raises(Conflict):
            move(partnership=partnership, actor=deal.partner_owner)
    services.partnership_accept(partnership=partnership, actor=deal.partner_owner)
    services.partnership_complete(
        partnership=partnership, actor=deal.partner_owner, organization=deal.partner, note="Selesai"
    )
    partnership.refresh_from_db()
    assert partnership.status == S.COMPLETED
    event = partnership.events.get(to_status="completed")
    assert (event.organization, event.note) == (deal.partner, "Selesai")
    with pytest.raises(Conflict):
        services.partnership_terminate(partnership=partnership, actor=deal.partner_owner)


# --- Milestones -------------------------------------------------------------------------------


def test_milestones_are_added_ticked_off_and_undone_with_events(deal, clock):
    partnership = services.partnership_propose(
        organization=deal.posyantek, actor=deal.posyantek_manager, data=research(deal)
    )
    milestone = services.milestone_add(
        partnership=partnership,
        actor=deal.partner_manager,
        data={"title": "Uji lapangan", "due_date": "2027-07-01"},
        organization=deal.partner,
    )
    assert milestone.due_date == datetime.date(2027, 7, 1)
    done = services.milestone_done(milestone=milestone, actor=deal.posyantek_manager, done=True)
    assert done.done_at is not None and done.done_by == deal.posyantek_manager
    again = services.milestone_done(milestone=milestone, actor=deal.partner_owner, done=True)
    assert again.done_by == deal.posyantek_manager  # already done: unchanged
    undone = services.milestone_done(milestone=milestone, actor=deal.partner_owner, done=False)
    assert undone.done_at is None and undone.done_by is None
    notes = list(partnership.events.filter(kind="milestone").values_list("note", flat=True))
    assert len(notes) == 3
    with pytest.raises(InvalidInput):
        services.milestone_done(milestone=milestone, actor=deal.partner_owner, done="maybe")
    with pytest.raises(InvalidInput):
        services.milestone_add(
            partnership=partnership, actor=deal.partner_owner, data={"title": "x"}
        )
    services.partnership_cancel(partnership=partnership, actor=deal.posyantek_manager)
    with pytest.raises(Conflict):
        services.milestone_add(
            partnership=partnership,
            actor=deal.partner_owner,
            data={"title": "x", "due_date": "2027-07-01"},
        )
    assert Milestone.objects.filter(partnership=partnership).count() == 3


# --- From an accepted proposal ----------------------------------------------------------------


def accepted_proposal(deal, *, frequency="weekly", kind="supply", with_lines=True):
    need = NeedFactory(organization=deal.partner, frequency=frequency, kind=kind)
    proposal = Proposal.objects.create(
        need=need,
        posyantek=deal.posyantek,
        created_by=deal.posyantek_manager,
        status=Proposal.Status.ACCEPTED,
        schedule="Setiap Senin",
        message="Siap kirim",
        payment_terms="net_14",
    )
    if with_lines:
        ProposalLine.objects.create(
            proposal=proposal, product=deal.product, quantity=20, unit_price_amount=55_000
        )
    return proposal


def test_a_recurring_supply_proposal_becomes_an_active_partnership_with_its_first_period(
    deal, clock
):
    proposal = accepted_proposal(deal)
    details = {**order_details(deal.posyantek), "payment_terms": "net_14"}
    order = order_place_agreed(
        user=deal.partner_manager,
        data={**details, "buyer_organization": deal.partner.slug},
        lines=[TermsLine(product=deal.product, quantity=20, unit_price_amount=55_000)],
        payment_terms="net_14",
    )
    partnership = services.partnership_create_from_proposal(
        proposal=proposal, actor=deal.partner_manager, order_details=details, first_order=order
    )
    assert partnership.status == S.ACTIVE
    assert partnership.proposal == proposal and partnership.need == proposal.need
    assert partnership.proposed_by == deal.posyantek
    assert partnership.posyantek_consented_at == proposal.created_at
    assert partnership.partner_consented_at is not None
    assert (partnership.frequency, partnership.weekday) == ("weekly", 0)
    assert partnership.payment_terms == "net_14"
    assert partnership.ordered_by == deal.partner_manager
    assert "payment_terms" not in partnership.order_details
    period = SupplyPeriod.objects.get(partnership=partnership)
    assert (period.period_start, period.order, period.status) == (MON, order, "placed")
    consents = partnership.events.filter(kind=PartnershipEvent.Kind.CONSENT)
    assert {e.organization_id for e in consents} == {deal.partner.pk, deal.posyantek.pk}
    # Commitments for the remaining Mondays of March (8, 15, 22, 29) and April's four.
    from django.db.models import Sum

    committed = CapacityBooking.objects.filter(
        source_type="partnership", cancelled=False
    ).aggregate(total=Sum("quantity"))["total"]
    assert committed == 4 * 20 + 4 * 20
    # The beat does not order the first week again.
    from mitra.services.supply import supply_periods_place

    assert supply_periods_place() == 0


def test_a_research_proposal_becomes_an_active_partnership_without_schedule(deal, clock):
    proposal = accepted_proposal(deal, frequency="once", kind="research", with_lines=False)
    partnership = services.partnership_create_from_proposal(
        proposal=proposal, actor=deal.partner_owner, order_details=None, first_order=None
    )
    assert partnership.status == S.ACTIVE
    assert partnership.kind == "research"
    assert partnership.frequency == ""
    assert partnership.start_date == MON
    assert partnership.terms == "Setiap Senin\n\nSiap kirim"
    assert not partnership.supply_periods.exists()
    assert not CapacityBooking.objects.exists()


def test_the_other_side_is_told_by_e_mail_with_a_whatsapp_link(
    deal, clock, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        partnership = services.partnership_propose(
            organization=deal.posyantek, actor=deal.posyantek_manager, data=research(deal)
        )
    (message,) = mail.outbox
    assert set(message.to) == {deal.partner_owner.email, deal.partner_manager.email}
    assert partnership.title in message.subject
    assert "https://wa.me/" in message.body
    # The link messages the Posyantek, greeting it on behalf of the partner who got the e-mail.
    from urllib.parse import quote

    link = next(word for word in message.body.split() if word.startswith("https://wa.me/"))
    assert link.startswith(f"https://wa.me/{deal.posyantek.whatsapp}?text=")
    assert quote(deal.posyantek.name) in link.split("?text=")[1].split(quote(","))[0]
    assert f"/mitra/kemitraan/{partnership.pk}/" in message.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.partnership_accept(partnership=partnership, actor=deal.partner_owner)
    (message,) = mail.outbox
    assert set(message.to) == {deal.posyantek_owner.email, deal.posyantek_manager.email}
