"""Recurring supply: the orders of an active supply partnership with a `frequency`, placed on
schedule by Celery beat (DESIGN.md, mitra).

Periods (Asia/Jakarta): a week from Monday, or a calendar month. A period's delivery date is
its `weekday` (0 = Monday) or `day_of_month`; a period belongs to the partnership when its
delivery date lies within start/end and not before the day the partnership became active.

Exactly one order per period: `supply_period_place` locks the partnership row, re-checks that
the period has no SupplyPeriod yet, places the order and writes the SupplyPeriod in the same
transaction; the unique (partnership, period_start) row is the last line of defence. A period
that cannot be supplied (stock, capacity, product archived, partner no longer verified, the
orderer no longer a member) is written `short` with the reason, an event and an e-mail to both
sides — never skipped silently.

Capacity (marketplace.capacity): an active recurring partnership books, per made-to-order or
recurring-output product, the units of its remaining periods in the current and the next
production month (source "partnership", its id); a period's booking month is the month of its
start + the product's lead time, as its order will book. `partnership_capacity_sync` sets those
bookings (strictly when the partnership is accepted, as far as free capacity goes when the beat
tops them up). When a period's order is placed, the partnership's booking of the order's month
shrinks by the order's units first (capacity_reduce), so nothing is counted twice; terminating
or completing the partnership releases what is left.
"""

import calendar
import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, Conflict
from marketplace.capacity import (
    booking_month,
    capacity_commit,
    capacity_reduce,
    capacity_release,
    month_start,
)
from marketplace.models import Product
from mitra.models import Partnership, PartnershipEvent, SupplyPeriod

logger = logging.getLogger(__name__)

SOURCE_TYPE = "partnership"
Frequency = Partnership.Frequency
CAPACITY_MODES = (Product.Availability.MADE_TO_ORDER, Product.Availability.RECURRING_OUTPUT)
MAX_REASON_LENGTH = 1000


# --- Period maths -----------------------------------------------------------------------------


def period_start_of(day: datetime.date, frequency: str) -> datetime.date:
    """The first day of the period holding `day`: its Monday, or the 1st of its month."""
    if frequency == Frequency.MONTHLY:
        return day.replace(day=1)
    return day - datetime.timedelta(days=day.weekday())


def period_after(period_start: datetime.date, frequency: str) -> datetime.date:
    if frequency == Frequency.MONTHLY:
        days = calendar.monthrange(period_start.year, period_start.month)[1]
        return period_start.replace(day=1) + datetime.timedelta(days=days)
    return period_start + datetime.timedelta(days=7)


def delivery_date_of(partnership: Partnership, period_start: datetime.date) -> datetime.date:
    if partnership.frequency == Frequency.MONTHLY:
        return period_start.replace(day=partnership.day_of_month or 1)
    return period_start + datetime.timedelta(days=partnership.weekday or 0)


def activated_on(partnership: Partnership) -> datetime.date:
    """The day (Asia/Jakarta) both sides had consented; the start date if not recorded."""
    consents = [
        at for at in (partnership.partner_consented_at, partnership.posyantek_consented_at) if at
    ]
    if len(consents) < 2:
        return partnership.start_date
    return timezone.localdate(max(consents))


def period_in_schedule(partnership: Partnership, period_start: datetime.date) -> bool:
    delivery = delivery_date_of(partnership, period_start)
    if delivery < partnership.start_date or delivery < activated_on(partnership):
        return False
    return partnership.end_date is None or delivery <= partnership.end_date


def periods_between(
    partnership: Partnership, first: datetime.date, last: datetime.date
) -> list[datetime.date]:
    """Starts of the partnership's scheduled periods from the one holding `first` to the one
    holding `last`."""
    periods = []
    start = period_start_of(first, partnership.frequency)
    while start <= last:
        if period_in_schedule(partnership, start):
            periods.append(start)
        start = period_after(start, partnership.frequency)
    return periods


def now_local_date(now: datetime.datetime | None = None) -> datetime.date:
    return timezone.localdate(now or timezone.now())


# --- Capacity commitments ---------------------------------------------------------------------


def _period_booking_month(period_start: datetime.date, product: Product) -> datetime.date:
    at = timezone.make_aware(datetime.datetime.combine(period_start, datetime.time.min))
    return booking_month(at=at, lead_time_days=product.lead_time_days)


def commitments_wanted(
    partnership: Partnership, *, today: datetime.date, placed: Iterable[datetime.date] = ()
) -> dict[tuple[int, datetime.date], int]:
    """{(product id, month): units} the partnership should hold for its periods from today's
    on that have no SupplyPeriod yet, in the current and the next production month."""
    this_month = month_start(today)
    next_month = period_after(this_month, Frequency.MONTHLY)
    months = (this_month, next_month)
    last_day = period_after(next_month, Frequency.MONTHLY) - datetime.timedelta(days=1)
    placed = set(placed)
    periods = [p for p in periods_between(partnership, today, last_day) if p not in placed]
    wanted: dict[tuple[int, datetime.date], int] = {}
    for line in partnership.lines.select_related("product"):
        product = line.product
        if product.availability not in CAPACITY_MODES:
            continue
        for month in months:
            wanted[(product.pk, month)] = 0
        for period in periods:
            month = _period_booking_month(period, product)
            if month in months:
                wanted[(product.pk, month)] += line.quantity
    return wanted


def partnership_capacity_sync(
    *, partnership: Partnership, today: datetime.date | None = None, partial: bool = True
) -> dict[tuple[int, datetime.date], int]:
    """Set the partnership's capacity bookings to what its coming periods need (the caller
    holds the partnership's lock). Strict (`partial=False`, at acceptance): CapacityExceeded
    if the Posyantek cannot produce that much. Bookings of past months are released.
    Returns {(product id, month): units booked}."""
    today = today or now_local_date()
    if partnership.status != Partnership.Status.ACTIVE or not partnership.is_recurring:
        capacity_release(source_type=SOURCE_TYPE, source_id=str(partnership.pk))
        return {}
    placed = SupplyPeriod.objects.filter(
        partnership=partnership, period_start__gte=period_start_of(today, partnership.frequency)
    ).values_list("period_start", flat=True)
    wanted = commitments_wanted(partnership, today=today, placed=placed)
    products = {p.pk: p for p in Product.objects.filter(pk__in={pid for pid, _m in wanted})}
    booked = {}
    # Products in primary-key order: the same locking order as checkout (no deadlocks).
    for (product_id, month), quantity in sorted(wanted.items()):
        booked[(product_id, month)] = capacity_commit(
            product=products[product_id],
            month=month,
            quantity=quantity,
            source_type=SOURCE_TYPE,
            source_id=str(partnership.pk),
            partial=partial,
        )
    # Months gone by: nothing more will be ordered against them.
    from marketplace.models import CapacityBooking

    now = timezone.now()
    CapacityBooking.objects.filter(
        source_type=SOURCE_TYPE,
        source_id=str(partnership.pk),
        cancelled=False,
        month__lt=month_start(today),
    ).update(cancelled=True, cancelled_at=now, updated_at=now)
    return booked


def partnership_capacity_release(*, partnership: Partnership) -> int:
    return capacity_release(source_type=SOURCE_TYPE, source_id=str(partnership.pk))


# --- Placing a period's order -----------------------------------------------------------------


def _order_place(*, partnership: Partnership, lines: list, data: dict[str, Any]):
    from orders.services.terms import order_place_agreed

    return order_place_agreed(
        user=partnership.ordered_by,
        data=data,
        lines=lines,
        payment_terms=partnership.payment_terms,
    )


def _lines_for_order(partnership: Partnership) -> list:
    from orders.services.terms import TermsLine

    return [
        TermsLine(
            product=line.product, quantity=line.quantity, unit_price_amount=line.unit_price_amount
        )
        for line in partnership.lines.select_related("product__seller").order_by("product_id")
    ]


def _check_still_possible(partnership: Partnership) -> None:
    if not partnership.partner.is_verified:
        raise Conflict(
            _("%(name)s is no longer verified; orders on its name wait for verification.")
            % {"name": partnership.partner.name},
            code="partner_not_verified",
        )
    if partnership.ordered_by is None or not partnership.ordered_by.is_active:
        raise Conflict(_("Nobody is set to place the orders."), code="no_orderer")


def _place_period_order(*, partnership: Partnership, today: datetime.date):
    """Shrink the partnership's commitment by the order's units, then place the order (the
    caller's savepoint undoes both on failure)."""
    _check_still_possible(partnership)
    lines = _lines_for_order(partnership)
    for line in lines:
        product = line.product
        if product.availability in CAPACITY_MODES:
            at = timezone.now()
            capacity_reduce(
                product=product,
                month=booking_month(at=at, lead_time_days=product.lead_time_days),
                quantity=line.quantity,
                source_type=SOURCE_TYPE,
                source_id=str(partnership.pk),
            )
    data = {**(partnership.order_details or {}), "buyer_organization": partnership.partner.slug}
    data.pop("payment_terms", None)
    return _order_place(partnership=partnership, lines=lines, data=data)


def _reason(error: ApplicationError) -> str:
    messages = [str(m) for ms in (error.fields or {}).values() for m in ms]
    text = str(error.message)
    if messages:
        text = f"{text} {' '.join(messages)}".strip()
    return text[:MAX_REASON_LENGTH]


def supply_period_place(
    *, partnership_id: int, period_start: datetime.date, now: datetime.datetime | None = None
) -> SupplyPeriod | None:
    """Place the order of one period of an active recurring partnership, once: the
    SupplyPeriod written (placed with its order, or short with the reason), or None when
    there is nothing to do (not active, not recurring, not in the schedule, already done)."""
    from mitra import tasks

    today = now_local_date(now)
    with transaction.atomic():
        partnership = (
            Partnership.objects.select_for_update(of=("self",))
            .select_related("partner", "posyantek", "ordered_by")
            .filter(pk=partnership_id)
            .first()
        )
        if (
            partnership is None
            or partnership.status != Partnership.Status.ACTIVE
            or not partnership.is_recurring
            or period_start != period_start_of(period_start, partnership.frequency)
            or not period_in_schedule(partnership, period_start)
        ):
            return None
        if SupplyPeriod.objects.filter(partnership=partnership, period_start=period_start).exists():
            return None
        delivery = delivery_date_of(partnership, period_start)
        try:
            with transaction.atomic():
                order = _place_period_order(partnership=partnership, today=today)
        except ApplicationError as error:
            order, reason = None, _reason(error)
        try:
            with transaction.atomic():
                period = SupplyPeriod.objects.create(
                    partnership=partnership,
                    period_start=period_start,
                    delivery_date=delivery,
                    status=SupplyPeriod.Status.PLACED if order else SupplyPeriod.Status.SHORT,
                    order=order,
                    reason="" if order else reason,
                )
        except IntegrityError:  # pragma: no cover - only without a working row lock
            transaction.set_rollback(True)
            return None
        if order is not None:
            note = _("Order %(number)s placed for delivery on %(date)s.") % {
                "number": order.number,
                "date": f"{delivery:%d/%m/%Y}",
            }
        else:
            note = _("The order for delivery on %(date)s could not be placed: %(reason)s") % {
                "date": f"{delivery:%d/%m/%Y}",
                "reason": reason,
            }
        PartnershipEvent.objects.create(
            partnership=partnership,
            kind=PartnershipEvent.Kind.SUPPLY,
            actor=None,
            organization=None,
            from_status=partnership.status,
            to_status=partnership.status,
            note=note,
        )
        partnership_capacity_sync(partnership=partnership, today=today, partial=True)
        transaction.on_commit(lambda pk=period.pk: tasks.supply_period_notify_task.delay(pk))
        return period


def supply_partnerships_due(*, today: datetime.date) -> list[tuple[int, datetime.date]]:
    """(partnership id, period start) of each active recurring partnership whose current
    period is in its schedule and has no SupplyPeriod yet."""
    due = []
    partnerships = Partnership.objects.filter(
        status=Partnership.Status.ACTIVE, start_date__lte=today + datetime.timedelta(days=31)
    ).exclude(frequency="")
    for partnership in partnerships.order_by("pk"):
        start = period_start_of(today, partnership.frequency)
        if not period_in_schedule(partnership, start):
            continue
        due.append((partnership.pk, start))
    if not due:
        return []
    done = set(
        SupplyPeriod.objects.filter(
            partnership_id__in=[pk for pk, _s in due], period_start__in={s for _p, s in due}
        ).values_list("partnership_id", "period_start")
    )
    return [entry for entry in due if entry not in done]


def supply_periods_place(*, now: datetime.datetime | None = None) -> int:
    """Beat (hourly): place the current period of every active recurring partnership that has
    none yet, and top up every active recurring partnership's capacity commitments. Returns
    how many SupplyPeriods this run wrote (placed or short)."""
    today = now_local_date(now)
    written = 0
    for partnership_id, period_start in supply_partnerships_due(today=today):
        try:
            if supply_period_place(
                partnership_id=partnership_id, period_start=period_start, now=now
            ):
                written += 1
        except Exception:  # one broken partnership must not stop the others
            logger.exception("supply period of partnership %s failed", partnership_id)
    ids = (
        Partnership.objects.filter(status=Partnership.Status.ACTIVE)
        .exclude(frequency="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for partnership_id in list(ids):
        with transaction.atomic():
            partnership = (
                Partnership.objects.select_for_update(of=("self",))
                .filter(pk=partnership_id)
                .first()
            )
            if partnership is not None:
                partnership_capacity_sync(partnership=partnership, today=today, partial=True)
    return written
