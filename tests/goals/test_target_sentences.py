"""Targets read from goal sentences in the words municipalities use (issue 22): number forms,
directions, the school year, several targets in one sentence, libraries named in a sentence and
qualitative goals kept. The sentences are made up, after the patterns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from bibliotal.goals.importers import propose_targets, scope_branches
from tests.conftest import make_branch


def one(sentence: str, year: int = 2025):
    [target] = propose_targets(sentence, budget_year=year)
    return target


@pytest.mark.parametrize(
    ("sentence", "threshold"),
    [
        ("Antallet af besøg skal være mindst 45.000.", 45000),
        ("Der skal være mindst 1,2 mio. besøg.", 1200000),
        ("Personalet skal vejlede mindst 10 500 gange.", 10500),
        ("Personalet skal vejlede mindst 10\u00a0500 gange.", 10500),
        ("Bibliotekerne skal have mindst en halv million besøg.", 500000),
        ("Bibliotekerne skal have mindst halvanden million besøg.", 1500000),
        ("Besøget skal minimum være 300.000.", 300000),
        ("Der skal være over 20.000 deltagere i arrangementerne.", 20000),
        ("Antallet af deltagere må ikke falde under 20.000.", 20000),
    ],
)
def test_number_forms_and_at_least(sentence, threshold):
    target = one(sentence)
    assert target.kind == "at_least" and target.threshold == threshold


@pytest.mark.parametrize(
    ("sentence", "percent"),
    [
        ("Udlånet af e-bøger skal stige med tre procent.", 3),
        ("Udlånet af e-bøger skal øges med 10 pct.", 10),
        ("Udlånet af e-bøger: +3 % i forhold til 2023.", 3),
        ("Udlånet af e-bøger skal øges med 2,5 procent.", Decimal("2.5")),
    ],
)
def test_a_rise_by_a_percentage_written_in_any_form(sentence, percent):
    target = one(sentence)
    assert (target.indicator, target.kind, target.percent) == (
        "ebook_loans",
        "increase_percent",
        percent,
    )
    assert target.baseline_year == (2023 if "2023" in sentence else 2024)


def test_percentage_points_are_never_read_as_a_percentage():
    with translation.override("en"):
        target = one("Andelen af besøg fra unge skal stige med 3 procentpoint.")
    assert target.is_qualitative and target.percent is None
    assert "percentage points" in target.reason


@pytest.mark.parametrize(
    "sentence",
    ["Besøgene skal øges.", "Der skal være flere besøg end i 2024.", "Besøget skal stige."],
)
def test_a_rise_without_a_number_is_a_rise_against_the_year_before(sentence):
    target = one(sentence)
    assert (target.kind, target.baseline_year) == ("increase", 2024)


@pytest.mark.parametrize(
    ("sentence", "threshold"),
    [
        ("Der må højst være 500 besøg uden for åbningstiden.", 500),
        ("Antallet af besøg om natten må maks. være 12.", 12),
        ("Der skal være under 40 deltagere pr. gang.", 40),
        ("Færre end 300 besøg på de lukkede dage.", 300),
        ("Antallet af deltagere på ventelisten skal reduceres til 100.", 100),
    ],
)
def test_at_most_a_number(sentence, threshold):
    target = one(sentence)
    assert target.kind == "at_most" and target.threshold == threshold


@pytest.mark.parametrize(
    "sentence",
    [
        "Der skal være færre besøg uden for åbningstiden.",
        "Antallet af besøg om natten skal reduceres med 10 %.",
    ],
)
def test_a_fall_without_a_cap_stays_a_goal_that_needs_a_target_with_the_reason(sentence):
    with translation.override("en"):
        target = one(sentence)
    assert target.is_qualitative and "fall" in target.reason


def test_the_school_year_runs_from_august_to_july():
    target = one("Mindst 9.000 elever skal undervises i skoleåret 2025/26.")
    assert (target.indicator, target.kind, target.threshold) == ("pupils_taught", "at_least", 9000)
    assert (target.period_start, target.period_end) == (date(2025, 8, 1), date(2026, 7, 31))
    assert one("Mindst 9.000 elever skal undervises.").period_start is None  # the budget year


def test_two_targets_in_one_sentence_events_held_and_participants():
    sentence = (
        "Bibliotekerne holder mindst 400 arrangementer, og antallet af deltagere må ikke falde "
        "under 20.000."
    )
    found = [
        (t.indicator, t.kind, t.threshold) for t in propose_targets(sentence, budget_year=2025)
    ]
    assert found == [
        ("events_held", "at_least", 400),
        ("event_participants", "at_least", 20000),
    ]


@pytest.mark.parametrize(
    ("sentence", "scope", "area_type", "words"),
    [
        ("Besøgene i lokalbibliotekerne skal stige.", "branches", "", "lokalbibliotekerne"),
        ("Mindst 100.000 besøg på hovedbiblioteket.", "branches", "", "hovedbiblioteket"),
        ("Flere besøg i landområderne.", "area_type", "rural", "landområderne"),
        ("Flere besøg i centerbyerne.", "area_type", "centre_town", "centerbyerne"),
        ("Mindst 30.000 besøg på Nord og Syd Bibliotek.", "branches", "", "Nord og Syd Bibliotek"),
        ("Mindst 30.000 besøg i alt.", "all", "", ""),
    ],
)
def test_the_libraries_named_in_the_sentence(sentence, scope, area_type, words):
    target = one(sentence)
    assert not target.is_qualitative
    assert (target.scope, target.area_type, target.scope_text) == (scope, area_type, words)


def test_named_libraries_and_groups_are_matched_to_the_organisations_libraries(world):
    main = make_branch(world.organisation, "Hovedbiblioteket", city="Testrup")
    assert scope_branches(world.organisation, "Nord og Syd Bibliotek") == [world.north, world.south]
    assert scope_branches(world.organisation, "hovedbiblioteket") == [main]
    assert scope_branches(world.organisation, "lokalbibliotekerne") == [world.north, world.south]
    assert scope_branches(world.organisation, "Andetsted Bibliotek") == []  # not ours


@pytest.mark.parametrize(
    "sentence",
    [
        "Bibliotekerne skal være et trygt og åbent sted for alle.",
        "Flere borgere skal opleve bibliotekerne som et fællesskab.",
        "80 % af eleverne skal kende bibliotekets tilbud.",
    ],
)
def test_qualitative_goals_are_kept_with_a_reason(sentence):
    target = one(sentence)
    assert target.is_qualitative and target.source_text == sentence and target.reason


def test_every_sentence_is_kept_once():
    text = (
        "Besøget skal stige. Bibliotekerne skal være et sted for alle. Mindst 45.000 "
        "vejledninger i 2025."
    )
    found = propose_targets(text, budget_year=2025)
    assert [t.kind for t in found] == ["increase", "qualitative", "at_least"]
