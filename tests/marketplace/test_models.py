"""Invariants the database keeps, whatever code writes to it, and the category tree."""

import datetime
import importlib

import pytest
from django.db import IntegrityError, transaction

from marketplace.models import Category, Certification, Product
from marketplace.selectors import category_tree, category_with_descendants
from tests.factories import CategoryFactory, CertificationFactory, ProductFactory

pytestmark = pytest.mark.django_db

TREE = importlib.import_module("marketplace.migrations.0002_category_tree").TREE


def test_the_migration_creates_the_design_tree():
    tree = category_tree()

    assert len(tree) == 13
    assert all(2 <= len(field.children.all()) <= 5 for field in tree)
    livestock = Category.objects.get(slug="peternakan-pakan")
    assert livestock.name == "Peternakan & Pakan"
    assert [c.slug for c in livestock.children.all()] == ["pakan-ternak", "alat-pakan", "kandang"]
    assert Category.objects.filter(parent__parent__isnull=False).count() == 0  # two levels
    assert Category.objects.count() == 13 + sum(len(children) for *_x, children in TREE)


def test_a_category_filter_includes_its_sub_categories():
    field = Category.objects.get(slug="peternakan-pakan")
    feed = Category.objects.get(slug="pakan-ternak")

    assert set(category_with_descendants("peternakan-pakan")) == {
        field.pk,
        *field.children.values_list("pk", flat=True),
    }
    assert category_with_descendants(feed) == [feed.pk]
    assert category_with_descendants("tidak-ada") == []


def test_stock_never_goes_below_zero_even_by_a_raw_update(regions):
    product = ProductFactory(stock=3)

    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(stock=-1)

    product.refresh_from_db()
    assert product.stock == 3


@pytest.mark.parametrize(
    "field, value",
    [("price_amount", -1), ("minimum_order", 0), ("order_step", 0)],
)
def test_price_and_order_sizes_are_guarded_by_the_database(regions, field, value):
    product = ProductFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(**{field: value})


def test_hidden_reason_only_on_a_hidden_product(regions):
    product = ProductFactory(status="published")

    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(hidden_reason="spam")


def test_a_certificate_belongs_to_a_product_or_an_organisation_not_both(regions):
    product = ProductFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Certification.objects.create(
            product=product, organization=product.seller, type="pirt", number="1"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Certification.objects.create(type="pirt", number="1")
    assert Certification.objects.count() == 0


def test_certificate_validity_by_date(regions):
    day = datetime.date(2026, 11, 30)
    ends_that_day = CertificationFactory(valid_until=day)
    expired = CertificationFactory(valid_until=day - datetime.timedelta(days=1))
    open_ended = CertificationFactory(valid_until=None)

    assert ends_that_day.is_valid(on=day)
    assert not ends_that_day.is_valid(on=day + datetime.timedelta(days=1))
    assert not expired.is_valid(on=day)
    assert open_ended.is_valid(on=day)
    assert set(Certification.objects.valid(day)) == {ends_that_day, open_ended}
    assert set(Certification.objects.valid(day + datetime.timedelta(days=1))) == {open_ended}


def test_category_cannot_be_its_own_parent():
    category = CategoryFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.filter(pk=category.pk).update(parent=category)
