"""A count of 2,147,483,648, one past PostgreSQL's integer, is refused by every importer that
stores counts, with the same error on SQLite (which would store it) and PostgreSQL (which
would crash): each kind of count has a ceiling of its own, far below the database's. Run on
PostgreSQL with ``DATABASE_URL=postgres://… pytest tests/fuzz -k 2147483648``."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from bibliotal.core import importers
from bibliotal.goals.models import Target
from tests.fuzz.conftest import run_case
from tests.fuzz.golden_files import DATA, GOLDEN

HUGE = "2147483648"


def _counter_file(world):
    text = (GOLDEN / "counter-generic.csv").read_bytes().decode("cp1252")
    lines = text.split("\r\n")
    lines[1] = lines[1].replace(";106;104;", f";{HUGE};104;")
    return "\r\n".join(lines).encode("cp1252"), "counter.csv", {"branch": world.north}


def _register(world):
    text = (GOLDEN / "counter-register.csv").read_text()
    lines = text.split("\n")
    lines[2] = lines[2].replace(";1037;1027", f";{HUGE};1027")  # a jump of two billion
    return "\n".join(lines).encode(), "register.csv", {}


def _new_users(world):
    data = f"Måned;Filial;Nye lånere\n2021-03;Nord Bibliotek;{HUGE}\n".encode()
    return data, "new-users.csv", {}


def _digital_generic(world):
    data = f"platform;periode;måling;værdi\neReolen;2021-01;udlån;{HUGE}\n".encode()
    return data, "figures.csv", {}


def _counter_json(world):
    report = json.loads((DATA / "digital" / "ebookcentral_tr_b1_2021q1.json").read_text())
    item = report["Report_Items"][0]
    performance = (item.get("Attribute_Performance") or item["Performance"])[0]
    if "Instance" in performance:
        performance["Instance"][0]["Count"] = int(HUGE)
    else:
        months = next(iter(performance["Performance"].values()))
        months[next(iter(months))] = int(HUGE)
    return json.dumps(report).encode(), "report.json", {}


def _counter_tsv(world):
    text = (DATA / "digital" / "infomedia_pr_2021q1.tsv").read_text()
    text = text.replace("\t1240\t400\t380\t460", f"\t{int(HUGE) + 840}\t{HUGE}\t380\t460")
    return text.encode(), "report.tsv", {}


def _events_csv(world):
    data = (
        f"titel;dato;start;bibliotek;kapacitet\nBogcafé;07-09-2021;14:00;Nord Bibliotek;{HUGE}\n"
    ).encode()
    return data, "programme.csv", {}


def _events_dplcms(world):
    events = json.loads((DATA / "dplcms" / "events.json").read_text())
    events[0]["ticket_capacity"] = int(HUGE)
    return json.dumps(events).encode(), "events.json", {}


def _population(world):
    world.organisation.municipality_code = "657"  # Herning: FOLK1A sets its population
    world.organisation.save()
    data = f"OMRÅDE;TID;INDHOLD\n657;2021K1;{HUGE}\n657;2021K2;88600\n".encode()
    return data, "folk1a.csv", {"table": "FOLK1A"}


def _statbank(world):
    text = (DATA / "statbank" / "folk1a-api.csv").read_text()
    data = text.replace("FOLK1A", "BIB2B").replace(";5840045", f";{HUGE}").encode()
    return data, "BIB2B.csv", {}


CASES = {
    "visits-count": ("visits", _counter_file),
    "visits-register": ("visits", _register),
    "new-users": ("new-users", _new_users),
    "digital-generic": ("digital", _digital_generic),
    "digital-counter-json": ("digital", _counter_json),
    "digital-counter-tsv": ("digital", _counter_tsv),
    "events-csv": ("events", _events_csv),
    "events-dplcms": ("events", _events_dplcms),
    "dst-population": ("dst", _population),
    "dst-figure": ("dst", _statbank),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_count_of_2147483648_is_refused_with_the_same_error_on_every_database(fuzz_world, case):
    kind, build = CASES[case]
    data, filename, options = build(fuzz_world)
    with translation.override("en"):
        outcome = run_case(
            kind, data, filename, {"organisation": fuzz_world.organisation, **options}, apply=True
        )
    assert outcome.rejected is not None, f"{case} was imported: {outcome.result}"
    (error,) = outcome.rejected.errors
    assert (error.filename, error.value) == (filename, HUGE)
    assert " at most " in error.message, error.message


def test_a_goal_of_2147483648_visits_is_no_target_but_a_goal_that_needs_one(fuzz_world):
    document = (
        "## Mål for budget 2021\n\n<b>Serviceområde</b>\tBiblioteker\n"
        f"<b>Fokusområde</b>\tBesøg\n<b>Mål</b>\tMindst {HUGE} besøg på bibliotekerne.\n"
    ).encode()
    importers.get("goals").apply(
        upload=importers.Upload.from_bytes(document, "goals.txt"),
        organisation=fuzz_world.organisation,
        user=None,
    )
    (target,) = Target.objects.all()
    assert (target.kind, target.threshold) == ("qualitative", None)
