"""Unique users on 30 June: a provisional status from the months reported so far, in the words
of the goal page, the status command and the report."""

import calendar
import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from bibliotal.goals import period_names
from bibliotal.goals.indicators import PeriodValue
from bibliotal.goals.models import BudgetYear, FocusArea, Target
from bibliotal.reports import content
from tests.goals.conftest import FakeProvider

USERS_2020 = {1: 9800, 2: 9800, 3: 12000, 4: 12700, 5: 11500, 6: 10300}
USERS_2021 = {1: 12000, 2: 12100, 3: 12300, 4: 11000, 5: 11300, 6: 11200}


def months(year, values):
    return [
        PeriodValue(date(year, m, 1), date(year, m, calendar.monthrange(year, m)[1]), v, "login")
        for m, v in values.items()
    ]


@pytest.fixture
def users_target(world, provide):
    provider = FakeProvider(
        periods=[
            *months(2020, USERS_2020),
            PeriodValue(date(2020, 1, 1), date(2020, 12, 31), 24900, "login"),
            *months(2021, USERS_2021),
            # Reported in January 2022: not known on 30 June 2021.
            PeriodValue(date(2021, 1, 1), date(2021, 12, 31), 26800, "login"),
        ]
    )
    provide("digital_unique_users", provider)
    area = FocusArea.objects.create(
        budget_year=BudgetYear.objects.create(organisation=world.organisation, year=2021),
        title="Digitale tilbud",
    )
    return Target.objects.create(
        focus_area=area,
        indicator="digital_unique_users",
        kind="increase",
        baseline_year=2020,
        measure="unique",
    )


def status_json(world, at):
    out = io.StringIO()
    call_command(
        "goals",
        "status",
        "2021",
        "--at",
        at,
        "--format",
        "json",
        "--organisation",
        world.organisation.name,
        stdout=out,
    )
    return json.loads(out.getvalue())


PROVISIONAL = (
    "Foreløbig: januar–juni 2021 sammenlignet med januar–juni 2020. Tallet for hele perioden "
    "afgør det, når det er indberettet. Tallet steg i 4 af 6 måneder; den gennemsnitlige ændring "
    "er +7\u00a0%."
)


def test_the_status_on_30_june_is_provisional_and_says_which_months_were_compared(
    world, users_target
):
    [row] = status_json(world, "2021-06-30")
    # June 2021 as itself against June 2020, never the six months added up (69,900).
    assert (row["actual"], row["baseline"], row["target_value"]) == (11200.0, 10300.0, 10300.0)
    assert (row["actual_period_start"], row["actual_period_end"]) == ("2021-06-01", "2021-06-30")
    assert row["baseline_full"] == 24900.0
    assert row["status"] == "on_track"
    assert PROVISIONAL in row["notes"]


def test_the_years_figure_decides_once_it_is_reported(world, users_target):
    [row] = status_json(world, "2022-01-31")
    assert (row["actual"], row["baseline"], row["status"]) == (26800.0, 24900.0, "achieved")
    assert row["actual_period_start"] is None
    assert not any(note.startswith("Foreløbig") for note in row["notes"])


def test_the_note_comes_in_english_too(world, users_target):
    from bibliotal.goals.reporting import compute_target_progress

    with translation.override("en"):
        notes = compute_target_progress(users_target, at=date(2021, 6, 30)).notes
    assert (
        "Provisional: January–June 2021 compared with January–June 2020. The figure for the "
        "whole period decides once it is reported. The figure rose in 4 of 6 months; the mean "
        "change is +7\u00a0%."
    ) in notes


def test_missing_baseline_months_are_named_in_the_note(world, users_target, provide):
    from bibliotal.goals.reporting import compute_target_progress

    provider = FakeProvider(
        periods=[
            *months(2020, {1: 9800, 2: 9800, 5: 11500, 6: 10300}),
            *months(2021, USERS_2021),
        ]
    )
    provide("digital_unique_users", provider)
    notes = compute_target_progress(users_target, at=date(2021, 6, 30)).notes
    assert (
        "Basisåret har ikke tal for marts–april 2020, så de er ikke med i sammenligningen."
    ) in notes
    assert any(note.startswith("Foreløbig: januar–februar og maj–juni 2021") for note in notes)


def test_the_goal_page_labels_the_figure_with_its_month(client, world, users_target):
    url = reverse("goals:target_detail", args=[2021, users_target.pk]) + "?at=2021-06-30"
    client.force_login(world.staff)
    page = client.get(url).content.decode()
    assert '11.200 <span class="note">(juni 2021: det seneste indberettede tal' in page
    assert '<dt>2020, samme periode</dt><dd>10.300 <span class="note">(juni 2020)' in page
    assert PROVISIONAL in page
    assert "Ingen data" not in page
    client.force_login(world.outsider)
    assert client.get(url).status_code == 403


def test_the_report_never_shows_a_months_figure_as_the_years(world, users_target):
    report = content.build_report(
        organisation=world.organisation,
        year=2021,
        at=date(2021, 6, 30),
        language="da",
        charts=False,
    )
    [entry] = report.entries
    assert content.summary_row(report, entry)[1:3] == ["11.200 (juni 2021)", "10.300 (juni 2020)"]
    figures = dict(content.figure_rows(entry))
    assert figures["Resultat"] == "11.200 (juni 2021)"
    assert figures["Målværdi"] == "10.300 (for juni 2021)"
    assert entry.facts[0] == "Resultat for juni 2021: 11.200 brugere mod et måltal på 10.300."
    assert PROVISIONAL in entry.facts and PROVISIONAL in entry.provenance


def test_the_status_table_command_shows_the_target(world, users_target):
    out = io.StringIO()
    call_command(
        "goals",
        "status",
        "2021",
        "--at",
        "2021-06-30",
        "--organisation",
        world.organisation.name,
        stdout=out,
    )
    assert "digital_unique_users" in out.getvalue() and "on_track" in out.getvalue()


@pytest.mark.parametrize(
    ("spans", "words"),
    [
        ([(date(2021, 1, 1), date(2021, 6, 30))], "1. halvår 2021"),
        ([(date(2021, 1, 1), date(2021, 5, 31))], "januar–maj 2021"),
        ([(date(2021, 6, 1), date(2021, 6, 30))], "juni 2021"),
        (
            [(date(2021, 1, 1), date(2021, 3, 31)), (date(2021, 4, 1), date(2021, 6, 30))],
            "1.–2. kvartal 2021",
        ),
        (
            [(date(2021, 1, 1), date(2021, 6, 30)), (date(2021, 7, 1), date(2021, 12, 31))],
            "1. halvår 2021 og 2. halvår 2021",
        ),
        (
            [(date(2021, m, 1), date(2021, m, calendar.monthrange(2021, m)[1])) for m in (1, 3, 4)],
            "januar og marts–april 2021",
        ),
        (
            [
                (date(2020, 11, 1), date(2020, 11, 30)),
                (date(2020, 12, 1), date(2020, 12, 31)),
                (date(2021, 1, 1), date(2021, 1, 31)),
            ],
            "november 2020–januar 2021",
        ),
        ([(date(2021, 1, 1), date(2021, 6, 15))], "1. januar–15. juni 2021"),
    ],
)
def test_periods_are_named_as_a_manager_reads_them(spans, words):
    with translation.override("da"):
        assert period_names.spans_words(spans) == words
