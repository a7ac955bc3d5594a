"""E-mails of the accounts app. Each task takes ids, loads fresh rows, and sends one message;
running it twice sends a second copy of the same message, never anything wrong."""

from celery import shared_task
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Invitation, OrganizationEvent, User
from accounts.tokens import email_verification_token
from core.emails import send_templated_email

RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


def absolute(path: str) -> str:
    from django.conf import settings

    return f"{settings.SITE_URL}{path}"


@shared_task(**RETRY)
def send_email_verification(user_id: int) -> None:
    user = User.objects.filter(pk=user_id, email_verified_at__isnull=True).first()
    if user is None:
        return  # already verified, or gone
    link = absolute(reverse("accounts:verify-email", args=[email_verification_token(user)]))
    send_templated_email(
        to=[user.email],
        template="accounts/email/verify_email",
        context={"user": user, "link": link},
    )


@shared_task(**RETRY)
def send_password_reset(user_id: int) -> None:
    """A link to choose a new password. The token is made here, from the account as it is now,
    so a password changed meanwhile already invalidates it."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    send_templated_email(
        to=[user.email],
        template="accounts/email/password_reset",
        context={
            "user": user,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


@shared_task(**RETRY)
def send_invitation(invitation_id: int) -> None:
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(pk=invitation_id, status=Invitation.Status.PENDING)
        .first()
    )
    if invitation is None:
        return
    link = absolute(reverse("organizations:invitation", args=[invitation.token]))
    send_templated_email(
        to=[invitation.email],
        template="accounts/email/invitation",
        context={"invitation": invitation, "link": link},
    )


@shared_task(**RETRY)
def send_verification_result(event_id: int) -> None:
    """Tell the organisation's owners how its verification went (asked, verified, rejected)."""
    event = (
        OrganizationEvent.objects.select_related("organization")
        .filter(pk=event_id, kind=OrganizationEvent.Kind.VERIFICATION)
        .first()
    )
    if event is None:
        return
    organization = event.organization
    owners = list(
        organization.memberships.filter(role="owner", user__is_active=True).values_list(
            "user__email", flat=True
        )
    )
    if not owners:
        return
    link = absolute(reverse("organizations:verification", args=[organization.slug]))
    send_templated_email(
        to=owners,
        template="accounts/email/verification_status",
        context={"organization": organization, "event": event, "link": link},
    )


@shared_task(**RETRY)
def send_payout_account_changed(event_id: int) -> None:
    """Tell every owner that the payout account changed, and by whom: a stolen login must not
    be able to redirect the money unnoticed."""
    event = (
        OrganizationEvent.objects.select_related("organization", "actor")
        .filter(pk=event_id, kind=OrganizationEvent.Kind.PROFILE_CHANGED)
        .first()
    )
    if event is None:
        return
    organization = event.organization
    owners = list(
        organization.memberships.filter(role="owner", user__is_active=True).values_list(
            "user__email", flat=True
        )
    )
    if not owners:
        return
    link = absolute(reverse("organizations:detail", args=[organization.slug]))
    send_templated_email(
        to=owners,
        template="accounts/email/payout_account_changed",
        context={"organization": organization, "event": event, "link": link},
    )
