"""The staff verification desk: the queue and the review page, for platform staff only (404
for everyone else), with verify, reject (reason required) and a dinas's jurisdiction."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    Membership,
    Organization,
    OrganizationDocument,
    OrganizationEvent,
    Role,
)
from accounts.services.organizations import organization_update
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
BACKEND = "accounts.backends.EmailBackend"
QUEUE = reverse("staff:verification-queue")


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend=BACKEND)
    return client


def review(slug: str) -> str:
    return reverse("staff:verification-review", args=[slug])


def waiting(slug: str, *, days_ago: int, **fields) -> Organization:
    """A Posyantek that asked for verification `days_ago` days ago, with its SK Camat."""
    organization = OrganizationFactory(slug=slug, verification_status="pending", **fields)
    owner = MembershipFactory(organization=organization, role=Role.OWNER).user
    document = OrganizationDocument(
        organization=organization, kind="sk_camat", original_name="sk.pdf", uploaded_by=owner
    )
    document.file.save("sk_camat.pdf", ContentFile(PDF), save=False)
    document.save()
    asked = OrganizationEvent.objects.create(
        organization=organization,
        kind=OrganizationEvent.Kind.VERIFICATION,
        actor=owner,
        from_status="unverified",
        to_status="pending",
    )
    OrganizationEvent.objects.filter(pk=asked.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )
    organization.refresh_from_db()
    return organization


@pytest.fixture
def desk(regions):
    """Two organisations waiting, a verified one, platform staff, and people who are not."""
    recent = waiting("baru-minta", days_ago=1)
    oldest = waiting("lama-menunggu", days_ago=5)
    verified = OrganizationFactory(slug="sudah-terverifikasi")
    return {
        "recent": recent,
        "oldest": oldest,
        "verified": verified,
        "staff": client_for(UserFactory(is_staff=True)),
        "owner": client_for(Membership.objects.get(organization=oldest).user),
        "user": client_for(UserFactory()),
        "anonymous": Client(),
    }


def snapshot() -> dict:
    return {
        "statuses": sorted(
            Organization.objects.values_list("slug", "verification_status", "verification_note")
        ),
        "jurisdictions": sorted(Organization.objects.values_list("slug", "jurisdiction")),
        "events": OrganizationEvent.objects.count(),
    }


# --- Queue ------------------------------------------------------------------------------------


def test_queue_lists_waiting_organisations_oldest_first(desk):
    response = desk["staff"].get(QUEUE)

    assert response.status_code == 200
    assert [o.slug for o in response.context["page"].object_list] == [
        "lama-menunggu",
        "baru-minta",
    ]
    assert review("lama-menunggu") in response.content.decode()


def test_queue_order_is_kept_when_a_waiting_organisation_edits_its_profile(desk):
    owner = Membership.objects.get(organization=desk["oldest"]).user
    organization_update(organization=desk["oldest"], actor=owner, data={"address": "Jl. Baru 1"})

    response = desk["staff"].get(QUEUE)

    assert response.context["page"].object_list[0].slug == "lama-menunggu"


@pytest.mark.parametrize("who", ["anonymous", "user", "owner"])
def test_queue_is_404_for_everyone_but_platform_staff(desk, who):
    assert desk[who].get(QUEUE).status_code == 404


def test_inactive_staff_user_is_not_platform_staff(desk):
    inactive = UserFactory(is_staff=True)
    client = client_for(inactive)
    inactive.is_active = False
    inactive.save()

    assert client.get(QUEUE).status_code == 404  # logged out, never the desk


def test_queue_query_count_does_not_grow(desk, django_assert_max_num_queries):
    for number in range(10):
        waiting(f"antre-{number}", days_ago=2)

    with django_assert_max_num_queries(6):  # session, user, count, page, documents
        response = desk["staff"].get(QUEUE)
    assert len(response.context["page"].object_list) == 12


# --- Review -----------------------------------------------------------------------------------


def test_review_shows_details_documents_and_decision(desk):
    document = desk["oldest"].documents.get()

    response = desk["staff"].get(review("lama-menunggu"))

    content = response.content.decode()
    assert response.status_code == 200
    assert reverse("organizations:document", args=["lama-menunggu", document.pk]) in content
    assert 'value="verify"' in content and 'name="reject-reason"' in content
    assert response.context["missing_documents"] == []


def test_review_of_a_verified_organisation_has_no_decision_buttons(desk):
    response = desk["staff"].get(review("sudah-terverifikasi"))

    assert response.status_code == 200
    assert 'value="verify"' not in response.content.decode()


def test_staff_downloads_a_document_from_the_review(desk):
    document = desk["oldest"].documents.get()
    path = reverse("organizations:document", args=["lama-menunggu", document.pk])

    response = desk["staff"].get(path)

    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert desk["user"].get(path).status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "user", "owner"])
def test_review_is_404_for_everyone_but_platform_staff(desk, who):
    before = snapshot()

    assert desk[who].get(review("lama-menunggu")).status_code == 404
    assert desk[who].post(review("lama-menunggu"), {"action": "verify"}).status_code == 404
    assert (
        desk[who]
        .post(review("lama-menunggu"), {"action": "reject", "reject-reason": "Tidak jelas"})
        .status_code
        == 404
    )
    assert snapshot() == before


def test_review_unknown_organisation_is_404(desk):
    assert desk["staff"].get(review("tidak-ada")).status_code == 404


def test_verify(desk, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = desk["staff"].post(review("lama-menunggu"), {"action": "verify"})

    assert response.status_code == 302 and response.url == QUEUE
    organization = Organization.objects.get(slug="lama-menunggu")
    assert organization.is_verified and organization.verified_at
    event = organization.events.filter(kind="verification").last()
    assert (event.from_status, event.to_status) == ("pending", "verified")
    owner = Membership.objects.get(organization=organization).user
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [owner.email]
    assert "lama-menunggu" not in [
        o.slug for o in desk["staff"].get(QUEUE).context["page"].object_list
    ]


def test_reject_with_a_reason(desk, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = desk["staff"].post(
            review("lama-menunggu"), {"action": "reject", "reject-reason": "SK buram"}
        )

    assert response.status_code == 302
    organization = Organization.objects.get(slug="lama-menunggu")
    assert organization.verification_status == "rejected"
    assert organization.verification_note == "SK buram"
    assert organization.events.filter(kind="verification", to_status="rejected").exists()
    assert len(mailoutbox) == 1 and "SK buram" in mailoutbox[0].body
    # The owner sees why, on the organisation's verification page.
    page = desk["owner"].get(reverse("organizations:verification", args=["lama-menunggu"]))
    assert "SK buram" in page.content.decode()


@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_needs_a_reason(desk, mailoutbox, django_capture_on_commit_callbacks, reason):
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        response = desk["staff"].post(
            review("lama-menunggu"), {"action": "reject", "reject-reason": reason}
        )

    assert response.status_code == 400
    assert response.context["reject_form"].errors["reason"]
    assert snapshot() == before and mailoutbox == []


def test_verify_or_reject_what_is_not_waiting_is_409(desk):
    before = snapshot()

    verify = desk["staff"].post(review("sudah-terverifikasi"), {"action": "verify"})
    reject = desk["staff"].post(
        review("sudah-terverifikasi"), {"action": "reject", "reject-reason": "Salah"}
    )

    assert verify.status_code == 409 and verify.context["error"]
    assert reject.status_code == 409 and reject.context["reject_form"].errors
    assert snapshot() == before


def test_unknown_action_is_400(desk):
    before = snapshot()

    response = desk["staff"].post(review("lama-menunggu"), {"action": "delete"})

    assert response.status_code == 400 and response.context["error"]
    assert snapshot() == before


# --- Jurisdiction of a dinas ------------------------------------------------------------------


@pytest.fixture
def dinas(desk):
    return OrganizationFactory(
        kind="government", slug="dpmpd-kaltim", code="DPKT", posyantek_level="",
        district_id="64.72.03",
    )  # fmt: skip


def test_staff_sets_a_dinas_jurisdiction_with_the_picker(desk, dinas):
    page = desk["staff"].get(review("dpmpd-kaltim"))
    assert 'name="jurisdiction-region_province"' in page.content.decode()
    assert "js/region-picker.js" in page.content.decode()

    province = desk["staff"].post(
        review("dpmpd-kaltim"),
        {"action": "jurisdiction", "jurisdiction-region_province": "64"},
    )
    dinas.refresh_from_db()
    assert province.status_code == 302 and dinas.jurisdiction == "64"

    regency = desk["staff"].post(
        review("dpmpd-kaltim"),
        {
            "action": "jurisdiction",
            "jurisdiction-region_province": "64",
            "jurisdiction-region_regency": "64.72",
        },
    )
    dinas.refresh_from_db()
    assert regency.status_code == 302 and dinas.jurisdiction == "64.72"
    assert dinas.events.filter(kind="jurisdiction_set").count() == 2


@pytest.mark.parametrize(
    "data",
    [
        {"jurisdiction-region_province": "99"},
        {"jurisdiction-region_province": ""},
        {},
    ],
)
def test_bad_jurisdiction_is_400(desk, dinas, data):
    before = snapshot()

    response = desk["staff"].post(review("dpmpd-kaltim"), {"action": "jurisdiction", **data})

    assert response.status_code == 400
    assert response.context["jurisdiction_form"].errors["region"]
    assert snapshot() == before


def test_jurisdiction_only_for_a_government_organisation(desk):
    before = snapshot()

    page = desk["staff"].get(review("sudah-terverifikasi"))
    response = desk["staff"].post(
        review("sudah-terverifikasi"),
        {"action": "jurisdiction", "jurisdiction-region_province": "36"},
    )

    assert 'name="jurisdiction-region_province"' not in page.content.decode()
    assert response.status_code == 400
    assert snapshot() == before


def test_only_platform_staff_see_the_desk_in_the_header(desk):
    staff_home = desk["staff"].get("/").content.decode()
    other_home = desk["owner"].get("/").content.decode()

    assert f'href="{QUEUE}"' in staff_home
    assert f'href="{QUEUE}"' not in other_home
    assert f'href="{QUEUE}"' not in desk["anonymous"].get("/").content.decode()
