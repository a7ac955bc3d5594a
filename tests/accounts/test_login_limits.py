"""Failed logins are limited per account and per client address (django-axes), on the login
page and the token API alike; and every way of setting a password revokes the API tokens."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "kata-sandi-rahasia-1"
WRONG = "bukan-sandinya-123"
LIMIT = 3
TOKEN_URL = "/api/v1/auth/token/"
ROOT = Path(__file__).resolve().parents[2]


def api_login(email: str, password: str, ip: str = "192.0.2.1", **extra):
    client = APIClient(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en", **extra)
    return client.post(TOKEN_URL, {"email": email, "password": password})


def page_login(email: str, password: str, ip: str = "192.0.2.1", **extra):
    client = Client(REMOTE_ADDR=ip, **extra)
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


# --- The configured limit ---------------------------------------------------------------------


def test_the_limit_is_at_most_100_failures_per_hour():
    assert 1 <= settings.AXES_FAILURE_LIMIT <= 100
    assert settings.AXES_COOLOFF_TIME == 1  # hour
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]


def test_the_limit_from_the_environment_is_capped_at_100():
    code = "import config.settings.base as s; print(s.AXES_FAILURE_LIMIT)"
    env = {**os.environ, "AXES_FAILURE_LIMIT": "5000", "DJANGO_SETTINGS_MODULE": ""}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "100"


# --- Per account ------------------------------------------------------------------------------


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_account_is_locked_after_the_limit_from_many_addresses():
    user = UserFactory()
    answers = [api_login(user.email, WRONG, ip=f"198.51.100.{n}") for n in range(LIMIT)]

    assert [a.status_code for a in answers] == [400] * (LIMIT - 1) + [429]
    assert answers[-1].json()["code"] == "locked_out" and answers[-1].json()["detail"]
    # Even the right password from yet another address is refused, and no token is made.
    right = api_login(user.email, PASSWORD, ip="203.0.113.50")
    assert right.status_code == 429 and right.json()["code"] == "locked_out"
    assert not Token.objects.exists()
    # Another account from a fresh address is unaffected.
    other = UserFactory()
    assert api_login(other.email, PASSWORD, ip="203.0.113.51").status_code == 200


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_capitalisation_and_spaces_count_as_the_same_account():
    user = UserFactory(email="ani@contoh.id")
    typed = ["ANI@contoh.id", " Ani@Contoh.ID ", "ani@contoh.id"]

    answers = [page_login(email, WRONG, ip=f"198.51.100.{n}") for n, email in enumerate(typed)]

    assert [a.status_code for a in answers] == [400, 400, 429]
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {user.email}
    assert api_login("ani@contoh.id", PASSWORD, ip="203.0.113.9").status_code == 429


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_page_and_api_failures_count_together_and_the_page_says_what_to_do():
    user = UserFactory()
    api_login(user.email, WRONG, ip="198.51.100.1")
    api_login(user.email, WRONG, ip="198.51.100.2")

    locked = page_login(user.email, WRONG, ip="198.51.100.3")
    response = page_login(user.email, PASSWORD, ip="198.51.100.4")

    assert locked.status_code == 429
    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert reverse("accounts:password-reset") in response.content.decode()
    assert "_auth_user_id" not in response.client.session


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_a_success_before_the_limit_starts_the_count_again():
    user = UserFactory()
    for _ in range(LIMIT - 1):
        api_login(user.email, WRONG, ip="198.51.100.1")

    assert api_login(user.email, PASSWORD, ip="198.51.100.1").status_code == 200
    assert api_login(user.email, WRONG, ip="198.51.100.1").status_code == 400


# --- Per address ------------------------------------------------------------------------------


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_address_is_locked_after_the_limit_over_many_accounts():
    victims = [UserFactory() for _ in range(LIMIT)]
    answers = [api_login(v.email, WRONG, ip="198.51.100.7") for v in victims]

    assert [a.status_code for a in answers] == [400] * (LIMIT - 1) + [429]
    fresh = UserFactory()
    assert api_login(fresh.email, PASSWORD, ip="198.51.100.7").status_code == 429
    assert api_login(fresh.email, PASSWORD, ip="198.51.100.8").status_code == 200


@override_settings(AXES_FAILURE_LIMIT=LIMIT, NUM_PROXIES=0)
def test_forwarded_for_is_ignored_without_proxies():
    """A client cannot dodge the per-address limit by inventing X-Forwarded-For."""
    answers = [
        api_login(f"orang{n}@contoh.id", WRONG, ip="198.51.100.9",
                  HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        for n in range(LIMIT)
    ]  # fmt: skip

    assert answers[-1].status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.9"}


@override_settings(AXES_FAILURE_LIMIT=LIMIT, NUM_PROXIES=1)
def test_behind_a_proxy_the_address_it_appended_counts():
    # The proxy (10.0.0.1) appends the client's address; what the client wrote before is ignored.
    answers = [
        api_login(f"orang{n}@contoh.id", WRONG, ip="10.0.0.1",
                  HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.20")
        for n in range(LIMIT)
    ]  # fmt: skip

    assert [a.status_code for a in answers] == [400] * (LIMIT - 1) + [429]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.20"}
    # Another client behind the same proxy is not locked out.
    other = UserFactory()
    fine = api_login(other.email, PASSWORD, ip="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.21")
    assert fine.status_code == 200


# --- Tokens revoked whenever the password changes ---------------------------------------------


def test_tokens_revoked_by_api_password_change():
    user = UserFactory()
    old = Token.objects.create(user=user)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {old.key}")

    response = client.post(
        "/api/v1/auth/password/", {"old_password": PASSWORD, "new_password": "sandi-baru-7-panjang"}
    )

    assert response.status_code == 200
    assert not Token.objects.filter(key=old.key).exists()


def test_tokens_revoked_by_page_password_change(client):
    user = UserFactory()
    Token.objects.create(user=user)
    client.force_login(user)

    client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": "sandi-baru-7-panjang",
         "new_password2": "sandi-baru-7-panjang"},
    )  # fmt: skip

    assert not Token.objects.filter(user=user).exists()


def test_tokens_revoked_by_password_reset(client, mailoutbox, django_capture_on_commit_callbacks):
    user = UserFactory()
    Token.objects.create(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password-reset"), {"email": user.email})
    link = next(
        line for line in mailoutbox[0].body.splitlines() if "/atur-ulang-kata-sandi/" in line
    )
    set_url = client.get(link.strip(), follow=True).redirect_chain[-1][0]

    response = client.post(
        set_url, {"new_password1": "sandi-baru-7-panjang", "new_password2": "sandi-baru-7-panjang"}
    )

    assert response.status_code == 302
    assert not Token.objects.filter(user=user).exists()


@pytest.mark.parametrize("usable", ["true", "false"])
def test_tokens_revoked_by_admin_password_change(client, usable):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    user = UserFactory()
    Token.objects.create(user=user)
    url = reverse("admin:auth_user_password_change", args=[user.pk])

    data = {"usable_password": usable, "password1": "sandi-baru-7-panjang",
            "password2": "sandi-baru-7-panjang"}  # fmt: skip
    if usable == "false":
        data["unset-password"] = "1"  # the admin's "disable password login" button

    response = client.post(url, data)

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.has_usable_password() is (usable == "true")
    if usable == "true":
        assert user.check_password("sandi-baru-7-panjang")
    assert not Token.objects.filter(user=user).exists()


def test_admin_password_change_refuses_a_mismatch_and_keeps_tokens(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    user = UserFactory()
    Token.objects.create(user=user)
    url = reverse("admin:auth_user_password_change", args=[user.pk])

    response = client.post(
        url, {"usable_password": "true", "password1": "sandi-baru-7-panjang", "password2": "x"}
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert Token.objects.filter(user=user).exists()
