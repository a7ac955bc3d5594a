"""Logging in: the model backend, and the glue that lets django-axes limit failed logins.

Axes counts failures per account (the e-mail address as typed, normalised here so that
"A@x.id" and "a@x.id" are one account) and per client address; either reaching
AXES_FAILURE_LIMIT within AXES_COOLOFF_TIME locks logins out with HTTP 429.
"""

import ipaddress
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.models import UserManager

# Where a login form or API client puts the address: the page's AuthenticationForm posts
# "username", the API's token endpoint takes "email".
USERNAME_KEYS = ("username", "email")


class EmailBackend(ModelBackend):
    """Django's model backend; the user manager looks e-mail addresses up case-insensitively."""


def _first_value(data: Any) -> str | None:
    if not isinstance(data, Mapping):
        return None
    for key in USERNAME_KEYS:
        value = data.get(key)
        if isinstance(value, str):
            return value
    return None


def axes_username(request: HttpRequest | None, credentials: Mapping | None = None) -> str | None:
    """The account a login attempt is for (AXES_USERNAME_CALLABLE): lower-cased, trimmed."""
    value = _first_value(credentials)
    if value is None and request is not None:
        value = _first_value(getattr(request, "data", None)) or _first_value(request.POST)
    if value is None:
        return None
    # Stored in AccessAttempt.username (255 characters; PostgreSQL refuses NUL).
    return UserManager.normalize_email(value.replace("\x00", ""))[:255] or None


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """What a locked-out client gets (AXES_LOCKOUT_CALLABLE): JSON for the API, a page that
    says what to do next for people. Always HTTP 429."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": locked_out_message(), "code": "locked_out"}, status=status)
    return render(request, "accounts/locked_out.html", status=status)


def locked_out_message() -> str:
    return _(
        "Too many failed logins for this account or from this network. Try again in an hour, "
        "or reset your password."
    )


def client_ip(request: HttpRequest) -> str | None:
    """The client's address (AXES_CLIENT_IP_CALLABLE), as DRF's throttles compute it.

    Without proxies (NUM_PROXIES = 0) X-Forwarded-For is ignored: anyone can send it. Behind
    NUM_PROXIES proxies, the entry the outermost of ours appended is the client; entries to its
    left came from the client and are not trusted."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.NUM_PROXIES
    if proxies > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            candidate = addresses[-min(proxies, len(addresses))]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return remote
    return remote
