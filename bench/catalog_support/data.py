"""The bench's world: its own database, a few regions and verified Posyantek, and as many
products as asked for, written by SQL (`INSERT … SELECT … generate_series`) in seconds.

Names and descriptions mix real TTG products ("Mesin Pengering Ikan", "Pakan Ternak Ampas
Tahu", "Alat Pencacah Rumput Gajah") with variants and sentences from word lists, so full-text
search meets a realistic vocabulary: common words ("mesin", "pakan", "kelapa") match many rows,
rarer ones few. Everything is derived from the row number: the same options give the same rows.
"""

import csv
from pathlib import Path

import psycopg
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from psycopg import sql

PROJECT = Path(__file__).resolve().parent.parent.parent
REGIONS_FILE = PROJECT / "tests" / "fixtures" / "regions_subset.csv"

MTO, STOCK, RECURRING = "made_to_order", "stock", "recurring_output"

# TTG tools, sold by the unit: (name, category slug, lowest price, highest price, availability)
TOOLS = [
    ("Mesin Pengering Ikan", "pengolahan-hasil-perikanan", 3_500_000, 25_000_000, MTO),
    ("Alat Pengering Ikan Tenaga Surya", "pengolahan-hasil-perikanan", 2_000_000, 9_000_000, MTO),
    ("Alat Pengasap Ikan", "pengolahan-hasil-perikanan", 1_500_000, 7_500_000, MTO),
    ("Aerator Kolam Ikan", "budidaya-ikan", 450_000, 2_500_000, STOCK),
    ("Mesin Pencacah Rumput", "alat-pakan", 4_000_000, 15_000_000, MTO),
    ("Alat Pencacah Rumput Gajah", "alat-pakan", 2_500_000, 9_500_000, MTO),
    ("Mesin Pelet Pakan Ikan", "alat-pakan", 5_000_000, 30_000_000, MTO),
    ("Mesin Pembuat Pakan Ternak", "alat-pakan", 6_000_000, 35_000_000, MTO),
    ("Mesin Penggiling Jagung", "alat-pakan", 3_000_000, 12_000_000, MTO),
    ("Mesin Pencacah Sampah Organik", "pengolahan-sampah-organik", 5_500_000, 22_000_000, MTO),
    ("Mesin Pengering Gabah", "perontok-pengering", 8_000_000, 45_000_000, MTO),
    ("Mesin Perontok Padi", "perontok-pengering", 4_500_000, 18_000_000, MTO),
    ("Mesin Pemipil Jagung", "alat-tanam-panen", 2_500_000, 11_000_000, MTO),
    ("Hand Traktor Mini", "alat-pengolahan-tanah", 9_000_000, 28_000_000, STOCK),
    ("Mesin Pemarut Kelapa", "pengolahan-kelapa", 1_800_000, 6_500_000, STOCK),
    ("Mesin Pengupas Sabut Kelapa", "pengolahan-kelapa", 7_000_000, 26_000_000, MTO),
    ("Alat Pengolah Minyak Kelapa Murni", "pengolahan-kelapa", 3_000_000, 14_000_000, MTO),
    ("Mesin Sangrai Kopi", "pengolahan-kopi-kakao", 4_000_000, 20_000_000, MTO),
    ("Mesin Pengupas Kulit Kopi", "pengolahan-kopi-kakao", 3_500_000, 13_000_000, MTO),
    ("Reaktor Biogas Portabel", "biogas", 3_000_000, 12_000_000, MTO),
    ("Digester Biogas Kotoran Sapi", "biogas", 6_000_000, 40_000_000, MTO),
    ("Kompor Biogas", "biogas", 350_000, 1_200_000, STOCK),
    ("Pompa Air Tenaga Surya", "tenaga-surya", 2_500_000, 15_000_000, STOCK),
    ("Lampu Jalan Tenaga Surya", "penerangan-desa", 1_200_000, 4_500_000, STOCK),
    ("Kincir Angin Pembangkit Listrik", "mikrohidro-angin", 8_000_000, 60_000_000, MTO),
    ("Turbin Mikrohidro", "mikrohidro-angin", 15_000_000, 90_000_000, MTO),
    ("Tungku Sekam Hemat Energi", "tungku-hemat-energi", 400_000, 2_000_000, STOCK),
    ("Alat Penyaring Air Bersih", "penyaring-air", 750_000, 6_000_000, STOCK),
    ("Pompa Hidram", "pompa-air", 1_500_000, 8_000_000, MTO),
    ("Mesin Pengaduk Dodol", "mesin-pengolahan-pangan", 5_000_000, 17_000_000, MTO),
    ("Mesin Pengiris Keripik Singkong", "mesin-pengolahan-pangan", 1_500_000, 6_000_000, STOCK),
    ("Mesin Penepung Serbaguna", "mesin-pengolahan-pangan", 3_000_000, 14_000_000, MTO),
    ("Mesin Press Sampah Plastik", "daur-ulang", 9_000_000, 35_000_000, MTO),
    ("Alat Tenun Bukan Mesin", "tekstil-anyaman", 2_000_000, 7_000_000, MTO),
    ("Mesin Penetas Telur", "kandang", 800_000, 5_000_000, STOCK),
    ("Alat Pengolah Limbah Cair Tahu", "pengolahan-limbah-cair", 12_000_000, 70_000_000, MTO),
    ("Komposter Rumah Tangga", "pupuk-organik", 250_000, 900_000, STOCK),
]
# Processed products, from stock: (name, category slug, selling unit, lowest, highest)
PROCESSED = [
    ("Pakan Ternak Ampas Tahu", "pakan-ternak", "karung 50 kg", 150_000, 350_000),
    ("Pakan Ikan Apung", "pakan-ternak", "karung 30 kg", 180_000, 420_000),
    ("Pakan Ayam Fermentasi", "pakan-ternak", "karung 25 kg", 120_000, 300_000),
    ("Konsentrat Pakan Sapi", "pakan-ternak", "karung 50 kg", 160_000, 380_000),
    ("Minyak Kelapa Murni (VCO)", "produk-olahan-pangan", "botol 250 ml", 25_000, 60_000),
    ("Gula Kelapa Kristal", "produk-olahan-pangan", "kg", 22_000, 45_000),
    ("Kopi Bubuk Robusta", "produk-olahan-pangan", "kemasan 250 g", 30_000, 85_000),
    ("Keripik Singkong Pedas", "produk-olahan-pangan", "bungkus 200 g", 10_000, 25_000),
    ("Abon Ikan Tongkol", "produk-olahan-pangan", "kemasan 100 g", 25_000, 55_000),
    ("Kerupuk Ikan", "produk-olahan-pangan", "kemasan 500 g", 20_000, 50_000),
    ("Ikan Asin Kering", "produk-olahan-pangan", "kg", 40_000, 120_000),
    ("Tepung Mocaf", "produk-olahan-pangan", "kg", 12_000, 25_000),
    ("Pupuk Kompos Organik", "pupuk-organik", "karung 25 kg", 25_000, 70_000),
    ("Pupuk Organik Cair", "pupuk-organik", "jeriken 5 liter", 45_000, 150_000),
    ("Jamu Instan Jahe Merah", "obat-tradisional-herbal", "kemasan 250 g", 20_000, 50_000),
    ("Keranjang Anyaman Bambu", "kerajinan-tangan", "buah", 35_000, 150_000),
]
# By-products: (name, selling unit, lowest, highest, availability)
BYPRODUCTS = [
    ("Ampas Tahu Basah", "kg", 500, 2_000, RECURRING),
    ("Bungkil Kelapa", "karung 50 kg", 90_000, 220_000, STOCK),
    ("Sekam Padi", "karung", 8_000, 20_000, RECURRING),
    ("Pupuk Slurry Biogas", "jeriken 20 liter", 15_000, 45_000, RECURRING),
    ("Arang Tempurung Kelapa", "karung 25 kg", 75_000, 200_000, STOCK),
    ("Kulit Kopi Kering", "karung", 20_000, 60_000, STOCK),
    ("Tepung Limbah Ikan", "karung 25 kg", 110_000, 260_000, STOCK),
]
# Methods (training, licences), made to order: (name, selling unit, lowest, highest)
METHODS = [
    ("Pelatihan Pembuatan Pakan Ternak", "paket", 1_500_000, 7_500_000),
    ("Pelatihan Instalasi Biogas", "paket", 2_000_000, 9_000_000),
    ("Lisensi Desain Mesin Pengering Ikan", "lisensi", 5_000_000, 25_000_000),
    ("Pendampingan Pengolahan Kelapa Terpadu", "paket", 3_000_000, 15_000_000),
]
# (name, kind, category slug, selling unit, lowest price, highest price, availability)
TEMPLATES = [
    *(
        (name, "ttg_tool", category, "unit", low, high, availability)
        for name, category, low, high, availability in TOOLS
    ),
    *(
        (name, "processed", category, unit, low, high, STOCK)
        for name, category, unit, low, high in PROCESSED
    ),
    *(
        (name, "byproduct", "produk-samping", unit, low, high, availability)
        for name, unit, low, high, availability in BYPRODUCTS
    ),
    *(
        (name, "method", "pelatihan-pendampingan", unit, low, high, MTO)
        for name, unit, low, high in METHODS
    ),
]

TOOL_VARIANTS = [
    "", "", "", "Kapasitas 50 kg/jam", "Kapasitas 100 kg/jam", "Kapasitas 250 kg/jam",
    "Tipe A", "Tipe B", "Tipe C", "Model Terbaru", "Skala Rumah Tangga", "Skala UKM",
    "Portabel", "Stainless Steel", "Penggerak Diesel", "Motor Listrik", "Otomatis", "Manual",
    "Ekonomis", "Mini", "Jumbo", "2 in 1",
]  # fmt: skip
GOODS_VARIANTS = [
    "", "", "", "Premium", "Kualitas Super", "Grade A", "Grade B", "Curah", "Kemasan Ekonomis",
    "Organik", "Asli", "Khas Cilegon", "Khas Pekalongan", "Khas Samarinda", "Khas Balikpapan",
    "Produksi Kelompok Tani", "Produksi Kelompok Wanita Tani",
]  # fmt: skip
ORIGIN = [
    "Dirancang dan dibuat oleh perajin TTG setempat.",
    "Hasil pengembangan bersama perguruan tinggi di daerah.",
    "Pernah menjuarai Gelar Teknologi Tepat Guna tingkat provinsi.",
    "Sudah dipakai kelompok tani, peternak dan nelayan di berbagai desa.",
    "Dibuat dari bahan baku lokal pilihan.",
    "Teruji di lapangan lebih dari tiga tahun.",
    "Dikembangkan oleh inovator desa dengan dukungan dinas.",
    "Diproduksi oleh Posyantek bersama BUMDes.",
]
BENEFIT = [
    "Hemat bahan bakar dan mudah dirawat.",
    "Mudah dioperasikan oleh satu orang.",
    "Suku cadang tersedia dan bergaransi satu tahun.",
    "Kuat, tahan lama dan tidak mudah berkarat.",
    "Dikemas rapi dan higienis.",
    "Tanpa bahan pengawet.",
    "Cocok untuk usaha kecil dan menengah.",
    "Membantu menambah pendapatan keluarga di desa.",
    "Hasilnya seragam dan berkualitas.",
    "Ramah lingkungan dan mengurangi limbah.",
]
SERVICE = [
    "Pengiriman ke seluruh Indonesia melalui ekspedisi.",
    "Bisa dipesan dalam jumlah besar untuk koperasi.",
    "Harga belum termasuk ongkos kirim.",
    "Termasuk pelatihan penggunaan di lokasi pembeli.",
    "Melayani pembelian oleh BUMDes, sekolah dan dinas.",
    "Konsultasi gratis lewat WhatsApp sebelum membeli.",
]
SELLER_DISTRICTS = [
    "36.72.07", "36.72.04", "36.72.01", "36.72.02", "36.72.05", "36.04.05", "33.75.03",
    "31.71.05", "31.72.05", "31.73.05", "64.71.03", "64.72.03",
]  # fmt: skip
UNVERIFIED_DISTRICT = "36.72.08"  # one Posyantek still waiting: its products never show


# --- The database -----------------------------------------------------------------------------


def _admin_connection(server_url: str) -> psycopg.Connection:
    return psycopg.connect(f"{server_url}/postgres", autocommit=True)


def database_create(server_url: str, name: str) -> None:
    """A fresh, empty database (an old one of that name is dropped first)."""
    database_drop(server_url, name)
    with _admin_connection(server_url) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_drop(server_url: str, name: str) -> None:
    with _admin_connection(server_url) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


# --- Reference data ---------------------------------------------------------------------------


@transaction.atomic
def world_create() -> None:
    """Regions down to the kecamatan (from the tests' subset, no villages), one user, twelve
    verified Posyantek and one unverified."""
    from accounts.models import Organization, User
    from regions.models import District, Province, Regency
    from regions.naming import display_name

    rows = {1: [], 2: [], 3: []}
    with REGIONS_FILE.open(newline="", encoding="utf-8") as file:
        for code, name in csv.reader(file):
            level = code.count(".") + 1
            if level in rows:
                rows[level].append((code, name))
    Province.objects.bulk_create(
        Province(code=code, name=name, display_name=display_name(name)) for code, name in rows[1]
    )
    Regency.objects.bulk_create(
        Regency(code=code, name=name, display_name=display_name(name), province_id=code[:2])
        for code, name in rows[2]
    )
    District.objects.bulk_create(
        District(code=code, name=name, display_name=display_name(name), regency_id=code[:5])
        for code, name in rows[3]
    )
    owner = User.objects.create_user(email="bench@mitra-ttg.test", password=None, name="Bench")
    names = dict(rows[3])
    now = timezone.now()
    sellers = [
        (district, Organization.VerificationStatus.VERIFIED, now) for district in SELLER_DISTRICTS
    ]
    sellers.append((UNVERIFIED_DISTRICT, Organization.VerificationStatus.PENDING, None))
    Organization.objects.bulk_create(
        Organization(
            kind=Organization.Kind.POSYANTEK,
            posyantek_level=Organization.PosyantekLevel.KECAMATAN,
            name=f"Posyantek Kecamatan {names[district]}",
            slug=slugify(f"posyantek-kecamatan-{names[district]}"),
            code=f"B{number:02d}",
            district_id=district,
            verification_status=status,
            verified_at=verified_at,
            created_by=owner,
        )
        for number, (district, status, verified_at) in enumerate(sellers, start=1)
    )


# --- Products ---------------------------------------------------------------------------------

_TEMPLATE_TABLE = """
CREATE TEMPORARY TABLE IF NOT EXISTS bench_template (
    idx integer PRIMARY KEY, name text, kind text, category_slug text, unit text,
    low bigint, high bigint, availability text
) ON COMMIT PRESERVE ROWS
"""

# h is a deterministic pseudo-random number per row (Knuth's multiplicative hash); each choice
# takes its own slice of it, so choices are independent enough for a word mix.
_INSERT_PRODUCTS = """
WITH source AS (
    SELECT g.i, (g.i::bigint * 2654435761) %% 4294967296 AS h,
           (g.i::bigint * 40503 + 12345) %% 2147483647 AS k
    FROM generate_series(%(first)s, %(last)s) AS g(i)
), rows AS (
    SELECT s.i, s.h, s.k, t.*, c.id AS category_id,
           sellers.ids[1 + (s.k / 7) %% array_length(sellers.ids, 1)] AS seller_id,
           CASE WHEN t.kind = 'ttg_tool'
                THEN (%(tool_variants)s::text[])[1 + (s.h / 131) %% %(tool_count)s]
                ELSE (%(goods_variants)s::text[])[1 + (s.h / 131) %% %(goods_count)s]
           END AS variant
    FROM source s
    JOIN bench_template t ON t.idx = s.h %% %(template_count)s
    JOIN marketplace_category c ON c.slug = t.category_slug
    CROSS JOIN (
        SELECT array_agg(id ORDER BY id) AS ids FROM accounts_organization
        WHERE kind = 'posyantek'
    ) sellers
), named AS (
    SELECT r.*, btrim(r.name || ' ' || r.variant) AS full_name,
           now() - make_interval(secs => (r.k %% 31536000)::double precision) AS published
    FROM rows r
)
INSERT INTO marketplace_product (
    created_at, updated_at, kind, name, slug, description, specs, selling_unit, minimum_order,
    order_step, price_amount, weight_per_unit_kg, availability, stock, lead_time_days,
    monthly_capacity, output_quantity_kg, output_period, innovator, awards, patent_number,
    user_guide, status, hidden_reason, published_at, category_id, seller_id, rating_average,
    rating_count
)
SELECT
    n.published - interval '2 days', n.published, n.kind, n.full_name,
    trim(BOTH '-' FROM lower(regexp_replace(n.full_name, '[^A-Za-z0-9]+', '-', 'g')))
        || '-' || n.i,
    n.full_name || '. '
        || (%(origin)s::text[])[1 + (n.k / 3) %% %(origin_count)s] || ' '
        || (%(benefit)s::text[])[1 + (n.k / 17) %% %(benefit_count)s] || ' '
        || (%(benefit)s::text[])[1 + (n.h / 4099) %% %(benefit_count)s] || ' '
        || (%(service)s::text[])[1 + (n.k / 101) %% %(service_count)s],
    jsonb_build_array(jsonb_build_object('key', 'Satuan', 'value', n.unit)),
    n.unit, 1, 1,
    (n.low + (n.h / 7919) %% (n.high - n.low + 1)) / 500 * 500,
    CASE WHEN n.availability = 'recurring_output' THEN 1.000 END,
    n.availability,
    CASE WHEN n.availability = 'stock' THEN (n.k / 13) %% 120 ELSE 0 END,
    CASE WHEN n.availability = 'made_to_order' THEN 7 + (n.k / 13) %% 30 ELSE 0 END,
    CASE WHEN n.availability = 'made_to_order' THEN 2 + (n.k / 29) %% 20 END,
    CASE WHEN n.availability = 'recurring_output' THEN 100 + (n.k / 29) %% 900 END,
    CASE WHEN n.availability = 'recurring_output' THEN 'day' ELSE '' END,
    '', '', '', '',
    CASE WHEN n.i %% 50 = 1 THEN 'draft' ELSE 'published' END, '',
    CASE WHEN n.i %% 50 = 1 THEN NULL ELSE n.published END,
    n.category_id, n.seller_id,
    -- a third of the products reviewed, 3.00 to 4.99 on average
    CASE WHEN n.i %% 3 = 0 THEN 3 + ((n.h / 31) %% 200) / 100.0 ELSE 0 END,
    CASE WHEN n.i %% 3 = 0 THEN 1 + (n.k / 7) %% 40 ELSE 0 END
FROM named n
"""

_INSERT_IMAGES = """
INSERT INTO marketplace_productimage
    (created_at, updated_at, image, thumbnail, alt_text, position, product_id)
SELECT p.created_at, p.created_at,
       'products/' || p.seller_id || '/images/bench-' || p.id || '.jpg',
       'products/' || p.seller_id || '/images/bench-' || p.id || '-thumb.jpg',
       p.name, 0, p.id
FROM marketplace_product p
WHERE p.id > %(after_id)s AND p.id %% 10 <> 0
"""


def products_add(*, first: int, last: int) -> int:
    """Rows `first`..`last` of the generated catalogue, most with one photo (no file behind
    it: only its URL is served). Returns how many products were inserted."""
    params = {
        "first": first,
        "last": last,
        "template_count": len(TEMPLATES),
        "tool_variants": TOOL_VARIANTS,
        "tool_count": len(TOOL_VARIANTS),
        "goods_variants": GOODS_VARIANTS,
        "goods_count": len(GOODS_VARIANTS),
        "origin": ORIGIN,
        "origin_count": len(ORIGIN),
        "benefit": BENEFIT,
        "benefit_count": len(BENEFIT),
        "service": SERVICE,
        "service_count": len(SERVICE),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_TEMPLATE_TABLE)
        cursor.execute("TRUNCATE bench_template")
        cursor.executemany(
            "INSERT INTO bench_template VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [(index, *template) for index, template in enumerate(TEMPLATES)],
        )
        cursor.execute("SELECT coalesce(max(id), 0) FROM marketplace_product")
        after_id = cursor.fetchone()[0]
        cursor.execute(_INSERT_PRODUCTS, params)
        inserted = cursor.rowcount
        cursor.execute(_INSERT_IMAGES, {"after_id": after_id})
    return inserted


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE marketplace_product")
        cursor.execute("VACUUM ANALYZE marketplace_productimage")
        cursor.execute("ANALYZE")
