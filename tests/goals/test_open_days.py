"""Open days: one definition on every page, and the totals per open day beside the totals where
the baseline year had closures."""

from datetime import date, time, timedelta

import pytest
from django.urls import reverse

from bibliotal.core.models import Closure
from bibliotal.goals import open_days
from bibliotal.goals import progress as P
from bibliotal.goals.indicators import DailyValue
from bibliotal.goals.models import BudgetYear, FocusArea, Target
from bibliotal.goals.reporting import status_rows
from bibliotal.reports import content
from tests.conftest import weekly_schedule
from tests.goals.conftest import FakeProvider, every_day
from tests.goals.conftest import target_spec as spec


def days(start: date, end: date):
    while start <= end:
        yield start
        start += timedelta(days=1)


def series(year, value, *, closed=(), hours=True, closures=()):
    """``value`` a day on every open day of ``year``; ``closed`` a (first, last) span."""
    opened = {d: not (closed and closed[0] <= d <= closed[1]) for d in every_day(year)}
    values = {d: value for d, is_open in opened.items() if is_open}
    if not hours:
        return P.Series(values, None, closures=closures, no_opening_hours=True)
    return P.Series(values, opened, closures=closures)


LOCKDOWN_2020 = (date(2020, 3, 1), date(2020, 5, 31))


def test_the_totals_per_open_day_cover_the_same_calendar_days_in_both_years():
    current = series(2021, 8.0)
    base = series(2020, 10.0, closed=LOCKDOWN_2020, closures=("COVID-19",))
    result = P.compute(spec(), at=date(2021, 6, 30), current=current, history={2020: base})
    assert P.NOTE_BASELINE_CLOSURES in result.notes
    # 1 January – 30 June: 181 open days in 2021; in 2020 182 days less 92 closed = 90.
    assert (result.actual_open_days, result.baseline_open_days) == (181, 90)
    assert result.actual_per_open_day == pytest.approx(8.0)
    assert result.baseline_per_open_day == pytest.approx(10.0)
    assert (result.actual, result.baseline) == (181 * 8.0, 90 * 10.0)  # the totals stay totals


def test_figures_recorded_to_an_earlier_day_count_the_open_days_to_that_day():
    january = dict.fromkeys(days(date(2021, 1, 1), date(2021, 1, 31)), 8.0)
    current = P.Series(january, dict.fromkeys(every_day(2021), True))
    base = series(2020, 10.0, closures=("Renovering",))
    result = P.compute(spec(), at=date(2021, 6, 30), current=current, history={2020: base})
    assert result.data_through == date(2021, 1, 31)
    assert (result.actual_open_days, result.baseline_open_days) == (31, 31)


def test_a_period_where_every_day_was_closed_has_no_rate_and_says_so():
    closed_year = P.Series(
        {date(2021, 1, 5): 3.0}, dict.fromkeys(every_day(2021), False), closures=("COVID-19",)
    )
    base = series(2020, 10.0, closed=LOCKDOWN_2020, closures=("COVID-19",))
    result = P.compute(spec(), at=date(2021, 2, 28), current=closed_year, history={2020: base})
    assert result.actual_open_days == 0 and result.actual_per_open_day is None
    assert P.NOTE_NO_OPEN_DAYS in result.notes
    assert result.actual == 3.0  # phone guidance in a lockdown still counts in the total


def test_a_baseline_without_opening_hours_gets_no_rate_and_says_so():
    base = series(2020, 10.0, hours=False, closures=("COVID-19",))
    result = P.compute(
        spec(), at=date(2021, 6, 30), current=series(2021, 8.0), history={2020: base}
    )
    assert result.actual_open_days == 181 and result.baseline_open_days is None
    assert result.baseline_per_open_day is None
    assert P.NOTE_NO_RATE in result.notes


def test_a_baseline_closed_throughout_the_same_period_says_it_has_no_rate():
    base = series(2020, 10.0, closed=(date(2020, 1, 1), date(2020, 6, 30)), closures=("Ombygning",))
    result = P.compute(
        spec(), at=date(2021, 6, 30), current=series(2021, 8.0), history={2020: base}
    )
    assert result.baseline_open_days == 0 and result.baseline_per_open_day is None
    assert open_days.NOTE_NO_BASELINE_OPEN_DAYS in result.notes


def test_activity_that_needs_no_open_library_gets_no_open_days():
    loans = P.Series(dict.fromkeys(every_day(2021), 5.0))
    result = P.compute(spec(), at=date(2021, 6, 30), current=loans, history={})
    assert result.actual_open_days is None and result.actual_per_open_day is None


@pytest.fixture
def visits_2021(world, provide):
    """Two libraries open every day; 2020 closed from 1 March to 31 May. 8 visits a day per
    library in 2021, 10 in 2020 on open days."""
    world.organisation.closed_on_public_holidays = False
    world.organisation.save()
    for branch in (world.north, world.south):
        weekly_schedule(branch, staffed=(time(10), time(18)))
    Closure.objects.create(
        organisation=world.organisation,
        start_date=LOCKDOWN_2020[0],
        end_date=LOCKDOWN_2020[1],
        reason="COVID-19",
    )
    daily = []
    for branch in (world.north, world.south):
        daily += [
            DailyValue(branch.pk, d, 10.0)
            for d in every_day(2020)
            if not LOCKDOWN_2020[0] <= d <= LOCKDOWN_2020[1]
        ]
        daily += [DailyValue(branch.pk, d, 8.0) for d in every_day(2021)]
    provide("visits", FakeProvider(daily))
    area = FocusArea.objects.create(
        budget_year=BudgetYear.objects.create(organisation=world.organisation, year=2021),
        title="Mødested",
    )
    return Target.objects.create(
        focus_area=area, indicator="visits", kind="increase", baseline_year=2020
    )


def test_the_status_rows_give_both_years_open_days_and_rates(world, visits_2021):
    [row] = status_rows(organisation=world.organisation, year=2021, at=date(2021, 6, 30))
    # Two libraries open on the same dates: 181 open days (not 362 library-days) in 2021.
    assert (row["actual_open_days"], row["baseline_open_days"]) == (181, 90)
    assert (row["actual_per_open_day"], row["baseline_per_open_day"]) == (16.0, 20.0)


def test_a_year_closed_throughout_with_hours_registered_is_closed_not_without_hours(
    world, visits_2021
):
    Closure.objects.create(
        organisation=world.organisation,
        start_date=date(2021, 1, 1),
        end_date=date(2021, 12, 31),
        reason="Ombygning",
    )
    [row] = status_rows(organisation=world.organisation, year=2021, at=date(2021, 6, 30))
    assert row["actual_open_days"] == 0 and row["actual_per_open_day"] is None
    assert "Intet bibliotek i målgruppen har haft åbent endnu i perioden." in row["notes"]
    assert not any("Der er ikke registreret åbningstider" in note for note in row["notes"])


def test_the_goal_page_shows_the_totals_per_open_day_with_their_open_days(
    client, world, visits_2021
):
    url = reverse("goals:target_detail", args=[2021, visits_2021.pk]) + "?at=2021-06-30"
    client.force_login(world.staff)
    page = client.get(url).content.decode()
    assert "<dt>Faktisk pr. åbningsdag</dt><dd>16" in page
    assert "181 åbningsdage til og med 30. juni 2021" in page
    assert "<dt>2020 pr. åbningsdag, samme periode</dt><dd>20" in page
    assert "(90 åbningsdage)" in page
    assert "En åbningsdag er en dato, hvor mindst ét af bibliotekerne havde åbent" in page
    client.force_login(world.outsider)
    assert client.get(url).status_code == 403


def test_the_goal_page_shows_no_rate_where_no_closures_ask_for_one(client, world, visits_2021):
    Closure.objects.all().delete()
    client.force_login(world.staff)
    page = client.get(
        reverse("goals:target_detail", args=[2021, visits_2021.pk]) + "?at=2021-06-30"
    ).content.decode()
    assert "pr. åbningsdag" not in page


def test_the_report_gives_the_rates_in_the_figures_the_notes_and_the_facts(world, visits_2021):
    entry = content.target_entry(visits_2021, at=date(2021, 6, 30))
    figures = dict(content.figure_rows(entry))
    assert figures["Resultat pr. åbningsdag"] == "16,0 (181 åbningsdage)"
    assert figures["Basis 2020 pr. åbningsdag, samme periode"] == "20,0 (90 åbningsdage)"
    sentence = (
        "Pr. åbningsdag til og med 30. juni: 16,0 besøg i 2021 (181 åbningsdage). "
        "Samme periode i 2020: 20,0 pr. åbningsdag (90 åbningsdage)."
    )
    assert sentence in entry.provenance  # "Om tallene" in the PDF and the DOCX
    assert sentence in entry.facts
    # The open-days lines are not said twice.
    assert not any(line.startswith("Åbningsdage i") for line in entry.provenance)
