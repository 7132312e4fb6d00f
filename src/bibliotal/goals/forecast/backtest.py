"""The method replayed on complete past years, and the naive forecast it is measured against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bibliotal.goals.forecast.constants import WEEKLY
from bibliotal.goals.forecast.method import Forecaster
from bibliotal.goals.forecast.profile import YearShape, month_ends
from bibliotal.goals.series import Series, shift


def naive_forecast(*, current: Series, last: Series, start: date, end: date, at: date):
    """This year so far × last year's whole ÷ last year's same period (None when it cannot be
    said: nothing last year in the same period)."""
    so_far = current.total(start, at)
    offset = -1
    last_start, last_end = shift(start, offset), shift(end, offset)
    same = last.total(last_start, shift(at, offset))
    whole = last.total(last_start, last_end)
    if same <= 0:
        return None
    return so_far * whole / same


@dataclass(frozen=True)
class BacktestPoint:
    year: int
    at: date
    truth: float
    forecast: float | None
    low: float | None
    high: float | None
    naive: float | None

    @property
    def inside(self) -> bool:
        return self.low is not None and self.low <= self.truth <= self.high


@dataclass(frozen=True)
class Backtest:
    """How the method did on complete past years, forecasting from every month end."""

    points: tuple[BacktestPoint, ...]

    @property
    def years(self) -> list[int]:
        return sorted({p.year for p in self.points})

    @property
    def forecasts(self) -> list[BacktestPoint]:
        return [p for p in self.points if p.forecast is not None and p.truth > 0]

    @property
    def inside(self) -> int:
        return sum(p.inside for p in self.forecasts)

    @property
    def coverage(self) -> float | None:
        made = self.forecasts
        return self.inside / len(made) if made else None

    @property
    def mape(self) -> float | None:
        made = self.forecasts
        return sum(abs(p.truth - p.forecast) / p.truth for p in made) / len(made) if made else None

    @property
    def mean_width(self) -> float | None:
        made = self.forecasts
        return sum((p.high - p.low) / p.truth for p in made) / len(made) if made else None

    def _paired(self) -> list[BacktestPoint]:
        return [p for p in self.forecasts if p.naive is not None]

    @property
    def paired_mape(self) -> float | None:
        """The method's error on the points where the naive forecast exists too."""
        paired = self._paired()
        return (
            sum(abs(p.truth - p.forecast) / p.truth for p in paired) / len(paired)
            if paired
            else None
        )

    @property
    def naive_mape(self) -> float | None:
        paired = self._paired()
        return (
            sum(abs(p.truth - p.naive) / p.truth for p in paired) / len(paired) if paired else None
        )

    def summary(self) -> dict:
        return {
            "years": self.years,
            "points": len(self.points),
            "forecasts": len(self.forecasts),
            "inside": self.inside,
            "coverage": self.coverage,
            "mape": self.mape,
            "mean_width": self.mean_width,
            "paired_points": len(self._paired()),
            "paired_mape": self.paired_mape,
            "naive_mape": self.naive_mape,
        }


def complete(
    series: Series, start: date, end: date, *, counted_before=False, counted_after=False
) -> bool:
    """A year counted from its first to its last weeks: figures there, libraries closed, or
    figures in the years either side (a lockdown in January is counted, a first year in
    Bibliotal from October is not); see ``YearShape.recorded``."""
    shape = YearShape(
        series, start, end, WEEKLY, counted_before=counted_before, counted_after=counted_after
    )
    return shape.complete


def backtest(
    *,
    start: date,
    end: date,
    series: dict[int, Series],
    years=None,
    with_history: bool = False,
) -> Backtest:
    """Replay the method on each complete year of ``series`` (all, or ``years``) from every
    month end, with what was known that day: the year's figures to that day and the years
    before it. ``start``/``end`` are the period in any one of the years. ``with_history``
    replays only the years that have a year of history in ``series`` (the goal page holds three
    years, and its oldest would be replayed without the history it has)."""
    forecaster = Forecaster(start=start, end=end, series=series)
    points = []
    for year in sorted(series):
        if years is not None and year not in years:
            continue
        if with_history and not forecaster.history_years(year):
            continue
        offset = year - start.year
        first = shift(start, offset)
        last = shift(end + timedelta(days=1), offset) - timedelta(days=1)
        before = any(s.values for y, s in series.items() if y < year)
        after = any(s.values for y, s in series.items() if y > year)
        if not complete(series[year], first, last, counted_before=before, counted_after=after):
            continue
        truth = series[year].total(first, last)
        previous = series.get(year - 1)
        last_year = (shift(first, -1), shift(last + timedelta(days=1), -1) - timedelta(days=1))
        for at in month_ends(first, last):
            made = forecaster.forecast(year, at)
            naive = (
                naive_forecast(current=series[year], last=previous, start=first, end=last, at=at)
                if previous is not None and complete(previous, *last_year, counted_after=True)
                else None
            )
            points.append(BacktestPoint(year, at, truth, made.value, made.low, made.high, naive))
    return Backtest(tuple(points))
