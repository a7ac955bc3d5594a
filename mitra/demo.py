"""Demo partner needs: the ones this platform was made for — the Cilegon feed company that needs
5 tonnes of ampas tahu a week, Untirta's engineering faculty offering to co-develop a TTG
machine, a Kalimantan Timur fish processor looking for solar fish dryers — published through
the real services so their matches are computed, plus one draft on the partner's desk.

Then what came of them, through the real services too:
- Posyantek Purwakarta offers 50 karung (2.5 t) of ampas tahu every Monday on net 14 days;
  the feed company accepts: the first order is placed on terms and invoiced, a weekly supply
  partnership books its capacity, and the need stays in discussion for the other 2.5 t —
  for which Posyantek Mitra Pantura proposes fish meal instead, waiting to be compared;
- Posyantek Mitra Pantura proposes ten solar fish dryers to the Kalimantan Timur company,
  waiting for its answer;
- Untirta's engineering faculty proposes a research collaboration to Posyantek Purwakarta
  directly, with milestones; Purwakarta accepts and the first milestone is done.

Idempotent: a need is found by its organisation and title, a proposal by need and Posyantek, a
partnership by its parties and title; an existing one is left as it is (only a need's matches
are computed if they never were).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organization, Role
from marketplace.models import Category, Product
from mitra import services
from mitra.models import Need, Partnership, Proposal
from mitra.services.partnerships import milestone_done, partnership_accept, partnership_propose
from mitra.services.proposals import proposal_accept, proposal_submit
from regions.models import District, Village


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
    _seed_proposals()
    _seed_collaboration()
    return []


# --- Proposals and partnerships ---------------------------------------------------------------


@dataclass
class DemoProposal:
    need: tuple[str, str]  # (organisation code, need title)
    posyantek: str  # code
    product: str  # name
    quantity: int
    unit_price_amount: int
    schedule: str
    message: str
    payment_terms: str = Proposal.PaymentTerms.PREPAID
    accept: bool = False


AMPAS = ("MPC", "Ampas tahu 5 ton per minggu")
DRYERS = ("BSO", "Alat pengering ikan tenaga surya untuk nelayan mitra")

PROPOSALS = [
    DemoProposal(
        AMPAS,
        "PWK",
        "Ampas Tahu Basah",
        50,
        38_000,
        "Setiap Senin pagi, diantar ke Ciwandan",
        "Kami sanggup 2,5 ton (50 karung) setiap minggu dari perajin tahu Purwakarta; sisanya "
        "bisa menyusul bila perajin baru bergabung.",
        payment_terms=Proposal.PaymentTerms.NET_14,
        accept=True,
    ),
    DemoProposal(
        AMPAS,
        "MPN",
        "Tepung Ikan Sisa Olahan",
        250,
        8_500,
        "Setiap Senin, dengan ekspedisi dari Pekalongan",
        "Belum ada ampas tahu di tempat kami; tepung ikan ini bisa menggantikan sebagian "
        "protein dari ampas tahu dalam ransum.",
    ),
    DemoProposal(
        DRYERS,
        "MPN",
        "Alat Pengering Ikan Tenaga Surya",
        10,
        4_600_000,
        "Selesai 6 minggu setelah pesanan, termasuk pelatihan pemakaian di Balikpapan",
        "Rumah pengering kami dipakai kelompok nelayan Pekalongan sejak 2022.",
    ),
]


def _delivery(organization: Organization, manager) -> dict:
    """The partner's delivery details, as the accept form would send them."""
    villages = Village.objects.order_by("code")
    village = (
        getattr(organization, "village", None)
        or villages.filter(district=organization.district).first()
        or villages.filter(district__regency=organization.district.regency_id).first()
    )
    return {
        "contact_name": manager.get_full_name() or manager.email,
        "contact_phone": organization.whatsapp or "6281200000000",
        "contact_email": manager.email,
        "address_line": organization.address or organization.name,
        "village": village.code,
        "shipping_method": "own_delivery",
    }


def _seed_proposals() -> None:
    for demo in PROPOSALS:
        partner = Organization.objects.get(code=demo.need[0])
        need = Need.objects.filter(organization=partner, title=demo.need[1]).first()
        posyantek = Organization.objects.filter(code=demo.posyantek).first()
        if need is None or posyantek is None:
            continue
        if Proposal.objects.filter(need=need, posyantek=posyantek).exists() or not need.is_active:
            continue
        product = Product.objects.get(seller=posyantek, name=demo.product)
        proposal = proposal_submit(
            need=need,
            posyantek=posyantek,
            actor=_poster(posyantek),
            data={
                "lines": [
                    {
                        "product": product.slug,
                        "quantity": demo.quantity,
                        "unit_price_amount": demo.unit_price_amount,
                    }
                ],
                "schedule": demo.schedule,
                "message": demo.message,
                "payment_terms": demo.payment_terms,
            },
        )
        if demo.accept:
            buyer = _poster(partner)
            proposal_accept(
                proposal=proposal,
                actor=buyer,
                data={**_delivery(partner, buyer), "payment_terms": demo.payment_terms},
            )


COLLABORATION = "Riset bersama mesin pres ampas tahu generasi kedua"


def _seed_collaboration() -> None:
    faculty = Organization.objects.filter(code="FTU").first()
    posyantek = Organization.objects.filter(code="PWK").first()
    if faculty is None or posyantek is None:
        return
    if Partnership.objects.filter(partner=faculty, posyantek=posyantek, title=COLLABORATION):
        return
    today = timezone.localdate()
    start = today
    partnership = partnership_propose(
        organization=faculty,
        actor=_poster(faculty),
        data={
            "with": posyantek.slug,
            "kind": Partnership.Kind.RESEARCH,
            "title": COLLABORATION,
            "terms": "Fakultas Teknik Untirta merancang ulang dan menguji Mesin Pres Ampas Tahu "
            "di laboratorium; Posyantek Purwakarta membuat prototipe dan mengujinya di tiga "
            "perajin tahu. Hak paten dimiliki bersama; biaya uji ditanggung fakultas.",
            "start_date": start.isoformat(),
            "end_date": (start + datetime.timedelta(days=240)).isoformat(),
            "milestones": [
                {
                    "title": "Rancangan mesin disepakati",
                    "due_date": (today + datetime.timedelta(days=14)).isoformat(),
                },
                {
                    "title": "Prototipe diuji di tiga perajin tahu",
                    "due_date": (today + datetime.timedelta(days=75)).isoformat(),
                },
                {
                    "title": "Laporan uji kinerja dan pengajuan paten",
                    "due_date": (today + datetime.timedelta(days=150)).isoformat(),
                },
            ],
        },
    )
    manager = _poster(posyantek)
    partnership = partnership_accept(partnership=partnership, actor=manager)
    first = partnership.milestones.order_by("due_date", "pk").first()
    milestone_done(milestone=first, actor=manager, organization=posyantek)
