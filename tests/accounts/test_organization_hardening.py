"""Edge cases found in review: traces of profile changes, stale rows, expired invitations,
invitation limits, code suggestions, field lengths, and what members see of staff."""

from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Invitation, Membership, Organization, OrganizationEvent, Role
from accounts.services import organizations as services
from core.errors import InvalidInput, NotFound, TooManyRequests
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/organizations/posyantek-purwakarta/"


@pytest.fixture
def org(regions):
    return OrganizationFactory(slug="posyantek-purwakarta", code="PWK")


@pytest.fixture
def owner(org):
    return MembershipFactory(organization=org, role=Role.OWNER).user


def client_for(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_payout_change_is_recorded_and_told_to_every_owner(
    org, owner, mailoutbox, django_capture_on_commit_callbacks
):
    second_owner = MembershipFactory(organization=org, role=Role.OWNER).user
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).patch(
            URL, {"payout_account_number": "0099887766"}, format="json"
        )

    assert response.status_code == 200
    event = org.events.get(kind=OrganizationEvent.Kind.PROFILE_CHANGED)
    assert event.actor == owner and event.note == "payout_account_number"
    assert len(mailoutbox) == 1
    assert sorted(mailoutbox[0].to) == sorted([owner.email, second_owner.email])
    assert "0099887766" in mailoutbox[0].body


def test_a_profile_change_without_payout_is_recorded_but_sends_nothing(
    org, owner, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(owner).patch(URL, {"address": "Jl. Baru 2"}, format="json")

    assert org.events.get(kind="profile_changed").note == "address"
    assert mailoutbox == []


@pytest.mark.parametrize("body", ["123", "null", "true", '["name"]'])
def test_a_body_that_is_not_an_object_is_400(org, owner, body):
    response = client_for(owner).patch(URL, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("website", "https://contoh.id/" + "a" * 400), ("email", "a" * 300 + "@contoh.id")],
)
def test_too_long_values_are_400_and_change_nothing(org, owner, field, value):
    before = Organization.objects.values().get(pk=org.pk)

    response = client_for(owner).patch(URL, {field: value}, format="json")

    assert response.status_code == 400 and field in response.json()["errors"]
    assert Organization.objects.values().get(pk=org.pk) == before


def test_the_service_refuses_values_longer_than_the_column(org, owner):
    with pytest.raises(InvalidInput) as error:
        services.organization_update(organization=org, actor=owner, data={"name": "x" * 201})

    assert "name" in error.value.fields


def test_removing_a_member_twice_is_404_not_500(org, owner):
    member = MembershipFactory(organization=org, role=Role.STAFF)
    stale = Membership.objects.get(pk=member.pk)
    services.membership_remove(membership=member, actor=owner)

    with pytest.raises(NotFound):
        services.membership_remove(membership=stale, actor=owner)
    with pytest.raises(NotFound):
        services.membership_change_role(membership=stale, actor=owner, role=Role.MANAGER)


def test_an_expired_invitation_does_not_block_a_new_one(org, owner):
    first = services.invitation_create(
        organization=org, actor=owner, email="budi@contoh.id", role=Role.STAFF
    )
    Invitation.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(hours=1))

    second = services.invitation_create(
        organization=org, actor=owner, email="budi@contoh.id", role=Role.STAFF
    )

    first.refresh_from_db()
    assert first.status == Invitation.Status.EXPIRED
    assert second.status == Invitation.Status.PENDING


def test_invitations_per_day_are_limited(org, owner, settings):
    settings.INVITATIONS_PER_DAY = 2
    for number in range(2):
        services.invitation_create(
            organization=org, actor=owner, email=f"orang{number}@contoh.id", role=Role.STAFF
        )

    response = client_for(owner).post(
        URL + "members/", {"email": "orang9@contoh.id", "role": "staff"}, format="json"
    )

    assert response.status_code == 429 and response.json()["code"] == "too_many_invitations"
    assert Invitation.objects.count() == 2
    with pytest.raises(TooManyRequests):
        services.invitation_create(
            organization=org, actor=owner, email="orang8@contoh.id", role=Role.STAFF
        )


def test_withdrawing_an_invitation_is_recorded(org, owner):
    invitation = services.invitation_create(
        organization=org, actor=owner, email="budi@contoh.id", role=Role.STAFF
    )

    services.invitation_revoke(invitation=invitation, actor=owner)

    event = org.events.get(kind=OrganizationEvent.Kind.INVITATION_REVOKED)
    assert (event.actor, event.note) == (owner, "budi@contoh.id")


@pytest.mark.parametrize("name", ["A", "Ö", "Posyantek"])
def test_suggested_codes_always_fit_the_code_rule(regions, name):
    assert services.CODE_PATTERN.match(services.suggest_code(name))


def test_suggested_codes_stay_within_eight_characters_when_many_are_taken(regions, user):
    base = services.suggest_code("Pengolahan Ampas Tahu Terpadu Sejahtera")
    taken = [base] + [f"{base[: 8 - len(str(n))]}{n}" for n in range(2, 120)]
    Organization.objects.bulk_create(
        [
            Organization(
                kind="ngo",
                name=code,
                slug=code.lower(),
                code=code,
                district_id="36.72.07",
                created_by=user,
            )
            for code in taken
        ]
    )

    code = services.suggest_code("Pengolahan Ampas Tahu Terpadu Sejahtera")

    assert services.CODE_PATTERN.match(code) and code not in taken


def test_members_see_the_team_not_the_staff_member_in_the_api(org, owner):
    staff = UserFactory(name="Petugas Verifikasi", is_staff=True)
    OrganizationEvent.objects.create(
        organization=org, kind="verification", actor=staff, to_status="verified"
    )

    seen_by_owner = client_for(owner).get(URL + "verification/").json()
    seen_by_staff = client_for(staff).get(URL + "verification/").json()

    assert "Petugas Verifikasi" not in str(seen_by_owner)
    assert "Petugas Verifikasi" in str(seen_by_staff)


def test_admin_members_inline_is_read_only(org):
    model_admin = site._registry[Organization]
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    inline = next(
        i for i in model_admin.get_inline_instances(request, org) if i.model is Membership
    )

    assert not inline.has_add_permission(request, org)
    assert not inline.has_delete_permission(request, org)
    assert set(inline.get_readonly_fields(request, org)) >= {"user", "role"}


@pytest.mark.parametrize("slug", ["%00", "pos%00yantek", "a%20b", "<script>"])
def test_an_organisation_named_by_a_malformed_slug_is_404(api_client, org, slug):
    response = api_client.get(f"/api/v1/products/?organization={slug}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
