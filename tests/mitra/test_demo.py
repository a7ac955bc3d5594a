"""The partner needs of `seed_demo`: published through the services and matched by the real
engine, the same after a second run — the ampas tahu maker next door ranks for the feed
company, the Posyantek that builds TTG machines with Untirta for the faculty's offer, and the
solar fish dryer maker for the Kalimantan Timur fish processor."""

import pytest
from django.core.management import call_command

from mitra.models import Match, Need

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
        assert need.status == Need.Status.OPEN, title
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
