"""The orders rows of DESIGN.md's "who may do what", on accounts' primitives.

| action                        | owner | manager | staff | others | platform staff | dinas   |
|-------------------------------|-------|---------|-------|--------|----------------|---------|
| buy for the organisation      | ✓     | ✓       | ✓     | —      | —              | —       |
| see the organisation's orders | ✓     | ✓       | ✓     | —      | ✓              | in jur. |

A buyer always sees its own orders and payments; a payment is seen by its buyer and platform
staff only (it spans several sellers).
"""

from accounts.models import Organization
from accounts.permissions import AnyUser, is_member, is_platform_staff, user_oversees
from orders.models import Order, Payment


def can_buy_for(user: AnyUser, organization: Organization) -> bool:
    """Place orders on the organisation's name: any member of a verified organisation."""
    return organization.is_verified and is_member(user, organization)


def can_view_organization_orders(user: AnyUser, organization: Organization) -> bool:
    """The organisation's orders (sales and purchases): members, platform staff, and a dinas
    whose jurisdiction covers the organisation's district."""
    if is_member(user, organization) or is_platform_staff(user):
        return True
    return bool(organization.district_id) and user_oversees(user, organization.district_id)


def can_view_order(user: AnyUser, order: Order) -> bool:
    if not (user and user.is_authenticated):
        return False
    if order.buyer_id == user.pk:
        return True
    if order.buyer_organization_id and is_member(user, order.buyer_organization):
        return True
    return can_view_organization_orders(user, order.seller)


def can_view_payment(user: AnyUser, payment: Payment) -> bool:
    if not (user and user.is_authenticated):
        return False
    return payment.buyer_id == user.pk or is_platform_staff(user)
