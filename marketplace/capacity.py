"""Production capacity of made-to-order and recurring-output products (DESIGN.md, marketplace).

Units: bookings and capacity are in **selling units**. A made-to-order product states its
`monthly_capacity` in selling units. A recurring-output product states its output in whole
kilograms per day or per week (`output_quantity_kg` + `output_period`); its monthly capacity is

    kg in the month = rate per day × days in the month, or rate per week × days ÷ 7, rounded down
    selling units   = kg in the month ÷ weight_per_unit_kg, rounded down

e.g. 500 kg of ampas tahu a day, sold per karung 50 kg, in November: 15,000 kg = 300 karung.

Month: a booking belongs to the production month of its promised date (checkout time + lead
time), taken in Asia/Jakarta, stored as the first day of that month.

Concurrency: `capacity_book` locks the product row (SELECT … FOR UPDATE on PostgreSQL), then
sums the month's bookings and inserts, all in one transaction, so two bookings of the same
product are serialised and the sum never exceeds the capacity. On SQLite the settings open
every transaction IMMEDIATE (a database write lock), which serialises them the same way.
"""

import calendar
import datetime
from decimal import ROUND_FLOOR, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, InvalidInput
from marketplace.models import CapacityBooking, Product

Availability = Product.Availability


class CapacityExceeded(Conflict):
    default_code = "capacity_exceeded"


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def this_month() -> datetime.date:
    """The current production month, in Asia/Jakarta."""
    return month_start(timezone.localdate())


def booking_month(*, at: datetime.datetime, lead_time_days: int) -> datetime.date:
    """The production month an order placed at `at` books: the month of its promised date
    (at + lead time), in Asia/Jakarta."""
    promised = timezone.localtime(at) + datetime.timedelta(days=lead_time_days)
    return month_start(promised.date())


def days_in_month(month: datetime.date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def recurring_capacity(
    *, output_quantity_kg: int, output_period: str, weight_per_unit_kg: Decimal, days: int
) -> int:
    """Selling units produced in a month of `days` days (see the module docstring)."""
    divisor = 7 if output_period == Product.OutputPeriod.WEEK else 1
    kilograms = (output_quantity_kg * days) // divisor
    units = (Decimal(kilograms) / Decimal(weight_per_unit_kg)).to_integral_value(ROUND_FLOOR)
    return int(units)


def monthly_capacity(product: Product, month: datetime.date) -> int | None:
    """The product's capacity in selling units for `month`; None for stock products (they
    are counted by stock, not capacity). 0 when the figures needed are missing."""
    if product.availability == Availability.MADE_TO_ORDER:
        return product.monthly_capacity or 0
    if product.availability == Availability.RECURRING_OUTPUT:
        if not (
            product.output_quantity_kg and product.output_period and product.weight_per_unit_kg
        ):
            return 0
        return recurring_capacity(
            output_quantity_kg=product.output_quantity_kg,
            output_period=product.output_period,
            weight_per_unit_kg=product.weight_per_unit_kg,
            days=days_in_month(month),
        )
    return None


def capacity_booked(product: Product, month: datetime.date) -> int:
    return (
        CapacityBooking.objects.filter(
            product=product, month=month_start(month), cancelled=False
        ).aggregate(total=Sum("quantity"))["total"]
        or 0
    )


def capacity_booked_by_product(*, product_ids: list[int], month: datetime.date) -> dict[int, int]:
    """Selling units booked in `month` for each of these products that has bookings, in one
    query (a page of cards)."""
    if not product_ids:
        return {}
    return dict(
        CapacityBooking.objects.filter(
            product_id__in=product_ids, month=month_start(month), cancelled=False
        )
        .values("product")
        .annotate(total=Sum("quantity"))
        .values_list("product", "total")
    )


def capacity_free(product: Product, month: datetime.date) -> int | None:
    """Selling units still free in `month` (never below 0); None for stock products."""
    capacity = monthly_capacity(product, month)
    if capacity is None:
        return None
    return max(capacity - capacity_booked(product, month), 0)


@transaction.atomic
def capacity_book(
    *, product: Product, month: datetime.date, quantity: int, source_type: str, source_id: str
) -> CapacityBooking:
    """Reserve `quantity` selling units of `month`'s capacity for a source (an order, a
    partnership). Never lets the month's bookings exceed its capacity: raises
    CapacityExceeded (409) instead, and books nothing."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InvalidInput(fields={"quantity": [_("Give a whole number of at least 1.")]})
    if not source_type or not str(source_id):
        raise InvalidInput(_("A booking needs its source."), code="source_missing")
    month = month_start(month)
    product = Product.objects.select_for_update().get(pk=product.pk)
    capacity = monthly_capacity(product, month)
    if capacity is None:
        raise Conflict(
            _("This product is sold from stock; it has no production capacity to book."),
            code="not_capacity_product",
        )
    booked = capacity_booked(product, month)
    if booked + quantity > capacity:
        raise CapacityExceeded(
            _(
                "Only %(free)s %(unit)s can still be produced in %(month)s. "
                "Order less, or choose a later month."
            )
            % {
                "free": max(capacity - booked, 0),
                "unit": product.selling_unit,
                "month": f"{month:%m/%Y}",
            }
        )
    try:
        with transaction.atomic():
            return CapacityBooking.objects.create(
                product=product,
                month=month,
                quantity=quantity,
                source_type=source_type,
                source_id=str(source_id),
            )
    except IntegrityError:
        raise Conflict(
            _("This month is already booked for the same order or partnership."),
            code="already_booked",
        ) from None


@transaction.atomic
def capacity_release(*, source_type: str, source_id: str) -> int:
    """Cancel every booking of a source (e.g. a cancelled order). Idempotent; returns how
    many bookings were released."""
    return CapacityBooking.objects.filter(
        source_type=source_type, source_id=str(source_id), cancelled=False
    ).update(cancelled=True, cancelled_at=timezone.now(), updated_at=timezone.now())


# --- Standing commitments (mitra's recurring supply partnerships) ------------------------------
# A partnership books the periods it will order in a month as one booking per product and
# month; when a period's order is placed, the order books its own units and the partnership's
# booking shrinks by as much (capacity_reduce), so the same units are never counted twice.


def _source_booking(
    *, product: Product, month: datetime.date, source_type: str, source_id: str
) -> CapacityBooking | None:
    return (
        CapacityBooking.objects.filter(
            product=product,
            month=month_start(month),
            source_type=source_type,
            source_id=str(source_id),
            cancelled=False,
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def capacity_commit(
    *,
    product: Product,
    month: datetime.date,
    quantity: int,
    source_type: str,
    source_id: str,
    partial: bool = False,
) -> int:
    """Set a source's booking of `month` to `quantity` selling units (0 releases it). Locks the
    product row like capacity_book. Growing beyond the free capacity raises CapacityExceeded
    and changes nothing — or, with `partial`, books as much as is free. Returns the units
    booked afterwards (0 for a stock product, which has no capacity)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        raise InvalidInput(fields={"quantity": [_("Give a whole number of at least 0.")]})
    month = month_start(month)
    product = Product.objects.select_for_update().get(pk=product.pk)
    capacity = monthly_capacity(product, month)
    if capacity is None:
        return 0
    booking = _source_booking(
        product=product, month=month, source_type=source_type, source_id=source_id
    )
    current = booking.quantity if booking else 0
    if quantity > current:
        free = max(capacity - capacity_booked(product, month), 0)
        if quantity - current > free:
            if not partial:
                raise CapacityExceeded(
                    _(
                        "Only %(free)s %(unit)s can still be produced in %(month)s. "
                        "Agree on less, or start later."
                    )
                    % {"free": free, "unit": product.selling_unit, "month": f"{month:%m/%Y}"}
                )
            quantity = current + free
    if quantity == current:
        return current
    now = timezone.now()
    if booking is None:
        CapacityBooking.objects.create(
            product=product,
            month=month,
            quantity=quantity,
            source_type=source_type,
            source_id=str(source_id),
        )
    elif quantity == 0:
        CapacityBooking.objects.filter(pk=booking.pk).update(
            cancelled=True, cancelled_at=now, updated_at=now
        )
    else:
        CapacityBooking.objects.filter(pk=booking.pk).update(quantity=quantity, updated_at=now)
    return quantity


@transaction.atomic
def capacity_reduce(
    *, product: Product, month: datetime.date, quantity: int, source_type: str, source_id: str
) -> int:
    """Lower a source's booking of `month` by up to `quantity` selling units (released when
    nothing remains), locking the product row like capacity_book. Returns the units taken off
    (0 when the source had nothing booked that month)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InvalidInput(fields={"quantity": [_("Give a whole number of at least 1.")]})
    product = Product.objects.select_for_update().get(pk=product.pk)
    booking = _source_booking(
        product=product, month=month, source_type=source_type, source_id=source_id
    )
    if booking is None:
        return 0
    taken = min(quantity, booking.quantity)
    capacity_commit(
        product=product,
        month=month,
        quantity=booking.quantity - taken,
        source_type=source_type,
        source_id=source_id,
    )
    return taken


def capacity_booked_by_source(*, source_type: str, source_id: str) -> dict:
    """{(product id, month): units} of a source's live bookings."""
    return {
        (product_id, month): quantity
        for product_id, month, quantity in CapacityBooking.objects.filter(
            source_type=source_type, source_id=str(source_id), cancelled=False
        ).values_list("product_id", "month", "quantity")
    }
