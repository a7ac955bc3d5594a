"""Stock and capacity under real concurrency: two requests race on PostgreSQL, each in its own
connection; the database, not luck, keeps stock ≥ 0 and bookings ≤ capacity."""

import datetime
import threading

import pytest
from django.db import connection

from core.errors import Conflict
from marketplace import capacity, services
from marketplace.models import CapacityBooking, Product, StockMovement
from tests.factories import ProductFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(work, times: int = 2) -> list[object]:
    """Run `work()` in `times` threads released together; each result or raised error."""
    barrier = threading.Barrier(times)
    results: list[object] = []

    def run():
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_sales_racing_for_the_last_units_never_oversell(regions):
    product = ProductFactory(stock=10)

    results = race(
        lambda: services.stock_adjust(product=product, actor=None, delta=-6, reason="sale")
    )

    assert sorted(type(result).__name__ for result in results) == ["OutOfStock", "StockMovement"]
    product.refresh_from_db()
    assert product.stock == 4
    assert StockMovement.objects.filter(product=product).count() == 1


def test_two_bookings_racing_for_one_month_never_exceed_its_capacity(regions):
    product = ProductFactory(
        availability=Product.Availability.MADE_TO_ORDER, monthly_capacity=300, stock=0
    )
    month = datetime.date(2026, 12, 1)
    counter = iter(range(100))

    results = race(
        lambda: capacity.capacity_book(
            product=product,
            month=month,
            quantity=200,
            source_type="order",
            source_id=str(next(counter)),
        )
    )

    assert sum(isinstance(result, CapacityBooking) for result in results) == 1
    assert sum(isinstance(result, Conflict) for result in results) == 1
    assert capacity.capacity_booked(product, month) == 200
