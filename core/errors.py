"""Domain errors. Services raise these; the API handler maps them to JSON once.

A message is for people: it says what went wrong and what to do next, and is translatable.
`code` is for programs: stable, snake_case. `fields` carries per-field messages when the error
is about specific inputs.
"""

from typing import ClassVar

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    status_code: ClassVar[int] = 400
    default_message: ClassVar[str] = _("The request could not be completed.")
    default_code: ClassVar[str] = "invalid"

    def __init__(
        self,
        message: str | None = None,
        code: str | None = None,
        *,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        self.code = code or self.default_code
        self.fields = fields or {}
        super().__init__(str(self.message))


class InvalidInput(ApplicationError):
    status_code = 400
    default_message = _("Some of the data you sent is not valid.")
    default_code = "invalid"


class PermissionDenied(ApplicationError):
    status_code = 403
    default_message = _("You do not have permission to do this.")
    default_code = "permission_denied"


class NotFound(ApplicationError):
    status_code = 404
    default_message = _("Not found.")
    default_code = "not_found"


class Conflict(ApplicationError):
    """The request is valid but the current state does not allow it (e.g. an illegal status
    move, stock already taken)."""

    status_code = 409
    default_message = _("This cannot be done in the current state.")
    default_code = "conflict"


class TooManyRequests(ApplicationError):
    """A limit on how often something may be done (e.g. invitations a day) was reached."""

    status_code = 429
    default_message = _("Too many requests. Try again later.")
    default_code = "too_many_requests"
