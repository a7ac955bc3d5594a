"""Limits found in review: figures beyond a column's range, phones' MPO photos, uploads larger
than the memory, public file names, and certificates in the admin."""

import datetime
from io import BytesIO

import pytest
from django.contrib.admin.sites import site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from PIL import Image

from core.errors import InvalidInput
from core.images import reencode_image
from marketplace import services
from marketplace.models import Certification, Product
from marketplace.selectors import with_in_stock
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_huge_daily_output_does_not_break_the_in_stock_figure(regions):
    # 80,000 kg a day × 31 days × 1000 g is beyond a 32-bit integer (PostgreSQL would fail).
    product = ProductFactory(
        availability=Product.Availability.RECURRING_OUTPUT,
        output_quantity_kg=80_000,
        output_period="day",
        weight_per_unit_kg="50",
        stock=0,
    )

    row = with_in_stock(Product.objects.filter(pk=product.pk), month=datetime.date(2026, 12, 1))

    assert row.get().in_stock is True


def test_output_lead_time_and_stock_have_sensible_limits(regions, user):
    product = ProductFactory(stock=10)
    for field, value in [("output_quantity_kg", 10_000_001), ("lead_time_days", 366)]:
        with pytest.raises(InvalidInput) as error:
            services.product_update(product=product, actor=user, data={field: value})
        assert field in error.value.fields

    with pytest.raises(InvalidInput):
        services.stock_adjust(product=product, actor=user, delta=2**31 - 1, reason="restock")
    with pytest.raises(InvalidInput):
        services.stock_adjust(product=product, actor=user, delta=2**40, reason="restock")

    product.refresh_from_db()
    assert product.stock == 10


def test_a_price_above_two_billion_rupiah_is_a_valid_price(regions, user):
    product = ProductFactory()

    services.product_update(product=product, actor=user, data={"price_amount": 3_000_000_000})

    product.refresh_from_db()
    assert product.price_amount == 3_000_000_000


def test_an_android_mpo_photo_is_accepted(regions):
    first, second = Image.new("RGB", (640, 480), "green"), Image.new("RGB", (640, 480), "red")
    buffer = BytesIO()
    first.save(buffer, format="MPO", save_all=True, append_images=[second])
    assert Image.open(BytesIO(buffer.getvalue())).format == "MPO"

    result = reencode_image(SimpleUploadedFile("IMG_0001.jpg", buffer.getvalue()))

    assert Image.open(result).format == "JPEG"


class Endless:
    """An upload that says how big it is and must not be read whole."""

    size = 500 * 1024 * 1024

    def read(self, *args):
        raise AssertionError("a too-large upload was read")


def test_a_too_large_upload_is_refused_without_reading_it():
    with pytest.raises(InvalidInput) as error:
        reencode_image(Endless(), max_bytes=8 * 1024 * 1024)

    assert error.value.code == "image_too_large"


def test_public_file_names_cannot_be_guessed_from_the_product(regions, user):
    product = ProductFactory()
    buffer = BytesIO()
    Image.new("RGB", (100, 100), "blue").save(buffer, format="JPEG")

    image = services.product_image_add(
        product=product, actor=user, file=SimpleUploadedFile("a.jpg", buffer.getvalue())
    )
    services.product_guide_set(
        product=product, actor=user, file=SimpleUploadedFile("g.pdf", b"%PDF-1.4\n%%EOF\n")
    )

    product.refresh_from_db()
    for name in (image.image.name, image.thumbnail.name, product.user_guide.name):
        stem = name.rsplit("/", 1)[-1]
        assert len(stem.split("-", 1)[0]) >= 16, name


def test_certificates_are_read_only_in_the_admin():
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    model_admin = site._registry[Certification]

    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert not model_admin.has_add_permission(request)
