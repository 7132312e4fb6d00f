"""Text that PostgreSQL refuses and SQLite would keep (a NUL character, a value longer than its
column) is refused by the importer, with the same error on both databases."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from tests.fuzz.conftest import run_case
from tests.fuzz.golden_files import DATA

NUL = "The text holds a NUL character: the file is damaged or not a text file."


def _institutions(world):
    return b"navn;type\nSko\x00le;folkeskole\n", "institutions.csv", {}, NUL


def _goals(world):
    text = (DATA / "goals" / "variant-two-years.txt").read_text()
    return text.replace("Læring.", "Lær\x00ing.").encode(), "goals.txt", {}, NUL


def _service_area(world):
    text = (DATA / "goals" / "variant-two-years.txt").read_text()
    data = text.replace("<b>14 Biblioteker</b>", "S" * 201, 1).encode()
    return data, "goals.txt", {}, "A Serviceområde (service area) is at most 200 characters."


def _events_json(world):
    events = json.loads((DATA / "dplcms" / "events.json").read_text())
    events[1]["title"] = "Læseklub\x00"
    return json.dumps(events).encode(), "events.json", {}, NUL


def _calendar(world):
    data = (DATA / "events" / "herning-programme.ics").read_bytes()
    data = data.replace(b"SUMMARY:L", b"SUMMARY:\x00L", 1)
    options = {"branch": world.north, "start": None, "end": None}
    return data, "programme.ics", options, NUL


def _statbank(world):
    text = (DATA / "statbank" / "BIB2B.csv").read_text(encoding="utf-8-sig")
    return text.replace("Herning", "Her\x00ning", 1).encode(), "BIB2B.csv", {}, NUL


def _sensor(world):
    data = f"Dato;Tid;Tæller;Ind;Ud\n07-09-2021;10:00;{'N' * 101};12;10\n".encode()
    return data, "counter.csv", {"branch": world.north}, "A sensor's name is at most 100"


def _event_id(world):
    data = f"id;titel;dato;start;bibliotek\n{'e' * 251};Bogcafé;07-09-2021;14:00;Nord Bibliotek\n"
    return data.encode(), "programme.csv", {}, "An event's id is at most 250 characters."


def _measure(world):
    text = (DATA / "statbank" / "folk1a-api.csv").read_text()
    lines = text.splitlines()
    lines[0] = "OMRÅDE;AKTIVITET;TID;INDHOLD"
    lines[1:] = [
        f"{line.split(';', 1)[0]};{'a' * 301};{line.split(';', 1)[1]}" for line in lines[1:]
    ]
    data = "\n".join(lines).encode()
    return data, "BIB2B.csv", {}, "variables are longer than 300 characters together."


CASES = {
    "institutions-nul": ("institutions", _institutions),
    "goals-nul": ("goals", _goals),
    "goals-service-area": ("goals", _service_area),
    "events-json-nul": ("events", _events_json),
    "events-ics-nul": ("events", _calendar),
    "dst-nul": ("dst", _statbank),
    "visits-sensor-name": ("visits", _sensor),
    "events-csv-id": ("events", _event_id),
    "dst-measure": ("dst", _measure),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_text_no_database_keeps_is_refused_with_its_line(fuzz_world, case):
    kind, build = CASES[case]
    data, filename, options, message = build(fuzz_world)
    with translation.override("en"):
        outcome = run_case(
            kind, data, filename, {"organisation": fuzz_world.organisation, **options}, apply=True
        )
        assert outcome.rejected is not None, f"{case} was imported: {outcome.result}"
        errors = [str(error) for error in outcome.rejected.errors]
    assert any(message in error for error in errors), errors
    assert all(filename in error and ", line " in error for error in errors), errors
