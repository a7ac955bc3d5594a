"""The catalogue API: every write with success, anonymous, another organisation's member, too
low a role, platform staff and bad input — asserting the body and that nothing changed; the
lists with their query budgets."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Role
from marketplace.models import (
    Category,
    Certification,
    Product,
    ProductEvent,
    ProductImage,
    StockMovement,
)
from tests.factories import (
    CategoryFactory,
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def people(seller):
    """Owner, manager and staff of `seller`; the owner of another Posyantek; a stranger;
    platform staff; an anonymous client — each as an API client."""
    other = OrganizationFactory(name="Posyantek Lain", slug="lain", code="LAIN")
    users = {
        "owner": MembershipFactory(organization=seller, role=Role.OWNER).user,
        "manager": MembershipFactory(organization=seller, role=Role.MANAGER).user,
        "staff": MembershipFactory(organization=seller, role=Role.STAFF).user,
        "other_owner": MembershipFactory(organization=other, role=Role.OWNER).user,
        "stranger": UserFactory(),
        "platform": UserFactory(is_staff=True),
    }
    clients = {name: client_for(user) for name, user in users.items()}
    clients["anonymous"] = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    return clients | {"users": users}


@pytest.fixture
def product(seller, category):
    return ProductFactory(seller=seller, category=category, slug="mesin-pencacah", stock=10)


@pytest.fixture
def draft(seller, category):
    return ProductFactory(seller=seller, category=category, slug="draf-mesin", status="draft")


REFUSED = [
    ("anonymous", 401),
    ("other_owner", 403),
    ("stranger", 403),
    ("staff", 403),
    ("platform", 403),
]


def snapshot(*products: Product) -> dict:
    rows = []
    for item in products:
        item.refresh_from_db()
        rows.append({f.attname: getattr(item, f.attname) for f in Product._meta.concrete_fields})
    return {
        "products": rows,
        "product_count": Product.objects.count(),
        "events": ProductEvent.objects.count(),
        "stock_movements": StockMovement.objects.count(),
        "images": ProductImage.objects.count(),
        "certifications": Certification.objects.count(),
    }


def url(slug: str, action: str = "") -> str:
    return f"/api/v1/products/{slug}/" + (f"{action}/" if action else "")


def valid_body(category_: Category, **changes) -> dict:
    return {
        "organization": "pwk",
        "name": "Pakan Ternak dari Ampas Tahu",
        "kind": "processed",
        "category": category_.slug,
        "description": "Pakan fermentasi dari ampas tahu.",
        "specs": [{"key": "Protein", "value": "18 %"}],
        "selling_unit": "karung 50 kg",
        "minimum_order": 2,
        "order_step": 2,
        "price_amount": 150_000,
        "weight_per_unit_kg": "50",
        "availability": "stock",
        **changes,
    }


# --- Categories -------------------------------------------------------------------------------


def test_category_tree_is_public_with_children_in_fixed_queries(
    api_client, category, django_assert_max_num_queries
):
    CategoryFactory(parent=category.parent, slug="kategori-kedua", name="Kedua")

    with django_assert_max_num_queries(2):
        response = api_client.get("/api/v1/categories/")

    assert response.status_code == 200
    tree = {row["slug"]: row for row in response.json()}
    children = tree[category.parent.slug]["children"]
    assert [child["slug"] for child in children] == ["kategori-kedua", category.slug]
    assert category.slug not in tree  # sub-categories only under their field
    assert all(set(row) == {"slug", "name", "children"} for row in tree.values())


# --- Public list ------------------------------------------------------------------------------


def test_public_list_shows_only_public_products_as_cards(api_client, seller, product, draft):
    unverified = OrganizationFactory(slug="belum", code="BLM", verification_status="pending")
    ProductFactory(seller=unverified, slug="produk-belum")
    ProductFactory(seller=seller, slug="disembunyikan", status="hidden", hidden_reason="Palsu")
    ProductFactory(seller=seller, slug="diarsip", status="archived")

    response = api_client.get("/api/v1/products/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    card = body["results"][0]
    assert card["slug"] == "mesin-pencacah"
    assert card["price_amount"] == 4_500_000 and card["selling_unit"] == "unit"
    assert card["category"]["slug"] == product.category.slug
    assert card["category"]["parent_slug"] == product.category.parent.slug
    assert card["seller"] == {
        "slug": "pwk",
        "code": "PWK",
        "name": "Posyantek Kecamatan Purwakarta",
        "is_verified": True,
    }
    assert card["region"]["district"] == "36.72.07"
    assert card["region"]["regency_name"] == "Kota Cilegon"
    assert card["region"]["province"] == "36"
    assert card["in_stock"] is True
    assert card["thumbnail_url"] is None


def _count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_public_list_has_a_fixed_query_budget(api_client, seller, category):
    def add_products(n):
        for _ in range(n):
            item = ProductFactory(seller=OrganizationFactory(), category=category)
            ProductImage.objects.create(
                product=item, image="products/a.jpg", thumbnail="products/a-thumb.jpg"
            )

    add_products(2)
    few = _count_queries(api_client, "/api/v1/products/")
    add_products(8)
    many = _count_queries(api_client, "/api/v1/products/")
    filtered = _count_queries(
        api_client, f"/api/v1/products/?category={category.parent.slug}&ordering=price"
    )

    # count, the page's ids, their cards, their first photos (+ the category's ids)
    assert few == many <= 4
    assert filtered <= 5


def test_thumbnail_is_the_first_photo(api_client, product):
    ProductImage.objects.create(
        product=product, image="p/2.jpg", thumbnail="p/2-thumb.jpg", position=2
    )
    ProductImage.objects.create(
        product=product, image="p/1.jpg", thumbnail="p/1-thumb.jpg", position=1
    )

    card = api_client.get("/api/v1/products/").json()["results"][0]

    assert card["thumbnail_url"] == "http://testserver/media/p/1-thumb.jpg"


def test_filters_and_ordering(api_client, seller, category):
    field = category.parent
    other_field = CategoryFactory()
    cheap = ProductFactory(seller=seller, category=category, price_amount=1000, kind="processed")
    dear = ProductFactory(seller=seller, category=category, price_amount=9000)
    elsewhere = ProductFactory(
        seller=OrganizationFactory(slug="lain", code="LAIN"), category=other_field
    )

    def slugs(query: str) -> list[str]:
        response = api_client.get(f"/api/v1/products/?{query}")
        assert response.status_code == 200, response.json()
        return [row["slug"] for row in response.json()["results"]]

    assert set(slugs(f"category={field.slug}")) == {cheap.slug, dear.slug}
    assert set(slugs(f"category={category.slug}")) == {cheap.slug, dear.slug}
    assert slugs(f"category={other_field.slug}") == [elsewhere.slug]
    assert slugs("category=tidak-ada") == []
    assert slugs("kind=processed") == [cheap.slug]
    assert set(slugs("seller=lain")) == {elsewhere.slug}
    assert slugs("seller=pwk&ordering=price") == [cheap.slug, dear.slug]
    assert slugs("seller=pwk&ordering=-price") == [dear.slug, cheap.slug]
    assert slugs("ordering=-created")[0] == elsewhere.slug


@pytest.mark.parametrize("query", ["kind=kapal", "ordering=name", "status=sold"])
def test_bad_filters_are_400(api_client, product, query):
    response = api_client.get(f"/api/v1/products/?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert query.split("=")[0] in response.json()["errors"]


# --- Product desk -----------------------------------------------------------------------------


def test_desk_lists_every_status_for_members_and_platform_staff(people, product, draft):
    ProductFactory(seller=product.seller, slug="disembunyikan", status="hidden", hidden_reason="x")
    ProductFactory(seller=OrganizationFactory(slug="lain2", code="LN2"), slug="punya-orang-lain")

    for who in ("owner", "manager", "staff", "platform"):
        response = people[who].get("/api/v1/products/?organization=pwk")
        assert response.status_code == 200
        assert {row["slug"] for row in response.json()["results"]} == {
            "mesin-pencacah",
            "draf-mesin",
            "disembunyikan",
        }
    drafts = people["manager"].get("/api/v1/products/?organization=pwk&status=draft").json()
    assert [row["slug"] for row in drafts["results"]] == ["draf-mesin"]
    assert drafts["results"][0]["status"] == "draft"


@pytest.mark.parametrize("who", ["anonymous", "stranger", "other_owner"])
def test_desk_is_404_for_outsiders(people, draft, who):
    response = people[who].get("/api/v1/products/?organization=pwk")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_desk_of_an_unknown_organisation_is_404(people):
    assert people["manager"].get("/api/v1/products/?organization=tidak-ada").status_code == 404


def test_desk_has_a_fixed_query_budget(people, seller, category):
    for _ in range(2):
        ProductFactory(seller=seller, category=category, status="draft")
    few = _count_queries(people["manager"], "/api/v1/products/?organization=pwk")
    for _ in range(8):
        ProductFactory(seller=seller, category=category, status="draft")
    many = _count_queries(people["manager"], "/api/v1/products/?organization=pwk")

    assert few == many <= 6


# --- Create -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "manager"])
def test_owner_or_manager_creates_a_draft(people, category, who):
    response = people[who].post("/api/v1/products/", valid_body(category), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["slug"] == "pakan-ternak-dari-ampas-tahu-pwk"
    assert body["seller"]["slug"] == "pwk"
    assert body["specs"] == [{"key": "Protein", "value": "18 %"}]
    assert body["weight_per_unit_kg"] == "50.000"
    product = Product.objects.get(slug=body["slug"])
    assert (product.minimum_order, product.order_step, product.price_amount) == (2, 2, 150_000)
    assert product.category == category
    event = product.events.get()
    assert event.kind == "created" and event.actor == people["users"][who]


def test_unverified_posyantek_keeps_drafts_but_cannot_publish(regions, category):
    pending = OrganizationFactory(slug="baru", code="BARU", verification_status="pending")
    client = client_for(MembershipFactory(organization=pending, role=Role.OWNER).user)

    created = client.post(
        "/api/v1/products/", valid_body(category, organization="baru"), format="json"
    )
    assert created.status_code == 201, created.json()
    slug = created.json()["slug"]
    assert client.get(url(slug)).status_code == 200  # its members see the draft
    assert APIClient().get(url(slug)).status_code == 404  # nobody else

    published = client.post(url(slug, "publish"))

    assert published.status_code == 409
    assert published.json()["code"] == "seller_not_verified"
    assert Product.objects.get(slug=slug).status == "draft"


@pytest.mark.parametrize(
    "who, status_code",
    [
        ("anonymous", 401),
        ("other_owner", 403),
        ("stranger", 403),
        ("staff", 403),
        ("platform", 403),
    ],
)
def test_create_refused(people, category, product, who, status_code):
    before = snapshot(product)

    response = people[who].post("/api/v1/products/", valid_body(category), format="json")

    assert response.status_code == status_code
    assert response.json()["detail"]
    assert snapshot(product) == before


def test_create_for_an_organisation_one_cannot_see_is_404(people, category, product):
    OrganizationFactory(slug="rahasia", code="RHS", verification_status="pending")
    before = snapshot(product)

    response = people["other_owner"].post(
        "/api/v1/products/", valid_body(category, organization="rahasia"), format="json"
    )

    assert response.status_code == 404
    assert snapshot(product) == before


def test_only_a_posyantek_sells(regions, category):
    industry = OrganizationFactory(slug="pabrik", code="PBK", kind="industry", posyantek_level="")
    client = client_for(MembershipFactory(organization=industry, role=Role.OWNER).user)

    response = client.post(
        "/api/v1/products/", valid_body(category, organization="pabrik"), format="json"
    )

    assert response.status_code == 403
    assert not Product.objects.exists()


WHOLE_UNITS = "Give a whole number of selling units, at least 1."
WHOLE_RUPIAH = "Give the price in whole Rupiah, 0 or more, without PPN."
BAD_PRODUCT_INPUT = [
    ({"order_step": 0}, "order_step", WHOLE_UNITS),
    ({"order_step": 1.5}, "order_step", WHOLE_UNITS),
    ({"minimum_order": 0}, "minimum_order", WHOLE_UNITS),
    ({"minimum_order": "dua"}, "minimum_order", WHOLE_UNITS),
    ({"price_amount": -1}, "price_amount", WHOLE_RUPIAH),
    ({"price_amount": 1500.5}, "price_amount", WHOLE_RUPIAH),
    (
        {"category": "tidak-ada"},
        "category",
        "There is no category “tidak-ada”. Choose one from categories/.",
    ),
    # A NUL byte never reaches PostgreSQL, which refuses it in a query (was a 500 there).
    ({"category": "alat\x00"}, "category", None),
    ({"category": 7}, "category", "Give a category slug."),
    ({"kind": "kapal"}, "kind", None),
    ({"specs": [{"key": "Daya"}]}, "specs.0.value", None),
    ({"weight_per_unit_kg": "-3"}, "weight_per_unit_kg", None),
    ({"name": ""}, "name", None),
]


@pytest.mark.parametrize("changes, field, message", BAD_PRODUCT_INPUT)
def test_create_with_bad_input_is_400_and_creates_nothing(
    people, category, product, changes, field, message
):
    before = snapshot(product)

    response = people["manager"].post(
        "/api/v1/products/", valid_body(category, **changes), format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]
    if message:
        assert body["errors"][field] == [message]
    assert snapshot(product) == before


@pytest.mark.parametrize("payload", [[1, 2], "teks", 42])
def test_a_body_that_is_not_an_object_is_400(people, product, payload):
    before = snapshot(product)

    created = people["manager"].post("/api/v1/products/", payload, format="json")
    patched = people["manager"].patch(url(product.slug), payload, format="json")
    stocked = people["manager"].post(url(product.slug, "stock"), payload, format="json")
    hidden = people["platform"].post(url(product.slug, "hide"), payload, format="json")

    for response in (created, patched, stocked, hidden):
        assert response.status_code == 400
        assert response.json()["code"] == "invalid" and response.json()["detail"]
    assert snapshot(product) == before


def test_malformed_json_is_400(people, product):
    response = people["manager"].generic(
        "PATCH", url(product.slug), "{nope", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


# --- Detail -----------------------------------------------------------------------------------


def test_public_product_detail(api_client, product):
    Certification.objects.create(product=product, type="sni", number="SNI 1", scan="c/s.pdf")
    Certification.objects.create(
        product=product, type="halal", number="H 1", valid_until=timezone.localdate() - timedelta(1)
    )
    Certification.objects.create(organization=product.seller, type="pirt", number="P-IRT 1")

    response = api_client.get(url(product.slug))

    assert response.status_code == 200
    body = response.json()
    assert body["description"] and body["specs"] == [{"key": "Kapasitas", "value": "200 kg/jam"}]
    assert body["stock"] == 10 and body["in_stock"] is True
    assert body["user_guide_url"] is None and body["images"] == []
    assert {(c["type"], c["held_by"]) for c in body["certifications"]} == {
        ("sni", "product"),
        ("pirt", "organization"),
    }  # the expired Halal certificate does not count
    assert all(c["scan_url"] is None for c in body["certifications"])  # scans are private


@pytest.mark.parametrize("who, status_code", [("anonymous", 404), ("stranger", 404),
                                              ("other_owner", 404), ("staff", 200),
                                              ("platform", 200)])  # fmt: skip
def test_draft_detail_only_for_the_desk(people, draft, who, status_code):
    assert people[who].get(url(draft.slug)).status_code == status_code


def test_no_delete(people, product):
    response = people["owner"].delete(url(product.slug))

    assert response.status_code == 405
    assert Product.objects.filter(pk=product.pk).exists()


# --- Edit -------------------------------------------------------------------------------------


def test_manager_edits_a_product(
    people, product, capture_changes, django_capture_on_commit_callbacks
):
    other = CategoryFactory(slug="alat-pertanian")

    with django_capture_on_commit_callbacks(execute=True):
        response = people["manager"].patch(
            url(product.slug),
            {"price_amount": 4_750_000, "category": "alat-pertanian", "innovator": "Pak Darto"},
            format="json",
        )

    assert response.status_code == 200, response.json()
    assert response.json()["price_amount"] == 4_750_000
    assert response.json()["category"]["slug"] == "alat-pertanian"
    product.refresh_from_db()
    assert (product.price_amount, product.category, product.innovator) == (
        4_750_000,
        other,
        "Pak Darto",
    )
    assert capture_changes == [(product.pk, ["category", "price_amount"])]


@pytest.mark.parametrize("who, status_code", REFUSED)
def test_edit_refused(people, product, who, status_code):
    before = snapshot(product)

    response = people[who].patch(url(product.slug), {"price_amount": 1}, format="json")

    assert response.status_code == status_code
    assert snapshot(product) == before


def test_platform_staff_are_told_they_may_only_hide(people, product):
    response = people["platform"].patch(url(product.slug), {"price_amount": 1}, format="json")

    assert response.json()["detail"] == "Platform staff can only hide and unhide products."


def test_another_organisations_draft_is_404(people, draft):
    before = snapshot(draft)

    response = people["other_owner"].patch(url(draft.slug), {"price_amount": 1}, format="json")

    assert response.status_code == 404
    assert snapshot(draft) == before


@pytest.mark.parametrize(
    "changes, field", [(changes, field) for changes, field, _m in BAD_PRODUCT_INPUT]
)
def test_edit_with_bad_input_is_400_and_changes_nothing(people, product, changes, field):
    before = snapshot(product)

    response = people["manager"].patch(url(product.slug), changes, format="json")

    assert response.status_code == 400
    # A partial update leaves a spec row's check to the service: the message is on `specs`.
    assert any(key.startswith(field.split(".")[0]) for key in response.json()["errors"])
    assert snapshot(product) == before


@pytest.mark.parametrize(
    "field, value",
    [("status", "published"), ("stock", 99), ("slug", "baru"), ("organization", "lain")],
)
def test_fixed_fields_cannot_be_patched(people, draft, field, value):
    before = snapshot(draft)

    response = people["manager"].patch(url(draft.slug), {field: value}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert snapshot(draft) == before


def test_a_published_product_must_stay_complete(people, product):
    before = snapshot(product)

    response = people["manager"].patch(url(product.slug), {"description": ""}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "product_incomplete"
    assert "description" in response.json()["errors"]
    assert snapshot(product) == before


# --- Status moves -----------------------------------------------------------------------------


def test_publish_unpublish_archive(people, draft):
    manager = people["manager"]

    published = manager.post(url(draft.slug, "publish"))
    assert published.status_code == 200, published.json()
    assert published.json()["status"] == "published" and published.json()["published_at"]
    assert people["anonymous"].get(url(draft.slug)).status_code == 200

    assert manager.post(url(draft.slug, "unpublish")).json()["status"] == "draft"
    assert manager.post(url(draft.slug, "archive")).json()["status"] == "archived"
    moves = list(draft.events.filter(kind="status").values_list("from_status", "to_status"))
    assert moves == [("draft", "published"), ("published", "draft"), ("draft", "archived")]


def test_publish_an_incomplete_product_is_refused(people, seller):
    draft = ProductFactory(seller=seller, status="draft", description="", weight_per_unit_kg=None)
    before = snapshot(draft)

    response = people["manager"].post(url(draft.slug, "publish"))

    assert response.status_code == 400
    assert response.json()["code"] == "product_incomplete"
    assert set(response.json()["errors"]) == {"description", "weight_per_unit_kg"}
    assert snapshot(draft) == before


def test_an_illegal_move_is_409(people, draft):
    before = snapshot(draft)

    response = people["manager"].post(url(draft.slug, "unpublish"))

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert snapshot(draft) == before


def test_platform_staff_hide_with_a_reason_and_unhide(people, product):
    response = people["platform"].post(
        url(product.slug, "hide"), {"reason": "Foto bukan produk ini."}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "hidden"
    assert response.json()["hidden_reason"] == "Foto bukan produk ini."
    assert people["anonymous"].get(url(product.slug)).status_code == 404
    seen_by_seller = people["manager"].get(url(product.slug)).json()
    assert seen_by_seller["hidden_reason"] == "Foto bukan produk ini."
    assert people["manager"].post(url(product.slug, "publish")).status_code == 409

    unhidden = people["platform"].post(url(product.slug, "unhide"))

    assert unhidden.status_code == 200
    assert unhidden.json()["status"] == "draft" and unhidden.json()["hidden_reason"] == ""


@pytest.mark.parametrize("body", [{}, {"reason": "   "}, {"reason": ""}])
def test_hide_needs_a_reason(people, product, body):
    before = snapshot(product)

    response = people["platform"].post(url(product.slug, "hide"), body, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    assert snapshot(product) == before


SELLER_MOVES = ["publish", "unpublish", "archive"]


@pytest.mark.parametrize("action", SELLER_MOVES)
@pytest.mark.parametrize("who, status_code", REFUSED)
def test_seller_moves_refused(people, product, action, who, status_code):
    before = snapshot(product)

    response = people[who].post(url(product.slug, action))

    assert response.status_code == status_code
    assert snapshot(product) == before


@pytest.mark.parametrize("action", ["hide", "unhide"])
@pytest.mark.parametrize(
    "who, status_code",
    [("anonymous", 401), ("owner", 403), ("manager", 403), ("staff", 403), ("other_owner", 403)],
)  # fmt: skip
def test_only_platform_staff_hide_and_unhide(people, seller, action, who, status_code):
    item = ProductFactory(
        seller=seller,
        status="hidden" if action == "unhide" else "published",
        hidden_reason="Palsu" if action == "unhide" else "",
    )
    before = snapshot(item)

    response = people[who].post(url(item.slug, action), {"reason": "Palsu"}, format="json")

    # A hidden product is not visible to outsiders at all.
    if action == "unhide" and who == "other_owner":
        status_code = 404
    assert response.status_code == status_code
    assert snapshot(item) == before


# --- Stock ------------------------------------------------------------------------------------


def test_set_and_adjust_stock_and_list_movements(people, product):
    manager = people["manager"]

    counted = manager.post(
        url(product.slug, "stock"), {"stock": 25, "note": "opname"}, format="json"
    )
    assert counted.status_code == 200, counted.json()
    assert counted.json()["stock"] == 25
    assert counted.json()["movement"]["delta"] == 15
    assert counted.json()["movement"]["reason"] == "restock"

    sold = manager.post(
        url(product.slug, "stock"), {"delta": -5, "reason": "sale", "note": "pasar"}, format="json"
    )
    assert sold.status_code == 200
    assert sold.json()["stock"] == 20 and sold.json()["movement"]["stock_after"] == 20

    unchanged = manager.post(url(product.slug, "stock"), {"stock": 20}, format="json")
    assert unchanged.json() == {"stock": 20, "movement": None}

    product.refresh_from_db()
    assert product.stock == 20
    movements = people["staff"].get(url(product.slug, "stock"))
    assert movements.status_code == 200
    assert [(m["delta"], m["reason"]) for m in movements.json()["results"]] == [
        (-5, "sale"),
        (15, "restock"),
    ]


@pytest.mark.parametrize(
    "body, status_code, key",
    [
        ({"stock": -1}, 400, "stock"),
        ({"stock": 2.5}, 400, "stock"),
        ({"delta": 0, "reason": "restock"}, 400, "delta"),
        ({"delta": 3}, 400, "reason"),
        ({"delta": 3, "reason": "cancel"}, 400, "reason"),
        ({"stock": 3, "delta": 1, "reason": "restock"}, 400, None),
        ({}, 400, None),
        ({"delta": -11, "reason": "sale"}, 409, None),
    ],
)
def test_bad_stock_changes(people, product, body, status_code, key):
    before = snapshot(product)

    response = people["manager"].post(url(product.slug, "stock"), body, format="json")

    assert response.status_code == status_code
    if key:
        assert key in response.json()["errors"]
    if status_code == 409:
        assert response.json()["code"] == "out_of_stock"
        assert response.json()["detail"] == "Only 10 left in stock."
    assert snapshot(product) == before


def test_made_to_order_has_no_stock(people, seller):
    item = ProductFactory(seller=seller, availability="made_to_order", monthly_capacity=5, stock=0)
    before = snapshot(item)

    response = people["manager"].post(url(item.slug, "stock"), {"stock": 3}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "not_stock_product"
    assert snapshot(item) == before


@pytest.mark.parametrize("who, status_code", REFUSED)
def test_stock_change_refused(people, product, who, status_code):
    before = snapshot(product)

    response = people[who].post(url(product.slug, "stock"), {"stock": 99}, format="json")

    assert response.status_code == status_code
    assert snapshot(product) == before


@pytest.mark.parametrize(
    "who, status_code", [("anonymous", 401), ("stranger", 403), ("platform", 200), ("staff", 200)]
)
def test_stock_movements_are_for_the_desk(people, product, who, status_code):
    assert people[who].get(url(product.slug, "stock")).status_code == status_code


def test_stock_movements_have_a_fixed_query_budget(people, product):
    for _ in range(2):
        people["manager"].post(
            url(product.slug, "stock"), {"delta": 1, "reason": "restock"}, format="json"
        )
    few = _count_queries(people["staff"], url(product.slug, "stock"))
    for _ in range(6):
        people["manager"].post(
            url(product.slug, "stock"), {"delta": 1, "reason": "restock"}, format="json"
        )
    many = _count_queries(people["staff"], url(product.slug, "stock"))

    assert few == many <= 7
