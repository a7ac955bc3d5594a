"""On a 360 px phone, a buyer logs in, puts products of two Posyantek in the cart from their
product pages, goes to checkout, picks the delivery address with the region picker, chooses
each Posyantek's shipping, pays by bank transfer, and sees two orders awaiting payment with
the amount and the payment code. The cart, checkout and orders pages fit the phone.

Elements are found by id, name, class and URL, not by their wording (translations come
later)."""

import re

import pytest

from orders.models import (
    CourierRate,
    Order,
    OwnDeliveryRate,
    Payment,
    ShippingSettings,
)
from regions.models import Province, Regency
from tests.e2e.conftest import assert_fits_phone
from tests.factories import OrganizationFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Ampas-tahu-2026"


@pytest.fixture
def shop(regions):
    """Purwakarta (pickup or its own delivery in Kota Cilegon, Rp 25.000) and Pekalongan Utara
    (PKP, courier only: Rp 10.000/kg to Banten, minimum Rp 15.000), one product each."""
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
        organization=pku, pickup_enabled=False, courier_enabled=True, courier_minimum_amount=15_000
    )
    CourierRate.objects.create(
        settings=pku_settings, province=Province.objects.get(code="36"), rate_per_kg_amount=10_000
    )
    feed = ProductFactory(
        seller=pwk,
        name="Pakan Ternak Ampas Tahu",
        slug="pakan-ternak-ampas-tahu-pwk",
        price_amount=175_000,
        weight_per_unit_kg="25.000",
        stock=20,
    )
    dryer = ProductFactory(
        seller=pku,
        name="Mesin Pengering Ikan",
        slug="mesin-pengering-ikan-pku",
        price_amount=1_500_000,
        weight_per_unit_kg="4.200",
        stock=3,
    )
    buyer = UserFactory(name="Budi Santoso", email="budi@contoh.id", password=PASSWORD)
    return {"feed": feed, "dryer": dryer, "buyer": buyer}


def add_to_cart(page, product, quantity: int) -> None:
    page.goto(f"{page.base_url}/produk/{product.slug}/")
    form = page.locator("form#add-to-cart")
    form.locator("input[name=quantity]").fill(str(quantity))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_buyer_checks_out_two_posyantek_by_bank_transfer(phone_page, shop):
    page = phone_page

    page.goto(page.base_url + "/akun/masuk/")
    page.fill("#id_username", "budi@contoh.id")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()

    add_to_cart(page, shop["feed"], 2)
    add_to_cart(page, shop["dryer"], 1)

    page.goto(page.base_url + "/keranjang/")
    assert page.locator(f"main >> text={shop['feed'].name}").count() >= 1
    assert page.locator(f"main >> text={shop['dryer'].name}").count() >= 1
    assert_fits_phone(page)
    page.click("#checkout-link")
    page.wait_for_url(re.compile(r"/checkout/$"))
    assert page.locator(".checkout-seller").count() == 2
    assert page.input_value("#id_contact_email") == "budi@contoh.id"
    assert_fits_phone(page)

    # The address with the region picker, then the shipping options for it.
    page.fill("#id_contact_phone", "0812 3456 7890")
    page.select_option("#id_village_province", "36")
    page.wait_for_selector("#id_village_regency option[value='36.72']", state="attached")
    page.select_option("#id_village_regency", "36.72")
    page.wait_for_selector("#id_village_district option[value='36.72.07']", state="attached")
    page.select_option("#id_village_district", "36.72.07")
    page.wait_for_selector("#id_village_village option[value='36.72.07.1004']", state="attached")
    page.select_option("#id_village_village", "36.72.07.1004")
    page.fill("#id_address_line", "Jl. Merdeka No. 5, RT 01/RW 02")
    page.fill("#id_postal_code", "42431")
    page.click("#shipping-refresh")
    page.wait_for_selector("input[name=shipping_pwk][value=own_delivery]")
    assert page.input_value("#id_village_village") == "36.72.07.1004"
    assert page.input_value("#id_address_line") == "Jl. Merdeka No. 5, RT 01/RW 02"
    page.check("input[name=shipping_pwk][value=own_delivery]")
    page.check("input[name=shipping_pku][value=courier]")
    assert page.is_checked("input[name=payment_method][value=bank_transfer]")
    # The totals for these choices (no JavaScript: the page is sent again).
    page.click("#total-refresh")
    page.wait_for_load_state()
    assert page.is_checked("input[name=shipping_pwk][value=own_delivery]")
    pku_total = page.locator(".checkout-seller[data-seller=pku] .checkout-total")
    assert pku_total.inner_text() == "Rp 1.720.500"  # + Rp 50.000 courier, + PPN (PKP)
    assert page.locator("#grand-total").inner_text() == "Rp 2.095.500"
    assert_fits_phone(page)

    page.click("#checkout-submit")
    page.wait_for_url(re.compile(r"/pembayaran/\w+/$"))

    payment = Payment.objects.get()
    orders = Order.objects.filter(payment=payment)
    assert orders.count() == 2
    assert set(orders.values_list("status", flat=True)) == {Order.Status.PENDING_PAYMENT}
    assert payment.amount_due_amount == 375_000 + 1_720_500

    # The payment page: what to transfer, where, with which code; the two orders it covers.
    assert page.locator("#payment-code").inner_text() == payment.code
    assert page.locator("#payment-amount").inner_text() == "Rp 2.095.500"
    assert page.locator("#payment-orders [data-status=pending_payment]").count() == 2
    assert_fits_phone(page)

    page.goto(page.base_url + "/pesanan/")
    rows = page.locator("#order-list .order-row[data-status=pending_payment]")
    assert rows.count() == 2

    # One order's page: its lines and status.
    number = orders.get(seller__slug="pku").number
    page.click(f"#order-list .order-row[data-order='{number}'] a")
    page.wait_for_url(re.compile(rf"/pesanan/{number}/$"))
    assert page.locator("#order-status [data-status=pending_payment]").count() == 1
    assert page.locator("#order-total").inner_text() == "Rp 1.720.500"
    assert_fits_phone(page)
