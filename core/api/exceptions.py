"""One exception handler for the whole API.

Every error body has the same shape::

    {"detail": "<one sentence for people>", "code": "<stable_code>",
     "errors": {"<field>": ["<message>", ...]}}   # "errors" only when fields are at fault

Domain errors (core.errors.ApplicationError) and Django's own ValidationError, Http404 and
PermissionDenied are mapped here, so a client never sees a 500 for bad input.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ApplicationError


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF error details as {"field.path": [messages]}; general messages under ""."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        items = [
            (f"{prefix}.{key}" if prefix else str(key), value) for key, value in detail.items()
        ]
    elif isinstance(detail, list):
        items = []
        for index, item in enumerate(detail):
            if isinstance(item, (dict, list)):
                items.append((f"{prefix}.{index}" if prefix else str(index), item))
            else:
                out.setdefault(prefix, []).append(force_str(item))
    else:
        return {prefix: [force_str(detail)]}
    for path, value in items:
        for key, messages in _flatten(value, path).items():
            out.setdefault(key, []).extend(messages)
    return out


def _validation_body(detail: Any) -> dict[str, Any]:
    flat = _flatten(detail)
    general = flat.pop("", []) + flat.pop("non_field_errors", [])
    if general:
        message = general[0]
    elif len(flat) == 1:
        field, messages = next(iter(flat.items()))
        message = _("%(field)s: %(message)s") % {"field": field, "message": messages[0]}
    elif flat:
        message = _("Some of the data you sent is not valid. See the errors by field.")
    else:
        message = _("Invalid input.")
    body: dict[str, Any] = {"detail": message, "code": "invalid"}
    if flat:
        body["errors"] = flat
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        body: dict[str, Any] = {"detail": force_str(exc.message), "code": exc.code}
        if exc.fields:
            body["errors"] = {k: [force_str(m) for m in v] for k, v in exc.fields.items()}
        return Response(body, status=exc.status_code)

    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return Response(_validation_body(detail), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # A real bug: let Django log it and answer 500.

    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc.detail)
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        detail = exc.detail
        if isinstance(detail, (list, dict)):
            detail = _validation_body(detail)["detail"]
        response.data = {
            "detail": force_str(detail),
            "code": codes if isinstance(codes, str) else "error",
        }
    return response
