"""Builders for the partnership and recurring-supply tests: a verified partner and Posyantek
with their people, an ampas-tahu product made at 500 kg a day and sold per karung 50 kg, and
the delivery details a partner gives (pickup at the Posyantek)."""

import datetime
from dataclasses import dataclass

import factory
from django.utils import timezone

from accounts.models import Organization, Role, User
from marketplace.models import Product
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    ShippingSettingsFactory,
    UserFactory,
)
from tests.mitra.factories import PartnerFactory

VILLAGE = "36.72.07.1004"  # Purwakarta, Kota Cilegon


class AmpasTahuFactory(ProductFactory):
    """500 kg a day, per karung 50 kg: 300 karung in a 30-day month, 310 in a 31-day one."""

    kind = "byproduct"
    name = factory.Sequence(lambda n: f"Ampas tahu segar {n}")
    slug = factory.Sequence(lambda n: f"ampas-tahu-segar-{n}")
    selling_unit = "karung 50 kg"
    price_amount = 60_000
    weight_per_unit_kg = "50.000"
    availability = Product.Availability.RECURRING_OUTPUT
    output_quantity_kg = 500
    output_period = Product.OutputPeriod.DAY
    stock = 0
    lead_time_days = 0


def order_details(posyantek: Organization, **changes) -> dict:
    data = {
        "contact_name": "Budi Santoso",
        "contact_phone": "0812-3456-7890",
        "contact_email": "budi@contoh.id",
        "address_line": "Jl. Raya Anyer No. 10",
        "village": VILLAGE,
        "postal_code": "42431",
        "shipping": {posyantek.slug: "pickup"},
    }
    data.update(changes)
    return data


@dataclass
class Deal:
    partner: Organization
    posyantek: Organization
    partner_owner: User
    partner_manager: User
    partner_staff: User
    posyantek_owner: User
    posyantek_manager: User
    posyantek_staff: User
    stranger: User
    platform: User
    product: Product

    def people(self) -> dict:
        """The WHO table of the permission tests, from the partner's side."""
        from django.contrib.auth.models import AnonymousUser

        return {
            "owner": self.partner_owner,
            "manager": self.partner_manager,
            "staff": self.partner_staff,
            "other": self.stranger,
            "platform_staff": self.platform,
            "anonymous": AnonymousUser(),
        }


def deal_build(**product_fields) -> Deal:
    """Needs the `regions` fixture."""
    partner = PartnerFactory()
    posyantek = OrganizationFactory()
    ShippingSettingsFactory(organization=posyantek)
    members = {}
    for side, organization in (("partner", partner), ("posyantek", posyantek)):
        for role in (Role.OWNER, Role.MANAGER, Role.STAFF):
            members[f"{side}_{role}"] = MembershipFactory(organization=organization, role=role).user
    return Deal(
        partner=partner,
        posyantek=posyantek,
        stranger=UserFactory(),
        platform=UserFactory(is_staff=True),
        product=AmpasTahuFactory(seller=posyantek, **product_fields),
        **members,
    )


def recurring_data(deal: Deal, *, start: datetime.date | None = None, **changes) -> dict:
    """What the partner sends to propose 20 karung every Monday on net 14."""
    data = {
        "with": deal.posyantek.slug,
        "kind": "supply",
        "title": "Ampas tahu 1 ton per minggu",
        "terms": "Diambil setiap Senin pagi.",
        "start_date": (start or timezone.localdate()).isoformat(),
        "frequency": "weekly",
        "weekday": 0,
        "payment_terms": "net_14",
        "lines": [{"product": deal.product.slug, "quantity": 20, "unit_price_amount": 55_000}],
        "order_details": order_details(deal.posyantek),
    }
    data.update(changes)
    return data


class Clock:
    """A settable `django.utils.timezone.now` (every service reads the time through it)."""

    def __init__(self, monkeypatch, at: datetime.datetime) -> None:
        self.at = at
        monkeypatch.setattr(timezone, "now", lambda: self.at)

    def set(self, at: datetime.datetime) -> None:
        self.at = at


def wib(*args) -> datetime.datetime:
    """An aware datetime in Asia/Jakarta."""
    import zoneinfo

    return datetime.datetime(*args, tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta"))
