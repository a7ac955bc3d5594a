"""The buyer's pages: the catalogue (search, filters, ordering, errors), the public product page
(WhatsApp link, region breadcrumb, related products) and a Posyantek's storefront — asserting
status codes, which products are listed, links and query counts (never the wording)."""

import datetime
import re
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organization, Role
from marketplace.models import Product
from regions.models import District
from tests.factories import (
    CategoryFactory,
    CertificationFactory,
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("marketplace:catalogue")


def listed(response) -> list[str]:
    return [product.slug for product in response.context["page"].object_list]


@pytest.fixture
def catalogue(seller, regions):
    """Products of two verified Posyantek (Cilegon and Samarinda), plus ones buyers never see."""
    feed_field = CategoryFactory(parent=None, slug="peternakan-uji", name="Peternakan")
    feed = CategoryFactory(parent=feed_field, slug="pakan-uji", name="Pakan Ternak")
    tools = CategoryFactory(slug="alat-uji", name="Alat Pertanian")
    samarinda = OrganizationFactory(
        slug="smu", code="SMU", district=District.objects.get(code="64.72.03")
    )
    unverified = OrganizationFactory(
        slug="belum", code="BLM", verification_status=Organization.VerificationStatus.PENDING
    )
    products = {
        "pakan": ProductFactory(
            seller=seller,
            category=feed,
            kind="processed",
            name="Pakan Ternak dari Ampas Tahu",
            slug="pakan-ternak-dari-ampas-tahu-pwk",
            description="Pakan fermentasi untuk sapi.",
            price_amount=175_000,
            minimum_order=2,
            stock=40,
        ),
        "pencacah": ProductFactory(
            seller=seller,
            category=tools,
            name="Mesin Pencacah Rumput",
            slug="mesin-pencacah-rumput-pwk",
            description="Mencacah rumput gajah.",
            price_amount=4_500_000,
            stock=0,
        ),
        "tas": ProductFactory(
            seller=samarinda,
            category=feed_field,
            kind="processed",
            name="Tas Anyaman Manik",
            slug="tas-anyaman-manik-smu",
            description="Tas rotan.",
            price_amount=225_000,
        ),
        "draft": ProductFactory(seller=seller, category=feed, status="draft", slug="draf-pwk"),
        "hidden": ProductFactory(
            seller=seller, category=feed, status="hidden", hidden_reason="Salah", slug="sembunyi"
        ),
        "unverified": ProductFactory(seller=unverified, category=feed, slug="belum-blm"),
    }
    CertificationFactory(product=products["pakan"], type="npp")
    CertificationFactory(
        product=products["tas"], type="halal", valid_until=datetime.date(2020, 1, 1)
    )
    return products


# --- The catalogue ----------------------------------------------------------------------------


def test_the_catalogue_lists_public_products_only(client: Client, catalogue):
    response = client.get(CATALOGUE)

    assert response.status_code == 200
    assert sorted(listed(response)) == sorted(
        ["pakan-ternak-dari-ampas-tahu-pwk", "mesin-pencacah-rumput-pwk", "tas-anyaman-manik-smu"]
    )
    body = response.content.decode()
    assert "Rp 175.000" in body
    assert reverse("marketplace:detail", args=["pakan-ternak-dari-ampas-tahu-pwk"]) in body
    for hidden in ("draf-pwk", "sembunyi", "belum-blm"):
        assert reverse("marketplace:detail", args=[hidden]) not in body


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"q": "pakan"}, ["pakan-ternak-dari-ampas-tahu-pwk"]),
        ({"q": "rumput gajah"}, ["mesin-pencacah-rumput-pwk"]),
        ({"q": "tidak-ada-sama-sekali"}, []),
        ({"category": "pakan-uji"}, ["pakan-ternak-dari-ampas-tahu-pwk"]),
        # A field includes its sub-categories.
        (
            {"category": "peternakan-uji"},
            ["pakan-ternak-dari-ampas-tahu-pwk", "tas-anyaman-manik-smu"],
        ),
        ({"category": "tidak-ada"}, []),
        ({"kind": "ttg_tool"}, ["mesin-pencacah-rumput-pwk"]),
        ({"province": "64"}, ["tas-anyaman-manik-smu"]),
        (
            {"regency": "36.72"},
            ["mesin-pencacah-rumput-pwk", "pakan-ternak-dari-ampas-tahu-pwk"],
        ),
        ({"district": "64.72.03"}, ["tas-anyaman-manik-smu"]),
        ({"province": "36", "regency": "36.72", "district": "36.72.01"}, []),
        ({"min_price": "200000", "max_price": "1000000"}, ["tas-anyaman-manik-smu"]),
        ({"certification": "npp"}, ["pakan-ternak-dari-ampas-tahu-pwk"]),
        ({"certification": "halal"}, []),  # expired
        ({"in_stock": "true"}, ["pakan-ternak-dari-ampas-tahu-pwk", "tas-anyaman-manik-smu"]),
        ({"seller": "smu"}, ["tas-anyaman-manik-smu"]),
    ],
)
def test_filters(client: Client, catalogue, query, expected):
    response = client.get(CATALOGUE, query)

    assert response.status_code == 200
    assert sorted(listed(response)) == sorted(expected)


def test_ordering_by_price(client: Client, catalogue):
    cheapest_first = listed(client.get(CATALOGUE, {"ordering": "price"}))
    dearest_first = listed(client.get(CATALOGUE, {"ordering": "-price"}))

    assert cheapest_first == [
        "pakan-ternak-dari-ampas-tahu-pwk",
        "tas-anyaman-manik-smu",
        "mesin-pencacah-rumput-pwk",
    ]
    assert dearest_first == cheapest_first[::-1]


def test_a_link_with_only_a_kecamatan_shows_its_whole_place_in_the_picker(client, catalogue):
    body = client.get(CATALOGUE, {"district": "64.72.03"}).content.decode()

    for code in ("64", "64.72", "64.72.03"):
        assert re.search(rf'<option value="{re.escape(code)}" selected>', body), code


def test_a_changed_province_drops_the_old_regency_without_javascript(client, catalogue):
    # Without JavaScript the form still sends the regency and kecamatan of the old province.
    response = client.get(CATALOGUE, {"province": "64", "regency": "36.72", "district": "36.72.07"})

    assert response.status_code == 200
    assert listed(response) == ["tas-anyaman-manik-smu"]


@pytest.mark.parametrize(
    "query, field",
    [
        ({"min_price": "abc"}, "min_price"),
        ({"max_price": "-5"}, "max_price"),
        ({"max_price": "9" * 30}, "max_price"),
        ({"kind": "kapal"}, "kind"),
        ({"province": "xx"}, "place"),
        ({"district": "36.72"}, "place"),
        ({"certification": "iso"}, "certification"),
        ({"ordering": "name"}, "ordering"),
        ({"q": "pakan " * 100}, "q"),
        ({"q": "pakan\x00"}, "q"),
        ({"category": "pakan\x00"}, "category"),
    ],
)
def test_bad_filter_values_show_the_page_with_the_message_and_400(
    client: Client, catalogue, query, field
):
    response = client.get(CATALOGUE, query)

    assert response.status_code == 400
    form = response.context["form"]
    if field in form.fields:
        assert form.errors[field]
    else:
        assert form.non_field_errors()
    assert listed(response) == []
    assert b'class="error-summary"' in response.content


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999999", "9" * 40])
def test_any_page_number_gives_a_page(client: Client, catalogue, page):
    response = client.get(CATALOGUE, {"page": page})

    assert response.status_code == 200
    assert len(listed(response)) == 3


def test_the_catalogue_pages_through_the_products(client: Client, seller):
    ProductFactory.create_batch(30, seller=seller)

    first = client.get(CATALOGUE, {"q": "pencacah"})
    second = client.get(CATALOGUE, {"q": "pencacah", "page": "2"})

    assert len(listed(first)) == 24
    assert len(listed(second)) == 6
    assert not set(listed(first)) & set(listed(second))
    assert "?q=pencacah&amp;page=2" in first.content.decode()


def test_home_has_a_search_box_and_a_link_to_the_catalogue(client: Client):
    body = client.get(reverse("home")).content.decode()

    assert f'action="{CATALOGUE}"' in body
    assert 'name="q"' in body


# --- The product page -------------------------------------------------------------------------


def test_the_product_page_has_whatsapp_breadcrumb_storefront_and_related(client, catalogue):
    product = catalogue["pakan"]
    same_category = ProductFactory.create_batch(5, seller=product.seller, category=product.category)
    ProductFactory(seller=product.seller, category=product.category, status="draft")

    response = client.get(reverse("marketplace:detail", args=[product.slug]))

    assert response.status_code == 200
    body = response.content.decode()
    link = re.search(r'id="whatsapp-link" href="([^"]+)"', body).group(1).replace("&amp;", "&")
    assert link.startswith("https://wa.me/6281234567890?text=")
    text = link.split("?text=", 1)[1]
    assert quote(product.name, safe="") in text
    assert " " not in text
    assert quote(f"http://testserver/produk/{product.slug}/", safe="") in text
    for param, code in (("province", "36"), ("regency", "36.72"), ("district", "36.72.07")):
        assert f'href="{CATALOGUE}?{param}={code}"' in body
    assert reverse("marketplace:storefront", args=[product.seller.slug]) in body
    related = [item.slug for item in response.context["related"]]
    assert len(related) == 4
    assert set(related) <= {item.slug for item in same_category}
    assert product.user_guide.name == "" or 'id="user-guide"' in body
    assert [c.type for c in response.context["certifications"]] == ["npp"]


def test_the_product_page_runs_the_same_queries_with_few_or_many_related(client, seller):
    category = CategoryFactory()
    product = ProductFactory(seller=seller, category=category)
    url = reverse("marketplace:detail", args=[product.slug])
    ProductFactory(seller=seller, category=category)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    ProductFactory.create_batch(10, seller=seller, category=category)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200

    assert len(many) == len(few)


def test_product_pages_that_buyers_may_not_see_are_404(client: Client, catalogue):
    other_member = MembershipFactory(
        organization=OrganizationFactory(slug="lain", code="LAIN"), role=Role.OWNER
    ).user
    client.force_login(other_member, backend="accounts.backends.EmailBackend")

    for slug in ("tidak-ada", "draf-pwk", "sembunyi", "belum-blm"):
        assert client.get(reverse("marketplace:detail", args=[slug])).status_code == 404, slug


def test_no_whatsapp_number_means_no_whatsapp_link(client: Client, catalogue):
    product = catalogue["tas"]
    Organization.objects.filter(pk=product.seller_id).update(whatsapp="")

    body = client.get(reverse("marketplace:detail", args=[product.slug])).content.decode()

    assert "wa.me" not in body


# --- The storefront ---------------------------------------------------------------------------


def test_the_storefront_shows_the_posyantek_and_its_public_products(client, catalogue, seller):
    response = client.get(reverse("marketplace:storefront", args=[seller.slug]))

    assert response.status_code == 200
    assert sorted(listed(response)) == [
        "mesin-pencacah-rumput-pwk",
        "pakan-ternak-dari-ampas-tahu-pwk",
    ]
    body = response.content.decode()
    assert 'id="verified-badge"' in body
    assert 'href="https://wa.me/6281234567890?text=' in body


def test_storefronts_of_anything_but_a_verified_posyantek_are_404(client: Client, catalogue):
    industry = OrganizationFactory(kind=Organization.Kind.INDUSTRY, slug="pabrik", code="PBR")
    rejected = OrganizationFactory(
        slug="ditolak", code="TLK", verification_status=Organization.VerificationStatus.REJECTED
    )
    for slug in (industry.slug, rejected.slug, "belum", "tidak-ada"):
        response = client.get(reverse("marketplace:storefront", args=[slug]))
        assert response.status_code == 404, slug


# --- Query budgets ----------------------------------------------------------------------------


def queries_for(client: Client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "pencacah", "in_stock": "true", "province": "36", "certification": "pirt"}],
)
def test_the_catalogue_runs_the_same_queries_for_10_and_40_products(client, seller, params):
    def add(count: int) -> None:
        for product in ProductFactory.create_batch(count, seller=seller):
            CertificationFactory(product=product)
            product.images.create(image="a.jpg", thumbnail="a-thumb.jpg")

    add(10)
    ten = queries_for(client, CATALOGUE, params)
    add(30)
    forty = queries_for(client, CATALOGUE, params)

    assert Product.objects.count() == 40
    assert forty == ten


def test_the_storefront_runs_the_same_queries_for_10_and_40_products(client, seller):
    url = reverse("marketplace:storefront", args=[seller.slug])
    ProductFactory.create_batch(10, seller=seller)
    ten = queries_for(client, url)
    ProductFactory.create_batch(30, seller=seller)
    forty = queries_for(client, url)

    assert forty == ten
