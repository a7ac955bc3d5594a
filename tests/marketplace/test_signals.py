"""product_changed: sent after commit for what matters to matching; never for plain stock."""

import pytest
from django.db import transaction

from marketplace import services
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_price_change_is_announced_after_commit(
    regions, manager, capture_changes, django_capture_on_commit_callbacks
):
    product = ProductFactory(price_amount=100_000)

    with django_capture_on_commit_callbacks() as callbacks:
        services.product_update(
            product=product, actor=manager, data={"price_amount": 120_000, "description": "Baru"}
        )
        assert capture_changes == []  # not before the commit

    for callback in callbacks:
        callback()
    assert capture_changes == [(product.pk, ["price_amount"])]


@pytest.mark.parametrize(
    "data, fields",
    [
        ({"category": "new"}, ["category"]),
        ({"availability": "made_to_order", "monthly_capacity": 20}, None),
        ({"lead_time_days": 14}, ["lead_time_days"]),
        ({"selling_unit": "karung 25 kg", "weight_per_unit_kg": "25"}, None),
        ({"description": "Hanya teks", "name": "Nama Baru"}, []),
    ],
)
def test_which_updates_are_announced(
    regions, manager, capture_changes, django_capture_on_commit_callbacks, data, fields
):
    from tests.factories import CategoryFactory

    product = ProductFactory()
    if data.get("category") == "new":
        data = {"category": CategoryFactory()}
    with django_capture_on_commit_callbacks(execute=True):
        services.product_update(product=product, actor=manager, data=data)

    expected = sorted(data) if fields is None else fields
    assert capture_changes == ([(product.pk, expected)] if expected else [])


def test_status_moves_are_announced(
    regions, manager, capture_changes, django_capture_on_commit_callbacks
):
    product = ProductFactory(status="draft")

    with django_capture_on_commit_callbacks(execute=True):
        services.product_publish(product=product, actor=manager)
        services.product_archive(product=product, actor=manager)

    assert capture_changes == [(product.pk, ["status"]), (product.pk, ["status"])]


def test_stock_changes_are_not_announced(
    regions, manager, capture_changes, django_capture_on_commit_callbacks
):
    product = ProductFactory(stock=5)

    with django_capture_on_commit_callbacks(execute=True):
        services.stock_adjust(product=product, actor=manager, delta=-1, reason="sale")
        services.stock_set(product=product, actor=manager, stock=9)

    assert capture_changes == []


def test_a_posyantek_certificate_is_announced_for_each_of_its_products(
    regions, manager, capture_changes, django_capture_on_commit_callbacks
):
    first = ProductFactory()
    second = ProductFactory(seller=first.seller)
    ProductFactory()  # another seller's

    with django_capture_on_commit_callbacks(execute=True):
        services.certification_add(
            actor=manager, organization=first.seller, type="halal", number="ID36110000"
        )

    assert sorted(capture_changes) == [
        (first.pk, ["certifications"]),
        (second.pk, ["certifications"]),
    ]


def test_nothing_is_announced_when_the_transaction_rolls_back(
    regions, manager, capture_changes, django_capture_on_commit_callbacks
):
    product = ProductFactory(price_amount=100_000)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.product_update(product=product, actor=manager, data={"price_amount": 1})
        raise RuntimeError

    assert capture_changes == []
    product.refresh_from_db()
    assert product.price_amount == 100_000
