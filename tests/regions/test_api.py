import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from regions.models import District, Village

pytestmark = pytest.mark.django_db


def codes(response):
    return [row["code"] for row in response.json()["results"]]


@pytest.mark.smoke
def test_provinces_are_public_sorted_by_name(api_client, regions):
    response = api_client.get("/api/v1/regions/provinces/")

    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == [
        "Banten", "DKI Jakarta", "Jawa Tengah", "Kalimantan Timur",
    ]  # fmt: skip
    assert response.json()["results"][0] == {
        "code": "36", "name": "Banten", "official_name": "BANTEN",
    }  # fmt: skip
    assert "max-age=3600" in response["Cache-Control"]


def test_regencies_of_a_province(api_client, regions):
    response = api_client.get("/api/v1/regions/regencies/?province=36")

    assert codes(response) == ["36.04", "36.72"]
    assert response.json()["results"][1]["name"] == "Kota Cilegon"
    assert response.json()["results"][1]["province"] == "36"


def test_districts_of_kota_cilegon_include_purwakarta(api_client, regions):
    response = api_client.get("/api/v1/regions/districts/?regency=36.72")

    rows = {row["code"]: row for row in response.json()["results"]}
    assert rows["36.72.07"]["name"] == "Purwakarta"
    assert rows["36.72.07"]["regency"] == "36.72"
    assert all(code.startswith("36.72.") for code in rows)


def test_villages_of_a_district(api_client, regions):
    response = api_client.get("/api/v1/regions/villages/?district=36.72.07")

    assert response.json()["count"] == 6
    assert "36.72.07.1004" in codes(response)


def test_search_by_name_case_insensitive(api_client, regions):
    by_display = api_client.get("/api/v1/regions/regencies/?q=cilegon")
    by_part = api_client.get("/api/v1/regions/districts/?q=PURWA")
    within = api_client.get("/api/v1/regions/villages/?district=33.75.03&q=panjang")

    assert codes(by_display) == ["36.72"]
    assert codes(by_part) == ["36.72.07"]
    assert {row["name"] for row in within.json()["results"]} == {
        "Kandang Panjang", "Panjang Wetan", "Panjang Baru",
    }  # fmt: skip


def test_retired_codes_are_left_out(api_client, regions):
    Village.objects.filter(code="36.72.07.1004").update(is_retired=True)
    District.objects.filter(code="36.72.01").update(is_retired=True)

    villages = api_client.get("/api/v1/regions/villages/?district=36.72.07")
    districts = api_client.get("/api/v1/regions/districts/?regency=36.72")

    assert "36.72.07.1004" not in codes(villages)
    assert "36.72.01" not in codes(districts)


@pytest.mark.parametrize(
    "url, field, words",
    [
        ("/api/v1/regions/regencies/?province=3", "province", "bukan kode provinsi"),
        ("/api/v1/regions/regencies/?province=36.72", "province", "bukan kode provinsi"),
        ("/api/v1/regions/districts/?regency=36-72", "regency", "36.72"),
        ("/api/v1/regions/villages/?district=36.72.7", "district", "36.72.07"),
        ("/api/v1/regions/districts/?regency=99.99", "regency", "Tidak ada kabupaten/kota"),
        ("/api/v1/regions/villages/?district='; DROP TABLE x", "district", "bukan kode"),
    ],
)
def test_bad_codes_are_400_with_a_message(api_client, regions, url, field, words):
    response = api_client.get(url)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert words in response.json()["errors"][field][0]


def test_page_size_lets_a_picker_take_a_whole_level(api_client, regions):
    response = api_client.get("/api/v1/regions/districts/?page_size=500")

    assert response.json()["count"] == len(response.json()["results"]) == District.objects.count()


def test_bad_page_size_and_page_are_not_500(api_client, regions):
    assert api_client.get("/api/v1/regions/provinces/?page_size=abc").status_code == 200
    assert api_client.get("/api/v1/regions/provinces/?page=abc").status_code == 404


def test_query_count_does_not_grow_with_the_page(api_client, regions):
    with CaptureQueriesContext(connection) as few:
        api_client.get("/api/v1/regions/villages/?district=36.72.07&page_size=2")
    with CaptureQueriesContext(connection) as many:
        api_client.get("/api/v1/regions/villages/?district=36.72.07&page_size=100")

    assert len(few) == len(many) <= 4


def test_messages_in_english_on_request(api_client, regions):
    response = api_client.get("/api/v1/regions/districts/?regency=99.99", HTTP_ACCEPT_LANGUAGE="en")

    assert response.json()["errors"]["regency"] == ["There is no regency/city with code 99.99."]
