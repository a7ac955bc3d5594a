"""The partner needs of `seed_demo`: published through the services and matched by the real
engine, the same after a second run — the ampas tahu maker next door ranks for the feed
company, the Posyantek that builds TTG machines with Untirta for the faculty's offer, and the
solar fish dryer maker for the Kalimantan Timur fish processor."""

import pytest
from django.core.management import call_command

from mitra.models import Match, Need, Partnership, Proposal, SupplyPeriod

pytestmark = pytest.mark.django_db

# (organisation code, title) → the Posyantek expected among the top 3 matches.
EXPECTED_TOP = {
    ("MPC", "Ampas tahu 5 ton per minggu"): "PWK",
    ("FTU", "Pengembangan bersama mesin TTG pengolah pakan"): "PWK",
    ("BSO", "Alat pengering ikan tenaga surya untuk nelayan mitra"): "MPN",
}


def snapshot():
    return (
        sorted(Need.objects.values_list("organization__code", "title", "status", "kind")),
        sorted(Match.objects.values_list("need__title", "posyantek__code", "rank", "score")),
        sorted(Proposal.objects.values_list("need__title", "posyantek__code", "status")),
        sorted(Partnership.objects.values_list("title", "status", "frequency")),
        SupplyPeriod.objects.count(),
    )


@pytest.mark.smoke
def test_seed_demo_posts_and_matches_the_demo_needs_once(regions):
    call_command("seed_demo", "--force", verbosity=0)
    first = snapshot()
    call_command("seed_demo", "--force", verbosity=0)

    assert snapshot() == first
    needs = Need.objects.select_related("organization", "delivery_district")
    for (code, title), posyantek in EXPECTED_TOP.items():
        need = needs.get(organization__code=code, title=title)
        assert need.is_active, title
        assert need.published_at and need.matches_computed_at, title
        top = list(need.matches.order_by("rank").values_list("posyantek__code", flat=True)[:3])
        assert posyantek in top, (title, top)

    ampas = needs.get(organization__code="MPC", title="Ampas tahu 5 ton per minggu")
    assert (ampas.kind, ampas.quantity, ampas.unit, ampas.frequency) == (
        "supply",
        5,
        "ton",
        "weekly",
    )
    assert ampas.matches.get(rank=1).posyantek.code == "PWK"
    offer = needs.get(organization__code="FTU")
    assert (offer.direction, offer.kind) == ("offer", "research")
    kaltim = needs.get(organization__code="BSO")
    assert kaltim.delivery_district.code.startswith("64.")  # Kalimantan Timur
    assert kaltim.organization.kind == "industry" and kaltim.organization.is_verified

    draft = needs.get(status=Need.Status.DRAFT)
    assert draft.organization.code == "MPC"
    assert not draft.matches.exists()


def test_seed_demo_tells_what_came_of_the_needs(regions):
    """The Purwakarta ampas tahu supply to the Cilegon feed company runs every Monday on net 14
    days (its first order placed on terms and invoiced, capacity booked); a second proposal
    waits to be compared; Untirta's collaboration with Purwakarta is active with milestones."""
    call_command("seed_demo", "--force", verbosity=0)

    ampas = Need.objects.get(organization__code="MPC", title="Ampas tahu 5 ton per minggu")
    assert ampas.status == Need.Status.IN_DISCUSSION  # 2.5 of 5 tonnes accepted
    accepted = ampas.proposals.get(status="accepted")
    assert accepted.posyantek.code == "PWK" and accepted.payment_terms == "net_14"
    order = accepted.order
    assert (order.status, order.payment_terms, order.buyer_organization.code) == (
        "placed_on_terms",
        "net_14",
        "MPC",
    )
    assert order.invoices.exists() and order.due_date
    supply = Partnership.objects.get(proposal=accepted)
    assert (supply.status, supply.kind, supply.frequency, supply.payment_terms) == (
        "active",
        "supply",
        "weekly",
        "net_14",
    )
    assert supply.supply_periods.get().order == order
    assert supply.lines.get().quantity == 50
    assert ampas.proposals.filter(status="submitted").count() == 1

    dryers = Need.objects.get(organization__code="BSO")
    assert dryers.proposals.get().status == "submitted"

    collaboration = Partnership.objects.get(partner__code="FTU", posyantek__code="PWK")
    assert (collaboration.kind, collaboration.status) == ("research", "active")
    assert collaboration.partner_consented_at and collaboration.posyantek_consented_at
    milestones = list(collaboration.milestones.order_by("due_date"))
    assert len(milestones) == 3
    assert milestones[0].done_at and milestones[0].done_by
    assert not milestones[1].done_at
