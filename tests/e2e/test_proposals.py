"""On a 360 px phone, the owner of a feed company opens its need for ampas tahu, compares the
proposals side by side, opens the Purwakarta Posyantek's, and accepts it on net 14 days with
the delivery details (the region picker as at checkout). The order is placed on terms at the
agreed price, stock reserved; the Posyantek's manager then finds it on the Posyantek's order
desk.

Proposals are submitted through the real service; the rest goes through the pages. Elements
are found by id, name, class and URL, not by their wording."""

import re
from decimal import Decimal

import pytest

from accounts.models import Role
from marketplace.models import Product
from mitra.models import Need, Proposal
from mitra.services.proposals import proposal_submit
from orders.models import Order
from regions.models import District
from tests.e2e.conftest import assert_fits_phone
from tests.factories import (
    CategoryFactory,
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    ShippingSettingsFactory,
    UserFactory,
)
from tests.mitra.factories import NeedFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Ampas-tahu-2026"


@pytest.fixture
def world(regions):
    category = CategoryFactory(slug="produk-samping-e2e", name="Produk Samping (uji)")
    partner = OrganizationFactory(
        kind="industry",
        name="PT Mitra Pakan Cilegon",
        slug="mpc",
        code="MPC",
        district=District.objects.get(code="36.72.04"),
        whatsapp="6281234560002",
    )
    owner = UserFactory(email="pemilik@mpc.test", password=PASSWORD)
    MembershipFactory(user=owner, organization=partner, role=Role.OWNER)
    need = NeedFactory(
        organization=partner,
        created_by=owner,
        category=category,
        title="Ampas tahu 5 ton sekali kirim",
        quantity=Decimal("5"),
        unit="ton",
        frequency="once",
    )
    proposals = {}
    for code, name, price in [
        ("PWK", "Posyantek Kecamatan Purwakarta", 38_000),
        ("CBR", "Posyantek Cibeber", 41_000),
    ]:
        posyantek = OrganizationFactory(name=name, slug=code.lower(), code=code)
        ShippingSettingsFactory(organization=posyantek)
        manager = UserFactory(email=f"pengelola@{code.lower()}.test", password=PASSWORD)
        MembershipFactory(user=manager, organization=posyantek, role=Role.MANAGER)
        product = ProductFactory(
            seller=posyantek,
            category=category,
            kind="byproduct",
            name=f"Ampas Tahu Basah {code}",
            selling_unit="karung 50 kg",
            weight_per_unit_kg=Decimal("50.000"),
            price_amount=40_000,
            stock=300,
        )
        proposals[code] = proposal_submit(
            need=need,
            posyantek=posyantek,
            actor=manager,
            data={
                "lines": [{"product": product.slug, "quantity": 100, "unit_price_amount": price}],
                "schedule": "Senin depan",
                "message": "Ampas tahu segar.",
                "payment_terms": "net_14",
            },
        )
    return {"need": need, "proposals": proposals}


def log_in(page, email):
    page.context.clear_cookies()
    page.goto(page.base_url + "/akun/masuk/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_partner_accepts_a_proposal_and_the_order_is_on_the_posyanteks_desk(phone_page, world):
    page = phone_page
    need, chosen = world["need"], world["proposals"]["PWK"]

    log_in(page, "pemilik@mpc.test")
    page.goto(page.base_url + f"/mitra/kebutuhan/{need.pk}/")
    rows = page.locator("#proposal-compare .proposal-row")
    assert rows.count() == 2
    row = page.locator(f"#proposal-compare .proposal-row[data-proposal='{chosen.pk}']")
    assert "Rp 3.800.000" in row.inner_text()  # 100 karung × Rp 38.000
    assert_fits_phone(page)

    row.locator("a.card-link").click()
    page.wait_for_url(re.compile(rf"/mitra/penawaran/{chosen.pk}/$"))
    assert page.locator("#proposal-total").inner_text() == "Rp 3.800.000"
    assert_fits_phone(page)

    page.fill("#id_contact_name", "Rina Wulandari")
    page.fill("#id_contact_phone", "0812 3456 7890")
    page.fill("#id_contact_email", "gudang@mpc.test")
    page.select_option("#id_village_province", "36")
    page.wait_for_selector("#id_village_regency option[value='36.72']", state="attached")
    page.select_option("#id_village_regency", "36.72")
    page.wait_for_selector("#id_village_district option[value='36.72.07']", state="attached")
    page.select_option("#id_village_district", "36.72.07")
    page.wait_for_selector("#id_village_village option[value='36.72.07.1004']", state="attached")
    page.select_option("#id_village_village", "36.72.07.1004")
    page.fill("#id_address_line", "Gudang pakan, Jl. Raya Anyer No. 10")
    page.check("input[name=shipping_method][value=pickup]")
    page.check("input[name=payment_terms][value=net_14]")
    page.click("#accept-proposal")
    page.wait_for_selector("#proposal-accepted")
    assert_fits_phone(page)

    chosen.refresh_from_db()
    assert chosen.status == Proposal.Status.ACCEPTED
    order = Order.objects.get(pk=chosen.order_id)
    assert (order.status, order.payment_terms) == ("placed_on_terms", "net_14")
    assert order.buyer_organization.code == "MPC" and order.goods_amount == 3_800_000
    assert order.due_date is not None
    product = Product.objects.get(name="Ampas Tahu Basah PWK")
    assert product.stock == 200  # 100 karung reserved
    need.refresh_from_db()
    assert need.status == Need.Status.FULFILLED  # 100 karung × 50 kg = 5 t
    other = world["proposals"]["CBR"]
    other.refresh_from_db()
    assert other.status == Proposal.Status.REJECTED

    page.click("#order-link")
    page.wait_for_url(re.compile(rf"/{order.number}/$"))

    # The Posyantek's manager finds the new order on the desk and opens it.
    log_in(page, "pengelola@pwk.test")
    page.goto(page.base_url + "/organisasi/pwk/pesanan/")
    link = page.locator(f"a[href$='/{order.number}/']").first
    assert link.is_visible()
    assert_fits_phone(page)
    link.click()
    page.wait_for_url(re.compile(rf"/organisasi/pwk/pesanan/{order.number}/$"))
    assert "PT Mitra Pakan Cilegon" in page.locator("main").inner_text()
