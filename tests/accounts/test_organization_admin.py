import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from accounts.models import Organization
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/admin/accounts/organization/"


@pytest.fixture
def admin_client(client, regions):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_verify_action_calls_the_service(admin_client):
    pending = OrganizationFactory(verification_status="pending")
    unverified = OrganizationFactory(verification_status="unverified")

    admin_client.post(
        URL, {"action": "verify_selected", ACTION_CHECKBOX_NAME: [pending.pk, unverified.pk]}
    )

    pending.refresh_from_db()
    unverified.refresh_from_db()
    assert pending.verification_status == "verified"
    assert pending.events.filter(kind="verification", to_status="verified").exists()
    assert unverified.verification_status == "unverified"  # illegal move refused, not forced


def test_reject_action_asks_for_a_reason_first(admin_client):
    pending = OrganizationFactory(verification_status="pending")

    asked = admin_client.post(
        URL, {"action": "reject_selected", ACTION_CHECKBOX_NAME: [pending.pk]}
    )
    pending.refresh_from_db()
    assert asked.status_code == 200 and pending.verification_status == "pending"

    admin_client.post(
        URL,
        {
            "action": "reject_selected",
            ACTION_CHECKBOX_NAME: [pending.pk],
            "apply": "1",
            "reason": "NIB tidak terbaca",
        },
    )
    pending.refresh_from_db()
    assert pending.verification_status == "rejected"
    assert pending.verification_note == "NIB tidak terbaca"


def test_status_and_code_are_read_only_in_the_change_form(admin_client):
    organization = OrganizationFactory(verification_status="pending", code="PWK")

    page = admin_client.get(f"{URL}{organization.pk}/change/").content.decode()

    assert 'name="verification_status"' not in page
    assert 'name="code"' not in page


def test_events_are_read_only(admin_client):
    organization = OrganizationFactory()
    response = admin_client.get("/admin/accounts/organizationevent/add/")

    assert response.status_code == 403
    assert Organization.objects.filter(pk=organization.pk).exists()
