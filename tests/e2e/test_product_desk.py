"""On a 360 px phone, a manager of a verified Posyantek logs in, adds a product with a photo in
one form, publishes it, and sees it listed as published on the Posyantek's product desk.

Elements are found by id, name and CSS, not by their wording (translations come later)."""

import re
from pathlib import Path

import pytest
from PIL import Image

from accounts.models import Role
from marketplace.models import Product
from tests.e2e.conftest import assert_fits_phone
from tests.factories import CategoryFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Ampas-tahu-2026"


def test_manager_adds_a_product_with_a_photo_publishes_it_and_sees_it_on_the_desk(
    phone_page, regions, tmp_path: Path
):
    seller = OrganizationFactory(name="Posyantek Kecamatan Purwakarta", slug="pwk", code="PWK")
    manager = UserFactory(email="manajer@pwk.test", password=PASSWORD)
    MembershipFactory(user=manager, organization=seller, role=Role.MANAGER)
    field = CategoryFactory(
        parent=None, slug="bidang-e2e-peternakan", name="Peternakan & Pakan (uji)"
    )
    feed = CategoryFactory(parent=field, slug="kategori-e2e-pakan", name="Pakan Ternak (uji)")
    photo = tmp_path / "pakan.jpg"
    Image.new("RGB", (800, 600), (180, 140, 60)).save(photo, format="JPEG")
    page = phone_page

    # Log in.
    page.goto(page.base_url + "/akun/masuk/")
    assert_fits_phone(page)
    page.fill("#id_username", "manajer@pwk.test")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()

    # From the Posyantek's page to its product desk, then to the new-product form.
    page.goto(page.base_url + "/organisasi/pwk/")
    page.click("#product-desk-link")
    page.wait_for_url(re.compile(r"/produk/meja/pwk/$"))
    assert_fits_phone(page)
    page.click("#add-product")
    page.wait_for_url(re.compile(r"/produk/meja/pwk/baru/$"))
    assert_fits_phone(page)

    # One form: the product, its availability and a photo.
    page.fill("#id_name", "Pakan Ternak dari Ampas Tahu")
    page.select_option("#id_kind", "processed")
    page.select_option("#id_category", str(feed.pk))
    page.fill("#id_description", "Pakan fermentasi dari ampas tahu untuk sapi dan kambing.")
    page.fill("#id_selling_unit", "karung 50 kg")
    page.fill("#id_price_amount", "150.000")
    page.fill("#id_minimum_order", "2")
    page.fill("#id_weight_per_unit_kg", "50")
    page.check("input[name=availability][value=stock]")
    page.fill("#id_stock", "40")
    # Fields of the other availability modes are out of the way.
    assert not page.locator("#id_monthly_capacity").is_visible()
    page.set_input_files("#id_photo", str(photo))
    assert_fits_phone(page)
    page.click("#product-form button[type=submit]")
    page.wait_for_url(re.compile(r"/produk/pakan-ternak-dari-ampas-tahu-pwk/kelola/$"))

    product = Product.objects.get(seller=seller)
    assert product.status == Product.Status.DRAFT
    assert (product.price_amount, product.stock, product.minimum_order) == (150_000, 40, 2)
    assert product.images.count() == 1
    assert page.locator(".photo-item img").count() == 1
    assert_fits_phone(page)

    # Publish.
    page.click("button[name=action][value=publish]")
    page.wait_for_load_state()
    product.refresh_from_db()
    assert product.status == Product.Status.PUBLISHED
    assert page.locator(".status-product-published").first.is_visible()
    assert page.locator("button[name=action][value=publish]").count() == 0
    assert_fits_phone(page)

    # The desk lists it as published, with its price in Rupiah.
    page.goto(page.base_url + "/produk/meja/pwk/")
    row = page.locator(f".product-row[data-product='{product.slug}']")
    assert row.get_attribute("data-status") == "published"
    assert row.locator(".status-product-published").is_visible()
    assert "Rp 150.000" in row.inner_text()
    assert_fits_phone(page)

    # Filtered by status, it is still there.
    page.select_option("#id_status", "published")
    page.click(".filter-form button[type=submit]")
    page.wait_for_url(re.compile(r"status=published"))
    assert page.locator(".product-row").count() == 1
    assert_fits_phone(page)

    # And buyers can open its public page.
    page.goto(page.base_url + f"/produk/{product.slug}/")
    assert "Rp 150.000" in page.locator(".product-price-large").inner_text()
    assert_fits_phone(page)
