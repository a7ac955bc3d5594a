"""The product rows of DESIGN.md's "Who may do what", on accounts' primitives.

| action                                   | owner | manager | staff | other | platform  | dinas |
| create/edit/publish products, set stock  |   ✓   |    ✓    |   —   |   —   | hide only |   —   |
"""

from accounts.models import Organization, Role
from accounts.permissions import AnyUser, has_role, is_member, is_platform_staff
from marketplace.models import Product


def can_manage_products(user: AnyUser, organization: Organization) -> bool:
    """Create, edit, publish and archive products, upload media, record certificates and set
    stock for the organisation: its owners and managers. Platform staff may only hide."""
    return organization.kind == Organization.Kind.POSYANTEK and has_role(
        user, organization, Role.MANAGER
    )


def can_manage_product(user: AnyUser, product: Product) -> bool:
    return can_manage_products(user, product.seller)


def can_hide_products(user: AnyUser) -> bool:
    """Hide a product (with a reason) and unhide it: platform staff only."""
    return is_platform_staff(user)


def can_view_product_desk(user: AnyUser, organization: Organization) -> bool:
    """See all of the organisation's products, drafts and hidden ones included: any member,
    or platform staff."""
    return is_member(user, organization) or is_platform_staff(user)


def can_view_product(user: AnyUser, product: Product) -> bool:
    """Published products of verified sellers are public; the rest only on the desk."""
    return product.is_public or can_view_product_desk(user, product.seller)
