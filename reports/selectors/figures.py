"""A scope's figures for a period: the manager's dashboard, the API and the monthly report.

Definitions (DESIGN.md, Dashboards), used everywhere:
- gross: goods + shipping (never PPN) of the orders paid in the period (`Order.paid_at`, set
  for prepaid and terms orders alike), whatever happened to them afterwards — less, for a terms
  order credited in a dispute before it was paid, the credit's goods and shipping (it was
  never sold: the ledger's sale is the total less the credit too);
- refunds: goods + shipping (never PPN) of the refunds of those Posyantek's orders that
  succeeded in the period (`Refund.succeeded_at`), whenever the order was paid;
- platform fee: the fees charged on the sales of the period (as the ledger charged them),
  less what the ledger gave back with the refunds of the period;
- net = gross − refunds − platform fee;
- average order value: gross ÷ orders paid, rounded down to the Rupiah;
- new buyer: a buyer (the buying organisation when the order was for one, else the person)
  whose first paid order with that Posyantek falls in the period.

Everything is aggregated by the database in Asia/Jakarta periods, with a fixed number of
queries whatever the number of orders.
"""

import datetime
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.money import refund_split
from marketplace.capacity import capacity_booked_by_product, monthly_capacity
from marketplace.models import Certification, Product
from mitra.models import Match, Need, Partnership, Proposal
from orders.models import Dispute, LedgerEntry, Order, OrderLine, Refund
from reports.periods import Period, local_zone, trunc
from reports.scope import Scope

MONEY_KEYS = ("gross_amount", "refunds_amount", "platform_fee_amount", "net_amount")
KPI_KEYS = (*MONEY_KEYS, "paid_orders", "average_order_amount", "new_buyers")
TOP_PRODUCTS = 5
MATCHING_NEEDS = 5
LOW_STOCK_ITEMS = 10
CERTIFICATE_WARNING_DAYS = 60
# A stock product is low when what is left covers fewer than this many minimum orders; a
# made-to-order or recurring product when less than this share of the month's capacity is free.
LOW_STOCK_MINIMUM_ORDERS = 3
LOW_CAPACITY_PERCENT = 20
OPEN_NEED_STATUSES = (Need.Status.OPEN, Need.Status.IN_DISCUSSION)


def _sum(expression) -> Coalesce:
    return Coalesce(Sum(expression), 0, output_field=IntegerField())


def _in(period: Period, field: str) -> Q:
    return Q(**{f"{field}__gte": period.start_at, f"{field}__lt": period.end_at})


def _sales(scope: Scope, period: Period) -> QuerySet:
    return Order.objects.filter(scope.organization_q("seller"), _in(period, "paid_at"))


def _refunds(scope: Scope, period: Period) -> QuerySet:
    # Only refunds of orders that were sold: money given back for an order that never counted
    # as a sale is no refund of revenue.
    return Refund.objects.filter(
        scope.organization_q("order__seller"),
        _in(period, "succeeded_at"),
        status=Refund.Status.SUCCEEDED,
        order__paid_at__isnull=False,
    )


def _fees_given_back(scope: Scope, period: Period) -> QuerySet:
    """The ledger's platform fees given back (+) with the refunds that succeeded in the period,
    each with its moment as `at` (read through the refunds: the ledger's refund index)."""
    return LedgerEntry.objects.filter(
        kind=LedgerEntry.Kind.PLATFORM_FEE, refund__in=_refunds(scope, period).values("pk")
    ).annotate(at=F("refund__succeeded_at"))


def _credits(scope: Scope, period: Period, *, with_seller: bool = False) -> list[tuple]:
    """(paid at — or the seller's id with `with_seller` —, goods + shipping credited, platform
    fee not charged) of each terms order paid in the period after a dispute took part of it off
    what was owed before payment (orders.services.ledger.terms_credit: a credit, not a
    Refund): the ledger sold it for its total less the credit, with the fee on the goods left.
    Such orders are rare: one query, a handful of rows."""
    dispute_refunds = Refund.objects.filter(
        order_id=OuterRef("order_id"), reason=Refund.Reason.DISPUTE
    )
    fee_charged = LedgerEntry.objects.filter(
        order_id=OuterRef("order_id"), kind=LedgerEntry.Kind.PLATFORM_FEE, refund__isnull=True
    ).values("amount")[:1]
    rows = (
        Dispute.objects.filter(
            scope.organization_q("order__seller"),
            _in(period, "order__paid_at"),
            outcome=Dispute.Outcome.REFUND,
            refund_amount__gt=0,
        )
        .exclude(order__payment_terms=Order.PaymentTerms.PREPAID)
        .exclude(Exists(dispute_refunds))
        .annotate(fee_entry=Coalesce(Subquery(fee_charged), 0))
        .values_list(
            "order__seller_id" if with_seller else "order__paid_at",
            "refund_amount",
            "order__goods_amount",
            "order__shipping_amount",
            "order__ppn_amount",
            "order__platform_fee_amount",
            "fee_entry",
        )
    )
    credits = []
    for key, amount, goods, shipping, ppn, fee, fee_entry in rows:
        split = refund_split(
            amount=min(amount, goods + shipping + ppn),
            goods_amount=goods,
            shipping_amount=shipping,
            ppn_amount=ppn,
        )
        credits.append((key, split.goods_amount + split.shipping_amount, fee + fee_entry))
    return credits


GROSS = F("goods_amount") + F("shipping_amount")


def _new_buyers(scope: Scope, period: Period) -> int:
    """Buyer–Posyantek pairs with a paid order in the period and none before it: the buyer is
    the organisation when the order was for one, else the person. Read from the period's
    orders, each checked for an earlier one through the buyer's indexes — not by scanning the
    Posyantek's whole history."""
    earlier = Order.objects.filter(seller_id=OuterRef("seller_id"), paid_at__lt=period.start_at)
    for_organization = earlier.filter(buyer_organization_id=OuterRef("buyer_organization_id"))
    for_person = earlier.filter(buyer_id=OuterRef("buyer_id"), buyer_organization__isnull=True)
    return (
        _sales(scope, period)
        .filter(
            Q(~Exists(for_organization), buyer_organization__isnull=False)
            | Q(~Exists(for_person), buyer_organization__isnull=True)
        )
        .annotate(
            buyer_person=Case(
                When(buyer_organization__isnull=True, then=F("buyer_id")), default=None
            )
        )
        .order_by()
        .values("seller_id", "buyer_organization_id", "buyer_person")
        .distinct()
        .count()
    )


def money_figures(*, scope: Scope, period: Period) -> dict[str, int]:
    """Gross, refunds, platform fee, net, orders paid, average order value and new buyers of
    the scope in the period (the module's definitions); five queries."""
    sales = _sales(scope, period).aggregate(
        gross=_sum(GROSS), fee=_sum("platform_fee_amount"), count=Count("id")
    )
    refunds = _refunds(scope, period).aggregate(
        amount=_sum(F("goods_amount") + F("shipping_amount"))
    )["amount"]
    fee_back = _fees_given_back(scope, period).aggregate(amount=_sum("amount"))["amount"]
    credits = _credits(scope, period)
    gross = sales["gross"] - sum(credit for _at, credit, _fee in credits)
    fee = sales["fee"] - sum(fee for _at, _credit, fee in credits) - fee_back
    count = sales["count"]
    return {
        "gross_amount": gross,
        "refunds_amount": refunds,
        "platform_fee_amount": fee,
        "net_amount": gross - refunds - fee,
        "paid_orders": count,
        "average_order_amount": gross // count if count else 0,
        "new_buyers": _new_buyers(scope, period),
    }


def money_by_posyantek(*, scope: Scope, period: Period) -> dict[int, dict[str, int]]:
    """Gross, refunds, platform fee, net and orders paid of each Posyantek of the scope that
    has any in the period, by organisation id — the same definitions as money_figures, grouped
    by the database; four queries whatever the number of Posyantek."""
    figures: dict[int, dict[str, int]] = {}

    def row(organization_id: int) -> dict[str, int]:
        return figures.setdefault(
            organization_id,
            dict.fromkeys(("gross_amount", "refunds_amount", "platform_fee_amount"), 0)
            | {"paid_orders": 0},
        )

    sales = (
        _sales(scope, period)
        .order_by()
        .values("seller_id")
        .annotate(gross=_sum(GROSS), fee=_sum("platform_fee_amount"), count=Count("id"))
    )
    for item in sales:
        row(item["seller_id"]).update(
            gross_amount=item["gross"],
            platform_fee_amount=item["fee"],
            paid_orders=item["count"],
        )
    refunds = (
        _refunds(scope, period)
        .order_by()
        .values("order__seller_id")
        .annotate(amount=_sum(F("goods_amount") + F("shipping_amount")))
    )
    for item in refunds:
        row(item["order__seller_id"])["refunds_amount"] = item["amount"]
    fees_back = (
        _fees_given_back(scope, period)
        .order_by()
        .values("organization_id")
        .annotate(amount=_sum("amount"))
    )
    for item in fees_back:
        row(item["organization_id"])["platform_fee_amount"] -= item["amount"]
    for seller_id, credit, fee in _credits(scope, period, with_seller=True):
        row(seller_id)["gross_amount"] -= credit
        row(seller_id)["platform_fee_amount"] -= fee
    for item in figures.values():
        item["net_amount"] = (
            item["gross_amount"] - item["refunds_amount"] - item["platform_fee_amount"]
        )
    return figures


def _change_percent(current: int, previous: int) -> float | None:
    """The change from the previous period in percent, one decimal; None when the previous
    period had nothing to compare with."""
    if not previous:
        return None
    return round((current - previous) * 100 / abs(previous), 1)


def _kpis(current: dict[str, int], previous: dict[str, int]) -> dict[str, dict[str, Any]]:
    return {
        key: {
            "current": current[key],
            "previous": previous[key],
            "change_percent": _change_percent(current[key], previous[key]),
        }
        for key in KPI_KEYS
    }


def _bucket_start(value: datetime.datetime | datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value, local_zone()).date()
            if timezone.is_aware(value)
            else value.date()
        )
    return value


def revenue_series(*, scope: Scope, period: Period, group_by: str) -> dict[str, Any]:
    """Gross, refunds, platform fee, net and orders paid per local day, week (from Monday) or
    month of the period — every bucket, empty ones as zeros — and their totals; four
    queries. A week or month cut by the period's edges counts only its days inside it."""
    rows: dict[datetime.date, dict[str, int]] = {
        start: {"gross_amount": 0, "refunds_amount": 0, "platform_fee_amount": 0, "paid_orders": 0}
        for start in period.buckets(group_by)
    }

    def add(queryset: QuerySet, field: str, **sums) -> None:
        grouped = (
            queryset.annotate(bucket=trunc(group_by, field))
            .order_by()
            .values("bucket")
            .annotate(**sums)
        )
        for row in grouped:
            target = rows[_bucket_start(row.pop("bucket"))]
            for key, value in row.items():
                target[key] += value

    add(
        _sales(scope, period),
        "paid_at",
        gross_amount=_sum(GROSS),
        platform_fee_amount=_sum("platform_fee_amount"),
        paid_orders=Count("id"),
    )
    add(
        _refunds(scope, period),
        "succeeded_at",
        refunds_amount=_sum(F("goods_amount") + F("shipping_amount")),
    )
    fees_back = (
        _fees_given_back(scope, period)
        .annotate(bucket=trunc(group_by, "at"))
        .order_by()
        .values("bucket")
        .annotate(amount=_sum("amount"))
    )
    for row in fees_back:
        rows[_bucket_start(row["bucket"])]["platform_fee_amount"] -= row["amount"]
    for paid_at, credit, fee in _credits(scope, period):
        paid_on = timezone.localtime(paid_at, local_zone()).date()
        bucket = rows[max(start for start in rows if start <= paid_on)]
        bucket["gross_amount"] -= credit
        bucket["platform_fee_amount"] -= fee

    results = []
    totals = dict.fromkeys(("gross_amount", "refunds_amount", "platform_fee_amount"), 0)
    totals["paid_orders"] = 0
    for start, row in rows.items():
        row["net_amount"] = row["gross_amount"] - row["refunds_amount"] - row["platform_fee_amount"]
        results.append({"start": start.isoformat(), **row})
        for key in totals:
            totals[key] += row[key]
    totals["net_amount"] = (
        totals["gross_amount"] - totals["refunds_amount"] - totals["platform_fee_amount"]
    )
    return {
        "scope": scope.as_dict(),
        "period": period.as_dict(),
        "group_by": group_by,
        "results": results,
        "totals": totals,
    }


def orders_by_status(*, scope: Scope, period: Period) -> list[dict[str, Any]]:
    """The orders placed in the period, counted by their status now, in the order of the
    status list (statuses with no orders left out)."""
    counts = dict(
        Order.objects.filter(scope.organization_q("seller"), _in(period, "created_at"))
        .order_by()
        .values("status")
        .annotate(count=Count("id"))
        .values_list("status", "count")
    )
    return [
        {"status": status.value, "label": str(status.label), "count": counts[status.value]}
        for status in Order.Status
        if counts.get(status.value)
    ]


def ledger_figures(*, scope: Scope) -> dict[str, int]:
    """The scope's balance with the platform now: pending (sales not yet settled) and
    available (what a payout can draw on)."""
    by_status = dict(
        LedgerEntry.objects.filter(scope.organization_q("organization"))
        .order_by()
        .values("status")
        .annotate(amount=_sum("amount"))
        .values_list("status", "amount")
    )
    pending = by_status.get(LedgerEntry.Status.PENDING, 0)
    available = by_status.get(LedgerEntry.Status.AVAILABLE, 0)
    return {
        "pending_amount": pending,
        "available_amount": available,
        "balance_amount": pending + available,
    }


def top_products(*, scope: Scope, period: Period, limit: int = TOP_PRODUCTS) -> list[dict]:
    """The products with the most gross (goods only, per line) in the orders paid in the
    period."""
    rows = (
        OrderLine.objects.filter(
            scope.organization_q("order__seller"), _in(period, "order__paid_at")
        )
        .order_by()
        .values("product_id", "product__slug", "product__name")
        .annotate(quantity=_sum("quantity"), gross_amount=_sum("line_amount"))
        .order_by("-gross_amount", "product__name")[:limit]
    )
    return [
        {
            "product_id": row["product_id"],
            "slug": row["product__slug"],
            "name": row["product__name"],
            "quantity": row["quantity"],
            "gross_amount": row["gross_amount"],
        }
        for row in rows
    ]


def low_stock(*, organization, today: datetime.date) -> list[dict[str, Any]]:
    """Published products running out: stock for fewer than LOW_STOCK_MINIMUM_ORDERS minimum
    orders, or less than LOW_CAPACITY_PERCENT of this month's capacity free; fewest left
    first. Two queries."""
    products = list(
        Product.objects.filter(seller=organization, status=Product.Status.PUBLISHED)
        .filter(
            Q(
                availability=Product.Availability.STOCK,
                stock__lt=F("minimum_order") * LOW_STOCK_MINIMUM_ORDERS,
            )
            | ~Q(availability=Product.Availability.STOCK)
        )
        .order_by("name")
    )
    capacity_ids = [p.pk for p in products if p.availability != Product.Availability.STOCK]
    booked = capacity_booked_by_product(product_ids=capacity_ids, month=today)
    out = []
    for product in products:
        if product.availability == Product.Availability.STOCK:
            left = product.stock
        else:
            capacity = monthly_capacity(product, today) or 0
            left = max(capacity - booked.get(product.pk, 0), 0)
            if left * 100 >= capacity * LOW_CAPACITY_PERCENT and capacity:
                continue
        out.append(
            {
                "product_id": product.pk,
                "slug": product.slug,
                "name": product.name,
                "availability": product.availability,
                "left": left,
                "unit": product.selling_unit,
            }
        )
    out.sort(key=lambda item: (item["left"], item["name"]))
    return out[:LOW_STOCK_ITEMS]


def certificates_expiring(*, organization, today: datetime.date) -> list[dict[str, Any]]:
    """The Posyantek's own and its products' certificates that run out within
    CERTIFICATE_WARNING_DAYS days (today included), soonest first."""
    rows = (
        Certification.objects.filter(Q(organization=organization) | Q(product__seller=organization))
        .filter(
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=CERTIFICATE_WARNING_DAYS),
        )
        .select_related("product")
        .order_by("valid_until", "pk")
    )
    return [
        {
            "id": certificate.pk,
            "type": certificate.type,
            "type_label": str(certificate.get_type_display()),
            "number": certificate.number,
            "product_name": certificate.product.name if certificate.product else None,
            "valid_until": certificate.valid_until.isoformat(),
        }
        for certificate in rows
    ]


def matching_needs(*, organization, limit: int = MATCHING_NEEDS) -> dict[str, Any]:
    """Open partner needs this Posyantek matches, best first."""
    matches = Match.objects.filter(posyantek=organization, need__status__in=OPEN_NEED_STATUSES)
    top = matches.select_related("need__organization").order_by("-score", "need_id")[:limit]
    return {
        "count": matches.count(),
        "items": [
            {
                "id": match.need_id,
                "title": match.need.title,
                "organization": match.need.organization.name,
                "score": match.score,
            }
            for match in top
        ],
    }


def report_summary(
    *, scope: Scope, period: Period, today: datetime.date | None = None
) -> dict[str, Any]:
    """Everything the dashboard shows for the scope and period, against the previous period
    (reports.periods.Period.previous). The lists about one Posyantek's products, certificates
    and needs are None for a region or everything. A fixed number of queries."""
    today = today or timezone.localdate()
    previous = period.previous()
    organization = scope.organization
    return {
        "scope": scope.as_dict(),
        "period": period.as_dict(),
        "previous_period": previous.as_dict(),
        "kpis": _kpis(
            money_figures(scope=scope, period=period), money_figures(scope=scope, period=previous)
        ),
        "orders_by_status": orders_by_status(scope=scope, period=period),
        "ledger": ledger_figures(scope=scope),
        "top_products": top_products(scope=scope, period=period),
        "low_stock": low_stock(organization=organization, today=today) if organization else None,
        "certificates_expiring": (
            certificates_expiring(organization=organization, today=today) if organization else None
        ),
        "matching_needs": matching_needs(organization=organization) if organization else None,
        "proposals_in_progress": Proposal.objects.filter(
            scope.organization_q("posyantek"), status=Proposal.Status.SUBMITTED
        ).count(),
        "partnerships_in_progress": Partnership.objects.filter(
            scope.organization_q("posyantek"),
            status__in=(Partnership.Status.PROPOSED, Partnership.Status.ACTIVE),
        ).count(),
    }
