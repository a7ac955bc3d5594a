"""Orders on payment terms (DESIGN.md, orders): `net_14` / `net_30`, only for a verified buyer
organisation, placed through an accepted proposal or a supply partnership (the mitra app
calls `order_place_on_terms`). The order starts `placed_on_terms` with a due date, reserves
stock or capacity like a checkout, and never expires; its own Payment carries the due date.
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ApplicationError, InvalidInput, PermissionDenied
from marketplace.models import Product
from orders.models import Order, Payment, PaymentEvent, PaymentMethod
from orders.services.cart import product_check_buyable, quantity_check
from orders.services.checkout import (
    checkout_input_clean,
    orders_write,
    payment_code_new,
    planned_line,
    planned_order,
)
from orders.services.invoices import invoice_issue

TERMS_DAYS = {Order.PaymentTerms.NET_14: 14, Order.PaymentTerms.NET_30: 30}


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
    if payment_terms not in TERMS_DAYS:
        raise InvalidInput(fields={"payment_terms": [_("Choose net 14 or net 30 days.")]})
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Log in to place an order."))
    if not isinstance(data, Mapping):
        raise InvalidInput()
    clean = checkout_input_clean(
        user=user, data={**data, "payment_method": PaymentMethod.BANK_TRANSFER}
    )
    if clean.buyer_organization is None:
        raise InvalidInput(
            fields={
                "buyer_organization": [
                    _("Orders on terms are placed on the name of a verified organisation.")
                ]
            }
        )
    if not lines:
        raise InvalidInput(_("The order has no products."), code="no_lines")
    sellers = {line.product.seller_id for line in lines}
    if len(sellers) != 1:
        raise InvalidInput(_("An order on terms comes from one Posyantek."), code="many_sellers")
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
        if isinstance(price, bool) or not isinstance(price, int) or price < 0:
            raise InvalidInput(fields={"unit_price_amount": [_("Give a price in whole Rupiah.")]})
        planned_lines.append(planned_line(product, quantity, price))
    plan = [planned_order(seller=lines[0].product.seller, lines=planned_lines, clean=clean)]

    now = timezone.now()
    due_date = due_date_for(placed_at=now, payment_terms=payment_terms)
    payment = Payment.objects.create(
        code=payment_code_new(),
        buyer=user,
        method=PaymentMethod.BANK_TRANSFER,
        status=Payment.Status.PENDING,
        amount_due_amount=plan[0].totals.total_amount,
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
        plan=plan,
        now=now,
        status=Order.Status.PLACED_ON_TERMS,
        payment_terms=payment_terms,
        due_date=due_date,
    )
    invoice_issue(order=order, at=now)  # a terms order is invoiced when placed
    return order
