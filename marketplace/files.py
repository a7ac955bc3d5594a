"""Checking uploads by their content, not by their name."""

from typing import IO

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
