"""orders/ as a list: who sees which orders (?as=buyer|seller&organization=…), the filters
(status, dates, number, buyer) with a 400 per malformed value, and a query count that does not
grow with the page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Organization, Role
from orders.models import Dispute, Order
from tests.factories import (
    MembershipFactory,
    OrderFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/"


def client_for(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.json()
    return {order["number"] for order in response.json()["results"]}


def placed_on(order: Order, day: datetime.date, hour: int = 12) -> Order:
    """Move an order's placement to a day (Asia/Jakarta)."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    Order.objects.filter(pk=order.pk).update(created_at=moment)
    return order


@pytest.fixture
def world(regions):
    """Two Posyantek in Kota Cilegon and one in Kota Pekalongan, each with a member; two
    buyers (one buying for an industry partner); dinas of Kota Cilegon, of Kalimantan Timur;
    platform staff."""
    cilegon = OrganizationFactory(slug="posyantek-cilegon")
    cilegon_two = OrganizationFactory(slug="posyantek-cilegon-dua")
    pekalongan = OrganizationFactory(slug="posyantek-pekalongan", district_id="33.75.03")
    partner = OrganizationFactory(
        kind=Organization.Kind.INDUSTRY, slug="pt-pakan", name="PT Pakan Sejahtera"
    )
    people = {
        "cilegon_member": MembershipFactory(organization=cilegon, role=Role.STAFF).user,
        "pekalongan_member": MembershipFactory(organization=pekalongan, role=Role.OWNER).user,
        "buyer": UserFactory(name="Budi Santoso", email="budi@contoh.id"),
        "partner_buyer": UserFactory(name="Sari Wulandari", email="sari@pakan.co.id"),
        "partner_colleague": UserFactory(),
        "stranger": UserFactory(),
        "platform": UserFactory(is_staff=True),
    }
    MembershipFactory(organization=partner, user=people["partner_buyer"], role=Role.MANAGER)
    MembershipFactory(organization=partner, user=people["partner_colleague"], role=Role.STAFF)
    for name, jurisdiction in (("dinas_cilegon", "36.72"), ("dinas_kaltim", "64")):
        dinas = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, jurisdiction=jurisdiction)
        people[name] = MembershipFactory(organization=dinas, role=Role.STAFF).user

    def order(seller, buyer, **fields):
        return OrderFactory(
            seller=seller, buyer=people[buyer], payment__buyer=people[buyer], **fields
        )

    orders = {
        "budi_cilegon": order(cilegon, "buyer", status="paid", contact_name="Budi Santoso"),
        "budi_pekalongan": order(pekalongan, "buyer", status="shipped"),
        "partner_cilegon": order(
            cilegon,
            "partner_buyer",
            buyer_organization=partner,
            status="pending_payment",
            contact_name="Sari Wulandari",
            contact_email="sari@pakan.co.id",
        ),
        "partner_cilegon_two": order(
            cilegon_two, "partner_buyer", buyer_organization=partner, status="completed"
        ),
    }
    return {
        "cilegon": cilegon,
        "cilegon_two": cilegon_two,
        "pekalongan": pekalongan,
        "partner": partner,
        "people": people,
        "orders": {key: value.number for key, value in orders.items()},
    }


# --- Who sees what ------------------------------------------------------------------------------


def test_a_buyer_sees_only_its_own_purchases(world):
    people, orders = world["people"], world["orders"]

    assert numbers(client_for(people["buyer"]).get(URL)) == {
        orders["budi_cilegon"],
        orders["budi_pekalongan"],
    }
    assert numbers(client_for(people["partner_buyer"]).get(URL + "?as=buyer")) == {
        orders["partner_cilegon"],
        orders["partner_cilegon_two"],
    }
    assert numbers(client_for(people["stranger"]).get(URL)) == set()


def test_members_of_a_buying_organisation_see_its_purchases(world):
    people, orders = world["people"], world["orders"]

    response = client_for(people["partner_colleague"]).get(URL + "?as=buyer&organization=pt-pakan")

    assert numbers(response) == {orders["partner_cilegon"], orders["partner_cilegon_two"]}
    refused = client_for(people["buyer"]).get(URL + "?as=buyer&organization=pt-pakan")
    assert refused.status_code == 403


def test_a_posyantek_member_sees_only_its_own_sales(world):
    people, orders = world["people"], world["orders"]
    client = client_for(people["cilegon_member"])

    own = client.get(URL + "?as=seller&organization=posyantek-cilegon")
    other = client.get(URL + "?as=seller&organization=posyantek-pekalongan")
    purchases = client.get(URL)

    assert numbers(own) == {orders["budi_cilegon"], orders["partner_cilegon"]}
    assert other.status_code == 403
    assert numbers(purchases) == set()
    assert (
        client_for(people["pekalongan_member"])
        .get(URL + "?as=seller&organization=posyantek-cilegon")
        .status_code
        == 403
    )
    assert (
        client_for(people["buyer"])
        .get(URL + "?as=seller&organization=posyantek-cilegon")
        .status_code
        == 403
    )


def test_platform_staff_see_every_order(world):
    response = client_for(world["people"]["platform"]).get(URL + "?as=seller")

    assert numbers(response) == set(world["orders"].values())


def test_a_dinas_sees_the_orders_in_its_jurisdiction(world):
    people, orders = world["people"], world["orders"]

    cilegon = client_for(people["dinas_cilegon"]).get(URL + "?as=seller")
    kaltim = client_for(people["dinas_kaltim"]).get(URL + "?as=seller")
    one_posyantek = client_for(people["dinas_cilegon"]).get(
        URL + "?as=seller&organization=posyantek-cilegon-dua"
    )
    outside = client_for(people["dinas_cilegon"]).get(
        URL + "?as=seller&organization=posyantek-pekalongan"
    )

    assert numbers(cilegon) == {
        orders["budi_cilegon"],
        orders["partner_cilegon"],
        orders["partner_cilegon_two"],
    }
    assert numbers(kaltim) == set()
    assert numbers(one_posyantek) == {orders["partner_cilegon_two"]}
    assert outside.status_code == 403
    # A dinas watches; it has no moves to make.
    assert all(order["next_actions"] == [] for order in cilegon.json()["results"])


def test_sales_without_an_organisation_are_only_for_staff_and_dinas(world):
    response = client_for(world["people"]["cilegon_member"]).get(URL + "?as=seller")

    assert response.status_code == 400
    assert "organization" in response.json()["errors"]


def test_the_list_carries_the_callers_next_actions(world):
    people, orders = world["people"], world["orders"]

    seller_view = client_for(people["cilegon_member"]).get(
        URL + "?as=seller&organization=posyantek-cilegon"
    )
    buyer_view = client_for(people["buyer"]).get(URL)

    by_number = {order["number"]: order for order in seller_view.json()["results"]}
    assert by_number[orders["budi_cilegon"]]["next_actions"] == ["accept"]
    assert by_number[orders["partner_cilegon"]]["next_actions"] == []
    assert by_number[orders["budi_cilegon"]]["status_display"]
    mine = {order["number"]: order["next_actions"] for order in buyer_view.json()["results"]}
    assert mine == {
        orders["budi_cilegon"]: [],
        orders["budi_pekalongan"]: ["complete", "report_problem"],
    }


# --- Filters ----------------------------------------------------------------------------------


def test_filter_by_several_statuses(world):
    orders = world["orders"]
    client = client_for(world["people"]["platform"])

    response = client.get(URL + "?as=seller&status=paid&status=completed")

    assert numbers(response) == {orders["budi_cilegon"], orders["partner_cilegon_two"]}
    assert numbers(client.get(URL + "?as=seller&status=in_dispute")) == set()


def test_filter_by_days_placed(world):
    orders = world["orders"]
    by_number = {number: Order.objects.get(number=number) for number in orders.values()}
    placed_on(by_number[orders["budi_cilegon"]], datetime.date(2026, 3, 1), hour=0)
    placed_on(by_number[orders["budi_pekalongan"]], datetime.date(2026, 3, 5), hour=23)
    placed_on(by_number[orders["partner_cilegon"]], datetime.date(2026, 3, 6), hour=0)
    placed_on(by_number[orders["partner_cilegon_two"]], datetime.date(2026, 2, 28), hour=23)
    client = client_for(world["people"]["platform"])

    response = client.get(URL + "?as=seller&created_from=2026-03-01&created_to=2026-03-05")
    since = client.get(URL + "?as=seller&created_from=2026-03-05")
    until = client.get(URL + "?as=seller&created_to=2026-02-28")

    assert numbers(response) == {orders["budi_cilegon"], orders["budi_pekalongan"]}
    assert numbers(since) == {orders["budi_pekalongan"], orders["partner_cilegon"]}
    assert numbers(until) == {orders["partner_cilegon_two"]}


def test_filter_by_number_and_buyer(world):
    orders = world["orders"]
    client = client_for(world["people"]["platform"])
    number = orders["budi_pekalongan"]

    assert numbers(client.get(URL + f"?as=seller&number={number}")) == {number}
    assert numbers(client.get(URL + f"?as=seller&number={number[-4:].lower()}")) == {number}
    # The buyer's e-mail (her account's on both orders), the recipient's name on one.
    assert numbers(client.get(URL + "?as=seller&buyer=sari@pakan")) == {
        orders["partner_cilegon"],
        orders["partner_cilegon_two"],
    }
    assert numbers(client.get(URL + "?as=seller&buyer=wulandari")) == {orders["partner_cilegon"]}
    assert numbers(client.get(URL + "?as=seller&buyer=pakan sejahtera")) == {
        orders["partner_cilegon"],
        orders["partner_cilegon_two"],
    }
    assert numbers(client.get(URL + "?as=seller&buyer=budi&status=paid")) == {
        orders["budi_cilegon"]
    }


@pytest.mark.parametrize(
    "query, field",
    [
        ("status=bogus", "status"),
        ("status=paid&status=nope", "status"),
        ("created_from=2026-02-30", "created_from"),
        ("created_to=kemarin", "created_to"),
        ("created_from=2026-03-05&created_to=2026-03-01", "created_to"),
        ("number=" + "X" * 101, "number"),
        ("buyer=" + "b" * 101, "buyer"),
    ],
)
def test_invalid_filters_are_400_by_field(world, query, field):
    response = client_for(world["people"]["platform"]).get(URL + "?as=seller&" + query)

    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]


# --- Queries ----------------------------------------------------------------------------------


def _fill(world, count: int) -> None:
    """`count` more orders over several sellers, buyers and buying organisations, some in
    dispute, all visible to platform staff."""
    people = world["people"]
    sellers = [world["cilegon"], world["cilegon_two"], world["pekalongan"]]
    statuses = ["paid", "processing", "shipped", "delivered", "in_dispute", "pending_payment"]
    for index in range(count):
        buyer = UserFactory()
        organization = OrganizationFactory(kind=Organization.Kind.UKM) if index % 2 else None
        order = OrderFactory(
            seller=sellers[index % len(sellers)],
            buyer=buyer,
            payment__buyer=buyer,
            buyer_organization=organization,
            status=statuses[index % len(statuses)],
        )
        if order.status == "in_dispute":
            Dispute.objects.create(
                order=order, opened_by=buyer, reason="damaged", description="Rusak."
            )
    assert people  # keep the fixture's people


def _queries(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), len(response.json()["results"])


@pytest.mark.parametrize(
    "who, query",
    [
        ("platform", "?as=seller&page_size=100"),
        ("dinas_cilegon", "?as=seller&page_size=100"),
        ("cilegon_member", "?as=seller&organization=posyantek-cilegon&page_size=100"),
    ],
)
def test_the_query_count_does_not_grow_with_the_page(world, who, query):
    client = client_for(world["people"][who])
    _fill(world, 3)
    few, few_rows = _queries(client, URL + query)

    _fill(world, 12)
    many, many_rows = _queries(client, URL + query)

    assert many_rows > few_rows
    assert many == few
    # Token, (organisation, role), (jurisdictions), count, page, lines, the caller's roles.
    assert many <= 7
