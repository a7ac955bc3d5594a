"""E-mail: one way to send a message built from templates, in the recipient's language.

Templates come in pairs, `<name>_subject.txt` and `<name>_body.txt`. Every message to a member
of the other party carries a WhatsApp link where one exists (DESIGN.md).
"""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation


def send_templated_email(
    *, to: list[str], template: str, context: dict[str, Any], language: str | None = None
) -> int:
    """Render and send. Returns the number of messages sent (0 or 1)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}_body.txt", context)
    return EmailMessage(subject=subject, body=body, to=to).send()
