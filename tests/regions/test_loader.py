import pytest
from django.core.management import CommandError, call_command

from regions.codes import Level
from regions.models import District, Province, Regency, Village
from regions.services import packaged_region_file
from tests.conftest import REGIONS_SUBSET

pytestmark = pytest.mark.django_db

CILEGON_V1 = """\
36,BANTEN
36.72,KOTA CILEGON
36.72.01,Cibeber
36.72.07,Purwakarta
36.72.07.1001,Ramanuju
36.72.07.1004,Purwakarta
36.72.07.1005,Tegal Bunder
"""
# A newer list: Tegal Bunder is gone, Ramanuju renamed, Pabean and Cilegon added; a village
# name with a quoted comma, as in the real file.
CILEGON_V2 = """\
36,BANTEN
36.72,KOTA CILEGON
36.72.01,Cibeber
36.72.02,Cilegon
36.72.07,Purwakarta
36.72.07.1001,Ramanuju Baru
36.72.07.1004,Purwakarta
36.72.07.1006,"Pabean I, II"
"""


def load(tmp_path, text: str, name: str = "regions.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    output = []
    call_command("load_regions", "--file", str(path), stdout=_Collect(output))
    return "".join(output)


class _Collect:
    def __init__(self, sink):
        self.sink = sink

    def write(self, text):
        self.sink.append(text)

    def flush(self):
        pass


def snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("code", "name", "is_retired"))
        for model in (Province, Regency, District, Village)
    }


@pytest.mark.smoke
def test_first_load_adds_every_level_with_parents_and_display_names(tmp_path):
    output = load(tmp_path, CILEGON_V1)

    assert "7 added, 0 renamed, 0 retired" in output
    cilegon = Regency.objects.get(code="36.72")
    assert cilegon.name == "KOTA CILEGON" and cilegon.display_name == "Kota Cilegon"
    assert cilegon.province_id == "36"
    assert District.objects.get(code="36.72.07").regency_id == "36.72"
    assert Village.objects.get(code="36.72.07.1004").district_id == "36.72.07"


def test_second_load_of_the_same_file_changes_nothing(tmp_path):
    load(tmp_path, CILEGON_V1)
    before = snapshot()

    output = load(tmp_path, CILEGON_V1)

    assert "Regions loaded: 0 added, 0 renamed, 0 retired." in output
    assert snapshot() == before


def test_newer_file_adds_renames_and_retires_never_deletes(tmp_path):
    load(tmp_path, CILEGON_V1)

    output = load(tmp_path, CILEGON_V2)

    assert "Regions loaded: 2 added, 1 renamed, 1 retired." in output
    assert "Villages: 3 in file, 1 added, 1 renamed, 1 retired" in output
    gone = Village.objects.get(code="36.72.07.1005")
    assert gone.is_retired and gone.name == "Tegal Bunder"
    assert Village.objects.get(code="36.72.07.1001").name == "Ramanuju Baru"
    assert Village.objects.get(code="36.72.07.1006").name == "Pabean I, II"
    assert Village.objects.count() == 4
    assert District.objects.get(code="36.72.02").is_retired is False


def test_a_code_that_comes_back_is_restored(tmp_path):
    load(tmp_path, CILEGON_V1)
    load(tmp_path, CILEGON_V2)

    output = load(tmp_path, CILEGON_V1)

    assert "restored" in output
    assert Village.objects.get(code="36.72.07.1005").is_retired is False
    assert Village.objects.get(code="36.72.07.1006").is_retired is True


@pytest.mark.parametrize(
    "text, message",
    [
        ("36,BANTEN\n36.72,KOTA CILEGON,extra\n", "line 2: expected 2 columns"),
        ("36,BANTEN\n36-72,KOTA CILEGON\n", "line 2: '36-72' is not a Kemendagri region code"),
        ("36,BANTEN\n36.72,\n", "line 2: 36.72 has no name"),
        ("36,BANTEN\n36,BANTEN LAGI\n", "line 2: 36 appears twice"),
        ("36,BANTEN\n36.72.07,Purwakarta\n", "its parent 36.72 is not in the file"),
    ],
)
def test_bad_file_is_refused_with_the_line_and_nothing_changes(tmp_path, text, message):
    load(tmp_path, CILEGON_V1)
    before = snapshot()
    path = tmp_path / "bad.csv"
    path.write_text(text)

    with pytest.raises(CommandError) as error:
        call_command("load_regions", "--file", str(path))

    assert message in str(error.value)
    assert "nothing was changed" in str(error.value)
    assert snapshot() == before


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("load_regions", "--file", str(tmp_path / "nope.csv"))


def test_subset_fixture_loads(regions):
    assert regions.levels[Level.DISTRICT].added == District.objects.count() > 10
    assert Province.objects.filter(code__in=["31", "33", "36", "64"]).count() == 4
    assert REGIONS_SUBSET.exists()


@pytest.mark.slow
def test_the_real_file_loads_every_region_and_is_idempotent():
    assert packaged_region_file().name == "base.csv"

    call_command("load_regions", verbosity=0)

    assert Province.objects.count() == 34
    assert Regency.objects.count() == 514
    assert District.objects.count() == 7230
    assert Village.objects.count() == 83441
    assert Regency.objects.get(code="36.72").display_name == "Kota Cilegon"
    assert District.objects.get(code="36.72.07").display_name == "Purwakarta"
    assert Regency.objects.get(code="31.01").display_name == (
        "Kabupaten Administrasi Kepulauan Seribu"
    )
    assert Village.objects.get(code="12.07.28.1007").name == "Lubuk Pakam I,II"

    output = []
    call_command("load_regions", stdout=_Collect(output))
    assert "Regions loaded: 0 added, 0 renamed, 0 retired." in "".join(output)
    assert not Village.objects.filter(is_retired=True).exists()
