"""The baseline and the value to reach are known as soon as the baseline year is counted: before
the target year's first import, and before the year has even begun. Without figures for the
baseline year the target says so and has no value to reach, never a crash."""

from __future__ import annotations

import io
import json
from datetime import date, time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from bibliotal.core.models import PopulationFigure
from bibliotal.goals import progress as P
from bibliotal.goals.indicators import DailyValue, PeriodValue
from bibliotal.goals.models import BudgetYear, FocusArea, Target
from bibliotal.reports import content
from tests.conftest import weekly_schedule
from tests.goals.conftest import FakeProvider, every_day

# -- the engine ---------------------------------------------------------------------------------


def spec(**fields):
    defaults = {
        "kind": P.INCREASE_PERCENT,
        "percent": 5.0,
        "start": date(2023, 1, 1),
        "end": date(2023, 12, 31),
        "baseline_year": 2022,
    }
    return P.TargetSpec(**{**defaults, **fields})


def counted_2022(value=10.0, *, closed_on_sundays=False, no_hours=False, closures=()):
    opened = {d: not (closed_on_sundays and d.weekday() == 6) for d in every_day(2022)}
    values = {d: value for d, is_open in opened.items() if is_open}
    return P.Series(values, None if no_hours else opened, 0.0, closures, no_hours)


def test_before_the_first_import_the_baseline_and_the_value_to_reach_are_known():
    result = P.compute(
        spec(), at=date(2023, 1, 10), current=P.Series({}), history={2022: counted_2022()}
    )
    # 2022: 365 × 10 = 3,650; plus 5 % = 3,832.5 to reach.
    assert (result.baseline_full, result.target_value) == (3650.0, pytest.approx(3832.5))
    assert result.baseline is None and result.actual is None and result.progress is None
    assert result.status == P.NO_DATA and result.notes == [P.NOTE_NO_DATA]


def test_a_target_planned_in_december_shows_the_baseline_and_the_value_to_reach():
    result = P.compute(
        spec(kind=P.INCREASE, percent=None),
        at=date(2022, 12, 15),
        current=P.Series({}),
        history={2022: counted_2022(closures=("Renovering",))},
    )
    assert (result.baseline_full, result.target_value) == (3650.0, 3650.0)
    assert result.status == P.NO_DATA
    assert result.notes == [P.NOTE_NOT_STARTED, P.NOTE_BASELINE_CLOSURES]


def test_a_threshold_is_the_value_to_reach_before_the_first_figure():
    result = P.compute(
        spec(kind=P.AT_LEAST, threshold=45000, percent=None, baseline_year=None),
        at=date(2023, 1, 10),
        current=P.Series({}),
    )
    assert (result.target_value, result.baseline_full, result.status) == (45000, None, P.NO_DATA)


def test_per_open_day_the_value_to_reach_is_the_baseline_years_rate():
    result = P.compute(
        spec(normalisation=P.PER_OPEN_DAY),
        at=date(2023, 1, 10),
        current=P.Series({}),
        history={2022: counted_2022(closed_on_sundays=True)},
    )
    # Closed on Sundays: 10 a day on the open days is 10 per open day, whatever their number.
    assert result.baseline_full == 10.0
    assert result.target_value == pytest.approx(10.5)


def test_per_open_day_without_opening_hours_in_the_baseline_year_says_so():
    result = P.compute(
        spec(normalisation=P.PER_OPEN_DAY),
        at=date(2023, 1, 10),
        current=P.Series({}),
        history={2022: counted_2022(no_hours=True)},
    )
    assert result.target_value is None and result.baseline_full is None
    assert result.status == P.NO_DATA and P.NOTE_NO_RATE in result.notes


def test_per_1000_inhabitants_the_value_to_reach_needs_the_baseline_years_population():
    known = P.compute(
        spec(normalisation=P.PER_1000),
        at=date(2023, 1, 10),
        current=P.Series({}),
        history={2022: counted_2022()},
        population={2022: 36_500},
    )
    # 3,650 / 36,500 × 1,000 = 100 per 1,000 inhabitants; plus 5 %.
    assert (known.baseline_full, known.target_value) == (100.0, pytest.approx(105.0))
    missing = P.compute(
        spec(normalisation=P.PER_1000),
        at=date(2023, 1, 10),
        current=P.Series({}),
        history={2022: counted_2022()},
        population={2023: 36_600},
    )
    assert missing.target_value is None and P.NOTE_NO_POPULATION in missing.notes


def test_a_baseline_year_without_figures_gives_no_value_to_reach_and_says_why():
    for at in (date(2022, 12, 15), date(2023, 1, 10)):
        result = P.compute(spec(), at=at, current=P.Series({}), history={2022: P.Series({})})
        assert result.target_value is None and result.baseline_full is None
        assert result.status == P.NO_DATA and P.NOTE_NO_BASELINE in result.notes
    nothing = P.compute(spec(), at=date(2023, 1, 10))  # no series passed at all
    assert nothing.status == P.NO_DATA and P.NOTE_NO_BASELINE in nothing.notes


def test_a_period_figure_planned_ahead_compares_with_the_baseline_years_whole_period():
    result = P.compute(
        spec(additive=False),
        at=date(2022, 12, 15),
        baseline_periods=[
            P.Period(date(2022, 1, 1), date(2022, 6, 30), 4000),
            P.Period(date(2022, 1, 1), date(2022, 12, 31), 6000),
        ],
    )
    assert (result.baseline_full, result.target_value) == (6000, pytest.approx(6300.0))
    assert result.status == P.NO_DATA and P.NOTE_NOT_STARTED in result.notes
    unknown = P.compute(spec(additive=False), at=date(2022, 12, 15))
    assert unknown.target_value is None and P.NOTE_NO_BASELINE in unknown.notes


# -- every output -------------------------------------------------------------------------------


@pytest.fixture
def before_2023(world, provide):
    """2022 counted in full (10 visits a day at each of two libraries, open every day); nothing
    imported for 2023 yet. The target: 5 % more visits than in 2022."""
    world.organisation.closed_on_public_holidays = False
    world.organisation.save()
    for branch in (world.north, world.south):
        weekly_schedule(branch, staffed=(time(10), time(18)))
    provide(
        "visits",
        FakeProvider(
            DailyValue(branch.pk, day, 10.0)
            for branch in (world.north, world.south)
            for day in every_day(2022)
        ),
    )
    area = FocusArea.objects.create(
        budget_year=BudgetYear.objects.create(organisation=world.organisation, year=2023),
        title="Mødested",
    )
    return Target.objects.create(
        focus_area=area,
        indicator="visits",
        kind=Target.Kind.INCREASE_PERCENT,
        percent=Decimal("5"),
        baseline_year=2022,
        source_text="Besøgstallet skal stige med 5 % i forhold til 2022.",
    )


def status_json(world, at: str) -> list[dict]:
    out = io.StringIO()
    call_command(
        "goals",
        "status",
        "2023",
        "--at",
        at,
        "--format",
        "json",
        "--organisation",
        world.organisation.name,
        stdout=out,
    )
    return json.loads(out.getvalue())


def test_goals_status_gives_the_value_to_reach_before_the_first_import(world, before_2023):
    [row] = status_json(world, "2023-01-10")
    # 2022: 365 days × 2 libraries × 10 = 7,300; plus 5 % = 7,665.
    assert (row["baseline_full"], row["target_value"]) == (7300.0, 7665.0)
    assert (row["actual"], row["baseline"], row["status"]) == (None, None, "no_data")
    assert "Der er endnu ikke registreret tal for perioden." in row["notes"]
    out = io.StringIO()
    call_command(
        "goals",
        "status",
        "2023",
        "--at",
        "2023-01-10",
        "--organisation",
        world.organisation.name,
        stdout=out,
    )
    table = out.getvalue()
    assert "target_value" in table and "7.665" in table  # Danish figures


def test_goals_status_gives_the_value_to_reach_when_planned_in_december(world, before_2023):
    [row] = status_json(world, "2022-12-15")
    assert (row["baseline_full"], row["target_value"], row["status"]) == (
        7300.0,
        7665.0,
        "no_data",
    )
    assert row["notes"] == ["Perioden er ikke begyndt."]


def test_the_api_gives_the_value_to_reach_before_the_first_import(client, world, before_2023):
    client.force_login(world.staff)
    [row] = client.get("/api/v1/goals/2023/status", {"at": "2023-01-10"}).json()
    assert (row["target_value"], row["status"]) == (7665.0, "no_data")


def test_the_goal_pages_show_the_baseline_and_the_value_to_reach(client, world, before_2023):
    client.force_login(world.staff)
    page = client.get(
        reverse("goals:target_detail", args=[2023, before_2023.pk]), {"at": "2023-01-10"}
    ).content.decode()
    assert "<dt>2022 i alt</dt><dd>7.300</dd>" in page
    assert "<dt>Måltal</dt><dd>7.665</dd>" in page
    assert "Ingen data" in page
    overview = client.get(
        reverse("goals:year_detail", args=[2023]), {"at": "2023-01-10"}
    ).content.decode()
    assert "Målværdi" in overview
    assert '<td class="n">7.665<br><span class="note">2022 i alt: 7.300</span></td>' in overview
    client.force_login(world.stranger)
    assert client.get(reverse("goals:year_detail", args=[2023])).status_code == 404


def test_the_report_shows_the_value_to_reach_before_the_first_import(client, world, before_2023):
    report = content.build_report(
        organisation=world.organisation,
        year=2023,
        at=date(2023, 1, 10),
        language="da",
        charts=False,
    )
    [entry] = report.entries
    rows = dict(content.figure_rows(entry))
    assert rows["Basis 2022, hele perioden"] == "7.300"
    assert rows["Målværdi"] == "7.665"
    assert content.summary_row(report, entry)[4] == "7.665"
    assert entry.facts == [
        "Der er endnu ikke registreret tal for perioden.",
        "Målværdien er 7.665 besøg.",
    ]
    client.force_login(world.manager)
    page = client.get(reverse("reports:report_detail", args=[2023]), {"at": "2023-01-10"})
    assert '<td class="n">7.665</td>' in page.content.decode()
    comment = client.get(
        reverse("reports:comment_edit", args=[2023, before_2023.pk]), {"at": "2023-01-10"}
    )
    assert "Målværdien er 7.665 besøg." in comment.content.decode()


def test_per_1000_and_per_open_day_targets_get_their_value_to_reach(world, before_2023):
    PopulationFigure.objects.create(organisation=world.organisation, year=2022, population=50_000)
    for normalisation in ("per_1000", "per_open_day"):
        Target.objects.create(
            focus_area=before_2023.focus_area,
            indicator="visits",
            kind=Target.Kind.INCREASE_PERCENT,
            percent=Decimal("5"),
            baseline_year=2022,
            normalisation=normalisation,
        )
    rows = {row["normalisation"]: row for row in status_json(world, "2023-01-10")}
    # 7,300 / 50,000 × 1,000 = 146 per 1,000 inhabitants; 7,300 / 365 open days = 20 a day.
    assert (rows["per_1000"]["baseline_full"], rows["per_1000"]["target_value"]) == (
        146.0,
        153.3,
    )
    assert (rows["per_open_day"]["baseline_full"], rows["per_open_day"]["target_value"]) == (
        20.0,
        21.0,
    )
    assert {row["status"] for row in rows.values()} == {"no_data"}


def test_a_baseline_year_without_figures_says_so_on_every_output(client, world, before_2023):
    before_2023.baseline_year = 2019
    before_2023.save()
    [row] = status_json(world, "2023-01-10")
    assert (row["target_value"], row["baseline_full"], row["status"]) == (None, None, "no_data")
    assert "Ingen tal for basisåret." in row["notes"]
    client.force_login(world.staff)
    page = client.get(
        reverse("goals:target_detail", args=[2023, before_2023.pk]), {"at": "2023-01-10"}
    )
    assert page.status_code == 200 and "Ingen tal for basisåret." in page.content.decode()
    report = client.get(reverse("reports:report_detail", args=[2023]), {"at": "2023-01-10"})
    assert report.status_code == 200


def test_unique_users_planned_ahead_show_the_value_to_reach(world, provide):
    provide(
        "digital_unique_users",
        FakeProvider(periods=[PeriodValue(date(2022, 1, 1), date(2022, 12, 31), 6000, "login")]),
    )
    area = FocusArea.objects.create(
        budget_year=BudgetYear.objects.create(organisation=world.organisation, year=2023),
        title="Digitalt",
    )
    Target.objects.create(
        focus_area=area,
        indicator="digital_unique_users",
        kind=Target.Kind.INCREASE,
        baseline_year=2022,
        measure="unique",
    )
    [row] = status_json(world, "2022-12-15")
    assert (row["baseline_full"], row["target_value"], row["status"]) == (
        6000.0,
        6000.0,
        "no_data",
    )
