"""On a 360 px phone, the owner of a verified feed company logs in, posts a need for 5 tonnes
of ampas tahu a week from the company's desk (one form: category, quantity, budget, the
delivery kecamatan already set to the company's own), publishes it, and sees the Posyantek
ranked with their reasons: the ampas tahu maker next door first, the far one after it.

The matching is the real engine, run by Celery in eager mode when the publish commits.
Elements are found by id, name, class and URL, not by their wording."""

import datetime
import re

import pytest
from django.utils import timezone

from accounts.models import Role
from mitra.models import Need
from regions.models import District
from tests.e2e.conftest import assert_fits_phone
from tests.factories import (
    CategoryFactory,
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Ampas-tahu-2026"


@pytest.fixture
def world(regions):
    field = CategoryFactory(parent=None, slug="limbah-e2e", name="Sampah & Limbah (uji)")
    byproduct = CategoryFactory(
        parent=field, slug="produk-samping-e2e", name="Produk Samping (uji)"
    )
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
    near = OrganizationFactory(name="Posyantek Kecamatan Purwakarta", slug="pwk", code="PWK")
    far = OrganizationFactory(
        name="Posyantek Mitra Pantura",
        slug="mpn",
        code="MPN",
        district=District.objects.get(code="33.75.03"),
    )
    for seller, name, description in [
        (near, "Ampas Tahu Basah", "Ampas tahu segar dari perajin tahu, diambil setiap pagi."),
        (far, "Tepung Ikan Sisa Olahan", "Tepung dari kepala dan tulang ikan untuk pakan."),
    ]:
        ProductFactory(
            seller=seller,
            category=byproduct,
            kind="byproduct",
            name=name,
            slug=f"{name.lower().replace(' ', '-')}-{seller.code.lower()}",
            description=description,
            selling_unit="karung 50 kg",
            weight_per_unit_kg="50.000",
            price_amount=40_000,
            stock=1_000,
        )
    return {"partner": partner, "category": byproduct}


def test_partner_posts_a_need_publishes_it_and_sees_ranked_explained_matches(phone_page, world):
    page = phone_page
    deadline = timezone.localdate() + datetime.timedelta(days=60)

    # Log in.
    page.goto(page.base_url + "/akun/masuk/")
    page.fill("#id_username", "pemilik@mpc.test")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()

    # The company's desk of needs, empty, with the way to post one.
    page.goto(page.base_url + "/organisasi/mpc/kebutuhan/")
    assert page.locator("#desk-empty").is_visible()
    assert_fits_phone(page)
    page.click("#new-need")
    page.wait_for_url(re.compile(r"/mitra/kebutuhan/baru/\?organization=mpc$"))
    assert_fits_phone(page)

    # The delivery kecamatan starts as the company's own.
    assert page.locator("#id_delivery_district_district").input_value() == "36.72.04"

    # One form.
    page.check("input[name=direction][value=need]")
    page.select_option("#id_kind", "supply")
    page.fill("#id_title", "Ampas tahu 5 ton per minggu")
    page.select_option("#id_category", str(world["category"].pk))
    page.fill("#id_description", "Ampas tahu basah untuk pabrik pakan, dikirim tiap Senin.")
    page.fill("#id_quantity", "5")
    page.select_option("#id_unit", "ton")
    page.select_option("#id_frequency", "weekly")
    page.fill("#id_budget_amount", "4.500.000")
    page.fill("#id_deadline", deadline.isoformat())
    assert_fits_phone(page)
    page.click("#save-need")
    page.wait_for_url(re.compile(r"/mitra/kebutuhan/\d+/$"))

    need = Need.objects.get()
    assert need.status == Need.Status.DRAFT
    assert (need.quantity, need.unit, need.budget_amount) == (5, "ton", 4_500_000)
    assert need.delivery_district_id == "36.72.04"
    assert "Rp 4.500.000" in page.locator(".need-budget").inner_text()
    assert page.locator("#matches-empty").is_visible()  # found when published
    assert_fits_phone(page)

    # Publish: the matching runs, and the page shows the ranked Posyantek with their reasons.
    page.click("#publish-need")
    page.wait_for_load_state()
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN
    rows = page.locator("#match-list .match-row")
    assert rows.count() >= 2
    ranked = [rows.nth(index).get_attribute("data-posyantek") for index in range(rows.count())]
    assert ranked[0] == "PWK"
    assert ranked.index("PWK") < ranked.index("MPN")
    scores = [int(rows.nth(index).get_attribute("data-score")) for index in range(rows.count())]
    assert scores == sorted(scores, reverse=True)
    first = rows.first
    assert first.locator(".match-product").inner_text().startswith("Ampas Tahu Basah")
    reasons = first.locator(".match-explanation").inner_text()
    assert reasons.strip() and " · " in reasons
    assert page.locator("#publish-need").count() == 0
    assert_fits_phone(page)

    # The desk lists it as open, with the way to its matches.
    page.goto(page.base_url + "/organisasi/mpc/kebutuhan/?tab=active")
    row = page.locator(f".need-row[data-need='{need.pk}']")
    assert row.get_attribute("data-status") == "open"
    assert row.locator("[data-action=matches]").is_visible()
    assert_fits_phone(page)

    # And everyone finds it on the board.
    page.goto(page.base_url + "/mitra/")
    card = page.locator(f".need-card[data-need='{need.pk}']")
    assert "Rp 4.500.000" in card.inner_text()
    assert_fits_phone(page)
