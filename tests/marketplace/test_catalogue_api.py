"""The public catalogue API for buyers: every filter and ordering, bad values as 400 with a
message per field, Posyantek storefronts, query budgets independent of page size, and the
cached count of the whole catalogue above the exact-count limit."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.models import Certification, Product, ProductImage
from regions.models import District
from tests.factories import CategoryFactory, OrganizationFactory, ProductFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"


def slugs(api_client, query: str = "") -> list[str]:
    response = api_client.get(f"{PRODUCTS}?page_size=100&{query}")
    assert response.status_code == 200, response.json()
    return [row["slug"] for row in response.json()["results"]]


@pytest.fixture
def catalogue(regions, seller):
    """Five public products across three places, two categories under one field, prices,
    stock and certificates apart; plus a draft that no filter may reveal."""
    field = CategoryFactory(name="Peternakan & Pakan", slug="uji-peternakan", parent=None)
    feed = CategoryFactory(name="Pakan Ternak", slug="uji-pakan-ternak", parent=field)
    tools = CategoryFactory(name="Alat Pakan", slug="uji-alat-pakan", parent=field)
    water = CategoryFactory(name="Air Bersih", slug="uji-air-bersih", parent=None)
    cibeber = OrganizationFactory(
        slug="cibeber", code="CBB", district=District.objects.get(code="36.72.01")
    )
    serang = OrganizationFactory(
        slug="kramatwatu", code="KWT", district=District.objects.get(code="36.04.05")
    )
    jakarta = OrganizationFactory(
        slug="cempaka", code="CPT", district=District.objects.get(code="31.71.05")
    )
    now = timezone.now()
    made = {
        "pakan": ProductFactory(
            seller=seller,
            category=feed,
            slug="pakan",
            name="Pakan Ternak dari Ampas Tahu",
            kind="processed",
            price_amount=150_000,
            stock=0,
            minimum_order=2,
        ),
        "pencacah": ProductFactory(
            seller=cibeber,
            category=tools,
            slug="pencacah",
            name="Mesin Pencacah Rumput",
            price_amount=4_500_000,
            stock=3,
        ),
        "pelet": ProductFactory(
            seller=serang,
            category=tools,
            slug="pelet",
            name="Mesin Pencetak Pelet",
            price_amount=7_000_000,
            stock=1,
        ),
        "saringan": ProductFactory(
            seller=jakarta,
            category=water,
            slug="saringan",
            name="Alat Penyaring Air",
            kind="ttg_tool",
            price_amount=850_000,
            stock=5,
        ),
        "pelatihan": ProductFactory(
            seller=jakarta,
            category=water,
            slug="pelatihan",
            name="Pelatihan Penyaring Air",
            kind="method",
            price_amount=850_000,
            availability="made_to_order",
            monthly_capacity=4,
            stock=0,
        ),
    }
    for index, product in enumerate(made.values()):  # created in this order, a minute apart
        Product.objects.filter(pk=product.pk).update(
            created_at=now - datetime.timedelta(minutes=10 - index)
        )
    ProductFactory(seller=seller, category=feed, slug="draf", status="draft", price_amount=1)
    Certification.objects.create(product=made["pakan"], type="npp", number="NPP-1")
    Certification.objects.create(organization=jakarta, type="sni", number="SNI-1")
    Certification.objects.create(
        product=made["pelet"],
        type="sni",
        number="SNI-OLD",
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    return made


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", {"pakan", "pencacah", "pelet", "saringan", "pelatihan"}),
        ("category=uji-peternakan", {"pakan", "pencacah", "pelet"}),
        ("category=uji-alat-pakan", {"pencacah", "pelet"}),
        ("category=tidak-ada", set()),
        ("kind=method", {"pelatihan"}),
        ("province=36", {"pakan", "pencacah", "pelet"}),
        ("province=31", {"saringan", "pelatihan"}),
        ("province=64", set()),
        ("regency=36.72", {"pakan", "pencacah"}),
        ("district=36.72.01", {"pencacah"}),
        ("min_price=850000&max_price=4500000", {"pencacah", "saringan", "pelatihan"}),
        ("max_price=150000", {"pakan"}),
        ("certification=npp", {"pakan"}),
        ("certification=sni", {"saringan", "pelatihan"}),  # the seller's; pelet's expired
        ("certification=halal", set()),
        ("in_stock=true", {"pencacah", "pelet", "saringan", "pelatihan"}),
        ("in_stock=false", {"pakan"}),  # 0 in stock, minimum order 2
        ("in_stock=", {"pakan", "pencacah", "pelet", "saringan", "pelatihan"}),
        ("seller=cempaka", {"saringan", "pelatihan"}),
        ("seller=tidak-ada", set()),
        ("q=penyaring", {"saringan", "pelatihan"}),
        ("q=mesin+pelet", {"pelet"}),
        ("q=pakan&province=36&max_price=200000", {"pakan"}),
    ],
)
def test_filters(api_client, catalogue, query, expected):
    assert set(slugs(api_client, query)) == expected


def test_orderings(api_client, catalogue):
    assert slugs(api_client) == ["pelatihan", "saringan", "pelet", "pencacah", "pakan"]
    assert slugs(api_client, "ordering=-created") == slugs(api_client)
    # Equal prices: newest id first, as everywhere.
    assert slugs(api_client, "ordering=price") == [
        "pakan",
        "pelatihan",
        "saringan",
        "pencacah",
        "pelet",
    ]
    prices = [
        row["price_amount"]
        for row in api_client.get(f"{PRODUCTS}?ordering=-price").json()["results"]
    ]
    assert prices == sorted(prices, reverse=True) and prices[0] == 7_000_000
    # Rating is 0 for all until reviews exist: newest first among equals.
    assert slugs(api_client, "ordering=-rating") == slugs(api_client)
    # Relevance by default with q; an explicit ordering wins.
    assert slugs(api_client, "q=pakan")[0] == "pakan"
    assert slugs(api_client, "q=penyaring+air&ordering=price") == ["pelatihan", "saringan"]


def test_card_carries_rating_and_in_stock(api_client, catalogue):
    ProductImage.objects.create(
        product=catalogue["pakan"], image="p/2.jpg", thumbnail="p/2-t.jpg", position=2
    )
    ProductImage.objects.create(
        product=catalogue["pakan"], image="p/1.jpg", thumbnail="p/1-t.jpg", position=1
    )

    card = next(row for row in api_client.get(PRODUCTS).json()["results"] if row["slug"] == "pakan")

    assert card["rating"] == 0 and card["rating_count"] == 0
    assert card["in_stock"] is False
    assert card["thumbnail_url"] == "http://testserver/media/p/1-t.jpg"
    assert card["region"]["province_name"] == "Banten"
    assert card["category"]["parent_slug"] == "uji-peternakan"


@pytest.mark.parametrize(
    "query, field",
    [
        ("min_price=abc", "min_price"),
        ("min_price=1e99", "min_price"),
        ("max_price=-5", "max_price"),
        (f"max_price={'9' * 30}", "max_price"),
        ("min_price=1.5", "min_price"),
        ("province=xx", "province"),
        ("province=36.72", "province"),
        ("regency=36", "regency"),
        ("district=36.72.07.1004", "district"),
        ("ordering=foo", "ordering"),
        ("ordering=name", "ordering"),
        ("certification=unknown", "certification"),
        ("kind=kapal", "kind"),
        ("in_stock=maybe", "in_stock"),
        (f"q={'pakan+' * 60}", "q"),
    ],
)
def test_bad_values_are_400_with_a_message_for_the_field(api_client, catalogue, query, field):
    response = api_client.get(f"{PRODUCTS}?{query}", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [field]
    assert body["errors"][field][0]
    assert body["detail"].startswith(f"{field}: ")


def test_price_message_names_the_rule(api_client, catalogue):
    body = api_client.get(f"{PRODUCTS}?min_price=abc", HTTP_ACCEPT_LANGUAGE="en").json()

    assert body["errors"]["min_price"] == [
        "Give a whole number of Rupiah between 0 and 1,000,000,000,000,000."
    ]


def test_region_message_gives_an_example(api_client, catalogue):
    body = api_client.get(f"{PRODUCTS}?regency=36", HTTP_ACCEPT_LANGUAGE="en").json()

    assert body["errors"]["regency"] == ["Give a Kemendagri code of a regency/city, e.g. 36.72."]


# --- Posyantek storefronts --------------------------------------------------------------------


def test_posyanteks_lists_verified_posyantek_with_their_product_counts(api_client, catalogue):
    OrganizationFactory(slug="menunggu", code="MNG", verification_status="pending")
    OrganizationFactory(slug="pabrik", code="PBK", kind="industry")

    response = api_client.get("/api/v1/posyanteks/")

    assert response.status_code == 200
    rows = {row["slug"]: row for row in response.json()["results"]}
    assert set(rows) == {"pwk", "cibeber", "kramatwatu", "cempaka"}
    assert rows["pwk"]["product_count"] == 1  # its draft does not count
    assert rows["cempaka"]["product_count"] == 2
    assert rows["cempaka"]["place"]["district"] == "31.71.05"
    assert rows["cempaka"]["products_url"] == "http://testserver/api/v1/products/?seller=cempaka"
    assert set(slugs(api_client, "seller=cempaka")) == {"saringan", "pelatihan"}


def test_posyantek_storefront(api_client, catalogue):
    response = api_client.get("/api/v1/posyanteks/pwk/")

    assert response.status_code == 200
    assert response.json()["name"] == "Posyantek Kecamatan Purwakarta"
    assert response.json()["product_count"] == 1


@pytest.mark.parametrize("slug", ["tidak-ada", "menunggu", "pabrik"])
def test_storefront_of_anything_else_is_404(api_client, catalogue, slug):
    OrganizationFactory(slug="menunggu", code="MNG", verification_status="pending")
    OrganizationFactory(slug="pabrik", code="PBK", kind="industry")

    response = api_client.get(f"/api/v1/posyanteks/{slug}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- Query budgets ----------------------------------------------------------------------------


def _queries(api_client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(path)
    assert response.status_code == 200
    return len(queries)


def _add_products(n: int) -> None:
    category = CategoryFactory()
    for _ in range(n):
        product = ProductFactory(seller=OrganizationFactory(), category=category)
        ProductImage.objects.create(product=product, image="p/a.jpg", thumbnail="p/a-t.jpg")
        Certification.objects.create(product=product, type="pirt", number="P-IRT")


LISTS = [
    "/api/v1/products/?page_size=100",
    "/api/v1/products/?page_size=100&q=pencacah&in_stock=true&province=36&certification=pirt"
    "&ordering=-price",
    "/api/v1/posyanteks/?page_size=100",
]


@pytest.mark.parametrize("path", LISTS)
def test_lists_run_the_same_queries_for_10_and_100_items(api_client, regions, path):
    cache.clear()
    _add_products(10)
    ten = _queries(api_client, path)
    _add_products(90)
    hundred = _queries(api_client, path)

    # at most: count, the page's ids, their cards, their first photos (+ on PostgreSQL, with
    # q, which words full text knows)
    assert ten == hundred <= 5
    assert len(api_client.get(path).json()["results"]) == 100


# --- Count above the exact-count limit --------------------------------------------------------


def test_whole_catalogue_uses_a_cached_count_above_the_limit(api_client, regions, settings):
    settings.API_EXACT_COUNT_LIMIT = 5
    cache.clear()
    _add_products(6)

    assert api_client.get(PRODUCTS).json()["count"] == 6  # counted once, then cached
    _add_products(1)
    with CaptureQueriesContext(connection) as queries:
        body = api_client.get(f"{PRODUCTS}?ordering=price").json()

    assert body["count"] == 6  # the cached figure: no COUNT(*) on this page
    assert not any("COUNT(" in query["sql"].upper() for query in queries)
    assert len(body["results"]) == 7
    # A filtered list always counts exactly.
    assert api_client.get(f"{PRODUCTS}?in_stock=true").json()["count"] == 7


def test_below_the_limit_the_count_is_exact(api_client, regions, settings):
    settings.API_EXACT_COUNT_LIMIT = 10
    cache.clear()
    _add_products(6)
    assert api_client.get(PRODUCTS).json()["count"] == 6
    _add_products(1)

    assert api_client.get(PRODUCTS).json()["count"] == 7


def test_a_filtered_list_counts_up_to_its_limit_then_says_more(api_client, regions, settings):
    settings.API_FILTERED_COUNT_LIMIT = 4
    _add_products(6)

    body = api_client.get(f"{PRODUCTS}?in_stock=true&page_size=2").json()

    assert body["count"] == 5  # "more than 4"
    assert len(body["results"]) == 2 and body["next"]
    settings.API_FILTERED_COUNT_LIMIT = 10
    assert api_client.get(f"{PRODUCTS}?in_stock=true").json()["count"] == 6
