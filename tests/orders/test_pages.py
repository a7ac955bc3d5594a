"""The checkout page and the buyer's orders, by role: anonymous visitors go to the login page,
the buyer checks out and sees its orders, anybody else gets 404. Bad input shows errors next
to the fields and creates nothing; a successful checkout creates one order per Posyantek and
one payment; a double submit creates nothing more."""

import re

import pytest
from django.urls import reverse

from accounts.models import Role
from orders.models import (
    Cart,
    CartItem,
    CourierRate,
    Order,
    OwnDeliveryRate,
    Payment,
    ShippingSettings,
)
from regions.models import Province, Regency
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

VILLAGE = "36.72.07.1004"  # Purwakarta, Kota Cilegon, Banten
CHECKOUT = "/checkout/"
ORDERS = "/pesanan/"


@pytest.fixture
def world(regions):
    """Two Posyantek: one in Purwakarta (pickup, own delivery in Kota Cilegon for Rp 25.000,
    not PKP) and one in Pekalongan Utara (courier only, Rp 10.000/kg to Banten, minimum
    Rp 15.000, PKP); one product of each in the buyer's cart."""
    pwk = OrganizationFactory(name="Posyantek Purwakarta", slug="pwk", code="PWK")
    pku = OrganizationFactory(
        name="Posyantek Pekalongan Utara",
        slug="pku",
        code="PKU",
        district_id="33.75.03",
        is_pkp=True,
    )
    pwk_settings = ShippingSettings.objects.create(
        organization=pwk, pickup_enabled=True, own_delivery_enabled=True
    )
    OwnDeliveryRate.objects.create(
        settings=pwk_settings, regency=Regency.objects.get(code="36.72"), fee_amount=25_000
    )
    pku_settings = ShippingSettings.objects.create(
        organization=pku,
        pickup_enabled=False,
        courier_enabled=True,
        courier_minimum_amount=15_000,
    )
    CourierRate.objects.create(
        settings=pku_settings, province=Province.objects.get(code="36"), rate_per_kg_amount=10_000
    )
    feed = ProductFactory(
        seller=pwk, name="Pakan Ternak", price_amount=175_000, weight_per_unit_kg="25.000"
    )
    dryer = ProductFactory(
        seller=pku, name="Pengering Ikan", price_amount=1_500_000, weight_per_unit_kg="4.200"
    )
    buyer = UserFactory(name="Budi Santoso", email="budi@contoh.id")
    cart = Cart.objects.create(user=buyer)
    CartItem.objects.create(cart=cart, product=feed, quantity=2)
    CartItem.objects.create(cart=cart, product=dryer, quantity=1)
    return {"pwk": pwk, "pku": pku, "feed": feed, "dryer": dryer, "buyer": buyer, "cart": cart}


def address(**overrides) -> dict:
    data = {
        "contact_name": "Budi Santoso",
        "contact_phone": "081234567890",
        "contact_email": "budi@contoh.id",
        "village_province": "36",
        "village_regency": "36.72",
        "village_district": "36.72.07",
        "village_village": VILLAGE,
        "address_line": "Jl. Merdeka No. 5, RT 01/RW 02",
        "postal_code": "42431",
        "note": "",
        "payment_method": "bank_transfer",
        "shipping_pwk": "own_delivery",
        "shipping_pku": "courier",
        "buyer_organization": "",
    }
    data.update(overrides)
    return data


def form_values(client) -> dict:
    """The hidden fields the page made (product ids, idempotency key)."""
    response = client.get(CHECKOUT)
    assert response.status_code == 200
    form = response.context["form"]
    return {
        "product_ids": form["product_ids"].value(),
        "idempotency_key": form["idempotency_key"].value(),
    }


@pytest.fixture
def buyer_client(client, world):
    client.force_login(world["buyer"])
    return client


def test_urls_reverse():
    assert reverse("orders:checkout") == CHECKOUT
    assert reverse("orders:order_list") == ORDERS
    assert reverse("orders:order_detail", args=["MT-250101-ABCDEF"]) == "/pesanan/MT-250101-ABCDEF/"


@pytest.mark.parametrize("path", [CHECKOUT, ORDERS, "/pesanan/MT-250101-ABCDEF/"])
def test_anonymous_visitors_go_to_the_login_page(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={path}"


def test_checkout_page_prefills_the_contact_and_shows_both_posyantek(buyer_client, world):
    response = buyer_client.get(CHECKOUT)
    assert response.status_code == 200
    html = response.content.decode()
    form = response.context["form"]
    assert form["contact_email"].value() == "budi@contoh.id"
    assert form["contact_name"].value() == "Budi Santoso"
    assert len(form["idempotency_key"].value()) >= 16
    assert 'data-seller="pwk"' in html and 'data-seller="pku"' in html
    assert 'name="village_province"' in html
    # Before the address: pickup only for the first, nothing yet for the courier-only one.
    assert [choice[0] for choice in form.fields["shipping_pwk"].choices] == ["pickup"]
    assert form.fields["shipping_pku"].choices == []
    assert "Rp 350.000" in html  # 2 × Rp 175.000


def test_showing_the_shipping_options_for_the_address_places_nothing(buyer_client, world):
    data = {**address(), **form_values(buyer_client), "refresh": "1"}
    del data["shipping_pwk"], data["shipping_pku"]
    response = buyer_client.post(CHECKOUT, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound
    assert [c[0] for c in form.fields["shipping_pwk"].choices] == ["pickup", "own_delivery"]
    assert [c[0] for c in form.fields["shipping_pku"].choices] == ["courier"]
    html = response.content.decode()
    assert "Rp 25.000" in html  # own delivery to Kota Cilegon
    assert "Rp 50.000" in html  # courier: 5 kg (4,2 rounded up) × Rp 10.000
    assert not Order.objects.exists() and not Payment.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"contact_name": ""}, "contact_name"),
        ({"contact_email": "not-an-address"}, "contact_email"),
        ({"village_village": ""}, "village"),
        ({"postal_code": "123"}, "postal_code"),
        ({"shipping_pwk": ""}, "shipping_pwk"),
        ({"payment_method": "card"}, "payment_method"),
        ({"buyer_organization": "someone-else"}, "buyer_organization"),
    ],
)
def test_bad_input_shows_the_error_next_to_the_field_and_creates_nothing(
    buyer_client, world, overrides, field
):
    data = {**address(**overrides), **form_values(buyer_client)}
    response = buyer_client.post(CHECKOUT, data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'class="error-summary"' in response.content.decode()
    assert not Order.objects.exists() and not Payment.objects.exists()
    assert world["cart"].items.count() == 2


def test_a_shipping_method_the_posyantek_does_not_offer_there_is_refused(buyer_client, world):
    # Courier to Pekalongan's own province is not offered by pku: the service refuses it.
    data = {
        **address(
            village_province="33",
            village_regency="33.75",
            village_district="33.75.03",
            village_village="33.75.03.1002",
            shipping_pwk="pickup",
        ),
        **form_values(buyer_client),
    }
    response = buyer_client.post(CHECKOUT, data)
    assert response.status_code == 400
    assert "shipping_pku" in response.context["form"].errors
    assert not Order.objects.exists()


def test_a_successful_checkout_creates_one_order_per_posyantek(buyer_client, world):
    data = {**address(), **form_values(buyer_client)}
    response = buyer_client.post(CHECKOUT, data)
    assert response.status_code == 302, response.context["form"].errors
    payment = Payment.objects.get()
    assert response["Location"] == f"/pembayaran/{payment.code}/"
    assert payment.buyer == world["buyer"]
    assert payment.status == Payment.Status.PENDING
    assert payment.method == "bank_transfer"
    orders = {order.seller.slug: order for order in Order.objects.select_related("seller")}
    assert set(orders) == {"pwk", "pku"}
    pwk, pku = orders["pwk"], orders["pku"]
    assert (pwk.goods_amount, pwk.shipping_amount, pwk.ppn_amount) == (350_000, 25_000, 0)
    assert pwk.total_amount == 375_000
    assert pwk.shipping_method == "own_delivery"
    assert (pku.goods_amount, pku.shipping_amount) == (1_500_000, 50_000)
    assert pku.ppn_amount == 170_500  # 11 % of Rp 1.550.000, PKP
    assert pku.total_amount == 1_720_500
    assert payment.amount_due_amount == 375_000 + 1_720_500
    for order in orders.values():
        assert order.status == Order.Status.PENDING_PAYMENT
        assert order.village_id == VILLAGE
        assert order.contact_phone and order.contact_email == "budi@contoh.id"
        assert order.payment == payment
    assert pwk.lines.get().quantity == 2
    assert not world["cart"].items.exists()
    world["feed"].refresh_from_db()
    assert world["feed"].stock == 8

    # The payment page after checkout: the amount, the code, two orders awaiting payment.
    page = buyer_client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert payment.code in html
    assert "Rp 2.095.500" in html
    assert len(re.findall(r'data-status="pending_payment"', html)) == 2


def test_a_double_submit_makes_one_checkout(buyer_client, world):
    data = {**address(), **form_values(buyer_client)}
    first = buyer_client.post(CHECKOUT, data)
    second = buyer_client.post(CHECKOUT, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Payment.objects.count() == 1
    assert Order.objects.count() == 2


def test_the_summary_shows_totals_and_the_grand_total(buyer_client, world):
    data = {**address(), **form_values(buyer_client), "refresh": "1"}
    response = buyer_client.post(CHECKOUT, data)
    html = response.content.decode()
    assert response.context["complete"]
    assert response.context["grand_total"] == 2_095_500
    assert "Rp 170.500" in html  # PPN of the PKP Posyantek
    assert "Rp 2.095.500" in html


def test_buying_for_a_verified_organisation(buyer_client, world):
    office = OrganizationFactory(kind="government", name="Dinas PMD Cilegon", slug="dinas")
    MembershipFactory(user=world["buyer"], organization=office, role=Role.STAFF)
    unverified = OrganizationFactory(slug="belum", verification_status="pending")
    MembershipFactory(user=world["buyer"], organization=unverified, role=Role.OWNER)
    response = buyer_client.get(CHECKOUT)
    choices = [c[0] for c in response.context["form"].fields["buyer_organization"].choices]
    assert choices == ["", "dinas"]
    data = {**address(buyer_organization="dinas"), **form_values(buyer_client)}
    assert buyer_client.post(CHECKOUT, data).status_code == 302
    assert set(Order.objects.values_list("buyer_organization__slug", flat=True)) == {"dinas"}


def test_an_empty_cart_says_so(client, world):
    client.force_login(UserFactory())
    response = client.get(CHECKOUT)
    assert response.status_code == 200
    assert 'id="checkout-empty"' in response.content.decode()


def test_my_orders_newest_first_and_the_detail_for_the_buyer_only(buyer_client, world, client):
    data = {**address(), **form_values(buyer_client)}
    assert buyer_client.post(CHECKOUT, data).status_code == 302
    orders = list(Order.objects.order_by("-created_at", "-id"))
    response = buyer_client.get(ORDERS)
    assert response.status_code == 200
    assert [order.number for order in response.context["page"].object_list] == [
        order.number for order in orders
    ]
    order = orders[0]
    detail = buyer_client.get(f"/pesanan/{order.number}/")
    assert detail.status_code == 200
    html = detail.content.decode()
    for line in order.lines.all():
        assert line.product_name in html
    assert 'data-status="pending_payment"' in html
    assert 'data-to="pending_payment"' in html
    assert order.payment.code in html

    stranger = UserFactory()
    buyer_client.force_login(stranger)
    assert buyer_client.get(f"/pesanan/{order.number}/").status_code == 404
    assert buyer_client.get("/pesanan/MT-000000-NOPENO/").status_code == 404
    listing = buyer_client.get(ORDERS)
    assert list(listing.context["page"].object_list) == []
    # Another buyer's payment code shows nothing of it.
    other = buyer_client.get(f"{ORDERS}?payment={order.payment.code}")
    assert other.context["payment"] is None
