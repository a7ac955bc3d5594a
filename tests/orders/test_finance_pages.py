"""The Posyantek's finances page: balance (pending, available), ledger entries, payouts and
refunds of its orders; for its owners and managers and platform staff only, linked from the
organisation page. Assertions use status codes, ids, data attributes and the database."""

import datetime

import pytest
from django.urls import reverse

from orders.models import LedgerEntry, Payout, Refund
from orders.services.lifecycle import order_cancel, order_complete
from orders.services.payouts import payout_record

pytestmark = pytest.mark.django_db


def finances(shop) -> str:
    return reverse("orders:finances", args=[shop.seller.slug])


def with_payout_account(organization):
    organization.payout_bank_name = "Bank BJB"
    organization.payout_account_number = "0012345678901"
    organization.payout_account_holder = "Posyantek Purwakarta"
    organization.save()
    return organization


def test_url():
    assert reverse("orders:finances", args=["pwk"]) == "/organisasi/pwk/keuangan/"


def test_owners_managers_and_staff_see_the_finances(client, shop):
    order = shop.paid()
    for user in (shop.owner, shop.manager, shop.platform):
        client.force_login(user)
        response = client.get(finances(shop))
        assert response.status_code == 200
        balance = response.context["balance"]
        assert balance.pending == order.total_amount
        assert balance.available == 0
        html = response.content.decode()
        assert f'data-amount="{order.total_amount}"' in html
        assert 'data-kind="sale"' in html
        assert order.number in html


def test_others_get_a_404(client, shop):
    shop.paid()
    for user in (shop.staff, shop.buyer, shop.stranger):
        client.force_login(user)
        assert client.get(finances(shop)).status_code == 404
    client.force_login(shop.owner)
    assert client.get("/organisasi/tidak-ada/keuangan/").status_code == 404
    client.logout()
    assert client.get(finances(shop)).status_code == 302  # to the login page


def test_the_organisation_page_links_finances_for_owners_and_managers(client, shop):
    page = reverse("organizations:detail", args=[shop.seller.slug])
    for user, shown in ((shop.owner, True), (shop.manager, True), (shop.staff, False)):
        client.force_login(user)
        html = client.get(page).content.decode()
        assert ('id="finances-link"' in html) is shown, user


def test_a_completed_order_is_available_and_payouts_and_refunds_are_listed(
    client, shop, django_capture_on_commit_callbacks
):
    with_payout_account(shop.seller)
    done = order_complete(order=shop.shipped(), actor=shop.buyer)
    payout_record(
        organization=shop.seller,
        actor=shop.platform,
        amount=100_000,
        reference="BJB-PAYOUT-1",
        paid_on=datetime.date.today(),
    )
    cancelled = shop.paid()
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=cancelled, actor=shop.manager, reason="Stok habis")
    client.force_login(shop.owner)
    response = client.get(finances(shop))
    assert response.status_code == 200
    balance = response.context["balance"]
    assert balance.available == done.total_amount - 100_000
    html = response.content.decode()
    payout = Payout.objects.get()
    assert f'data-payout="{payout.pk}"' in html
    refund = Refund.objects.get(order=cancelled)
    assert f'data-refund="{refund.pk}"' in html
    assert 'id="payout-account-missing"' not in html
    kinds = set(LedgerEntry.objects.filter(organization=shop.seller).values_list("kind", flat=True))
    assert {"sale", "payout"} <= kinds


def test_a_missing_payout_account_is_said(client, shop):
    client.force_login(shop.owner)
    response = client.get(finances(shop))
    html = response.content.decode()
    assert 'id="payout-account-missing"' in html
    assert 'id="ledger-empty"' in html


def test_entries_are_paginated(client, shop, monkeypatch):
    monkeypatch.setattr("orders.finance_views.ENTRIES_PER_PAGE", 1)
    shop.paid()
    shop.paid()
    client.force_login(shop.owner)
    first = client.get(finances(shop))
    assert len(first.context["page"].object_list) == 1
    assert first.context["page"].has_next()
    second = client.get(finances(shop) + "?page=2")
    assert second.status_code == 200
    assert second.context["page"].number == 2
