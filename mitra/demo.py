"""Demo partner needs: the ones this platform was made for — the Cilegon feed company that needs
5 tonnes of ampas tahu a week, Untirta's engineering faculty offering to co-develop a TTG
machine, a Kalimantan Timur fish processor looking for solar fish dryers — published through
the real services so their matches are computed, plus one draft on the partner's desk.

Idempotent: a need is found by its organisation and title; an existing one is left as it is
(only its matches are computed if they never were).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organization, Role
from marketplace.models import Category
from mitra import services
from mitra.models import Need
from regions.models import District


@dataclass
class DemoNeed:
    organization: str  # code
    title: str
    kind: str
    category: str  # slug
    description: str
    direction: str = Need.Direction.NEED
    quantity: str | None = None
    unit: str = ""
    frequency: str = Need.Frequency.ONCE
    budget_amount: int | None = None
    required_certifications: list[str] = field(default_factory=list)
    delivery_district: str | None = None  # the organisation's own kecamatan when None
    deadline_days: int | None = None  # from the day of seeding
    publish: bool = True


NEEDS = [
    DemoNeed(
        "MPC",
        "Ampas tahu 5 ton per minggu",
        Need.Kind.SUPPLY,
        "produk-samping",
        "Pasokan rutin ampas tahu basah untuk pabrik pakan ternak kami di Ciwandan. Dikirim "
        "setiap Senin pagi, masih segar (paling lama 1 hari setelah produksi tahu).",
        quantity="5",
        unit=Need.Unit.TON,
        frequency=Need.Frequency.WEEKLY,
        budget_amount=4_500_000,
        deadline_days=90,
    ),
    DemoNeed(
        "FTU",
        "Pengembangan bersama mesin TTG pengolah pakan",
        Need.Kind.RESEARCH,
        "alat-pakan",
        "Fakultas Teknik Untirta menawarkan riset dan pengembangan bersama mesin TTG — "
        "perancangan, uji kinerja di laboratorium dan pendampingan paten — untuk Posyantek "
        "yang membuat alat pakan atau pengolah limbah tahu.",
        direction=Need.Direction.OFFER,
    ),
    DemoNeed(
        "BSO",
        "Alat pengering ikan tenaga surya untuk nelayan mitra",
        Need.Kind.TECHNOLOGY,
        "pengolahan-hasil-perikanan",
        "Kami membutuhkan 10 unit pengering ikan tenaga surya (rumah pengering) untuk "
        "kelompok nelayan pemasok kami di Balikpapan, termasuk pelatihan pemakaian.",
        quantity="10",
        unit=Need.Unit.UNIT,
        budget_amount=50_000_000,
        deadline_days=120,
    ),
    DemoNeed(
        "MPC",
        "Pelatihan fermentasi pakan untuk peternak mitra",
        Need.Kind.TRAINING,
        "pelatihan-pendampingan",
        "Pelatihan satu hari untuk 20 peternak mitra kami: membuat pakan fermentasi dari "
        "ampas tahu. Masih kami susun.",
        publish=False,
    ),
]


def _poster(organization: Organization):
    membership = (
        organization.memberships.filter(role__in=[Role.OWNER, Role.MANAGER])
        .select_related("user")
        .order_by("-role", "pk")
        .first()
    )
    return membership.user


def _data(demo: DemoNeed, organization: Organization) -> dict:
    district = (
        District.objects.get(code=demo.delivery_district)
        if demo.delivery_district
        else organization.district
    )
    deadline = (
        timezone.localdate() + datetime.timedelta(days=demo.deadline_days)
        if demo.deadline_days
        else None
    )
    return {
        "direction": demo.direction,
        "kind": demo.kind,
        "title": demo.title,
        "description": demo.description,
        "category": Category.objects.get(slug=demo.category),
        "quantity": Decimal(demo.quantity) if demo.quantity else None,
        "unit": demo.unit,
        "frequency": demo.frequency,
        "budget_amount": demo.budget_amount,
        "required_certifications": demo.required_certifications,
        "delivery_district": district,
        "deadline": deadline,
    }


def seed(*, password: str) -> list[tuple[str, str]]:
    for demo in NEEDS:
        organization = Organization.objects.get(code=demo.organization)
        actor = _poster(organization)
        need = Need.objects.filter(organization=organization, title=demo.title).first()
        if need is None:
            need = services.need_create(
                organization=organization, actor=actor, data=_data(demo, organization)
            )
        if demo.publish and need.status == Need.Status.DRAFT:
            need = services.need_publish(need=need, actor=actor)
        if need.is_active and need.matches_computed_at is None:
            # Publishing queued the matching after commit (eager Celery runs it then); the
            # demo shows the ranked matches at once, whatever the task setup.
            services.need_match_compute(need_id=need.pk)
    return []
