"""Each Posyantek's money with the platform (DESIGN.md, orders: Ledger). The only writer of
LedgerEntry rows.

- A sale (+ the order total) and its platform fee (−) are written once, when the order is
  paid; `pending` until the order is settled (completed, refunded, partially refunded), then
  `available`.
- A refund of an order (−) and the platform fee no longer due on the goods refunded (+) are
  written once per refund, with the same status as the order's other entries.
- A payout (−, available) is written by orders.services.payouts.

Invariant (ledger_check): Σ received on payments that kept money − what of it was never an
order's (an excess or late money, owed back or returned) − Σ their orders' succeeded refunds
== Σ seller balances + Σ platform fees + Σ payouts.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from accounts.models import Organization
from core.money import platform_fee_amount, refund_split
from orders.models import Dispute, LedgerEntry, Order, Payment, Refund

Kind = LedgerEntry.Kind
EntryStatus = LedgerEntry.Status

# An order in one of these has nothing left to wait for: its entries are available.
SETTLED_STATUSES = (
    Order.Status.COMPLETED,
    Order.Status.REFUNDED,
    Order.Status.PARTIALLY_REFUNDED,
)


def _create_once(**values) -> bool:
    """Create one entry unless a unique constraint says it exists; True when created."""
    try:
        with transaction.atomic():
            LedgerEntry.objects.create(**values)
    except IntegrityError:
        return False
    return True


def terms_credit(order: Order) -> int:
    """What a dispute on a terms order took off the amount owed before it was paid (a credit
    instead of a Refund, orders.services.disputes); 0 for any other order."""
    if not order.is_on_terms:
        return 0
    dispute = Dispute.objects.filter(order_id=order.pk, outcome=Dispute.Outcome.REFUND).first()
    if dispute is None or dispute.refund_amount <= 0:
        return 0
    if Refund.objects.filter(order_id=order.pk, reason=Refund.Reason.DISPUTE).exists():
        return 0  # resolved after payment: a real refund, recorded by ledger_record_refund
    return min(dispute.refund_amount, order.total_amount)


@transaction.atomic
def ledger_record_sale(*, order: Order, at: datetime.datetime) -> None:
    """The sale (+ what the buyer pays for the order) and the platform fee (− when > 0) of a
    paid order; once per order (a second call changes nothing). Pending — or available at
    once when the order is already settled (e.g. a terms order paid after completion).

    A terms order credited in a dispute before it was paid sells its total less the credit,
    with the fee on the goods left; nothing at all if the credit covered everything."""
    if LedgerEntry.objects.filter(order_id=order.pk, kind=Kind.SALE, refund__isnull=True).exists():
        return
    order = Order.objects.get(pk=order.pk)
    sale_amount, fee = order.total_amount, order.platform_fee_amount
    credit = terms_credit(order)
    if credit:
        sale_amount -= credit
        credit_goods = refund_split(
            amount=credit,
            goods_amount=order.goods_amount,
            shipping_amount=order.shipping_amount,
            ppn_amount=order.ppn_amount,
        ).goods_amount
        fee = _fee_on(order=order, goods_amount=order.goods_amount - credit_goods, fee_charged=fee)
    if sale_amount <= 0:
        return
    settled = order.status in SETTLED_STATUSES
    common = {
        "organization_id": order.seller_id,
        "order_id": order.pk,
        "status": EntryStatus.AVAILABLE if settled else EntryStatus.PENDING,
        "available_at": at if settled else None,
    }
    if not _create_once(kind=Kind.SALE, amount=sale_amount, **common):
        return
    if fee > 0:
        _create_once(kind=Kind.PLATFORM_FEE, amount=-fee, **common)


def _fee_on(*, order: Order, goods_amount: int, fee_charged: int) -> int:
    """The platform fee due on `goods_amount` of this order's goods. Uses the configured
    percentage when it reproduces the fee the order was charged; otherwise (the percentage
    changed since) the charged fee in proportion, rounded down."""
    if goods_amount <= 0 or fee_charged <= 0:
        return 0
    if goods_amount >= order.goods_amount:
        return fee_charged
    percent = Decimal(str(getattr(settings, "PLATFORM_FEE_PERCENT", "0")))
    if platform_fee_amount(goods_amount=order.goods_amount, percent=percent) == fee_charged:
        return min(fee_charged, platform_fee_amount(goods_amount=goods_amount, percent=percent))
    return fee_charged * goods_amount // order.goods_amount


@transaction.atomic
def ledger_record_refund(*, refund: Refund, at: datetime.datetime) -> None:
    """A succeeding refund of an order: `refund` − its total, and the platform fee no longer
    due on the goods refunded given back (+): fee(goods) − fee(goods − Σ goods refunded) −
    what was given back before. Once per refund; a payment's own refund (no order) is not a
    seller's money and writes nothing. Status as the order's other entries."""
    if refund.order_id is None:
        return
    if LedgerEntry.objects.filter(refund_id=refund.pk, kind=Kind.REFUND).exists():
        return
    order = Order.objects.get(pk=refund.order_id)
    entries = LedgerEntry.objects.filter(order_id=order.pk)
    settled = order.status in SETTLED_STATUSES or (
        entries.filter(kind=Kind.SALE, refund__isnull=True, status=EntryStatus.AVAILABLE).exists()
    )
    common = {
        "organization_id": order.seller_id,
        "order_id": order.pk,
        "refund_id": refund.pk,
        "status": EntryStatus.AVAILABLE if settled else EntryStatus.PENDING,
        "available_at": at if settled else None,
    }
    if not _create_once(kind=Kind.REFUND, amount=-refund.total_amount, **common):
        return

    fees = entries.filter(kind=Kind.PLATFORM_FEE).aggregate(
        charged=Sum("amount", filter=Q(refund__isnull=True)),
        given_back=Sum("amount", filter=Q(refund__isnull=False)),
    )
    fee_charged = -(fees["charged"] or 0)
    given_back = fees["given_back"] or 0
    if fee_charged <= 0:
        return
    goods_refunded = (
        Refund.objects.filter(order_id=order.pk, status=Refund.Status.SUCCEEDED)
        .exclude(pk=refund.pk)
        .aggregate(total=Sum("goods_amount"))["total"]
        or 0
    ) + refund.goods_amount
    still_due = _fee_on(
        order=order, goods_amount=order.goods_amount - goods_refunded, fee_charged=fee_charged
    )
    reversal = fee_charged - still_due - given_back
    if reversal > 0:
        _create_once(
            kind=Kind.PLATFORM_FEE,
            amount=reversal,
            **common,
        )


@transaction.atomic
def ledger_order_settle(*, order: Order, at: datetime.datetime) -> None:
    """Every pending entry of the order becomes available from `at` (called when the order
    is completed, refunded or partially refunded)."""
    LedgerEntry.objects.filter(order_id=order.pk, status=EntryStatus.PENDING).update(
        status=EntryStatus.AVAILABLE, available_at=at, updated_at=timezone.now()
    )


@dataclass(frozen=True)
class Balance:
    pending: int
    available: int
    total: int


def ledger_balance(*, organization: Organization) -> Balance:
    """A Posyantek's balance, pending and available, in one aggregate query."""
    sums = LedgerEntry.objects.filter(organization_id=organization.pk).aggregate(
        pending=Sum("amount", filter=Q(status=EntryStatus.PENDING)),
        available=Sum("amount", filter=Q(status=EntryStatus.AVAILABLE)),
    )
    pending, available = sums["pending"] or 0, sums["available"] or 0
    return Balance(pending=pending, available=available, total=pending + available)


@dataclass(frozen=True)
class LedgerCheck:
    received: int  # Σ received on payments that kept money (Payment.MONEY_KEPT)
    # Σ of those payments' own refunds (no order) not failed: money that was never for an
    # order — an excess, late money sent back — owed to the buyer or already returned.
    returned: int
    refunded: int  # Σ succeeded refunds of their orders
    balances: int  # Σ of every seller's balance (all entries)
    fees: int  # Σ platform fees kept (−Σ fee entries)
    payouts: int  # Σ payouts made (−Σ payout entries)
    ok: bool  # received − returned − refunded == balances + fees + payouts

    @property
    def kept(self) -> int:
        """The left side: what the platform holds for the sellers' orders."""
        return self.received - self.returned - self.refunded

    @property
    def accounted(self) -> int:
        """The right side: where that money is."""
        return self.balances + self.fees + self.payouts


def ledger_check() -> LedgerCheck:
    """The ledger invariant (DESIGN.md), from three aggregate queries: Σ received on paid
    payments − Σ succeeded refunds = Σ seller balances + Σ platform fees + Σ payouts. A
    payment's own refunds (an excess, late money: never an order's, never in a seller's
    ledger) count as soon as they are owed — requested or sent, not failed — so a pending
    return of an overpayment does not unbalance it; a failed one that nobody retried does,
    since the platform then still holds the buyer's money."""
    received = (
        Payment.objects.filter(status__in=Payment.MONEY_KEPT).aggregate(
            total=Sum("received_amount")
        )["total"]
        or 0
    )
    refunds = Refund.objects.filter(payment__status__in=Payment.MONEY_KEPT).aggregate(
        returned=Sum(
            "total_amount", filter=Q(order__isnull=True) & ~Q(status=Refund.Status.FAILED)
        ),
        refunded=Sum("total_amount", filter=Q(order__isnull=False, status=Refund.Status.SUCCEEDED)),
    )
    returned, refunded = refunds["returned"] or 0, refunds["refunded"] or 0
    sums = LedgerEntry.objects.aggregate(
        balances=Sum("amount"),
        fees=Sum("amount", filter=Q(kind=Kind.PLATFORM_FEE)),
        payouts=Sum("amount", filter=Q(kind=Kind.PAYOUT)),
    )
    balances, fees, payouts = sums["balances"] or 0, -(sums["fees"] or 0), -(sums["payouts"] or 0)
    return LedgerCheck(
        received=received,
        returned=returned,
        refunded=refunded,
        balances=balances,
        fees=fees,
        payouts=payouts,
        ok=received - returned - refunded == balances + fees + payouts,
    )
