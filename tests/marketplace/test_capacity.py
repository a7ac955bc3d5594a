"""Production months, monthly capacity of recurring output, and bookings that never exceed it."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from core.errors import Conflict, InvalidInput
from marketplace.capacity import (
    CapacityExceeded,
    booking_month,
    capacity_book,
    capacity_booked,
    capacity_free,
    capacity_release,
    monthly_capacity,
    recurring_capacity,
)
from marketplace.models import CapacityBooking
from tests.factories import ProductFactory

WIB = ZoneInfo("Asia/Jakarta")
NOVEMBER = datetime.date(2026, 11, 1)
DECEMBER = datetime.date(2026, 12, 1)


def test_worked_example_ampas_tahu_in_november():
    """DESIGN.md: 500 kg a day, sold per karung 50 kg, November (30 days): 15,000 kg = 300."""
    assert (
        recurring_capacity(
            output_quantity_kg=500,
            output_period="day",
            weight_per_unit_kg=Decimal("50"),
            days=30,
        )
        == 300
    )


@pytest.mark.parametrize(
    "rate, period, weight, days, expected",
    [
        (3500, "week", "50", 30, 300),  # 3,500 × 30 ÷ 7 = 15,000 kg
        (100, "week", "1", 31, 442),  # 442.86 kg, rounded down
        (500, "day", "50", 31, 310),
        (500, "day", "50", 28, 280),
        (10, "day", "3", 30, 100),  # 300 kg ÷ 3 kg
        (10, "day", "7", 30, 42),  # 42.86 karung, rounded down
        (1, "day", "0.1", 3, 30),  # exact decimals: no float rounding error
    ],
)
def test_recurring_capacity_rounds_down(rate, period, weight, days, expected):
    assert (
        recurring_capacity(
            output_quantity_kg=rate,
            output_period=period,
            weight_per_unit_kg=Decimal(weight),
            days=days,
        )
        == expected
    )


def test_booking_month_is_the_promised_date_in_jakarta():
    # 25 November 23:30 WIB + 7 days = 2 December: December's capacity.
    at = datetime.datetime(2026, 11, 25, 23, 30, tzinfo=WIB)
    assert booking_month(at=at, lead_time_days=7) == DECEMBER
    # The same instant in UTC is 16:30 on 25 November; the month is still taken in Jakarta.
    assert booking_month(at=at.astimezone(datetime.UTC), lead_time_days=7) == DECEMBER
    # 24 November 23:30 WIB + 6 days = 30 November: still November.
    assert booking_month(at=at - datetime.timedelta(days=1), lead_time_days=6) == NOVEMBER
    # 30 November 17:30 UTC is 1 December 00:30 WIB.
    late_utc = datetime.datetime(2026, 11, 30, 17, 30, tzinfo=datetime.UTC)
    assert booking_month(at=late_utc, lead_time_days=0) == DECEMBER


@pytest.fixture
def ampas_tahu(regions):
    return ProductFactory(
        kind="byproduct",
        name="Ampas Tahu Basah",
        selling_unit="karung 50 kg",
        weight_per_unit_kg=Decimal("50"),
        availability="recurring_output",
        output_quantity_kg=500,
        output_period="day",
        stock=0,
    )


@pytest.mark.django_db
def test_monthly_capacity_of_a_product(ampas_tahu):
    assert monthly_capacity(ampas_tahu, NOVEMBER) == 300
    assert monthly_capacity(ampas_tahu, DECEMBER) == 310
    made = ProductFactory(availability="made_to_order", monthly_capacity=12, lead_time_days=14)
    assert monthly_capacity(made, NOVEMBER) == 12
    assert monthly_capacity(ProductFactory(availability="stock"), NOVEMBER) is None


@pytest.mark.django_db
def test_bookings_fill_the_month_and_no_more(ampas_tahu):
    capacity_book(
        product=ampas_tahu, month=NOVEMBER, quantity=250, source_type="order", source_id="1"
    )
    capacity_book(
        product=ampas_tahu,
        month=datetime.date(2026, 11, 17),  # any day: stored as the month's first day
        quantity=50,
        source_type="partnership",
        source_id="7",
    )
    assert capacity_free(ampas_tahu, NOVEMBER) == 0

    with pytest.raises(CapacityExceeded) as error:
        capacity_book(
            product=ampas_tahu, month=NOVEMBER, quantity=1, source_type="order", source_id="2"
        )

    assert error.value.status_code == 409
    assert CapacityBooking.objects.count() == 2
    assert capacity_booked(ampas_tahu, NOVEMBER) == 300
    # December is another month with its own capacity.
    capacity_book(
        product=ampas_tahu, month=DECEMBER, quantity=310, source_type="order", source_id="2"
    )
    assert capacity_free(ampas_tahu, DECEMBER) == 0


@pytest.mark.django_db
def test_one_booking_too_large_is_refused_and_books_nothing(ampas_tahu):
    with pytest.raises(CapacityExceeded, match="300"):
        capacity_book(
            product=ampas_tahu, month=NOVEMBER, quantity=301, source_type="order", source_id="1"
        )
    assert CapacityBooking.objects.count() == 0


@pytest.mark.django_db
def test_released_capacity_can_be_booked_again(ampas_tahu):
    capacity_book(
        product=ampas_tahu, month=NOVEMBER, quantity=300, source_type="order", source_id="1"
    )

    assert capacity_release(source_type="order", source_id="1") == 1
    assert capacity_release(source_type="order", source_id="1") == 0  # idempotent

    assert capacity_free(ampas_tahu, NOVEMBER) == 300
    capacity_book(
        product=ampas_tahu, month=NOVEMBER, quantity=300, source_type="order", source_id="1"
    )
    assert CapacityBooking.objects.filter(cancelled=False).count() == 1


@pytest.mark.django_db
def test_same_source_books_a_month_once(ampas_tahu):
    capacity_book(
        product=ampas_tahu, month=NOVEMBER, quantity=1, source_type="order", source_id="1"
    )

    with pytest.raises(Conflict) as error:
        capacity_book(
            product=ampas_tahu, month=NOVEMBER, quantity=1, source_type="order", source_id="1"
        )
    assert error.value.code == "already_booked"
    assert CapacityBooking.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("quantity", [0, -5, "3", 1.5, True])
def test_bad_quantities_are_refused(ampas_tahu, quantity):
    with pytest.raises(InvalidInput):
        capacity_book(
            product=ampas_tahu, month=NOVEMBER, quantity=quantity, source_type="o", source_id="1"
        )
    assert CapacityBooking.objects.count() == 0


@pytest.mark.django_db
def test_stock_products_have_no_capacity_to_book(regions):
    product = ProductFactory(availability="stock")

    with pytest.raises(Conflict) as error:
        capacity_book(product=product, month=NOVEMBER, quantity=1, source_type="o", source_id="1")
    assert error.value.code == "not_capacity_product"
    assert CapacityBooking.objects.count() == 0
