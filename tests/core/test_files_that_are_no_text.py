"""Every registered importer refuses a file that is none of its formats (random bytes, a
picture, a PDF, an archive, an old Excel file, UTF-16 without its mark, an empty file) before it
reads a line of it: in one sentence that names the file and the formats it reads, never echoing
the file's bytes, and with nothing written. A UTF-16 file with its mark is text and is read."""

from __future__ import annotations

import io
import random
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from bibliotal.core import importers
from bibliotal.core.imports import FileError, format_names
from tests.fuzz.conftest import prepare_fuzz_world, run_case
from tests.fuzz.golden_files import goldens, workbook

GOLDENS = goldens()


@pytest.fixture
def fuzz_world(world, settings):
    """The world every golden file imports into (``tests/fuzz``)."""
    return prepare_fuzz_world(world, settings)


KINDS = sorted(i.kind for i in importers.all_importers())


def _zip(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name.replace("__", "/"), data)
    return buffer.getvalue()


PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
NOT_TEXT = {
    "random": random.Random(21).randbytes(5000),
    "random-short": random.Random(7).randbytes(64),
    "png": PNG + bytes(200),
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    "zip": _zip(notes__readme_txt=b"hello", data__x_bin=bytes(range(256))),
    "xls": bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504),
    "ods": _zip(mimetype=b"application/vnd.oasis.opendocument.spreadsheet", content_xml=b"<x/>"),
    "utf16-without-mark": "Dato;Tid;Tæller;Ind;Ud\n07-09-2021;10:00;Nord-1;12;10\n".encode(
        "utf-16-le"
    ),
    "empty": b"",
}
WHAT = {
    "random": "holds no text",
    "random-short": "holds no text",
    "png": "is a PNG image",
    "pdf": "is a PDF document",
    "zip": "is a ZIP archive",
    "xls": "is an old Excel or Word file (.xls or .doc)",
    "ods": "is an OpenDocument spreadsheet (.ods)",
    "utf16-without-mark": "is saved as UTF-16 text without the mark",
    "empty": "is empty",
}
# Something of the file's own bytes, as a reader would print them back.
ECHO = re.compile(r"\\x[0-9a-f]{2}|\\0|\ufffd|PNG\r|%PDF|IHDR|PK\x03")


def _options(world, kind):
    golden = GOLDENS[kind][0]
    return golden, {"organisation": world.organisation, **golden.options(world)}


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_that_is_no_text_is_refused_in_one_sentence_and_nothing_is_written(fuzz_world, kind):
    golden, options = _options(fuzz_world, kind)
    suffix = golden.filename.rsplit(".", 1)[-1]
    with translation.override("en"):
        for case, data in NOT_TEXT.items():
            filename = f"upload-{case}.{suffix}"
            for apply in (False, True):
                # run_case checks that nothing is written and that every error names the file.
                outcome = run_case(kind, data, filename, dict(options), apply=apply)
                assert outcome.rejected is not None, f"{kind} read {case} as a {suffix} file"
                [error] = outcome.rejected.errors
                assert isinstance(error, FileError)
                text = str(error)
                assert text.startswith(f"The file {filename} {WHAT[case]}"), text
                if case not in ("empty", "utf16-without-mark"):
                    assert format_names(importers.get(kind).formats) in text
                assert not ECHO.search(text), f"the file's bytes are echoed: {text!r}"


@pytest.mark.parametrize("kind", KINDS)
def test_a_text_file_in_utf16_with_its_mark_is_read_as_text(fuzz_world, kind):
    text_goldens = [g for g in GOLDENS[kind] if g.rows is None]
    if not text_goldens:
        pytest.skip("no text golden file")
    golden = text_goldens[0]
    options = {"organisation": fuzz_world.organisation, **golden.options(fuzz_world)}
    data = golden.text().encode("utf-16")  # with its byte-order mark, as Excel writes it
    outcome = run_case(kind, data, golden.filename, options, apply=True)
    assert outcome.rejected is None, f"{golden.filename} in UTF-16: {outcome.rejected}"


def test_a_workbook_is_refused_where_only_text_is_read(fuzz_world):
    book = workbook([["a", "b"], [1, 2]])
    with translation.override("en"):
        outcome = run_case(
            "opening-hours",
            book,
            "hours.json",
            {"organisation": fuzz_world.organisation},
            apply=False,
        )
    assert str(outcome.rejected.errors[0]) == (
        "The file hours.json is an Excel workbook (.xlsx) and not JSON, so it cannot be "
        "imported. Open it and save it as JSON."
    )


def test_an_excel_workbook_still_imports_where_workbooks_are_read(fuzz_world):
    [golden] = [g for g in GOLDENS["institutions"] if g.rows is not None][:1] or [None]
    if golden is None:
        pytest.skip("no workbook golden file")
    options = {"organisation": fuzz_world.organisation, **golden.options(fuzz_world)}
    outcome = run_case("institutions", workbook(golden.rows), golden.filename, options, apply=True)
    assert outcome.rejected is None


def test_the_upload_page_shows_the_sentence_and_not_the_bytes(client, world):
    client.force_login(world.manager)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("visits:import"),
        {"file": SimpleUploadedFile("photo.png", NOT_TEXT["png"]), "rule": "half"},
    )
    assert response.status_code == 400
    assert response.context["errors"] == [
        "The file photo.png is a PNG image and not CSV or Excel (.xlsx), so it cannot be imported."
    ]
    assert "IHDR" not in response.content.decode()


def test_danish_readers_are_told_in_danish(client, world):
    client.force_login(world.manager)
    response = client.post(
        reverse("visits:new_users"),
        {"upload": "1", "file": SimpleUploadedFile("tal.csv", NOT_TEXT["random"])},
    )
    assert response.status_code == 400
    [error] = response.context["errors"]
    assert "tal.csv" in error and "CSV" in error and "\\x" not in error


def test_the_command_line_says_the_same_sentence(world, tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(NOT_TEXT["pdf"])
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command("import", "visits", str(path), "--organisation", world.organisation.name)
    assert str(error.value) == (
        "The file scan.pdf is a PDF document and not CSV or Excel (.xlsx), so it cannot be "
        "imported."
    )
