"""Demo world of the accounts app: the real Posyantek and partners this platform was made for,
on their real Kemendagri codes, all verified through the real services.

Idempotent: people are found by e-mail, organisations by code.
"""

from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Membership, Organization, Role, User
from accounts.services import organizations as services
from regions.models import District, Village

DOMAIN = "mitra-ttg.test"


@dataclass
class DemoOrganization:
    code: str
    kind: str
    name: str
    district: str
    owner: tuple[str, str]  # (name, e-mail local part)
    description: str = ""
    village: str | None = None
    members: list[tuple[str, str, str]] = field(default_factory=list)  # (name, local, role)
    extra: dict = field(default_factory=dict)


# A minimal one-page PDF: stands in for the scanned decree / NIB in the demo.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

ORGANIZATIONS = [
    DemoOrganization(
        code="PWK",
        kind="posyantek",
        name="Posyantek Kecamatan Purwakarta",
        district="36.72.07",
        owner=("Ahmad Fauzi", "pengelola.purwakarta"),
        description=(
            "Posyantek antardesa Kecamatan Purwakarta, Kota Cilegon. Mengolah ampas tahu dari "
            "perajin tahu setempat menjadi pakan ternak, dan mengembangkan mesin TTG bersama "
            "Fakultas Teknik Untirta."
        ),
        members=[
            ("Siti Aminah", "manajer.purwakarta", Role.MANAGER),
            ("Rudi Hartono", "staf.purwakarta", Role.STAFF),
        ],
        extra={
            "address": "Kantor Kecamatan Purwakarta, Jl. Jenderal Sudirman, Kota Cilegon",
            "whatsapp": "081234560001",
            "posyantek_level": "kecamatan",
            "decree_number": "SK Camat Purwakarta No. 411/Kep.12-Kec.Pwk/2019",
            "nib": "9120001234561",
            "payout_bank_name": "Bank BJB",
            "payout_account_number": "0012345678901",
            "payout_account_holder": "Posyantek Purwakarta",
        },
    ),
    DemoOrganization(
        code="MPC",
        kind="industry",
        name="PT Mitra Pakan Cilegon",
        district="36.72.04",
        owner=("Bambang Setiawan", "mitra.pakan"),
        description=(
            "Produsen pakan ternak dari ampas tahu dan limbah agroindustri. Membutuhkan pasokan "
            "ampas tahu rutin dari Posyantek sekitar Cilegon."
        ),
        extra={
            "address": "Kawasan Industri Ciwandan, Kota Cilegon",
            "whatsapp": "081234560002",
            "nib": "9120001234562",
            "npwp": "012345678901000",
            "is_pkp": True,
        },
    ),
    DemoOrganization(
        code="FTU",
        kind="university",
        name="Universitas Sultan Ageng Tirtayasa, Fakultas Teknik",
        district="36.72.07",
        village="36.72.07.1002",
        owner=("Dr. Dewi Lestari", "ft.untirta"),
        description=(
            "Fakultas Teknik Untirta: riset, pengujian dan pelatihan mesin TTG bersama Posyantek."
        ),
        extra={
            "address": "Jl. Jenderal Sudirman Km 3, Kotabumi, Kota Cilegon",
            "whatsapp": "081234560003",
            "website": "https://ft.untirta.ac.id",
        },
    ),
    DemoOrganization(
        code="MPN",
        kind="posyantek",
        name="Posyantek Mitra Pantura",
        district="33.75.03",
        owner=("Slamet Riyadi", "pengelola.pantura"),
        description="Posyantek Kecamatan Pekalongan Utara, Posyantek terbaik nasional 2013.",
        extra={
            "address": "Kecamatan Pekalongan Utara, Kota Pekalongan",
            "whatsapp": "081234560004",
            "posyantek_level": "kecamatan",
            "decree_number": "SK Camat Pekalongan Utara 2010",
        },
    ),
    DemoOrganization(
        code="CPT",
        kind="posyantek",
        name="Posyantek Cempaka Putih",
        district="31.71.05",
        owner=("Yusuf Maulana", "pengelola.cempakaputih"),
        description="Posyantek percontohan DKI Jakarta di Kecamatan Cempaka Putih.",
        extra={"whatsapp": "081234560005", "posyantek_level": "kecamatan"},
    ),
    DemoOrganization(
        code="PDM",
        kind="posyantek",
        name="Posyantek Pademangan",
        district="31.72.05",
        owner=("Nurhayati", "pengelola.pademangan"),
        description="Posyantek percontohan DKI Jakarta di Kecamatan Pademangan.",
        extra={"whatsapp": "081234560006", "posyantek_level": "kecamatan"},
    ),
    DemoOrganization(
        code="KBJ",
        kind="posyantek",
        name="Posyantek Kebon Jeruk",
        district="31.73.05",
        owner=("Agus Salim", "pengelola.kebonjeruk"),
        description="Posyantek percontohan DKI Jakarta di Kecamatan Kebon Jeruk.",
        extra={"whatsapp": "081234560007", "posyantek_level": "kecamatan"},
    ),
    DemoOrganization(
        code="PCR",
        kind="posyantek",
        name="Posyantek Pancoran",
        district="31.74.08",
        owner=("Lestari Handayani", "pengelola.pancoran"),
        description="Posyantek percontohan DKI Jakarta di Kecamatan Pancoran.",
        extra={"whatsapp": "081234560008", "posyantek_level": "kecamatan"},
    ),
    DemoOrganization(
        code="KRJ",
        kind="posyantek",
        name="Posyantek Kramat Jati",
        district="31.75.04",
        owner=("Hadi Purnomo", "pengelola.kramatjati"),
        description="Posyantek percontohan DKI Jakarta di Kecamatan Kramat Jati.",
        extra={"whatsapp": "081234560009", "posyantek_level": "kecamatan"},
    ),
    DemoOrganization(
        code="BPU",
        kind="posyantek",
        name="Posyantek Balikpapan Utara",
        district="64.71.03",
        owner=("Wahyu Pratama", "pengelola.balikpapanutara"),
        description="Posyantek Kecamatan Balikpapan Utara, Kalimantan Timur.",
        extra={"whatsapp": "081234560010", "posyantek_level": "kecamatan"},
    ),
    DemoOrganization(
        code="SMU",
        kind="posyantek",
        name="Posyantek Samarinda Ulu",
        district="64.72.03",
        owner=("Rahmawati", "pengelola.samarinda"),
        description="Posyantek Kecamatan Samarinda Ulu, Kalimantan Timur.",
        extra={"whatsapp": "081234560011", "posyantek_level": "kecamatan"},
    ),
    DemoOrganization(
        code="BSO",
        kind="industry",
        name="PT Bahari Samudra Olahan",
        district="64.71.03",
        owner=("Andi Saputra", "bahari.samudra"),
        description=(
            "Pengolahan ikan asin, ikan kering dan amplang di Balikpapan Utara, Kalimantan "
            "Timur. Mencari alat pengering ikan tenaga surya untuk nelayan pemasoknya."
        ),
        extra={
            "address": "Jl. Soekarno-Hatta Km 6, Balikpapan Utara, Kota Balikpapan",
            "whatsapp": "081234560013",
            "nib": "9120001234563",
        },
    ),
    DemoOrganization(
        code="DPKT",
        kind="government",
        name="DPMPD Provinsi Kalimantan Timur",
        district="64.72.03",
        owner=("Hendra Wijaya", "dinas.kaltim"),
        description=(
            "Dinas Pemberdayaan Masyarakat dan Pemerintahan Desa Provinsi Kalimantan Timur, "
            "Bidang TTG: pembina Posyantek se-Kalimantan Timur."
        ),
        extra={"address": "Jl. MT Haryono, Samarinda", "whatsapp": "081234560012"},
    ),
]
JURISDICTIONS = {"DPKT": "64"}


def _user(name: str, local: str, password: str, **flags) -> User:
    email = f"{local}@{DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password, name=name, **flags)
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


def seed(*, password: str) -> list[tuple[str, str]]:
    staff = _user("Staf Platform Mitra TTG", "staf", password, is_staff=True, is_superuser=True)
    buyer = _user("Rina Marlina", "pembeli", password)
    logins = [("platform staff (admin)", staff.email), ("buyer", buyer.email)]

    for demo in ORGANIZATIONS:
        owner = _user(*demo.owner, password)
        organization = Organization.objects.filter(code=demo.code).first()
        if organization is None:
            fields = {"description": demo.description, **demo.extra}
            if demo.village:
                fields["village"] = Village.objects.get(code=demo.village)
            organization = services.organization_create(
                user=owner, kind=demo.kind, name=demo.name, code=demo.code,
                district=District.objects.get(code=demo.district), **fields,
            )  # fmt: skip
        if not organization.is_verified:
            _verify(organization, owner=owner, staff=staff)
        if demo.code in JURISDICTIONS and organization.jurisdiction != JURISDICTIONS[demo.code]:
            services.organization_set_jurisdiction(
                organization=organization, actor=staff, jurisdiction=JURISDICTIONS[demo.code]
            )
        logins.append((f"owner, {organization.name}", owner.email))
        for name, local, role in demo.members:
            member = _user(name, local, password)
            Membership.objects.get_or_create(
                user=member, organization=organization, defaults={"role": role}
            )
            logins.append((f"{role}, {organization.name}", member.email))
    return logins


def _verify(organization: Organization, *, owner: User, staff: User) -> None:
    status = organization.verification_status
    if status in (
        Organization.VerificationStatus.UNVERIFIED,
        Organization.VerificationStatus.REJECTED,
    ):
        if not organization.documents.exists():
            kind = "sk_camat" if organization.kind == "posyantek" else "nib"
            services.organization_document_add(
                organization=organization, actor=owner, kind=kind,
                file=SimpleUploadedFile(f"{kind}-{organization.code}.pdf", DEMO_PDF),
            )  # fmt: skip
        services.organization_request_verification(organization=organization, actor=owner)
    services.organization_verify(organization=organization, actor=staff)
