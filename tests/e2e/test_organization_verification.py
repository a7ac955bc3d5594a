"""The whole way in, on a phone: sign up, confirm the e-mail from the console message, register
a Posyantek with the region picker, upload its SK Camat, platform staff verify it, and the owner
sees "Terverifikasi"."""

import re
from pathlib import Path

import pytest

from accounts.models import Organization, OrganizationDocument, User
from tests.e2e.conftest import assert_fits_phone
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Ampas-tahu-2026"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _link_in_console(capsys, path: str) -> str:
    """The last link to `path` printed by the console e-mail backend."""
    printed = capsys.readouterr().out
    links = re.findall(rf"https?://\S+{re.escape(path)}\S*", printed)
    assert links, f"no {path} link in the console output:\n{printed[-2000:]}"
    return links[-1]


def _log_in(page, email: str, password: str) -> None:
    page.goto(page.base_url + "/akun/masuk/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Masuk", exact=True).click()
    page.wait_for_load_state()


def test_sign_up_register_a_posyantek_and_get_it_verified(
    phone_page, regions, settings, capsys, tmp_path: Path, live_server
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.SITE_URL = live_server.url
    page = phone_page

    # Sign up.
    page.goto(page.base_url + "/")
    page.get_by_role("link", name="Daftar").click()
    assert_fits_phone(page)
    page.fill("#id_name", "Dedi Kurniawan")
    page.fill("#id_email", "Dedi.Kurniawan@example.id")
    page.fill("#id_phone", "0812 3456 7890")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Buat akun").click()
    page.wait_for_url(re.compile(r"/akun/verifikasi-email/$"))
    user = User.objects.get(email="dedi.kurniawan@example.id")
    assert user.phone == "6281234567890" and not user.is_email_verified

    # Before the e-mail is confirmed, an organisation cannot be registered.
    page.goto(page.base_url + "/organisasi/baru/")
    assert page.get_by_role("alert").is_visible()
    assert page.locator("form #id_name").count() == 0

    # Confirm the address from the message printed on the console.
    page.goto(_link_in_console(capsys, "/akun/verifikasi-email/"))
    assert page.get_by_role("heading", name="Alamat e-mail terkonfirmasi").is_visible()
    user.refresh_from_db()
    assert user.is_email_verified

    # Register a Posyantek with the region picker.
    page.goto(page.base_url + "/organisasi/baru/")
    assert_fits_phone(page)
    page.select_option("#id_kind", "posyantek")
    page.fill("#id_name", "Posyantek Desa Ramanuju")
    page.select_option("#id_posyantek_level", "desa")
    page.select_option("#id_place_province", "36")
    page.wait_for_selector("#id_place_regency option[value='36.72']", state="attached")
    page.select_option("#id_place_regency", "36.72")
    page.wait_for_selector("#id_place_district option[value='36.72.07']", state="attached")
    page.select_option("#id_place_district", "36.72.07")
    page.wait_for_selector("#id_place_village option[value='36.72.07.1004']", state="attached")
    page.select_option("#id_place_village", "36.72.07.1004")
    page.fill("#id_whatsapp", "0812 3456 7890")
    page.fill("#id_code", "RMJ")
    assert_fits_phone(page)
    page.get_by_role("button", name="Daftarkan").click()
    page.wait_for_url(re.compile(r"/organisasi/posyantek-desa-ramanuju/"))

    organization = Organization.objects.get(code="RMJ")
    assert organization.district.code == "36.72.07"
    assert organization.village.code == "36.72.07.1004"
    assert organization.verification_status == Organization.VerificationStatus.UNVERIFIED
    assert organization.memberships.get().user == user

    # Upload the SK Camat and ask for verification.
    page.goto(page.base_url + "/organisasi/posyantek-desa-ramanuju/verifikasi/")
    assert_fits_phone(page)
    scan = tmp_path / "sk-camat.pdf"
    scan.write_bytes(PDF)
    page.select_option("form[enctype] select[name=kind]", "sk_camat")
    page.set_input_files("input[type=file][name=file]", str(scan))
    page.get_by_role("button", name="Unggah").click()
    page.wait_for_load_state()
    assert OrganizationDocument.objects.filter(organization=organization).count() == 1
    page.get_by_role("button", name="Ajukan verifikasi").click()
    page.wait_for_load_state()
    organization.refresh_from_db()
    assert organization.verification_status == Organization.VerificationStatus.PENDING
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_load_state()

    # Platform staff verify it from the staff desk.
    UserFactory(email="verifikator@mitra-ttg.test", password=PASSWORD, is_staff=True)
    _log_in(page, "verifikator@mitra-ttg.test", PASSWORD)
    page.goto(page.base_url + "/staf/verifikasi/")
    assert_fits_phone(page)
    page.get_by_role("link", name="Posyantek Desa Ramanuju").click()
    page.wait_for_url(re.compile(r"/staf/verifikasi/posyantek-desa-ramanuju/"))
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Unduh")).first.click()
    assert Path(download.value.path()).read_bytes() == PDF
    capsys.readouterr()  # forget the earlier messages: the next one must be the result
    page.get_by_role("button", name="Verifikasi", exact=True).click()
    page.wait_for_load_state()
    organization.refresh_from_db()
    assert organization.verification_status == Organization.VerificationStatus.VERIFIED
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_load_state()

    # The owner was told by e-mail, and sees "Terverifikasi".
    printed = capsys.readouterr().out
    assert "Subject: Posyantek Desa Ramanuju terverifikasi" in printed
    assert "To: dedi.kurniawan@example.id" in printed
    link = re.search(r"http\S+/organisasi/posyantek-desa-ramanuju/verifikasi/", printed).group(0)
    _log_in(page, "dedi.kurniawan@example.id", PASSWORD)
    page.goto(link)
    assert page.locator(".status-verified").inner_text() == "Terverifikasi"
    page.goto(page.base_url + "/organisasi/posyantek-desa-ramanuju/")
    assert "Terverifikasi" in page.locator("main").inner_text()
    assert_fits_phone(page)
