"""The forecast of one year from what was counted so far, with its calibrated range."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bibliotal.goals.forecast.constants import (
    CALIBRATION_STEPS,
    COVERAGE,
    DAMPING,
    HISTORY_YEARS,
    LEVEL_CHANGE,
    MAX_CARRIED_ALPHA,
    MAX_PRIOR_PERIODS,
    MONTHLY,
    PRIOR_PERIODS,
    PROFILE_UNCERTAINTY,
    PROFILE_UNCERTAINTY_MANY,
    WEEKLY,
    WIDENING_PER_MISSING_YEAR,
    Z80,
)
from bibliotal.goals.forecast.profile import (
    YearShape,
    combined_profile,
    granularity_of,
    median,
    month_ends,
)
from bibliotal.goals.forecast.smoothing import Fit, smooth_ratios
from bibliotal.goals.series import Series, shift


@dataclass(frozen=True)
class Forecast:
    """A year-end forecast with its 80 % range, and how it was reached."""

    value: float | None
    low: float | None
    high: float | None
    history_years: int
    granularity: str = WEEKLY
    trend: bool = False
    calibration_years: int = 0
    calibration_errors: tuple[float, ...] = ()


class Forecaster:
    """Forecasts for one target period over several years of the same indicator.

    ``series[y]`` is the indicator over the target's period moved to start in year ``y`` (the
    target's own year and the history years). A forecast for year ``y`` reads only the years
    before it, at most three, as history, and replays those that have a year before them for its
    range. Weeks or months: a series whose months mostly carry their figure on one day or spread
    evenly is monthly; otherwise the one of the two that erred less when replayed on the history
    years at every month end (weeks where no year can be replayed).
    """

    def __init__(self, *, start: date, end: date, series: dict[int, Series]):
        self.start, self.end = start, end
        self.series = series
        self._methods: dict[str, _Method] = {}
        self._chosen: dict[tuple[int, date | None], str] = {}
        self._made: dict[tuple[int, date, bool], Forecast] = {}

    def method(self, granularity: str) -> _Method:
        if granularity not in self._methods:
            self._methods[granularity] = _Method(
                start=self.start, end=self.end, series=self.series, granularity=granularity
            )
        return self._methods[granularity]

    def granularity_for(self, year: int, at: date | None = None) -> str:
        """Weeks or months for year ``year``'s forecast from what was known at ``at`` (the whole
        year when None): the figures' own evidence, else the replays, else the history years'
        noise, else (without history) the noise of this year's own periods up to ``at``."""
        key = (year, at)
        if key not in self._chosen:
            self._chosen[key] = self._granularity(year, at)
        return self._chosen[key]

    def _granularity(self, year: int, at: date | None) -> str:
        history = [self.series[y] for y in self.history_years(year)]
        current = self.series[year]
        if at is not None:
            current = Series({d: v for d, v in current.values.items() if d <= at}, current.open)
        if granularity_of([*history, current]) == MONTHLY:
            return MONTHLY
        errors = {g: self.method(g).replay_error(year) for g in (WEEKLY, MONTHLY)}
        if errors[WEEKLY] is not None and errors[MONTHLY] is not None:
            return MONTHLY if errors[MONTHLY] < 0.8 * errors[WEEKLY] else WEEKLY
        # Too few years to replay: the history years' own noise decides. Independent weekly
        # noise shrinks by √(52/12) in a month; much less than that, and the weeks carry lumps
        # (a month's figure on one day) that months smooth out.
        noise = {g: self.method(g).history_noise(year) for g in (WEEKLY, MONTHLY)}
        if noise[WEEKLY] is None or noise[MONTHLY] is None:
            if at is None:
                return WEEKLY
            noise = {g: self.method(g).own_noise(year, at) for g in (WEEKLY, MONTHLY)}
        if noise[WEEKLY] is not None and noise[MONTHLY] is not None:
            lumpy = noise[MONTHLY] * math.sqrt(52 / 12) < 0.8 * noise[WEEKLY]
            return MONTHLY if lumpy else WEEKLY
        return WEEKLY

    def history_years(self, year: int) -> list[int]:
        return self.method(WEEKLY).history_years(year)

    def pace(self, year: int, at: date | None = None) -> dict[date, float]:
        """The pace as the forecast at ``at`` sees the year (the same weeks or months)."""
        return self.method(self.granularity_for(year, at)).pace(year)

    def forecast(self, year: int, at: date, *, calibrate: bool = True) -> Forecast:
        key = (year, at, calibrate)
        if key not in self._made:
            method = self.method(self.granularity_for(year, at))
            self._made[key] = method.forecast(year, at, calibrate=calibrate)
        return self._made[key]


class _Method:
    """The method at one granularity; profiles are computed once per year and shared."""

    def __init__(self, *, start: date, end: date, series: dict[int, Series], granularity: str):
        self.start, self.end = start, end
        self.series = series
        self.granularity = granularity
        self._shapes: dict[int, YearShape] = {}
        self._profiles: dict[int, tuple[list[float], int, dict[int, float]]] = {}

    def _bounds(self, year: int) -> tuple[date, date]:
        """The target's period moved to year ``year``; its end is the day before the moved day
        after it, so a period to the end of February keeps a leap year's 29th."""
        offset = year - self.start.year
        after = shift(self.end + timedelta(days=1), offset)
        return shift(self.start, offset), after - timedelta(days=1)

    def shape(self, year: int) -> YearShape:
        if year not in self._shapes:
            start, end = self._bounds(year)
            self._shapes[year] = YearShape(
                self.series[year],
                start,
                end,
                self.granularity,
                counted_before=any(s.values for y, s in self.series.items() if y < year),
                counted_after=any(s.values for y, s in self.series.items() if y > year),
            )
        return self._shapes[year]

    def history_years(self, year: int) -> list[int]:
        """Up to three years before ``year`` with figures, whose moved period ends before the
        year's own begins (a period longer than a year never reads itself as history)."""
        begins = self._bounds(year)[0]
        earlier = sorted(
            y
            for y, s in self.series.items()
            if y < year and s.values and self._bounds(y)[1] < begins
        )
        return earlier[-HISTORY_YEARS:]

    def profile(self, year: int) -> tuple[list[float], int, dict[int, float]]:
        if year not in self._profiles:
            shapes = {y: self.shape(y) for y in self.history_years(year)}
            length = len(self.shape(year).periods)
            self._profiles[year] = combined_profile(shapes, self.granularity, length)
        return self._profiles[year]

    def pace(self, year: int) -> dict[date, float]:
        """Each day's share of the period's expected activity: the profile on this year's open
        days (closed days expect nothing). The pace toward a target is its running sum."""
        shape = self.shape(year)
        profile, _used, _weights = self.profile(year)
        weights: dict[date, float] = {}
        for period, weight in zip(shape.periods, profile, strict=True):
            for day in period.days:
                weights[day] = weight if shape.series.is_open(day) else 0.0
        total = sum(weights.values())
        if total <= 0:
            return dict.fromkeys(weights, 0.0)
        return {day: weight / total for day, weight in weights.items()}

    def forecast(self, year: int, at: date, *, calibrate: bool = True) -> Forecast:
        """The forecast of year ``year``'s total from what was counted up to ``at``."""
        shape = self.shape(year)
        profile, used, _weights = self.profile(year)
        series = shape.series
        start, end = self._bounds(year)
        actual = sum(v for d, v in series.values.items() if start <= d <= min(at, end))
        if at >= end:
            return Forecast(actual, actual, actual, used, self.granularity)
        monthly = self.granularity == MONTHLY
        ratios: list[float] = []
        expected_seen: list[float] = []
        future: list[float] = []  # the expected weight of the rest of each period ahead
        partial_seen = 0.0  # what the period containing ``at`` counted so far (monthly)
        for period, weight, opened, open_value, value in zip(
            shape.periods,
            profile,
            shape.open_days,
            shape.open_values,
            shape.values,
            strict=True,
        ):
            if period.end <= at:
                expected = weight * opened
                seen = value if monthly else open_value
                if expected > 0:
                    ratios.append(seen / expected)
                    expected_seen.append(expected)
                continue
            if period.start > at:
                future.append(weight * opened)
                continue
            # The period that contains ``at``.
            seen_days = [d for d in period.days if d <= at]
            rest_days = [d for d in period.days if d > at]
            if monthly:
                partial_seen = sum(series.values.get(d, 0.0) for d in seen_days)
                future.append(weight * opened)
            else:
                open_seen = [d for d in seen_days if series.is_open(d)]
                expected = weight * len(open_seen)
                if expected > 0 and len(open_seen) >= 3:
                    ratios.append(sum(series.values.get(d, 0.0) for d in open_seen) / expected)
                    expected_seen.append(expected)
                future.append(weight * sum(1 for d in rest_days if series.is_open(d)))
        if not ratios or actual <= 0:
            return Forecast(None, None, None, used, self.granularity)
        # A period with few open days (a week with a reopening) is a shaky ratio: the level
        # reads the periods that carry at least half a typical period's weight.
        typical = median(expected_seen)
        steady = [r for r, e in zip(ratios, expected_seen, strict=True) if e >= 0.5 * typical]
        # No trend without a profile (a season would look like one) nor in a year that has
        # reopened after a long closure (the way back looks like one).
        reopening = any(day <= at for day in shape.reopened)
        fit = smooth_ratios(steady or ratios, self.granularity, trend=used > 0 and not reopening)
        anchor = self._history_level(year, profile)
        prior = 0.0
        if anchor is not None and fit.level > 0:
            # Few periods say little about this year's level: it leans on the history years'
            # level as if that were a few periods of this year (a reopening, the first weeks).
            # Where this year's own level differs from it by more than this year's noise and a
            # year's usual change allow (twice both), the year has moved (a new building, a lost
            # school) and the lean fades, unless the year has reopened after a long closure
            # (then the way back to the usual level is what the history years say).
            prior = self.prior_periods(fit)
            own_error = fit.noise / math.sqrt(max(fit.observations, 1))
            allowed = 2 * math.hypot(own_error, LEVEL_CHANGE)
            apart = abs(math.log(fit.level / anchor)) if anchor > 0 else float("inf")
            if not reopening and apart > allowed:
                prior *= (allowed / apart) ** 2
            lean = prior / (fit.observations + prior)
            fit.level += lean * (anchor - fit.level)
        if fit.level <= 0:
            # Open periods with nothing counted: a level of zero would forecast nothing more
            # with full confidence. Say nothing instead.
            return Forecast(None, None, None, used, self.granularity)
        phi = DAMPING[self.granularity]
        remaining = 0.0
        damped = 0.0
        for step, weight in enumerate(future, start=1):
            damped += phi**step
            level = max(fit.level + fit.trend * damped, 0.0)
            remaining += level * weight
        if monthly:
            remaining = max(remaining - partial_seen, 0.0)
        value = actual + remaining
        half = self._model_half_width(fit, future, used, prior)
        calibration: list[tuple[float, float]] = []
        calibration_years = 0
        if calibrate:
            calibration, calibration_years = self._replay_errors(year, at)
        if calibration:
            widening = 1.0 + WIDENING_PER_MISSING_YEAR * max(0, 3 - calibration_years)
            earned = weighted_quantile(calibration, COVERAGE) * widening * remaining
            # Replayed years speak with their weight: one year of closures (weight 0.4) moves
            # the range 40 % of the way from the model's to its own.
            trust = min(1.0, sum(w for _e, w in calibration))
            half = max(half, trust * earned + (1 - trust) * half)
        low = max(actual, value - half)
        return Forecast(
            value,
            low,
            value + half,
            used,
            self.granularity,
            trend=fit.beta > 0,
            calibration_years=calibration_years,
            calibration_errors=tuple(e for e, _w in calibration),
        )

    def prior_periods(self, fit: Fit) -> float:
        """How many periods of this year's own the history years' level is worth: the noisier
        the periods, the more a year's level is worth against them (a year's level moves by
        about a seventh from one year to the next, while a week of events may swing by
        two thirds)."""
        floor = PRIOR_PERIODS[self.granularity]
        worth = (fit.noise / LEVEL_CHANGE) ** 2
        return min(max(worth, floor), MAX_PRIOR_PERIODS[self.granularity])

    def _history_level(self, year: int, profile: list[float]) -> float | None:
        """The history years' level against this year's profile, each year with its weight."""
        _profile, _used, weights = self.profile(year)
        total = weight_sum = 0.0
        monthly = self.granularity == MONTHLY
        for past in self.history_years(year):
            shape = self.shape(past)
            if len(shape.periods) != len(profile):
                continue
            values = shape.values if monthly else shape.open_values
            kept = [i for i, recorded in enumerate(shape.recorded) if recorded]
            expected = sum(profile[i] * shape.open_days[i] for i in kept)
            counted = sum(values[i] for i in kept)
            if expected <= 0 or counted <= 0:
                continue
            weight = weights.get(past, 1.0)
            total += weight * counted / expected
            weight_sum += weight
        return total / weight_sum if weight_sum > 0 else None

    def own_noise(self, year: int, at: date) -> float | None:
        """The noise of this year's periods up to ``at`` around their smoothed level (flat
        profile), when there are a quarter's worth of them."""
        shape = self.shape(year)
        values = shape.values if self.granularity == MONTHLY else shape.open_values
        ratios = [
            v / o
            for period, v, o in zip(shape.periods, values, shape.open_days, strict=True)
            if period.end <= at and o > 0
        ]
        if len(ratios) < (3 if self.granularity == MONTHLY else 13):
            return None
        return smooth_ratios(ratios, self.granularity, trend=False).noise

    def history_noise(self, year: int) -> float | None:
        """The mean noise of the history years' periods around their smoothed level."""
        noises = []
        for past in self.history_years(year):
            shape = self.shape(past)
            profile, _used, _weights = self.profile(past)
            values = shape.values if self.granularity == MONTHLY else shape.open_values
            ratios = [
                v / (w * o)
                for v, w, o in zip(values, profile, shape.open_days, strict=True)
                if w * o > 0
            ]
            if len(ratios) >= 8:
                noises.append(smooth_ratios(ratios, self.granularity, trend=False).noise)
        return sum(noises) / len(noises) if noises else None

    def replay_error(self, year: int) -> float | None:
        """The mean relative error of the year-end forecast at every month end of the years
        before ``year`` that have a year before them (None with fewer than two such years: one
        year, a pandemic perhaps, says too little about which way is better)."""
        errors = []
        replayable = [
            p for p in self.history_years(year) if self.history_years(p) and self.shape(p).complete
        ]
        if len(replayable) < 2:
            return None
        for past in replayable:
            start, end = self._bounds(past)
            truth = self.series[past].total(start, end)
            if truth <= 0:
                continue
            for moment in month_ends(start, end):
                made = self.forecast(past, moment, calibrate=False)
                if made.value is not None:
                    errors.append(abs(truth - made.value) / truth)
        return sum(errors) / len(errors) if errors else None

    def _model_half_width(self, fit: Fit, future: list[float], used: int, prior: float) -> float:
        level = max(fit.level, 0.0)
        sigma = fit.noise * level
        # The variance of a sum of exponential-smoothing forecasts: each period's noise, and
        # what it does to every later period through the smoothed level.
        # A library's level moves, but not as a random walk for a whole year: the spread the
        # smoothing carries forward is held (MAX_CARRIED_ALPHA); what more there is shows in the
        # back-test's errors, which the range never goes below.
        carried = min(fit.alpha, MAX_CARRIED_ALPHA)
        noise_variance = 0.0
        after = sum(future)
        for weight in future:
            after -= weight
            noise_variance += (weight + carried * after) ** 2
        noise_variance *= sigma**2
        total = sum(future) * level
        # The level is known from this year's periods and, where it agrees with them, from the
        # history years' level leant on (``prior`` periods' worth).
        level_share = max(carried / (2 - carried), 1.0 / max(fit.observations + prior, 1))
        level_variance = (total * fit.noise) ** 2 * level_share
        profile = PROFILE_UNCERTAINTY.get(used, PROFILE_UNCERTAINTY_MANY)
        profile_variance = (total * profile) ** 2
        return Z80 * math.sqrt(noise_variance + level_variance + profile_variance)

    def _replay_errors(self, year: int, at: date) -> tuple[list[tuple[float, float]], int]:
        """Relative year-end errors of the method on the history years, at the same point of the
        year and two and four weeks either side (held inside the year): |truth - forecast| /
        the rest of the year the forecast expected,
        each with its year's weight in the profile (a year with closures or an odd shape counts
        less), and the number of years replayed."""
        errors: list[tuple[float, float]] = []
        _profile, _used, weights = self.profile(year)
        years = 0
        for past in self.history_years(year):
            if not self.history_years(past) or not self.shape(past).complete:
                continue  # without its own history or its whole year it is not this method
            start, end = self._bounds(past)
            truth = self.series[past].total(start, end)
            point = shift(at, past - year)
            found = []
            earliest, latest = start + timedelta(days=6), end - timedelta(days=7)
            moments = sorted(
                {
                    min(max(point + timedelta(days=step), earliest), latest)
                    for step in CALIBRATION_STEPS
                }
            )
            for moment in moments:
                replay = self.forecast(past, moment, calibrate=False)
                if replay.value is None:
                    continue
                counted = self.series[past].total(start, moment)
                # The error as a share of the rest of the year the forecast expected, or of half
                # the true rest where it expected next to nothing (the error stays finite).
                rest = max(replay.value - counted, 0.5 * (truth - counted))
                if rest <= 0:
                    continue
                found.append(abs(truth - replay.value) / rest)
            weight = weights.get(past, 1.0)
            errors += [(error, weight / len(found)) for error in found]
            years += 1 if found else 0
        return errors, years


def weighted_quantile(values: Sequence[tuple[float, float]], share: float) -> float:
    """The smallest value whose weight, with the weights of those below it, reaches ``share``."""
    ordered = sorted(values)
    total = sum(w for _v, w in ordered)
    if total <= 0:
        return max(v for v, _w in ordered)
    running = 0.0
    for value, weight in ordered:
        running += weight
        if running >= share * total - 1e-12:
            return value
    return ordered[-1][0]
