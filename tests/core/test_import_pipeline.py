"""One import pipeline: the guards every file passes, one registry, one command, the worker.

Each test here failed before the pipeline: the upload limit was checked after the body had
arrived (or not at all), a workbook was unpacked before its size was known, the command lived in
the events app, and a large upload held the web request until it was done.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from datetime import time as clock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from bibliotal.core import importers, importjobs, uploads
from bibliotal.core.imports import (
    ImportRejected,
    OutOfRange,
    bounded,
    check_workbook,
    decode,
    load_json,
    open_table,
    parse_number,
    read_table,
    scan,
)
from bibliotal.core.models import ImportBatch, ImportJob
from bibliotal.visits.models import CounterReading, DailyVisits
from tests.conftest import weekly_schedule

ORGANISATION = ("--organisation", "Testrup Bibliotekerne")
KINDS = {
    "digital",
    "dst",
    "events",
    "goals",
    "institutions",
    "new-users",
    "opening-hours",
    "visits",
}


def counter_csv(rows: int = 2) -> bytes:
    lines = ["Dato;Tid;Tæller;Ind;Ud"]
    lines += [
        f"07-09-2021;{10 + i % 8:02d}:00;Nord-{i // 8};{i % 50};{i % 40}" for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def inflated_workbook(unpacked: int) -> bytes:
    """A real .xlsx whose one sheet unpacks to about ``unpacked`` bytes of empty rows."""
    from openpyxl import Workbook

    plain = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["Dato", "Tid", "Tæller", "Ind", "Ud"])
    workbook.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>'
                filler = row * (unpacked // len(row))
                data = data.replace(b"</sheetData>", filler + b"</sheetData>")
            target.writestr(item, data)
    return out.getvalue()


# --- the guards -------------------------------------------------------------------------------


def test_every_importer_is_registered_and_the_command_lives_in_core():
    assert {i.kind for i in importers.all_importers()} == KINDS
    assert get_commands()["import"] == "bibliotal.core"
    events = os.path.join(os.path.dirname(importers.__file__), "..", "events")
    assert not os.path.exists(os.path.join(events, "management", "commands", "import.py"))


def test_a_byte_order_mark_before_bytes_that_are_not_utf8_falls_back():
    data = b"\xef\xbb\xbfTitel;Sted\nL\xe6sekreds;Nord\n"
    text, encoding = decode(data)
    assert text.startswith("Titel") and "Læsekreds" in text and encoding == "windows-1252"
    # The streamed reader (counter files, every table) falls back the same way.
    header, rows, _delimiter = read_table(data, filename="x.csv")
    assert header == ["titel", "sted"] and rows[0][1]["titel"] == "Læsekreds"


def test_a_cell_over_the_field_limit_is_a_rejection_naming_its_line():
    data = b"a;b\n1;2\n3;" + b"x" * (200 * 1024) + b"\n"
    with translation.override("en"), pytest.raises(ImportRejected) as rejected:
        read_table(data, filename="big.csv")
    error = rejected.value.errors[0]
    assert (error.filename, error.line) == ("big.csv", 3)
    with translation.override("en"):
        assert "more than 131072 characters" in str(error)


def test_json_nested_a_thousand_deep_is_refused_not_a_recursion_error():
    with translation.override("en"), pytest.raises(ImportRejected) as rejected:
        load_json(b"[" * 1000 + b"]" * 1000, filename="deep.json")
    with translation.override("en"):
        assert "nested more than 64 levels" in str(rejected.value.errors[0])
    with pytest.raises(ImportRejected) as rejected:
        load_json(b'{"a": [1, 2,', filename="cut.json")
    assert rejected.value.errors[0].line == 1
    assert load_json(b'\xef\xbb\xbf{"a": [1]}', filename="ok.json") == {"a": [1]}


def test_a_forty_digit_count_is_out_of_range_and_ceilings_hold_on_both_databases():
    with pytest.raises(OutOfRange):
        parse_number("1" * 40)
    with pytest.raises(OutOfRange):
        bounded(2_147_483_648, 10**12)  # no ceiling lets a count past PostgreSQL's integer
    assert bounded(2_147_483_647, 10**12) == 2_147_483_647
    with translation.override("en"), pytest.raises(OutOfRange) as error:
        bounded(100_001, 100_000, what="Visits in one hour")
    assert str(error.value) == "Visits in one hour can be at most 100.000"


def test_a_damaged_sheet_inside_a_sound_archive_is_a_rejection():
    good = inflated_workbook(1000)
    source = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData><row <<<", 1)
            target.writestr(item, data)
    stream = io.BytesIO(out.getvalue())
    with pytest.raises(ImportRejected):
        list(open_table(stream, filename="broken.xlsx", encoding=scan(stream).encoding).records)
    with pytest.raises(ImportRejected):
        check_workbook(b"PK\x03\x04 not really a zip", "cut.xlsx")


@override_settings(IMPORT_MAX_UNPACKED_BYTES=2_000_000)
def test_an_inflated_workbook_is_refused_from_its_zip_directory():
    bomb = inflated_workbook(3_000_000)
    assert len(bomb) < 100_000  # small as a file, large unpacked
    with translation.override("en"), pytest.raises(ImportRejected) as rejected:
        check_workbook(bomb, "bomb.xlsx")
    with translation.override("en"):
        assert "would unpack to more than 2,0 MB" in str(rejected.value.errors[0])


# --- the upload limit, before the body is read ------------------------------------------------


class _Unreadable(io.RawIOBase):
    def read(self, *args):
        raise AssertionError("the body was read")

    readinto = read


@override_settings(IMPORT_MAX_UPLOAD_BYTES=1_000_000)
@pytest.mark.parametrize("path", ["/visits/import/", "/api/v1/visits/counter-files"])
def test_an_upload_over_the_limit_is_refused_before_its_body_is_read(client, world, path):
    client.force_login(world.manager)
    response = client.generic(
        "POST",
        path,
        CONTENT_TYPE="multipart/form-data; boundary=x",
        CONTENT_LENGTH="5000000",
        **{"wsgi.input": _Unreadable()},
    )
    assert response.status_code == 413
    assert response["Connection"] == "close"
    if path.startswith("/api/"):
        assert "5,0 MB" in response.json()["detail"]
    else:
        assert "5,0 MB" in response.content.decode()


@override_settings(IMPORT_MAX_UNPACKED_BYTES=2_000_000)
def test_the_inflated_workbook_is_refused_on_the_page_the_api_and_the_command(
    client, world, tmp_path
):
    bomb = inflated_workbook(3_000_000)
    client.force_login(world.manager)
    page = client.post(
        reverse("visits:import"),
        {"file": SimpleUploadedFile("bomb.xlsx", bomb), "rule": "half"},
    )
    assert page.status_code == 400 and "MB" in " ".join(page.context["errors"])
    from bibliotal.core.models import ApiToken

    _token, key = ApiToken.issue(user=world.manager, name="t")
    api = client.post(
        "/api/v1/visits/counter-files",
        {"file": SimpleUploadedFile("bomb.xlsx", bomb), "rule": "half"},
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert api.status_code == 422, api.content
    assert "MB" in api.content.decode()
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb)
    with pytest.raises(CommandError, match="MB"):
        call_command("import", "visits", str(path), "--branch", world.north.name, *ORGANISATION)
    assert CounterReading.objects.count() == 0 and ImportBatch.objects.count() == 0


# --- one door: the command --------------------------------------------------------------------


def test_the_command_imports_through_the_registry(world, tmp_path, capsys):
    weekly_schedule(world.north, staffed=(clock(10), clock(18)))
    path = tmp_path / "t.csv"
    path.write_bytes(counter_csv(4))
    call_command(
        "import", "visits", str(path), "--branch", world.north.name, "--dry-run", *ORGANISATION
    )
    assert CounterReading.objects.count() == 0
    call_command("import", "visits", str(path), "--branch", world.north.name, *ORGANISATION)
    assert CounterReading.objects.count() == 4
    out = capsys.readouterr().out
    assert "Nord-0" in out
    with pytest.raises(CommandError, match="No library is called 'Atlantis'"):
        call_command("import", "visits", str(path), "--branch", "Atlantis", *ORGANISATION)


def test_auto_recognises_the_kind_of_file(world, tmp_path):
    path = tmp_path / "kalender.ics"
    path.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
    upload = importers.Upload.from_path(path)
    assert [i.kind for i in importers.detect(upload)] == ["events"]
    upload.close()
    call_command("import", "auto", str(path), "--dry-run", *ORGANISATION)
    unknown = tmp_path / "noget.bin"
    unknown.write_bytes(b"\x00\x01\x02")
    with pytest.raises(CommandError, match="not recognised"):
        call_command("import", "auto", str(unknown), *ORGANISATION)


# --- large uploads on the worker --------------------------------------------------------------


@pytest.fixture
def small_inline(settings):
    settings.IMPORT_INLINE_BYTES = 1_000


def test_a_large_upload_is_previewed_and_imported_by_the_worker(client, world, small_inline):
    weekly_schedule(world.north, staffed=(clock(10), clock(18)))
    client.force_login(world.manager)
    data = counter_csv(200)
    assert len(data) > 1_000
    response = client.post(
        reverse("visits:import"),
        {"file": SimpleUploadedFile("stor.csv", data), "branch": world.north.pk, "rule": "in"},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "core:import_job", args=[job.pk]
    )
    assert job.dry_run and job.status == ImportJob.Status.QUEUED
    assert job.options["branch"] == {"model": "core.Branch", "pk": world.north.pk}
    waiting = client.get(reverse("core:import_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' in waiting.content.decode()  # the page polls while it waits

    importjobs.run(job)  # what `bibliotal worker` does with the queued task
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and CounterReading.objects.count() == 0
    assert uploads.path_of(job.token) is not None  # kept for the confirmation only
    page = client.get(reverse("core:import_job", args=[job.pk])).content.decode()
    assert "every 2s" not in page and "import_job_confirm" not in page
    assert reverse("core:import_job_confirm", args=[job.pk]) in page

    confirmed = client.post(reverse("core:import_job_confirm", args=[job.pk]))
    applied = ImportJob.objects.exclude(pk=job.pk).get()
    assert confirmed["Location"] == reverse("core:import_job", args=[applied.pk])
    importjobs.run(applied)
    applied.refresh_from_db()
    assert applied.status == ImportJob.Status.DONE, applied.errors
    assert CounterReading.objects.count() == 200 and DailyVisits.objects.exists()
    assert uploads.path_of(applied.token) is None and applied.token == ""  # the file is gone
    # Confirming the preview again finds no file.
    assert client.post(reverse("core:import_job_confirm", args=[job.pk])).status_code == 404


def test_a_rejected_large_upload_says_why_and_keeps_no_file(client, world, small_inline):
    client.force_login(world.manager)
    data = b"Dato;Tid;T\xe6ller;Ind;Ud\n" + b"31-02-2021;10:00;Nord-1;12;10\n" * 100
    client.post(
        reverse("visits:import"), {"file": SimpleUploadedFile("bad.csv", data), "rule": "half"}
    )
    job = ImportJob.objects.get()
    token = job.token
    importjobs.run(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REJECTED and "bad.csv" in job.errors[0]
    assert uploads.path_of(token) is None


def test_jobs_are_seen_only_by_their_own_organisation(client, world, small_inline):
    client.force_login(world.manager)
    client.post(
        reverse("visits:import"),
        {"file": SimpleUploadedFile("s.csv", counter_csv(200)), "rule": "half"},
    )
    job = ImportJob.objects.get()
    client.force_login(world.stranger)
    assert client.get(reverse("core:import_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("core:import_job_cancel", args=[job.pk])).status_code == 404
    client.force_login(world.staff)
    assert client.get(reverse("core:import_job", args=[job.pk])).status_code == 403


def test_cancelling_deletes_the_kept_file(client, world, small_inline):
    client.force_login(world.manager)
    client.post(
        reverse("visits:import"),
        {"file": SimpleUploadedFile("s.csv", counter_csv(200)), "rule": "half"},
    )
    job = ImportJob.objects.get()
    token = job.token
    assert uploads.path_of(token) is not None
    client.post(reverse("core:import_job_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED and uploads.path_of(token) is None


# --- previews keep no copy longer than needed -------------------------------------------------


def test_a_preview_copy_is_deleted_on_cancel_and_after_an_hour(client, world):
    weekly_schedule(world.north, staffed=(clock(10), clock(18)))
    client.force_login(world.manager)
    preview = client.post(
        reverse("visits:import"),
        {
            "file": SimpleUploadedFile("t.csv", counter_csv(2)),
            "branch": world.north.pk,
            "rule": "in",
        },
    )
    token = preview.context["confirm"]["token"]
    assert uploads.path_of(token) is not None
    client.post(reverse("visits:import"), {"cancel": "1", "token": token})
    assert uploads.path_of(token) is None

    kept = uploads.keep(b"data", "x.csv")
    path = uploads.path_of(kept)
    hour_ago = time.time() - uploads.MAX_AGE_SECONDS - 1
    os.utime(path, (hour_ago, hour_ago))
    assert uploads.sweep() == 1 and uploads.path_of(kept) is None


def test_the_worker_sweeps_old_preview_copies_every_night(db):
    from bibliotal.core.tasks import nightly_tasks, run_nightly_tasks

    assert nightly_tasks()["core.sweep_uploads"] == uploads.sweep
    kept = uploads.keep(b"data", "x.csv")
    old = time.time() - uploads.MAX_AGE_SECONDS - 1
    os.utime(uploads.path_of(kept), (old, old))
    assert run_nightly_tasks() == 0
    assert uploads.path_of(kept) is None


def test_a_large_api_upload_is_answered_202_and_followed_to_its_end(client, world, small_inline):
    from bibliotal.core.models import ApiToken

    weekly_schedule(world.north, staffed=(clock(10), clock(18)))
    _token, key = ApiToken.issue(user=world.manager, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    response = client.post(
        "/api/v1/visits/counter-files",
        {"file": SimpleUploadedFile("stor.csv", counter_csv(200)), "branch_id": world.north.pk},
        **auth,
    )
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["status"] == "queued" and not job["dry_run"]
    importjobs.run(ImportJob.objects.get(pk=job["id"]))
    followed = client.get(job["url"], **auth).json()
    assert followed["status"] == "done" and followed["finished_at"]
    assert CounterReading.objects.count() == 200
    _other, stranger = ApiToken.issue(user=world.stranger, name="s")
    assert client.get(job["url"], HTTP_AUTHORIZATION=f"Bearer {stranger}").status_code == 404


def test_a_coordinator_cannot_confirm_a_counter_file_job(client, world, small_inline):
    client.force_login(world.manager)
    client.post(
        reverse("visits:import"),
        {"file": SimpleUploadedFile("s.csv", counter_csv(200)), "rule": "half"},
    )
    job = ImportJob.objects.get()
    importjobs.run(job)
    client.force_login(world.coordinator)
    assert client.get(reverse("core:import_job", args=[job.pk])).status_code == 403
    assert client.post(reverse("core:import_job_confirm", args=[job.pk])).status_code == 403
    assert ImportJob.objects.count() == 1


def test_a_worker_preview_says_what_cleaning_will_do_as_the_page_does():
    from bibliotal.visits.importers import CounterImportResult
    from bibliotal.visits.models import DailyVisits

    result = CounterImportResult(created=3, days=2, flagged={DailyVisits.Flag.CLOSED: 2})
    with translation.override("en"):
        lines = importers.get("visits").report(result)
    assert lines[0].startswith("3 new intervals")
    assert "2 days with counts on closed days: set to 0 visits, the counts are kept." in lines
