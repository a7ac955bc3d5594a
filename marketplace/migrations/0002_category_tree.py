"""The category tree of DESIGN.md: 13 TTG fields, each with its sub-categories.

Slugs are stable (URLs and API filters use them); names are data in Bahasa Indonesia. Rows are
created or renamed by slug, never deleted, so running it on a database that already has some
of them is safe.
"""

from django.db import migrations

TREE = [
    ("pertanian-pascapanen", "Pertanian & Pascapanen", [
        ("alat-pengolahan-tanah", "Alat Pengolahan Tanah"),
        ("alat-tanam-panen", "Alat Tanam & Panen"),
        ("perontok-pengering", "Perontok & Pengering"),
        ("pupuk-organik", "Pupuk Organik"),
    ]),
    ("perkebunan", "Perkebunan", [
        ("pengolahan-kelapa", "Pengolahan Kelapa"),
        ("pengolahan-kopi-kakao", "Pengolahan Kopi & Kakao"),
        ("alat-perkebunan", "Alat Perkebunan"),
    ]),
    ("peternakan-pakan", "Peternakan & Pakan", [
        ("pakan-ternak", "Pakan Ternak"),
        ("alat-pakan", "Alat Pakan"),
        ("kandang", "Kandang"),
    ]),
    ("perikanan", "Perikanan", [
        ("budidaya-ikan", "Budidaya Ikan"),
        ("pengolahan-hasil-perikanan", "Pengolahan Hasil Perikanan"),
        ("alat-tangkap", "Alat Tangkap"),
    ]),
    ("pengolahan-pangan", "Pengolahan Pangan", [
        ("mesin-pengolahan-pangan", "Mesin Pengolahan Pangan"),
        ("produk-olahan-pangan", "Produk Olahan Pangan"),
        ("pengemasan", "Pengemasan"),
    ]),
    ("energi-terbarukan", "Energi Terbarukan", [
        ("biogas", "Biogas"),
        ("tenaga-surya", "Tenaga Surya"),
        ("mikrohidro-angin", "Mikrohidro & Tenaga Angin"),
        ("tungku-hemat-energi", "Tungku Hemat Energi"),
    ]),
    ("air-bersih-sanitasi", "Air Bersih & Sanitasi", [
        ("penyaring-air", "Penyaring Air"),
        ("pompa-air", "Pompa Air"),
        ("sanitasi", "Sanitasi"),
    ]),
    ("pengelolaan-sampah-limbah", "Pengelolaan Sampah & Limbah", [
        ("pengolahan-sampah-organik", "Pengolahan Sampah Organik"),
        ("daur-ulang", "Daur Ulang"),
        ("pengolahan-limbah-cair", "Pengolahan Limbah Cair"),
        ("produk-samping", "Produk Samping"),
    ]),
    ("kesehatan", "Kesehatan", [
        ("alat-kesehatan-sederhana", "Alat Kesehatan Sederhana"),
        ("obat-tradisional-herbal", "Obat Tradisional & Herbal"),
    ]),
    ("kerajinan-industri-kecil", "Kerajinan & Industri Kecil", [
        ("kerajinan-tangan", "Kerajinan Tangan"),
        ("alat-industri-kecil", "Alat Industri Kecil"),
        ("tekstil-anyaman", "Tekstil & Anyaman"),
    ]),
    ("infrastruktur-desa", "Infrastruktur Desa", [
        ("bahan-bangunan", "Bahan Bangunan"),
        ("jalan-jembatan", "Jalan & Jembatan"),
        ("penerangan-desa", "Penerangan Desa"),
    ]),
    ("tik", "Teknologi Informasi & Komunikasi (TIK)", [
        ("aplikasi-desa", "Aplikasi Desa"),
        ("perangkat-tik", "Perangkat TIK"),
    ]),
    ("lainnya", "Lainnya", [
        ("pelatihan-pendampingan", "Pelatihan & Pendampingan"),
        ("lain-lain", "Lain-lain"),
    ]),
]  # fmt: skip


def create_tree(apps, schema_editor):
    Category = apps.get_model("marketplace", "Category")
    for position, (slug, name, children) in enumerate(TREE, start=1):
        parent, _created = Category.objects.update_or_create(
            slug=slug, defaults={"name": name, "parent": None, "position": position}
        )
        for child_position, (child_slug, child_name) in enumerate(children, start=1):
            Category.objects.update_or_create(
                slug=child_slug,
                defaults={"name": child_name, "parent": parent, "position": child_position},
            )


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_initial")]

    operations = [migrations.RunPython(create_tree, migrations.RunPython.noop)]
