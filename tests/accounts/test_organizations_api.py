"""The organisations API: every endpoint with success, anonymous, another organisation's
member, too low a role, and bad input — asserting the body and that nothing changed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

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


def client_for(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def org(regions):
    return OrganizationFactory(
        name="Posyantek Kecamatan Purwakarta", slug="posyantek-purwakarta", code="PWK"
    )


@pytest.fixture
def people(org):
    """An owner, a manager and a staff member of `org`, an owner of another organisation,
    a stranger, and a platform staff user — each with an API client."""
    other = OrganizationFactory(name="Posyantek Lain", slug="posyantek-lain", code="LAIN")
    roles = {
        "owner": MembershipFactory(organization=org, role=Role.OWNER).user,
        "manager": MembershipFactory(organization=org, role=Role.MANAGER).user,
        "staff": MembershipFactory(organization=org, role=Role.STAFF).user,
        "other_owner": MembershipFactory(organization=other, role=Role.OWNER).user,
        "stranger": UserFactory(),
        "platform": UserFactory(is_staff=True),
    }
    return {name: client_for(user) for name, user in roles.items()} | {"users": roles}


def snapshot(org: Organization) -> dict:
    org.refresh_from_db()
    return {
        "org": {f.name: getattr(org, f.name) for f in Organization._meta.concrete_fields},
        "members": sorted(Membership.objects.values_list("user_id", "organization_id", "role")),
        "invitations": Invitation.objects.count(),
        "documents": OrganizationDocument.objects.count(),
        "events": OrganizationEvent.objects.count(),
    }


# --- List and create --------------------------------------------------------------------------


def test_public_list_shows_only_verified(api_client, org):
    OrganizationFactory(slug="belum", code="BLM", verification_status="unverified")

    response = api_client.get("/api/v1/organizations/")

    assert response.status_code == 200
    slugs = [row["slug"] for row in response.json()["results"]]
    assert "posyantek-purwakarta" in slugs and "belum" not in slugs
    row = next(r for r in response.json()["results"] if r["slug"] == "posyantek-purwakarta")
    assert row["place"]["district_name"] == "Purwakarta"
    assert row["place"]["regency_name"] == "Kota Cilegon"
    assert "npwp" not in row and "payout_account_number" not in row


def test_member_also_sees_its_own_unverified_organisation(regions):
    owner = UserFactory()
    MembershipFactory(
        user=owner,
        organization=OrganizationFactory(slug="draf", code="DRF", verification_status="pending"),
    )

    response = client_for(owner).get("/api/v1/organizations/?verified=false")

    assert [row["slug"] for row in response.json()["results"]] == ["draf"]


def test_list_filter_by_kind_and_bad_kind(api_client, org):
    OrganizationFactory(kind="industry", slug="pt-pakan", code="PKN", posyantek_level="")

    assert [r["slug"] for r in api_client.get("/api/v1/organizations/?kind=industry").json()[
        "results"
    ]] == ["pt-pakan"]  # fmt: skip
    bad = api_client.get("/api/v1/organizations/?kind=bank")
    assert bad.status_code == 400 and "kind" in bad.json()["errors"]


def test_list_query_count_does_not_grow(api_client, regions, django_assert_max_num_queries):
    for _number in range(12):
        OrganizationFactory()
    with django_assert_max_num_queries(3):
        response = api_client.get("/api/v1/organizations/?page_size=50")
    assert response.json()["count"] == 12


def test_create_makes_the_caller_owner_and_starts_unverified(regions):
    user = UserFactory()

    response = client_for(user).post(
        "/api/v1/organizations/",
        {
            "kind": "posyantek",
            "name": "Posyantek Desa Ramanuju",
            "district": "36.72.07",
            "village": "36.72.07.1001",
            "posyantek_level": "desa",
            "whatsapp": "0812-3456-7890",
            "nib": "1234 5678 9012 3",
            "npwp": "01.234.567.8-901.000",
            "code": "rmj",
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["code"] == "RMJ" and body["my_role"] == "owner"
    assert body["verification_status"] == "unverified"
    assert body["whatsapp"] == "6281234567890"
    assert body["nib"] == "1234567890123" and body["npwp"] == "012345678901000"
    organization = Organization.objects.get(slug=body["slug"])
    assert organization.village_id == "36.72.07.1001"
    assert Membership.objects.get(organization=organization).user == user
    assert organization.events.filter(kind="created").exists()


def test_create_suggests_a_unique_code(regions):
    user = UserFactory()
    client = client_for(user)
    first = client.post(
        "/api/v1/organizations/",
        {"kind": "industry", "name": "PT Pakan Ternak Cilegon", "district": "36.72.07"},
    ).json()
    second = client.post(
        "/api/v1/organizations/",
        {"kind": "industry", "name": "PT Pakan Ternak Cilegon", "district": "36.72.07"},
    ).json()

    assert first["code"] and second["code"] and first["code"] != second["code"]
    assert first["slug"] != second["slug"]


def test_create_needs_a_verified_email(regions):
    user = UserFactory(email_verified_at=None)

    response = client_for(user).post(
        "/api/v1/organizations/", {"kind": "ukm", "name": "UKM Tahu", "district": "36.72.07"}
    )

    assert response.status_code == 403
    assert response.json()["code"] == "email_not_verified"
    assert not Organization.objects.exists()


def test_create_anonymous_is_401(api_client, regions):
    response = api_client.post("/api/v1/organizations/", {"kind": "ukm", "name": "X"})

    assert response.status_code == 401
    assert not Organization.objects.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"nib": "123"}, "nib"),
        ({"npwp": "1234"}, "npwp"),
        ({"whatsapp": "12345"}, "whatsapp"),
        ({"district": "36.72"}, "district"),
        ({"district": "99.99.99"}, "district"),
        ({"village": "36.72.01.1001"}, "village"),  # exists nowhere in the subset
        ({"village": "33.75.03.1002"}, "village"),  # a village of another kecamatan
        ({"kind": "bank"}, "kind"),
        ({"code": "p w k!"}, "code"),
        ({"code": "LAIN"}, "code"),
        ({"name": "  "}, "name"),
        ({"kind": "industry", "posyantek_level": "desa"}, "posyantek_level"),
        ({"posyantek_level": "desa"}, "village"),
    ],
)
def test_create_bad_input_is_400_by_field_and_creates_nothing(people, changes, field):
    before = Organization.objects.count()
    data = {"kind": "posyantek", "name": "Posyantek Baru", "district": "36.72.07", **changes}

    response = client_for(UserFactory()).post("/api/v1/organizations/", data)

    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"], response.json()
    assert response.json()["detail"]
    assert Organization.objects.count() == before


# --- Detail and update ------------------------------------------------------------------------


def test_detail_public_vs_member(api_client, people, org):
    public = api_client.get("/api/v1/organizations/posyantek-purwakarta/").json()
    member = people["staff"].get("/api/v1/organizations/posyantek-purwakarta/").json()

    assert "payout_account_number" not in public and public["code"] == "PWK"
    assert member["my_role"] == "staff" and "payout_account_number" in member


def test_unverified_organisation_is_404_to_others(people, regions):
    hidden = OrganizationFactory(slug="tersembunyi", code="TSB", verification_status="pending")
    MembershipFactory(organization=hidden)

    assert people["stranger"].get("/api/v1/organizations/tersembunyi/").status_code == 404
    assert people["platform"].get("/api/v1/organizations/tersembunyi/").status_code == 200


def test_manager_edits_profile_but_not_legal_fields(people, org):
    before = snapshot(org)

    ok = people["manager"].patch(
        "/api/v1/organizations/posyantek-purwakarta/",
        {"description": "Pakan dari ampas tahu", "whatsapp": "0812 1111 2222"},
    )
    refused = people["manager"].patch(
        "/api/v1/organizations/posyantek-purwakarta/", {"payout_account_number": "999"}
    )

    assert ok.status_code == 200 and ok.json()["whatsapp"] == "6281211112222"
    assert refused.status_code == 403
    assert "payout_account_number" in refused.json()["detail"]
    org.refresh_from_db()
    assert org.description == "Pakan dari ampas tahu"
    assert org.payout_account_number == before["org"]["payout_account_number"]


def test_owner_edits_legal_and_payout(people, org):
    response = people["owner"].patch(
        "/api/v1/organizations/posyantek-purwakarta/",
        {"npwp": "0123456789010001", "payout_bank_name": "BRI", "is_pkp": True},
    )

    assert response.status_code == 200
    org.refresh_from_db()
    assert (org.npwp, org.payout_bank_name, org.is_pkp) == ("0123456789010001", "BRI", True)


@pytest.mark.parametrize("who, status", [("staff", 403), ("other_owner", 403), ("stranger", 403)])
def test_patch_refused_for_others(people, org, who, status):
    before = snapshot(org)

    response = people[who].patch(
        "/api/v1/organizations/posyantek-purwakarta/", {"description": "diubah"}
    )

    assert response.status_code == status
    assert response.json()["detail"]
    assert snapshot(org) == before


def test_code_and_kind_cannot_change(people, org):
    before = snapshot(org)

    response = people["owner"].patch(
        "/api/v1/organizations/posyantek-purwakarta/", {"code": "NEW", "kind": "industry"}
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"code", "kind"}
    assert snapshot(org) == before


def test_patch_bad_input(people, org):
    before = snapshot(org)

    response = people["owner"].patch(
        "/api/v1/organizations/posyantek-purwakarta/", {"nib": "12", "website": "not a url"}
    )

    assert response.status_code == 400
    assert "website" in response.json()["errors"]
    assert snapshot(org) == before


def test_jurisdiction_set_by_platform_staff_only(people, regions):
    dinas = OrganizationFactory(
        kind="government", slug="dpmpd-kaltim", code="DPKT", posyantek_level="",
        district_id="64.72.03",
    )  # fmt: skip
    MembershipFactory(organization=dinas, user=people["users"]["owner"])

    refused = people["owner"].post(
        "/api/v1/organizations/dpmpd-kaltim/jurisdiction/", {"jurisdiction": "64"}
    )
    bad = people["platform"].post(
        "/api/v1/organizations/dpmpd-kaltim/jurisdiction/", {"jurisdiction": "64.72.03"}
    )
    ok = people["platform"].post(
        "/api/v1/organizations/dpmpd-kaltim/jurisdiction/", {"jurisdiction": "64"}
    )
    not_government = people["platform"].post(
        "/api/v1/organizations/posyantek-purwakarta/jurisdiction/", {"jurisdiction": "36"}
    )

    assert refused.status_code == 403
    assert bad.status_code == 400 and "jurisdiction" in bad.json()["errors"]
    assert ok.status_code == 200 and ok.json()["jurisdiction"] == "64"
    assert not_government.status_code == 409
    assert Organization.objects.get(slug="posyantek-purwakarta").jurisdiction == ""


# --- Members and invitations ------------------------------------------------------------------


def test_members_list_for_members_only(people, org, django_assert_max_num_queries):
    MembershipFactory.create_batch(5, organization=org, role=Role.STAFF)
    with django_assert_max_num_queries(6):
        ok = people["staff"].get("/api/v1/organizations/posyantek-purwakarta/members/")

    assert ok.status_code == 200
    assert {row["role"] for row in ok.json()} == {"owner", "manager", "staff"}
    assert len(ok.json()) == 8
    assert (
        people["stranger"].get("/api/v1/organizations/posyantek-purwakarta/members/").status_code
        == 403
    )
    assert APIClient().get("/api/v1/organizations/posyantek-purwakarta/members/").status_code == 401


def test_invite_accept_flow(people, org, mailoutbox, django_capture_on_commit_callbacks):
    invitee = UserFactory(email="budi@contoh.id")

    with django_capture_on_commit_callbacks(execute=True):
        response = people["owner"].post(
            "/api/v1/organizations/posyantek-purwakarta/members/",
            {"email": "BUDI@contoh.id", "role": "manager"},
        )

    assert response.status_code == 201
    invitation = Invitation.objects.get()
    assert invitation.email == "budi@contoh.id" and invitation.status == "pending"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["budi@contoh.id"]
    assert f"/organisasi/undangan/{invitation.token}/" in mailoutbox[0].body

    wrong = people["stranger"].post("/api/v1/invitations/accept/", {"token": invitation.token})
    assert wrong.status_code == 403 and wrong.json()["code"] == "wrong_account"

    accepted = client_for(invitee).post("/api/v1/invitations/accept/", {"token": invitation.token})
    assert accepted.status_code == 201 and accepted.json()["role"] == "manager"
    assert Membership.objects.get(user=invitee, organization=org).role == "manager"

    again = client_for(invitee).post("/api/v1/invitations/accept/", {"token": invitation.token})
    assert again.status_code == 409


def test_invite_refusals(people, org):
    manager_email = people["users"]["manager"].email
    before = snapshot(org)

    by_manager = people["manager"].post(
        "/api/v1/organizations/posyantek-purwakarta/members/",
        {"email": "x@contoh.id", "role": "staff"},
    )
    existing = people["owner"].post(
        "/api/v1/organizations/posyantek-purwakarta/members/",
        {"email": manager_email, "role": "staff"},
    )
    bad_role = people["owner"].post(
        "/api/v1/organizations/posyantek-purwakarta/members/",
        {"email": "x@contoh.id", "role": "boss"},
    )
    bad_email = people["owner"].post(
        "/api/v1/organizations/posyantek-purwakarta/members/", {"email": "nope", "role": "staff"}
    )

    assert by_manager.status_code == 403
    assert existing.status_code == 409 and existing.json()["code"] == "already_member"
    assert bad_role.status_code == 400 and "role" in bad_role.json()["errors"]
    assert bad_email.status_code == 400 and "email" in bad_email.json()["errors"]
    assert snapshot(org) == before


def test_second_invitation_to_the_same_address_is_409_and_revoke(people, org):
    url = "/api/v1/organizations/posyantek-purwakarta/members/"
    people["owner"].post(url, {"email": "siti@contoh.id", "role": "staff"})

    again = people["owner"].post(url, {"email": "siti@contoh.id", "role": "staff"})
    listed = people["owner"].get("/api/v1/organizations/posyantek-purwakarta/invitations/")
    invitation = Invitation.objects.get()
    revoked = people["owner"].delete(
        f"/api/v1/organizations/posyantek-purwakarta/invitations/{invitation.pk}/"
    )

    assert again.status_code == 409
    assert [row["email"] for row in listed.json()] == ["siti@contoh.id"]
    assert revoked.status_code == 204
    assert Invitation.objects.get().status == "revoked"
    assert (
        people["manager"].get("/api/v1/organizations/posyantek-purwakarta/invitations/").status_code
        == 403
    )


def test_expired_or_unknown_invitation(people, org):
    from datetime import timedelta

    from django.utils import timezone

    people["owner"].post(
        "/api/v1/organizations/posyantek-purwakarta/members/",
        {"email": "late@contoh.id", "role": "staff"},
    )
    invitation = Invitation.objects.get()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    late = client_for(UserFactory(email="late@contoh.id"))

    assert late.post("/api/v1/invitations/accept/", {"token": invitation.token}).status_code == 409
    assert late.post("/api/v1/invitations/accept/", {"token": "nope"}).status_code == 404
    assert not Membership.objects.filter(user__email="late@contoh.id").exists()


def test_owner_changes_roles_and_removes_members(people, org):
    staff = Membership.objects.get(organization=org, role="staff")
    url = f"/api/v1/organizations/posyantek-purwakarta/members/{staff.pk}/"

    promoted = people["owner"].patch(url, {"role": "manager"})
    removed = people["owner"].delete(url)

    assert promoted.status_code == 200 and promoted.json()["role"] == "manager"
    assert removed.status_code == 204
    assert not Membership.objects.filter(pk=staff.pk).exists()
    assert org.events.filter(kind="member_removed").exists()


def test_manager_cannot_change_roles_or_remove(people, org):
    staff = Membership.objects.get(organization=org, role="staff")
    url = f"/api/v1/organizations/posyantek-purwakarta/members/{staff.pk}/"
    before = snapshot(org)

    assert people["manager"].patch(url, {"role": "owner"}).status_code == 403
    assert people["manager"].delete(url).status_code == 403
    assert people["other_owner"].delete(url).status_code == 403
    assert snapshot(org) == before


def test_a_member_may_leave(people, org):
    staff = Membership.objects.get(organization=org, role="staff")

    response = people["staff"].delete(
        f"/api/v1/organizations/posyantek-purwakarta/members/{staff.pk}/"
    )

    assert response.status_code == 204


def test_last_owner_cannot_be_removed_or_demoted(people, org):
    owner = Membership.objects.get(organization=org, role="owner")
    url = f"/api/v1/organizations/posyantek-purwakarta/members/{owner.pk}/"
    before = snapshot(org)

    removed = people["owner"].delete(url)
    demoted = people["owner"].patch(url, {"role": "manager"})

    assert removed.status_code == 409 and removed.json()["code"] == "last_owner"
    assert demoted.status_code == 409 and demoted.json()["code"] == "last_owner"
    assert snapshot(org) == before


def test_with_two_owners_one_may_step_down(people, org):
    manager = Membership.objects.get(organization=org, role="manager")
    people["owner"].patch(
        f"/api/v1/organizations/posyantek-purwakarta/members/{manager.pk}/", {"role": "owner"}
    )
    owner = Membership.objects.get(organization=org, user=people["users"]["owner"])

    response = people["owner"].patch(
        f"/api/v1/organizations/posyantek-purwakarta/members/{owner.pk}/", {"role": "staff"}
    )

    assert response.status_code == 200


def test_unknown_member_is_404(people, org):
    assert (
        people["owner"]
        .delete("/api/v1/organizations/posyantek-purwakarta/members/999999/")
        .status_code
        == 404
    )


# --- Documents and verification ---------------------------------------------------------------


@pytest.fixture
def draft(regions):
    """An unverified Posyantek with its owner."""
    organization = OrganizationFactory(
        slug="draf-posyantek", code="DRFP", verification_status="unverified"
    )
    owner = MembershipFactory(organization=organization, role=Role.OWNER).user
    return organization, client_for(owner)


def upload(client, slug, *, kind="sk_camat", content=PDF, name="sk camat.pdf"):
    return client.post(
        f"/api/v1/organizations/{slug}/documents/",
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="application/pdf")},
        format="multipart",
    )


def test_verification_flow(draft, people, mailoutbox, django_capture_on_commit_callbacks):
    organization, owner = draft
    staff = people["platform"]

    premature = owner.post("/api/v1/organizations/draf-posyantek/verification/request/")
    assert premature.status_code == 409 and premature.json()["code"] == "documents_missing"

    uploaded = upload(owner, "draf-posyantek")
    assert uploaded.status_code == 201
    assert uploaded.json()["original_name"] == "sk camat.pdf"

    with django_capture_on_commit_callbacks(execute=True):
        requested = owner.post("/api/v1/organizations/draf-posyantek/verification/request/")
    assert requested.status_code == 200 and requested.json()["status"] == "pending"

    with django_capture_on_commit_callbacks(execute=True):
        rejected = staff.post(
            "/api/v1/organizations/draf-posyantek/verification/reject/", {"reason": "SK buram"}
        )
    assert rejected.json()["status"] == "rejected" and rejected.json()["note"] == "SK buram"

    owner.post("/api/v1/organizations/draf-posyantek/verification/request/")
    with django_capture_on_commit_callbacks(execute=True):
        verified = staff.post("/api/v1/organizations/draf-posyantek/verification/verify/")
    assert verified.status_code == 200 and verified.json()["status"] == "verified"

    organization.refresh_from_db()
    assert organization.is_verified and organization.verified_at
    moves = list(
        organization.events.filter(kind="verification").values_list("from_status", "to_status")
    )
    assert moves == [
        ("unverified", "pending"), ("pending", "rejected"), ("rejected", "pending"),
        ("pending", "verified"),
    ]  # fmt: skip
    assert len(mailoutbox) == 3  # asked, rejected, verified (the second ask ran without capture)
    assert "SK buram" in mailoutbox[1].body


def test_verify_and_reject_are_for_platform_staff_only(draft, people):
    organization, owner = draft
    upload(owner, "draf-posyantek")
    owner.post("/api/v1/organizations/draf-posyantek/verification/request/")
    before = snapshot(organization)

    assert (
        owner.post("/api/v1/organizations/draf-posyantek/verification/verify/").status_code == 403
    )
    assert (
        people["stranger"]
        .post("/api/v1/organizations/draf-posyantek/verification/verify/")
        .status_code
        == 404
    )
    no_reason = people["platform"].post(
        "/api/v1/organizations/draf-posyantek/verification/reject/", {"reason": " "}
    )
    assert no_reason.status_code == 400
    assert snapshot(organization) == before


def test_verify_twice_is_409(draft, people):
    _organization, owner = draft
    upload(owner, "draf-posyantek")
    owner.post("/api/v1/organizations/draf-posyantek/verification/request/")
    people["platform"].post("/api/v1/organizations/draf-posyantek/verification/verify/")

    again = people["platform"].post("/api/v1/organizations/draf-posyantek/verification/verify/")

    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"


@pytest.mark.parametrize(
    "content, name, kind",
    [
        (b"just text pretending", "nib.pdf", "nib"),
        (b"MZ\x90\x00 executable", "sk.png", "sk_camat"),
        (PDF, "nib.pdf", "passport"),
    ],
)
def test_document_bad_upload_is_400_and_stores_nothing(draft, content, name, kind):
    _organization, owner = draft

    response = upload(owner, "draf-posyantek", kind=kind, content=content, name=name)

    assert response.status_code == 400
    assert set(response.json()["errors"]) & {"file", "kind"}
    assert not OrganizationDocument.objects.exists()


def test_document_too_large(draft, monkeypatch):
    monkeypatch.setattr("accounts.services.organizations.DOCUMENT_MAX_BYTES", 10)
    _organization, owner = draft

    response = upload(owner, "draf-posyantek")

    assert response.status_code == 400 and "10 MB" in response.json()["errors"]["file"][0]


def test_document_upload_refused_for_manager(people, org):
    response = upload(people["manager"], "posyantek-purwakarta")

    assert response.status_code == 403
    assert not OrganizationDocument.objects.exists()


def test_private_documents_owner_and_staff_only(people, org):
    document = upload(people["owner"], "posyantek-purwakarta", kind="nib").json()
    url = f"/api/v1/organizations/posyantek-purwakarta/documents/{document['id']}/file/"
    assert document["download_url"].endswith(url)

    owner = people["owner"].get(url)
    staff = people["platform"].get(url)

    assert owner.status_code == 200 and b"".join(owner.streaming_content) == PDF
    assert staff.status_code == 200
    assert "attachment" in owner["Content-Disposition"]
    for who in ("manager", "staff", "other_owner", "stranger"):
        assert people[who].get(url).status_code == 404, who
    assert APIClient().get(url).status_code == 401
    assert (
        people["owner"]
        .get(f"/api/v1/organizations/posyantek-lain/documents/{document['id']}/file/")
        .status_code
        == 404
    )


def test_documents_list_hidden_from_managers(people, org):
    upload(people["owner"], "posyantek-purwakarta", kind="nib")

    assert (
        len(people["platform"].get("/api/v1/organizations/posyantek-purwakarta/documents/").json())
        == 1
    )
    assert (
        people["manager"].get("/api/v1/organizations/posyantek-purwakarta/documents/").status_code
        == 403
    )
    verification = people["manager"].get("/api/v1/organizations/posyantek-purwakarta/verification/")
    assert verification.status_code == 200 and verification.json()["documents"] is None


def test_stored_document_name_is_random_and_private(people, org, settings):
    from pathlib import Path

    upload(people["owner"], "posyantek-purwakarta", name="NIB Purwakarta Budi.pdf")

    document = OrganizationDocument.objects.get()
    assert "Budi" not in document.file.name and document.file.name.endswith(".pdf")
    assert Path(document.file.path).is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
