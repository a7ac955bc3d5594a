"""Factories of mitra's rows for reads, permissions and API tests. Needs are posted through
mitra.services in the code; these build them directly, in any status."""

from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Organization
from tests.factories import CategoryFactory, OrganizationFactory, UserFactory


class PartnerFactory(OrganizationFactory):
    """A verified industry partner in Purwakarta, Kota Cilegon (needs the `regions` fixture)."""

    kind = Organization.Kind.INDUSTRY
    name = factory.Sequence(lambda n: f"PT Mitra Uji {n}")
    slug = factory.Sequence(lambda n: f"pt-mitra-uji-{n}")
    code = factory.Sequence(lambda n: f"MU{n:03d}")
    whatsapp = "6281311112222"


class NeedFactory(factory.django.DjangoModelFactory):
    """An open supply need: 5 ton of ampas tahu a week, delivered to the partner's kecamatan.
    Pass status="draft" (published_at=None) for a draft."""

    class Meta:
        model = "mitra.Need"

    organization = factory.SubFactory(PartnerFactory)
    created_by = factory.SubFactory(UserFactory)
    direction = "need"
    kind = "supply"
    title = factory.Sequence(lambda n: f"Ampas tahu 5 ton per minggu {n}")
    description = "Untuk pakan sapi perah."
    category = factory.SubFactory(CategoryFactory)
    quantity = Decimal("5.000")
    unit = "ton"
    frequency = "weekly"
    budget_amount = 4_000_000
    required_certifications = factory.LazyFunction(list)
    delivery_district = factory.LazyAttribute(lambda o: o.organization.district)
    deadline = None
    status = "open"
    published_at = factory.LazyAttribute(lambda o: None if o.status == "draft" else timezone.now())


class MatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "mitra.Match"

    need = factory.SubFactory(NeedFactory)
    posyantek = factory.SubFactory(OrganizationFactory)
    product = None
    score = 80
    rank = factory.Sequence(lambda n: n + 1)
    components = factory.LazyFunction(lambda: {"category": 1.0, "distance": 0.75})
    facts = factory.LazyFunction(dict)
