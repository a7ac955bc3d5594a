"""Orders at agreed prices for a verified buyer organisation, placed through an accepted
proposal or a supply partnership (the mitra app calls `order_place_agreed`).

- On terms (`net_14` / `net_30`, DESIGN.md, orders): the order starts `placed_on_terms` with a
  due date, reserves stock or capacity like a checkout, and never expires; its own Payment
  carries the due date (`order_place_on_terms`).
- Prepaid: the order starts `pending_payment` with its own Payment by the chosen method,
  expiring exactly as a checkout's does.
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ApplicationError, InvalidInput, PermissionDenied
from marketplace.models import Product
from orders.models import Order, Payment, PaymentEvent, PaymentMethod, TermsReminder
from orders.selectors import terms_due_q
from orders.services.cart import product_check_buyable, quantity_check
from orders.services.checkout import (
    CheckoutInput,
    PlannedOrder,
    checkout_input_clean,
    orders_write,
    payment_code_new,
    payment_expiry,
    planned_line,
    planned_order,
)
from orders.services.invoices import invoice_issue
from orders.services.payments import payment_attempt_start

TERMS_DAYS = {Order.PaymentTerms.NET_14: 14, Order.PaymentTerms.NET_30: 30}
# BigIntegerField holds 2^63 - 1; a line amount must stay far below it.
MAX_UNIT_PRICE_AMOUNT = 10**13
MAX_TOTAL_AMOUNT = 10**15  # far inside a BigInteger, PPN included


@dataclass(frozen=True)
class TermsLine:
    """A product, a quantity in selling units and the agreed price per unit (whole Rupiah,
    excl. PPN) — e.g. from an accepted proposal."""

    product: Product
    quantity: int
    unit_price_amount: int


def due_date_for(*, placed_at: datetime.datetime, payment_terms: str) -> datetime.date:
    """Placement day (Asia/Jakarta) + 14 or 30 days."""
    return timezone.localdate(placed_at) + datetime.timedelta(days=TERMS_DAYS[payment_terms])


def _agreed_plan(
    *,
    user: User,
    data: Mapping[str, Any],
    lines: Sequence[TermsLine],
    payment_method: Any,
) -> tuple[CheckoutInput, PlannedOrder]:
    """The validated delivery details and the one seller's planned order at the agreed
    prices; InvalidInput / PermissionDenied before anything is written."""
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Log in to place an order."))
    if not isinstance(data, Mapping):
        raise InvalidInput()
    clean = checkout_input_clean(user=user, data={**data, "payment_method": payment_method})
    if clean.buyer_organization is None:
        raise InvalidInput(
            fields={
                "buyer_organization": [
                    _("Agreed orders are placed on the name of a verified organisation.")
                ]
            }
        )
    if not lines or isinstance(lines, (str, bytes, Mapping)):
        raise InvalidInput(_("The order has no products."), code="no_lines")
    if not all(isinstance(line, TermsLine) for line in lines):
        raise InvalidInput(_("The order has no products."), code="no_lines")
    sellers = {line.product.seller_id for line in lines}
    if len(sellers) != 1:
        raise InvalidInput(_("An agreed order comes from one Posyantek."), code="many_sellers")
    if len({line.product.pk for line in lines}) != len(lines):
        raise InvalidInput(_("Each product appears once in an order."), code="duplicate_lines")
    planned_lines = []
    for line in sorted(lines, key=lambda line: line.product.pk):
        product = line.product
        try:
            product_check_buyable(product=product)
            quantity = quantity_check(product=product, quantity=line.quantity)
        except ApplicationError as error:
            messages = [str(m) for ms in error.fields.values() for m in ms]
            raise InvalidInput(
                messages[0] if messages else error.message, code=error.code
            ) from None
        price = line.unit_price_amount
        if (
            isinstance(price, bool)
            or not isinstance(price, int)
            or price < 0
            or price > MAX_UNIT_PRICE_AMOUNT
        ):
            raise InvalidInput(fields={"unit_price_amount": [_("Give a price in whole Rupiah.")]})
        planned_lines.append(planned_line(product, quantity, price))
    plan = planned_order(seller=lines[0].product.seller, lines=planned_lines, clean=clean)
    if plan.totals.total_amount < 1:
        # A payment of Rp 0 could never be confirmed, and would be "overdue" for ever.
        raise InvalidInput(
            fields={"unit_price_amount": [_("An order has something to pay; agree on a price.")]}
        )
    if plan.totals.total_amount > MAX_TOTAL_AMOUNT:
        raise InvalidInput(
            fields={"quantity": [_("The order is too large for one payment; split it.")]}
        )
    return clean, plan


@transaction.atomic
def order_place_on_terms(
    *,
    user: User,
    data: Mapping[str, Any],
    lines: Sequence[TermsLine],
    payment_terms: str,
) -> Order:
    """Place one order from one Posyantek on terms for `data["buyer_organization"]` (a slug;
    the user must be allowed to buy for it and it must be verified). `data` carries the
    delivery details exactly as checkout/ takes them (contact, address, village, shipping by
    seller slug, note). Reserves stock and capacity (OutOfStock / CapacityExceeded, 409),
    freezes prices, shipping and PPN, creates a pending Payment due on the due date and
    issues the order's invoice.
    All or nothing."""
    if not isinstance(payment_terms, str) or payment_terms not in TERMS_DAYS:
        raise InvalidInput(fields={"payment_terms": [_("Choose net 14 or net 30 days.")]})
    clean, planned = _agreed_plan(
        user=user, data=data, lines=lines, payment_method=PaymentMethod.BANK_TRANSFER
    )
    now = timezone.now()
    due_date = due_date_for(placed_at=now, payment_terms=payment_terms)
    payment = Payment.objects.create(
        code=payment_code_new(),
        buyer=user,
        method=PaymentMethod.BANK_TRANSFER,
        status=Payment.Status.PENDING,
        amount_due_amount=planned.totals.total_amount,
        expires_at=None,
        due_date=due_date,
    )
    PaymentEvent.objects.create(
        payment=payment,
        actor=user,
        from_status="",
        to_status=Payment.Status.PENDING,
        note=_("Due on %(date)s.") % {"date": f"{due_date:%d/%m/%Y}"},
    )
    (order,) = orders_write(
        payment=payment,
        user=user,
        clean=clean,
        plan=[planned],
        now=now,
        status=Order.Status.PLACED_ON_TERMS,
        payment_terms=payment_terms,
        due_date=due_date,
    )
    invoice_issue(order=order, at=now)  # a terms order is invoiced when placed
    return order


@transaction.atomic
def order_place_agreed(
    *,
    user: User,
    data: Mapping[str, Any],
    lines: Sequence[TermsLine],
    payment_terms: str,
) -> Order:
    """Place one order from one Posyantek at the agreed prices for the verified organisation
    `data["buyer_organization"]` (a slug the user may buy for). `data` carries the delivery
    details exactly as checkout/ takes them; `payment_terms` is "prepaid", "net_14" or
    "net_30".

    - net_14 / net_30: exactly `order_place_on_terms` (placed_on_terms, due date, invoice).
    - prepaid: a `pending_payment` order with its own pending Payment by
      `data["payment_method"]` (bank transfer by default; card only when checkout offers it),
      expiring as a checkout does, with its first payment attempt started.

    Reserves stock and capacity (OutOfStock / CapacityExceeded, 409, naming the product);
    InvalidInput (400) per field, PermissionDenied (403) for an organisation the user may not
    buy for. All or nothing: on any error nothing is written."""
    if not isinstance(payment_terms, str) or payment_terms not in Order.PaymentTerms.values:
        raise InvalidInput(
            fields={"payment_terms": [_("Choose prepaid, net 14 days or net 30 days.")]}
        )
    if payment_terms != Order.PaymentTerms.PREPAID:
        return order_place_on_terms(user=user, data=data, lines=lines, payment_terms=payment_terms)
    method = data.get("payment_method") if isinstance(data, Mapping) else None
    clean, planned = _agreed_plan(user=user, data=data, lines=lines, payment_method=method)
    now = timezone.now()
    payment = Payment.objects.create(
        code=payment_code_new(),
        buyer=user,
        method=clean.payment_method,
        status=Payment.Status.PENDING,
        amount_due_amount=planned.totals.total_amount,
        expires_at=now + payment_expiry(clean.payment_method),
    )
    PaymentEvent.objects.create(
        payment=payment, actor=user, from_status="", to_status=Payment.Status.PENDING
    )
    (order,) = orders_write(
        payment=payment,
        user=user,
        clean=clean,
        plan=[planned],
        now=now,
        status=Order.Status.PENDING_PAYMENT,
        payment_terms=Order.PaymentTerms.PREPAID,
    )
    payment_attempt_start(payment=payment, method=clean.payment_method, actor=user)
    order.refresh_from_db()
    return order


# --- Payment reminders ------------------------------------------------------------------------

REMINDER_INTERVAL_DAYS = 7
# A claimed reminder whose e-mail task never ran (a lost task) is queued again after this.
REMINDER_REQUEUE_AFTER = datetime.timedelta(minutes=30)


def terms_reminder_period(*, due_date: datetime.date, today: datetime.date) -> datetime.date:
    """The reminder period `today` falls in: the due date itself, then due date + 7·k days."""
    weeks = (today - due_date).days // REMINDER_INTERVAL_DAYS
    return due_date + datetime.timedelta(days=REMINDER_INTERVAL_DAYS * weeks)


def _reminder_notify_after_commit(reminder_id: int, today: datetime.date) -> None:
    from orders.tasks import terms_reminder_notify

    # robust: a broker error is logged, not raised, so the rest of the run still claims its
    # reminders; the claim stays unsent and is queued again after REMINDER_REQUEUE_AFTER.
    transaction.on_commit(
        lambda: terms_reminder_notify.delay(reminder_id, today.isoformat()), robust=True
    )


def terms_reminder_claim(*, order_id: int, today: datetime.date) -> TermsReminder | None:
    """Claim the reminder of one order for the period `today` falls in, if the order is still
    an unpaid terms order due by `today` and nobody claimed that period yet; its e-mail is
    queued after the commit. None otherwise. The unique (order, period_start) row is the
    claim: a twin run inserting the same row waits for the first and gets IntegrityError."""
    with transaction.atomic():
        due_date = (
            Order.objects.filter(terms_due_q(today=today), pk=order_id)
            .values_list("due_date", flat=True)
            .first()
        )
        if due_date is None:
            return None
        period_start = terms_reminder_period(due_date=due_date, today=today)
        try:
            with transaction.atomic():
                reminder = TermsReminder.objects.create(
                    order_id=order_id, period_start=period_start
                )
        except IntegrityError:
            return None
        _reminder_notify_after_commit(reminder.pk, today)
        return reminder


def terms_reminders_send(*, today: datetime.date | None = None) -> int:
    """Beat (daily): for every unpaid terms order (payment still awaited, order not cancelled)
    due on or before `today` (Asia/Jakarta), claim the reminder of the current period — the
    due date itself, then each week while overdue — and e-mail it after the commit (the buyer
    and the buyer organisation's owners and managers). Exactly once per order and period,
    even when two runs overlap. Reminders claimed earlier whose e-mail never went out are
    queued again. Returns how many reminders were claimed now."""
    today = today or timezone.localdate()
    # An order's current period is the one reminder date in (today - 7 days, today]: orders
    # that already have it are skipped without a claim attempt.
    current_from = today - datetime.timedelta(days=REMINDER_INTERVAL_DAYS)
    due = (
        Order.objects.filter(terms_due_q(today=today))
        .exclude(terms_reminders__period_start__gt=current_from)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    claimed = sum(
        terms_reminder_claim(order_id=order_id, today=today) is not None for order_id in due
    )
    stale = TermsReminder.objects.filter(
        sent_at__isnull=True,
        created_at__lt=timezone.now() - REMINDER_REQUEUE_AFTER,
        period_start__gt=current_from,
    ).values_list("pk", flat=True)
    for reminder_id in stale:
        _reminder_notify_after_commit(reminder_id, today)
    return claimed
