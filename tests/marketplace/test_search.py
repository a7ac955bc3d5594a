"""Catalogue search through the products API: PostgreSQL full text (indonesian stemming,
weights, typo tolerance) on the demo catalogue, and the plain word search of SQLite."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from marketplace import search, services
from marketplace.models import Category, Product, SearchWord
from marketplace.search import search_products, search_vector_refresh
from tests.factories import CategoryFactory, MembershipFactory, ProductFactory

pytestmark = pytest.mark.django_db


def names(api_client, query: str, **params) -> list[str]:
    response = api_client.get("/api/v1/products/", {"q": query, "page_size": 100, **params})
    assert response.status_code == 200, response.json()
    return [row["name"] for row in response.json()["results"]]


@pytest.fixture
def demo(regions):
    call_command("seed_demo", "--force")


# --- PostgreSQL -------------------------------------------------------------------------------


@pytest.mark.postgres
def test_pakan_finds_the_tofu_waste_feed_first(api_client, demo):
    found = names(api_client, "pakan")

    assert found[0] == "Pakan Ternak dari Ampas Tahu"


@pytest.mark.postgres
def test_stemming_finds_the_fish_dryer(api_client, demo):
    assert "Alat Pengering Ikan Tenaga Surya" in names(api_client, "pengering ikan")[:3]
    # `mengeringkan` stems like `pengering` (indonesian configuration).
    assert "Alat Pengering Ikan Tenaga Surya" in names(api_client, "mengeringkan ikan")


@pytest.mark.postgres
def test_a_typo_still_finds_the_grass_chopper(api_client, demo):
    assert names(api_client, "pencacah rumpt")[0] == "Mesin Pencacah Rumput"


@pytest.mark.postgres
def test_a_category_name_finds_its_products(api_client, demo):
    fishery = Category.objects.get(slug="perikanan")
    in_field = set(
        Product.objects.filter(category__parent=fishery, status="published").values_list(
            "name", flat=True
        )
    )
    assert in_field

    found = names(api_client, "perikanan")

    assert in_field <= set(found)


@pytest.mark.postgres
def test_nonsense_finds_nothing(api_client, demo):
    assert names(api_client, "xyzzyqwv") == []


@pytest.mark.postgres
def test_search_is_index_backed(demo):
    """Products are found through the vector's GIN index, for known words and typos alike,
    never by per-row similarity (enable_seqscan off: the demo table is tiny, so the planner
    would otherwise just scan it). A typo is corrected against the vocabulary, which has a
    trigram GIN index (whether the planner uses it depends on the vocabulary's size: the demo's
    few hundred words are read whole; bench/catalog.py shows the plan at 100,000 products)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    words = search_products(Product.objects.order_by(), "pencacah rumput").explain()
    typo = search_products(Product.objects.order_by(), "rumpt").explain()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
            ["marketplace_searchword_word_trgm_gin"],
        )
        (index,) = cursor.fetchone()

    assert "marketplace_product_search_vector_gin" in words
    assert "marketplace_product_search_vector_gin" in typo
    assert "marketplace_product_name_trgm_gin" not in words + typo  # no per-row similarity
    assert "Seq Scan on marketplace_product" not in words + typo
    assert "gin (word gin_trgm_ops)" in index


@pytest.mark.postgres
def test_a_typo_alone_is_corrected_against_the_names_words(api_client, demo):
    assert SearchWord.objects.filter(word__in=["pencacah", "rumput"]).count() == 2
    assert "Mesin Pencacah Rumput" in names(api_client, "rumpt")
    assert names(api_client, "pencacah rumpt") == names(api_client, "pencacah rumput")


@pytest.mark.postgres
def test_services_refresh_the_vector(seller, category):
    manager = MembershipFactory(organization=seller, role=Role.MANAGER).user

    def found(text: str) -> list[str]:
        return [p.name for p in search_products(Product.objects.all(), text)]

    product = services.product_create(
        seller=seller,
        actor=manager,
        name="Mesin Penggiling Jagung",
        kind="ttg_tool",
        category=category,
        description="Kapasitas 100 kg per jam.",
    )
    assert found("penggiling") == ["Mesin Penggiling Jagung"]
    assert SearchWord.objects.filter(word="penggiling").exists()  # the vocabulary too
    assert found("pengiling") == ["Mesin Penggiling Jagung"]  # so a typo finds it

    services.product_update(product=product, actor=manager, data={"name": "Mesin Pemipil Kedelai"})

    assert found("kedelai") == ["Mesin Pemipil Kedelai"]
    assert found("jagung") == []
    assert found("pemipl") == ["Mesin Pemipil Kedelai"]
    assert found("kapasitas") == ["Mesin Pemipil Kedelai"]  # its description
    # A category renamed outside the admin shows after a reindex.
    Category.objects.filter(pk=category.pk).update(name="Alat Hortikultura")
    assert found("hortikultura") == []
    call_command("search_reindex")
    assert found("hortikultura") == ["Mesin Pemipil Kedelai"]
    # A full reindex drops the words no name has any more.
    assert not SearchWord.objects.filter(word="jagung").exists()
    assert SearchWord.objects.filter(word="kedelai").exists()


@pytest.mark.postgres
def test_reindex_is_one_statement(demo, capsys):
    Product.objects.update(search_vector=None)
    with CaptureQueriesContext(connection) as queries:
        updated = search_vector_refresh()

    assert len(queries) == 1
    assert updated == Product.objects.count()
    assert not Product.objects.filter(search_vector__isnull=True).exists()
    call_command("search_reindex")
    assert str(updated) in capsys.readouterr().out


@pytest.mark.postgres
def test_the_rank_window_pages_consistently(api_client, monkeypatch, seller, category):
    """Above RANK_WINDOW matches only the newest RANK_WINDOW are ranked by relevance, the older
    ones follow newest first: the pages read across that edge (the first ones from the ranked
    head alone) add up to every match once, in that order."""
    monkeypatch.setattr(search, "RANK_WINDOW", 5)
    products = []
    for number in range(1, 13):  # all mention "pakan" (the factory's description)
        name = {2: "Pakan Ayam Lama", 10: "Pakan Ternak Baru"}.get(number, f"Mesin Cacah {number}")
        products.append(ProductFactory(seller=seller, category=category, name=name))
    newest_first = sorted(products, key=lambda product: product.pk, reverse=True)

    pages, page = [], 1
    while True:
        response = api_client.get("/api/v1/products/", {"q": "pakan", "page_size": 3, "page": page})
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 12
        pages.append([row["slug"] for row in body["results"]])
        if not body["next"]:
            break
        page += 1

    found = [slug for rows in pages for slug in rows]
    assert [len(rows) for rows in pages] == [3, 3, 3, 3]
    assert len(found) == len(set(found)) == 12  # no duplicates, no gaps
    # The ranked head: the five newest, the best name match ("Pakan Ternak Baru") first.
    assert found[0] == products[9].slug
    assert set(found[:5]) == {product.slug for product in newest_first[:5]}
    # Then the older matches, newest first — the older "Pakan Ayam Lama" among them.
    assert found[5:] == [product.slug for product in newest_first[5:]]
    # Without the window, the best names lead.
    monkeypatch.setattr(search, "RANK_WINDOW", 1_000)
    response = api_client.get("/api/v1/products/", {"q": "pakan", "page_size": 2})
    assert {row["name"] for row in response.json()["results"]} == {
        "Pakan Ternak Baru",
        "Pakan Ayam Lama",
    }


# --- SQLite -----------------------------------------------------------------------------------


@pytest.fixture
def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("the word search is SQLite's fallback")


@pytest.mark.smoke  # CI runs the smoke tests on SQLite too
def test_word_search_needs_every_word(api_client, sqlite_only, seller):
    field = CategoryFactory(name="Perikanan")
    sub = CategoryFactory(name="Alat Perikanan", parent=field)
    dryer = ProductFactory(
        seller=seller,
        category=sub,
        name="Alat Pengering Ikan Tenaga Surya",
        description="Menjemur ikan asin.",
    )
    chopper = ProductFactory(seller=seller, name="Mesin Pencacah Rumput", description="Cepat.")
    ProductFactory(seller=seller, name="Pakan Ternak", description="Dari ampas tahu.")
    ProductFactory(seller=seller, name="Pakan Ikan", description="Pelet.", status="draft")

    assert names(api_client, "PENGERING ikan") == [dryer.name]
    assert names(api_client, "pengering rumput") == []
    assert names(api_client, "perikanan") == [dryer.name]  # by its parent category
    assert names(api_client, "ampas") == ["Pakan Ternak"]  # by description
    assert names(api_client, "cepat pencacah") == [chopper.name]


@pytest.mark.smoke  # CI runs the smoke tests on SQLite too
def test_word_search_ranks_names_first(api_client, sqlite_only, seller):
    ProductFactory(seller=seller, name="Ampas Tahu Basah", description="Untuk pakan.")
    ProductFactory(seller=seller, name="Pakan Ternak dari Ampas Tahu", description="Fermentasi.")

    assert names(api_client, "pakan") == ["Pakan Ternak dari Ampas Tahu", "Ampas Tahu Basah"]
    assert names(api_client, "pakan", ordering="-created")[0] == "Pakan Ternak dari Ampas Tahu"


@pytest.mark.smoke  # CI runs the smoke tests on SQLite too
def test_reindex_does_nothing_on_sqlite(sqlite_only, capsys):
    assert search_vector_refresh() == 0
    call_command("search_reindex")
    assert "PostgreSQL" in capsys.readouterr().out
