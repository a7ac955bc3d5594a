"""The organisation pages: every page with success, anonymous, another organisation's member,
too low a role and bad input — asserting the status, the redirect and the database."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import (
    Invitation,
    Membership,
    Organization,
    OrganizationDocument,
    OrganizationEvent,
    Role,
)
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
BACKEND = "accounts.backends.EmailBackend"
SLUG = "posyantek-purwakarta"


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend=BACKEND)
    return client


def url(name: str, *args) -> str:
    return reverse(f"organizations:{name}", args=args)


@pytest.fixture
def org(regions):
    return OrganizationFactory(name="Posyantek Kecamatan Purwakarta", slug=SLUG, code="PWK")


@pytest.fixture
def people(org):
    """Clients for an owner, a manager and a staff member of `org`, an owner of another
    organisation, a stranger, platform staff and an anonymous visitor."""
    other = OrganizationFactory(name="Posyantek Lain", slug="posyantek-lain", code="LAIN")
    users = {
        "owner": MembershipFactory(organization=org, role=Role.OWNER).user,
        "manager": MembershipFactory(organization=org, role=Role.MANAGER).user,
        "staff": MembershipFactory(organization=org, role=Role.STAFF).user,
        "other_owner": MembershipFactory(organization=other, role=Role.OWNER).user,
        "stranger": UserFactory(),
        "platform": UserFactory(is_staff=True),
        "anonymous": None,
    }
    return {name: client_for(user) for name, user in users.items()} | {"users": users}


def snapshot(org: Organization) -> dict:
    org.refresh_from_db()
    return {
        "org": {f.name: getattr(org, f.name) for f in Organization._meta.concrete_fields},
        "members": sorted(Membership.objects.values_list("user_id", "organization_id", "role")),
        "invitations": sorted(Invitation.objects.values_list("email", "status")),
        "documents": OrganizationDocument.objects.count(),
        "events": OrganizationEvent.objects.count(),
    }


def assert_login_redirect(response, path: str) -> None:
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert f"next={path}" in response.url


# --- List -------------------------------------------------------------------------------------


def test_list_shows_verified_organisations_to_everyone(org):
    OrganizationFactory(
        name="Draf Tersembunyi", slug="draf", code="DRF", verification_status="pending"
    )

    response = Client().get(url("list"))

    assert response.status_code == 200
    page = list(response.context["page"].object_list)
    assert [o.slug for o in page] == [SLUG]
    assert "Draf Tersembunyi" not in response.content.decode()
    assert url("detail", SLUG) in response.content.decode()


def test_list_member_also_sees_its_own_unverified_organisation(regions):
    owner = UserFactory()
    MembershipFactory(
        user=owner,
        organization=OrganizationFactory(slug="draf", code="DRF", verification_status="pending"),
    )

    response = client_for(owner).get(url("list"))

    assert [o.slug for o in response.context["page"].object_list] == ["draf"]
    assert [m.organization.slug for m in response.context["my_memberships"]] == ["draf"]
    assert str(Organization.VerificationStatus.PENDING.label) in response.content.decode()


def test_list_filters_by_kind_and_ignores_a_bad_kind(org):
    OrganizationFactory(kind="industry", slug="pt-pakan", code="PKN", posyantek_level="")

    industry = Client().get(url("list"), {"kind": "industry"})
    bad = Client().get(url("list"), {"kind": "bank"})

    assert [o.slug for o in industry.context["page"].object_list] == ["pt-pakan"]
    assert bad.status_code == 200
    assert bad.context["form"].errors["kind"]
    assert len(bad.context["page"].object_list) == 2


def test_list_is_paginated_and_keeps_the_filter(regions):
    for number in range(25):
        OrganizationFactory(name=f"Posyantek {number:02d}")

    first = Client().get(url("list"), {"kind": "posyantek"})
    second = Client().get(url("list"), {"kind": "posyantek", "page": 2})
    nonsense = Client().get(url("list"), {"page": "abc"})

    assert len(first.context["page"].object_list) == 20
    assert "?kind=posyantek&amp;page=2" in first.content.decode()
    assert len(second.context["page"].object_list) == 5
    assert nonsense.status_code == 200 and nonsense.context["page"].number == 1


def test_list_query_count_does_not_grow(regions, django_assert_max_num_queries):
    owner = UserFactory()
    for _number in range(15):
        MembershipFactory(user=owner, organization=OrganizationFactory())
    anonymous, member = Client(), client_for(owner)

    with django_assert_max_num_queries(2):
        assert anonymous.get(url("list")).status_code == 200
    # + session, user, "your organisations", cart count, the header's dashboard link
    with django_assert_max_num_queries(7):
        assert member.get(url("list")).status_code == 200


# --- Detail -----------------------------------------------------------------------------------


def test_detail_public_profile(people, org):
    org.payout_account_number = "7788990011"
    org.description = "Pakan ternak dari ampas tahu"
    org.save()

    response = people["anonymous"].get(url("detail", SLUG))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Pakan ternak dari ampas tahu" in content and "Purwakarta" in content
    assert "https://wa.me/6281234567890" in content
    assert str(Organization.VerificationStatus.VERIFIED.label) in content
    assert "7788990011" not in content
    assert url("edit", SLUG) not in content


def test_detail_members_see_private_details_and_actions(people, org):
    org.payout_account_number = "7788990011"
    org.save()

    staff = people["staff"].get(url("detail", SLUG)).content.decode()
    manager = people["manager"].get(url("detail", SLUG)).content.decode()

    assert "7788990011" in staff and url("members", SLUG) in staff
    assert url("edit", SLUG) not in staff
    assert url("edit", SLUG) in manager


def test_unverified_detail_is_404_to_outsiders_and_shows_the_banner_to_members(people, org):
    Organization.objects.filter(pk=org.pk).update(
        verification_status="rejected", verification_note="SK buram"
    )

    for who in ("anonymous", "stranger", "other_owner"):
        assert people[who].get(url("detail", SLUG)).status_code == 404, who
    member = people["staff"].get(url("detail", SLUG))
    assert member.status_code == 200
    content = member.content.decode()
    assert "SK buram" in content and str(Organization.VerificationStatus.REJECTED.label) in content
    assert people["platform"].get(url("detail", SLUG)).status_code == 200


def test_unknown_organisation_is_404(people, org):
    assert people["owner"].get(url("detail", "tidak-ada")).status_code == 404


# --- Create -----------------------------------------------------------------------------------

PLACE = {"place_province": "36", "place_regency": "36.72", "place_district": "36.72.07"}


def test_create_page_uses_the_region_picker(user, regions):
    response = client_for(user).get(url("create"))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="place_district"' in content and "js/region-picker.js" in content
    # The village is optional: the picker must not make the browser demand it.
    assert 'name="place_village"' in content
    assert "required" not in content.split('name="place_village"')[1].split(">")[0]


def test_create_makes_the_user_owner_of_an_unverified_posyantekdes(user, regions):
    response = client_for(user).post(
        url("create"),
        {
            "kind": "posyantek",
            "name": "Posyantek Desa Ramanuju",
            "posyantek_level": "desa",
            **PLACE,
            "place_village": "36.72.07.1001",
            "whatsapp": "0812-3456-7890",
            "nib": "1234 5678 9012 3",
            "code": "rmj",
        },
    )

    organization = Organization.objects.get()
    assert response.status_code == 302
    assert response.url == url("verification", organization.slug)
    assert organization.code == "RMJ" and organization.verification_status == "unverified"
    assert organization.district_id == "36.72.07" and organization.village_id == "36.72.07.1001"
    assert organization.whatsapp == "6281234567890" and organization.nib == "1234567890123"
    assert Membership.objects.get(organization=organization).user == user
    assert organization.events.filter(kind="created").exists()


def test_create_an_industry_with_only_a_kecamatan(user, regions):
    response = client_for(user).post(
        url("create"), {"kind": "industry", "name": "PT Pakan Ternak Cilegon", **PLACE}
    )

    organization = Organization.objects.get()
    assert response.status_code == 302
    assert organization.village is None and organization.posyantek_level == ""
    assert organization.code  # suggested


def test_create_posyantek_without_level_is_a_kecamatan_one(user, regions):
    client_for(user).post(url("create"), {"kind": "posyantek", "name": "Posyantek Baru", **PLACE})

    assert Organization.objects.get().posyantek_level == "kecamatan"


@pytest.mark.parametrize("name", ["Baru", "Undangan"])
def test_a_name_that_is_a_page_path_gets_another_slug(user, regions, name):
    client_for(user).post(url("create"), {"kind": "ngo", "name": name, **PLACE})

    organization = Organization.objects.get()
    assert organization.slug == f"{name.lower()}-2"
    assert client_for(user).get(url("detail", organization.slug)).status_code == 200


def test_create_anonymous_goes_to_login(regions):
    response = Client().post(url("create"), {"kind": "ukm", "name": "UKM Tahu", **PLACE})

    assert_login_redirect(response, url("create"))
    assert not Organization.objects.exists()


def test_create_needs_a_verified_email(regions):
    unverified = client_for(UserFactory(email_verified_at=None))

    page = unverified.get(url("create"))
    refused = unverified.post(url("create"), {"kind": "ukm", "name": "UKM Tahu", **PLACE})

    assert page.status_code == 200 and page.context["email_unverified"]
    assert 'name="name"' not in page.content.decode()
    assert reverse("accounts:verify-email-sent") in page.content.decode()
    assert refused.status_code == 403
    assert not Organization.objects.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"nib": "123"}, "nib"),
        ({"whatsapp": "12345"}, "whatsapp"),
        ({"place_district": ""}, "place"),  # only a regency chosen
        ({"place_village": "36.72.07.9999"}, "place"),
        ({"posyantek_level": "desa"}, "place"),  # a Posyantekdes needs its village
        ({"kind": "industry", "posyantek_level": "desa"}, "posyantek_level"),
        ({"kind": "bank"}, "kind"),
        ({"code": "p w k!"}, "code"),
        ({"code": "LAIN"}, "code"),
        ({"name": "  "}, "name"),
        ({"email": "not-an-address"}, "email"),
    ],
)
def test_create_bad_input_rerenders_with_errors_and_creates_nothing(user, regions, changes, field):
    OrganizationFactory(slug="lain", code="LAIN")
    before = Organization.objects.count()
    data = {"kind": "posyantek", "name": "Posyantek Baru", **PLACE, **changes}

    response = client_for(user).post(url("create"), data)

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert 'class="errorlist' in response.content.decode()
    assert Organization.objects.count() == before


# --- Edit -------------------------------------------------------------------------------------


def test_manager_edits_the_profile_only(people, org):
    page = people["manager"].get(url("edit", SLUG))
    response = people["manager"].post(
        url("edit", SLUG),
        {
            "description": "Pakan dari ampas tahu",
            "whatsapp": "0812 1111 2222",
            "address": "Jl. Baru 2",
            "payout_account_number": "999",  # not on the manager's form: ignored
            "name": "Nama Lain",
        },
    )

    assert page.status_code == 200
    assert 'name="payout_account_number"' not in page.content.decode()
    assert response.status_code == 302 and response.url == url("detail", SLUG)
    org.refresh_from_db()
    assert org.description == "Pakan dari ampas tahu" and org.whatsapp == "6281211112222"
    assert org.payout_account_number == "" and org.name == "Posyantek Kecamatan Purwakarta"


def owner_form(org: Organization, **changes) -> dict:
    data = {
        "description": org.description,
        "address": org.address,
        "whatsapp": org.whatsapp,
        "email": org.email,
        "website": org.website,
        "name": org.name,
        "posyantek_level": org.posyantek_level,
        **PLACE,
        "nib": org.nib,
        "npwp": org.npwp,
        "decree_number": org.decree_number,
        "payout_bank_name": org.payout_bank_name,
        "payout_account_number": org.payout_account_number,
        "payout_account_holder": org.payout_account_holder,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_owner_edits_legal_details_place_and_payout(people, org):
    page = people["owner"].get(url("edit", SLUG))
    assert 'name="payout_account_number"' in page.content.decode()
    assert '<option value="36.72.07" selected>' in page.content.decode()

    response = people["owner"].post(
        url("edit", SLUG),
        owner_form(
            org,
            npwp="01.234.567.8-901.000",
            payout_bank_name="BRI",
            payout_account_number="0123456789",
            payout_account_holder="Posyantek Purwakarta",
            is_pkp="on",
            posyantek_level="desa",
            place_village="36.72.07.1004",
        ),
    )

    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.npwp, org.payout_bank_name, org.is_pkp) == ("012345678901000", "BRI", True)
    assert org.posyantek_level == "desa" and org.village_id == "36.72.07.1004"
    assert org.code == "PWK"


def test_platform_staff_may_edit_everything(people, org):
    response = people["platform"].post(url("edit", SLUG), owner_form(org, nib="1234567890123"))

    assert response.status_code == 302
    org.refresh_from_db()
    assert org.nib == "1234567890123"


def test_edit_refused_for_staff_member_with_403(people, org):
    before = snapshot(org)

    page = people["staff"].get(url("edit", SLUG))
    post = people["staff"].post(url("edit", SLUG), {"description": "diubah"})

    assert page.status_code == 403 and post.status_code == 403
    assert snapshot(org) == before


@pytest.mark.parametrize("who", ["other_owner", "stranger"])
def test_edit_is_404_to_outsiders(people, org, who):
    before = snapshot(org)

    assert people[who].get(url("edit", SLUG)).status_code == 404
    assert people[who].post(url("edit", SLUG), {"description": "diubah"}).status_code == 404
    assert snapshot(org) == before


def test_edit_anonymous_goes_to_login(people, org):
    assert_login_redirect(people["anonymous"].get(url("edit", SLUG)), url("edit", SLUG))


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"nib": "12"}, "nib"),
        ({"npwp": "1234"}, "npwp"),
        ({"website": "not a url"}, "website"),
        ({"whatsapp": "12345"}, "whatsapp"),
        ({"posyantek_level": "desa"}, "place"),
        ({"posyantek_level": "kota"}, "posyantek_level"),
        ({"place_village": "36.72.07.9999"}, "place"),  # not in the list
        ({"place_district": "", "place_village": ""}, "place"),  # only the regency chosen
        ({"name": " "}, "name"),
    ],
)
def test_edit_bad_input_rerenders_and_changes_nothing(people, org, changes, field):
    before = snapshot(org)

    response = people["owner"].post(url("edit", SLUG), owner_form(org, **changes))

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert snapshot(org) == before


# --- Members and invitations ------------------------------------------------------------------


def test_members_page_for_any_member(people, org):
    staff = people["staff"].get(url("members", SLUG))
    owner = people["owner"].get(url("members", SLUG))

    assert staff.status_code == 200
    assert {m.role for m in staff.context["memberships"]} == {"owner", "manager", "staff"}
    assert 'name="invite-email"' not in staff.content.decode()
    assert 'value="role"' not in staff.content.decode()
    assert 'name="invite-email"' in owner.content.decode()


@pytest.mark.parametrize("who", ["other_owner", "stranger"])
def test_members_page_is_404_to_outsiders(people, org, who):
    before = snapshot(org)

    assert people[who].get(url("members", SLUG)).status_code == 404
    response = people[who].post(
        url("members", SLUG),
        {"action": "invite", "invite-email": "x@contoh.id", "invite-role": "owner"},
    )
    assert response.status_code == 404
    assert snapshot(org) == before


def test_members_page_anonymous_goes_to_login(people, org):
    assert_login_redirect(people["anonymous"].get(url("members", SLUG)), url("members", SLUG))


def test_owner_invites_by_email(people, org, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = people["owner"].post(
            url("members", SLUG),
            {"action": "invite", "invite-email": "BUDI@contoh.id", "invite-role": "manager"},
        )

    assert response.status_code == 302 and response.url == url("members", SLUG)
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.status) == (
        "budi@contoh.id",
        "manager",
        "pending",
    )
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["budi@contoh.id"]
    assert url("invitation", invitation.token) in mailoutbox[0].body
    listed = people["owner"].get(url("members", SLUG))
    assert "budi@contoh.id" in listed.content.decode()


@pytest.mark.parametrize(
    "data, status",
    [
        ({"invite-email": "nope", "invite-role": "staff"}, 400),
        ({"invite-email": "x@contoh.id", "invite-role": "boss"}, 400),
        ({"invite-email": "MANAGER", "invite-role": "staff"}, 409),  # already a member
        ({"invite-email": "siti@contoh.id", "invite-role": "staff"}, 409),  # already invited
    ],
)
def test_invite_bad_input(people, org, data, status):
    Invitation.objects.create(
        organization=org,
        email="siti@contoh.id",
        role="staff",
        token="t" * 43,
        invited_by=people["users"]["owner"],
        expires_at=timezone.now() + timedelta(days=3),
    )
    if data["invite-email"] == "MANAGER":
        data = {**data, "invite-email": people["users"]["manager"].email}
    before = snapshot(org)

    response = people["owner"].post(url("members", SLUG), {"action": "invite", **data})

    assert response.status_code == status
    assert response.context["invite_form"].errors
    assert snapshot(org) == before


def test_manager_cannot_invite_change_roles_or_remove(people, org):
    staff = Membership.objects.get(organization=org, role="staff")
    before = snapshot(org)

    invite = people["manager"].post(
        url("members", SLUG),
        {"action": "invite", "invite-email": "x@contoh.id", "invite-role": "owner"},
    )
    role = people["manager"].post(
        url("members", SLUG), {"action": "role", "membership": staff.pk, "role": "owner"}
    )
    remove = people["manager"].post(
        url("members", SLUG), {"action": "remove", "membership": staff.pk}
    )

    assert (invite.status_code, role.status_code, remove.status_code) == (403, 403, 403)
    assert role.context["error"]
    assert snapshot(org) == before


def test_owner_changes_a_role_and_removes_a_member(people, org):
    staff = Membership.objects.get(organization=org, role="staff")

    promoted = people["owner"].post(
        url("members", SLUG), {"action": "role", "membership": staff.pk, "role": "manager"}
    )
    assert promoted.status_code == 302
    assert Membership.objects.get(pk=staff.pk).role == "manager"

    removed = people["owner"].post(
        url("members", SLUG), {"action": "remove", "membership": staff.pk}
    )
    assert removed.status_code == 302
    assert not Membership.objects.filter(pk=staff.pk).exists()
    assert org.events.filter(kind="member_removed").exists()


def test_last_owner_cannot_be_removed_or_demoted(people, org):
    owner = Membership.objects.get(organization=org, role="owner")
    before = snapshot(org)

    removed = people["owner"].post(
        url("members", SLUG), {"action": "remove", "membership": owner.pk}
    )
    demoted = people["owner"].post(
        url("members", SLUG), {"action": "role", "membership": owner.pk, "role": "staff"}
    )

    message = gettext("An organisation needs at least one owner. Make someone else owner first.")
    for response in (removed, demoted):
        assert response.status_code == 409
        assert message in response.content.decode()
    assert snapshot(org) == before


def test_a_member_may_leave(people, org):
    staff = Membership.objects.get(organization=org, role="staff")

    response = people["staff"].post(
        url("members", SLUG), {"action": "remove", "membership": staff.pk}
    )

    assert response.status_code == 302 and response.url == url("list")
    assert not Membership.objects.filter(pk=staff.pk).exists()


def test_owner_withdraws_an_invitation(people, org):
    people["owner"].post(
        url("members", SLUG),
        {"action": "invite", "invite-email": "siti@contoh.id", "invite-role": "staff"},
    )
    invitation = Invitation.objects.get()

    refused = people["manager"].post(
        url("members", SLUG), {"action": "revoke", "invitation": invitation.pk}
    )
    assert refused.status_code == 403 and Invitation.objects.get().status == "pending"

    response = people["owner"].post(
        url("members", SLUG), {"action": "revoke", "invitation": invitation.pk}
    )
    assert response.status_code == 302
    assert Invitation.objects.get().status == "revoked"
    again = people["owner"].post(
        url("members", SLUG), {"action": "revoke", "invitation": invitation.pk}
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    "data, status",
    [
        ({"action": "remove", "membership": 999999}, 404),
        ({"action": "role", "membership": 999999, "role": "staff"}, 404),
        ({"action": "revoke", "invitation": 999999}, 404),
        ({"action": "remove", "membership": "abc"}, 400),
        ({"action": "role", "membership": "1", "role": "boss"}, 400),
        ({"action": "explode"}, 400),
        ({}, 400),
    ],
)
def test_members_bad_posts(people, org, data, status):
    before = snapshot(org)

    response = people["owner"].post(url("members", SLUG), data)

    assert response.status_code == status
    assert response.context["error"]
    assert snapshot(org) == before


def test_member_of_another_organisation_cannot_be_touched(people, org):
    other_owner = Membership.objects.get(user=people["users"]["other_owner"])
    before = snapshot(org)

    response = people["owner"].post(
        url("members", SLUG), {"action": "remove", "membership": other_owner.pk}
    )

    assert response.status_code == 404
    assert snapshot(org) == before


# --- Invitation page --------------------------------------------------------------------------


@pytest.fixture
def invitation(people, org):
    people["owner"].post(
        url("members", SLUG),
        {"action": "invite", "invite-email": "budi@contoh.id", "invite-role": "manager"},
    )
    return Invitation.objects.get()


def test_invitation_page_for_an_anonymous_visitor_links_to_login(invitation):
    response = Client().get(url("invitation", invitation.token))

    assert response.status_code == 200
    login = response.context["login_url"]
    assert login.startswith(reverse("accounts:login"))
    assert "next=" in login and invitation.token in login
    assert login.replace("&", "&amp;") in response.content.decode()


def test_invitation_anonymous_post_goes_to_login(invitation):
    response = Client().post(url("invitation", invitation.token))

    assert_login_redirect(response, url("invitation", invitation.token))
    assert Invitation.objects.get().status == "pending"


def test_invitation_unknown_token_is_404(people, org):
    assert Client().get(url("invitation", "tidak-ada")).status_code == 404
    assert people["stranger"].post(url("invitation", "tidak-ada")).status_code == 404


def test_invitee_accepts(invitation, org):
    invitee = UserFactory(email="budi@contoh.id")
    client = client_for(invitee)

    page = client.get(url("invitation", invitation.token))
    response = client.post(url("invitation", invitation.token))

    assert page.status_code == 200 and page.context["for_this_user"]
    assert response.status_code == 302 and response.url == url("detail", SLUG)
    assert Membership.objects.get(user=invitee, organization=org).role == "manager"
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.accepted_by == invitee

    again = client.post(url("invitation", invitation.token))
    assert again.status_code == 409 and again.context["error"]


def test_invitation_refused_for_another_account(invitation, people, org):
    before = snapshot(org)

    page = people["stranger"].get(url("invitation", invitation.token))
    response = people["stranger"].post(url("invitation", invitation.token))

    assert page.status_code == 200 and not page.context["for_this_user"]
    assert response.status_code == 403
    assert snapshot(org) == before


def test_invitation_refused_when_expired_or_email_unverified(invitation, org):
    unverified = client_for(UserFactory(email="budi@contoh.id", email_verified_at=None))
    assert unverified.post(url("invitation", invitation.token)).status_code == 403

    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    verified = UserFactory(email="budi2@contoh.id")
    Invitation.objects.update(email="budi2@contoh.id")
    response = client_for(verified).post(url("invitation", invitation.token))

    assert response.status_code == 409 and response.context["expired"]
    assert not Membership.objects.filter(user__email__startswith="budi").exists()


# --- Verification and documents ---------------------------------------------------------------


@pytest.fixture
def draft(people, org):
    """`org` as an unverified Posyantek."""
    Organization.objects.filter(pk=org.pk).update(verification_status="unverified")
    org.refresh_from_db()
    return org


def upload(client, *, kind="sk_camat", content=PDF, name="sk camat.pdf", slug=SLUG):
    return client.post(
        url("verification", slug),
        {"action": "upload", "kind": kind, "file": SimpleUploadedFile(name, content)},
    )


def test_verification_page_for_the_owner_shows_missing_documents(people, draft):
    response = people["owner"].get(url("verification", SLUG))

    assert response.status_code == 200
    assert [item["kind"] for item in response.context["missing_documents"]] == ["sk_camat"]
    content = response.content.decode()
    assert 'name="file"' in content and 'value="request"' in content
    assert str(Organization.VerificationStatus.UNVERIFIED.label) in content


def test_verification_page_for_a_manager_hides_documents(people, draft):
    upload(people["owner"])

    response = people["manager"].get(url("verification", SLUG))

    assert response.status_code == 200
    assert response.context["documents"] == []
    content = response.content.decode()
    assert 'name="file"' not in content and url("document", SLUG, 1) not in content
    assert response.context["timeline"]  # the history is for every member


@pytest.mark.parametrize("who", ["other_owner", "stranger"])
def test_verification_page_is_404_to_outsiders(people, org, who):
    before = snapshot(org)

    assert people[who].get(url("verification", SLUG)).status_code == 404
    assert upload(people[who]).status_code == 404
    assert snapshot(org) == before


def test_verification_page_anonymous_goes_to_login(people, org):
    path = url("verification", SLUG)
    assert_login_redirect(people["anonymous"].get(path), path)
    assert_login_redirect(upload(people["anonymous"]), path)
    assert not OrganizationDocument.objects.exists()


def test_verification_flow(people, draft, mailoutbox, django_capture_on_commit_callbacks):
    owner = people["owner"]

    premature = owner.post(url("verification", SLUG), {"action": "request"})
    assert premature.status_code == 409 and premature.context["error"]
    assert Organization.objects.get(pk=draft.pk).verification_status == "unverified"

    uploaded = upload(owner)
    assert uploaded.status_code == 302 and uploaded.url == url("verification", SLUG)
    document = OrganizationDocument.objects.get()
    assert document.original_name == "sk camat.pdf" and document.kind == "sk_camat"

    with django_capture_on_commit_callbacks(execute=True):
        requested = owner.post(url("verification", SLUG), {"action": "request"})
    assert requested.status_code == 302
    draft.refresh_from_db()
    assert draft.verification_status == "pending"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [people["users"]["owner"].email]
    assert url("verification", SLUG) in mailoutbox[0].body

    page = owner.get(url("verification", SLUG))
    assert 'name="file"' not in page.content.decode()  # no uploads while being checked
    assert str(Organization.VerificationStatus.PENDING.label) in page.content.decode()
    late = upload(owner, kind="nib")
    assert late.status_code == 409 and late.context["upload_form"].errors
    assert OrganizationDocument.objects.count() == 1


@pytest.mark.parametrize(
    "content, name, kind, field",
    [
        (b"just text pretending", "nib.pdf", "nib", "file"),
        (b"MZ\x90\x00 executable", "sk.png", "sk_camat", "file"),
        (PDF, "nib.pdf", "passport", "kind"),
        (b"", "empty.pdf", "nib", "file"),
    ],
)
def test_bad_upload_rerenders_and_stores_nothing(people, draft, content, name, kind, field):
    before = snapshot(draft)

    response = upload(people["owner"], kind=kind, content=content, name=name)

    assert response.status_code == 400
    assert response.context["upload_form"].errors[field]
    assert snapshot(draft) == before


def test_upload_without_a_file(people, draft):
    response = people["owner"].post(url("verification", SLUG), {"action": "upload", "kind": "nib"})

    assert response.status_code == 400 and response.context["upload_form"].errors["file"]
    assert not OrganizationDocument.objects.exists()


def test_too_large_upload(people, draft, monkeypatch):
    monkeypatch.setattr("accounts.services.organizations.DOCUMENT_MAX_BYTES", 10)

    response = upload(people["owner"])

    assert response.status_code == 400
    assert "10 MB" in response.context["upload_form"].errors["file"][0]
    assert not OrganizationDocument.objects.exists()


def test_manager_cannot_upload_or_ask(people, draft):
    before = snapshot(draft)

    uploaded = upload(people["manager"])
    asked = people["manager"].post(url("verification", SLUG), {"action": "request"})

    assert uploaded.status_code == 403 and asked.status_code == 403
    assert snapshot(draft) == before


def test_verification_unknown_action(people, draft):
    response = people["owner"].post(url("verification", SLUG), {"action": "verify"})

    assert response.status_code == 400
    assert Organization.objects.get(pk=draft.pk).verification_status == "unverified"


def test_document_download_owner_and_platform_staff_only(people, org):
    upload(people["owner"], kind="nib", name="NIB Purwakarta.pdf")
    document = OrganizationDocument.objects.get()
    path = url("document", SLUG, document.pk)

    owner = people["owner"].get(path)
    staff = people["platform"].get(path)

    assert owner.status_code == 200 and b"".join(owner.streaming_content) == PDF
    assert "attachment" in owner["Content-Disposition"]
    assert "NIB Purwakarta.pdf" in owner["Content-Disposition"]
    assert owner["Cache-Control"] == "private, no-store"
    assert staff.status_code == 200
    for who in ("manager", "staff", "other_owner", "stranger", "anonymous"):
        assert people[who].get(path).status_code == 404, who
    assert people["owner"].get(url("document", "posyantek-lain", document.pk)).status_code == 404
    assert people["owner"].get(url("document", SLUG, document.pk + 100)).status_code == 404


def test_document_of_an_unverified_organisation_is_404_to_others(people, draft):
    upload(people["owner"])
    path = url("document", SLUG, OrganizationDocument.objects.get().pk)

    assert people["owner"].get(path).status_code == 200
    assert people["other_owner"].get(path).status_code == 404
    assert people["anonymous"].get(path).status_code == 404
