"""Unique users before the year's figure: like periods compared, never summed (pure engine)."""

import calendar
from datetime import date

import pytest

from bibliotal.goals import period_figures as F
from bibliotal.goals import progress as P
from tests.goals.conftest import target_spec


def months(year, values, method="login"):
    """``values`` maps a month's number to its unique users."""
    return [
        P.Period(date(year, m, 1), date(year, m, calendar.monthrange(year, m)[1]), v, method)
        for m, v in values.items()
    ]


def year_figure(year, value):
    return P.Period(date(year, 1, 1), date(year, 12, 31), value, "login")


def spec(**fields):
    return target_spec(**{"additive": False, **fields})


def run(current, baseline, *, at=date(2021, 6, 30), **fields):
    return P.compute(spec(**fields), at=at, current_periods=current, baseline_periods=baseline)


BASELINE = [*months(2020, dict.fromkeys(range(1, 13), 1000)), year_figure(2020, 5000)]


def test_months_are_compared_with_the_same_months_and_the_status_is_provisional():
    current = months(2021, {1: 1300, 2: 1250, 3: 1100, 4: 900, 5: 950, 6: 1000})
    result = run(current, BASELINE)
    comparison = result.comparison
    assert comparison.kind == F.MONTH and comparison.compared == 6
    assert [before.start for _now, before in comparison.pairs] == [
        date(2020, m, 1) for m in range(1, 7)
    ]
    # The mean of the six ratios: (1.3 + 1.25 + 1.1 + 0.9 + 0.95 + 1.0) / 6 = 1.0833, a rise.
    assert comparison.ratio == pytest.approx(1.0833, abs=0.0001)
    assert comparison.rose == 3
    assert result.status == P.ON_TRACK and not result.final
    assert F.NOTE_PROVISIONAL in result.notes
    assert result.forecast is None


def test_months_are_never_added_up_the_latest_month_is_shown_as_itself():
    current = months(2021, dict.fromkeys(range(1, 7), 1200))
    result = run(current, BASELINE)
    # Six months of 1,200 users are not 7,200 users: June's own figure, labelled as June.
    assert result.actual == 1200
    assert (result.comparison.shown.start, result.comparison.shown.end) == (
        date(2021, 6, 1),
        date(2021, 6, 30),
    )
    assert result.comparison.shown_is_part
    assert (result.baseline, result.target_value, result.baseline_full) == (1000, 1000, 5000)


def test_a_figure_for_the_period_to_date_is_compared_with_the_same_span_first():
    current = [
        *months(2021, {1: 500, 2: 500, 3: 500, 4: 500, 5: 500, 6: 500}),
        P.Period(date(2021, 1, 1), date(2021, 6, 30), 3100, "login"),
    ]
    baseline = [*BASELINE, P.Period(date(2020, 1, 1), date(2020, 6, 30), 2900, "login")]
    result = run(current, baseline)
    # The months all fell by half, but January–June 2021 against January–June 2020 decides.
    assert result.comparison.kind == F.TO_DATE
    assert (result.actual, result.baseline, result.status) == (3100, 2900, P.ON_TRACK)
    assert result.progress == pytest.approx(3100 / 2900)


def test_a_figure_to_date_without_its_baseline_is_shown_and_the_months_judge():
    current = [
        *months(2021, {1: 900, 2: 800}),
        P.Period(date(2021, 1, 1), date(2021, 2, 28), 1500, "login"),
    ]
    result = run(current, BASELINE, at=date(2021, 3, 10))
    assert result.comparison.kind == F.MONTH
    assert result.actual == 1500 and result.baseline is None  # January–February 2021, shown
    assert result.comparison.shown.end == date(2021, 2, 28)
    # 0.9 and 0.8 of 2020's months: 85 %, under the 95 % at-risk line.
    assert result.status == P.OFF_TRACK


def test_missing_baseline_months_are_named_and_the_rest_compared():
    baseline = [*months(2020, {1: 1000, 2: 1000, 5: 1000, 6: 1000}), year_figure(2020, 5000)]
    current = months(2021, {1: 1100, 2: 1100, 3: 1100, 4: 1100, 5: 1100, 6: 1100})
    result = run(current, baseline)
    assert result.comparison.compared == 4
    assert result.comparison.missing == (
        (date(2020, 3, 1), date(2020, 3, 31)),
        (date(2020, 4, 1), date(2020, 4, 30)),
    )
    assert F.NOTE_BASELINE_PERIODS_MISSING in result.notes
    assert result.status == P.ON_TRACK


def test_no_baseline_month_to_compare_with_gives_no_data_and_says_why():
    baseline = [year_figure(2020, 5000), P.Period(date(2020, 1, 1), date(2020, 6, 30), 2900)]
    result = run(months(2021, dict.fromkeys(range(1, 7), 1200)), baseline)
    assert result.actual is None and result.status == P.NO_DATA
    assert P.NOTE_NOT_COMPARABLE in result.notes
    assert len(result.comparison.missing) == 6


def test_the_whole_years_figure_decides_and_the_status_is_final():
    current = [*months(2021, dict.fromkeys(range(1, 13), 1500)), year_figure(2021, 4800)]
    at_year_end = run(current, BASELINE, at=date(2022, 1, 15))
    # Every month rose, but the year's own figure is under 2020's 5,000: not achieved.
    assert at_year_end.final and at_year_end.comparison.final
    assert (at_year_end.actual, at_year_end.baseline) == (4800, 5000)
    assert at_year_end.status == P.NOT_ACHIEVED
    assert F.NOTE_PROVISIONAL not in at_year_end.notes
    current[-1] = year_figure(2021, 5200)
    assert run(current, BASELINE, at=date(2022, 1, 15)).status == P.ACHIEVED


def test_the_years_end_without_the_years_figure_stays_provisional():
    result = run(months(2021, dict.fromkeys(range(1, 13), 1100)), BASELINE, at=date(2021, 12, 31))
    assert not result.final and result.status == P.ON_TRACK
    assert F.NOTE_PROVISIONAL in result.notes


def test_february_is_matched_with_a_leap_years_february():
    current = months(2021, {1: 1000, 2: 1200})
    result = run(current, BASELINE, at=date(2021, 3, 5))
    assert result.comparison.compared == 2  # 1–28 February 2021 with 1–29 February 2020
    assert result.comparison.pairs[1][1].end == date(2020, 2, 29)


def test_a_rise_in_per_cent_asks_for_the_mean_ratio_to_reach_it():
    current = months(2021, {1: 1040, 2: 1060})
    # A mean of 1.05: 5 % more is reached, 6 % nearly (within 95 %), 20 % far from it.
    assert run(current, BASELINE, kind=P.INCREASE_PERCENT, percent=5).status == P.ON_TRACK
    assert run(current, BASELINE, kind=P.INCREASE_PERCENT, percent=6).status == P.AT_RISK
    assert run(current, BASELINE, kind=P.INCREASE_PERCENT, percent=20).status == P.OFF_TRACK


def test_a_threshold_for_the_year_is_judged_by_the_baseline_year_times_the_mean_ratio():
    current = months(2021, {1: 1100, 2: 1100})
    # 5,000 × 1.1 = 5,500 indicated for the year.
    at_least = run(current, BASELINE, kind=P.AT_LEAST, threshold=5400)
    assert at_least.status == P.ON_TRACK
    # The threshold's share for February, as 2020 divided it: 5,400 × 1,000 / 5,000.
    assert at_least.target_value == pytest.approx(1080)
    assert run(current, BASELINE, kind=P.AT_LEAST, threshold=5700).status == P.AT_RISK
    assert run(current, BASELINE, kind=P.AT_LEAST, threshold=7000).status == P.OFF_TRACK
    # No month can have more users than the year: a month over the cap is off track.
    assert run(current, BASELINE, kind=P.AT_MOST, threshold=1000).status == P.OFF_TRACK


def test_quarters_are_compared_when_quarters_are_what_is_reported():
    baseline = [
        P.Period(date(2020, 1, 1), date(2020, 3, 31), 3000),
        P.Period(date(2020, 4, 1), date(2020, 6, 30), 3000),
        *months(2020, {1: 1000}),
    ]
    current = [
        P.Period(date(2021, 1, 1), date(2021, 3, 31), 2700),
        P.Period(date(2021, 4, 1), date(2021, 6, 30), 2700),
        *months(2021, {1: 1500}),
    ]
    result = run(current, baseline)
    # The quarters compare 181 days, January alone 31: the quarters judge (10 % fewer).
    assert result.comparison.kind == F.QUARTER and result.comparison.compared == 2
    assert result.status == P.OFF_TRACK


def test_a_baseline_month_of_zero_users_is_no_crash():
    baseline = [*months(2020, {1: 0, 2: 0}), year_figure(2020, 5000)]
    result = run(months(2021, {1: 10, 2: 20}), baseline, at=date(2021, 3, 1))
    assert result.comparison.ratio is None
    assert result.status == P.ON_TRACK  # any user at all is a rise on none


def test_a_threshold_without_a_baseline_year_compares_only_a_figure_to_date():
    no_baseline = {"baseline_year": None, "kind": P.AT_LEAST, "threshold": 10000}
    result = run(months(2021, {1: 900, 2: 950}), [], **no_baseline)
    assert result.status == P.NO_DATA and P.NOTE_NOT_COMPARABLE in result.notes
    assert result.actual == 950  # February's own figure, labelled, never a sum


@pytest.mark.parametrize(
    ("start", "end", "kind"),
    [
        (date(2021, 2, 1), date(2021, 2, 28), F.MONTH),
        (date(2021, 4, 1), date(2021, 6, 30), F.QUARTER),
        (date(2021, 7, 1), date(2021, 12, 31), F.HALF_YEAR),
        (date(2021, 1, 1), date(2021, 12, 31), F.YEAR),
        (date(2021, 2, 1), date(2021, 4, 30), F.OTHER),
        (date(2021, 1, 4), date(2021, 1, 10), F.OTHER),
    ],
)
def test_periods_are_told_apart_by_their_calendar_span(start, end, kind):
    assert F.period_kind(start, end) == kind
