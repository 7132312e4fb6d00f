"""A file that has rows but imports nothing says why, on the command line as on the page."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from bibliotal.core.models import WebsiteBranch
from bibliotal.events.models import EventOccurrence
from bibliotal.events.services import WINDOW_AHEAD, WINDOW_BACK
from bibliotal.visits.models import CounterReading, Sensor

DATA = Path(__file__).resolve().parents[1] / "data"
ORGANISATION = ("--organisation", "Testrup Bibliotekerne")


def run(kind: str, path: Path, *options: str) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("import", kind, str(path), *options, *ORGANISATION, stdout=out)
    return out.getvalue()


def window() -> str:
    today = timezone.localdate()
    return f"{today - WINDOW_BACK:%d.%m.%Y} – {today + WINDOW_AHEAD:%d.%m.%Y}"


def test_a_calendar_whose_events_all_fall_outside_the_window_says_so(world, tmp_path):
    path = tmp_path / "programme.ics"
    path.write_bytes((DATA / "events" / "herning-programme.ics").read_bytes())  # autumn 2021
    out = run("events", path, "--branch", world.north.name)
    assert "0 new, 0 changed, 0 unchanged" in out
    assert (
        f"All 4 events of the file fall outside the period {window()}, so nothing was "
        "imported; give the period they fall in (--from and --to on the command line) to "
        "import them."
    ) in out
    assert not EventOccurrence.objects.exists()


def test_the_period_the_note_asks_for_imports_the_calendar(world, tmp_path):
    path = tmp_path / "programme.ics"
    path.write_bytes((DATA / "events" / "herning-programme.ics").read_bytes())
    period = ("--from", "2021-01-01", "--to", "2021-12-31")
    out = run("events", path, "--branch", world.north.name, *period)
    assert "9 new" in out and "outside the period" not in out
    assert EventOccurrence.objects.count() == 9


def test_a_calendar_with_one_event_outside_the_window_says_it_in_the_singular(world, tmp_path):
    path = tmp_path / "one.ics"
    path.write_bytes(
        b"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//DA\nBEGIN:VEVENT\nUID:one@t\n"
        b"SUMMARY:Bogcaf\xc3\xa9\nDTSTART:20000907T190000\nLOCATION:Nord Bibliotek\n"
        b"END:VEVENT\nEND:VCALENDAR\n"
    )
    out = run("events", path)
    assert f"The file's 1 event falls outside the period {window()}, so nothing" in out


def test_an_events_table_with_only_its_header_says_so(world, tmp_path):
    path = tmp_path / "programme.csv"
    path.write_bytes(b"titel;dato;start;slut;bibliotek\n")
    assert "The file has no events below its header." in run("events", path)


def test_a_website_answer_of_events_at_libraries_that_are_not_ours_says_so(world, tmp_path):
    WebsiteBranch.objects.create(
        organisation=world.organisation, kind="name", value="Bogbussen", ignored=True
    )
    events = json.loads((DATA / "dplcms" / "events.json").read_text())
    for event in events:
        event["branches"] = ["Bogbussen"]
    path = tmp_path / "events.json"
    path.write_text(json.dumps(events))
    out = run("events", path)
    assert (
        f"All {len(events)} events of the file are at libraries marked as not yours, so "
        "nothing was imported."
    ) in out
    assert "The answer holds no events" not in out


def test_a_counter_file_with_only_its_header_says_so(world, tmp_path):
    path = tmp_path / "tæller.csv"
    path.write_bytes(b"Dato;Tid;Sensor;Ind;Ud\n")
    assert "The file has no readings below its header." in run("visits", path)


def test_a_register_read_once_says_that_it_only_set_its_starting_point(world, tmp_path):
    Sensor.objects.create(
        organisation=world.organisation,
        branch=world.north,
        name="Kumulativ",
        register="cumulative",
    )
    path = tmp_path / "register.csv"
    path.write_bytes(b"Dato;Tid;Sensor;Ind;Ud\n07-09-2021;10:00;Kumulativ;1000;990\n")
    out = run("visits", path)
    assert "0 new intervals" in out
    assert "a cumulative register with a single reading, which only sets where it" in out
    assert not CounterReading.objects.exists()


@pytest.mark.parametrize(
    ("kind", "header"),
    [("new-users", "Måned;Filial;Nye lånere\n".encode()), ("institutions", b"navn;type\n")],
    ids=["new-users", "institutions"],
)
def test_a_table_with_only_its_header_says_so(world, tmp_path, kind, header):
    path = tmp_path / "table.csv"
    path.write_bytes(header)
    assert "The file has no rows below its header." in run(kind, path)


def test_opening_hours_for_no_library_of_ours_say_so(world, tmp_path):
    hours = json.loads((DATA / "dplcms" / "opening_hours.json").read_text())
    for item in hours:
        item["branch_id"], item["branch_isil_id"] = 99, ""
    path = tmp_path / "opening_hours.json"
    path.write_text(json.dumps(hours))
    days = sorted(item["date"] for item in hours)
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    out = run("opening-hours", path)
    assert (
        "None of the answer's opening hours is for a library of yours within "
        f"{first:%d.%m.%Y} – {last:%d.%m.%Y}, so no calendar changed."
    ) in out


def test_an_empty_opening_hours_answer_says_so(world, tmp_path):
    path = tmp_path / "opening_hours.json"
    path.write_text("[]")
    assert "The answer holds no opening hours." in run("opening-hours", path)
