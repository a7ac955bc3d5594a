"""Reads of orders and payments, filtered to what the caller may see (orders.permissions)."""

import datetime
import re

from django.conf import settings
from django.core.validators import slug_re
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from accounts.permissions import AnyUser, is_platform_staff, jurisdictions_of
from core.errors import InvalidInput, NotFound, PermissionDenied
from orders.models import CheckoutRequest, Dispute, Order, OrderEvent, OrderLine, Payment, Refund
from orders.permissions import (
    can_resolve_dispute,
    can_view_order,
    can_view_organization_orders,
    can_view_payment,
)

ORDER_NUMBER_RE = re.compile(r"[A-Za-z0-9-]{1,20}")
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


def payment_get(*, user: AnyUser, payment_id: int) -> Payment:
    """The payment with its orders, for its buyer and platform staff; NotFound otherwise."""
    if type(payment_id) is not int or not 0 < payment_id <= MAX_ID:
        raise NotFound()
    payment = (
        Payment.objects.filter(pk=payment_id)
        .prefetch_related(
            Prefetch(
                "orders",
                queryset=_orders(Order.objects.all()).order_by("id"),
            )
        )
        .first()
    )
    if payment is None or not can_view_payment(user, payment):
        raise NotFound()
    return payment


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
