"""checkout/ and its service: one order per Posyantek, one payment, exact Rupiah, stock and
capacity reserved in the same transaction — and nothing changed when anything is wrong."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Organization, Role
from core.errors import Conflict
from marketplace.capacity import booking_month, capacity_book
from marketplace.models import CapacityBooking, Product, StockMovement
from orders.models import (
    Cart,
    CartItem,
    CheckoutRequest,
    CourierRate,
    Order,
    OrderEvent,
    OrderLine,
    OwnDeliveryRate,
    Payment,
    PaymentEvent,
)
from orders.services.cart import cart_lines
from orders.services.checkout import checkout_place
from orders.services.payments import payment_mark_paid
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    ShippingSettingsFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/checkout/"
VILLAGE = "36.72.07.1004"  # Purwakarta, Kota Cilegon (36.72), Banten (36)


def client_for(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def sellers_with_shipping() -> tuple[Organization, Organization]:
    """A PKP Posyantek delivering itself to Kota Cilegon (Rp 50.000), and a non-PKP one
    sending by courier to Banten (Rp 12.000 per kg, at least Rp 15.000)."""
    pkp = OrganizationFactory(name="Posyantek PKP", slug="posyantek-pkp", is_pkp=True)
    settings_pkp = ShippingSettingsFactory(organization=pkp, own_delivery_enabled=True)
    OwnDeliveryRate.objects.create(settings=settings_pkp, regency_id="36.72", fee_amount=50_000)
    plain = OrganizationFactory(name="Posyantek Biasa", slug="posyantek-biasa", is_pkp=False)
    settings_plain = ShippingSettingsFactory(
        organization=plain, courier_enabled=True, courier_minimum_amount=15_000
    )
    CourierRate.objects.create(settings=settings_plain, province_id="36", rate_per_kg_amount=12_000)
    return pkp, plain


def cart_with(user, *lines: tuple[Product, int]) -> Cart:
    cart, _created = Cart.objects.get_or_create(user=user)
    for product, quantity in lines:
        CartItem.objects.create(cart=cart, product=product, quantity=quantity)
    return cart


def body(**changes) -> dict:
    data = {
        "contact_name": "Budi Santoso",
        "contact_phone": "0812-3456-7890",
        "contact_email": "Budi@Contoh.id",
        "address_line": "Jl. Raya Anyer No. 10",
        "village": VILLAGE,
        "postal_code": "42431",
        "note": "Tolong hubungi sebelum datang.",
        "payment_method": "bank_transfer",
        "shipping": {"posyantek-pkp": "own_delivery", "posyantek-biasa": "courier"},
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not ...}


@pytest.fixture
def shop(regions):
    """Two Posyantek, a tool from each, and a buyer whose cart holds both."""
    pkp, plain = sellers_with_shipping()
    tool = ProductFactory(
        seller=pkp, name="Mesin Pencacah", price_amount=1_500_000, stock=3, lead_time_days=2
    )
    feed = ProductFactory(
        seller=plain,
        name="Pakan Fermentasi",
        price_amount=250_000,
        weight_per_unit_kg="2.500",
        stock=10,
        lead_time_days=5,
    )
    buyer = UserFactory()
    cart = cart_with(buyer, (tool, 1), (feed, 2))
    return {"pkp": pkp, "plain": plain, "tool": tool, "feed": feed, "buyer": buyer, "cart": cart}


def snapshot() -> dict:
    return {
        "orders": Order.objects.count(),
        "payments": Payment.objects.count(),
        "lines": OrderLine.objects.count(),
        "stock": dict(Product.objects.values_list("pk", "stock")),
        "movements": StockMovement.objects.count(),
        "bookings": CapacityBooking.objects.count(),
        "cart": sorted(CartItem.objects.values_list("cart_id", "product_id", "quantity")),
        "requests": CheckoutRequest.objects.count(),
    }


# --- Placing ----------------------------------------------------------------------------------


def test_checkout_places_one_order_per_posyantek_with_exact_totals(shop):
    response = client_for(shop["buyer"]).post(URL, body(), format="json")

    assert response.status_code == 201, response.json()
    result = response.json()
    # PKP: goods 1.500.000 + delivery 50.000 → PPN 170.500 → 1.720.500 (core/money.py).
    # Not PKP: 2 × 250.000 + courier 5 kg × 12.000 = 560.000.
    assert result["payment"]["amount_due_amount"] == 1_720_500 + 560_000
    assert result["payment"]["status"] == "pending"
    assert result["payment"]["method"] == "bank_transfer"
    assert len(result["payment"]["code"]) == 8
    by_seller = {order["seller"]["slug"]: order for order in result["orders"]}
    assert {
        key: by_seller["posyantek-pkp"][key]
        for key in ("goods_amount", "shipping_amount", "dpp_amount", "ppn_amount", "total_amount")
    } == {
        "goods_amount": 1_500_000,
        "shipping_amount": 50_000,
        "dpp_amount": 1_420_833,
        "ppn_amount": 170_500,
        "total_amount": 1_720_500,
    }
    assert {
        key: by_seller["posyantek-biasa"][key]
        for key in ("goods_amount", "shipping_amount", "ppn_amount", "total_amount")
    } == {
        "goods_amount": 500_000,
        "shipping_amount": 60_000,
        "ppn_amount": 0,
        "total_amount": 560_000,
    }

    payment = Payment.objects.get()
    assert payment.pk == result["payment"]["id"]
    assert payment.amount_due_amount == 2_280_500
    assert payment.expires_at == pytest.approx(
        timezone.now() + datetime.timedelta(hours=24), abs=datetime.timedelta(minutes=1)
    )
    pkp_order = Order.objects.get(seller=shop["pkp"])
    plain_order = Order.objects.get(seller=shop["plain"])
    for order in (pkp_order, plain_order):
        assert order.payment == payment
        assert order.buyer == shop["buyer"]
        assert order.status == Order.Status.PENDING_PAYMENT
        assert order.payment_terms == Order.PaymentTerms.PREPAID
        assert order.contact_phone == "6281234567890"
        assert order.contact_email == "budi@contoh.id"
        assert (order.village_id, order.district_id, order.regency_id, order.province_id) == (
            VILLAGE,
            "36.72.07",
            "36.72",
            "36",
        )
        assert order.number.startswith(f"MT-{timezone.localdate():%y%m%d}-")
        assert OrderEvent.objects.filter(order=order, from_status="", to_status="pending_payment")
    assert pkp_order.seller_is_pkp and not plain_order.seller_is_pkp
    assert plain_order.shipping_weight_grams == 5_000
    assert pkp_order.promised_date == timezone.localdate() + datetime.timedelta(days=2)
    assert plain_order.promised_date == timezone.localdate() + datetime.timedelta(days=5)
    assert (
        PaymentEvent.objects.filter(payment=payment, kind="status", to_status="pending").count()
        == 1
    )

    # Stock taken, each movement naming its order; the cart emptied of what was bought.
    shop["tool"].refresh_from_db()
    shop["feed"].refresh_from_db()
    assert (shop["tool"].stock, shop["feed"].stock) == (2, 8)
    sale = StockMovement.objects.get(product=shop["tool"])
    assert (sale.delta, sale.reason, sale.actor) == (-1, "sale", shop["buyer"])
    assert pkp_order.number in sale.note
    assert not CartItem.objects.filter(cart=shop["cart"]).exists()


def test_lines_are_frozen_when_the_price_changes_afterwards(shop):
    client_for(shop["buyer"]).post(URL, body(), format="json")
    Product.objects.filter(pk=shop["tool"].pk).update(
        price_amount=9_999_999, name="Nama Baru", weight_per_unit_kg="99.000"
    )

    line = OrderLine.objects.get(product=shop["tool"])
    assert (line.product_name, line.unit_price_amount, line.quantity, line.line_amount) == (
        "Mesin Pencacah",
        1_500_000,
        1,
        1_500_000,
    )
    assert line.weight_per_unit_grams == 45_000
    order = Order.objects.get(seller=shop["pkp"])
    assert order.total_amount == 1_720_500
    response = client_for(shop["buyer"]).get(f"/api/v1/orders/{order.number}/")
    assert response.json()["lines"][0]["unit_price_amount"] == 1_500_000
    assert response.json()["total_amount"] == 1_720_500


def test_made_to_order_products_book_capacity_of_the_promised_month(regions):
    seller = OrganizationFactory(slug="bengkel")
    ShippingSettingsFactory(organization=seller)
    product = ProductFactory(
        seller=seller,
        availability=Product.Availability.MADE_TO_ORDER,
        monthly_capacity=5,
        stock=0,
        lead_time_days=40,
    )
    buyer = UserFactory()
    cart_with(buyer, (product, 3))

    response = client_for(buyer).post(URL, body(shipping={"bengkel": "pickup"}), format="json")

    assert response.status_code == 201, response.json()
    order = Order.objects.get()
    booking = CapacityBooking.objects.get()
    assert (booking.product, booking.quantity, booking.source_type, booking.source_id) == (
        product,
        3,
        "order",
        str(order.pk),
    )
    assert booking.month == booking_month(at=timezone.now(), lead_time_days=40)
    assert order.promised_date == timezone.localdate() + datetime.timedelta(days=40)
    assert order.shipping_amount == 0
    assert not StockMovement.objects.exists()


def test_only_the_chosen_products_are_bought_and_the_rest_stays_in_the_cart(shop):
    response = client_for(shop["buyer"]).post(
        URL,
        body(product_ids=[shop["feed"].pk], shipping={"posyantek-biasa": "courier"}),
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert [order["seller"]["slug"] for order in response.json()["orders"]] == ["posyantek-biasa"]
    assert list(CartItem.objects.values_list("product_id", flat=True)) == [shop["tool"].pk]


def test_buying_for_a_verified_organisation_the_user_belongs_to(shop):
    company = OrganizationFactory(kind=Organization.Kind.INDUSTRY, slug="pabrik-pakan")
    MembershipFactory(organization=company, user=shop["buyer"], role=Role.STAFF)

    response = client_for(shop["buyer"]).post(
        URL, body(buyer_organization="pabrik-pakan"), format="json"
    )

    assert response.status_code == 201, response.json()
    assert set(Order.objects.values_list("buyer_organization__slug", flat=True)) == {"pabrik-pakan"}


# --- Refusals: nothing changes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"contact_name": ""}, "contact_name"),
        ({"contact_name": ...}, "contact_name"),
        ({"contact_name": "x" * 151}, "contact_name"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"contact_phone": "+1 202 555 0100"}, "contact_phone"),
        ({"contact_email": "bukan-email"}, "contact_email"),
        ({"address_line": "  "}, "address_line"),
        ({"village": "36.72.07"}, "village"),  # a district, not a village
        ({"village": "99.99.99.9999"}, "village"),
        ({"village": ...}, "village"),
        ({"village": "36.72.07.1004\x00"}, "village"),
        ({"postal_code": "4243"}, "postal_code"),
        ({"postal_code": "abcde"}, "postal_code"),
        ({"note": "x" * 501}, "note"),
        ({"payment_method": "card"}, "payment_method"),
        ({"payment_method": "cash"}, "payment_method"),
        ({"shipping": {"posyantek-pkp": "own_delivery"}}, "shipping.posyantek-biasa"),
        (
            {"shipping": {"posyantek-pkp": "courier", "posyantek-biasa": "courier"}},
            "shipping.posyantek-pkp",
        ),
        ({"shipping": {"posyantek-pkp": "teleport"}}, "shipping.posyantek-pkp"),
        ({"shipping": "pickup"}, "shipping"),
        ({"product_ids": [999_999]}, "product_ids"),
        ({"product_ids": ["x"]}, "product_ids.0"),
        ({"buyer_organization": "tidak-ada"}, "buyer_organization"),
        ({"contact_name": 12, "contact_email": ["a"]}, "contact_email"),
    ],
)
def test_bad_input_is_refused_per_field_and_changes_nothing(shop, changes, field):
    before = snapshot()

    response = client_for(shop["buyer"]).post(URL, body(**changes), format="json")

    assert response.status_code == 400, response.json()
    assert field in response.json().get("errors", {}), response.json()
    assert snapshot() == before


def test_card_payment_is_not_available_yet(shop):
    response = client_for(shop["buyer"]).post(URL, body(payment_method="card"), format="json")

    assert response.status_code == 400
    assert "belum tersedia" in response.json()["errors"]["payment_method"][0]  # not available yet
    assert not Payment.objects.exists()


@pytest.mark.parametrize("payload", [[], "teks", None, [{"a": 1}]])
def test_a_body_that_is_not_an_object_is_a_400(shop, payload):
    before = snapshot()
    response = client_for(shop["buyer"]).post(URL, payload, format="json")
    assert response.status_code == 400
    assert snapshot() == before


def test_a_malformed_json_body_is_a_400(shop):
    response = client_for(shop["buyer"]).post(URL, "{bukan json", content_type="application/json")
    assert response.status_code == 400


def test_an_unverified_buyer_organisation_is_refused(shop):
    company = OrganizationFactory(
        kind=Organization.Kind.INDUSTRY,
        slug="pabrik-baru",
        verification_status=Organization.VerificationStatus.PENDING,
    )
    MembershipFactory(organization=company, user=shop["buyer"], role=Role.OWNER)
    before = snapshot()

    response = client_for(shop["buyer"]).post(
        URL, body(buyer_organization="pabrik-baru"), format="json"
    )

    assert response.status_code == 400
    assert "diverifikasi" in response.json()["errors"]["buyer_organization"][0]  # not verified
    assert snapshot() == before


def test_buying_for_an_organisation_one_does_not_belong_to_is_forbidden(shop):
    OrganizationFactory(kind=Organization.Kind.INDUSTRY, slug="pabrik-orang-lain")
    before = snapshot()

    response = client_for(shop["buyer"]).post(
        URL, body(buyer_organization="pabrik-orang-lain"), format="json"
    )

    assert response.status_code == 403
    assert snapshot() == before


def test_out_of_stock_refuses_the_whole_checkout_and_names_the_product(shop):
    CartItem.objects.filter(product=shop["feed"]).update(quantity=11)
    before = snapshot()

    response = client_for(shop["buyer"]).post(URL, body(), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "out_of_stock"
    assert "Pakan Fermentasi" in response.json()["detail"]
    # The tool (lower id, reserved first) was given back: nothing changed at all.
    assert snapshot() == before


def test_a_product_taken_off_sale_is_refused(shop):
    Product.objects.filter(pk=shop["feed"].pk).update(status="draft")
    before = snapshot()

    response = client_for(shop["buyer"]).post(URL, body(), format="json")

    assert response.status_code == 400
    assert "Pakan Fermentasi" in response.json()["detail"]
    assert snapshot() == before


def test_a_quantity_off_the_step_is_refused(shop):
    Product.objects.filter(pk=shop["feed"].pk).update(minimum_order=1, order_step=5)
    before = snapshot()

    response = client_for(shop["buyer"]).post(URL, body(), format="json")

    assert response.status_code == 400
    assert snapshot() == before


def test_an_empty_cart_is_refused(regions):
    buyer = UserFactory()

    response = client_for(buyer).post(URL, body(), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "cart_empty"
    assert not Payment.objects.exists()


def test_checkout_needs_login(shop):
    response = APIClient().post(URL, body(), format="json")
    assert response.status_code in (401, 403)
    assert not Payment.objects.exists()


# --- Idempotency ------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_returns_the_same_orders(shop):
    client = client_for(shop["buyer"])
    first = client.post(URL, body(), format="json", HTTP_IDEMPOTENCY_KEY="kunci-1")
    # The cart is empty now; a retry must still answer with the first result.
    second = client.post(URL, body(), format="json", HTTP_IDEMPOTENCY_KEY="kunci-1")

    assert first.status_code == 201
    assert second.status_code == 201
    assert second.json() == first.json()
    assert Payment.objects.count() == 1
    assert Order.objects.count() == 2
    assert StockMovement.objects.count() == 2


def test_the_same_key_with_another_body_is_a_conflict(shop):
    client = client_for(shop["buyer"])
    client.post(URL, body(), format="json", HTTP_IDEMPOTENCY_KEY="kunci-2")
    cart_with(shop["buyer"], (shop["tool"], 1))
    before = snapshot()

    response = client.post(URL, body(note="Lain"), format="json", HTTP_IDEMPOTENCY_KEY="kunci-2")

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert snapshot() == before


def test_keys_belong_to_one_user(shop):
    client_for(shop["buyer"]).post(URL, body(), format="json", HTTP_IDEMPOTENCY_KEY="kunci-3")
    other = UserFactory()
    cart_with(other, (shop["tool"], 1))

    response = client_for(other).post(
        URL,
        body(shipping={"posyantek-pkp": "own_delivery"}),
        format="json",
        HTTP_IDEMPOTENCY_KEY="kunci-3",
    )

    assert response.status_code == 201
    assert Payment.objects.count() == 2


def test_an_expired_key_places_a_new_checkout(shop, settings):
    client = client_for(shop["buyer"])
    client.post(URL, body(), format="json", HTTP_IDEMPOTENCY_KEY="kunci-4")
    CheckoutRequest.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    cart_with(shop["buyer"], (shop["tool"], 1))

    response = client.post(
        URL,
        body(shipping={"posyantek-pkp": "own_delivery"}),
        format="json",
        HTTP_IDEMPOTENCY_KEY="kunci-4",
    )

    assert response.status_code == 201
    assert Payment.objects.count() == 2
    assert CheckoutRequest.objects.get().payment_id == response.json()["payment"]["id"]


def test_an_idempotency_key_longer_than_255_characters_is_refused(shop):
    response = client_for(shop["buyer"]).post(
        URL, body(), format="json", HTTP_IDEMPOTENCY_KEY="k" * 256
    )
    assert response.status_code == 400
    assert not Payment.objects.exists()


def test_the_service_refuses_another_users_cart(shop):
    with pytest.raises(Exception) as error:
        checkout_place(user=UserFactory(), cart=shop["cart"], data=body())
    assert getattr(error.value, "status_code", None) == 403


# --- Paying -----------------------------------------------------------------------------------


def test_payment_mark_paid_moves_the_payment_and_its_orders(shop):
    client_for(shop["buyer"]).post(URL, body(), format="json")
    payment = Payment.objects.get()
    staff = UserFactory(is_staff=True)

    payment_mark_paid(payment=payment, actor=staff, note="BCA ref 123")

    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert payment.paid_at is not None
    assert set(Order.objects.values_list("status", flat=True)) == {"paid"}
    assert all(order.paid_at == payment.paid_at for order in Order.objects.all())
    event = PaymentEvent.objects.filter(payment=payment).last()
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        "pending",
        "paid",
        staff,
        "BCA ref 123",
    )
    assert OrderEvent.objects.filter(to_status="paid", actor=staff).count() == 2


def test_a_paid_payment_cannot_be_paid_again(shop):
    client_for(shop["buyer"]).post(URL, body(), format="json")
    payment = Payment.objects.get()
    payment_mark_paid(payment=payment)

    with pytest.raises(Conflict):
        payment_mark_paid(payment=payment)
    assert PaymentEvent.objects.filter(to_status="paid").count() == 1


def test_an_expired_payment_cannot_be_marked_paid_directly(shop):
    client_for(shop["buyer"]).post(URL, body(), format="json")
    Payment.objects.update(status=Payment.Status.EXPIRED)

    with pytest.raises(Conflict):
        payment_mark_paid(payment=Payment.objects.get())
    assert set(Order.objects.values_list("status", flat=True)) == {"pending_payment"}


# --- Reading ----------------------------------------------------------------------------------


def test_the_buyer_lists_and_reads_its_orders_and_payment(shop):
    client = client_for(shop["buyer"])
    placed = client.post(URL, body(), format="json").json()

    listed = client.get("/api/v1/orders/")
    assert listed.status_code == 200
    assert listed.json()["count"] == 2
    number = placed["orders"][0]["number"]
    assert client.get(f"/api/v1/orders/{number}/").json()["number"] == number
    payment = client.get(f"/api/v1/payments/{placed['payment']['id']}/")
    assert payment.status_code == 200
    assert len(payment.json()["orders"]) == 2


def test_strangers_do_not_see_orders_or_payments(shop):
    placed = client_for(shop["buyer"]).post(URL, body(), format="json").json()
    stranger = client_for(UserFactory())

    assert stranger.get("/api/v1/orders/").json()["count"] == 0
    assert stranger.get(f"/api/v1/orders/{placed['orders'][0]['number']}/").status_code == 404
    assert stranger.get(f"/api/v1/payments/{placed['payment']['id']}/").status_code == 404
    staff = client_for(UserFactory(is_staff=True))
    assert staff.get(f"/api/v1/payments/{placed['payment']['id']}/").status_code == 200


def test_the_seller_sees_its_sales_only(shop):
    client_for(shop["buyer"]).post(URL, body(), format="json")
    member = MembershipFactory(organization=shop["pkp"], role=Role.STAFF).user
    client = client_for(member)

    response = client.get("/api/v1/orders/?as=seller&organization=posyantek-pkp")

    assert response.status_code == 200
    assert [order["seller"]["slug"] for order in response.json()["results"]] == ["posyantek-pkp"]
    assert client.get("/api/v1/orders/?as=seller&organization=posyantek-biasa").status_code == 403
    assert client.get("/api/v1/orders/?as=seller").status_code == 400
    assert client.get("/api/v1/orders/?as=pembeli").status_code == 400
    assert client.get("/api/v1/orders/?as=seller&organization=tidak-ada").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/orders/MT-%00/",
        "/api/v1/orders/" + "X" * 300 + "/",
        "/api/v1/payments/99999999999999999999999/",
        "/api/v1/orders/?organization=%00",
        "/api/v1/orders/?page=abc",
    ],
)
def test_odd_addresses_are_never_a_500(shop, path):
    response = client_for(shop["buyer"]).get(path)
    assert response.status_code in (400, 404)


def test_the_order_list_takes_a_fixed_number_of_queries(shop):
    Product.objects.filter(pk=shop["tool"].pk).update(stock=10)
    client = client_for(shop["buyer"])
    client.post(URL, body(), format="json")

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get("/api/v1/orders/").status_code == 200
        return len(context.captured_queries)

    few = count()
    for _round in range(3):
        cart_with(shop["buyer"], (shop["tool"], 1), (shop["feed"], 1))
        client.post(URL, body(), format="json")
    assert Order.objects.count() == 8
    assert count() == few


# --- Preview ----------------------------------------------------------------------------------


def test_preview_shows_options_fees_and_totals_and_writes_nothing(shop):
    before = snapshot()

    response = client_for(shop["buyer"]).post(
        "/api/v1/checkout/preview/",
        {"village": VILLAGE, "shipping": {"posyantek-pkp": "own_delivery"}},
        format="json",
    )

    assert response.status_code == 200, response.json()
    preview = response.json()
    groups = {group["seller"]["slug"]: group for group in preview["groups"]}
    pkp = groups["posyantek-pkp"]
    assert {option["method"] for option in pkp["shipping_options"]} == {"pickup", "own_delivery"}
    assert (pkp["shipping_amount"], pkp["ppn_amount"], pkp["total_amount"]) == (
        50_000,
        170_500,
        1_720_500,
    )
    plain = groups["posyantek-biasa"]
    assert {option["method"]: option["fee_amount"] for option in plain["shipping_options"]} == {
        "pickup": 0,
        "courier": 60_000,
    }
    assert plain["problems"]  # no method chosen yet
    assert preview["ready"] is False
    assert snapshot() == before


def test_preview_reports_lines_that_cannot_be_bought(shop):
    Product.objects.filter(pk=shop["tool"].pk).update(stock=0)

    response = client_for(shop["buyer"]).post(
        "/api/v1/checkout/preview/", {"village": VILLAGE}, format="json"
    )

    lines = [line for group in response.json()["groups"] for line in group["lines"]]
    problems = {line["product_name"]: line["problem"] for line in lines}
    assert problems["Mesin Pencacah"]
    assert problems["Pakan Fermentasi"] == ""


# --- Admin ------------------------------------------------------------------------------------


def test_admin_shows_orders_and_payments_and_changes_nothing(shop, client):
    """Payments are confirmed on the staff transfer desk (it needs the bank's reference and
    the amount received); the admin only shows them."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    admin_client = client
    client_for(shop["buyer"]).post(URL, body(), format="json")
    payment = Payment.objects.get()
    order = Order.objects.first()

    assert admin_client.get(f"/admin/orders/order/{order.pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/orders/payment/{payment.pk}/change/").status_code == 200
    assert admin_client.get("/admin/orders/order/add/").status_code == 403
    response = admin_client.post(
        "/admin/orders/payment/",
        {"action": "mark_paid", "_selected_action": [payment.pk]},
        follow=True,
    )
    admin_client.post(
        f"/admin/orders/payment/{payment.pk}/change/",
        {"status": "paid", "amount_due_amount": 1},
    )

    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert payment.amount_due_amount == sum(Order.objects.values_list("total_amount", flat=True))
    assert set(Order.objects.values_list("status", flat=True)) == {"pending_payment"}
    assert PaymentEvent.objects.filter(to_status="paid").count() == 0


def test_preview_and_cart_judge_capacity_in_the_month_checkout_books(shop):
    """An order's lines all book the month of its promised date (the longest lead time):
    a quick product ordered with a slow one is judged in that month, by the cart, the
    preview and checkout alike."""
    quick = ProductFactory(
        seller=shop["pkp"],
        name="Mesin Cepat",
        availability="made_to_order",
        monthly_capacity=10,
        lead_time_days=0,
    )
    slow = ProductFactory(
        seller=shop["pkp"],
        name="Mesin Lambat",
        availability="made_to_order",
        monthly_capacity=10,
        lead_time_days=40,
    )
    order_month = booking_month(at=timezone.now(), lead_time_days=40)
    capacity_book(product=quick, month=order_month, quantity=10, source_type="o", source_id="x")
    buyer = UserFactory()
    cart = cart_with(buyer, (quick, 1), (slow, 1))

    preview = client_for(buyer).post(
        "/api/v1/checkout/preview/", body(shipping={"posyantek-pkp": "own_delivery"}), format="json"
    )
    problems = {
        line["product_name"]: line["problem"]
        for group in preview.json()["groups"]
        for line in group["lines"]
    }
    assert problems["Mesin Cepat"] and problems["Mesin Lambat"] == ""
    lines = {
        line.product.name: line.problem for group in cart_lines(cart).groups for line in group.items
    }
    assert lines["Mesin Cepat"] and lines["Mesin Lambat"] == ""
    before = snapshot()
    response = client_for(buyer).post(
        URL, body(shipping={"posyantek-pkp": "own_delivery"}), format="json"
    )
    assert response.status_code == 409
    assert "Mesin Cepat" in response.json()["detail"]
    assert snapshot() == before
