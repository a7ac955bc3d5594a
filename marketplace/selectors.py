"""Reads of categories and products, filtered to what the caller may see."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.storage import Storage
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
from marketplace.capacity import (
    capacity_booked_by_product,
    days_in_month,
    monthly_capacity,
    this_month,
)
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


# --- Catalogue cards ----------------------------------------------------------------------------
#
# A page of the catalogue is read in two steps (core.api.pagination.TwoStepPaginator): the
# page's ids by the filters and the ordering alone (catalogue_products()), then the cards of
# those ids (product_cards). A card is a plain object with the attribute paths of a Product
# that the card template and ProductCardSerializer read (card.seller.district.regency.
# display_name, card.category.parent.slug, card.card_images[0].thumbnail.url, card.in_stock):
# built from one `.values()` query, the first photos and this month's bookings, it costs a
# fraction of model instances and of the in-stock SQL expression, on the catalogue's hot path.


@dataclass(slots=True)
class CardPlace:
    code: str
    display_name: str
    regency: "CardPlace | None" = None
    province: "CardPlace | None" = None


@dataclass(slots=True)
class CardSeller:
    slug: str
    code: str
    name: str
    kind: str
    verification_status: str
    district: CardPlace

    @property
    def is_verified(self) -> bool:
        return self.verification_status == Organization.VerificationStatus.VERIFIED


@dataclass(slots=True)
class CardCategory:
    slug: str
    name: str
    parent: "CardCategory | None" = None


@dataclass(slots=True)
class CardFile:
    """A stored file's name with the storage that serves it (`.url`, like a FieldFile)."""

    name: str
    storage: Storage

    @property
    def url(self) -> str:
        return self.storage.url(self.name)


@dataclass(slots=True)
class CardImage:
    thumbnail: CardFile


@dataclass(slots=True)
class ProductCard:
    id: int
    slug: str
    name: str
    kind: str
    status: str
    price_amount: int
    selling_unit: str
    minimum_order: int
    order_step: int
    availability: str
    created_at: datetime.datetime
    published_at: datetime.datetime | None
    rating_average: Decimal
    rating_count: int
    # What marketplace.capacity needs to tell free capacity.
    stock: int
    monthly_capacity: int | None
    output_quantity_kg: int | None
    output_period: str
    weight_per_unit_kg: Decimal | None
    seller: CardSeller
    category: CardCategory | None
    card_images: list[CardImage] = field(default_factory=list)
    in_stock: bool = False

    @property
    def pk(self) -> int:
        return self.id


_CARD_VALUES = {
    "seller_slug": F("seller__slug"),
    "seller_code": F("seller__code"),
    "seller_name": F("seller__name"),
    "seller_kind": F("seller__kind"),
    "seller_verification_status": F("seller__verification_status"),
    "district_code": F("seller__district__code"),
    "district_name": F("seller__district__display_name"),
    "regency_code": F("seller__district__regency__code"),
    "regency_name": F("seller__district__regency__display_name"),
    "province_code": F("seller__district__regency__province__code"),
    "province_name": F("seller__district__regency__province__display_name"),
    "category_slug": F("category__slug"),
    "category_name": F("category__name"),
    "parent_slug": F("category__parent__slug"),
    "parent_name": F("category__parent__name"),
}
# The card's own columns (the rest of ProductCard is built from _CARD_VALUES and the photos).
_CARD_COLUMNS = (
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
    "stock",
    "monthly_capacity",
    "output_quantity_kg",
    "output_period",
    "weight_per_unit_kg",
)


def _card(row: dict, places: dict, categories: dict) -> ProductCard:
    district_code = row["district_code"]
    if district_code not in places:
        places[district_code] = CardPlace(
            district_code,
            row["district_name"],
            regency=CardPlace(
                row["regency_code"],
                row["regency_name"],
                province=CardPlace(row["province_code"], row["province_name"]),
            ),
        )
    category = None
    if row["category_slug"] is not None:
        key = row["category_slug"]
        if key not in categories:
            parent = (
                CardCategory(row["parent_slug"], row["parent_name"])
                if row["parent_slug"] is not None
                else None
            )
            categories[key] = CardCategory(key, row["category_name"], parent)
        category = categories[key]
    seller = CardSeller(
        row["seller_slug"],
        row["seller_code"],
        row["seller_name"],
        row["seller_kind"],
        row["seller_verification_status"],
        places[district_code],
    )
    return ProductCard(
        **{name: row[name] for name in _CARD_COLUMNS}, seller=seller, category=category
    )


def _in_stock(card: ProductCard, month: datetime.date, booked: int) -> bool:
    """DESIGN.md's "in stock", by marketplace.capacity's rules (the same rule as
    with_in_stock, which filters by it in SQL)."""
    if card.availability == Availability.STOCK:
        return card.stock >= card.minimum_order
    capacity = monthly_capacity(card, month)  # type: ignore[arg-type]
    return capacity is not None and capacity - booked >= card.minimum_order


def product_cards(ids: list[int]) -> list[ProductCard]:
    """The catalogue cards of these products, in this order (the second step of a page whose
    ids came from a filtered, ordered catalogue_products()): at most three queries whatever
    the page size — the cards, their first photos, and this month's bookings when a
    made-to-order or recurring-output product is among them. A product that left the
    catalogue between the two steps is left out."""
    if not ids:
        return []
    rows = (
        _public_products()
        .filter(pk__in=ids)
        .order_by()  # the page's order is the ids' order
        .values(*_CARD_COLUMNS, **_CARD_VALUES)
    )
    places: dict = {}
    categories: dict = {}
    by_id = {row["id"]: _card(row, places, categories) for row in rows}
    if not by_id:
        return []
    storage = ProductImage._meta.get_field("thumbnail").storage
    for product_id, thumbnail in (
        ProductImage.objects.filter(product_id__in=list(by_id))
        .order_by("product_id", "position", "id")
        .values_list("product_id", "thumbnail")
    ):
        card = by_id[product_id]
        if not card.card_images and thumbnail:
            card.card_images.append(CardImage(CardFile(thumbnail, storage)))
    month = this_month()
    produced = [pk for pk, card in by_id.items() if card.availability != Availability.STOCK]
    booked = capacity_booked_by_product(product_ids=produced, month=month)
    for pk, card in by_id.items():
        card.in_stock = _in_stock(card, month, booked.get(pk, 0))
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
