"""The people API (`/api/v1/auth/`): every endpoint with success, anonymous and bad input —
asserting the body and that nothing changed in the database."""

import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Role, User
from accounts.tokens import email_verification_token
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "kata-sandi-rahasia-1"
VERIFY_LINK = re.compile(r"/akun/verifikasi-email/([^/\s]+)/")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The resend limit lives in the cache; primary keys repeat between tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anon() -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="192.0.2.10")


def client_for(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="192.0.2.11")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def users_snapshot() -> list[tuple]:
    return list(
        User.objects.order_by("pk").values_list(
            "pk", "email", "name", "phone", "password", "email_verified_at", "last_login"
        )
    )


# --- register/ --------------------------------------------------------------------------------


def test_register_creates_an_unverified_account_and_mails_the_link(
    anon, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = anon.post(
            "/api/v1/auth/register/",
            {
                "email": " Siti.Rahma@Contoh.ID ",
                "name": "  Siti   Rahma ",
                "password": PASSWORD,
                "phone": "0812-3456-7890",
            },
        )

    assert response.status_code == 201, response.json()
    body = response.json()
    user = User.objects.get()
    assert body == {
        "id": user.pk,
        "email": "siti.rahma@contoh.id",
        "name": "Siti Rahma",
        "phone": "6281234567890",
        "email_verified": False,
        "date_joined": body["date_joined"],
    }
    assert "password" not in body and "token" not in body
    assert user.check_password(PASSWORD) and user.email_verified_at is None
    assert not Token.objects.exists()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["siti.rahma@contoh.id"]
    assert VERIFY_LINK.search(mailoutbox[0].body)


def test_register_then_verify_then_log_in(anon, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        anon.post(
            "/api/v1/auth/register/",
            {"email": "budi@contoh.id", "name": "Budi", "password": PASSWORD},
        )
    token = VERIFY_LINK.search(mailoutbox[0].body).group(1)

    verified = anon.post("/api/v1/auth/verify-email/", {"token": token})
    again = anon.post("/api/v1/auth/verify-email/", {"token": token})
    login = anon.post("/api/v1/auth/token/", {"email": "BUDI@contoh.id", "password": PASSWORD})

    assert verified.status_code == 200 and verified.json()["email_verified"] is True
    assert again.status_code == 200  # idempotent
    user = User.objects.get()
    assert user.email_verified_at is not None
    assert login.status_code == 200
    assert login.json() == {"token": Token.objects.get(user=user).key}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "bukan-email", "name": "Ani", "password": PASSWORD}, "email"),
        ({"email": "ani@contoh.id", "name": "Ani", "password": "12345678"}, "password"),
        ({"email": "ani@contoh.id", "name": "Ani", "password": "ani@contoh.id"}, "password"),
        ({"email": "ani@contoh.id", "name": "Ani", "password": "pendek"}, "password"),
        ({"email": "ani@contoh.id", "name": "   ", "password": PASSWORD}, "name"),
        ({"email": "ani@contoh.id", "password": PASSWORD}, "name"),
        ({"email": "ani@contoh.id", "name": "Ani", "password": PASSWORD, "phone": "123"}, "phone"),
        ({"email": "ani@contoh.id", "name": "A" * 151, "password": PASSWORD}, "name"),
    ],
)
def test_register_refuses_bad_input_by_field(anon, mailoutbox, data, field):
    response = anon.post("/api/v1/auth/register/", data)

    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"][field] and body["detail"]
    assert not User.objects.exists() and not mailoutbox


def test_register_refuses_an_address_in_use_in_any_capitalisation(anon, user, mailoutbox):
    before = users_snapshot()

    response = anon.post(
        "/api/v1/auth/register/",
        {"email": user.email.upper(), "name": "Lagi", "password": PASSWORD},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "email_taken"
    assert "email" in response.json()["errors"]
    assert users_snapshot() == before and not mailoutbox


@pytest.mark.parametrize(
    "body", ['["a", "b"]', "not json", '{"email": 5, "name": [], "password": {}}']
)
def test_register_malformed_bodies_are_400_not_500(anon, body):
    response = anon.post("/api/v1/auth/register/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"]
    assert not User.objects.exists()


# --- verify-email/ ----------------------------------------------------------------------------


def test_verify_email_refuses_bad_and_expired_tokens(anon, settings):
    user = UserFactory(email_verified_at=None)
    good = email_verification_token(user)

    forged = anon.post("/api/v1/auth/verify-email/", {"token": good[:-2] + "xx"})
    missing = anon.post("/api/v1/auth/verify-email/", {})
    settings.EMAIL_VERIFICATION_MAX_AGE_SECONDS = -1
    expired = anon.post("/api/v1/auth/verify-email/", {"token": good})

    assert forged.status_code == 400 and forged.json()["code"] == "invalid_token"
    assert missing.status_code == 400 and "token" in missing.json()["errors"]
    assert expired.status_code == 400 and expired.json()["code"] == "invalid_token"
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_verify_email_token_stops_working_when_the_address_changes(anon):
    user = UserFactory(email="lama@contoh.id", email_verified_at=None)
    token = email_verification_token(user)
    User.objects.filter(pk=user.pk).update(email="baru@contoh.id")

    response = anon.post("/api/v1/auth/verify-email/", {"token": token})

    assert response.status_code == 400 and response.json()["code"] == "invalid_token"
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_verify_email_keeps_the_first_verification_time(anon):
    first = timezone.now() - timezone.timedelta(days=3)
    user = UserFactory(email_verified_at=first)

    response = anon.post("/api/v1/auth/verify-email/", {"token": email_verification_token(user)})

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email_verified_at == first


# --- verify-email/resend/ ---------------------------------------------------------------------


def test_resend_sends_once_a_minute(mailoutbox, django_capture_on_commit_callbacks):
    client = client_for(UserFactory(email="ani@contoh.id", email_verified_at=None))

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/api/v1/auth/verify-email/resend/")
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post("/api/v1/auth/verify-email/resend/")

    assert first.status_code == 202
    assert second.status_code == 429 and second.json()["code"] == "too_soon"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["ani@contoh.id"]


def test_resend_refuses_anonymous_and_verified(anon, user, mailoutbox):
    anonymous = anon.post("/api/v1/auth/verify-email/resend/")
    verified = client_for(user).post("/api/v1/auth/verify-email/resend/")

    assert anonymous.status_code == 401
    assert verified.status_code == 409 and verified.json()["code"] == "already_verified"
    assert not mailoutbox


# --- token/ -----------------------------------------------------------------------------------


def test_token_for_good_credentials_records_the_login(anon, user):
    response = anon.post("/api/v1/auth/token/", {"email": user.email.upper(), "password": PASSWORD})

    assert response.status_code == 200
    token = Token.objects.get(user=user)
    assert response.json() == {"token": token.key}
    user.refresh_from_db()
    assert user.last_login is not None
    me = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}").get("/api/v1/auth/me/")
    assert me.status_code == 200 and me.json()["email"] == user.email


def test_token_is_the_same_on_a_second_login(anon, user):
    first = anon.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD})
    second = anon.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD})

    assert first.json()["token"] == second.json()["token"]
    assert Token.objects.count() == 1


@pytest.mark.parametrize(
    "credentials",
    [
        {"email": "pengguna@contoh.id", "password": "salah-sekali-123"},
        {"email": "tidak-ada@contoh.id", "password": PASSWORD},
    ],
)
def test_token_refuses_wrong_credentials_without_saying_which(anon, credentials):
    UserFactory(email="pengguna@contoh.id")
    before = users_snapshot()

    response = anon.post("/api/v1/auth/token/", credentials)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert "wrong" in response.json()["detail"]
    assert not Token.objects.exists() and users_snapshot() == before


def test_token_refuses_an_inactive_account(anon):
    user = UserFactory(is_active=False)

    response = anon.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD})

    assert response.status_code == 400 and response.json()["code"] == "invalid_credentials"
    assert not Token.objects.exists()


@pytest.mark.parametrize(
    "data", [{}, {"email": "bukan-email", "password": PASSWORD}, {"email": "a@contoh.id"}]
)
def test_token_refuses_malformed_input(anon, data):
    response = anon.post("/api/v1/auth/token/", data)

    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert response.json()["errors"]
    assert not Token.objects.exists()


def test_token_delete_logs_out(user):
    client = client_for(user)

    response = client.delete("/api/v1/auth/token/")
    after = client.get("/api/v1/auth/me/")

    assert response.status_code == 204
    assert not Token.objects.filter(user=user).exists()
    assert after.status_code == 401


def test_token_delete_needs_a_login(anon, user):
    Token.objects.create(user=user)

    response = anon.delete("/api/v1/auth/token/")

    assert response.status_code == 401
    assert Token.objects.filter(user=user).exists()


# --- me/ --------------------------------------------------------------------------------------


def test_me_shows_the_account_and_its_memberships(user, regions):
    org = OrganizationFactory(name="Posyantek Purwakarta", slug="pwk", code="PWK")
    MembershipFactory(user=user, organization=org, role=Role.MANAGER)

    response = client_for(user).get("/api/v1/auth/me/")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == user.pk and body["email"] == user.email
    assert body["email_verified"] is True
    assert body["memberships"] == [
        {
            "organization": {
                "slug": "pwk",
                "name": "Posyantek Purwakarta",
                "code": "PWK",
                "kind": "posyantek",
                "verification_status": "verified",
            },
            "role": "manager",
        }
    ]


def test_me_costs_the_same_queries_for_many_memberships(
    user, regions, django_assert_max_num_queries
):
    client = client_for(user)
    for _ in range(5):
        MembershipFactory(user=user)

    with django_assert_max_num_queries(2):  # the token with its user; the memberships
        response = client.get("/api/v1/auth/me/")

    assert response.status_code == 200 and len(response.json()["memberships"]) == 5


def test_me_needs_a_login(anon):
    assert anon.get("/api/v1/auth/me/").status_code == 401
    assert anon.patch("/api/v1/auth/me/", {"name": "X"}).status_code == 401


def test_me_patch_changes_name_and_phone(user):
    response = client_for(user).patch(
        "/api/v1/auth/me/", {"name": " Dewi  Lestari ", "phone": "+62 812 3456 7890"}
    )

    assert response.status_code == 200
    assert response.json()["name"] == "Dewi Lestari"
    assert response.json()["phone"] == "6281234567890"
    user.refresh_from_db()
    assert (user.name, user.phone) == ("Dewi Lestari", "6281234567890")


def test_me_patch_can_clear_the_phone(user):
    User.objects.filter(pk=user.pk).update(phone="6281234567890")

    response = client_for(user).patch("/api/v1/auth/me/", {"phone": ""})

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.phone == ""


@pytest.mark.parametrize("body", ['[{"name": "X"}]', '"X"', "not json"])
def test_me_patch_malformed_bodies_are_400_not_500(user, body):
    before = users_snapshot()

    response = client_for(user).patch("/api/v1/auth/me/", body, content_type="application/json")

    assert response.status_code == 400 and response.json()["detail"]
    assert users_snapshot() == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"email": "lain@contoh.id"}, "email"),
        ({"email_verified": False}, "email_verified"),
    ],
)
def test_me_patch_refuses_bad_input(user, data, field):
    before = users_snapshot()

    response = client_for(user).patch("/api/v1/auth/me/", data)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert users_snapshot() == before


# --- password/ --------------------------------------------------------------------------------


def test_password_change_revokes_tokens_and_returns_a_new_one(user):
    client = client_for(user)
    old_key = Token.objects.get(user=user).key

    response = client.post(
        "/api/v1/auth/password/",
        {"old_password": PASSWORD, "new_password": "sandi-baru-yang-panjang-7"},
    )

    assert response.status_code == 200
    new_key = response.json()["token"]
    assert new_key != old_key
    assert list(Token.objects.filter(user=user).values_list("key", flat=True)) == [new_key]
    user.refresh_from_db()
    assert user.check_password("sandi-baru-yang-panjang-7")
    assert client.get("/api/v1/auth/me/").status_code == 401  # the old token is gone
    fresh = APIClient(HTTP_AUTHORIZATION=f"Token {new_key}")
    assert fresh.get("/api/v1/auth/me/").status_code == 200


def test_password_change_by_session_keeps_the_session(user):
    client = APIClient()
    client.force_login(user)
    Token.objects.create(user=user)

    response = client.post(
        "/api/v1/auth/password/",
        {"old_password": PASSWORD, "new_password": "sandi-baru-yang-panjang-7"},
    )

    assert response.status_code == 200
    assert client.get("/api/v1/auth/me/").status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"old_password": "salah-sekali", "new_password": "sandi-baru-panjang-7"}, "old_password",
         "wrong_password"),
        ({"old_password": PASSWORD, "new_password": "12345678"}, "new_password", "invalid"),
        ({"old_password": PASSWORD, "new_password": "pendek"}, "new_password", "invalid"),
        ({"old_password": PASSWORD}, "new_password", "invalid"),
    ],
)  # fmt: skip
def test_password_change_refuses_bad_input(user, data, field, code):
    client = client_for(user)
    before = users_snapshot()
    token_before = Token.objects.get(user=user).key

    response = client.post("/api/v1/auth/password/", data)

    assert response.status_code == 400
    assert response.json()["code"] == code and field in response.json()["errors"]
    assert users_snapshot() == before
    assert Token.objects.get(user=user).key == token_before


def test_password_change_needs_a_login(anon, user):
    before = users_snapshot()

    response = anon.post(
        "/api/v1/auth/password/",
        {"old_password": PASSWORD, "new_password": "sandi-baru-yang-panjang-7"},
    )

    assert response.status_code == 401
    assert users_snapshot() == before
