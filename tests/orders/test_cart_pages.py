"""Cart pages (/keranjang/), the product page's "add to cart" form, the header's cart link
and the shipping settings page (/organisasi/<slug>/pengiriman/)."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Organization, Role
from orders.models import Cart, CartItem, CourierRate, OwnDeliveryRate, ShippingSettings
from tests.factories import MembershipFactory, OrganizationFactory, ProductFactory, UserFactory


@pytest.fixture
def seller(regions):
    return OrganizationFactory(name="Posyantek Purwakarta", slug="pwk", code="PWK")


@pytest.fixture
def karung(seller):
    return ProductFactory(
        seller=seller,
        slug="ampas-pwk",
        name="Ampas Tahu",
        selling_unit="karung",
        minimum_order=5,
        order_step=5,
        stock=40,
        price_amount=60_000,
    )


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add(client: Client, slug: str, quantity: str):
    return client.post(reverse("orders:cart_add"), {"product": slug, "quantity": quantity})


# --- Cart -------------------------------------------------------------------------------------


def test_empty_cart_page(client: Client, db):
    response = client.get("/keranjang/")

    assert response.status_code == 200
    assert 'id="cart-empty"' in response.content.decode()
    assert not Cart.objects.exists()


def test_product_page_has_the_add_to_cart_form(client: Client, karung):
    html = client.get(reverse("marketplace:detail", args=[karung.slug])).content.decode()

    assert 'action="/keranjang/tambah/"' in html
    assert 'min="5"' in html and 'step="5"' in html and 'value="5"' in html


def test_draft_product_page_has_no_add_to_cart_form(seller):
    draft = ProductFactory(seller=seller, slug="draf-pwk", status="draft")
    owner = MembershipFactory(organization=seller, role=Role.OWNER).user

    html = logged_in(owner).get(reverse("marketplace:detail", args=[draft.slug])).content.decode()

    assert 'id="add-to-cart"' not in html


def test_add_then_see_lines_totals_and_header_count(client: Client, karung):
    response = add(client, "ampas-pwk", "10")

    assert response.status_code == 302 and response.url == reverse("orders:cart")
    page = client.get(response.url)
    html = page.content.decode()
    assert "Ampas Tahu" in html and "Rp 600.000" in html
    assert 'id="cart-link"' in html and "(1)" in html
    assert 'href="/checkout/"' in html
    assert 'data-seller="pwk"' in html
    assert CartItem.objects.get().quantity == 10


def test_logged_in_user_adds_to_the_user_cart(user, karung):
    client = logged_in(user)

    add(client, "ampas-pwk", "5")

    assert CartItem.objects.get().cart.user == user
    assert "(1)" in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    ("quantity", "status", "text"),
    [
        ("7", 400, "10"),
        ("abc", 400, ""),
        ("", 400, ""),
        ("45", 409, "40"),
        ("99999999999999", 400, ""),
    ],
)
def test_bad_add_shows_the_message_and_changes_nothing(
    client: Client, karung, quantity, status, text
):
    response = add(client, "ampas-pwk", quantity)

    assert response.status_code == status
    html = response.content.decode()
    assert 'id="cart-error"' in html and text in html
    assert not CartItem.objects.exists()


def test_add_unknown_product_is_a_400(client: Client, db):
    response = add(client, "tidak-ada", "1")

    assert response.status_code == 400
    assert not CartItem.objects.exists()


def test_change_and_remove_a_line(client: Client, karung):
    add(client, "ampas-pwk", "5")
    item = CartItem.objects.get()

    changed = client.post(reverse("orders:cart_item_update", args=[item.pk]), {"quantity": "15"})
    assert changed.status_code == 302
    item.refresh_from_db()
    assert item.quantity == 15

    refused = client.post(reverse("orders:cart_item_update", args=[item.pk]), {"quantity": "16"})
    assert refused.status_code == 400
    item.refresh_from_db()
    assert item.quantity == 15

    removed = client.post(reverse("orders:cart_item_remove", args=[item.pk]))
    assert removed.status_code == 302
    assert not CartItem.objects.exists()


def test_another_visitors_line_is_a_404(karung):
    owner = Client()
    add(owner, "ampas-pwk", "5")
    item = CartItem.objects.get()

    stranger = Client()
    assert stranger.post(reverse("orders:cart_item_remove", args=[item.pk])).status_code == 404
    assert (
        stranger.post(
            reverse("orders:cart_item_update", args=[item.pk]), {"quantity": "10"}
        ).status_code
        == 404
    )
    assert CartItem.objects.get().quantity == 5


def test_cart_forms_only_accept_post(client: Client, db):
    assert client.get(reverse("orders:cart_add")).status_code == 405


def test_cart_page_shows_problems(client: Client, karung):
    add(client, "ampas-pwk", "20")
    karung.stock = 10
    karung.save()

    html = client.get("/keranjang/").content.decode()

    assert 'class="message message-error cart-problem"' in html and "10" in html


# --- Shipping settings page -------------------------------------------------------------------


URL = "/organisasi/pwk/pengiriman/"


def form_data(**overrides) -> dict:
    data = {
        "pickup_enabled": "on",
        "pickup_note": "Kantor kecamatan",
        "own_delivery_enabled": "on",
        "courier_enabled": "on",
        "courier_minimum_amount": "15000",
        "delivery-TOTAL_FORMS": "3",
        "delivery-INITIAL_FORMS": "0",
        "delivery-0-regency": "36.72",
        "delivery-0-fee_amount": "20000",
        "courier-TOTAL_FORMS": "3",
        "courier-INITIAL_FORMS": "0",
        "courier-0-province": "36",
        "courier-0-rate_per_kg_amount": "9000",
        "courier-1-province": "31",
        "courier-1-rate_per_kg_amount": "12000",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER])
def test_owner_and_manager_save_settings(seller, role):
    client = logged_in(MembershipFactory(organization=seller, role=role).user)

    assert client.get(URL).status_code == 200
    response = client.post(URL, form_data())

    assert response.status_code == 302
    settings = ShippingSettings.objects.get(organization=seller)
    assert settings.courier_enabled and settings.courier_minimum_amount == 15_000
    assert list(OwnDeliveryRate.objects.values_list("regency_id", "fee_amount")) == [
        ("36.72", 20_000)
    ]
    assert CourierRate.objects.count() == 2
    page = client.get(URL).content.decode()
    assert 'value="20000"' in page and "delivery-TOTAL_FORMS" in page


def test_removing_a_row(seller):
    client = logged_in(MembershipFactory(organization=seller, role=Role.OWNER).user)
    client.post(URL, form_data())

    client.post(URL, form_data(**{"courier-1-DELETE": "on"}))

    assert list(CourierRate.objects.values_list("province_id", flat=True)) == ["36"]


def test_staff_member_gets_403_and_outsider_404(seller):
    staff = logged_in(MembershipFactory(organization=seller, role=Role.STAFF).user)
    outsider = logged_in(UserFactory())

    assert staff.get(URL).status_code == 403
    assert staff.post(URL, form_data()).status_code == 403
    assert outsider.get(URL).status_code == 404
    assert outsider.post(URL, form_data()).status_code == 404
    assert not ShippingSettings.objects.exists()


def test_platform_staff_may_edit(seller):
    client = logged_in(UserFactory(is_staff=True))

    assert client.post(URL, form_data()).status_code == 302
    assert ShippingSettings.objects.exists()


def test_anonymous_is_sent_to_login(client: Client, seller):
    response = client.get(URL)

    assert response.status_code == 302 and reverse("accounts:login") in response.url


@pytest.mark.parametrize(
    "overrides",
    [
        {"courier_minimum_amount": "banyak"},
        {"delivery-0-fee_amount": ""},
        {"delivery-0-regency": "99.99"},
        {"pickup_enabled": None, "own_delivery_enabled": None, "courier_enabled": None},
        {"courier-0-province": None, "courier-1-province": None},
        {"courier-1-province": "36"},
    ],
)
def test_bad_settings_show_errors_and_change_nothing(seller, overrides):
    client = logged_in(MembershipFactory(organization=seller, role=Role.OWNER).user)

    response = client.post(URL, form_data(**overrides))

    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not ShippingSettings.objects.exists()


def test_organisation_page_links_the_shipping_settings(seller):
    owner = logged_in(MembershipFactory(organization=seller, role=Role.OWNER).user)
    staff = logged_in(MembershipFactory(organization=seller, role=Role.STAFF).user)

    assert 'id="shipping-settings-link"' in owner.get("/organisasi/pwk/").content.decode()
    assert 'id="shipping-settings-link"' not in staff.get("/organisasi/pwk/").content.decode()


def test_unverified_organisation_owner_may_edit(regions):
    OrganizationFactory(
        slug="baru", code="BARU", verification_status=Organization.VerificationStatus.PENDING
    )
    owner = logged_in(
        MembershipFactory(organization=Organization.objects.get(slug="baru"), role=Role.OWNER).user
    )

    assert owner.get("/organisasi/baru/pengiriman/").status_code == 200
