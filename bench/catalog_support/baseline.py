"""The baseline of bench/catalog.py: the catalogue's first page of cards written by hand, with
`.values()` and `JsonResponse`: the same rows (published products of verified Posyantek,
newest first), the same page size as the API and roughly the same fields (the first photo's
thumbnail in a second query), through the same middleware.

Its `count` is PostgreSQL's row estimate for the table, as DESIGN.md asks of an unfiltered list
over 10,000 rows: one cheap query instead of a COUNT(*).
"""

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import F
from django.http import JsonResponse

from accounts.models import Organization
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
            "price_amount",
            "selling_unit",
            "minimum_order",
            "availability",
            category_slug=F("category__slug"),
            category_name=F("category__name"),
            seller_slug=F("seller__slug"),
            seller_name=F("seller__name"),
            district_code=F("seller__district_id"),
            district_name=F("seller__district__display_name"),
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
    for row in rows:
        name = thumbnails.get(row["id"])
        row["thumbnail_url"] = (
            request.build_absolute_uri(default_storage.url(name)) if name else None
        )
    return JsonResponse(
        {
            "count": _estimated_count(),
            "next": request.build_absolute_uri("?page=2"),
            "previous": None,
            "results": rows,
        }
    )
