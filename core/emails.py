"""E-mail: one way to send a message built from templates, in the recipient's language.

Templates come in pairs, `<name>_subject.txt` and `<name>_body.txt`. Every message to a member
of the other party carries a WhatsApp link where one exists (DESIGN.md).
"""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation


def templated_email(
    *,
    to: list[str],
    template: str,
    context: dict[str, Any],
    language: str | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (),
) -> EmailMessage:
    """The message, rendered but not sent (for a caller that claims before sending); each
    attachment is (file name, content, MIME type)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}_body.txt", context)
    message = EmailMessage(subject=subject, body=body, to=to)
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def send_templated_email(
    *, to: list[str], template: str, context: dict[str, Any], language: str | None = None
) -> int:
    """Render and send. Returns the number of messages sent (0 or 1)."""
    return templated_email(to=to, template=template, context=context, language=language).send()
