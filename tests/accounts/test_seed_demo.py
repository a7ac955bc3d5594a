import pytest
from django.core.management import CommandError, call_command

from accounts.models import Membership, Organization, User

pytestmark = pytest.mark.django_db

EXPECTED = {
    "PWK": ("posyantek", "36.72.07"),
    "MPC": ("industry", "36.72.04"),
    "FTU": ("university", "36.72.07"),
    "BSO": ("industry", "64.71.03"),
    "MPN": ("posyantek", "33.75.03"),
    "CPT": ("posyantek", "31.71.05"),
    "PDM": ("posyantek", "31.72.05"),
    "KBJ": ("posyantek", "31.73.05"),
    "PCR": ("posyantek", "31.74.08"),
    "KRJ": ("posyantek", "31.75.04"),
    "BPU": ("posyantek", "64.71.03"),
    "SMU": ("posyantek", "64.72.03"),
    "DPKT": ("government", "64.72.03"),
}


def snapshot():
    return (
        sorted(Organization.objects.values_list("code", "verification_status", "jurisdiction")),
        sorted(Membership.objects.values_list("user__email", "organization__code", "role")),
        User.objects.count(),
    )


@pytest.mark.smoke
def test_seed_demo_twice_builds_the_same_verified_world(regions, capsys):
    call_command("seed_demo", "--force")
    first = snapshot()
    call_command("seed_demo", "--force")

    assert snapshot() == first
    for code, (kind, district) in EXPECTED.items():
        organization = Organization.objects.get(code=code)
        assert (organization.kind, organization.district_id) == (kind, district), code
        assert organization.is_verified, code
        assert organization.memberships.filter(role="owner").exists(), code
    assert Organization.objects.get(code="DPKT").jurisdiction == "64"
    assert Organization.objects.get(code="FTU").village_id == "36.72.07.1002"
    roles = set(Membership.objects.filter(organization__code="PWK").values_list("role", flat=True))
    assert roles == {"owner", "manager", "staff"}
    staff = User.objects.get(email="staf@mitra-ttg.test")
    assert staff.is_staff and staff.check_password("mitra-ttg-demo-2026")
    assert "pengelola.purwakarta@mitra-ttg.test" in capsys.readouterr().out


def test_refuses_without_debug(regions, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not Organization.objects.exists()
