from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404

from core.files import private_file_response
from core.storages import private_storage


class StoredFile:
    """The parts of a FieldFile that private_file_response uses."""

    def __init__(self, storage, name):
        self.storage, self.name = storage, name

    def __bool__(self):
        return bool(self.name)


def test_private_files_get_random_names_in_the_private_root(settings):
    storage = private_storage()

    name = storage.save("proofs/Bukti Transfer Budi.jpg", ContentFile(b"x"))

    assert name.startswith("proofs/") and name.endswith(".jpg")
    assert "Budi" not in name
    assert Path(storage.path(name)).is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert storage.save("proofs/Bukti Transfer Budi.jpg", ContentFile(b"y")) != name


def test_private_files_have_no_url():
    storage = private_storage()
    name = storage.save("documents/nib.pdf", ContentFile(b"%PDF-1.4"))

    with pytest.raises(ValueError, match="no URL"):
        storage.url(name)


def test_private_root_is_not_under_the_public_root(settings):
    assert not Path(settings.PRIVATE_MEDIA_ROOT).is_relative_to(Path(settings.MEDIA_ROOT))


def test_public_files_have_a_media_url():
    name = default_storage.save("products/foto.jpg", ContentFile(b"x"))

    assert default_storage.url(name) == f"/media/{name}"


def test_private_file_response_streams_when_allowed():
    storage = private_storage()
    name = storage.save("documents/sk-camat.pdf", ContentFile(b"%PDF-1.4 isi"))

    response = private_file_response(
        StoredFile(storage, name), allowed=True, download_name="sk.pdf"
    )

    assert b"".join(response.streaming_content) == b"%PDF-1.4 isi"
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="sk.pdf"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "allowed, name", [(False, "documents/x.pdf"), (True, "documents/gone.pdf")]
)
def test_private_file_response_is_404_when_not_allowed_or_missing(allowed, name):
    storage = private_storage()
    storage.save("documents/x.pdf", ContentFile(b"rahasia"))

    with pytest.raises(Http404):
        private_file_response(StoredFile(storage, name), allowed=allowed)
