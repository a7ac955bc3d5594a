"""Reads of categories and products, filtered to what the caller may see."""

import datetime

from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Round
from django.db.models.lookups import GreaterThanOrEqual

from accounts.models import Organization
from accounts.permissions import AnyUser
from core.errors import NotFound
from marketplace.capacity import days_in_month, this_month
from marketplace.models import CapacityBooking, Category, Certification, Product, ProductImage
from marketplace.permissions import can_view_product, can_view_product_desk

Status = Product.Status
Availability = Product.Availability


# --- Categories -------------------------------------------------------------------------------


def category_tree() -> list[Category]:
    """Top-level categories in order, each with `children` prefetched in order."""
    return list(
        Category.objects.filter(parent__isnull=True).prefetch_related(
            Prefetch("children", queryset=Category.objects.order_by("position", "name"))
        )
    )


def category_with_descendants(category: Category | str) -> list[int]:
    """Ids of a category (given or by slug) and its sub-categories: a filter by a field
    includes everything under it. Unknown slug → empty list."""
    if isinstance(category, str):
        found = Category.objects.filter(slug=category).values_list("pk", flat=True).first()
        if found is None:
            return []
        category_id = found
    else:
        category_id = category.pk
    children = Category.objects.filter(parent_id=category_id).values_list("pk", flat=True)
    return [category_id, *children]


# --- Products ---------------------------------------------------------------------------------


def with_in_stock(queryset: QuerySet, *, month: datetime.date | None = None) -> QuerySet:
    """Annotate `booked_this_month` and `in_stock` (DESIGN.md): stock products with stock ≥
    minimum order; others with free capacity this month ≥ minimum order.

    Recurring output is compared in grams so the test stays in whole numbers on both databases:
    free ≥ minimum ⇔ month's kg × 1000 ≥ (booked + minimum) × grams per unit
    (see marketplace.capacity for the capacity rule).
    """
    month = month or this_month()
    days = days_in_month(month)
    booked = (
        CapacityBooking.objects.filter(product=OuterRef("pk"), month=month, cancelled=False)
        .values("product")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    queryset = queryset.annotate(
        booked_this_month=Coalesce(Subquery(booked, output_field=IntegerField()), Value(0))
    )
    # Whole kg produced in the month: rate × days (÷ 7 for a weekly rate), rounded down by
    # integer division; then compared in grams against what the booked + minimum units weigh.
    # 64-bit from the start: kg × days × 1000 g overflows a 32-bit integer on PostgreSQL.
    output_kg = Cast(F("output_quantity_kg"), BigIntegerField())
    month_kg = Case(
        When(output_period="week", then=output_kg * Value(days) / Value(7)),
        default=output_kg * Value(days),
        output_field=BigIntegerField(),
    )
    grams_per_unit = Round(F("weight_per_unit_kg") * Value(1000))
    return queryset.annotate(
        in_stock=Case(
            When(availability=Availability.STOCK, stock__gte=F("minimum_order"), then=True),
            When(
                availability=Availability.MADE_TO_ORDER,
                monthly_capacity__gte=F("booked_this_month") + F("minimum_order"),
                then=True,
            ),
            When(
                GreaterThanOrEqual(
                    month_kg * Value(1000),
                    (F("booked_this_month") + F("minimum_order")) * grams_per_unit,
                ),
                availability=Availability.RECURRING_OUTPUT,
                output_quantity_kg__isnull=False,
                weight_per_unit_kg__gt=0,
                output_period__in=Product.OutputPeriod.values,
                then=True,
            ),
            default=False,
            output_field=BooleanField(),
        )
    )


def _cards(queryset: QuerySet) -> QuerySet:
    """What a product card shows, in a fixed number of queries."""
    return queryset.select_related(
        "seller__district__regency__province", "category__parent"
    ).prefetch_related(
        Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
    )


# What a card reads: never the search vector, the description or the specs.
CARD_FIELDS = (
    "id",
    "slug",
    "name",
    "kind",
    "status",
    "price_amount",
    "selling_unit",
    "minimum_order",
    "order_step",
    "availability",
    "created_at",
    "published_at",
    "rating_average",
    "rating_count",
    "seller",
    "category",
    "seller__slug",
    "seller__code",
    "seller__name",
    "seller__kind",
    "seller__verification_status",
    "seller__district",
    "seller__district__regency",
    "seller__district__regency__province",
    "seller__district__code",
    "seller__district__display_name",
    "seller__district__regency__code",
    "seller__district__regency__display_name",
    "seller__district__regency__province__code",
    "seller__district__regency__province__display_name",
    "category__slug",
    "category__name",
    "category__parent",
    "category__parent__slug",
    "category__parent__name",
)


def _catalogue_cards(queryset: QuerySet) -> QuerySet:
    """Cards of the catalogue: the card's columns only, and only the first photo of each
    product (a sliced prefetch, one query for the page), as `card_images`."""
    first_image = ProductImage.objects.only("id", "product_id", "thumbnail").order_by(
        "position", "id"
    )[:1]
    return (
        queryset.select_related("seller__district__regency__province", "category__parent")
        .only(*CARD_FIELDS)
        .prefetch_related(Prefetch("images", queryset=first_image, to_attr="card_images"))
    )


def product_list(
    *,
    category: Category | str | None = None,
    kind: str | None = None,
    seller: str | None = None,
    certification: str | None = None,
    in_stock: bool | None = None,
) -> QuerySet:
    """The public catalogue: published products of verified Posyantek (hidden ones never)."""
    queryset = Product.objects.filter(
        status=Status.PUBLISHED,
        seller__verification_status=Organization.VerificationStatus.VERIFIED,
    )
    if category:
        queryset = queryset.filter(category_id__in=category_with_descendants(category))
    if kind:
        queryset = queryset.filter(kind=kind)
    if seller:
        queryset = queryset.filter(seller__slug=seller)
    if certification:
        valid = Certification.objects.valid().filter(type=certification)
        queryset = queryset.filter(
            Exists(valid.filter(product=OuterRef("pk")))
            | Exists(valid.filter(organization=OuterRef("seller")))
        )
    queryset = with_in_stock(queryset)
    if in_stock is not None:
        queryset = queryset.filter(in_stock=in_stock)
    return _cards(queryset).order_by("-published_at", "-id")


def _public_products() -> QuerySet:
    return Product.objects.filter(
        status=Status.PUBLISHED,
        seller__verification_status=Organization.VerificationStatus.VERIFIED,
    )


def catalogue_products() -> QuerySet:
    """The public catalogue to filter and order (CatalogueFilter): published products of
    verified Posyantek (hidden ones never), newest first — without what a card shows. Turn a
    page of it into cards with product_cards(ids) (TwoStepPaginator's `fetch_page`)."""
    return _public_products().order_by("-created_at", "-id")


def product_catalogue() -> QuerySet:
    """The public catalogue as cards: published products of verified Posyantek (hidden ones
    never), newest first, with what a card shows in a fixed number of queries (page, count,
    first photo):

    - `seller` with its district → regency → province and `category` with its parent
      (joined);
    - `card_images`: a list with the first photo (0 or 1 ProductImage), prefetched;
    - `in_stock` (DESIGN.md's definition) and `booked_this_month`;
    - `rating_average` and `rating_count` are the product's own fields (kept by reviews).

    Lists filter and order catalogue_products() instead and read their page through
    product_cards().
    """
    queryset = with_in_stock(_public_products())
    return _catalogue_cards(queryset).order_by("-created_at", "-id")


def product_cards(ids: list[int]) -> list[Product]:
    """The catalogue cards (as product_catalogue() makes them) of these products, in this
    order: the second step of a page whose ids came from a filtered, ordered
    catalogue_products(). A product that left the catalogue between the two steps is left
    out."""
    if not ids:
        return []
    by_id = {product.pk: product for product in product_catalogue().filter(pk__in=ids).order_by()}
    return [by_id[pk] for pk in ids if pk in by_id]


def posyantek_list() -> QuerySet:
    """Public storefronts: verified Posyantek by name, each with its district → regency →
    province joined and `product_count` (its public products), in one query."""
    published = (
        Product.objects.filter(seller=OuterRef("pk"), status=Status.PUBLISHED)
        .order_by()
        .values("seller")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return (
        Organization.objects.filter(
            kind=Organization.Kind.POSYANTEK,
            verification_status=Organization.VerificationStatus.VERIFIED,
        )
        .select_related("district__regency__province", "village")
        .annotate(
            product_count=Coalesce(Subquery(published, output_field=IntegerField()), Value(0))
        )
        .order_by("name", "id")
    )


def posyantek_get(*, slug: str) -> Organization:
    """One public storefront by slug; NotFound for anything that is not a verified
    Posyantek."""
    organization = posyantek_list().filter(slug=slug).first()
    if organization is None:
        raise NotFound()
    return organization


def product_get(*, user: AnyUser, slug: str) -> Product:
    """One product if the caller may see it; NotFound otherwise (no hint it exists)."""
    product = (
        _cards(with_in_stock(Product.objects.filter(slug=slug)))
        .prefetch_related("certifications")
        .first()
    )
    if product is None or not can_view_product(user, product):
        raise NotFound()
    return product


def product_desk_list(
    *, user: AnyUser, organization: Organization, status: str | None = None
) -> QuerySet:
    """All of an organisation's products (drafts and hidden included) for its members and
    platform staff; NotFound for anyone else."""
    if not can_view_product_desk(user, organization):
        raise NotFound()
    queryset = Product.objects.filter(seller=organization)
    if status:
        queryset = queryset.filter(status=status)
    return _cards(with_in_stock(queryset)).order_by("-updated_at", "-id")


def valid_certifications(*, product: Product, on: datetime.date | None = None) -> QuerySet:
    """Certificates that count for a product now: its own and its Posyantek's, still valid."""
    return Certification.objects.valid(on).filter(
        Q(product=product) | Q(organization_id=product.seller_id)
    )
