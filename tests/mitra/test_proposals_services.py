"""mitra.services.proposals: submitting, withdrawing, rejecting and accepting proposals —
accept places the order (stock reserved, capacity booked), prepaid or on terms, makes a
partnership for recurring supply and other kinds, and moves the need; nothing changes when the
order cannot be placed."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from accounts.models import Organization
from core.errors import ApplicationError, Conflict, InvalidInput
from marketplace.models import CapacityBooking, Product
from mitra.models import Need, Partnership, Proposal, ProposalEvent, SupplyPeriod
from mitra.services.proposals import (
    accepted_quantity,
    proposal_accept,
    proposal_reject,
    proposal_submit,
    proposal_withdraw,
)
from orders.models import Order
from tests.factories import ProductFactory
from tests.mitra.conftest import people_of
from tests.mitra.factories_proposals import delivery, need_for, proposal_status, seller, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(regions):
    return seller()


@pytest.fixture
def rival(regions):
    return seller("Posyantek Pulomerak")


@pytest.fixture
def buyers(partner):
    return people_of(partner)


# --- Submit -----------------------------------------------------------------------------------


def test_a_manager_submits_a_proposal_and_the_partner_is_told(
    partner, buyers, shop, django_capture_on_commit_callbacks
):
    need = need_for(partner)
    with django_capture_on_commit_callbacks(execute=True):
        proposal = submit(
            need,
            shop,
            payment_terms="net_14",
            schedule="Setiap Senin",
            message="Siap kirim.",
        )

    proposal.refresh_from_db()
    assert proposal.status == "submitted"
    assert proposal.payment_terms == "net_14"
    line = proposal.lines.get()
    assert (line.product, line.quantity, line.unit_price_amount) == (shop.product, 100, 24_000)
    assert list(proposal.events.values_list("from_status", "to_status")) == [("", "submitted")]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == {buyers["owner"].email, buyers["manager"].email}
    assert "Rp 2.400.000" in message.body
    assert "wa.me/6281234567890" in message.body
    assert f"/mitra/penawaran/{proposal.pk}/" in message.body


def test_one_submitted_proposal_per_need_and_posyantek(partner, shop):
    need = need_for(partner)
    first = submit(need, shop)
    with pytest.raises(Conflict):
        submit(need, shop)
    proposal_withdraw(proposal=first, actor=shop.manager)
    second = submit(need, shop)
    assert Proposal.objects.filter(need=need, status="submitted").get() == second


@pytest.mark.parametrize("status", ["draft", "fulfilled", "closed", "expired"])
def test_only_active_needs_take_proposals(partner, shop, status):
    need = need_for(partner, status=status)
    with pytest.raises(Conflict):
        submit(need, shop)
    assert not Proposal.objects.exists()


def test_an_unverified_posyantek_cannot_propose(partner, shop):
    Organization.objects.filter(pk=shop.posyantek.pk).update(verification_status="pending")
    shop.posyantek.refresh_from_db()
    with pytest.raises(Conflict):
        submit(need_for(partner), shop)
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    "lines, field",
    [
        ([], "lines"),
        ("x", "lines"),
        ([{"product": "tidak-ada", "quantity": 1, "unit_price_amount": 1}], "lines"),
        ([{"product": "SLUG", "quantity": 0, "unit_price_amount": 1}], "lines"),
        ([{"product": "SLUG", "quantity": 1.5, "unit_price_amount": 1}], "lines"),
        ([{"product": "SLUG", "quantity": True, "unit_price_amount": 1}], "lines"),
        ([{"product": "SLUG", "quantity": 1, "unit_price_amount": -1}], "lines"),
        ([{"product": "SLUG", "quantity": 1, "unit_price_amount": 10**30}], "lines"),
        ([{"product": "SLUG", "quantity": [1], "unit_price_amount": 1}], "lines"),
        ([{"product": "a\x00b", "quantity": 1, "unit_price_amount": 1}], "lines"),
        (["SLUG"], "lines"),
        (
            [
                {"product": "SLUG", "quantity": 1, "unit_price_amount": 1},
                {"product": "SLUG", "quantity": 2, "unit_price_amount": 1},
            ],
            "lines",
        ),
    ],
)
def test_bad_lines_are_refused_by_field(partner, shop, lines, field):
    need = need_for(partner)
    if isinstance(lines, list):
        lines = [
            {**line, "product": shop.product.slug}
            if isinstance(line, dict) and line["product"] == "SLUG"
            else line
            for line in lines
        ]
    with pytest.raises(InvalidInput) as error:
        proposal_submit(
            need=need, posyantek=shop.posyantek, actor=shop.manager, data={"lines": lines}
        )
    assert field in error.value.fields
    assert not Proposal.objects.exists()


def test_products_must_be_own_published_and_of_the_right_kind(partner, shop, rival):
    need = need_for(partner)
    tool = ProductFactory(seller=shop.posyantek, kind="ttg_tool")
    draft = ProductFactory(seller=shop.posyantek, kind="byproduct", status="draft")
    for product in (tool, draft, rival.product):
        with pytest.raises(InvalidInput):
            proposal_submit(
                need=need,
                posyantek=shop.posyantek,
                actor=shop.manager,
                data={"lines": [{"product": product.slug, "quantity": 1, "unit_price_amount": 1}]},
            )
    assert not Proposal.objects.exists()


def test_research_is_answered_with_a_fee_and_no_products(partner, shop):
    need = need_for(partner, kind="research", quantity=None, unit="", frequency="once")
    with pytest.raises(InvalidInput):
        proposal_submit(
            need=need,
            posyantek=shop.posyantek,
            actor=shop.manager,
            data={"lines": [{"product": shop.product.slug, "quantity": 1, "unit_price_amount": 1}]},
        )
    proposal = submit(need, shop, fee_amount=15_000_000, message="Uji lab bersama.")
    assert proposal.fee_amount == 15_000_000
    assert not proposal.lines.exists()


def test_a_supply_proposal_cannot_carry_a_fee_or_unknown_fields(partner, shop):
    need = need_for(partner)
    with pytest.raises(InvalidInput) as error:
        submit(need, shop, fee_amount=10)
    assert "fee_amount" in error.value.fields
    with pytest.raises(InvalidInput):
        submit(need, shop, status="accepted")
    with pytest.raises(InvalidInput):
        submit(need, shop, payment_terms="net_90")


# --- Withdraw and reject ----------------------------------------------------------------------


def test_withdraw_and_reject_are_one_way(partner, buyers, shop, django_capture_on_commit_callbacks):
    need = need_for(partner)
    withdrawn = proposal_withdraw(proposal=submit(need, shop), actor=shop.manager)
    assert withdrawn.status == "withdrawn"
    with pytest.raises(Conflict):
        proposal_reject(proposal=withdrawn, actor=buyers["manager"])

    proposal = submit(need, shop)
    with django_capture_on_commit_callbacks(execute=True):
        proposal_reject(proposal=proposal, actor=buyers["manager"], reason="Harga terlalu tinggi")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_note) == ("rejected", "Harga terlalu tinggi")
    assert proposal.decided_by == buyers["manager"]
    assert mail.outbox[-1].to == [shop.owner.email, shop.manager.email]
    assert "Harga terlalu tinggi" in mail.outbox[-1].body
    for move in (
        lambda: proposal_withdraw(proposal=proposal, actor=shop.manager),
        lambda: proposal_accept(proposal=proposal, actor=buyers["manager"], data=delivery()),
    ):
        with pytest.raises(Conflict):
            move()
    assert proposal_status(proposal) == "rejected"
    need.refresh_from_db()
    assert need.status == "open"


# --- Accept -----------------------------------------------------------------------------------


def test_accepting_a_prepaid_supply_proposal_places_the_order_and_fulfils_the_need(
    partner, buyers, shop, rival, django_capture_on_commit_callbacks
):
    need = need_for(partner)  # 5 ton = 100 karung 50 kg
    proposal = submit(need, shop, quantity=100, price=24_000)
    other = submit(need, rival, quantity=100)

    with django_capture_on_commit_callbacks(execute=True):
        proposal_accept(proposal=proposal, actor=buyers["manager"], data=delivery())

    proposal.refresh_from_db()
    order = proposal.order
    assert proposal.status == "accepted" and proposal.decided_by == buyers["manager"]
    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.payment_terms == "prepaid"
    assert order.buyer_organization == partner
    assert order.seller == shop.posyantek
    assert order.goods_amount == 2_400_000
    assert order.lines.get().unit_price_amount == 24_000
    shop.product.refresh_from_db()
    assert shop.product.stock == 100  # 200 − 100 reserved
    need.refresh_from_db()
    assert need.status == "fulfilled"
    assert accepted_quantity(need) == Decimal("5")
    other.refresh_from_db()
    assert other.status == "rejected" and other.decision_note
    assert not Partnership.objects.exists()  # a once-only supply: just the order
    accepted_mail = [m for m in mail.outbox if shop.manager.email in m.to]
    assert accepted_mail and order.number in accepted_mail[0].body
    assert any(rival.manager.email in m.to for m in mail.outbox)


def test_a_partial_acceptance_takes_the_need_into_discussion(partner, buyers, shop, rival):
    need = need_for(partner)
    first = submit(need, shop, quantity=40)
    second = submit(need, rival, quantity=60)

    proposal_accept(proposal=first, actor=buyers["owner"], data=delivery())
    need.refresh_from_db()
    assert need.status == "in_discussion"
    assert proposal_status(second) == "submitted"

    proposal_accept(proposal=second, actor=buyers["owner"], data=delivery())
    need.refresh_from_db()
    assert need.status == "fulfilled"
    assert Order.objects.count() == 2


def test_accepting_on_the_offered_terms_places_an_invoiced_terms_order(partner, buyers, shop):
    need = need_for(partner)
    proposal = submit(need, shop, payment_terms="net_14")

    proposal_accept(
        proposal=proposal, actor=buyers["manager"], data=delivery(payment_terms="net_14")
    )

    order = Proposal.objects.get(pk=proposal.pk).order
    assert order.status == Order.Status.PLACED_ON_TERMS
    assert order.payment_terms == "net_14"
    assert order.due_date is not None
    assert order.invoices.get().number.startswith("INV/")


def test_net_terms_that_were_not_offered_are_refused(partner, buyers, shop):
    need = need_for(partner)
    proposal = submit(need, shop)  # prepaid only
    with pytest.raises(InvalidInput) as error:
        proposal_accept(
            proposal=proposal, actor=buyers["manager"], data=delivery(payment_terms="net_30")
        )
    assert "payment_terms" in error.value.fields
    assert proposal_status(proposal) == "submitted"
    assert not Order.objects.exists()


def test_when_stock_runs_short_nothing_changes(partner, buyers, shop):
    need = need_for(partner)
    proposal = submit(need, shop, quantity=100)
    Product.objects.filter(pk=shop.product.pk).update(stock=50)

    with pytest.raises(ApplicationError) as error:
        proposal_accept(proposal=proposal, actor=buyers["manager"], data=delivery())

    assert error.value.status_code == 409
    assert proposal_status(proposal) == "submitted"
    assert not Order.objects.exists()
    need.refresh_from_db()
    assert need.status == "open"
    assert not ProposalEvent.objects.filter(to_status="accepted").exists()
    shop.product.refresh_from_db()
    assert shop.product.stock == 50


def test_an_unverified_buyer_organisation_changes_nothing(partner, buyers, shop):
    need = need_for(partner)
    proposal = submit(need, shop)
    Organization.objects.filter(pk=partner.pk).update(verification_status="pending")

    with pytest.raises(ApplicationError):
        proposal_accept(proposal=proposal, actor=buyers["manager"], data=delivery())

    assert proposal_status(proposal) == "submitted"
    assert not Order.objects.exists()


def test_missing_delivery_details_are_a_400_and_change_nothing(partner, buyers, shop):
    need = need_for(partner)
    proposal = submit(need, shop)
    with pytest.raises(InvalidInput) as error:
        proposal_accept(proposal=proposal, actor=buyers["manager"], data={"contact_name": ""})
    assert "contact_phone" in error.value.fields
    assert proposal_status(proposal) == "submitted"


def test_made_to_order_capacity_is_booked(partner, buyers, regions):
    shop = seller(
        "Posyantek Citangkil",
        availability="made_to_order",
        stock=0,
        monthly_capacity=150,
        lead_time_days=7,
    )
    need = need_for(partner)
    proposal = submit(need, shop, quantity=100)

    proposal_accept(proposal=proposal, actor=buyers["manager"], data=delivery())

    order = Proposal.objects.get(pk=proposal.pk).order
    booking = CapacityBooking.objects.get(product=shop.product, cancelled=False)
    assert booking.quantity == 100
    assert booking.source_id == str(order.pk) or str(order.pk) in booking.source_id

    # The next 100 do not fit this month's remaining 50.
    need2 = need_for(partner)
    second = submit(need2, shop, quantity=100)
    with pytest.raises(ApplicationError) as error:
        proposal_accept(proposal=second, actor=buyers["manager"], data=delivery())
    assert error.value.status_code == 409
    assert proposal_status(second) == "submitted"


def test_a_recurring_supply_becomes_an_active_partnership_with_its_first_period(
    partner, buyers, shop
):
    need = need_for(partner, frequency="weekly")
    proposal = submit(need, shop, payment_terms="net_14")

    proposal_accept(
        proposal=proposal, actor=buyers["manager"], data=delivery(payment_terms="net_14")
    )

    proposal.refresh_from_db()
    partnership = Partnership.objects.get(proposal=proposal)
    assert partnership.status == "active"
    assert partnership.frequency == "weekly"
    assert partnership.payment_terms == "net_14"
    assert partnership.partner == partner and partnership.posyantek == shop.posyantek
    period = SupplyPeriod.objects.get(partnership=partnership)
    assert period.order == proposal.order


def test_a_research_proposal_becomes_a_partnership_without_an_order(partner, buyers, shop):
    need = need_for(partner, kind="research", quantity=None, unit="", frequency="once")
    proposal = submit(need, shop, fee_amount=15_000_000)

    proposal_accept(proposal=proposal, actor=buyers["manager"], data={})

    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.order is None
    partnership = Partnership.objects.get(proposal=proposal)
    assert (partnership.kind, partnership.status) == ("research", "active")
    need.refresh_from_db()
    assert need.status == "in_discussion"  # no quantity to reach


def test_machines_for_a_technology_need_are_ordered_without_a_partnership(partner, buyers):
    """Ten solar fish dryers are a purchase: the accept places the order (capacity of the
    made-to-order machine booked) and fulfils the need; no partnership is made of it."""
    maker = seller(
        "Posyantek Mitra Pantura",
        kind="ttg_tool",
        selling_unit="unit",
        weight_per_unit_kg=Decimal("60.000"),
        price_amount=4_500_000,
        availability="made_to_order",
        lead_time_days=14,
        monthly_capacity=12,
        stock=0,
    )
    need = need_for(partner, kind="technology", quantity=Decimal("10"), unit="unit")
    proposal = submit(need, maker, quantity=10, price=4_400_000)

    proposal_accept(proposal=proposal, actor=buyers["manager"], data=delivery())

    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    assert proposal.order.goods_amount == 44_000_000
    assert proposal.order.buyer_organization == partner
    booking = CapacityBooking.objects.get(product=maker.product, cancelled=False)
    assert (booking.source_type, booking.quantity) == ("order", 10)
    assert not Partnership.objects.filter(proposal=proposal).exists()
    need.refresh_from_db()
    assert need.status == "fulfilled"


def test_a_need_no_longer_active_takes_no_accept(partner, buyers, shop):
    need = need_for(partner)
    proposal = submit(need, shop)
    Need.objects.filter(pk=need.pk).update(status="closed")
    with pytest.raises(Conflict):
        proposal_accept(proposal=proposal, actor=buyers["manager"], data=delivery())
    assert proposal_status(proposal) == "submitted"


def test_the_deadline_of_a_need_does_not_matter_to_accept(partner, buyers, shop):
    need = need_for(partner, deadline=datetime.date.today() + datetime.timedelta(days=3))
    proposal = submit(need, shop)
    proposal_accept(proposal=proposal, actor=buyers["manager"], data=delivery())
    assert proposal_status(proposal) == "accepted"
