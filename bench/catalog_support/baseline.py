"""The baseline of bench/catalog.py: the catalogue's first page of cards written by hand, with
`.values()` and `JsonResponse`: the same rows (published products of verified Posyantek,
newest first), the same page size and the same cards as the API — every field, down to the
in-stock flag and the region names (bench/catalog.py checks the two pages are equal) — in the
fewest queries a hand-written view needs: the cards with their joins, the first photos, this
month's bookings (in stock by marketplace.capacity's rule, as the API), through the same
middleware.

Its `count` is PostgreSQL's row estimate for the table, as DESIGN.md asks of an unfiltered list
over 10,000 rows: one cheap query instead of a COUNT(*).
"""

from types import SimpleNamespace

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import F
from django.http import JsonResponse

from accounts.models import Organization
from marketplace.capacity import capacity_booked_by_product, monthly_capacity, this_month
from marketplace.models import Product, ProductImage


def _estimated_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = 'marketplace_product'::regclass"
        )
        return max(cursor.fetchone()[0], 0)


def product_cards(request):
    page_size = settings.REST_FRAMEWORK["PAGE_SIZE"]
    rows = list(
        Product.objects.filter(
            status=Product.Status.PUBLISHED,
            seller__verification_status=Organization.VerificationStatus.VERIFIED,
        )
        .order_by("-created_at", "-id")  # the catalogue's default order
        .values(
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
            "stock",
            "monthly_capacity",
            "output_quantity_kg",
            "output_period",
            "weight_per_unit_kg",
            "rating_average",
            "rating_count",
            "category_id",
            category_slug=F("category__slug"),
            category_name=F("category__name"),
            parent_slug=F("category__parent__slug"),
            parent_name=F("category__parent__name"),
            seller_slug=F("seller__slug"),
            seller_code=F("seller__code"),
            seller_name=F("seller__name"),
            seller_status=F("seller__verification_status"),
            district=F("seller__district_id"),
            district_name=F("seller__district__display_name"),
            regency=F("seller__district__regency_id"),
            regency_name=F("seller__district__regency__display_name"),
            province=F("seller__district__regency__province_id"),
            province_name=F("seller__district__regency__province__display_name"),
        )[:page_size]
    )
    # The first photo of each, in one more query.
    thumbnails: dict[int, str] = {}
    for product_id, thumbnail in (
        ProductImage.objects.filter(product_id__in=[row["id"] for row in rows])
        .order_by("product_id", "position", "id")
        .values_list("product_id", "thumbnail")
    ):
        thumbnails.setdefault(product_id, thumbnail)
    # In stock (DESIGN.md): stock ≥ minimum order, or this month's free capacity ≥ minimum
    # order — capacity by marketplace.capacity's rule, this month's bookings in one query.
    month = this_month()
    booked = capacity_booked_by_product(
        product_ids=[row["id"] for row in rows if row["availability"] != "stock"], month=month
    )
    for row in rows:
        if row["availability"] == "stock":
            row["in_stock"] = row["stock"] >= row["minimum_order"]
        else:
            free = (monthly_capacity(SimpleNamespace(**row), month) or 0) - booked.get(row["id"], 0)
            row["in_stock"] = free >= row["minimum_order"]
    cards = []
    for row in rows:
        name = thumbnails.get(row["id"])
        cards.append(
            {
                "slug": row["slug"],
                "name": row["name"],
                "kind": row["kind"],
                "status": row["status"],
                "price_amount": row["price_amount"],
                "selling_unit": row["selling_unit"],
                "minimum_order": row["minimum_order"],
                "order_step": row["order_step"],
                "availability": row["availability"],
                "category": None
                if row["category_id"] is None
                else {
                    "slug": row["category_slug"],
                    "name": row["category_name"],
                    "parent_slug": row["parent_slug"],
                    "parent_name": row["parent_name"],
                },
                "seller": {
                    "slug": row["seller_slug"],
                    "code": row["seller_code"],
                    "name": row["seller_name"],
                    "is_verified": row["seller_status"] == Organization.VerificationStatus.VERIFIED,
                },
                "region": {
                    "district": row["district"],
                    "district_name": row["district_name"],
                    "regency": row["regency"],
                    "regency_name": row["regency_name"],
                    "province": row["province"],
                    "province_name": row["province_name"],
                },
                "thumbnail_url": (
                    request.build_absolute_uri(default_storage.url(name)) if name else None
                ),
                "in_stock": row["in_stock"],
                "rating": float(row["rating_average"]),
                "rating_count": row["rating_count"],
            }
        )
    return JsonResponse(
        {
            "count": _estimated_count(),
            "next": request.build_absolute_uri("?page=2"),
            "previous": None,
            "results": cards,
        }
    )
