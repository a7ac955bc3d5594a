"""Shared fixtures of the mitra tests: a partner organisation and its people, a category, a
Posyantek, needs, and a stand-in for the matching engine's ranking (the engine itself is
tested in test_matching*.py)."""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Organization, Role
from tests.factories import CategoryFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.mitra.factories import NeedFactory, PartnerFactory

WHO = ["owner", "manager", "staff", "other", "platform_staff", "dinas", "anonymous"]


def client_for(user) -> APIClient:
    """An API client with the user's token (anonymous for None)."""
    client = APIClient()
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def people_of(organization: Organization) -> dict:
    """Owner, manager and staff of the organisation; another user; platform staff; a member
    of the dinas of Kota Cilegon (whose jurisdiction covers the organisation); anonymous."""
    from django.contrib.auth.models import AnonymousUser

    people = {
        str(role): MembershipFactory(organization=organization, role=role).user
        for role in (Role.OWNER, Role.MANAGER, Role.STAFF)
    }
    people["other"] = UserFactory()
    people["platform_staff"] = UserFactory(is_staff=True)
    dinas = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, jurisdiction="36.72")
    people["dinas"] = MembershipFactory(organization=dinas, role=Role.OWNER).user
    people["anonymous"] = AnonymousUser()
    return people


@pytest.fixture
def partner(regions):
    """PT Mitra Pakan Cilegon, a verified industry partner in Purwakarta, Kota Cilegon."""
    return PartnerFactory(name="PT Mitra Pakan Cilegon", slug="pt-mitra-pakan-cilegon", code="MPC")


@pytest.fixture
def people(partner) -> dict:
    return people_of(partner)


@pytest.fixture
def owner(people):
    return people["owner"]


@pytest.fixture
def category(db):
    """ "Pakan ternak" under its own top-level field."""
    return CategoryFactory(name="Pakan ternak uji", slug="pakan-ternak-uji")


@pytest.fixture
def posyantek(regions):
    return OrganizationFactory(name="Posyantek Purwakarta", slug="posyantek-purwakarta")


@pytest.fixture
def make_need(partner, category) -> Callable:
    """make_need(**fields): a need of the partner (open by default)."""

    def make(**fields):
        fields.setdefault("organization", partner)
        fields.setdefault("category", category)
        return NeedFactory(**fields)

    return make


# --- The matching engine, stood in for ---------------------------------------------------------


@dataclass
class Ranked:
    """What mitra.matching.need_rank returns (MatchResult's fields)."""

    posyantek_id: int
    product_id: int | None = None
    score: int = 80
    components: dict = field(default_factory=lambda: {"category": 1.0, "distance": 0.75})
    facts: dict = field(default_factory=dict)


def _matching_module():
    import mitra.matching

    return mitra.matching


@pytest.fixture
def ranking(monkeypatch) -> dict:
    """Make mitra.matching.need_rank return `ranking["results"]` (a list of Ranked) and count
    its calls in `ranking["calls"]`."""
    matching = _matching_module()
    state: dict = {"results": [], "calls": 0}

    def need_rank(need):
        state["calls"] += 1
        return list(state["results"])

    monkeypatch.setattr(matching, "need_rank", need_rank)
    return state


@pytest.fixture
def matching_module():
    """The matching engine's package (a stand-in while it is not there)."""
    return _matching_module()
