"""Proposal pages: a Posyantek manager answers from the need's page; the partner compares the
proposals side by side on the need's page and accepts with delivery details (an order is
placed, linked from the proposal's page) or rejects; the Posyantek withdraws; the lists of
sent and received proposals; who may not gets a 403/404 and nothing changes."""

import pytest
from django.test import Client

from mitra.models import Proposal
from orders.models import Order
from tests.mitra.conftest import people_of
from tests.mitra.factories import MatchFactory
from tests.mitra.factories_proposals import VILLAGE, need_for, proposal_status, seller, submit

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


def browser(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def accept_post(**changes) -> dict:
    data = {
        "contact_name": "Budi Santoso",
        "contact_phone": "0812-3456-7890",
        "contact_email": "budi@contoh.id",
        "village_province": VILLAGE[:2],
        "village_regency": VILLAGE[:5],
        "village_district": VILLAGE[:8],
        "village_village": VILLAGE,
        "address_line": "Jl. Raya Anyer No. 10",
        "postal_code": "42431",
        "shipping_method": "pickup",
        "payment_terms": "prepaid",
        "payment_method": "bank_transfer",
    }
    data.update(changes)
    return data


def test_a_posyantek_manager_sees_the_button_and_sends_a_prefilled_proposal(partner, shop):
    need = need_for(partner)  # 5 ton → 100 karung 50 kg
    client = browser(shop.manager)

    page = client.get(f"/mitra/kebutuhan/{need.pk}/")
    assert page.status_code == 200
    assert b'id="propose-' in page.content

    form = client.get(f"/mitra/kebutuhan/{need.pk}/penawaran/baru/")
    assert form.status_code == 200
    html = form.content.decode()
    assert f'name="quantity_{shop.product.pk}"' in html
    assert 'value="100"' in html  # suggested quantity
    assert 'value="25000"' in html  # catalogue price

    response = client.post(
        f"/mitra/kebutuhan/{need.pk}/penawaran/baru/?posyantek={shop.posyantek.slug}",
        {
            "posyantek": shop.posyantek.slug,
            f"quantity_{shop.product.pk}": "100",
            f"price_{shop.product.pk}": "24000",
            "schedule": "Setiap Senin",
            "message": "Siap kirim",
            "payment_terms": "net_14",
        },
    )

    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/mitra/penawaran/{proposal.pk}/"
    assert (proposal.payment_terms, proposal.schedule) == ("net_14", "Setiap Senin")
    assert proposal.lines.get().unit_price_amount == 24_000
    # Sent: no second button, the own proposal is listed instead.
    page = client.get(f"/mitra/kebutuhan/{need.pk}/")
    assert b'id="propose-' not in page.content
    assert b'id="own-proposals"' in page.content


def test_bad_input_on_the_form_is_a_400_and_saves_nothing(partner, shop):
    need = need_for(partner)
    response = browser(shop.manager).post(
        f"/mitra/kebutuhan/{need.pk}/penawaran/baru/",
        {f"quantity_{shop.product.pk}": "-3", "payment_terms": "prepaid"},
    )
    assert response.status_code == 400
    response = browser(shop.manager).post(
        f"/mitra/kebutuhan/{need.pk}/penawaran/baru/", {"payment_terms": "prepaid"}
    )
    assert response.status_code == 400  # no product offered
    assert "Tawarkan paling sedikit satu produk Anda." in response.content.decode()
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("who", ["staff", "partner"])
def test_who_may_not_propose_gets_no_button_and_a_refusal(partner, buyers, shop, who):
    need = need_for(partner)
    user = shop.staff if who == "staff" else buyers["manager"]
    client = browser(user)
    assert b'id="propose-' not in client.get(f"/mitra/kebutuhan/{need.pk}/").content
    response = client.post(
        f"/mitra/kebutuhan/{need.pk}/penawaran/baru/",
        {f"quantity_{shop.product.pk}": "1", "payment_terms": "prepaid"},
    )
    assert response.status_code == 403
    assert not Proposal.objects.exists()


def test_the_partner_compares_proposals_side_by_side(partner, buyers, shop, rival):
    need = need_for(partner)
    MatchFactory(need=need, posyantek=shop.posyantek, score=87, rank=1)
    first = submit(need, shop, price=24_000)
    second = submit(need, rival, price=23_000, payment_terms="net_30")

    html = browser(buyers["staff"]).get(f"/mitra/kebutuhan/{need.pk}/").content.decode()

    assert 'id="proposal-compare"' in html
    assert f'data-proposal="{first.pk}"' in html and f'data-proposal="{second.pk}"' in html
    assert "Rp 24.000" in html and "Rp 2.300.000" in html
    assert ">87<" in html
    # Staff of the partner see, but may not accept.
    assert f"/mitra/penawaran/{first.pk}/#accept" not in html
    manager_html = browser(buyers["manager"]).get(f"/mitra/kebutuhan/{need.pk}/").content.decode()
    assert f"/mitra/penawaran/{first.pk}/#accept" in manager_html
    # A Posyantek sees its own proposal only.
    rival_html = browser(rival.manager).get(f"/mitra/kebutuhan/{need.pk}/").content.decode()
    assert 'id="proposal-compare"' not in rival_html
    assert f'data-proposal="{second.pk}"' in rival_html
    assert f'data-proposal="{first.pk}"' not in rival_html


def test_the_partner_accepts_and_the_order_is_linked(partner, buyers, shop):
    need = need_for(partner)
    proposal = submit(need, shop, payment_terms="net_14")
    client = browser(buyers["manager"])
    page = client.get(f"/mitra/penawaran/{proposal.pk}/")
    assert b'id="accept-form"' in page.content

    response = client.post(
        f"/mitra/penawaran/{proposal.pk}/terima/", accept_post(payment_terms="net_14")
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.get()
    assert order.status == "placed_on_terms" and order.buyer_organization == partner
    assert proposal_status(proposal) == "accepted"
    page = client.get(f"/mitra/penawaran/{proposal.pk}/").content.decode()
    assert f"/pesanan/{order.number}/" in page
    desk = browser(shop.manager).get(f"/mitra/penawaran/{proposal.pk}/").content.decode()
    assert f"/organisasi/{shop.posyantek.slug}/pesanan/{order.number}/" in desk


def test_an_accept_with_bad_details_is_a_400_and_changes_nothing(partner, buyers, shop):
    proposal = submit(need_for(partner), shop)
    response = browser(buyers["manager"]).post(
        f"/mitra/penawaran/{proposal.pk}/terima/", accept_post(contact_phone="")
    )
    assert response.status_code == 400
    assert proposal_status(proposal) == "submitted"
    assert not Order.objects.exists()


def test_an_accept_without_stock_is_a_409_and_changes_nothing(partner, buyers, shop):
    proposal = submit(need_for(partner), shop, quantity=300)
    response = browser(buyers["manager"]).post(
        f"/mitra/penawaran/{proposal.pk}/terima/", accept_post()
    )
    assert response.status_code == 409
    assert b'id="proposal-error"' in response.content
    assert proposal_status(proposal) == "submitted"


def test_reject_and_withdraw(partner, buyers, shop, rival):
    need = need_for(partner)
    proposal = submit(need, shop)
    other = submit(need, rival)

    response = browser(buyers["owner"]).post(
        f"/mitra/penawaran/{proposal.pk}/tolak/", {"reason": "Terlalu jauh"}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_note) == ("rejected", "Terlalu jauh")

    response = browser(rival.owner).post(f"/mitra/penawaran/{other.pk}/tarik/")
    assert response.status_code == 302
    assert proposal_status(other) == "withdrawn"

    again = browser(rival.owner).post(f"/mitra/penawaran/{other.pk}/tarik/")
    assert again.status_code == 409


@pytest.mark.parametrize("who", ["staff", "other", "dinas"])
def test_who_may_not_decide(partner, buyers, shop, who):
    proposal = submit(need_for(partner), shop)
    client = browser(buyers[who])
    for action in ("terima", "tolak"):
        response = client.post(f"/mitra/penawaran/{proposal.pk}/{action}/", accept_post())
        assert response.status_code in (403, 404)
    assert browser(shop.staff).post(f"/mitra/penawaran/{proposal.pk}/tarik/").status_code == 403
    assert proposal_status(proposal) == "submitted"


def test_outsiders_do_not_see_a_proposal(partner, buyers, shop, rival):
    proposal = submit(need_for(partner), shop)
    for user in (buyers["other"], buyers["dinas"], rival.manager):
        assert browser(user).get(f"/mitra/penawaran/{proposal.pk}/").status_code == 404
    anonymous = browser(None).get(f"/mitra/penawaran/{proposal.pk}/")
    assert anonymous.status_code == 302


def test_the_lists_of_sent_and_received_proposals(partner, buyers, shop, rival):
    need = need_for(partner)
    mine = submit(need, shop)
    theirs = submit(need, rival)

    sent = browser(shop.staff).get(f"/organisasi/{shop.posyantek.slug}/penawaran/")
    assert sent.status_code == 200
    assert f'data-proposal="{mine.pk}"' in sent.content.decode()
    assert f'data-proposal="{theirs.pk}"' not in sent.content.decode()

    received = browser(buyers["manager"]).get(f"/organisasi/{partner.slug}/penawaran/")
    html = received.content.decode()
    assert f'data-proposal="{mine.pk}"' in html and f'data-proposal="{theirs.pk}"' in html

    filtered = browser(buyers["manager"]).get(
        f"/organisasi/{partner.slug}/penawaran/", {"status": "withdrawn"}
    )
    assert 'id="proposal-list-empty"' in filtered.content.decode()
    assert browser(buyers["other"]).get(f"/organisasi/{partner.slug}/penawaran/").status_code == 404


def test_a_research_proposal_with_a_fee(partner, buyers, shop):
    need = need_for(partner, kind="research", quantity=None, unit="", frequency="once")
    client = browser(shop.owner)
    form = client.get(f"/mitra/kebutuhan/{need.pk}/penawaran/baru/")
    assert b'name="fee_amount"' in form.content
    response = client.post(
        f"/mitra/kebutuhan/{need.pk}/penawaran/baru/",
        {"fee_amount": "15000000", "payment_terms": "prepaid", "message": "Uji lab"},
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.fee_amount == 15_000_000

    accepted = browser(buyers["owner"]).post(f"/mitra/penawaran/{proposal.pk}/terima/", {})
    assert accepted.status_code == 302, accepted.content.decode()[:1500]
    assert proposal_status(proposal) == "accepted"
    page = browser(buyers["owner"]).get(f"/mitra/penawaran/{proposal.pk}/").content.decode()
    assert 'id="partnership-link"' in page
