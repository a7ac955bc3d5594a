"""The demo catalogue of `seed_demo`: real products of the demo Posyantek, published through
the services, the same after a second run."""

import datetime

import pytest
from django.core.management import call_command

from marketplace.capacity import monthly_capacity
from marketplace.models import Certification, Product

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        sorted(Product.objects.values_list("seller__code", "name", "status", "stock")),
        Certification.objects.count(),
    )


@pytest.mark.smoke
def test_seed_demo_publishes_the_demo_catalogue_once(regions, capsys):
    call_command("seed_demo", "--force")
    first = snapshot()
    call_command("seed_demo", "--force")

    assert snapshot() == first
    products = Product.objects.select_related("seller", "category")
    assert products.count() >= 40
    assert set(products.values_list("status", flat=True)) == {Product.Status.PUBLISHED}
    assert all(product.is_public for product in products)
    assert {product.kind for product in products} == set(Product.Kind.values)
    assert all(product.specs and product.images.exists() for product in products)

    feed = products.get(name="Pakan Ternak dari Ampas Tahu")
    assert (feed.seller.code, feed.selling_unit) == ("PWK", "karung 50 kg")
    assert feed.certifications.valid().filter(type="npp").exists()
    assert feed.user_guide

    ampas = products.get(name="Ampas Tahu Basah")
    assert ampas.seller.code == "PWK"
    assert (ampas.availability, ampas.output_quantity_kg, ampas.output_period) == (
        Product.Availability.RECURRING_OUTPUT,
        500,
        "day",
    )
    # DESIGN.md's worked example on the demo data: 500 kg a day, per karung 50 kg.
    assert monthly_capacity(ampas, datetime.date(2026, 11, 1)) == 300
    for name in [
        "Mesin Pencacah Rumput",
        "Alat Pengering Ikan Tenaga Surya",
        "Biodigester Biogas Rumah Tangga",
        "Alat Penyaring Air Sederhana",
        "Alat Pengupas Kelapa",
        "Mesin Perontok Padi",
    ]:
        assert products.filter(name=name).exists(), name
