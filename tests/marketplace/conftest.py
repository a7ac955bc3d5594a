import pytest

from accounts.models import Role
from tests.factories import CategoryFactory, MembershipFactory, OrganizationFactory


@pytest.fixture
def seller(regions):
    """A verified Posyantek in Purwakarta, Kota Cilegon."""
    return OrganizationFactory(name="Posyantek Kecamatan Purwakarta", slug="pwk", code="PWK")


@pytest.fixture
def manager(seller):
    return MembershipFactory(organization=seller, role=Role.MANAGER).user


@pytest.fixture
def category(db):
    return CategoryFactory(name="Pakan Ternak")


@pytest.fixture
def capture_changes():
    """Collect product_changed calls: a list of (product_id, changed_fields)."""
    from marketplace.signals import product_changed

    calls = []

    def receiver(sender, product_id, changed_fields, **kwargs):
        calls.append((product_id, changed_fields))

    product_changed.connect(receiver, weak=False)
    yield calls
    product_changed.disconnect(receiver)
