"""Responsiveness in matching also counts the hours from a need being notified to the
Posyantek's proposal for it (DESIGN.md, mitra "Match"), combined with the order paid →
accepted hours in one median, over the same 90 days, in one query; the explanation says
what was counted."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mitra.matching import explain
from mitra.matching.engine import response_figures, response_hours
from mitra.models import NeedNotification, Proposal
from tests.factories import OrderFactory, OrganizationFactory, UserFactory
from tests.mitra.factories import NeedFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def notified_and_proposed(posyantek, *, told_hours_ago: float, answered_after: float | None):
    """A need the Posyantek was told about `told_hours_ago`, answered with a proposal
    `answered_after` hours later (None: not answered)."""
    now = timezone.now()
    need = NeedFactory(organization=PartnerFactory())
    sent_at = now - datetime.timedelta(hours=told_hours_ago)
    NeedNotification.objects.create(need=need, posyantek=posyantek, score=80, sent_at=sent_at)
    if answered_after is not None:
        proposal = Proposal.objects.create(
            need=need, posyantek=posyantek, created_by=UserFactory(), status="withdrawn"
        )
        # The first proposal counts, not a later one.
        Proposal.objects.filter(pk=proposal.pk).update(
            created_at=sent_at + datetime.timedelta(hours=answered_after)
        )
        Proposal.objects.create(need=need, posyantek=posyantek, created_by=UserFactory())


def paid_order(seller, *, paid_hours_ago: float, accepted_after: float):
    paid_at = timezone.now() - datetime.timedelta(hours=paid_hours_ago)
    OrderFactory(
        seller=seller,
        status="processing",
        paid_at=paid_at,
        accepted_at=paid_at + datetime.timedelta(hours=accepted_after),
    )


def test_proposal_hours_join_the_order_hours_in_one_median(regions):
    both, proposals_only, orders_only, silent = (OrganizationFactory() for _ in range(4))
    paid_order(both, paid_hours_ago=50, accepted_after=2)
    paid_order(both, paid_hours_ago=60, accepted_after=4)
    notified_and_proposed(both, told_hours_ago=100, answered_after=30)
    notified_and_proposed(both, told_hours_ago=100, answered_after=None)  # not counted
    notified_and_proposed(both, told_hours_ago=24 * 100, answered_after=1)  # too old
    notified_and_proposed(proposals_only, told_hours_ago=20, answered_after=0.5)
    paid_order(orders_only, paid_hours_ago=10, accepted_after=6)

    ids = [both.pk, proposals_only.pk, orders_only.pk, silent.pk]
    with CaptureQueriesContext(connection) as queries:
        figures = response_figures(ids, now=timezone.now())
    assert len(queries) == 1

    assert figures[both.pk].median_hours == pytest.approx(4.0, abs=0.01)  # of 2, 4 and 30
    assert (figures[both.pk].orders, figures[both.pk].proposals) == (2, 1)
    assert figures[proposals_only.pk].median_hours == pytest.approx(0.5, abs=0.01)
    assert (figures[proposals_only.pk].orders, figures[proposals_only.pk].proposals) == (0, 1)
    assert figures[orders_only.pk].median_hours == pytest.approx(6.0, abs=0.01)
    assert figures[silent.pk].median_hours is None
    assert response_hours(ids, now=timezone.now())[both.pk] == pytest.approx(4.0, abs=0.01)


def test_a_proposal_sent_before_the_notification_counts_as_zero(regions):
    posyantek = OrganizationFactory()
    notified_and_proposed(posyantek, told_hours_ago=10, answered_after=-3)
    assert response_figures([posyantek.pk], now=timezone.now())[posyantek.pk].median_hours == 0


@pytest.mark.parametrize(
    "figures, text",
    [
        ({"median_hours": 5.0, "orders": 3, "proposals": 0}, "accepts orders in about 5 h"),
        ({"median_hours": 5.0}, "accepts orders in about 5 h"),  # matches stored before
        (
            {"median_hours": 5.0, "orders": 3, "proposals": 2},
            "answers orders and partner needs in about 5 h",
        ),
        (
            {"median_hours": 0.4, "orders": 0, "proposals": 2},
            "answers partner needs within the hour",
        ),
        ({"median_hours": None, "orders": 0, "proposals": 0}, None),
    ],
)
def test_the_explanation_says_what_was_counted(figures, text, settings):
    from django.utils import translation

    class Row:
        components = {"responsiveness": 0.5}
        facts = {"responsiveness": figures}

    with translation.override("en"):
        parts = explain(Row())
    if text is None:
        assert not any("hour" in part or " h" in part for part in parts)
    else:
        assert text in parts


def test_the_engine_stores_the_counts_in_the_facts(regions, category):
    from mitra.matching import need_rank
    from tests.factories import ProductFactory

    posyantek = OrganizationFactory()
    ProductFactory(seller=posyantek, category=category, kind="byproduct", weight_per_unit_kg="50")
    notified_and_proposed(posyantek, told_hours_ago=30, answered_after=3)
    need = NeedFactory(organization=PartnerFactory(), category=category)

    results = need_rank(need)

    result = next(r for r in results if r.posyantek_id == posyantek.pk)
    assert result.facts["responsiveness"] == {"median_hours": 3.0, "orders": 0, "proposals": 1}
