"""Product services: each rule, bad input refused with a clear error and nothing changed."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import Conflict, InvalidInput, PermissionDenied
from marketplace import services
from marketplace.models import Certification, Product, ProductEvent, StockMovement
from tests.factories import OrganizationFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def complete_fields(category) -> dict:
    return {
        "category": category,
        "description": "Pakan ternak fermentasi dari ampas tahu, kering dan tahan lama.",
        "specs": [{"key": "Protein", "value": "18 %"}, {"key": "Kadar air", "value": "12 %"}],
        "selling_unit": "karung 50 kg",
        "minimum_order": 2,
        "order_step": 2,
        "price_amount": 175_000,
        "weight_per_unit_kg": "50",
    }


def snapshot() -> dict:
    return {
        "products": sorted(
            Product.objects.values_list("pk", "status", "price_amount", "stock", "hidden_reason")
        ),
        "events": ProductEvent.objects.count(),
        "movements": StockMovement.objects.count(),
        "certifications": Certification.objects.count(),
    }


# --- Create, update, publish ------------------------------------------------------------------


def test_create_a_draft_then_publish_it(seller, manager, category, capture_changes):
    product = services.product_create(
        seller=seller,
        actor=manager,
        name="  Pakan Ternak dari   Ampas Tahu ",
        kind="processed",
        **complete_fields(category),
    )

    assert product.status == "draft"
    assert product.name == "Pakan Ternak dari Ampas Tahu"
    assert product.slug == "pakan-ternak-dari-ampas-tahu-pwk"
    assert product.weight_per_unit_kg == Decimal("50.000")
    assert product.specs[0] == {"key": "Protein", "value": "18 %"}

    published = services.product_publish(product=product, actor=manager)

    published.refresh_from_db()
    assert published.status == "published" and published.published_at is not None
    assert list(product.events.values_list("kind", "from_status", "to_status", "actor")) == [
        ("created", "", "draft", manager.pk),
        ("status", "draft", "published", manager.pk),
    ]


def test_slugs_stay_unique(seller, manager):
    first = services.product_create(
        seller=seller, actor=manager, name="Filter Air", kind="ttg_tool"
    )
    second = services.product_create(
        seller=seller, actor=manager, name="Filter Air", kind="ttg_tool"
    )

    assert (first.slug, second.slug) == ("filter-air-pwk", "filter-air-pwk-2")


def test_only_a_posyantek_sells(regions, manager, category):
    company = OrganizationFactory(kind="industry", posyantek_level="")
    before = snapshot()

    with pytest.raises(PermissionDenied) as error:
        services.product_create(seller=company, actor=manager, name="Mesin", kind="ttg_tool")

    assert error.value.code == "not_a_seller"
    assert snapshot() == before


@pytest.mark.parametrize(
    "field, value",
    [
        ("price_amount", -1),
        ("price_amount", "1.500"),
        ("price_amount", 1.5),
        ("minimum_order", 0),
        ("order_step", "abc"),
        ("order_step", True),
        ("weight_per_unit_kg", "berat"),
        ("weight_per_unit_kg", "-2"),
        ("weight_per_unit_kg", "0.0005"),
        ("kind", "mesin"),
        ("name", "   "),
        ("availability", "preorder"),
        ("output_period", "month"),
        ("specs", [{"key": "Kapasitas"}]),
        ("specs", "Kapasitas: 200 kg"),
        ("category", "pakan-ternak"),
        ("slug", "milik-orang-lain"),
        ("status", "published"),
        ("stock", 10),
    ],
)
def test_bad_input_is_refused_by_field(seller, manager, field, value):
    before = snapshot()

    with pytest.raises(InvalidInput) as error:
        services.product_create(
            seller=seller, actor=manager, **({"name": "Mesin", "kind": "ttg_tool"} | {field: value})
        )

    assert field in error.value.fields
    assert snapshot() == before


def test_unverified_posyantek_keeps_drafts_only(regions, category):
    seller = OrganizationFactory(verification_status="pending")
    owner = UserFactory()
    product = services.product_create(
        seller=seller, actor=owner, name="Alat Pengering Ikan", kind="ttg_tool",
        **complete_fields(category),
    )  # fmt: skip
    before = snapshot()

    with pytest.raises(Conflict) as error:
        services.product_publish(product=product, actor=owner)

    assert error.value.code == "seller_not_verified"
    assert error.value.status_code == 409
    assert snapshot() == before


def test_an_incomplete_product_is_not_published(seller, manager):
    product = services.product_create(
        seller=seller, actor=manager, name="Biodigester", kind="ttg_tool",
        availability="made_to_order",
    )  # fmt: skip
    before = snapshot()

    with pytest.raises(InvalidInput) as error:
        services.product_publish(product=product, actor=manager)

    assert error.value.code == "product_incomplete"
    assert set(error.value.fields) == {
        "description",
        "category",
        "selling_unit",
        "price_amount",
        "weight_per_unit_kg",
        "monthly_capacity",
    }
    assert snapshot() == before


def test_recurring_output_needs_its_rate_to_publish(seller, manager, category):
    fields = complete_fields(category) | {"availability": "recurring_output"}
    product = services.product_create(
        seller=seller, actor=manager, name="Ampas Tahu Basah", kind="byproduct", **fields
    )

    with pytest.raises(InvalidInput) as error:
        services.product_publish(product=product, actor=manager)
    assert set(error.value.fields) == {"output_quantity_kg", "output_period"}

    services.product_update(
        product=product,
        actor=manager,
        data={"output_quantity_kg": 500, "output_period": "day"},
    )
    assert services.product_publish(product=product, actor=manager).status == "published"


def test_a_method_needs_no_weight(seller, manager, category):
    fields = complete_fields(category) | {"weight_per_unit_kg": None, "selling_unit": "paket"}
    product = services.product_create(
        seller=seller, actor=manager, name="Pelatihan Biogas", kind="method", **fields
    )

    assert services.product_publish(product=product, actor=manager).status == "published"


def test_a_published_product_stays_complete(regions, manager):
    product = ProductFactory(price_amount=4_500_000)
    before = snapshot()

    with pytest.raises(InvalidInput) as error:
        services.product_update(product=product, actor=manager, data={"price_amount": 0})

    assert "price_amount" in error.value.fields
    assert snapshot() == before


def test_update_saves_only_what_changed(regions, manager):
    product = ProductFactory(price_amount=4_500_000, description="Lama")

    updated = services.product_update(
        product=product,
        actor=manager,
        data={"price_amount": "4750000", "description": " Baru ", "name": product.name},
    )

    updated.refresh_from_db()
    assert (updated.price_amount, updated.description) == (4_750_000, "Baru")


# --- Status moves -----------------------------------------------------------------------------


def test_archive_unpublish_and_republish(regions, manager):
    product = ProductFactory(status="published")

    services.product_archive(product=product, actor=manager)
    services.product_publish(product=product, actor=manager)
    services.product_unpublish(product=product, actor=manager)

    product.refresh_from_db()
    assert product.status == "draft"
    assert list(product.events.values_list("from_status", "to_status")) == [
        ("published", "archived"),
        ("archived", "published"),
        ("published", "draft"),
    ]


def test_staff_hide_with_a_reason_and_unhide_to_draft(regions):
    staff = UserFactory(is_staff=True)
    product = ProductFactory(status="published")

    with pytest.raises(InvalidInput):
        services.product_hide(product=product, actor=staff, reason="  ")
    services.product_hide(product=product, actor=staff, reason="Foto bukan produk ini.")

    product.refresh_from_db()
    assert (product.status, product.hidden_reason) == ("hidden", "Foto bukan produk ini.")
    assert product.events.last().note == "Foto bukan produk ini."

    services.product_unhide(product=product, actor=staff)

    product.refresh_from_db()
    assert (product.status, product.hidden_reason) == ("draft", "")


@pytest.mark.parametrize(
    "status, move",
    [
        ("hidden", "product_publish"),
        ("hidden", "product_archive"),
        ("hidden", "product_unpublish"),
        ("draft", "product_unpublish"),
        ("archived", "product_archive"),
        ("published", "product_publish"),
        ("published", "product_unhide"),
    ],
)
def test_illegal_moves_are_refused(regions, manager, status, move):
    product = ProductFactory(status=status, hidden_reason="Spam" if status == "hidden" else "")
    before = snapshot()

    with pytest.raises(Conflict) as error:
        getattr(services, move)(product=product, actor=manager)

    assert error.value.code == "illegal_transition"
    assert snapshot() == before


def test_every_status_has_its_moves():
    assert set(services.ALLOWED_TRANSITIONS) == set(Product.Status.values)


# --- Stock ------------------------------------------------------------------------------------


def test_stock_adjust_records_each_movement(regions, manager):
    product = ProductFactory(stock=5)

    sale = services.stock_adjust(product=product, actor=manager, delta=-3, reason="sale")
    back = services.stock_adjust(product=product, actor=manager, delta=1, reason="cancel")

    product.refresh_from_db()
    assert product.stock == 3
    assert (sale.delta, sale.stock_after, back.stock_after) == (-3, 2, 3)


def test_stock_adjust_never_oversells(regions, manager):
    product = ProductFactory(stock=2)
    before = snapshot()

    with pytest.raises(services.OutOfStock, match="2") as error:
        services.stock_adjust(product=product, actor=manager, delta=-3, reason="sale")

    assert error.value.status_code == 409
    assert snapshot() == before


def test_stock_adjust_decides_on_the_database_row_not_on_a_stale_copy(regions, manager):
    """Two requests loaded the product with stock 2: the first takes both, the second is
    refused although its own copy still says 2 — the check is in the UPDATE's WHERE."""
    product = ProductFactory(stock=2)
    first_copy = Product.objects.get(pk=product.pk)
    second_copy = Product.objects.get(pk=product.pk)

    services.stock_adjust(product=first_copy, actor=manager, delta=-2, reason="sale")
    with pytest.raises(services.OutOfStock):
        services.stock_adjust(product=second_copy, actor=manager, delta=-1, reason="sale")

    product.refresh_from_db()
    assert product.stock == 0
    assert StockMovement.objects.count() == 1


@pytest.mark.parametrize("delta, reason", [(0, "sale"), ("x", "sale"), (True, "sale"), (1, "gift")])
def test_stock_adjust_bad_input(regions, manager, delta, reason):
    product = ProductFactory(stock=2)
    before = snapshot()

    with pytest.raises(InvalidInput):
        services.stock_adjust(product=product, actor=manager, delta=delta, reason=reason)
    assert snapshot() == before


def test_stock_set_records_a_restock_or_a_correction(regions, manager):
    product = ProductFactory(stock=4)

    restock = services.stock_set(product=product, actor=manager, stock=10, note="Produksi baru")
    correction = services.stock_set(product=product, actor=manager, stock=7)
    nothing = services.stock_set(product=product, actor=manager, stock=7)

    product.refresh_from_db()
    assert product.stock == 7
    assert (restock.reason, restock.delta, restock.stock_after) == ("restock", 6, 10)
    assert (correction.reason, correction.delta, correction.stock_after) == ("correction", -3, 7)
    assert nothing is None
    assert StockMovement.objects.count() == 2


@pytest.mark.parametrize("value", [-1, "sepuluh", None])
def test_stock_set_bad_input(regions, manager, value):
    product = ProductFactory(stock=4)
    before = snapshot()

    with pytest.raises(InvalidInput):
        services.stock_set(product=product, actor=manager, stock=value)
    assert snapshot() == before


def test_capacity_products_have_no_stock(regions, manager):
    product = ProductFactory(availability="made_to_order", monthly_capacity=10, stock=0)
    before = snapshot()

    with pytest.raises(Conflict):
        services.stock_set(product=product, actor=manager, stock=5)
    with pytest.raises(Conflict):
        services.stock_adjust(product=product, actor=manager, delta=5, reason="restock")
    assert snapshot() == before


# --- Certifications ---------------------------------------------------------------------------


def test_certificate_with_a_scan_in_private_storage(regions, manager, settings):
    product = ProductFactory()

    certification = services.certification_add(
        actor=manager,
        product=product,
        type="npp",
        number="  NPP 1234/2026 ",
        issuer="Kementan",
        valid_until=datetime.date(2028, 1, 31),
        scan=SimpleUploadedFile("sertifikat.pdf", PDF, content_type="application/pdf"),
    )

    certification.refresh_from_db()
    assert certification.number == "NPP 1234/2026"
    assert certification.scan.name.startswith("certifications/")
    assert "sertifikat" not in certification.scan.name  # random private name
    assert (settings.PRIVATE_MEDIA_ROOT / certification.scan.name).read_bytes() == PDF
    assert product.events.last().kind == "certification"


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"type": "iso"}, "type"),
        ({"number": " "}, "number"),
        (
            {"scan": SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf")},
            "scan",
        ),
    ],
)
def test_bad_certificates_are_refused(regions, manager, kwargs, field):
    product = ProductFactory()
    before = snapshot()

    with pytest.raises(InvalidInput) as error:
        services.certification_add(
            actor=manager, product=product, **({"type": "pirt", "number": "1"} | kwargs)
        )

    assert field in error.value.fields
    assert snapshot() == before


def test_a_certificate_has_exactly_one_holder(regions, manager):
    product = ProductFactory()

    with pytest.raises(InvalidInput):
        services.certification_add(
            actor=manager, type="pirt", number="1", product=product, organization=product.seller
        )
    with pytest.raises(InvalidInput):
        services.certification_add(actor=manager, type="pirt", number="1")
    assert Certification.objects.count() == 0


def test_certificate_removed(regions, manager):
    product = ProductFactory()
    certification = services.certification_add(
        actor=manager, product=product, type="halal", number="ID3611"
    )

    services.certification_remove(certification=certification, actor=manager)

    assert Certification.objects.count() == 0
