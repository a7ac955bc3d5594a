"""Form helpers shared by the apps' pages."""

from collections.abc import Mapping

from django import forms

from core.errors import ApplicationError


def apply_service_errors(
    form: forms.Form, error: ApplicationError, *, aliases: Mapping[str, str] | None = None
) -> None:
    """Show a service's error on the form: by field where the form has that field (`aliases`
    maps a service's field name to the form's, e.g. "district" → "place"), otherwise — and
    always when no field is named — at the top of the form."""
    placed = False
    for field, messages in error.fields.items():
        name = (aliases or {}).get(field, field)
        for message in messages:
            form.add_error(name if name in form.fields else None, str(message))
            placed = True
    if not placed:
        form.add_error(None, str(error.message))
