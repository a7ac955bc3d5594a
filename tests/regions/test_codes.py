import pytest

from regions.codes import Closeness, Level, closeness, level_of, parent_code
from regions.naming import display_name


@pytest.mark.parametrize(
    "code, level",
    [
        ("36", Level.PROVINCE),
        ("36.72", Level.REGENCY),
        ("36.72.07", Level.DISTRICT),
        ("36.72.07.1004", Level.VILLAGE),
        ("3672", None),
        ("36.7", None),
        ("36.72.07.104", None),
        ("", None),
        ("ab", None),
        ("36.72.07.1004.1", None),
    ],
)
def test_level_of(code, level):
    assert level_of(code) == level


def test_parent_code():
    assert parent_code("36.72.07.1004") == "36.72.07"
    assert parent_code("36.72") == "36"
    assert parent_code("36") is None


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ("36.72.07", "36.72.07", Closeness.SAME_DISTRICT),
        ("36.72.07.1004", "36.72.07.1001", Closeness.SAME_DISTRICT),
        ("36.72.07.1004", "36.72.07", Closeness.SAME_DISTRICT),
        ("36.72.07", "36.72.01", Closeness.SAME_REGENCY),
        ("36.72.07", "36.72", Closeness.SAME_REGENCY),
        ("36.72.07", "36.04.01", Closeness.SAME_PROVINCE),
        ("36.72.07", "36", Closeness.SAME_PROVINCE),
        ("36.72.07", "33.75.03", Closeness.ELSEWHERE),
        # Same two-digit regency number in another province is not the same regency.
        ("36.72.07", "64.72.07", Closeness.ELSEWHERE),
    ],
)
def test_closeness_by_hierarchy(a, b, expected):
    assert closeness(a, b) == expected
    assert closeness(b, a) == expected


def test_closeness_orders_nearest_first():
    assert Closeness.SAME_DISTRICT > Closeness.SAME_REGENCY > Closeness.SAME_PROVINCE
    assert Closeness.SAME_PROVINCE > Closeness.ELSEWHERE


@pytest.mark.parametrize(
    "official, shown",
    [
        ("KOTA CILEGON", "Kota Cilegon"),
        ("KAB. ACEH SELATAN", "Kabupaten Aceh Selatan"),
        ("KAB TIMOR TENGAH SELATAN", "Kabupaten Timor Tengah Selatan"),
        ("KAB. ADM. KEP. SERIBU", "Kabupaten Administrasi Kepulauan Seribu"),
        ("KOTA ADM. JAKARTA PUSAT", "Kota Administrasi Jakarta Pusat"),
        ("DKI JAKARTA", "DKI Jakarta"),
        ("DAERAH ISTIMEWA YOGYAKARTA", "Daerah Istimewa Yogyakarta"),
        ("KAB. TOBA SAMOSIR II", "Kabupaten Toba Samosir II"),
        ("Purwakarta", "Purwakarta"),
        ("Lubuk Pakam I,II", "Lubuk Pakam I,II"),
        ("  Tegal   Bunder ", "Tegal Bunder"),
    ],
)
def test_display_name(official, shown):
    assert display_name(official) == shown
