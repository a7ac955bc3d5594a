import pytest

from tests.e2e.conftest import assert_fits_phone

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.regions.urls_picker"),
]


def test_picker_on_a_phone_loads_one_level_at_a_time(phone_page, regions):
    page = phone_page
    api_calls = []
    page.on(
        "request",
        lambda request: (
            api_calls.append(request.url) if "/api/v1/regions/" in request.url else None
        ),
    )
    page.goto(page.base_url + "/test/place/")

    assert page.locator("#id_place_regency").is_disabled()
    assert_fits_phone(page)

    page.select_option("#id_place_province", "36")
    page.wait_for_selector(
        "#id_place_regency:not([disabled]) >> option[value='36.72']", state="attached"
    )
    page.select_option("#id_place_regency", "36.72")
    page.wait_for_selector("#id_place_district option[value='36.72.07']", state="attached")
    page.select_option("#id_place_district", "36.72.07")
    page.wait_for_selector("#id_place_village option[value='36.72.07.1004']", state="attached")
    page.select_option("#id_place_village", "36.72.07.1004")
    assert_fits_phone(page)

    assert len(api_calls) == 3
    assert "regency" not in api_calls[0] and "province=36" in api_calls[0]
    assert "district=36.72.07" in api_calls[2]

    # Changing the regency clears the levels below it.
    page.select_option("#id_place_regency", "36.04")
    assert page.locator("#id_place_village").is_disabled()
    page.wait_for_selector("#id_place_district option[value='36.04.05']", state="attached")
    page.select_option("#id_place_regency", "36.72")
    page.wait_for_selector("#id_place_district option[value='36.72.07']", state="attached")
    page.select_option("#id_place_district", "36.72.07")
    page.wait_for_selector("#id_place_village option[value='36.72.07.1004']", state="attached")
    page.select_option("#id_place_village", "36.72.07.1004")

    page.get_by_role("button", name="Simpan").click()
    page.wait_for_selector("#chosen")
    assert page.locator("#chosen").inner_text() == "36.72.07.1004 Purwakarta"
