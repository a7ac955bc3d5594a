"""Bahasa Indonesia first, English on request; the compiled catalogues are committed and
match their sources."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db
LOCALE = Path(settings.LOCALE_PATHS[0])


@pytest.mark.smoke
def test_home_is_in_indonesian_even_for_an_english_phone(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="id">' in html
    assert "Teknologi tepat guna dari Posyantek, untuk seluruh Indonesia" in html
    assert "Untuk siapa?" in html


def test_language_switch_to_english_sticks(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302

    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Appropriate technology from Posyantek, for all of Indonesia" in html
    assert "Who is it for?" in html


def test_unknown_language_cookie_falls_back_to_indonesian(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"

    assert '<html lang="id">' in client.get("/").content.decode()


@pytest.mark.urls("tests.core.urls_api_frame")
def test_api_messages_follow_accept_language(api_client):
    english = api_client.post("/api/v1/test/echo/", HTTP_ACCEPT_LANGUAGE="en")
    indonesian = api_client.post("/api/v1/test/echo/", HTTP_ACCEPT_LANGUAGE="id")
    default = api_client.post("/api/v1/test/echo/")

    assert english.json()["detail"] == "Authentication credentials were not provided."
    assert indonesian.json()["detail"] != english.json()["detail"]
    assert default.json()["detail"] == indonesian.json()["detail"]


@pytest.mark.parametrize("language", ["id", "en"])
def test_compiled_catalogue_is_committed_and_up_to_date(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    mo_path = LOCALE / language / "LC_MESSAGES" / "django.mo"
    assert mo_path.exists(), "run `make messages` (or manage.py compile_translations)"
    # Keyed by context too: the same msgid may be translated differently in a context.
    mo = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in polib.mofile(str(mo_path))}

    for entry in po.translated_entries():
        key = (entry.msgctxt, entry.msgid)
        assert mo.get(key) == entry.msgstr, f"stale .mo for {entry.msgid!r}"


def test_every_indonesian_string_is_translated():
    po = polib.pofile(str(LOCALE / "id" / "LC_MESSAGES" / "django.po"))

    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
