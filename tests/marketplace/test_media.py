"""Photos and user guides: checked by content, re-encoded, stored publicly."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from core.errors import Conflict, InvalidInput
from marketplace import services
from marketplace.models import ProductImage
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

ORIENTATION = 0x0112
GPS_IFD = 0x8825
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def phone_photo(width=2400, height=1200) -> SimpleUploadedFile:
    """A landscape JPEG whose EXIF says 'rotate 90°' and carries a GPS position."""
    image = Image.new("RGB", (width, height), (40, 120, 40))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif.get_ifd(GPS_IFD).update({1: "S", 2: (6.0, 1.0, 0.0), 3: "E", 4: (106.0, 2.0, 0.0)})
    buffer = BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile("IMG_0001.jpg", buffer.getvalue(), content_type="image/jpeg")


def stored_image(field) -> Image.Image:
    with field.storage.open(field.name, "rb") as handle:
        return Image.open(BytesIO(handle.read()))


def test_photo_is_upright_resized_without_exif_with_a_thumbnail(regions, manager, settings):
    product = ProductFactory()

    image = services.product_image_add(
        product=product, actor=manager, file=phone_photo(), alt_text="Mesin  dari depan"
    )

    image.refresh_from_db()
    full, thumb = stored_image(image.image), stored_image(image.thumbnail)
    assert full.format == "JPEG" and full.size == (800, 1600)  # turned upright, fitted
    assert thumb.size == (200, 400)
    assert len(full.getexif()) == 0 and not full.getexif().get_ifd(GPS_IFD)
    assert len(thumb.getexif()) == 0
    assert image.alt_text == "Mesin dari depan"
    assert image.position == 1
    assert (settings.MEDIA_ROOT / image.image.name).exists()  # public storage
    assert image.image.url.startswith("/media/")


def test_photos_are_numbered_in_order(regions, manager):
    product = ProductFactory()

    first = services.product_image_add(product=product, actor=manager, file=phone_photo(40, 20))
    second = services.product_image_add(product=product, actor=manager, file=phone_photo(40, 20))

    assert (first.position, second.position) == (1, 2)


@pytest.mark.parametrize(
    "name, content",
    [
        ("foto.jpg", PDF),
        ("foto.png", b"<?php echo 'bukan gambar'; ?>"),
        ("foto.jpg", b""),
    ],
)
def test_a_file_that_is_not_a_photo_is_refused(regions, manager, name, content):
    product = ProductFactory()

    with pytest.raises(InvalidInput) as error:
        services.product_image_add(
            product=product, actor=manager, file=SimpleUploadedFile(name, content, "image/jpeg")
        )

    assert error.value.code == "invalid_image"
    with translation.override("en"):
        assert "JPEG, PNG or WebP" in str(error.value.message)
    assert ProductImage.objects.count() == 0


def test_a_photo_too_large_is_refused(regions, manager, monkeypatch):
    monkeypatch.setattr(services, "IMAGE_MAX_BYTES", 1000)
    product = ProductFactory()

    with pytest.raises(InvalidInput) as error:
        services.product_image_add(product=product, actor=manager, file=phone_photo())

    assert error.value.code == "image_too_large"
    assert ProductImage.objects.count() == 0


def test_at_most_eight_photos(regions, manager):
    product = ProductFactory()
    for _ in range(services.MAX_IMAGES):
        services.product_image_add(product=product, actor=manager, file=phone_photo(20, 10))

    with pytest.raises(Conflict):
        services.product_image_add(product=product, actor=manager, file=phone_photo(20, 10))
    assert ProductImage.objects.count() == services.MAX_IMAGES


def test_removing_a_photo_deletes_its_files_after_commit(
    regions, manager, settings, django_capture_on_commit_callbacks
):
    product = ProductFactory()
    image = services.product_image_add(product=product, actor=manager, file=phone_photo(20, 10))
    paths = [settings.MEDIA_ROOT / image.image.name, settings.MEDIA_ROOT / image.thumbnail.name]

    with django_capture_on_commit_callbacks(execute=True):
        services.product_image_remove(image=image, actor=manager)

    assert ProductImage.objects.count() == 0
    assert not any(path.exists() for path in paths)


def test_user_guide_is_a_public_pdf_replacing_the_old_one(
    regions, manager, settings, django_capture_on_commit_callbacks
):
    product = ProductFactory(slug="mesin-pencacah-rumput-pwk")

    with django_capture_on_commit_callbacks(execute=True):
        product = services.product_guide_set(
            product=product, actor=manager, file=SimpleUploadedFile("a.pdf", PDF)
        )
    first = settings.MEDIA_ROOT / product.user_guide.name
    assert first.read_bytes() == PDF
    with django_capture_on_commit_callbacks(execute=True):
        services.product_guide_set(
            product=product, actor=manager, file=SimpleUploadedFile("b.pdf", PDF + b"v2")
        )

    product.refresh_from_db()
    assert product.user_guide.name.endswith(".pdf")
    assert "mesin-pencacah-rumput-pwk-panduan" in product.user_guide.name
    assert (settings.MEDIA_ROOT / product.user_guide.name).read_bytes() == PDF + b"v2"
    assert not first.exists()


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\nnot a pdf", b"PK\x03\x04 a docx file", b""])
def test_a_guide_that_is_not_a_pdf_is_refused(regions, manager, content):
    product = ProductFactory()

    with pytest.raises(InvalidInput) as error, translation.override("en"):
        services.product_guide_set(
            product=product, actor=manager, file=SimpleUploadedFile("panduan.pdf", content)
        )

    assert error.value.fields == {"user_guide": ["The user guide must be a PDF file."]}
    product.refresh_from_db()
    assert not product.user_guide


def test_a_guide_too_large_is_refused(regions, manager, monkeypatch):
    monkeypatch.setattr(services, "GUIDE_MAX_BYTES", 10)
    product = ProductFactory()

    with pytest.raises(InvalidInput) as error:
        services.product_guide_set(
            product=product, actor=manager, file=SimpleUploadedFile("panduan.pdf", PDF)
        )

    assert error.value.code == "file_too_large"
    product.refresh_from_db()
    assert not product.user_guide
