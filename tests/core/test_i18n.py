"""Danish first and complete; English one click away."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "bibliotal"
PO = PACKAGE / "locale" / "da" / "LC_MESSAGES" / "django.po"


def test_every_danish_entry_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []


def test_the_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(PO))
    mo = polib.mofile(str(PO.with_suffix(".mo")))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    for entry in po.translated_entries():
        assert compiled.get((entry.msgctxt, entry.msgid)) == (entry.msgstr, entry.msgstr_plural), (
            entry.msgid
        )


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext's xgettext")
def test_every_string_in_the_code_is_in_the_danish_catalogue(tmp_path):
    copy = tmp_path / "bibliotal"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("static", "__pycache__"))
    environment = {"PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "da", "--no-location"],
        cwd=copy,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    extracted = {e.msgid for e in polib.pofile(str(copy / "locale/da/LC_MESSAGES/django.po"))}
    committed = {e.msgid for e in polib.pofile(str(PO)).translated_entries()}
    assert sorted(extracted - committed) == [], "run `make messages` and translate"


def test_pages_are_danish_by_default(client, world):
    client.force_login(world.staff)
    response = client.get(reverse("core:branch_list"))
    content = response.content.decode()
    assert response.headers["Content-Language"] == "da"
    assert '<html lang="da">' in content and "Biblioteker" in content


def test_english_is_one_click_away_and_stays(client, world):
    client.force_login(world.staff)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/libraries/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    content = client.get(reverse("core:branch_list")).content.decode()
    assert '<html lang="en">' in content and "Libraries" in content and "Dansk" in content


def test_a_browser_asking_for_english_still_gets_danish(client, world):
    client.force_login(world.staff)
    response = client.get(reverse("core:home"), headers={"Accept-Language": "en-GB,en"})
    assert response.headers["Content-Language"] == "da"
