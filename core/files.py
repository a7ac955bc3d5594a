"""Uploaded files: checked by their content (not by their name), and private ones served.

For serving, the caller decides who may see the file; this module makes sure the answer is the
same 404 for "not there" and "not yours", and that browsers neither cache nor sniff what they
get."""

import mimetypes
import posixpath
from typing import IO

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

from core.errors import InvalidInput

PDF = {b"%PDF-": ".pdf"}
SCAN_TYPES = {
    b"%PDF-": ".pdf",
    b"\xff\xd8\xff": ".jpg",
    b"\x89PNG\r\n\x1a\n": ".png",
}


def check_upload(
    file: IO[bytes],
    *,
    field: str,
    types: dict[bytes, str],
    max_bytes: int,
    type_message: str,
    size_message: str,
) -> str:
    """The file's real type by its first bytes; returns the extension to keep. Raises
    InvalidInput (on `field`) if it is too large or not one of `types`."""
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    file.seek(0)
    if size > max_bytes:
        raise InvalidInput(fields={field: [size_message]}, code="file_too_large")
    head = file.read(16)
    file.seek(0)
    for magic, extension in types.items():
        if head.startswith(magic):
            return extension
    raise InvalidInput(fields={field: [type_message]}, code="invalid_file")


def private_file_response(
    file: FieldFile | None, *, allowed: bool, download_name: str | None = None
) -> FileResponse:
    """Stream `file` if `allowed`, else 404 (never 403: do not reveal that the file exists)."""
    if not allowed or not file or not file.name:
        raise Http404
    try:
        handle = file.storage.open(file.name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = download_name or posixpath.basename(file.name)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
