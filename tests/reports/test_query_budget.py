"""The figures are aggregated by the database: the number of queries of the summary and the
revenue series does not grow with the number of orders, lines, refunds or products."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from orders.models import OrderLine, Refund
from tests.factories import (
    MembershipFactory,
    OrderFactory,
    OrganizationFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PAID_AT = datetime.datetime(2026, 11, 10, 9, 0, tzinfo=datetime.UTC)


def _orders(seller, count: int) -> None:
    for n in range(count):
        product = ProductFactory(seller=seller, stock=n)
        order = OrderFactory(
            seller=seller,
            status="completed",
            paid_at=PAID_AT + datetime.timedelta(days=n % 15, hours=n),
            goods_amount=100_000 + n,
            buyer=UserFactory(),
        )
        OrderLine.objects.create(
            order=order,
            product=product,
            product_name=product.name,
            selling_unit="unit",
            availability="stock",
            unit_price_amount=order.goods_amount,
            quantity=1,
            line_amount=order.goods_amount,
        )
        if n % 3 == 0:
            Refund.objects.create(
                order=order,
                payment=order.payment,
                status=Refund.Status.SUCCEEDED,
                reason=Refund.Reason.SELLER_CANCELLED,
                provider="bank_transfer",
                goods_amount=1_000,
                shipping_amount=0,
                ppn_amount=0,
                total_amount=1_000,
                succeeded_at=PAID_AT + datetime.timedelta(days=16),
            )


def _count(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize(
    ("url", "extra"),
    [
        ("/api/v1/reports/summary/", {}),
        ("/api/v1/reports/revenue/", {"group_by": "day"}),
        ("/api/v1/reports/revenue/", {"group_by": "week"}),
        ("/api/v1/reports/revenue/", {"group_by": "month"}),
    ],
)
def test_query_count_does_not_grow_with_orders(regions, client_for, url, extra):
    small, large = OrganizationFactory(slug="pos-kecil"), OrganizationFactory(slug="pos-besar")
    owner = UserFactory()
    for posyantek in (small, large):
        MembershipFactory(user=owner, organization=posyantek, role=Role.OWNER)
    _orders(small, 2)
    _orders(large, 24)
    client = client_for(owner)
    params = {"from": "2026-11-01", "to": "2026-12-31", **extra}
    budget = _count(client, url, {**params, "organization": "pos-kecil"})
    assert _count(client, url, {**params, "organization": "pos-besar"}) == budget
    # Auth (token, user) and the scope's checks included.
    assert budget <= 30
