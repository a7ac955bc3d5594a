"""Accepting proposals under real concurrency on PostgreSQL (threads, own connections, a
barrier): the database decides, and the loser changes nothing."""

import pytest

from core.errors import ApplicationError
from marketplace.models import Product
from mitra.models import Need, Proposal
from mitra.services.proposals import proposal_accept
from orders.models import Order
from tests.concurrency import race
from tests.mitra.conftest import people_of
from tests.mitra.factories import PartnerFactory
from tests.mitra.factories_proposals import delivery, need_for, seller, submit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def accept(proposal_id: int, user) -> object:
    return proposal_accept(
        proposal=Proposal.objects.get(pk=proposal_id), actor=user, data=delivery()
    )


def test_two_accepts_for_the_last_stock_one_wins(regions):
    shop = seller(stock=100)
    partners = [PartnerFactory(), PartnerFactory()]
    managers = [people_of(partner)["manager"] for partner in partners]
    proposals = [submit(need_for(partner), shop, quantity=100) for partner in partners]

    results = race(
        [
            lambda p=proposal, u=user: accept(p.pk, u)
            for proposal, user in zip(proposals, managers, strict=True)
        ]
    )

    won = [r for r in results if isinstance(r, Proposal)]
    lost = [r for r in results if isinstance(r, ApplicationError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].status_code == 409
    assert Order.objects.count() == 1
    assert Product.objects.get(pk=shop.product.pk).stock == 0
    statuses = sorted(Proposal.objects.values_list("status", flat=True))
    assert statuses == ["accepted", "submitted"]
    loser = Proposal.objects.get(status="submitted")
    assert loser.order is None
    assert Need.objects.get(pk=loser.need_id).status == "open"


def test_two_accepts_on_one_need_queue_up_and_the_second_finds_it_fulfilled(regions):
    first, second = seller("Posyantek A"), seller("Posyantek B")
    partner = PartnerFactory()
    manager, owner = people_of(partner)["manager"], people_of(partner)["owner"]
    need = need_for(partner)  # 5 ton: each proposal covers it all
    proposals = [submit(need, first, quantity=100), submit(need, second, quantity=100)]

    results = race(
        [
            lambda: accept(proposals[0].pk, manager),
            lambda: accept(proposals[1].pk, owner),
        ]
    )

    won = [r for r in results if isinstance(r, Proposal)]
    lost = [r for r in results if isinstance(r, ApplicationError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].status_code == 409
    assert Order.objects.count() == 1
    assert sorted(Proposal.objects.values_list("status", flat=True)) == ["accepted", "rejected"]
    assert Need.objects.get(pk=need.pk).status == "fulfilled"
