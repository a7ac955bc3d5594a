"""People: sign-up, e-mail verification, passwords and profiles.

Pages, the API and the admin call these. Every function validates what it is given and raises
InvalidInput (messages by field) rather than letting bad input reach the database.
"""

from django.contrib.auth import password_validation
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authtoken.models import Token

from accounts.models import User, UserManager
from accounts.tasks import send_email_verification
from accounts.tokens import read_email_verification_token
from config.celery_app import dispatch_on_commit
from core.errors import ApplicationError, Conflict, InvalidInput

# One verification e-mail per account per this many seconds, however often "resend" is pressed.
VERIFICATION_RESEND_INTERVAL_SECONDS = 60


class TooSoon(ApplicationError):
    status_code = 429
    default_message = gettext_lazy("Please wait a minute before asking again.")
    default_code = "too_soon"


def _clean_name(name: str) -> str:
    return " ".join((name or "").split())


def _invalid(error: ValidationError) -> InvalidInput:
    """A Django ValidationError as InvalidInput, keeping the messages by field."""
    if hasattr(error, "error_dict"):
        fields = {field: list(messages) for field, messages in error.message_dict.items()}
    else:
        fields = {"non_field_errors": error.messages}
    return InvalidInput(fields=fields)


def password_check(*, user: User, password: str, field: str = "password") -> None:
    """Apply AUTH_PASSWORD_VALIDATORS for this user; InvalidInput with messages under `field`."""
    if not password:
        raise InvalidInput(fields={field: [_("Choose a password.")]})
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput(fields={field: error.messages}) from None


def _email_taken() -> InvalidInput:
    return InvalidInput(
        _("An account with this e-mail address already exists. Log in, or reset the password."),
        code="email_taken",
        fields={"email": [_("An account with this e-mail address already exists.")]},
    )


def user_register(*, email: str, name: str, password: str, phone: str = "") -> User:
    """Create an account that can log in at once; its e-mail address is not yet verified.

    A verification e-mail is queued after commit. Raises InvalidInput (by field) for a bad
    address, name, phone or password, and code `email_taken` when the address is in use in
    any capitalisation.
    """
    user = User(
        email=UserManager.normalize_email(email),
        name=_clean_name(name),
        phone=(phone or "").strip(),
    )
    try:
        # Unique checks are ours, below: the message should say what to do next.
        user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise _invalid(error) from None
    if User.objects.filter(email__iexact=user.email).exists():
        raise _email_taken()
    password_check(user=user, password=password)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            dispatch_on_commit(send_email_verification, user.pk)
    except IntegrityError:  # the same address signed up a moment ago
        raise _email_taken() from None
    return user


@transaction.atomic
def user_verify_email(*, token: str) -> User:
    """Mark the address in the token as verified. Idempotent: a second use of a valid token
    changes nothing. Raises InvalidInput (code `invalid_token`) for a forged or expired token,
    or one for an address the account no longer has."""
    payload = read_email_verification_token(token or "")
    user = None
    if isinstance(payload, dict):
        user = (
            User.objects.select_for_update()
            .filter(pk=payload.get("user"), email=payload.get("email"), is_active=True)
            .first()
        )
    if user is None:
        raise InvalidInput(
            _("This confirmation link is not valid or has expired. Ask for a new one."),
            code="invalid_token",
            fields={"token": [_("Not valid or expired.")]},
        )
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


def user_resend_verification(*, user: User) -> None:
    """Queue another verification e-mail. Conflict if the address is already verified;
    TooSoon if one was sent less than a minute ago."""
    if user.is_email_verified:
        raise Conflict(_("Your e-mail address is already confirmed."), code="already_verified")
    if not cache.add(
        f"accounts:verification-resend:{user.pk}", True, VERIFICATION_RESEND_INTERVAL_SECONDS
    ):
        raise TooSoon(
            _("We sent you an e-mail less than a minute ago. Check your inbox and spam folder.")
        )
    dispatch_on_commit(send_email_verification, user.pk)


@transaction.atomic
def user_set_password(*, user: User, password: str | None) -> User:
    """Set a new password (None: no usable password) and revoke every API token of the user.

    The caller has validated the password. Existing sessions end because the session hash
    changes; a view that keeps the current one calls update_session_auth_hash."""
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    Token.objects.filter(user=user).delete()
    return user


@transaction.atomic
def user_update_profile(*, user: User, name: str, phone: str) -> User:
    """Change the name and phone/WhatsApp (normalised to 62…). Raises InvalidInput by field."""
    user.name = _clean_name(name)
    user.phone = (phone or "").strip()
    try:
        user.full_clean(
            exclude=["password", "email"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        user.refresh_from_db(fields=["name", "phone"])
        raise _invalid(error) from None
    user.save(update_fields=["name", "phone"])
    return user


def user_token_issue(*, user: User) -> Token:
    """The user's API token, created if there is none."""
    token, _created = Token.objects.get_or_create(user=user)
    return token


def user_token_revoke(*, user: User) -> int:
    """Delete the user's API token(s): clients using them must log in again."""
    deleted, _detail = Token.objects.filter(user=user).delete()
    return deleted
