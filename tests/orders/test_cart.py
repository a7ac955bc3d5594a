"""The cart API (`cart/`, `cart/items/`, `cart/items/{id}/`), its services and the merge at
login: responses and the database afterwards."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Organization, Role
from core.errors import InvalidInput
from marketplace.capacity import booking_month, capacity_book
from marketplace.models import ProductImage
from orders.models import Cart, CartItem
from orders.services.cart import cart_get, cart_item_set, cart_merge, quantity_check
from tests.factories import MembershipFactory, OrganizationFactory, ProductFactory, UserFactory

PASSWORD = "kata-sandi-rahasia-1"
CART = "/api/v1/cart/"
ITEMS = "/api/v1/cart/items/"


@pytest.fixture
def seller(regions):
    return OrganizationFactory(name="Posyantek Purwakarta", slug="pwk", code="PWK")


@pytest.fixture
def other_seller(regions):
    return OrganizationFactory(name="Posyantek Ciwandan", slug="cwd", code="CWD")


@pytest.fixture
def product(seller):
    return ProductFactory(
        seller=seller, slug="pencacah-pwk", name="Mesin Pencacah", stock=10, price_amount=4_500_000
    )


@pytest.fixture
def karung(seller):
    """Sold per karung from 5, in steps of 5."""
    return ProductFactory(
        seller=seller,
        slug="ampas-pwk",
        name="Ampas Tahu",
        selling_unit="karung 50 kg",
        minimum_order=5,
        order_step=5,
        stock=40,
        price_amount=60_000,
    )


def item_url(item_id: int) -> str:
    return f"{ITEMS}{item_id}/"


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


# --- Reading ----------------------------------------------------------------------------------


def test_anonymous_empty_cart_creates_nothing(api_client, db):
    response = api_client.get(CART)

    assert response.status_code == 200
    assert response.json() == {
        "groups": [],
        "goods_amount": 0,
        "item_count": 0,
        "has_problems": False,
    }
    assert not Cart.objects.exists()


def test_cart_lines_are_grouped_by_seller_with_totals(
    user_client, user, product, karung, other_seller
):
    other = ProductFactory(
        seller=other_seller, slug="oven-cwd", name="Oven", price_amount=1_000_000
    )
    ProductImage.objects.create(product=product, image="a.jpg", thumbnail="a-thumb.jpg")
    for slug, quantity in (("pencacah-pwk", 2), ("oven-cwd", 1), ("ampas-pwk", 10)):
        assert user_client.post(ITEMS, {"product": slug, "quantity": quantity}).status_code == 201

    body = user_client.get(CART).json()

    assert body["goods_amount"] == 2 * 4_500_000 + 1_000_000 + 10 * 60_000
    assert body["item_count"] == 3 and body["has_problems"] is False
    assert [group["seller"] for group in body["groups"]] == ["pwk", "cwd"]
    pwk, cwd = body["groups"]
    assert pwk["seller_name"] == "Posyantek Purwakarta"
    assert pwk["goods_amount"] == 9_000_000 + 600_000
    first = pwk["lines"][0]
    assert first["product"] == "pencacah-pwk" and first["product_name"] == "Mesin Pencacah"
    assert first["unit_price_amount"] == 4_500_000 and first["quantity"] == 2
    assert first["line_amount"] == 9_000_000 and first["problem"] == ""
    assert first["thumbnail_url"].endswith("a-thumb.jpg") and first["thumbnail_url"].startswith(
        "http"
    )
    assert pwk["lines"][1]["selling_unit"] == "karung 50 kg"
    assert cwd["lines"][0]["thumbnail_url"] is None
    assert other.pk in CartItem.objects.filter(cart__user=user).values_list("product", flat=True)


def test_cart_shows_problems_that_appeared_since(user_client, user, product, karung):
    user_client.post(ITEMS, {"product": "pencacah-pwk", "quantity": 5})
    user_client.post(ITEMS, {"product": "ampas-pwk", "quantity": 10})
    product.stock = 3
    product.save()
    karung.status = "archived"
    karung.save()

    lines = {line["product"]: line for line in user_client.get(CART).json()["groups"][0]["lines"]}

    assert (
        "Mesin Pencacah" in lines["pencacah-pwk"]["problem"]
        and "3" in lines["pencacah-pwk"]["problem"]
    )
    assert "Ampas Tahu" in lines["ampas-pwk"]["problem"]
    assert user_client.get(CART).json()["has_problems"] is True


def test_cart_query_count_does_not_grow_with_items(user_client, user, seller, other_seller):
    cart = cart_get(user=user, create=True)

    def fill(count: int) -> None:
        for index in range(count):
            product = ProductFactory(
                seller=seller if index % 2 else other_seller,
                availability="made_to_order" if index % 3 == 0 else "stock",
                monthly_capacity=100,
            )
            ProductImage.objects.create(product=product, image="a.jpg", thumbnail="t.jpg")
            cart_item_set(cart=cart, product=product, quantity=1)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert user_client.get(CART).status_code == 200
        return len(captured)

    fill(2)
    few = queries()
    fill(8)
    assert CartItem.objects.filter(cart=cart).count() == 10
    assert queries() == few
    assert few <= 6


# --- Adding -----------------------------------------------------------------------------------


def test_anonymous_visitor_adds_to_a_session_cart(api_client, product):
    response = api_client.post(ITEMS, {"product": "pencacah-pwk", "quantity": 2})

    assert response.status_code == 201
    assert response.json()["goods_amount"] == 9_000_000
    cart = Cart.objects.get()
    assert cart.user is None and cart.session_key == api_client.cookies["sessionid"].value
    assert api_client.get(CART).json()["item_count"] == 1  # the same session sees it
    assert APIClient().get(CART).json()["item_count"] == 0  # another visitor does not


def test_anonymous_writes_need_the_csrf_token(product):
    client = APIClient(enforce_csrf_checks=True)

    response = client.post(ITEMS, {"product": "pencacah-pwk", "quantity": 1})

    assert response.status_code == 403
    assert not CartItem.objects.exists()


def test_token_user_adds_to_the_user_cart_and_quantities_add_up(user_client, user, product):
    assert user_client.post(ITEMS, {"product": "pencacah-pwk", "quantity": 2}).status_code == 201
    response = user_client.post(ITEMS, {"product": "pencacah-pwk", "quantity": 3})

    assert response.status_code == 201
    item = CartItem.objects.get()
    assert item.cart.user == user and item.cart.session_key is None and item.quantity == 5


def test_adding_beyond_the_stock_is_refused_naming_the_product(user_client, user, product):
    user_client.post(ITEMS, {"product": "pencacah-pwk", "quantity": 8})

    response = user_client.post(ITEMS, {"product": "pencacah-pwk", "quantity": 3})

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "out_of_stock"
    assert "Mesin Pencacah" in body["detail"] and "10" in body["detail"]
    assert CartItem.objects.get().quantity == 8  # nothing changed


def test_adding_beyond_free_capacity_is_refused(user_client, seller):
    product = ProductFactory(
        seller=seller,
        slug="rak-pwk",
        name="Rak Pengering",
        availability="made_to_order",
        monthly_capacity=10,
        lead_time_days=14,
        stock=0,
    )
    month = booking_month(at=timezone.now(), lead_time_days=14)
    capacity_book(product=product, month=month, quantity=7, source_type="order", source_id="1")

    refused = user_client.post(ITEMS, {"product": "rak-pwk", "quantity": 4})
    accepted = user_client.post(ITEMS, {"product": "rak-pwk", "quantity": 3})

    assert refused.status_code == 409 and refused.json()["code"] == "capacity_exceeded"
    assert "Rak Pengering" in refused.json()["detail"] and "3" in refused.json()["detail"]
    assert accepted.status_code == 201
    assert CartItem.objects.get().quantity == 3


def test_capacity_of_another_month_does_not_count(user_client, seller):
    product = ProductFactory(
        seller=seller, slug="rak2-pwk", availability="made_to_order", monthly_capacity=5, stock=0
    )
    capacity_book(
        product=product,
        month=booking_month(at=timezone.now(), lead_time_days=0) + datetime.timedelta(days=40),
        quantity=5,
        source_type="order",
        source_id="9",
    )

    assert user_client.post(ITEMS, {"product": "rak2-pwk", "quantity": 5}).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"product": "ampas-pwk", "quantity": 3}, "quantity"),  # below the minimum 5
        ({"product": "ampas-pwk", "quantity": 7}, "quantity"),  # off the step of 5
        ({"product": "ampas-pwk", "quantity": 0}, "quantity"),
        ({"product": "ampas-pwk", "quantity": -5}, "quantity"),
        ({"product": "ampas-pwk", "quantity": "lima"}, "quantity"),
        ({"product": "ampas-pwk", "quantity": 10**30}, "quantity"),
        ({"product": "ampas-pwk", "quantity": 2.5}, "quantity"),
        ({"product": "ampas-pwk"}, "quantity"),
        ({"quantity": 5}, "product"),
        ({"product": "tidak-ada", "quantity": 5}, "product"),
        ({"product": "ada\x00nul", "quantity": 5}, "product"),
        ({"product": ["ampas-pwk"], "quantity": 5}, "product"),
    ],
)
def test_bad_input_is_a_400_by_field_and_changes_nothing(user_client, karung, body, field):
    response = user_client.post(ITEMS, body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not CartItem.objects.exists()


def test_step_message_names_the_nearest_quantities(user_client, karung):
    response = user_client.post(ITEMS, {"product": "ampas-pwk", "quantity": 7})

    message = response.json()["errors"]["quantity"][0]
    assert "Ampas Tahu" in message and "5" in message and "10" in message


@pytest.mark.parametrize("body", [[1, 2], "teks", 5, None])
def test_a_body_that_is_not_an_object_is_a_400(user_client, karung, body):
    response = user_client.post(ITEMS, body, format="json")

    assert response.status_code == 400
    assert not CartItem.objects.exists()


def test_products_not_for_sale_are_refused(user_client, user, seller, regions):
    draft = ProductFactory(seller=seller, slug="draf-pwk", status="draft")
    hidden = ProductFactory(
        seller=seller, slug="sembunyi-pwk", status="hidden", hidden_reason="Foto tidak pantas"
    )
    unverified = OrganizationFactory(
        slug="baru", code="BARU", verification_status=Organization.VerificationStatus.PENDING
    )
    ProductFactory(seller=unverified, slug="produk-baru")
    MembershipFactory(user=user, organization=seller, role=Role.OWNER)  # sees the draft

    for slug in (draft.slug, hidden.slug, "produk-baru"):
        response = user_client.post(ITEMS, {"product": slug, "quantity": 1})
        assert response.status_code == 400, slug
        assert "product" in response.json()["errors"]
    drafted = user_client.post(ITEMS, {"product": draft.slug, "quantity": 1}).json()
    assert drafted["code"] == "product_not_for_sale"
    assert not CartItem.objects.exists()


def test_outsiders_cannot_tell_a_draft_from_an_unknown_slug(user_client, seller):
    ProductFactory(seller=seller, slug="draf-pwk", status="draft")

    draft = user_client.post(ITEMS, {"product": "draf-pwk", "quantity": 1}).json()
    unknown = user_client.post(ITEMS, {"product": "tidak-ada", "quantity": 1}).json()

    assert draft["errors"] == unknown["errors"]


def test_a_seller_may_buy_its_own_products(user_client, user, seller, product):
    MembershipFactory(user=user, organization=seller, role=Role.OWNER)

    assert user_client.post(ITEMS, {"product": "pencacah-pwk", "quantity": 1}).status_code == 201


# --- Changing and removing --------------------------------------------------------------------


def test_patch_sets_the_quantity(user_client, user, karung):
    user_client.post(ITEMS, {"product": "ampas-pwk", "quantity": 5})
    item = CartItem.objects.get()

    response = user_client.patch(item_url(item.pk), {"quantity": 20})

    assert response.status_code == 200
    assert response.json()["groups"][0]["lines"][0]["quantity"] == 20
    item.refresh_from_db()
    assert item.quantity == 20


@pytest.mark.parametrize("quantity", [7, 0, "x", 10**20, 45])
def test_patch_with_a_bad_quantity_changes_nothing(user_client, karung, quantity):
    user_client.post(ITEMS, {"product": "ampas-pwk", "quantity": 5})
    item = CartItem.objects.get()

    response = user_client.patch(item_url(item.pk), {"quantity": quantity}, format="json")

    assert response.status_code in (400, 409)
    item.refresh_from_db()
    assert item.quantity == 5


def test_another_users_item_is_a_404(user_client, karung):
    stranger = token_client(UserFactory())
    stranger.post(ITEMS, {"product": "ampas-pwk", "quantity": 5})
    item = CartItem.objects.get()

    assert user_client.patch(item_url(item.pk), {"quantity": 10}).status_code == 404
    assert user_client.delete(item_url(item.pk)).status_code == 404
    assert APIClient().delete(item_url(item.pk)).status_code == 404
    item.refresh_from_db()
    assert item.quantity == 5


def test_delete_removes_one_line_and_cart_delete_empties(user_client, user, product, karung):
    user_client.post(ITEMS, {"product": "ampas-pwk", "quantity": 5})
    user_client.post(ITEMS, {"product": "pencacah-pwk", "quantity": 1})
    first = CartItem.objects.get(product=karung)

    assert user_client.delete(item_url(first.pk)).status_code == 204
    assert list(CartItem.objects.values_list("product__slug", flat=True)) == ["pencacah-pwk"]
    assert user_client.delete(item_url(first.pk)).status_code == 404

    assert user_client.delete(CART).status_code == 204
    assert not CartItem.objects.exists()
    assert user_client.delete(CART).status_code == 204  # already empty: still fine


# --- Services ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "valid"),
    [(5, True), (10, True), ("15", True), (4, False), (6, False), (True, False), (None, False),
     (1_000_005, False), ("1e3", False)],
)  # fmt: skip
def test_quantity_check(karung, quantity, valid):
    if valid:
        assert quantity_check(product=karung, quantity=quantity) == int(quantity)
    else:
        with pytest.raises(InvalidInput) as error:
            quantity_check(product=karung, quantity=quantity)
        assert "quantity" in error.value.fields


def test_merge_adds_quantities_and_caps_at_what_is_available(user, karung, product):
    anonymous = cart_get(session_key="a" * 32, create=True)
    cart_item_set(cart=anonymous, product=karung, quantity=25)
    cart_item_set(cart=anonymous, product=product, quantity=2)
    mine = cart_get(user=user, create=True)
    cart_item_set(cart=mine, product=karung, quantity=30)  # 25 + 30 > stock 40

    merged = cart_merge(session_key="a" * 32, user=user)

    assert merged == mine
    quantities = dict(CartItem.objects.values_list("product__slug", "quantity"))
    assert quantities == {"ampas-pwk": 40, "pencacah-pwk": 2}
    assert not Cart.objects.filter(pk=anonymous.pk).exists()
    assert cart_merge(session_key="a" * 32, user=user) == mine  # nothing left: harmless


# --- Merge at login ---------------------------------------------------------------------------


def test_page_login_merges_the_session_cart(client: Client, user, product, karung):
    mine = cart_get(user=user, create=True)
    cart_item_set(cart=mine, product=karung, quantity=5)
    client.post(reverse("orders:cart_add"), {"product": "pencacah-pwk", "quantity": "2"})
    client.post(reverse("orders:cart_add"), {"product": "ampas-pwk", "quantity": "10"})
    anonymous = Cart.objects.get(user__isnull=True)
    key_before = client.session.session_key

    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert client.session.session_key != key_before  # Django rotated the key
    assert not Cart.objects.filter(pk=anonymous.pk).exists()
    assert dict(CartItem.objects.filter(cart=mine).values_list("product__slug", "quantity")) == {
        "pencacah-pwk": 2,
        "ampas-pwk": 15,
    }
    page = client.get(reverse("orders:cart"))
    assert page.context["cart"].item_count == 2


def test_page_login_merges_into_a_new_user_cart(client: Client, user, product):
    client.post(reverse("orders:cart_add"), {"product": "pencacah-pwk", "quantity": "1"})

    client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})

    cart = Cart.objects.get()
    assert cart.user == user and cart.session_key is None
    assert cart.items.get().quantity == 1


def test_api_session_cart_merges_at_page_login(user, product):
    client = APIClient()
    client.post(ITEMS, {"product": "pencacah-pwk", "quantity": 3})

    login = client.post(
        reverse("accounts:login"),
        {"username": user.email, "password": PASSWORD},
        format="multipart",
    )

    assert login.status_code == 302
    assert Cart.objects.get().user == user
    assert client.get(CART).json()["item_count"] == 1  # now the session's user cart


def test_token_login_does_not_merge_the_session_cart(user, product):
    """Token logins are not session logins: the API client's cart is the user's cart, and a
    session cart stays where it is (documented in orders.receivers)."""
    client = APIClient()
    client.post(ITEMS, {"product": "pencacah-pwk", "quantity": 3})

    response = client.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD})

    assert response.status_code == 200
    anonymous = Cart.objects.get()
    assert anonymous.user is None and anonymous.items.count() == 1
    assert not Cart.objects.filter(user=user).exists()


def test_abandoned_anonymous_carts_are_deleted_and_nothing_else(regions, settings):
    from datetime import timedelta

    from django.utils import timezone

    from orders.tasks import carts_clean_abandoned

    product = ProductFactory(stock=10)
    long_ago = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    abandoned = Cart.objects.create(session_key="a" * 32)
    CartItem.objects.create(cart=abandoned, product=product, quantity=1)
    touched = Cart.objects.create(session_key="b" * 32)
    recent_line = CartItem.objects.create(cart=touched, product=product, quantity=1)
    fresh = Cart.objects.create(session_key="c" * 32)
    members = Cart.objects.create(user=UserFactory())
    Cart.objects.filter(pk__in=[abandoned.pk, touched.pk, members.pk]).update(updated_at=long_ago)
    CartItem.objects.filter(cart=abandoned).update(updated_at=long_ago)

    assert carts_clean_abandoned() == 1
    assert carts_clean_abandoned() == 0  # idempotent

    assert set(Cart.objects.values_list("pk", flat=True)) == {touched.pk, fresh.pk, members.pk}
    assert not CartItem.objects.filter(cart_id=abandoned.pk).exists()
    assert CartItem.objects.filter(pk=recent_line.pk).exists()
