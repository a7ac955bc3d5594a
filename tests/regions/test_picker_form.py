"""The picker's server side: what a form gets from each level, and the page without JavaScript."""

import pytest
from django import forms

from regions.codes import Level
from regions.forms import RegionField
from regions.models import District, Village

pytestmark = pytest.mark.django_db


class KecamatanForm(forms.Form):
    place = RegionField(level=Level.DISTRICT)


class VillageForm(forms.Form):
    place = RegionField(level=Level.VILLAGE)


def test_complete_choice_cleans_to_the_model(regions):
    form = KecamatanForm(
        {"place_province": "36", "place_regency": "36.72", "place_district": "36.72.07"}
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["place"] == District.objects.get(code="36.72.07")


def test_half_choice_asks_for_the_next_level(regions):
    form = KecamatanForm({"place_province": "36", "place_regency": "36.72"})

    assert not form.is_valid()
    assert form.errors["place"] == ["Pilih kecamatan juga."]


def test_inconsistent_levels_stop_at_the_first_mismatch(regions):
    # Province changed after the regency was chosen (no JavaScript): the regency is dropped.
    form = KecamatanForm(
        {"place_province": "31", "place_regency": "36.72", "place_district": "36.72.07"}
    )

    assert not form.is_valid()
    assert "kabupaten" in form.errors["place"][0].lower()


def test_forged_codes_are_refused(regions):
    form = VillageForm(
        {
            "place_province": "36",
            "place_regency": "36.72",
            "place_district": "36.72.07",
            "place_village": "36.72.07.9999",
        }
    )

    assert not form.is_valid()
    assert "tidak ada dalam daftar" in form.errors["place"][0]


def test_retired_place_is_refused_with_its_name(regions):
    Village.objects.filter(code="36.72.07.1004").update(is_retired=True)
    form = VillageForm(
        {
            "place_province": "36",
            "place_regency": "36.72",
            "place_district": "36.72.07",
            "place_village": "36.72.07.1004",
        }
    )

    assert not form.is_valid()
    assert "Purwakarta" in form.errors["place"][0]


def test_required(regions):
    form = KecamatanForm({"place_province": ""})

    assert not form.is_valid()
    assert form.errors["place"]


def test_only_the_levels_down_to_min_level_are_required_in_the_page(regions):
    class OptionalVillageForm(forms.Form):
        place = RegionField(level=Level.VILLAGE, min_level=Level.DISTRICT)

    class OptionalForm(forms.Form):
        place = RegionField(level=Level.DISTRICT, required=False)

    html = str(OptionalVillageForm()["place"])
    required = {
        level: f'name="place_{level}"' in html
        and "required" in html.split(f'name="place_{level}"')[1].split(">")[0]
        for level in ("province", "regency", "district", "village")
    }
    assert required == {"province": True, "regency": True, "district": True, "village": False}
    assert "required" not in str(OptionalForm()["place"])


@pytest.mark.urls("tests.regions.urls_picker")
def test_without_javascript_each_submit_opens_the_next_level(client, regions):
    first = client.get("/test/place/").content.decode()
    assert 'name="place_province"' in first
    assert '<option value="36">Banten</option>' in first
    assert 'name="place_regency"' in first and "disabled" in first

    second = client.post("/test/place/", {"place_province": "36"}).content.decode()
    assert '<option value="36" selected>Banten</option>' in second
    assert '<option value="36.72">Kota Cilegon</option>' in second

    third = client.post(
        "/test/place/",
        {
            "place_province": "36",
            "place_regency": "36.72",
            "place_district": "36.72.07",
            "place_village": "36.72.07.1004",
        },
    ).content.decode()
    assert '<p id="chosen">36.72.07.1004 Purwakarta</p>' in third


@pytest.mark.urls("tests.regions.urls_picker")
def test_picker_page_queries_stay_small(client, regions, django_assert_max_num_queries):
    data = {"place_province": "36", "place_regency": "36.72", "place_district": "36.72.07"}
    with django_assert_max_num_queries(8):
        client.post("/test/place/", data)


class KecamatanOrVillageForm(forms.Form):
    place = RegionField(level=Level.VILLAGE, min_level=Level.DISTRICT)


def test_optional_deeper_level(regions):
    kecamatan = KecamatanOrVillageForm(
        {"place_province": "36", "place_regency": "36.72", "place_district": "36.72.07"}
    )
    village = KecamatanOrVillageForm(
        {
            "place_province": "36",
            "place_regency": "36.72",
            "place_district": "36.72.07",
            "place_village": "36.72.07.1004",
        }
    )
    too_shallow = KecamatanOrVillageForm({"place_province": "36", "place_regency": "36.72"})

    assert kecamatan.is_valid() and kecamatan.cleaned_data["place"].code == "36.72.07"
    assert village.is_valid() and village.cleaned_data["place"].code == "36.72.07.1004"
    assert not too_shallow.is_valid()
