"""Edge cases of the progress engine found in review, each computed by hand."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from bibliotal.core.models import Closure
from bibliotal.goals import progress
from bibliotal.goals.indicators import DailyValue
from bibliotal.goals.models import BudgetYear, FocusArea, Target
from bibliotal.goals.reporting import status_rows
from tests.conftest import weekly_schedule
from tests.goals.conftest import FakeProvider, every_day
from tests.goals.conftest import target_spec as spec

P = progress


def flat(year, value, *, start=None, end=None, open_days=True, no_hours=False):
    days = [
        d for d in every_day(year) if (start is None or d >= start) and (end is None or d <= end)
    ]
    opened = dict.fromkeys(every_day(year), True) if open_days else None
    return P.Series(dict.fromkeys(days, value), opened, no_opening_hours=no_hours)


def test_rates_per_open_day_need_opening_hours_in_both_years():
    result = P.compute(
        spec(normalisation=P.PER_OPEN_DAY),
        at=date(2021, 6, 30),
        current=flat(2021, 10),
        history={2020: flat(2020, 10, no_hours=True)},
    )
    assert result.status == P.NO_DATA and P.NOTE_NO_RATE in result.notes


def test_figures_not_yet_reported_are_not_counted_as_zero():
    current = flat(2021, 10, end=date(2021, 5, 31))
    at_may = P.compute(spec(kind=P.AT_LEAST, threshold=3500), at=date(2021, 5, 31), current=current)
    at_june = P.compute(
        spec(kind=P.AT_LEAST, threshold=3500), at=date(2021, 6, 30), current=current
    )
    assert at_june.data_through == date(2021, 5, 31)
    assert P.NOTE_DATA_THROUGH in at_june.notes
    assert (
        (at_june.actual, at_june.forecast, at_june.status)
        == (at_may.actual, at_may.forecast, at_may.status)
        == (1510.0, 3650.0, P.ON_TRACK)
    )


def test_nothing_recorded_yet_gives_no_forecast_rather_than_a_zero_width_range():
    current = P.Series({d: 0.0 for d in every_day(2021) if d <= date(2021, 1, 20)})
    result = P.compute(spec(kind=P.AT_LEAST, threshold=1000), at=date(2021, 1, 20), current=current)
    assert result.forecast is None and result.forecast_low is None
    assert P.NOTE_NO_ACTIVITY in result.notes


def test_a_school_year_across_new_year_compares_with_the_school_year_before():
    start, end = date(2021, 8, 1), date(2022, 7, 31)
    current = P.Series(dict.fromkeys(P.days_between(start, date(2021, 12, 31)), 20.0))
    base = P.Series(dict.fromkeys(P.days_between(date(2020, 8, 1), date(2021, 7, 31)), 10.0))
    result = P.compute(
        spec(start=start, end=end), at=date(2021, 12, 31), current=current, history={2020: base}
    )
    # August to December: 153 days × 20 = 3,060 against 153 × 10 = 1,530 a year before.
    assert (result.actual, result.baseline, result.baseline_full) == (3060.0, 1530.0, 3650.0)


def test_per_1000_inhabitants_accumulates_like_a_total():
    current = flat(2021, 10)
    result = P.compute(
        spec(kind=P.AT_LEAST, threshold=100, normalisation=P.PER_1000, baseline_year=None),
        at=date(2021, 3, 31),
        current=current,
        population={2021: 36_500},
    )
    # 90 days × 10 = 900 visits = 24.66 per 1,000; on pace: 100 × 90/365 = 24.66 expected.
    assert result.actual == pytest.approx(24.6575, abs=1e-3)
    assert result.expected == pytest.approx(24.6575, abs=1e-3)
    early = P.compute(
        spec(kind=P.AT_LEAST, threshold=80, normalisation=P.PER_1000, baseline_year=None),
        at=date(2021, 11, 30),
        current=current,
        population={2021: 36_500},
    )
    assert early.status == P.ACHIEVED


def test_unique_users_for_half_a_year_are_judged_against_half_a_years_share():
    periods = [P.Period(date(2021, 1, 1), date(2021, 6, 30), 6000)]
    baseline = [
        P.Period(date(2020, 1, 1), date(2020, 6, 30), 5000),
        P.Period(date(2020, 1, 1), date(2020, 12, 31), 9000),
    ]
    at_least = P.compute(
        spec(kind=P.AT_LEAST, threshold=10000, additive=False),
        at=date(2021, 7, 15),
        current_periods=periods,
        baseline_periods=baseline,
    )
    # 10,000 × 5,000 / 9,000 = 5,556 expected by 30 June; 6,000 is ahead.
    assert at_least.target_value == pytest.approx(5555.56, abs=0.01)
    assert at_least.status == P.ON_TRACK
    at_most = P.compute(
        spec(kind=P.AT_MOST, threshold=4000, additive=False),
        at=date(2021, 7, 15),
        current_periods=periods,
        baseline_periods=baseline,
    )
    assert at_most.status == P.OFF_TRACK  # unique users to date only grow


@pytest.fixture
def lockdown_2021(world, provide):
    world.organisation.closed_on_public_holidays = False
    world.organisation.save()
    weekly_schedule(world.north, staffed=(time(10), time(18)))
    Closure.objects.create(
        organisation=world.organisation,
        start_date=date(2021, 1, 1),
        end_date=date(2021, 2, 28),
        reason="COVID-19",
    )
    provide(
        "guidance",
        FakeProvider(
            [DailyValue(world.north.pk, d, 5.0) for d in every_day(2021) if d <= date(2021, 2, 10)]
        ),
    )
    area = FocusArea.objects.create(
        budget_year=BudgetYear.objects.create(organisation=world.organisation, year=2021),
        title="Læring",
    )
    return Target.objects.create(
        focus_area=area,
        indicator="guidance",
        kind="at_least",
        threshold=Decimal("150"),
        normalisation="per_open_day",
    )


def test_a_rate_per_open_day_in_a_lockdown_says_so_instead_of_failing(client, world, lockdown_2021):
    rows = status_rows(organisation=world.organisation, year=2021, at=date(2021, 2, 10))
    assert rows[0]["status"] == "no_data"
    assert rows[0]["notes"][-1] == "Intet bibliotek i målgruppen har haft åbent endnu i perioden."
    client.force_login(world.manager)
    assert client.get("/goals/2021/?at=2021-02-10").status_code == 200
    assert client.get(f"/goals/2021/targets/{lockdown_2021.pk}/?at=2021-02-10").status_code == 200


def test_a_year_out_of_range_is_refused_clearly(client, world):
    client.force_login(world.manager)
    assert client.get("/api/v1/goals/10000/status").status_code == 422
    with pytest.raises(CommandError, match="not a budget year"):
        call_command("goals", "status", "0", "--organisation", world.organisation.name)


def test_closed_days_after_the_last_figure_are_not_days_not_yet_counted():
    """31 December is closed: the figures through the 30th are the whole year."""
    days = [date(2021, 1, 1) + timedelta(days=i) for i in range(365)]
    values = {d: 10.0 for d in days if d != date(2021, 12, 31)}
    current = P.Series(values, {d: d != date(2021, 12, 31) for d in days})
    result = P.compute(
        spec(kind=P.AT_LEAST, threshold=3000), at=date(2021, 12, 31), current=current
    )
    assert result.data_through is None
    assert P.NOTE_DATA_THROUGH not in result.notes
    assert (result.actual, result.status) == (3640.0, P.ACHIEVED)
