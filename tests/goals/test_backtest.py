"""The back-test a manager can run on her own past, and what the goal page says of it."""

import json
from datetime import date, time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from bibliotal.goals import reporting
from bibliotal.goals.charts import progress_chart
from bibliotal.goals.indicators import DailyValue
from bibliotal.goals.models import BudgetYear, FocusArea, Target
from tests.conftest import weekly_schedule
from tests.goals.conftest import FakeProvider
from tests.goals.scenarios import normal_year


@pytest.fixture
def four_years(world, provide):
    """Two libraries open Monday to Saturday since 2018; visits in 2018–2021 and the first half
    of 2022, each library a normal year of its own (seasons, weekdays, noise)."""
    import random

    world.organisation.closed_on_public_holidays = False
    world.organisation.save()
    for branch in (world.north, world.south):
        weekly_schedule(branch, staffed=(time(10), time(18)), valid_from=date(2018, 1, 1))
    rng = random.Random(17)
    daily = []
    for branch in (world.north, world.south):
        for year in (2018, 2019, 2020, 2021, 2022):
            series = normal_year(rng, year)
            daily += [
                DailyValue(branch.pk, d, v)
                for d, v in series.values.items()
                if year < 2022 or d <= date(2022, 6, 30)
            ]
    provide("visits", FakeProvider(daily))
    return daily


def _backtest(world, *args):
    from io import StringIO

    out = StringIO()
    call_command("goals", "backtest", *args, "--organisation", world.organisation.name, stdout=out)
    return out.getvalue()


def test_the_backtest_replays_every_month_end_of_the_last_three_complete_years(world, four_years):
    rows = json.loads(
        _backtest(world, "--indicator", "visits", "--today", "2022-07-01", "--format", "json")
    )
    (row,) = rows
    assert row["indicator"] == "visits"
    assert row["years"] == [2019, 2020, 2021]
    # January to November of each year: December's end has nothing left to forecast.
    assert row["points"] == row["forecasts"] == 33
    months = row["months"]
    assert [m["at"] for m in months[:2]] == ["2019-01-31", "2019-02-28"]
    assert months[-1]["at"] == "2021-11-30"
    # Each month: the forecast from what was known that day, against what the year came to.
    truth_2021 = sum(v.value for v in four_years if v.day.year == 2021)
    assert months[-1]["actual_year"] == pytest.approx(truth_2021, rel=1e-6)
    assert sum(m["inside"] for m in months) == row["inside"]
    assert 0.7 <= row["coverage"] <= 1.0
    assert row["mean_width"] < 0.25
    # The naive forecast needs last year's whole: it exists for all 33 months (2018 is there).
    assert row["paired_points"] == 33
    # Steady years: last year's shape is as good a guide as any, and both are close.
    assert row["mape"] < 0.05 and row["naive_mape"] < 0.05


def test_the_backtest_table_says_how_often_the_year_ended_inside_the_range(world, four_years):
    with translation.override("da"):
        text = _backtest(world, "--today", "2022-07-01")
    assert "visits" in text and "2019–2021" in text
    assert "Alle indikatorer: årets resultat lå inden for 80 %-intervallet" in text


def test_the_backtest_of_an_unknown_indicator_names_the_ones_there_are(world, four_years):
    with translation.override("en"), pytest.raises(CommandError) as raised:
        _backtest(world, "--indicator", "loans")
    assert "loans is not an indicator that is forecast (one of: visits," in str(raised.value)


def test_the_backtest_without_a_complete_past_year_says_so(world):
    with translation.override("en"):
        text = _backtest(world, "--today", "2022-07-01")
    assert text.strip() == "No complete past year with figures to replay the forecast on."


@pytest.fixture
def target_2022(world, four_years):
    budget_year = BudgetYear.objects.create(organisation=world.organisation, year=2022)
    area = FocusArea.objects.create(budget_year=budget_year, title="Mødested")
    return Target.objects.create(
        focus_area=area, indicator="visits", kind="increase", baseline_year=2021
    )


def test_the_goal_page_tells_how_the_forecast_did_on_the_past_years(client, world, target_2022):
    client.force_login(world.manager)
    url = reverse("goals:target_detail", args=[2022, target_2022.pk])
    page = client.get(url, {"at": "2022-06-30"}).content.decode()
    computed = reporting.compute_target_progress(target_2022, at=date(2022, 6, 30))
    record = computed.track_record()
    assert record is not None
    # The goal holds the three years before 2022; 2019 has no year before it there, so 2020 and
    # 2021 are replayed, each from its eleven month ends.
    assert "De seneste 2 år lå årets resultat inden for 80 %-intervallet" in page
    assert "af 22 gange (prognoser fra hver månedsafslutning)" in page


def test_a_finished_year_has_no_track_record_sentence(client, world, target_2022):
    computed = reporting.compute_target_progress(target_2022, at=date(2022, 12, 31))
    assert computed.track_record() is None


def _values(spec, series, day):
    """The chart data points of one series on one day, wherever Vega-Lite keeps them."""
    found = []
    if isinstance(spec, dict):
        if spec.get("series") == series and spec.get("date") == day:
            found.append(spec["value"])
        for value in spec.values():
            found += _values(value, series, day)
    elif isinstance(spec, list):
        for value in spec:
            found += _values(value, series, day)
    return found


def test_the_charts_pace_meets_the_pages_expected_by_now(world, target_2022):
    at = date(2022, 6, 25)  # a point of the chart's line (every seventh day from 1 January)
    with translation.override("en"):
        computed = reporting.compute_target_progress(target_2022, at=at)
        chart = progress_chart(computed)
        pace = _values(chart.spec, "Pace to the target", at.isoformat())
    assert computed.result.expected is not None
    assert pace == [round(computed.result.expected, 1)]
