"""On a 360 px phone, a university faculty's owner proposes a research collaboration with a
Posyantek (one form: kind, title, terms, dates, milestones one per line); the Posyantek's
manager accepts it, ticks off the first milestone; the faculty sees the partnership active
with both consents and the milestone done.

Elements are found by id, name, data attributes and URL, not by their wording."""

import datetime
import re

import pytest
from django.utils import timezone

from accounts.models import Role
from mitra.models import Partnership, PartnershipEvent
from regions.models import District
from tests.e2e.conftest import assert_fits_phone
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Riset-bersama-2026"


@pytest.fixture
def world(regions):
    faculty = OrganizationFactory(
        kind="university",
        name="Fakultas Teknik Untirta",
        slug="ftu",
        code="FTU",
        district=District.objects.get(code="36.72.01"),
        whatsapp="6281234560003",
    )
    MembershipFactory(
        user=UserFactory(email="dekan@ftu.test", password=PASSWORD),
        organization=faculty,
        role=Role.OWNER,
    )
    posyantek = OrganizationFactory(name="Posyantek Kecamatan Purwakarta", slug="pwk", code="PWK")
    MembershipFactory(
        user=UserFactory(email="pengelola@pwk.test", password=PASSWORD),
        organization=posyantek,
        role=Role.MANAGER,
    )
    return {"faculty": faculty, "posyantek": posyantek}


def log_in(page, email):
    page.context.clear_cookies()
    page.goto(page.base_url + "/akun/masuk/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_a_faculty_proposes_a_collaboration_and_the_posyantek_accepts_it(phone_page, world):
    page = phone_page
    today = timezone.localdate()
    first_due = today + datetime.timedelta(days=30)

    log_in(page, "dekan@ftu.test")
    page.goto(page.base_url + "/mitra/kemitraan/baru/?organization=ftu&with=pwk")
    assert_fits_phone(page)
    page.select_option("#id_kind", "research")
    page.fill("#id_title", "Riset mesin pres ampas tahu")
    page.fill("#id_terms", "Fakultas merancang dan menguji; Posyantek membuat prototipe.")
    page.fill("#id_start_date", today.isoformat())
    page.fill(
        "#id_milestones",
        f"{first_due.isoformat()} Rancangan disepakati\n"
        f"{(today + datetime.timedelta(days=90)).isoformat()} Prototipe diuji",
    )
    page.click("#send-partnership")
    page.wait_for_url(re.compile(r"/mitra/kemitraan/\d+/$"))
    partnership = Partnership.objects.get()
    assert (partnership.status, partnership.kind) == ("proposed", "research")
    assert partnership.proposed_by == world["faculty"]
    assert partnership.partner_consented_at and not partnership.posyantek_consented_at
    assert partnership.milestones.count() == 2
    assert_fits_phone(page)

    log_in(page, "pengelola@pwk.test")
    page.goto(page.base_url + "/organisasi/pwk/kemitraan/")
    page.click(f"a[href$='/mitra/kemitraan/{partnership.pk}/']")
    page.wait_for_url(re.compile(rf"/mitra/kemitraan/{partnership.pk}/$"))
    assert_fits_phone(page)
    page.click("button[data-action=accept]")
    page.wait_for_load_state()
    first = page.locator("#milestone-list .milestone-row").first
    first.locator("button[type=submit]").click()
    page.wait_for_selector("#milestone-list .milestone-row[data-done='1']")
    assert_fits_phone(page)

    partnership.refresh_from_db()
    assert partnership.status == "active" and partnership.posyantek_consented_at
    milestone = partnership.milestones.order_by("due_date").first()
    assert milestone.done_at and milestone.done_by.email == "pengelola@pwk.test"
    consents = PartnershipEvent.objects.filter(partnership=partnership, kind="consent")
    assert set(consents.values_list("organization__code", flat=True)) == {"FTU", "PWK"}

    log_in(page, "dekan@ftu.test")
    page.goto(page.base_url + f"/mitra/kemitraan/{partnership.pk}/")
    assert page.locator("#milestone-list .milestone-row[data-done='1']").count() == 1
    assert page.locator("#partnership-events li").count() >= 4
