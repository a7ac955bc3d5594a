"""Reads of orders, payments, refunds, the ledger, payouts and invoices, filtered to what the
caller may see (orders.permissions)."""

import datetime
import re

from django.conf import settings
from django.core.validators import slug_re
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from accounts.permissions import AnyUser, is_platform_staff, jurisdictions_of
from core.errors import InvalidInput, NotFound, PermissionDenied
from orders.models import (
    CheckoutRequest,
    Dispute,
    Invoice,
    LedgerEntry,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PaymentAttempt,
    Payout,
    Refund,
    RefundEvent,
    TransferProof,
)
from orders.permissions import (
    can_resolve_dispute,
    can_view_finances,
    can_view_invoice,
    can_view_order,
    can_view_organization_orders,
    can_view_payment,
    can_view_refund,
)
from orders.services.ledger import ledger_balance

ORDER_NUMBER_RE = re.compile(r"[A-Za-z0-9-]{1,20}")
# An invoice's number as in its URL: INV-2026-11-PWK-0001, CN-2026-11-PWK-0001.
INVOICE_URL_NUMBER_RE = re.compile(r"(INV|CN)-[0-9]{4}-[0-9]{2}-[A-Za-z0-9-]{1,20}-[0-9]{1,9}")
MAX_ID = 2**63 - 1


def _orders(queryset: QuerySet) -> QuerySet:
    """Everything an order shows, in a fixed number of queries whatever the page size."""
    return queryset.select_related("seller", "payment", "buyer_organization").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id"))
    )


def _in_jurisdictions(codes: list[str]) -> Q:
    """Orders whose seller lies in one of these areas (province or regency codes)."""
    where = Q(pk__in=[])
    for code in codes:
        where |= Q(seller__district__code__startswith=f"{code}.")
    return where


def order_list(
    *, user: AnyUser, as_: str = "buyer", organization: Organization | None = None
) -> QuerySet:
    """`buyer`: the user's own purchases, or with an organisation, the purchases on its name
    (its members). `seller`: the organisation's sales (members, platform staff, a dinas in
    jurisdiction); without an organisation, every order for platform staff and the orders of
    Posyantek in its jurisdiction for a dinas. PermissionDenied when the caller may not see
    them."""
    if not (user and user.is_authenticated):
        raise PermissionDenied()
    if as_ == "seller":
        if organization is None:
            if is_platform_staff(user):
                return _orders(Order.objects.all()).order_by("-created_at", "-id")
            codes = jurisdictions_of(user)
            if codes:
                return _orders(Order.objects.filter(_in_jurisdictions(codes))).order_by(
                    "-created_at", "-id"
                )
            raise InvalidInput(
                fields={"organization": [_("Choose the organisation whose sales to list.")]}
            )
        if not can_view_organization_orders(user, organization):
            raise PermissionDenied(_("Only the organisation's members can see its orders."))
        queryset = Order.objects.filter(seller=organization)
    elif as_ == "buyer":
        if organization is None:
            queryset = Order.objects.filter(buyer=user)
        else:
            if not can_view_organization_orders(user, organization):
                raise PermissionDenied(_("Only the organisation's members can see its orders."))
            queryset = Order.objects.filter(buyer_organization=organization)
    else:
        raise InvalidInput(fields={"as": [_("Choose buyer or seller.")]})
    return _orders(queryset).order_by("-created_at", "-id")


def order_get(*, user: AnyUser, number: str) -> Order:
    """The order if the caller may see it, with its history (`events`, oldest first, with
    their actors), refunds and dispute (with photos); NotFound otherwise (no hint it
    exists)."""
    if not isinstance(number, str) or not ORDER_NUMBER_RE.fullmatch(number):
        raise NotFound()
    order = (
        _orders(Order.objects.filter(number=number))
        .select_related("buyer", "village", "district", "regency", "province", "dispute")
        .prefetch_related(
            Prefetch("events", queryset=OrderEvent.objects.select_related("actor")),
            Prefetch("refunds", queryset=Refund.objects.order_by("created_at", "id")),
        )
        .first()
    )
    if order is None or not can_view_order(user, order):
        raise NotFound()
    return order


def dispute_of(order: Order) -> Dispute | None:
    """The order's dispute with its photos, or None."""
    return (
        Dispute.objects.filter(order=order)
        .select_related("opened_by", "responded_by", "resolved_by")
        .prefetch_related("photos")
        .first()
    )


def dispute_list(*, user: AnyUser, open_only: bool = True) -> QuerySet:
    """The staff dispute desk: disputes (open ones — not yet resolved — by default), the
    oldest first, with their orders. PermissionDenied for anyone but platform staff."""
    if not can_resolve_dispute(user):
        raise PermissionDenied()
    queryset = Dispute.objects.select_related("order__seller", "order__buyer", "opened_by")
    if open_only:
        queryset = queryset.filter(resolved_at__isnull=True)
    return queryset.order_by("created_at", "id")


def _payments_shown(queryset: QuerySet, orders: QuerySet | None = None) -> QuerySet:
    """Everything a payment shows (its orders with their sellers, attempts, proofs), in a
    fixed number of queries whatever the page size."""
    orders = orders if orders is not None else Order.objects.select_related("seller")
    return queryset.prefetch_related(
        Prefetch("orders", queryset=orders.order_by("id")),
        Prefetch("attempts", queryset=PaymentAttempt.objects.order_by("number")),
        Prefetch("proofs", queryset=TransferProof.objects.order_by("created_at", "id")),
    )


def _buyer_side_payments(user: AnyUser) -> Q:
    """Payments the user pays: its own, and those for the orders of organisations it is a
    member of (orders.permissions.can_pay)."""
    bought_for = Order.objects.filter(
        buyer_organization__isnull=False, buyer_organization__memberships__user=user
    ).values("payment_id")
    return Q(buyer=user) | Q(pk__in=bought_for)


def payment_list(*, user: AnyUser, filters: dict | None = None) -> QuerySet:
    """Payments, newest first: every payment for platform staff, the ones the user pays for
    anyone else. `filters`: `status` (a list of Payment.Status values), `code` (exact,
    case-insensitive), `method`. PermissionDenied for an anonymous caller."""
    if not (user and user.is_authenticated):
        raise PermissionDenied()
    queryset = Payment.objects.all()
    if not is_platform_staff(user):
        queryset = queryset.filter(_buyer_side_payments(user))
    filters = filters or {}
    if filters.get("status"):
        queryset = queryset.filter(status__in=list(filters["status"]))
    if filters.get("code"):
        queryset = queryset.filter(code__iexact=filters["code"].strip())
    if filters.get("method"):
        queryset = queryset.filter(method=filters["method"])
    return _payments_shown(queryset).order_by("-created_at", "-id")


def payment_get(*, user: AnyUser, payment_id: int) -> Payment:
    """The payment with its orders (in full, as orders.api shows them), attempts and
    proofs, for its buyer side and platform staff; NotFound otherwise."""
    if type(payment_id) is not int or not 0 < payment_id <= MAX_ID:
        raise NotFound()
    payment = _payments_shown(
        Payment.objects.filter(pk=payment_id), _orders(Order.objects.all())
    ).first()
    if payment is None or not can_view_payment(user, payment):
        raise NotFound()
    return payment


# --- Refunds, ledger, payouts, invoices ---------------------------------------------------------


def _refunds_shown(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("order__seller", "payment")


def refund_list(
    *, user: AnyUser, organization: Organization | None = None, filters: dict | None = None
) -> QuerySet:
    """Refunds, newest first. With an organisation: the refunds of its sales (its owners and
    managers, platform staff; PermissionDenied for anyone else). Without: every refund for
    platform staff, else the refunds of the payments the user pays (the buyer side).
    `filters`: `status` (a list of Refund.Status values)."""
    if not (user and user.is_authenticated):
        raise PermissionDenied()
    if organization is not None:
        if not can_view_finances(user, organization):
            raise PermissionDenied(
                _("Only the organisation's owners and managers can see its finances.")
            )
        queryset = Refund.objects.filter(order__seller=organization)
    elif is_platform_staff(user):
        queryset = Refund.objects.all()
    else:
        paid_by_user = Payment.objects.filter(_buyer_side_payments(user)).values("pk")
        queryset = Refund.objects.filter(payment__in=paid_by_user)
    if (filters or {}).get("status"):
        queryset = queryset.filter(status__in=list(filters["status"]))
    return _refunds_shown(queryset).order_by("-created_at", "-id")


def refund_get(*, user: AnyUser, refund_id: int) -> Refund:
    """The refund with its history (`events`, oldest first), for whoever may see it
    (orders.permissions.can_view_refund); NotFound otherwise."""
    if type(refund_id) is not int or not 0 < refund_id <= MAX_ID:
        raise NotFound()
    refund = (
        _refunds_shown(Refund.objects.filter(pk=refund_id))
        .prefetch_related(
            Prefetch("events", queryset=RefundEvent.objects.select_related("actor").order_by("id"))
        )
        .first()
    )
    if refund is None or not can_view_refund(user, refund):
        raise NotFound()
    return refund


def _finances_scope(user: AnyUser, organization: Organization | None) -> None:
    """Who may read a ledger or payouts: the organisation's owners and managers and platform
    staff; everything (no organisation) for platform staff only."""
    if not (user and user.is_authenticated):
        raise PermissionDenied()
    if organization is None:
        if is_platform_staff(user):
            return
        raise InvalidInput(
            fields={"organization": [_("Choose the organisation whose finances to see.")]}
        )
    if not can_view_finances(user, organization):
        raise PermissionDenied(
            _("Only the organisation's owners and managers can see its finances.")
        )


def ledger_entries(
    *, user: AnyUser, organization: Organization | None = None, filters: dict | None = None
) -> QuerySet:
    """A Posyantek's ledger entries, newest first (every Posyantek's for platform staff
    without an organisation). PermissionDenied / InvalidInput as _finances_scope. `filters`:
    `kind`, `status` (lists of LedgerEntry.Kind / Status values)."""
    _finances_scope(user, organization)
    queryset = LedgerEntry.objects.select_related("organization", "order")
    if organization is not None:
        queryset = queryset.filter(organization=organization)
    filters = filters or {}
    if filters.get("kind"):
        queryset = queryset.filter(kind__in=list(filters["kind"]))
    if filters.get("status"):
        queryset = queryset.filter(status__in=list(filters["status"]))
    return queryset.order_by("-created_at", "-id")


def ledger_totals(*, organization: Organization | None = None) -> dict[str, int]:
    """`pending`, `available` and `total` balance of one Posyantek
    (orders.services.ledger.ledger_balance), or of all of them together."""
    if organization is not None:
        balance = ledger_balance(organization=organization)
        pending, available = balance.pending, balance.available
    else:
        sums = LedgerEntry.objects.aggregate(
            pending=Sum("amount", filter=Q(status=LedgerEntry.Status.PENDING)),
            available=Sum("amount", filter=Q(status=LedgerEntry.Status.AVAILABLE)),
        )
        pending, available = sums["pending"] or 0, sums["available"] or 0
    return {"pending": pending, "available": available, "total": pending + available}


def payout_list(*, user: AnyUser, organization: Organization | None = None) -> QuerySet:
    """Payouts, newest first, of one Posyantek (or all, for platform staff)."""
    _finances_scope(user, organization)
    queryset = Payout.objects.select_related("organization", "recorded_by")
    if organization is not None:
        queryset = queryset.filter(organization=organization)
    return queryset.order_by("-created_at", "-id")


def invoice_get(*, user: AnyUser, url_number: str) -> Invoice:
    """The invoice or credit note by its URL form (INV-2026-11-PWK-0001), with its order's
    lines and credit notes, for whoever may see it (orders.permissions.can_view_invoice);
    NotFound otherwise, the same as for a number that does not exist."""
    if not isinstance(url_number, str) or not INVOICE_URL_NUMBER_RE.fullmatch(url_number):
        raise NotFound()
    invoice = (
        Invoice.objects.filter(number=Invoice.number_from_url(url_number))
        .select_related(
            "order__buyer_organization", "order__payment", "seller", "refund", "credited_invoice"
        )
        .prefetch_related(
            Prefetch("order__lines", queryset=OrderLine.objects.order_by("id")),
            Prefetch("credit_notes", queryset=Invoice.objects.order_by("issued_at", "id")),
        )
        .first()
    )
    if invoice is None or not can_view_invoice(user, invoice):
        raise NotFound()
    return invoice


def organization_for_orders(*, slug: str) -> Organization:
    """The organisation named in `?organization=`; NotFound for an unknown or malformed slug."""
    if not isinstance(slug, str) or not slug_re.fullmatch(slug):
        raise NotFound()
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise NotFound()
    return organization


def checkout_request_get(*, user: AnyUser, key: str) -> CheckoutRequest | None:
    """The checkout this user made with this Idempotency-Key, with its payment, if it was
    within the last CHECKOUT_IDEMPOTENCY_HOURS (an older key may be used again)."""
    cutoff = timezone.now() - datetime.timedelta(hours=settings.CHECKOUT_IDEMPOTENCY_HOURS)
    return (
        CheckoutRequest.objects.select_related("payment")
        .filter(user=user, key=key, created_at__gte=cutoff)
        .first()
    )


# --- Orders on terms past their due date ------------------------------------------------------


def terms_unpaid_q() -> Q:
    """Orders on terms whose payment is still awaited."""
    return (
        ~Q(payment_terms=Order.PaymentTerms.PREPAID)
        & Q(due_date__isnull=False)
        & Q(payment__status__in=Order.TERMS_UNPAID_PAYMENT_STATUSES)
        & ~Q(status__in=Order.TERMS_CLOSED_STATUSES)
    )


def terms_due_q(*, today: datetime.date) -> Q:
    """Unpaid terms orders due today or earlier (the reminders' set)."""
    return terms_unpaid_q() & Q(due_date__lte=today)


def terms_overdue_q(*, today: datetime.date | None = None) -> Q:
    """Unpaid terms orders past their due date (Asia/Jakarta): "Jatuh tempo terlewat"."""
    return terms_unpaid_q() & Q(due_date__lt=today or timezone.localdate())


def orders_overdue(queryset: QuerySet | None = None, *, today: datetime.date | None = None):
    """The overdue terms orders among `queryset` (an already scoped order list; all orders by
    default), the longest overdue first."""
    queryset = queryset if queryset is not None else _orders(Order.objects.all())
    return queryset.filter(terms_overdue_q(today=today)).order_by("due_date", "id")


def orders_overdue_for_staff(*, user: AnyUser, today: datetime.date | None = None) -> QuerySet:
    """Staff's desk: every overdue terms order with its buyer organisation and seller, the
    longest overdue first. PermissionDenied for anyone but platform staff."""
    if not (user and user.is_authenticated and is_platform_staff(user)):
        raise PermissionDenied()
    return orders_overdue(_orders(Order.objects.select_related("buyer")), today=today)
