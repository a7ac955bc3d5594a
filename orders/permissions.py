"""The orders rows of DESIGN.md's "who may do what", on accounts' primitives.

| action                                        | owner | manager | staff | platform | dinas   |
|-----------------------------------------------|-------|---------|-------|----------|---------|
| buy for the organisation                      | ✓     | ✓       | ✓     | —        | —       |
| see the organisation's orders                 | ✓     | ✓       | ✓     | ✓        | in jur. |
| accept, ship                                  | ✓     | ✓       | ✓     | ✓        | —       |
| mark delivered, cancel paid, answer a dispute | ✓     | ✓       | —     | ✓        | —       |
| resolve a dispute                             | —     | —       | —     | ✓        | —       |
| confirm a transfer, record refunds/payouts    | —     | —       | —     | ✓        | —       |
| see the ledger, payouts and refunds (own)     | ✓     | ✓       | —     | ✓ all    | —       |
| see the invoices of its sales                 | ✓     | ✓       | ✓     | ✓        | —       |

Other users may do none of these.

The buyer side of an order is its buyer and, for an order on an organisation's name, that
organisation's members (those who may buy for it): they cancel it while unpaid, confirm
receipt and report a problem. Only the person who placed it reviews its products
(orders.services.reviews). A payment (it spans several sellers) is seen and paid by its
buyer side — the buyer and, when it pays for an organisation's orders, that organisation's
members — and platform staff; a refund by the buyer side of its payment, the members of the
seller of its order (owners and managers) and platform staff; an invoice by the buyer side,
the seller's members and platform staff. A dispute (reason, photos, answers) is private to
the two sides and platform staff — a dinas sees the order, not the dispute.
"""

from django.core.exceptions import ObjectDoesNotExist

from accounts.models import Organization, Role
from accounts.permissions import AnyUser, has_role, is_member, is_platform_staff, user_oversees
from orders.models import Invoice, Order, Payment, Refund

Status = Order.Status


def can_buy_for(user: AnyUser, organization: Organization) -> bool:
    """Place orders on the organisation's name: any member of a verified organisation."""
    return organization.is_verified and is_member(user, organization)


def can_view_organization_orders(user: AnyUser, organization: Organization) -> bool:
    """The organisation's orders (sales and purchases): members, platform staff, and a dinas
    whose jurisdiction covers the organisation's district."""
    if is_member(user, organization) or is_platform_staff(user):
        return True
    return bool(organization.district_id) and user_oversees(user, organization.district_id)


def is_buyer_side(user: AnyUser, order: Order) -> bool:
    """The order's buyer, or a member of the organisation it was bought for."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if order.buyer_id == user.pk:
        return True
    return bool(order.buyer_organization_id) and is_member(user, order.buyer_organization)


def can_view_order(user: AnyUser, order: Order) -> bool:
    if not (user and user.is_authenticated):
        return False
    return is_buyer_side(user, order) or can_view_organization_orders(user, order.seller)


def can_fulfil_order(user: AnyUser, order: Order) -> bool:
    """Accept and ship: any member of the selling Posyantek, or platform staff."""
    return is_member(user, order.seller) or is_platform_staff(user)


def can_manage_order(user: AnyUser, order: Order) -> bool:
    """Mark delivered, cancel a paid order, answer a dispute: the seller's owners and
    managers, or platform staff."""
    return has_role(user, order.seller, Role.MANAGER) or is_platform_staff(user)


def can_resolve_dispute(user: AnyUser) -> bool:
    return is_platform_staff(user)


def can_view_dispute(user: AnyUser, order: Order) -> bool:
    return is_buyer_side(user, order) or is_member(user, order.seller) or is_platform_staff(user)


def can_pay(user: AnyUser, payment: Payment) -> bool:
    """Start an attempt, upload a transfer proof, give the account for its refund: the buyer,
    or a member of the organisation its orders were bought for."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if payment.buyer_id == user.pk:
        return True
    organization_id = (
        payment.orders.exclude(buyer_organization=None)
        .values_list("buyer_organization_id", flat=True)
        .first()
    )
    if organization_id is None:
        return False
    return is_member(user, Organization.objects.get(pk=organization_id))


def can_view_payment(user: AnyUser, payment: Payment) -> bool:
    if not (user and user.is_authenticated):
        return False
    return is_platform_staff(user) or can_pay(user, payment)


def can_handle_money(user: AnyUser) -> bool:
    """Confirm or reject a bank transfer, decide a payment under review, record a refund sent
    or a payout: platform staff only."""
    return is_platform_staff(user)


def can_view_finances(user: AnyUser, organization: Organization) -> bool:
    """A Posyantek's ledger, balance, payouts and refunds: its owners and managers, and
    platform staff."""
    return has_role(user, organization, Role.MANAGER) or is_platform_staff(user)


def can_view_refund(user: AnyUser, refund: Refund) -> bool:
    if not (user and user.is_authenticated):
        return False
    if is_platform_staff(user) or can_pay(user, refund.payment):
        return True
    return refund.order_id is not None and can_view_finances(user, refund.order.seller)


def can_view_invoice(user: AnyUser, invoice: Invoice) -> bool:
    if not (user and user.is_authenticated):
        return False
    return (
        is_platform_staff(user)
        or is_member(user, invoice.seller)
        or is_buyer_side(user, invoice.order)
    )


# --- What to offer ----------------------------------------------------------------------------

ORDER_ACTIONS = [
    "accept",
    "ship",
    "deliver",
    "complete",
    "report_problem",
    "cancel",
    "dispute_respond",
    "dispute_resolve",
]


def _dispute_or_none(order: Order):
    try:
        return order.dispute
    except ObjectDoesNotExist:
        return None


def order_next_actions(user: AnyUser, order: Order) -> list[str]:
    """The moves the caller may make on the order now (ORDER_ACTIONS), from its status and the
    rows above — what the API lists and the pages offer as buttons. No queries beyond the
    order's selector (payment and dispute joined) and the caller's roles (cached on the user;
    accounts.permissions.roles_prime reads a page's at once). The services still decide."""
    status = order.status
    manager = can_manage_order(user, order)
    fulfiller = manager or can_fulfil_order(user, order)
    buyer = is_buyer_side(user, order)
    actions = []
    if status in (Status.PAID, Status.PLACED_ON_TERMS) and fulfiller:
        actions.append("accept")
    if status == Status.PROCESSING and fulfiller:
        actions.append("ship")
    if status == Status.SHIPPED and manager:
        actions.append("deliver")
    if status in (Status.SHIPPED, Status.DELIVERED) and buyer:
        actions += ["complete", "report_problem"]
    unpaid = status in (Status.PENDING_PAYMENT, Status.PLACED_ON_TERMS)
    if (unpaid and order.payment.status == Payment.Status.PENDING and (manager or buyer)) or (
        status in (Status.PAID, Status.PROCESSING) and manager
    ):
        actions.append("cancel")
    if status == Status.IN_DISPUTE:
        dispute = _dispute_or_none(order)
        if dispute is not None and not dispute.is_resolved:
            if manager:
                actions.append("dispute_respond")
            if can_resolve_dispute(user):
                actions.append("dispute_resolve")
    return actions
