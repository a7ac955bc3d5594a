"""The two file storages of DESIGN.md.

Use `storages["default"]` (PublicStorage) for files anyone may fetch by URL: product images,
user guides. Use `private_storage()` for everything else: transfer proofs, legal documents,
certificate scans, invoices, exports. Private files get random names, have no URL, and reach
people only through a view that checks permission and calls core.files.private_file_response.
"""

import posixpath
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.functional import cached_property


class PublicStorage(FileSystemStorage):
    """MEDIA_ROOT served at MEDIA_URL (by the web server or WhiteNoise's peer in production)."""


class PrivateStorage(FileSystemStorage):
    """PRIVATE_MEDIA_ROOT, outside anything a web server serves."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        # Never keep the uploader's file name: it may carry personal data and makes names
        # guessable. Keep the folder (from upload_to) and the extension.
        folder, base = posixpath.split(name.replace("\\", "/"))
        extension = posixpath.splitext(base)[1].lower()[:10]
        random_name = posixpath.join(folder, f"{uuid.uuid4().hex}{extension}")
        return super().get_available_name(random_name, max_length=max_length)

    def url(self, name: str | None) -> str:
        raise ValueError(
            "Private files have no URL: serve them from a permission-checked view "
            "with core.files.private_file_response()."
        )


def private_storage() -> Storage:
    """The configured private storage; pass it (the callable) as a FileField's `storage`."""
    return storages["private"]
