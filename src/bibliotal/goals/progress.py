"""The progress engine: where a target stands, where the year will end, and how sure that is.

Pure functions over plain data (no database), so every rule can be tested by hand.

Additive indicators (summable per day):
- actual: the sum from the period's start to the reference date;
- baseline: the baseline year's sum over the same days (same month and day), and its whole year;
- a relative target compares like with like: the same libraries (the caller passes series for
  the target's scope) and, with normalisation "per open day", rates per day on which a library
  in scope was open, so a year with a long closure is compared fairly;
- expected by now: the target spread over the year by the seasonal profile of the prior years
  (normalised per open day, so their closures do not bend it) on this year's open days,
  falling back to open days (``pace``; the chart's pace line is the same);
- forecast and its 80 % range: ``goals/forecast.py`` (a smoothed level and trend on a weighted
  seasonal profile, the range calibrated on the method's own errors in the history years).

- beside the totals, the open days to date in both years and the totals per open day
  (``goals/open_days.py``).

Period indicators (unique users) are never summed: the whole period's figure decides once it is
reported; before that like periods are compared for a provisional status
(``goals/period_figures.py``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bibliotal.goals import forecast

# The series and the calendar arithmetic are the engine's names too (progress.Series, …).
from bibliotal.goals.series import Series, days_between, same_day_in, shift  # noqa: F401

if TYPE_CHECKING:
    from bibliotal.goals.period_figures import PeriodComparison

AT_LEAST = "at_least"
AT_MOST = "at_most"
INCREASE = "increase"
INCREASE_PERCENT = "increase_percent"
QUALITATIVE = "qualitative"
NONE = "none"
PER_OPEN_DAY = "per_open_day"
PER_1000 = "per_1000"

ACHIEVED = "achieved"
NOT_ACHIEVED = "not_achieved"  # the period is over and the target was missed
ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
NO_DATA = "no_data"

# Notes explain numbers; the page and the reports turn these codes into words.
NOTE_NO_SOURCE = "no_source"
NOTE_NO_DATA = "no_values"
NOTE_NO_BASELINE = "no_baseline"
NOTE_NOT_STARTED = "not_started"
NOTE_SHORT_HISTORY = "short_history"
NOTE_ESTIMATES = "estimates"
NOTE_CLOSURES = "closures"
NOTE_BASELINE_CLOSURES = "baseline_closures"
NOTE_PERIOD_FIGURE = "period_figure"
NOTE_NOT_COMPARABLE = "not_comparable"
NOTE_NO_POPULATION = "no_population"
NOTE_NO_OPENING_HOURS = "no_opening_hours"
NOTE_NO_RATE = "no_rate"
NOTE_NO_OPEN_DAYS = "no_open_days"
NOTE_NO_ACTIVITY = "no_activity"
NOTE_NO_FORECAST = "no_forecast"
NOTE_DATA_THROUGH = "data_through"


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    value: float
    method: str = ""


@dataclass(frozen=True)
class TargetSpec:
    kind: str
    start: date
    end: date
    threshold: float | None = None
    baseline_year: int | None = None
    percent: float | None = None
    normalisation: str = NONE
    additive: bool = True
    has_source: bool = True


@dataclass
class Progress:
    status: str = NO_DATA
    actual: float | None = None
    baseline: float | None = None
    baseline_full: float | None = None
    target_value: float | None = None
    progress: float | None = None
    expected: float | None = None
    forecast: float | None = None
    forecast_low: float | None = None
    forecast_high: float | None = None
    history_years: int = 0
    final: bool = False
    data_through: date | None = None
    notes: list[str] = field(default_factory=list)
    # Beside the totals, where the libraries' open days matter (``goals/open_days.py``): the
    # open days of the same period to date in each year and the totals per open day.
    actual_open_days: int | None = None
    baseline_open_days: int | None = None
    actual_per_open_day: float | None = None
    baseline_per_open_day: float | None = None
    # Period figures: what was compared with what (``goals/period_figures.py``).
    comparison: PeriodComparison | None = None


_FORECASTERS: OrderedDict[tuple, forecast.Forecaster] = OrderedDict()
_FORECASTERS_KEPT = 64
_FORECASTERS_LOCK = threading.Lock()


def forecaster(
    *, current: Series, start: date, history: dict[int, Series], end: date
) -> forecast.Forecaster:
    """The forecaster for a target's period: this year's series and the history years before.

    The same series (the same objects) give the same forecaster, so the engine, the chart and
    the report of one target build its profiles and replays once. The forecaster keeps its
    series, so an object's identity is not reused while it is kept; the last 64 are kept.
    """
    series = {y: s for y, s in history.items() if y < start.year}
    series[start.year] = current
    key = (start, end, *sorted((y, id(s)) for y, s in series.items()))
    with _FORECASTERS_LOCK:  # gunicorn's threads share the module
        engine = _FORECASTERS.get(key)
        if engine is None:
            engine = forecast.Forecaster(start=start, end=end, series=series)
            _FORECASTERS[key] = engine
            if len(_FORECASTERS) > _FORECASTERS_KEPT:
                _FORECASTERS.popitem(last=False)
        else:
            _FORECASTERS.move_to_end(key)
    return engine


def pace(*, current: Series, start: date, end: date, history: dict[int, Series], at: date):
    """Each day's share of the period's expected activity (the profile of the history years on
    this year's open days) as the forecast at ``at`` sees it: the one "expected by now" of the
    page, the chart and the report."""
    engine = forecaster(current=current, start=start, end=end, history=history)
    return engine.pace(start.year, at)


def forecast_total(
    *, current: Series, start: date, end: date, at: date, history: dict[int, Series]
) -> tuple[float | None, float | None, float | None, float | None, int]:
    """(expected share of the period by ``at``, forecast, low, high, history years used); see
    ``goals/forecast.py`` for the method. The forecast is None when nothing is expected by
    ``at`` or nothing has happened yet: a level of zero says nothing about the rest of the year.
    """
    engine = forecaster(current=current, start=start, end=end, history=history)
    shares = engine.pace(start.year, at)
    share = sum(v for d, v in shares.items() if d <= at) if any(shares.values()) else None
    made = engine.forecast(start.year, at)
    return share, made.value, made.low, made.high, made.history_years


def compute(
    spec: TargetSpec,
    *,
    at: date,
    current: Series | None = None,
    history: dict[int, Series] | None = None,
    population: dict[int, int] | None = None,
    current_periods: Sequence[Period] = (),
    baseline_periods: Sequence[Period] = (),
    at_risk_ratio: float = 0.95,
) -> Progress:
    """``history[y]`` is the indicator over the target's period moved to start in year ``y``."""
    result = Progress()
    if spec.kind == QUALITATIVE:
        return result
    if not spec.has_source:
        result.notes.append(NOTE_NO_SOURCE)
        return result
    if at < spec.start:
        # A manager plans next year's target in December: the baseline is known already.
        result.notes.append(NOTE_NOT_STARTED)
        if not spec.additive:
            return _plan_periods(spec, result, baseline_periods)
        return _plan_additive(spec, result, history or {}, population or {})
    result.final = at >= spec.end
    if not spec.additive:
        return _compute_periods(spec, result, at, current_periods, baseline_periods, at_risk_ratio)
    result = _compute_additive(
        spec, result, at, current or Series({}), history or {}, population or {}, at_risk_ratio
    )
    from bibliotal.goals.open_days import add_open_day_rates  # it builds on this module

    return add_open_day_rates(spec, result, at, current, history or {})


def _cumulative(spec: TargetSpec) -> bool:
    """Totals and totals per 1,000 inhabitants grow through the year; a rate per day does not."""
    return spec.normalisation in {NONE, PER_1000}


def _compute_additive(spec, result, at, current, history, population, at_risk_ratio):
    end_to_date = min(at, spec.end)
    recorded = [d for d in current.values if spec.start <= d <= end_to_date]
    if not recorded:
        result.notes.append(NOTE_NO_DATA)
        return _plan_additive(spec, result, history, population)
    through = max(recorded)
    closed_after = days_between(through + timedelta(days=1), end_to_date)
    if through < end_to_date and not any(current.is_open(d) for d in closed_after):
        through = end_to_date  # only closed days after the last figure: nothing is missing
    if through < end_to_date:
        # Figures are recorded up to an earlier day: judge the target on what is known rather
        # than count the days not yet reported as zero.
        result.data_through = through
        result.notes.append(NOTE_DATA_THROUGH)
    actual = current.total(spec.start, through)
    prior = {y: s for y, s in history.items() if y < spec.start.year}
    share, forecast, low, high, used = forecast_total(
        current=current, start=spec.start, end=spec.end, at=through, history=prior
    )
    result.history_years = used
    if used < 2 and not result.final:
        result.notes.append(NOTE_SHORT_HISTORY)
    if forecast is None and through < spec.end and actual <= 0 and not result.final:
        result.notes.append(NOTE_NO_ACTIVITY)
    elif forecast is None and through < spec.end and not result.final:
        result.notes.append(NOTE_NO_FORECAST)
    if current.estimated and actual and current.estimated / actual >= 0.005:
        result.notes.append(NOTE_ESTIMATES)
    if current.closures:
        result.notes.append(NOTE_CLOSURES)
    if current.no_opening_hours:
        result.notes.append(NOTE_NO_OPENING_HOURS)

    baseline = baseline_full = None
    base = history.get(spec.baseline_year) if spec.baseline_year else None
    offset = (spec.baseline_year - spec.start.year) if spec.baseline_year else 0
    if spec.baseline_year:
        b_start, b_end = shift(spec.start, offset), shift(spec.end, offset)
        if base is not None and base.has_values(b_start, b_end):
            baseline = base.total(b_start, shift(through, offset))
            baseline_full = base.total(b_start, b_end)
            if base.closures:
                result.notes.append(NOTE_BASELINE_CLOSURES)
        else:
            result.notes.append(NOTE_NO_BASELINE)

    scale = _scaler(spec, current, base, through, offset, population, result)
    if scale is None:
        return result
    now, full, base_now, base_full = scale
    result.actual = now(actual)
    result.forecast = full(forecast) if forecast is not None else None
    result.forecast_low = full(low) if low is not None else None
    result.forecast_high = full(high) if high is not None else None
    if result.final:
        # The period is over: it has its result, never a forecast or a range around it.
        result.forecast = result.forecast_low = result.forecast_high = None
    if baseline is not None:
        result.baseline = base_now(baseline)
        result.baseline_full = base_full(baseline_full)

    result.target_value = _target_value(spec, result.baseline_full)
    if result.target_value is None or result.actual is None:
        return result
    if _cumulative(spec):
        result.expected = result.target_value * share if share is not None else None
    else:
        result.expected = result.target_value  # a rate is not cumulative
    if result.target_value > 0:
        result.progress = result.actual / result.target_value
    result.status = _status(spec, result, at_risk_ratio)
    return result


def _plan_additive(spec, result, history, population):
    """No figure of the period yet (not started, or nothing imported): the baseline year's
    whole period and the value to reach, in the target's unit; the status stays no data."""
    if spec.baseline_year:
        base = history.get(spec.baseline_year)
        offset = spec.baseline_year - spec.start.year
        b_start, b_end = shift(spec.start, offset), shift(spec.end, offset)
        if base is None or not base.has_values(b_start, b_end):
            result.notes.append(NOTE_NO_BASELINE)
        else:
            if base.closures:
                result.notes.append(NOTE_BASELINE_CLOSURES)
            scale = _baseline_scaler(spec, base, b_start, b_end, population, result)
            if scale is not None:
                result.baseline_full = scale(base.total(b_start, b_end))
    result.target_value = _target_value(spec, result.baseline_full)
    return result


def _baseline_scaler(spec, base, b_start, b_end, population, result):
    """The baseline year's whole period in the target's unit, needing only that year's data."""
    if spec.normalisation == PER_1000:
        people = population.get(spec.baseline_year)
        if not people:
            result.notes.append(NOTE_NO_POPULATION)
            return None
        return lambda value: value / people * 1000
    if spec.normalisation == PER_OPEN_DAY:
        days = 0 if base.no_opening_hours else base.open_days(b_start, b_end)
        if not days:
            result.notes.append(NOTE_NO_RATE)
            return None
        return lambda value: value / days
    return lambda value: value


def _plan_periods(spec, result, baseline_periods):
    """A period figure's target before its period starts: the baseline year's whole period."""
    result.notes.append(NOTE_PERIOD_FIGURE)
    if spec.baseline_year:
        offset = spec.baseline_year - spec.start.year
        whole = _find(baseline_periods, shift(spec.start, offset), shift(spec.end, offset))
        if whole is None:
            result.notes.append(NOTE_NO_BASELINE)
        else:
            result.baseline_full = whole.value
    result.target_value = _target_value(spec, result.baseline_full)
    return result


def _scaler(spec, current, base, through, offset, population, result):
    """Functions that turn totals into the target's unit: totals, per open day, per 1,000."""
    if spec.normalisation == NONE:
        return (lambda v: v,) * 4
    if spec.normalisation == PER_1000:
        people = population.get(spec.start.year)
        base_people = population.get(spec.baseline_year) if spec.baseline_year else people
        if not people or not base_people:
            result.notes.append(NOTE_NO_POPULATION)
            return None

        def per(value):
            return value / people * 1000

        def base_per(value):
            return value / base_people * 1000

        return per, per, base_per, base_per
    # Per open day: days on which a library in scope was (or, ahead, will be) open. Both years
    # need registered opening hours, or the rates would compare unlike days.
    if current.no_opening_hours or (base is not None and base.no_opening_hours):
        result.notes.append(NOTE_NO_RATE)
        return None
    open_now = current.open_days(spec.start, through)
    if open_now == 0:
        result.notes.append(NOTE_NO_OPEN_DAYS)
        return None
    open_full = current.open_days(spec.start, spec.end)
    base_now = base_full = 0
    if base is not None:
        base_now = base.open_days(shift(spec.start, offset), shift(through, offset))
        base_full = base.open_days(shift(spec.start, offset), shift(spec.end, offset))

    def rate(days):
        return (lambda v: v / days) if days else (lambda v: None)

    return rate(open_now), rate(open_full), rate(base_now), rate(base_full)


def _target_value(spec: TargetSpec, baseline_full: float | None) -> float | None:
    if spec.kind in {AT_LEAST, AT_MOST}:
        return spec.threshold
    if baseline_full is None:
        return None
    if spec.kind == INCREASE_PERCENT:
        return baseline_full * (1 + (spec.percent or 0) / 100)
    return baseline_full


def _meets(spec: TargetSpec, value: float, target: float) -> bool:
    if spec.kind == AT_MOST:
        return value <= target
    if spec.kind == INCREASE:
        return value > target
    return value >= target


def _status(spec: TargetSpec, result: Progress, at_risk_ratio: float) -> str:
    target = result.target_value
    if result.actual is None or target is None:
        return NO_DATA
    if result.final:
        return ACHIEVED if _meets(spec, result.actual, target) else NOT_ACHIEVED
    if _cumulative(spec):
        if spec.kind != AT_MOST and _meets(spec, result.actual, target):
            return ACHIEVED  # already past the mark before the year is out
        if spec.kind == AT_MOST and not _meets(spec, result.actual, target):
            return OFF_TRACK  # a running total already over the cap can only grow
    if result.forecast is None:
        if result.expected:
            ratio = result.actual / result.expected
            if spec.kind == AT_MOST:
                return ON_TRACK if ratio <= 1 else OFF_TRACK
            return ON_TRACK if ratio >= 1 else AT_RISK if ratio >= at_risk_ratio else OFF_TRACK
        return NO_DATA
    if spec.kind == AT_MOST:
        if result.forecast <= target:
            return ON_TRACK
        near = result.forecast_low is not None and result.forecast_low <= target
        return AT_RISK if near or target >= result.forecast * at_risk_ratio else OFF_TRACK
    if _meets(spec, result.forecast, target):
        return ON_TRACK
    near = result.forecast_high is not None and _meets(spec, result.forecast_high, target)
    if near or (target > 0 and result.forecast / target >= at_risk_ratio):
        return AT_RISK
    return OFF_TRACK


def _compute_periods(spec, result, at, current_periods, baseline_periods, at_risk_ratio):
    """Unique users and other period figures: like periods compared, never summed."""
    from bibliotal.goals.period_figures import compare  # it builds on this module

    return compare(spec, result, at, current_periods, baseline_periods, at_risk_ratio)


def _find(periods: Sequence[Period], start: date, end: date) -> Period | None:
    return next((p for p in periods if p.start == start and p.end == end), None)
