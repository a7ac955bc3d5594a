"""Demo catalogue: what the demo Posyantek really make — tools, methods, processed goods and
by-products — published through the real services, with specs, certificates, user guides and
a photo each.

Idempotent: a product is found by its seller and name; an existing one is left as it is.
"""

import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from accounts.demo import DEMO_PDF
from accounts.models import Membership, Organization, Role
from marketplace import services
from marketplace.models import Category, Product

STOCK = Product.Availability.STOCK
TO_ORDER = Product.Availability.MADE_TO_ORDER
OUTPUT = Product.Availability.RECURRING_OUTPUT
TOOL, METHOD, PROCESSED, BYPRODUCT = "ttg_tool", "method", "processed", "byproduct"


@dataclass
class DemoProduct:
    name: str
    kind: str
    category: str  # sub-category slug
    price: int  # whole Rupiah, without PPN
    unit: str
    description: str
    specs: list[tuple[str, str]]
    weight: str | None = None  # kg per selling unit
    availability: str = STOCK
    stock: int = 0
    minimum_order: int = 1
    order_step: int = 1
    lead_time_days: int = 0
    monthly_capacity: int | None = None
    output_kg: int | None = None
    output_period: str = ""
    innovator: str = ""
    awards: str = ""
    patent_number: str = ""
    certificates: list[tuple[str, str, str]] = field(default_factory=list)  # type, no., issuer
    guide: bool = False


CATALOGUE: dict[str, list[DemoProduct]] = {
    "PWK": [
        DemoProduct(
            "Pakan Ternak dari Ampas Tahu",
            PROCESSED,
            "pakan-ternak",
            175_000,
            "karung 50 kg",
            "Pakan konsentrat fermentasi dari ampas tahu perajin Purwakarta, dicampur dedak dan "
            "mineral. Untuk sapi, kambing dan domba. Tahan 3 minggu dalam karung tertutup.",
            [
                ("Protein kasar", "18–20%"),
                ("Kadar air", "maks. 14%"),
                ("Bahan", "ampas tahu fermentasi, dedak padi, mineral"),
                ("Masa simpan", "21 hari"),
            ],
            weight="50",
            availability=TO_ORDER,
            lead_time_days=5,
            monthly_capacity=400,
            minimum_order=2,
            certificates=[("npp", "NPP-D.36.72.0123", "Dinas Pertanian Kota Cilegon")],
            guide=True,
        ),
        DemoProduct(
            "Ampas Tahu Basah",
            BYPRODUCT,
            "produk-samping",
            40_000,
            "karung 50 kg",
            "Ampas tahu segar dari perajin tahu Kecamatan Purwakarta, diambil setiap pagi. "
            "Bahan pakan ternak dan bahan baku pakan fermentasi. Harus dipakai dalam 2 hari.",
            [
                ("Kadar air", "sekitar 80%"),
                ("Diambil", "setiap pagi, 06.00–09.00"),
                ("Daya simpan", "2 hari"),
            ],
            weight="50",
            availability=OUTPUT,
            output_kg=500,
            output_period="day",
            minimum_order=4,
            order_step=2,
        ),
        DemoProduct(
            "Mesin Pencacah Rumput",
            TOOL,
            "alat-pakan",
            6_500_000,
            "unit",
            "Pencacah rumput gajah dan jerami untuk pakan ternak, rangka besi siku, pisau baja "
            "yang dapat diasah. Dikembangkan bersama Fakultas Teknik Untirta.",
            [
                ("Kapasitas", "500–700 kg/jam"),
                ("Penggerak", "motor bensin 6,5 HP"),
                ("Dimensi", "120 × 60 × 110 cm"),
                ("Garansi", "6 bulan"),
            ],
            weight="85",
            availability=TO_ORDER,
            lead_time_days=14,
            monthly_capacity=6,
            innovator="Posyantek Purwakarta & FT Untirta",
            patent_number="IDS000004321",
            certificates=[("hki", "IDS000004321", "DJKI Kemenkumham")],
            guide=True,
        ),
        DemoProduct(
            "Pelatihan Fermentasi Pakan Ampas Tahu",
            METHOD,
            "pelatihan-pendampingan",
            2_500_000,
            "paket pelatihan (1 hari, 20 peserta)",
            "Pelatihan praktik membuat pakan fermentasi dari ampas tahu untuk kelompok ternak, "
            "termasuk modul dan starter fermentasi untuk 200 kg.",
            [
                ("Durasi", "1 hari (6 jam)"),
                ("Peserta", "hingga 20 orang"),
                ("Termasuk", "modul, starter, sertifikat peserta"),
            ],
            availability=TO_ORDER,
            lead_time_days=10,
            monthly_capacity=4,
            guide=True,
        ),
        DemoProduct(
            "Mesin Pres Ampas Tahu",
            TOOL,
            "alat-pakan",
            4_200_000,
            "unit",
            "Pres ulir untuk menurunkan kadar air ampas tahu sebelum difermentasi, sehingga "
            "pakan lebih awet.",
            [
                ("Kapasitas", "150 kg/jam"),
                ("Penggerak", "motor listrik 1 HP"),
                ("Bahan", "stainless steel pada bagian kontak"),
            ],
            weight="60",
            availability=TO_ORDER,
            lead_time_days=21,
            monthly_capacity=3,
        ),
        DemoProduct(
            "Mesin Pencetak Pelet Pakan",
            TOOL,
            "alat-pakan",
            8_750_000,
            "unit",
            "Pencetak pelet pakan ternak dan ikan dari campuran ampas tahu, dedak dan jagung.",
            [
                ("Kapasitas", "100–150 kg/jam"),
                ("Diameter pelet", "3, 5 dan 8 mm"),
                ("Motor", "5,5 HP bensin"),
            ],
            weight="95",
            availability=TO_ORDER,
            lead_time_days=21,
            monthly_capacity=3,
            guide=True,
        ),
        DemoProduct(
            "Pupuk Organik Cair dari Whey Tahu",
            BYPRODUCT,
            "pupuk-organik",
            20_000,
            "jeriken 5 liter",
            "Pupuk cair hasil fermentasi air sisa pembuatan tahu (whey), untuk sayur dan padi.",
            [("Volume", "5 liter"), ("Dosis", "250 ml per 15 liter air")],
            weight="5.2",
            availability=OUTPUT,
            output_kg=300,
            output_period="week",
            minimum_order=2,
        ),
        DemoProduct(
            "Starter Fermentasi Pakan",
            PROCESSED,
            "pakan-ternak",
            45_000,
            "botol 1 liter",
            "Mikroba starter untuk fermentasi ampas tahu dan jerami; 1 liter untuk 200 kg pakan.",
            [("Volume", "1 liter"), ("Cukup untuk", "200 kg bahan"), ("Masa simpan", "6 bulan")],
            weight="1.1",
            stock=80,
        ),
        DemoProduct(
            "Kompor Biomassa Hemat Energi",
            TOOL,
            "tungku-hemat-energi",
            350_000,
            "unit",
            "Tungku gasifikasi untuk pelet kayu dan sekam, asap lebih sedikit dan hemat bahan "
            "bakar dibanding tungku tradisional.",
            [
                ("Bahan bakar", "sekam, pelet kayu"),
                ("Waktu nyala", "60–90 menit per isi"),
                ("Berat", "6 kg"),
            ],
            weight="6",
            stock=25,
        ),
    ],
    "MPN": [
        DemoProduct(
            "Alat Pengering Ikan Tenaga Surya",
            TOOL,
            "pengolahan-hasil-perikanan",
            4_750_000,
            "unit",
            "Rumah pengering berdinding polikarbonat dengan kipas tenaga surya untuk ikan asin "
            "dan ikan teri nelayan Pantura; higienis, tidak tergantung cuaca cerah penuh.",
            [
                ("Kapasitas", "50 kg ikan basah per siklus"),
                ("Waktu kering", "2 hari"),
                ("Panel surya", "50 Wp"),
                ("Dimensi", "200 × 100 × 180 cm"),
            ],
            weight="70",
            availability=TO_ORDER,
            lead_time_days=14,
            monthly_capacity=5,
            awards="Posyantek Terbaik Nasional 2013",
            guide=True,
        ),
        DemoProduct(
            "Mesin Pengasap Ikan",
            TOOL,
            "pengolahan-hasil-perikanan",
            7_800_000,
            "unit",
            "Lemari pengasap ikan dengan tungku terpisah, asap merata dan suhu terkontrol.",
            [
                ("Kapasitas", "40 kg per proses"),
                ("Bahan bakar", "tempurung kelapa"),
                ("Rak", "6 tingkat stainless"),
            ],
            weight="120",
            availability=TO_ORDER,
            lead_time_days=21,
            monthly_capacity=2,
        ),
        DemoProduct(
            "Ikan Teri Kering Pekalongan",
            PROCESSED,
            "produk-olahan-pangan",
            65_000,
            "pak 500 g",
            "Teri nasi kering dijemur di pengering tenaga surya, tanpa pengawet.",
            [("Berat bersih", "500 g"), ("Kadar garam", "rendah"), ("Masa simpan", "3 bulan")],
            weight="0.55",
            stock=120,
            minimum_order=2,
            certificates=[("pirt", "2063375010123-26", "Dinas Kesehatan Kota Pekalongan")],
        ),
        DemoProduct(
            "Terasi Udang Rebon",
            PROCESSED,
            "produk-olahan-pangan",
            22_000,
            "pak 250 g",
            "Terasi udang rebon asli pesisir Pekalongan, dijemur di pengering tenaga surya.",
            [("Berat bersih", "250 g"), ("Bahan", "udang rebon, garam")],
            weight="0.26",
            stock=180,
            minimum_order=4,
            certificates=[("pirt", "2063375010789-26", "Dinas Kesehatan Kota Pekalongan")],
        ),
        DemoProduct(
            "Kerupuk Ikan Tenggiri",
            PROCESSED,
            "produk-olahan-pangan",
            28_000,
            "pak 250 g",
            "Kerupuk ikan tenggiri mentah khas Pantura, tinggal digoreng.",
            [("Berat bersih", "250 g"), ("Kandungan ikan", "40%")],
            weight="0.27",
            stock=200,
            minimum_order=5,
            order_step=5,
            certificates=[
                ("pirt", "2063375010456-26", "Dinas Kesehatan Kota Pekalongan"),
                ("halal", "ID33110000123450226", "BPJPH"),
            ],
        ),
        DemoProduct(
            "Pelatihan Pengolahan Ikan Higienis",
            METHOD,
            "pelatihan-pendampingan",
            3_000_000,
            "paket pelatihan (2 hari)",
            "Pelatihan pengolahan ikan kering dan asap yang higienis untuk kelompok nelayan.",
            [("Durasi", "2 hari"), ("Peserta", "hingga 25 orang")],
            availability=TO_ORDER,
            lead_time_days=14,
            monthly_capacity=2,
        ),
        DemoProduct(
            "Tepung Ikan Sisa Olahan",
            BYPRODUCT,
            "produk-samping",
            9_000,
            "kg",
            "Tepung dari kepala dan tulang ikan sisa pengolahan, untuk campuran pakan ikan "
            "dan unggas.",
            [("Protein", "sekitar 45%"), ("Kemasan", "karung 25 kg atau eceran per kg")],
            weight="1",
            availability=OUTPUT,
            output_kg=300,
            output_period="week",
            minimum_order=25,
            order_step=5,
        ),
    ],
    "CPT": [
        DemoProduct(
            "Alat Penyaring Air Sederhana",
            TOOL,
            "penyaring-air",
            1_250_000,
            "unit",
            "Penyaring air bertingkat (pasir silika, karbon aktif, zeolit) untuk air sumur "
            "keruh dan berbau di permukiman padat.",
            [
                ("Debit", "300 liter/jam"),
                ("Media", "pasir silika, karbon aktif, zeolit"),
                ("Tinggi", "120 cm"),
            ],
            weight="35",
            stock=8,
            certificates=[("sni", "SNI 01-3553-2015 (uji)", "Laboratorium Air DKI Jakarta")],
            guide=True,
        ),
        DemoProduct(
            "Bor Lubang Resapan Biopori",
            TOOL,
            "sanitasi",
            225_000,
            "unit",
            "Bor tangan untuk lubang resapan biopori, mengurangi genangan dan mengolah sampah "
            "daun.",
            [("Diameter", "10 cm"), ("Kedalaman", "hingga 100 cm"), ("Bahan", "besi galvanis")],
            weight="3.5",
            stock=60,
        ),
        DemoProduct(
            "Komposter Rumah Tangga",
            TOOL,
            "pengolahan-sampah-organik",
            275_000,
            "unit",
            "Komposter aerob 60 liter untuk sisa dapur, dengan starter mikroba.",
            [("Volume", "60 liter"), ("Bahan", "HDPE"), ("Termasuk", "1 liter starter")],
            weight="5",
            stock=40,
        ),
        DemoProduct(
            "Pupuk Kompos Organik",
            BYPRODUCT,
            "pupuk-organik",
            25_000,
            "karung 20 kg",
            "Kompos matang dari sampah organik warga Cempaka Putih, sudah diayak.",
            [("C/N rasio", "15–20"), ("Kadar air", "maks. 30%")],
            weight="20",
            availability=OUTPUT,
            output_kg=400,
            output_period="week",
            minimum_order=2,
        ),
    ],
    "PDM": [
        DemoProduct(
            "Biodigester Biogas Rumah Tangga",
            TOOL,
            "biogas",
            8_500_000,
            "paket (terpasang)",
            "Digester biogas fiberglass 4 m³ untuk kotoran ternak atau sisa dapur, lengkap "
            "dengan kompor biogas dan pemasangan.",
            [
                ("Volume", "4 m³"),
                ("Produksi gas", "setara 2 jam kompor per hari"),
                ("Bahan", "fiberglass"),
                ("Termasuk", "kompor, selang, pemasangan"),
            ],
            weight="150",
            availability=TO_ORDER,
            lead_time_days=30,
            monthly_capacity=4,
            guide=True,
        ),
        DemoProduct(
            "Kompor Biogas Satu Tungku",
            TOOL,
            "biogas",
            450_000,
            "unit",
            "Kompor khusus biogas dengan pengatur udara, pengganti kompor LPG.",
            [("Tungku", "1"), ("Bahan", "besi cor"), ("Tekanan kerja", "rendah")],
            weight="4",
            stock=35,
        ),
        DemoProduct(
            "Pompa Air Tenaga Surya",
            TOOL,
            "pompa-air",
            5_900_000,
            "unit",
            "Pompa celup DC dengan panel surya 200 Wp untuk kebun dan perikanan.",
            [("Debit", "2.000 liter/jam"), ("Tinggi angkat", "15 m"), ("Panel", "200 Wp")],
            weight="30",
            stock=4,
        ),
        DemoProduct(
            "Lampu Jalan Tenaga Surya",
            TOOL,
            "penerangan-desa",
            1_650_000,
            "unit",
            "Lampu jalan LED 30 W dengan panel dan baterai terpadu, menyala otomatis.",
            [("Daya", "30 W LED"), ("Baterai", "LiFePO4 12 Ah"), ("Lama nyala", "12 jam")],
            weight="9",
            stock=30,
            minimum_order=2,
            certificates=[("sni", "SNI IEC 60598-2-3", "Balai Besar Standardisasi")],
        ),
    ],
    "KBJ": [
        DemoProduct(
            "Mesin Pemarut dan Pemeras Kelapa",
            TOOL,
            "pengolahan-kelapa",
            3_850_000,
            "unit",
            "Mesin parut dan pres santan untuk usaha santan dan kue tradisional.",
            [("Kapasitas parut", "60 butir/jam"), ("Motor", "1 HP")],
            weight="45",
            availability=TO_ORDER,
            lead_time_days=14,
            monthly_capacity=5,
        ),
        DemoProduct(
            "Alat Pengupas Kelapa",
            TOOL,
            "pengolahan-kelapa",
            950_000,
            "unit",
            "Pengupas sabut kelapa tuas, tanpa listrik, cepat dan aman.",
            [("Kapasitas", "100 butir/jam"), ("Bahan", "besi galvanis")],
            weight="18",
            stock=15,
        ),
        DemoProduct(
            "Keripik Singkong Balado",
            PROCESSED,
            "produk-olahan-pangan",
            18_000,
            "pak 200 g",
            "Keripik singkong produksi UKM binaan Posyantek Kebon Jeruk.",
            [("Berat bersih", "200 g"), ("Rasa", "balado, asin")],
            weight="0.22",
            stock=300,
            minimum_order=10,
            order_step=10,
            certificates=[
                ("pirt", "2063173010789-27", "Sudinkes Jakarta Barat"),
                ("halal", "ID31110000456780227", "BPJPH"),
            ],
        ),
        DemoProduct(
            "Mesin Perajang Singkong",
            TOOL,
            "mesin-pengolahan-pangan",
            2_900_000,
            "unit",
            "Perajang singkong, pisang dan ubi untuk keripik, ketebalan dapat diatur.",
            [("Kapasitas", "150 kg/jam"), ("Ketebalan", "1–4 mm")],
            weight="40",
            availability=TO_ORDER,
            lead_time_days=10,
            monthly_capacity=6,
        ),
    ],
    "PCR": [
        DemoProduct(
            "Mesin Pencacah Plastik",
            TOOL,
            "daur-ulang",
            12_500_000,
            "unit",
            "Pencacah botol dan gelas plastik untuk bank sampah, hasil cacahan siap jual.",
            [("Kapasitas", "100 kg/jam"), ("Motor", "7,5 HP listrik"), ("Saringan", "12 mm")],
            weight="250",
            availability=TO_ORDER,
            lead_time_days=30,
            monthly_capacity=2,
            guide=True,
        ),
        DemoProduct(
            "Cacahan Plastik PET Bersih",
            BYPRODUCT,
            "daur-ulang",
            7_500,
            "kg",
            "Cacahan botol PET yang sudah dicuci dari bank sampah Pancoran.",
            [("Ukuran", "8–12 mm"), ("Warna", "bening")],
            weight="1",
            availability=OUTPUT,
            output_kg=200,
            output_period="week",
            minimum_order=50,
            order_step=10,
        ),
        DemoProduct(
            "Instalasi Pengolahan Air Limbah Komunal",
            METHOD,
            "pengolahan-limbah-cair",
            15_000_000,
            "paket desain dan pendampingan",
            "Desain dan pendampingan pembangunan IPAL komunal untuk 20–50 rumah.",
            [("Termasuk", "survei, gambar kerja, RAB, pendampingan 3 bulan")],
            availability=TO_ORDER,
            lead_time_days=30,
            monthly_capacity=1,
        ),
    ],
    "KRJ": [
        DemoProduct(
            "Rak Hidroponik NFT",
            TOOL,
            "alat-tanam-panen",
            2_400_000,
            "unit",
            "Rak hidroponik NFT 4 tingkat untuk sayur daun di lahan sempit perkotaan.",
            [("Lubang tanam", "96"), ("Pompa", "18 W"), ("Ukuran", "200 × 60 × 150 cm")],
            weight="25",
            stock=6,
        ),
        DemoProduct(
            "Sayur Hidroponik Segar",
            PROCESSED,
            "produk-olahan-pangan",
            12_000,
            "pak 250 g",
            "Selada, pakcoy dan kangkung hidroponik, dipanen pagi hari.",
            [("Jenis", "selada, pakcoy, kangkung"), ("Panen", "setiap hari")],
            weight="0.25",
            availability=OUTPUT,
            output_kg=20,
            output_period="day",
            minimum_order=5,
        ),
        DemoProduct(
            "Ember Tumpuk Pengolah Sampah Dapur",
            TOOL,
            "pengolahan-sampah-organik",
            185_000,
            "set (2 ember)",
            "Ember tumpuk dengan keran untuk lindi, mengubah sisa dapur menjadi pupuk cair.",
            [("Volume", "2 × 20 liter")],
            weight="3",
            stock=50,
        ),
    ],
    "BPU": [
        DemoProduct(
            "Mesin Perontok Padi",
            TOOL,
            "perontok-pengering",
            9_200_000,
            "unit",
            "Perontok padi bermotor untuk kelompok tani, gabah bersih dan sedikit yang hilang.",
            [("Kapasitas", "1 ton gabah/jam"), ("Penggerak", "motor diesel 8,5 HP")],
            weight="180",
            availability=TO_ORDER,
            lead_time_days=21,
            monthly_capacity=3,
            certificates=[("sni", "SNI 4517:2019 (uji)", "BBP Mektan")],
            guide=True,
        ),
        DemoProduct(
            "Mesin Pengering Gabah",
            TOOL,
            "perontok-pengering",
            18_000_000,
            "unit",
            "Pengering gabah tipe bak datar dengan tungku sekam.",
            [("Kapasitas", "1,5 ton per proses"), ("Bahan bakar", "sekam")],
            weight="400",
            availability=TO_ORDER,
            lead_time_days=30,
            monthly_capacity=1,
        ),
        DemoProduct(
            "Amplang Ikan Pipih",
            PROCESSED,
            "produk-olahan-pangan",
            35_000,
            "pak 250 g",
            "Amplang khas Balikpapan dari ikan pipih dan tenggiri.",
            [("Berat bersih", "250 g")],
            weight="0.27",
            stock=150,
            minimum_order=4,
            certificates=[("pirt", "2066471010234-26", "Dinas Kesehatan Kota Balikpapan")],
        ),
        DemoProduct(
            "Briket Arang Tempurung Kelapa",
            BYPRODUCT,
            "tungku-hemat-energi",
            15_000,
            "kg",
            "Briket dari arang tempurung kelapa sisa industri kopra, panas tinggi dan tahan lama.",
            [("Nilai kalor", "sekitar 6.500 kkal/kg"), ("Bentuk", "kubus 2,5 cm")],
            weight="1",
            availability=OUTPUT,
            output_kg=250,
            output_period="week",
            minimum_order=20,
            order_step=10,
        ),
    ],
    "SMU": [
        DemoProduct(
            "Mesin Penggiling Kopi",
            TOOL,
            "pengolahan-kopi-kakao",
            3_600_000,
            "unit",
            "Penggiling kopi dan rempah dengan saringan tukar untuk UKM kopi.",
            [("Kapasitas", "20 kg/jam"), ("Motor", "1 HP")],
            weight="35",
            stock=5,
        ),
        DemoProduct(
            "Alat Penyangrai Kopi",
            TOOL,
            "pengolahan-kopi-kakao",
            6_900_000,
            "unit",
            "Penyangrai kopi tabung putar berbahan bakar gas, dengan termometer.",
            [("Kapasitas", "5 kg per proses"), ("Bahan bakar", "LPG")],
            weight="55",
            availability=TO_ORDER,
            lead_time_days=21,
            monthly_capacity=3,
        ),
        DemoProduct(
            "Tas Anyaman Manik Dayak",
            PROCESSED,
            "tekstil-anyaman",
            225_000,
            "buah",
            "Tas anyaman rotan dengan hiasan manik motif Dayak, buatan perajin Samarinda Ulu.",
            [("Bahan", "rotan, manik kaca"), ("Ukuran", "30 × 25 cm")],
            weight="0.6",
            stock=20,
            certificates=[("hki", "IDD000056789", "DJKI Kemenkumham")],
        ),
        DemoProduct(
            "Sarung Tenun Samarinda",
            PROCESSED,
            "tekstil-anyaman",
            450_000,
            "lembar",
            "Sarung tenun ATBM motif Samarinda, benang sutra campuran.",
            [("Bahan", "sutra campuran"), ("Ukuran", "200 × 110 cm")],
            weight="0.5",
            availability=TO_ORDER,
            lead_time_days=14,
            monthly_capacity=20,
        ),
        DemoProduct(
            "Ampas Kelapa Sisa Santan",
            BYPRODUCT,
            "produk-samping",
            3_000,
            "kg",
            "Ampas kelapa dari usaha santan, untuk pakan ternak dan tepung kelapa.",
            [("Kadar air", "sekitar 50%"), ("Daya simpan", "1 hari")],
            weight="1",
            availability=OUTPUT,
            output_kg=60,
            output_period="day",
            minimum_order=20,
            order_step=10,
        ),
    ],
}

# Every demo Posyantek holds one certificate for all its products, too.
ORGANIZATION_CERTIFICATES = {
    "PWK": ("halal", "ID36110000998870126", "BPJPH"),
}
COLOURS = ["#1b6b3a", "#2f5d8a", "#8a5a2f", "#6b1b4f", "#3a6b1b", "#5a2f8a"]


def _photo(product: DemoProduct, number: int) -> SimpleUploadedFile:
    """A plain card with the product's name: the demo stands in for a real photo."""
    image = Image.new("RGB", (800, 600), COLOURS[number % len(COLOURS)])
    drawing = ImageDraw.Draw(image)
    words, lines = product.name.split(), [""]
    for word in words:
        if len(lines[-1]) + len(word) > 22:
            lines.append("")
        lines[-1] = f"{lines[-1]} {word}".strip()
    drawing.multiline_text((40, 220), "\n".join(lines), fill="white", font_size=52, spacing=12)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return SimpleUploadedFile("foto.jpg", buffer.getvalue(), content_type="image/jpeg")


def _fields(demo: DemoProduct) -> dict[str, Any]:
    return {
        "category": Category.objects.get(slug=demo.category),
        "description": demo.description,
        "specs": [{"key": key, "value": value} for key, value in demo.specs],
        "selling_unit": demo.unit,
        "price_amount": demo.price,
        "weight_per_unit_kg": demo.weight,
        "availability": demo.availability,
        "minimum_order": demo.minimum_order,
        "order_step": demo.order_step,
        "lead_time_days": demo.lead_time_days,
        "monthly_capacity": demo.monthly_capacity,
        "output_quantity_kg": demo.output_kg,
        "output_period": demo.output_period,
        "innovator": demo.innovator,
        "awards": demo.awards,
        "patent_number": demo.patent_number,
    }


def seed(*, password: str) -> list[tuple[str, str]]:
    number = 0
    for code, products in CATALOGUE.items():
        seller = Organization.objects.get(code=code)
        manager = (
            Membership.objects.filter(organization=seller, role__in=[Role.OWNER, Role.MANAGER])
            .select_related("user")
            .order_by("-role", "pk")
            .first()
            .user
        )
        for demo in products:
            number += 1
            if Product.objects.filter(seller=seller, name=demo.name).exists():
                continue
            product = services.product_create(
                seller=seller, actor=manager, name=demo.name, kind=demo.kind, **_fields(demo)
            )
            services.product_image_add(
                product=product, actor=manager, file=_photo(demo, number), alt_text=demo.name
            )
            if demo.guide:
                services.product_guide_set(
                    product=product,
                    actor=manager,
                    file=SimpleUploadedFile("panduan.pdf", DEMO_PDF),
                )
            for type_code, certificate_number, issuer in demo.certificates:
                services.certification_add(
                    actor=manager, product=product, type=type_code, number=certificate_number,
                    issuer=issuer, valid_until=date(date.today().year + 3, 12, 31),
                )  # fmt: skip
            if demo.availability == STOCK and demo.stock:
                services.stock_set(
                    product=product, actor=manager, stock=demo.stock, note="Stok awal"
                )
            services.product_publish(product=product, actor=manager)
    for code, (type_code, certificate_number, issuer) in ORGANIZATION_CERTIFICATES.items():
        seller = Organization.objects.get(code=code)
        if not seller.certifications.filter(number=certificate_number).exists():
            owner = seller.memberships.filter(role=Role.OWNER).first().user
            services.certification_add(
                actor=owner, organization=seller, type=type_code, number=certificate_number,
                issuer=issuer, valid_until=date(date.today().year + 2, 6, 30),
            )  # fmt: skip
    return []
