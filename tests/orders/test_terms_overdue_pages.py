"""Overdue orders on terms are visible: the buyer's order list and page ("Overdue" badge with
the due date, an "Overdue" tab), the Posyantek's order desk (an "Overdue terms" tab with its
count, the badge on the order), staff's desk of overdue terms orders, and the API filter
`orders/?overdue=true` with `is_overdue` on every order."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Role
from orders.models import Order, Payment
from orders.selectors import orders_overdue, orders_overdue_for_staff
from orders.services.payments import payment_mark_paid
from orders.services.terms import TermsLine, order_place_agreed
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.orders.conftest import Shop, checkout_body

pytestmark = pytest.mark.django_db

API = "/api/v1/orders/"


def api_for(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def page_for(client, user):
    client.force_login(user)
    return client


class World:
    """A feed company (manager places orders) buying from the shop on terms: one order 10
    days overdue, one 3 days overdue, one due today, one not due yet, one overdue but paid,
    and a prepaid order."""

    def __init__(self, shop: Shop):
        self.shop = shop
        self.company = OrganizationFactory(
            kind="industry", name="PT Pakan Cilegon", slug="pt-pakan-cilegon"
        )
        self.manager = UserFactory()
        MembershipFactory(user=self.manager, organization=self.company, role=Role.MANAGER)
        today = timezone.localdate()
        self.long_overdue = self.place(due=today - datetime.timedelta(days=10))
        self.overdue = self.place(due=today - datetime.timedelta(days=3))
        self.due_today = self.place(due=today)
        self.not_due = self.place(due=None)
        self.paid = self.place(due=today - datetime.timedelta(days=5))
        payment_mark_paid(payment=self.paid.payment, actor=shop.platform)
        self.prepaid = self.place(terms="prepaid")

    def place(self, *, terms="net_14", due: datetime.date | None = None) -> Order:
        order = order_place_agreed(
            user=self.manager,
            data=checkout_body(self.shop.seller, buyer_organization=self.company.slug),
            lines=[TermsLine(product=self.shop.product, quantity=1, unit_price_amount=100_000)],
            payment_terms=terms,
        )
        if due is not None:  # as if placed 14 days before `due`
            Order.objects.filter(pk=order.pk).update(due_date=due)
            Payment.objects.filter(pk=order.payment_id).update(due_date=due)
        return Order.objects.get(pk=order.pk)

    @property
    def overdue_numbers(self) -> list[str]:
        return [self.long_overdue.number, self.overdue.number]


@pytest.fixture
def world(shop) -> World:
    return World(shop)


def rows(response, marker: str = 'class="card order-row" data-order="') -> list[str]:
    html = response.content.decode()
    return [part.split('"', 1)[0] for part in html.split(marker)[1:]]


# --- Selectors ------------------------------------------------------------------------------


def test_overdue_are_unpaid_terms_orders_past_their_due_date_longest_first(world):
    assert [o.number for o in orders_overdue()] == world.overdue_numbers
    today = timezone.localdate()
    assert [o.number for o in orders_overdue(today=today + datetime.timedelta(days=1))] == [
        world.long_overdue.number,
        world.overdue.number,
        world.due_today.number,
    ]
    assert world.long_overdue.is_payment_overdue and world.overdue.is_payment_overdue
    for order in (world.due_today, world.not_due, world.paid, world.prepaid):
        assert not Order.objects.get(pk=order.pk).is_payment_overdue


def test_cancelled_terms_orders_are_not_overdue(world):
    from orders.services.lifecycle import order_cancel

    order_cancel(order=world.overdue, actor=world.manager, reason="Tidak jadi")
    assert [o.number for o in orders_overdue()] == [world.long_overdue.number]


# --- The buyer --------------------------------------------------------------------------------


def test_buyer_sees_the_overdue_badge_with_the_due_date_on_list_and_page(client, world):
    page_for(client, world.manager)

    response = client.get("/pesanan/")

    assert response.status_code == 200
    html = response.content.decode()
    due = world.long_overdue.due_date
    assert f'data-overdue="{due:%Y-%m-%d}"' in html
    assert html.count("status-overdue") == 2
    detail = client.get(f"/pesanan/{world.long_overdue.number}/").content.decode()
    assert "status-overdue" in detail and f'data-overdue="{due:%Y-%m-%d}"' in detail
    assert 'id="overdue-banner"' in detail
    assert f'href="/pembayaran/{world.long_overdue.payment.code}/"' in detail
    not_due = client.get(f"/pesanan/{world.due_today.number}/").content.decode()
    assert "status-overdue" not in not_due and 'id="overdue-banner"' not in not_due


def test_buyer_overdue_tab_lists_only_overdue_orders(client, world):
    page_for(client, world.manager)

    response = client.get("/pesanan/?tab=overdue")

    assert response.status_code == 200
    assert sorted(rows(response)) == sorted(world.overdue_numbers)


# --- The Posyantek's desk -----------------------------------------------------------------


def test_desk_has_an_overdue_terms_tab_with_its_count(client, world):
    shop = world.shop
    page_for(client, shop.staff)
    url = f"/organisasi/{shop.seller.slug}/pesanan/"

    response = client.get(f"{url}?tab=overdue")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-tab="overdue"' in html
    assert sorted(rows(response)) == sorted(world.overdue_numbers)
    tab = html.split('data-tab="overdue"', 1)[1].split("</a>", 1)[0]
    assert "(2)" in tab
    detail = client.get(f"{url}{world.overdue.number}/").content.decode()
    assert "status-overdue" in detail


def test_desk_overdue_tab_is_empty_for_another_posyantek(client, world):
    other = OrganizationFactory(slug="posyantek-lain")
    member = UserFactory()
    MembershipFactory(user=member, organization=other, role=Role.OWNER)
    page_for(client, member)

    response = client.get(f"/organisasi/{other.slug}/pesanan/?tab=overdue")

    assert response.status_code == 200
    assert rows(response) == []
    assert (
        client.get(f"/organisasi/{world.shop.seller.slug}/pesanan/?tab=overdue").status_code == 404
    )


# --- Staff's desk ---------------------------------------------------------------------------


def test_staff_desk_lists_overdue_terms_orders_longest_first(client, world):
    page_for(client, world.shop.platform)

    response = client.get("/staf/jatuh-tempo/")

    assert response.status_code == 200
    assert rows(response) == world.overdue_numbers
    html = response.content.decode()
    assert 'data-days="10"' in html and 'data-days="3"' in html
    assert world.long_overdue.payment.code in html
    assert 'id="overdue-desk-nav"' in html


@pytest.mark.parametrize("who", ["anonymous", "buyer", "seller_owner"])
def test_staff_desk_is_hidden_from_everyone_else(client, world, who):
    user = {"buyer": world.manager, "seller_owner": world.shop.owner}.get(who)
    if user is not None:
        client.force_login(user)
    response = client.get("/staf/jatuh-tempo/")
    assert response.status_code in (302, 404)
    if user is not None:
        assert response.status_code == 404
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied, for anyone but staff
        orders_overdue_for_staff(user=user or UserFactory())


def test_staff_desk_queries_do_not_grow_with_the_list(client, world):
    page_for(client, world.shop.platform)
    client.get("/staf/jatuh-tempo/")
    with CaptureQueriesContext(connection) as few:
        client.get("/staf/jatuh-tempo/")
    today = timezone.localdate()
    for days in range(4, 9):
        world.place(due=today - datetime.timedelta(days=days))
    with CaptureQueriesContext(connection) as many:
        response = client.get("/staf/jatuh-tempo/")
    assert len(rows(response)) == 7
    assert len(many) == len(few)


# --- API --------------------------------------------------------------------------------------


def test_api_overdue_filter_and_flag(world):
    client = api_for(world.manager)

    response = client.get(API, {"overdue": "true"})

    assert response.status_code == 200
    body = response.json()
    assert sorted(item["number"] for item in body["results"]) == sorted(world.overdue_numbers)
    assert all(item["is_overdue"] for item in body["results"])
    others = client.get(API, {"overdue": "false"}).json()["results"]
    assert {item["number"] for item in others} == {
        world.due_today.number,
        world.not_due.number,
        world.paid.number,
        world.prepaid.number,
    }
    assert not any(item["is_overdue"] for item in others)
    detail = client.get(f"{API}{world.overdue.number}/").json()
    assert detail["is_overdue"] is True and detail["due_date"] == f"{world.overdue.due_date}"


def test_api_overdue_filter_for_the_seller_and_staff(world):
    shop = world.shop
    seller = api_for(shop.staff).get(
        API, {"as": "seller", "organization": shop.seller.slug, "overdue": "true"}
    )
    assert sorted(item["number"] for item in seller.json()["results"]) == sorted(
        world.overdue_numbers
    )
    staff = api_for(shop.platform).get(API, {"as": "seller", "overdue": "true"})
    assert sorted(item["number"] for item in staff.json()["results"]) == sorted(
        world.overdue_numbers
    )


@pytest.mark.parametrize("value", ["maybe", "yes", "1\x00", "x" * 5000, "[]", "2"])
def test_api_overdue_filter_refuses_anything_but_true_or_false(world, value):
    """A value it does not know is a 400 naming the field, never the whole list unfiltered."""
    response = api_for(world.manager).get(API, {"overdue": value})
    assert response.status_code == 400
    assert "overdue" in response.json()["errors"]


def test_an_empty_overdue_filter_is_no_filter(world):
    response = api_for(world.manager).get(API, {"overdue": ""})
    assert response.status_code == 200


def test_api_overdue_list_queries_do_not_grow(world):
    client = api_for(world.manager)
    client.get(API, {"overdue": "true"})
    with CaptureQueriesContext(connection) as few:
        client.get(API, {"overdue": "true"})
    today = timezone.localdate()
    for days in range(4, 9):
        world.place(due=today - datetime.timedelta(days=days))
    with CaptureQueriesContext(connection) as many:
        response = client.get(API, {"overdue": "true"})
    assert response.json()["count"] == 7
    assert len(many) == len(few)


# --- The buying organisation ------------------------------------------------------------------


def test_the_organisations_purchases_show_every_members_orders_and_the_overdue_tab(client, world):
    """The company's owner placed none of the orders (the manager did), yet sees them all on
    the company's purchases, with the overdue ones on their tab; the tabs keep the company."""
    owner = UserFactory()
    MembershipFactory(user=owner, organization=world.company, role=Role.OWNER)
    page_for(client, owner)

    mine = client.get("/pesanan/")
    assert world.long_overdue.number not in mine.content.decode()
    response = client.get("/pesanan/", {"organization": world.company.slug, "tab": "overdue"})
    assert response.status_code == 200
    html = response.content.decode()
    for number in world.overdue_numbers:
        assert f'data-order="{number}"' in html
    assert f'data-order="{world.due_today.number}"' not in html
    assert f'href="?organization={world.company.slug}&amp;tab=all"' in html
    assert 'id="purchases-link"' in html  # the organisation's own nav


@pytest.mark.parametrize("slug", ["someone-else", "does-not-exist", "x\x00y"])
def test_another_organisations_purchases_are_a_404(client, world, shop, slug):
    OrganizationFactory(kind="industry", slug="someone-else")
    page_for(client, world.manager)
    response = client.get("/pesanan/", {"organization": slug})
    assert response.status_code == 404
