import pytest

from tests.e2e.conftest import assert_fits_phone

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_on_a_phone_in_indonesian_then_english(phone_page):
    page = phone_page
    page.goto(page.base_url + "/")

    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Teknologi tepat guna dari Posyantek, untuk seluruh Indonesia"
    )
    assert_fits_phone(page)

    page.select_option("#language-select", "en")
    page.get_by_role("button", name="Ganti").click()
    page.wait_for_load_state()

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Appropriate technology from Posyantek, for all of Indonesia"
    )
    assert_fits_phone(page)
