"""Signed, expiring tokens for links sent by e-mail. Nothing is stored: the signature and the
e-mail address inside make a token valid only for that address, and only until it expires."""

from django.conf import settings
from django.core import signing

EMAIL_VERIFICATION_SALT = "accounts.email-verification"


def email_verification_token(user) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=EMAIL_VERIFICATION_SALT)


def read_email_verification_token(token: str) -> dict | None:
    """The payload if the token is genuine and not expired, else None."""
    try:
        return signing.loads(
            token,
            salt=EMAIL_VERIFICATION_SALT,
            max_age=settings.EMAIL_VERIFICATION_MAX_AGE_SECONDS,
        )
    except signing.BadSignature:  # includes SignatureExpired
        return None
