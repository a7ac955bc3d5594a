"""On a 360 px phone: an order placed by checkout (through the service, to save time) is paid
(platform staff, through the service); the Posyantek's owner, logged in in the browser,
accepts it and ships it with the courier and tracking number on the order desk; the buyer sees
it shipped, confirms receipt, follows the review link of the completed order and reviews the
product. Every page fits the phone.

Elements are found by id, name, data attributes and URL, not by their wording (translations
come later)."""

import re

import pytest

from accounts.models import Role
from orders.models import Cart, CartItem, CourierRate, Order, Review, ShippingSettings
from orders.services.checkout import checkout_place
from orders.services.payments import payment_mark_paid
from regions.models import Province
from tests.e2e.conftest import PHONE, assert_fits_phone
from tests.factories import MembershipFactory, OrganizationFactory, ProductFactory, UserFactory
from tests.orders.conftest import checkout_body

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Ampas-tahu-2026"


@pytest.fixture
def paid_order(regions):
    """A paid courier order of 2 sacks of feed from Posyantek Purwakarta to Budi."""
    seller = OrganizationFactory(name="Posyantek Purwakarta", slug="pwk", code="PWK")
    settings = ShippingSettings.objects.create(
        organization=seller, pickup_enabled=False, courier_enabled=True
    )
    CourierRate.objects.create(
        settings=settings, province=Province.objects.get(code="36"), rate_per_kg_amount=10_000
    )
    owner = UserFactory(name="Siti Operator", email="siti@contoh.id", password=PASSWORD)
    MembershipFactory(user=owner, organization=seller, role=Role.OWNER)
    product = ProductFactory(
        seller=seller,
        name="Pakan Ternak Ampas Tahu",
        slug="pakan-ternak-ampas-tahu-pwk",
        price_amount=175_000,
        weight_per_unit_kg="25.000",
        stock=20,
    )
    buyer = UserFactory(name="Budi Santoso", email="budi@contoh.id", password=PASSWORD)
    platform = UserFactory(is_staff=True)
    cart = Cart.objects.create(user=buyer)
    CartItem.objects.create(cart=cart, product=product, quantity=2)
    payment = checkout_place(
        user=buyer, cart=cart, data=checkout_body(seller, shipping={seller.slug: "courier"})
    )
    payment_mark_paid(payment=payment, actor=platform)
    order = payment.orders.get()
    assert order.status == Order.Status.PAID
    return {"order": order, "seller": seller, "product": product, "buyer": buyer}


def log_in(page, email: str) -> None:
    page.goto(page.base_url + "/akun/masuk/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_seller_accepts_and_ships_then_buyer_confirms_and_reviews(
    phone_page, browser, live_server, paid_order
):
    order = paid_order["order"]
    number = order.number
    desk = f"{live_server.url}/organisasi/pwk/pesanan/"

    # --- The Posyantek's owner on the order desk -----------------------------------------
    page = phone_page
    log_in(page, "siti@contoh.id")
    page.goto(desk)
    row = page.locator(f"#desk-list .order-row[data-order='{number}']")
    assert row.get_attribute("data-status") == "paid"
    assert_fits_phone(page)
    row.locator("[data-testid=desk-action][data-action=accept]").click()
    page.wait_for_load_state()
    order.refresh_from_db()
    assert order.status == Order.Status.PROCESSING

    page.goto(desk + "?tab=processing")
    row = page.locator(f"#desk-list .order-row[data-order='{number}']")
    row.locator("[data-testid=desk-action][data-action=ship]").click()
    page.wait_for_url(re.compile(rf"/pesanan/{number}/#ship$"))
    assert_fits_phone(page)
    page.fill("#id_carrier", "JNE")
    page.fill("#id_tracking_number", "JNE0012345678")
    page.click("[data-testid=ship-submit]")
    page.wait_for_load_state()
    assert page.locator("#order-status [data-status=shipped]").count() == 1
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    assert order.tracking_number == "JNE0012345678"

    # --- The buyer, on another phone -------------------------------------------------------
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    try:
        buyer = context.new_page()
        buyer.set_default_timeout(15_000)
        buyer.base_url = live_server.url
        log_in(buyer, "budi@contoh.id")
        buyer.goto(f"{live_server.url}/pesanan/{number}/")
        assert buyer.locator("#order-status [data-status=shipped]").count() == 1
        assert buyer.locator("#shipment-tracking").inner_text() == "JNE0012345678"
        assert_fits_phone(buyer)
        buyer.click("[data-testid=confirm-receipt]")
        buyer.wait_for_load_state()
        assert buyer.locator("#order-status [data-status=completed]").count() == 1
        order.refresh_from_db()
        assert order.status == Order.Status.COMPLETED
        assert_fits_phone(buyer)

        # The review, from the completed order's line.
        buyer.click("[data-testid=review-link]")
        buyer.wait_for_url(re.compile(r"/produk/pakan-ternak-ampas-tahu-pwk/ulasan/$"))
        form = buyer.locator("[data-testid=review-form]")
        form.locator("input[name=rating][value='5']").check()
        form.locator("textarea[name=text]").fill("Pakan bagus, sapi suka.")
        assert_fits_phone(buyer)
        form.locator("[data-testid=review-submit]").click()
        buyer.wait_for_load_state()
        assert buyer.locator("[data-testid=review]").count() == 1
        review = Review.objects.get()
        assert (review.rating, review.author, review.order_id) == (
            5,
            paid_order["buyer"],
            order.pk,
        )
    finally:
        context.close()
