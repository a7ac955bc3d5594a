"""Serving private files. The caller decides who may see the file; this module makes sure the
answer is the same 404 for "not there" and "not yours", and that browsers neither cache nor
sniff what they get."""

import mimetypes
import posixpath

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


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
