"""Partnership pages: the organisation's list (both roles), a partnership's page with its
agreement, lines in Rupiah, milestones, orders, supply periods (short ones with the reason)
and history, the buttons behind the next actions, and the propose form."""

import datetime

import pytest
from django.test import Client

from mitra.models import Milestone, Partnership
from mitra.services import partnerships as services
from mitra.services.supply import supply_periods_place
from tests.mitra.factories_partnerships import Clock, deal_build, recurring_data, wib

pytestmark = pytest.mark.django_db

MON = datetime.date(2027, 3, 1)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, wib(2027, 3, 1, 8, 0))


@pytest.fixture
def deal(regions):
    return deal_build()


def browser(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def research(deal) -> Partnership:
    return services.partnership_propose(
        organization=deal.posyantek,
        actor=deal.posyantek_manager,
        data={
            "with": deal.partner.slug,
            "kind": "research",
            "title": "Uji pengering ampas tahu",
            "terms": "Fakultas Teknik menguji prototipe.",
            "start_date": "2027-03-10",
            "milestones": [{"title": "Prototipe", "due_date": "2027-05-01"}],
        },
    )


def supplying(deal) -> Partnership:
    partnership = services.partnership_propose(
        organization=deal.partner, actor=deal.partner_manager, data=recurring_data(deal, start=MON)
    )
    return services.partnership_accept(partnership=partnership, actor=deal.posyantek_manager)


def test_the_organisations_list_shows_both_roles_to_members_only(deal, clock):
    partnership = research(deal)
    for user, slug in (
        (deal.partner_staff, deal.partner.slug),
        (deal.posyantek_owner, deal.posyantek.slug),
        (deal.platform, deal.partner.slug),
    ):
        response = browser(user).get(f"/organisasi/{slug}/kemitraan/")
        assert response.status_code == 200
        assert f'data-partnership="{partnership.pk}"' in response.content.decode()
    assert (
        browser(deal.stranger).get(f"/organisasi/{deal.partner.slug}/kemitraan/").status_code == 404
    )
    anonymous = browser(None).get(f"/organisasi/{deal.partner.slug}/kemitraan/")
    assert anonymous.status_code == 302
    page = browser(deal.partner_manager).get(f"/organisasi/{deal.partner.slug}/kemitraan/")
    assert 'id="new-partnership"' in page.content.decode()
    assert 'id="partnerships-link"' in page.content.decode()


def test_the_page_shows_the_agreement_orders_and_periods(deal, clock):
    partnership = supplying(deal)
    supply_periods_place()
    clock.set(wib(2027, 3, 8, 0, 15))
    from marketplace.models import Product

    Product.objects.filter(pk=deal.product.pk).update(status="archived")
    supply_periods_place()
    response = browser(deal.partner_staff).get(f"/mitra/kemitraan/{partnership.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rp 55.000" in html and "Rp 1.100.000" in html
    order = partnership.supply_periods.get(status="placed").order
    assert f"/pesanan/{order.number}/" in html
    short = partnership.supply_periods.get(status="short")
    assert 'data-status="short"' in html
    assert short.reason.split()[0] in html
    assert 'id="partnership-events"' in html
    assert 'data-action="terminate"' not in html  # staff members see, do not act
    manager = browser(deal.partner_manager).get(f"/mitra/kemitraan/{partnership.pk}/")
    assert 'data-action="terminate"' in manager.content.decode()
    assert browser(deal.stranger).get(f"/mitra/kemitraan/{partnership.pk}/").status_code == 404


def test_accept_and_decline_buttons(deal, clock):
    partnership = research(deal)
    page = browser(deal.partner_manager).get(f"/mitra/kemitraan/{partnership.pk}/").content
    assert b'data-action="accept"' in page and b'data-action="decline"' in page
    refused = browser(deal.partner_staff).post(f"/mitra/kemitraan/{partnership.pk}/accept/")
    assert refused.status_code == 403
    response = browser(deal.partner_manager).post(f"/mitra/kemitraan/{partnership.pk}/accept/")
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.status == "active"
    again = browser(deal.partner_manager).post(f"/mitra/kemitraan/{partnership.pk}/decline/")
    assert again.status_code == 409  # not possible now: answering is for proposals
    assert b'id="partnership-error"' in again.content
    partnership.refresh_from_db()
    assert partnership.status == "active"
    not_theirs = browser(deal.partner_manager).post(f"/mitra/kemitraan/{partnership.pk}/cancel/")
    assert not_theirs.status_code == 403  # only the proposer withdraws
    done = browser(deal.posyantek_manager).post(
        f"/mitra/kemitraan/{partnership.pk}/complete/", {"note": "Laporan diterima"}
    )
    assert done.status_code == 302
    partnership.refresh_from_db()
    assert partnership.status == "completed"
    twice = browser(deal.posyantek_manager).post(f"/mitra/kemitraan/{partnership.pk}/terminate/")
    assert twice.status_code == 409
    assert (
        browser(deal.partner_manager).post(f"/mitra/kemitraan/{partnership.pk}/bogus/").status_code
        == 404
    )


def test_accepting_a_recurring_supply_asks_the_partner_for_delivery_details(deal, clock):
    data = recurring_data(deal, start=MON, **{"with": deal.partner.slug})
    data.pop("order_details")
    partnership = services.partnership_propose(
        organization=deal.posyantek, actor=deal.posyantek_manager, data=data
    )
    page = browser(deal.partner_manager).get(f"/mitra/kemitraan/{partnership.pk}/")
    assert b'id="accept-form"' in page.content
    bad = browser(deal.partner_manager).post(f"/mitra/kemitraan/{partnership.pk}/accept/", {})
    assert bad.status_code == 400
    partnership.refresh_from_db()
    assert partnership.status == "proposed"
    good = browser(deal.partner_manager).post(
        f"/mitra/kemitraan/{partnership.pk}/accept/",
        {
            "delivery-contact_name": "Budi",
            "delivery-contact_phone": "081234567890",
            "delivery-contact_email": "budi@contoh.id",
            "delivery-village_province": "36",
            "delivery-village_regency": "36.72",
            "delivery-village_district": "36.72.07",
            "delivery-village_village": "36.72.07.1004",
            "delivery-address_line": "Jl. Raya Anyer 10",
            "delivery-shipping_method": "pickup",
        },
    )
    assert good.status_code == 302, good.content.decode()[:2000]
    partnership.refresh_from_db()
    assert partnership.status == "active"
    assert partnership.ordered_by == deal.partner_manager
    assert partnership.order_details["shipping"] == {deal.posyantek.slug: "pickup"}


def test_milestones_are_added_and_ticked_off_on_the_page(deal, clock):
    partnership = research(deal)
    client = browser(deal.partner_owner)
    response = client.post(
        f"/mitra/kemitraan/{partnership.pk}/tonggak/",
        {"title": "Uji lapangan", "due_date": "2027-07-01"},
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get(title="Uji lapangan")
    assert client.post(f"/mitra/kemitraan/{partnership.pk}/tonggak/", {}).status_code == 400
    tick = client.post(f"/mitra/kemitraan/{partnership.pk}/tonggak/{milestone.pk}/", {"done": "1"})
    assert tick.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_by == deal.partner_owner
    page = client.get(f"/mitra/kemitraan/{partnership.pk}/").content.decode()
    assert 'data-done="1"' in page
    stranger = browser(deal.partner_staff).post(
        f"/mitra/kemitraan/{partnership.pk}/tonggak/{milestone.pk}/", {"done": "0"}
    )
    assert stranger.status_code == 403
    milestone.refresh_from_db()
    assert milestone.done_at is not None


def test_the_propose_form_sends_a_research_proposal(deal, clock):
    url = f"/mitra/kemitraan/baru/?organization={deal.posyantek.slug}&with={deal.partner.slug}"
    client = browser(deal.posyantek_manager)
    page = client.get(url)
    assert page.status_code == 200
    assert f'data-product="{deal.product.slug}"' in page.content.decode()
    response = client.post(
        url,
        {
            "kind": "research",
            "title": "Riset pakan",
            "start_date": "2027-03-10",
            "milestones": "2027-05-01 Prototipe\n2027-08-01 Laporan",
            "payment_terms": "prepaid",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    partnership = Partnership.objects.get()
    assert partnership.proposed_by == deal.posyantek
    assert partnership.milestones.count() == 2
    assert browser(deal.posyantek_staff).get(url).status_code == 403


def test_the_propose_form_sends_a_recurring_supply_from_the_partner(deal, clock):
    url = f"/mitra/kemitraan/baru/?organization={deal.partner.slug}&with={deal.posyantek.slug}"
    client = browser(deal.partner_manager)
    body = {
        "kind": "supply",
        "title": "Ampas tahu mingguan",
        "start_date": "2027-03-01",
        "frequency": "weekly",
        "weekday": "0",
        "payment_terms": "net_14",
        f"qty_{deal.product.pk}": "20",
        f"price_{deal.product.pk}": "55000",
    }
    missing = client.post(url, body)
    assert missing.status_code == 400  # delivery details are needed for a recurring supply
    assert not Partnership.objects.exists()
    body.update(
        {
            "delivery-contact_name": "Budi",
            "delivery-contact_phone": "081234567890",
            "delivery-contact_email": "budi@contoh.id",
            "delivery-village_province": "36",
            "delivery-village_regency": "36.72",
            "delivery-village_district": "36.72.07",
            "delivery-village_village": "36.72.07.1004",
            "delivery-address_line": "Jl. Raya Anyer 10",
            "delivery-shipping_method": "pickup",
        }
    )
    response = client.post(url, body)
    assert response.status_code == 302, response.content.decode()[:3000]
    partnership = Partnership.objects.get()
    assert (partnership.frequency, partnership.payment_terms) == ("weekly", "net_14")
    assert partnership.lines.get().unit_price_amount == 55_000
    bad = client.post(url, {**body, "start_date": "2020-01-01"})
    assert bad.status_code == 400
    assert Partnership.objects.count() == 1


def test_the_admin_shows_partnerships_read_only(deal, clock):
    from tests.factories import UserFactory

    partnership = supplying(deal)
    supply_periods_place()
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = browser(admin)
    assert client.get("/admin/mitra/partnership/").status_code == 200
    assert client.get(f"/admin/mitra/partnership/{partnership.pk}/change/").status_code == 200
    assert client.get("/admin/mitra/supplyperiod/").status_code == 200
    assert client.get("/admin/mitra/partnership/add/").status_code == 403


def test_an_overdue_terms_order_is_marked_and_the_posyantek_opens_it_on_its_desk(deal, clock):
    """Net 14 days: three weeks after the first weekly order it is overdue on the partnership
    page; the Posyantek's members are sent to the order on their desk, the partner's to its
    own order page."""
    partnership = supplying(deal)
    supply_periods_place()
    order = partnership.supply_periods.get(status="placed").order
    assert order.payment_terms == "net_14"
    clock.set(wib(2027, 3, 29, 9, 0))

    html = browser(deal.partner_staff).get(f"/mitra/kemitraan/{partnership.pk}/").content.decode()
    assert f'data-overdue="{order.due_date:%Y-%m-%d}"' in html
    assert f'href="/pesanan/{order.number}/"' in html
    seller = browser(deal.posyantek_manager).get(f"/mitra/kemitraan/{partnership.pk}/")
    assert f'href="/organisasi/{deal.posyantek.slug}/pesanan/{order.number}/"' in (
        seller.content.decode()
    )
