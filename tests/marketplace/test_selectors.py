"""The public catalogue, the seller's desk, and "in stock"."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Role
from core.errors import NotFound
from marketplace.capacity import capacity_book, this_month
from marketplace.models import Category, ProductImage
from marketplace.selectors import product_cards, product_desk_list, product_get, product_list
from tests.factories import (
    CertificationFactory,
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def slugs(queryset) -> set[str]:
    return {product.slug for product in queryset}


def test_public_list_shows_published_products_of_verified_sellers(regions):
    shown = ProductFactory(slug="tampil")
    ProductFactory(slug="draf", status="draft")
    ProductFactory(slug="arsip", status="archived")
    ProductFactory(slug="disembunyikan", status="hidden", hidden_reason="Spam")
    ProductFactory(slug="belum-terverifikasi", seller__verification_status="pending")

    assert slugs(product_list()) == {shown.slug}


def test_category_filter_includes_sub_categories(regions):
    field = Category.objects.get(slug="peternakan-pakan")
    feed = ProductFactory(slug="pakan", category=Category.objects.get(slug="pakan-ternak"))
    cage = ProductFactory(slug="kandang", category=Category.objects.get(slug="kandang"))
    on_field = ProductFactory(slug="bidang", category=field)
    ProductFactory(slug="biogas", category=Category.objects.get(slug="biogas"))

    assert slugs(product_list(category="peternakan-pakan")) == {feed.slug, cage.slug, on_field.slug}
    assert slugs(product_list(category="pakan-ternak")) == {feed.slug}
    assert slugs(product_list(category="tidak-ada")) == set()


def test_filter_by_valid_certification_of_product_or_seller(regions):
    own = ProductFactory(slug="sendiri")
    CertificationFactory(product=own, type="npp")
    by_seller = ProductFactory(slug="dari-posyantek")
    CertificationFactory(product=None, organization=by_seller.seller, type="npp")
    expired = ProductFactory(slug="kedaluwarsa")
    CertificationFactory(product=expired, type="npp", valid_until=datetime.date(2020, 1, 1))
    ProductFactory(slug="tanpa")

    assert slugs(product_list(certification="npp")) == {own.slug, by_seller.slug}


def test_in_stock_per_availability(regions):
    month = this_month()
    stock_ok = ProductFactory(slug="stok-cukup", stock=5, minimum_order=5)
    ProductFactory(slug="stok-kurang", stock=4, minimum_order=5)
    made_ok = ProductFactory(
        slug="pesanan-cukup", availability="made_to_order", monthly_capacity=10, minimum_order=2
    )
    made_full = ProductFactory(
        slug="pesanan-penuh", availability="made_to_order", monthly_capacity=10, minimum_order=2
    )
    capacity_book(product=made_full, month=month, quantity=9, source_type="order", source_id="1")
    recurring_ok = ProductFactory(
        slug="ampas-cukup",
        availability="recurring_output",
        output_quantity_kg=500,
        output_period="day",
        weight_per_unit_kg=Decimal("50"),
        minimum_order=1,
    )
    recurring_full = ProductFactory(
        slug="ampas-penuh",
        availability="recurring_output",
        output_quantity_kg=70,
        output_period="week",
        weight_per_unit_kg=Decimal("50"),
        minimum_order=1,
    )
    # 70 kg a week: 10 kg a day, so 280–310 kg a month = 5 or 6 karung; book them all.
    from marketplace.capacity import capacity_free

    capacity_book(
        product=recurring_full,
        month=month,
        quantity=capacity_free(recurring_full, month),
        source_type="order",
        source_id="2",
    )
    ProductFactory(slug="ampas-tanpa-laju", availability="recurring_output", output_period="")

    in_stock = {p.slug: p.in_stock for p in product_list()}

    assert {slug for slug, flag in in_stock.items() if flag} == {
        stock_ok.slug,
        made_ok.slug,
        recurring_ok.slug,
    }
    assert slugs(product_list(in_stock=True)) == {stock_ok.slug, made_ok.slug, recurring_ok.slug}
    assert len(product_list(in_stock=False)) == 4
    # The catalogue's cards tell it in Python by marketplace.capacity: the same answer.
    cards = product_cards([product.pk for product in product_list()])
    assert {card.slug: card.in_stock for card in cards} == in_stock


def test_in_stock_for_recurring_output_is_exact_with_small_units(regions):
    """1 kg a day sold per 100 g: in a 30-day month exactly 300 units; 299 booked leaves 1."""
    month = datetime.date(2026, 11, 1)
    product = ProductFactory(
        availability="recurring_output",
        output_quantity_kg=1,
        output_period="day",
        weight_per_unit_kg=Decimal("0.1"),
        minimum_order=1,
    )
    capacity_book(product=product, month=month, quantity=299, source_type="o", source_id="1")

    from marketplace.selectors import with_in_stock

    row = with_in_stock(type(product).objects.filter(pk=product.pk), month=month).get()
    assert row.in_stock is True
    capacity_book(product=product, month=month, quantity=1, source_type="o", source_id="2")
    row = with_in_stock(type(product).objects.filter(pk=product.pk), month=month).get()
    assert row.in_stock is False


def test_public_list_has_a_fixed_number_of_queries(regions, django_assert_max_num_queries):
    for _ in range(6):
        ProductFactory()

    with django_assert_max_num_queries(3):
        cards = list(product_list())
        for card in cards:
            _ = (card.seller.district.regency.province.name, card.category.parent)
            _ = list(card.images.all())
    assert len(cards) == 6


def test_the_desk_shows_members_every_product_and_hides_it_from_others(regions):
    seller = OrganizationFactory(slug="pwk", code="PWK")
    staff_member = MembershipFactory(organization=seller, role=Role.STAFF).user
    draft = ProductFactory(seller=seller, status="draft")
    hidden = ProductFactory(seller=seller, status="hidden", hidden_reason="Foto salah")
    ProductFactory()  # another seller's

    assert slugs(product_desk_list(user=staff_member, organization=seller)) == {
        draft.slug,
        hidden.slug,
    }
    assert slugs(
        product_desk_list(user=UserFactory(is_staff=True), organization=seller, status="hidden")
    ) == {hidden.slug}
    for outsider in (UserFactory(), AnonymousUser()):
        with pytest.raises(NotFound):
            product_desk_list(user=outsider, organization=seller)


def test_product_get_hides_what_the_caller_may_not_see(regions):
    draft = ProductFactory(status="draft")
    member = MembershipFactory(organization=draft.seller, role=Role.STAFF).user

    with pytest.raises(NotFound):
        product_get(user=AnonymousUser(), slug=draft.slug)
    with pytest.raises(NotFound):
        product_get(user=AnonymousUser(), slug="tidak-ada")
    assert product_get(user=member, slug=draft.slug) == draft


def test_cards_keep_the_page_order_and_cost_three_queries(regions, django_assert_num_queries):
    made = ProductFactory(availability="made_to_order", monthly_capacity=10, name="Mesin Pesanan")
    stock = ProductFactory(stock=3, name="Alat Stok")
    ProductImage.objects.create(product=stock, image="a.jpg", thumbnail="a-thumb.jpg", position=2)
    ProductImage.objects.create(product=stock, image="b.jpg", thumbnail="b-thumb.jpg", position=1)
    draft = ProductFactory(status="draft")

    with django_assert_num_queries(3):  # cards, first photos, this month's bookings
        cards = product_cards([stock.pk, draft.pk, made.pk])

    assert [card.slug for card in cards] == [stock.slug, made.slug]  # the draft left out
    first, second = cards
    assert first.card_images[0].thumbnail.url.endswith("b-thumb.jpg")
    assert second.card_images == []
    assert first.seller.district.regency.province.code == stock.seller.district.regency.province_id
    assert first.seller.is_verified and first.pk == stock.pk
    with django_assert_num_queries(2):  # no made-to-order product: no bookings to read
        product_cards([stock.pk])
