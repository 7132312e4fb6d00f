"""Periods, the shape of a year and the history years' seasonal profile."""

from __future__ import annotations

import calendar
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from bibliotal.goals.forecast.constants import (
    ABNORMAL_SCALE,
    LONG_CLOSURE_DAYS,
    MONTHLY,
    RECOVERY_DAYS,
    RECOVERY_WEIGHT,
    UNRECORDED_DAYS,
    WEEKLY,
)
from bibliotal.goals.series import Series, days_between


@dataclass
class Block:
    start: date
    end: date
    days: list[date] = field(default_factory=list)


def blocks(start: date, end: date, granularity: str) -> list[Block]:
    periods: list[Block] = []
    day = start
    while day <= end:
        if granularity == MONTHLY:
            last = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
        else:
            last = day + timedelta(days=6)
        last = min(last, end)
        span = [day + timedelta(days=i) for i in range((last - day).days + 1)]
        periods.append(Block(day, last, span))
        day = last + timedelta(days=1)
    return periods


def granularity_of(series: Sequence[Series]) -> str:
    """Monthly when most months with figures carry them on one day (a month's figure placed on
    its last day) or spread evenly over every day (a monthly report divided by its days). A
    series that is the same every day is daily: nothing shows it was reported per month."""
    months: dict[tuple[int, int], list[float]] = {}
    for one in series:
        if len({round(v, 9) for v in one.values.values()}) <= 1:
            continue
        for day, value in one.values.items():
            months.setdefault((day.year, day.month), []).append(value)
    if not months:
        return WEEKLY
    lumpy = 0
    for (year, month), values in months.items():
        total = sum(values)
        length = calendar.monthrange(year, month)[1]
        on_one_day = total > 0 and max(values) >= 0.6 * total
        spread = len(values) >= length - 1 and max(values) - min(values) <= 1e-6 * max(
            abs(v) for v in values
        )
        lumpy += on_one_day or spread
    return MONTHLY if lumpy >= 0.75 * len(months) else WEEKLY


class YearShape:
    """One year's calendar cut into periods, with what it counted on them (precomputed)."""

    def __init__(
        self,
        series: Series,
        start: date,
        end: date,
        granularity: str,
        *,
        counted_before: bool = False,
        counted_after: bool = False,
    ):
        self.series = series
        self.counted_before, self.counted_after = counted_before, counted_after
        self.start, self.end = start, end
        self.periods = blocks(start, end, granularity)
        self.open_days = [sum(1 for d in p.days if series.is_open(d)) for p in self.periods]
        self.open_values = [
            sum(series.values.get(d, 0.0) for d in p.days if series.is_open(d))
            for p in self.periods
        ]
        self.values = [sum(series.values.get(d, 0.0) for d in p.days) for p in self.periods]
        days = sum(len(p.days) for p in self.periods)
        self.open_share = sum(self.open_days) / days if days else 0.0
        self.recovering = self._recovering()
        self.recorded = self._recorded()

    def _recorded(self) -> list[bool]:
        """Whether each period lies where the year has figures. The first year with figures,
        when they begin more than six weeks into it while its libraries were open, was not yet
        counted there (the first year in Bibliotal); the last, when they end six weeks early,
        is not counted to its end. Those weeks are unknown, not weeks of nothing. Between years
        with figures a quiet spell is real (no events while restrictions lasted)."""
        if not self.series.values:
            return [False] * len(self.periods)
        first, last = min(self.series.values), max(self.series.values)
        gap = timedelta(days=UNRECORDED_DAYS)
        start, end = self.start, self.end
        opened = self.series.is_open
        before = days_between(start, first - timedelta(1))
        if not self.counted_before and first - start > gap and any(opened(d) for d in before):
            start = first
        after = days_between(last + timedelta(1), end)
        if not self.counted_after and end - last > gap and any(opened(d) for d in after):
            end = last
        return [start <= p.start and p.end <= end for p in self.periods]

    @property
    def complete(self) -> bool:
        """Counted from its first to its last week (see ``_recorded``)."""
        return bool(self.recorded) and self.recorded[0] and self.recorded[-1]

    def _recovering(self) -> list[bool]:
        """Periods within eight weeks after a closure of 14 days or more (``reopened`` holds the
        first open day after each such closure)."""
        self.reopened: list[date] = []
        if self.series.open is None:
            return [False] * len(self.periods)
        after: set[date] = set()
        run = 0
        day = self.start
        while day <= self.end:
            if self.series.is_open(day):
                if run >= LONG_CLOSURE_DAYS:
                    after.update(day + timedelta(days=i) for i in range(RECOVERY_DAYS))
                    self.reopened.append(day)
                run = 0
            else:
                run += 1
            day += timedelta(days=1)
        return [any(d in after for d in p.days) for p in self.periods]

    def profile(self, granularity: str) -> list[float | None]:
        """The rate per open day of each period over the year's mean rate (None: no open day)."""
        rates: list[float | None] = []
        for opened, value, all_value, length, recorded in zip(
            self.open_days,
            self.open_values,
            self.values,
            (len(p.days) for p in self.periods),
            self.recorded,
            strict=True,
        ):
            if not recorded:
                rates.append(None)
            elif granularity == MONTHLY:
                # A month's figure may sit on its last day, closed or not: the month is the unit.
                rates.append(all_value / opened if opened else None)
            else:
                rates.append(value / opened if opened and opened >= min(3, length) else None)
        weights = [
            (RECOVERY_WEIGHT if rec else 1.0) * opened
            for rec, opened, rate in zip(self.recovering, self.open_days, rates, strict=True)
            if rate is not None
        ]
        known = [r for r in rates if r is not None]
        total_weight = sum(weights)
        if not known or total_weight <= 0:
            return [None] * len(rates)
        mean = sum(w * r for w, r in zip(weights, known, strict=True)) / total_weight
        if mean <= 0:
            return [None] * len(rates)
        return [r / mean if r is not None else None for r in rates]


def smooth(values: list[float | None]) -> list[float | None]:
    out: list[float | None] = []
    for i, value in enumerate(values):
        if value is None:
            out.append(None)
            continue
        parts = [(0.5, value)]
        for j in (i - 1, i + 1):
            if 0 <= j < len(values) and values[j] is not None:
                parts.append((0.25, values[j]))
        weight = sum(w for w, _v in parts)
        out.append(sum(w * v for w, v in parts) / weight)
    return out


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def combined_profile(
    shapes: dict[int, YearShape], granularity: str, length: int
) -> tuple[list[float], int, dict[int, float]]:
    """The history years' profiles averaged with their weights (1.0 where none speaks), the
    number of years used and each year's weight (1 for a normal year)."""
    profiles = {y: smooth(s.profile(granularity)) for y, s in shapes.items()}
    profiles = {y: p for y, p in profiles.items() if any(v is not None for v in p)}
    if not profiles:
        return [1.0] * length, 0, {}
    best_open = max(shapes[y].open_share for y in profiles) or 1.0
    weights = {y: (shapes[y].open_share / best_open) ** 3 for y in profiles}
    if len(profiles) >= 3:
        # Each year's shape against the median shape of all the years; what a year strays beyond
        # the typical year's straying (noise, a wobbly month) makes it weigh less.
        spreads = {}
        for year, profile in profiles.items():
            deviations = []
            for i, value in enumerate(profile):
                column = [
                    p[i] for p in profiles.values() if i < len(p) and p[i] is not None and p[i] > 0
                ]
                if value is not None and value > 0 and len(column) >= 2:
                    deviations.append(math.log(value / median(column)) ** 2)
            if deviations:
                spreads[year] = math.sqrt(sum(deviations) / len(deviations))
        if spreads:
            typical = median(list(spreads.values()))
            for year, spread in spreads.items():
                weights[year] /= 1.0 + (max(spread - typical, 0.0) / ABNORMAL_SCALE) ** 2
    result: list[float | None] = []
    for i in range(length):
        total = weight = 0.0
        for year, profile in profiles.items():
            value = profile[i] if i < len(profile) else None
            if value is None:
                continue
            recovering = shapes[year].recovering
            w = weights[year] * (RECOVERY_WEIGHT if i < len(recovering) and recovering[i] else 1.0)
            total += w * value
            weight += w
        result.append(total / weight if weight > 0 else None)
    known = [v for v in result if v is not None]
    fill = sum(known) / len(known) if known else 1.0
    return [v if v is not None else fill for v in result], len(profiles), weights


def month_ends(start: date, end: date) -> list[date]:
    """The last day of every month of the period, but its last (where nothing is left to
    forecast)."""
    ends = []
    day = start
    while day <= end:
        last = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
        if last < end:
            ends.append(last)
        day = last + timedelta(days=1)
    return ends
