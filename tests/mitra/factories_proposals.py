"""Builders for the proposal tests: a verified Posyantek with a manager and shipping settings,
its ampas tahu (a by-product sold per karung 50 kg, from stock), a partner's need for it,
and proposals submitted through the real service."""

from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Organization, Role, User
from marketplace.models import Product
from mitra.models import Need, Proposal
from mitra.services.proposals import proposal_submit
from tests.factories import (
    CategoryFactory,
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    ShippingSettingsFactory,
    UserFactory,
)
from tests.mitra.factories import NeedFactory

VILLAGE = "36.72.07.1004"


def delivery(**changes) -> dict:
    """Delivery details of an accept, as checkout/ takes them (pickup)."""
    data = {
        "contact_name": "Budi Santoso",
        "contact_phone": "0812-3456-7890",
        "contact_email": "budi@contoh.id",
        "address_line": "Jl. Raya Anyer No. 10",
        "village": VILLAGE,
        "postal_code": "42431",
        "shipping_method": "pickup",
    }
    data.update(changes)
    return data


@dataclass
class Seller:
    posyantek: Organization
    owner: User
    manager: User
    staff: User
    product: Product


def seller(name: str = "Posyantek Purwakarta", **product_fields) -> Seller:
    """A verified Posyantek (pickup) with owner, manager, staff and a published ampas tahu
    product: karung 50 kg at Rp 25.000, 200 in stock."""
    posyantek = OrganizationFactory(name=name)
    ShippingSettingsFactory(organization=posyantek)
    people = {}
    for role in (Role.OWNER, Role.MANAGER, Role.STAFF):
        people[role] = MembershipFactory(organization=posyantek, role=role).user
    fields = {
        "seller": posyantek,
        "kind": "byproduct",
        "name": f"Ampas tahu {name}",
        "selling_unit": "karung 50 kg",
        "weight_per_unit_kg": Decimal("50.000"),
        "price_amount": 25_000,
        "stock": 200,
        **product_fields,
    }
    return Seller(
        posyantek=posyantek,
        owner=people[Role.OWNER],
        manager=people[Role.MANAGER],
        staff=people[Role.STAFF],
        product=ProductFactory(**fields),
    )


def need_for(partner: Organization, **fields) -> Need:
    """An open supply need of the partner: 5 ton once (100 karung 50 kg)."""
    fields.setdefault("frequency", "once")
    fields.setdefault("category", CategoryFactory())
    fields.setdefault("created_by", UserFactory())
    return NeedFactory(organization=partner, **fields)


def submit(need: Need, shop: Seller, *, quantity: int = 100, price: int = 24_000, **data):
    lines = [{"product": shop.product.slug, "quantity": quantity, "unit_price_amount": price}]
    if need.kind in ("research", "training"):
        lines = []
    data.setdefault("lines", lines)
    return proposal_submit(need=need, posyantek=shop.posyantek, actor=shop.manager, data=data)


def proposal_status(proposal: Proposal) -> str:
    proposal.refresh_from_db()
    return proposal.status
