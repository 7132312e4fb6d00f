"""Synthetic years for the forecaster, each one a story a librarian knows, checkable by hand.

Every scenario is four years, 2018–2021, of one indicator for one library: three history years
and the year the forecast is for. A normal year is a seasonal curve (low in July, high in
autumn), a weekday pattern, closed public holidays and Sundays, and daily noise; years differ by a
small level and a ±5 % wobble per month. Each scenario bends that normal in one way.
"""

from __future__ import annotations

import calendar
import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from bibliotal.goals.series import Series

YEARS = (2018, 2019, 2020, 2021)
TARGET_YEAR = 2021
SEASON = {1: 1.1, 2: 1.1, 3: 1.05, 4: 1.0, 5: 0.95, 6: 0.85, 7: 0.6, 8: 0.9, 9: 1.05, 10: 1.1}
SEASON |= {11: 1.15, 12: 0.9}
WEEKDAY = {0: 1.15, 1: 1.05, 2: 1.0, 3: 1.05, 4: 0.9, 5: 1.1, 6: 0.0}  # closed on Sundays
HOLIDAYS = {(1, 1), (12, 24), (12, 25), (12, 26), (12, 31)}
DAILY_NOISE = 0.25
LEVEL = 100.0


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    series: dict[int, Series]

    @property
    def start(self) -> date:
        return date(TARGET_YEAR, 1, 1)

    @property
    def end(self) -> date:
        return date(TARGET_YEAR, 12, 31)


def _days(year: int):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


def _season(day: date) -> float:
    """The monthly curve interpolated between mid-months, so the year has no steps."""
    middle = date(day.year, day.month, 15)
    other = day.month + (1 if day >= middle else -1)
    other_value = SEASON[(other - 1) % 12 + 1]
    fraction = abs((day - middle).days) / 30.0
    return SEASON[day.month] * (1 - fraction) + other_value * fraction


def normal_year(rng: random.Random, year: int, *, factor=None, closed=None, noise=DAILY_NOISE):
    """One library's year: ``factor(day)`` bends the level, ``closed(day)`` closes a day."""
    level = LEVEL * rng.uniform(0.97, 1.03)
    wobble = {month: rng.gauss(1.0, 0.05) for month in range(1, 13)}
    values, open_days = {}, {}
    for day in _days(year):
        is_open = WEEKDAY[day.weekday()] > 0 and (day.month, day.day) not in HOLIDAYS
        if closed is not None and closed(day):
            is_open = False
        open_days[day] = is_open
        if not is_open:
            continue
        bend = factor(day) if factor is not None else 1.0
        mean = level * _season(day) * wobble[day.month] * WEEKDAY[day.weekday()] * bend
        values[day] = mean * math.exp(rng.gauss(0, noise) - noise**2 / 2)
    return Series(values, open_days)


def _monthly(series: Series, *, on_last_day: bool) -> Series:
    """The same year reported per month: on the month's last day, or spread over its days."""
    totals: dict[tuple[int, int], float] = {}
    for day, value in series.values.items():
        totals[(day.year, day.month)] = totals.get((day.year, day.month), 0.0) + value
    values = {}
    for (year, month), total in totals.items():
        length = calendar.monthrange(year, month)[1]
        if on_last_day:
            values[date(year, month, length)] = total
        else:
            for day in range(1, length + 1):
                values[date(year, month, day)] = total / length
    return Series(values, None)


def _story(name, description, rng, *, target=None, history=None) -> Scenario:
    series = {}
    for year in YEARS:
        if year == TARGET_YEAR:
            series[year] = (target or (lambda r, y: normal_year(r, y)))(rng, year)
        else:
            series[year] = (history or (lambda r, y: normal_year(r, y)))(rng, year)
    return Scenario(name, description, series)


def scenarios(seed: int = 2021) -> list[Scenario]:
    rng = random.Random(seed)
    spring = date(TARGET_YEAR, 5, 1)
    august = date(TARGET_YEAR, 8, 1)

    def restricted(r, y):
        return normal_year(r, y, factor=lambda d: 0.5 if d < spring else 1.0)

    def step_up(r, y):
        return normal_year(r, y, factor=lambda d: 1.25 if d >= august else 1.0)

    def decline(r, y):
        return normal_year(r, y, factor=lambda d: 1.0 - 0.2 * d.timetuple().tm_yday / 365)

    def rise(r, y):
        return normal_year(r, y, factor=lambda d: 1.0 + 0.2 * d.timetuple().tm_yday / 365)

    def dipped(r, y):
        if y != 2020:
            return normal_year(r, y)
        return normal_year(r, y, factor=lambda d: 0.4 if 4 <= d.month <= 6 else 1.0)

    def renovated(r, y):
        return normal_year(r, y, closed=lambda d: d.month in (9, 10))

    def month_end(r, y):
        return _monthly(normal_year(r, y), on_last_day=True)

    def spread(r, y):
        return _monthly(normal_year(r, y), on_last_day=False)

    return [
        _story("steady", "A steady year like the three before it.", rng),
        _story(
            "restrictions_lifted",
            "Restrictions halve activity until 1 May, then it returns to normal.",
            rng,
            target=restricted,
        ),
        _story(
            "step_up_august",
            "Longer opening hours lift activity 25 % from August.",
            rng,
            target=step_up,
        ),
        _story(
            "slow_decline",
            "Activity falls steadily through the year, 20 % by December.",
            rng,
            target=decline,
        ),
        _story(
            "steady_rise",
            "A campaign works: activity rises 20 % through the year.",
            rng,
            target=rise,
        ),
        _story(
            "baseline_dip",
            "The year before had a three-month dip (April to June at 40 %).",
            rng,
            history=dipped,
        ),
        _story(
            "renovation",
            "The library closes for renovation in September and October, entered in advance.",
            rng,
            target=renovated,
        ),
        _story(
            "monthly_on_last_day",
            "Figures reported per month, each on the month's last day (new users).",
            rng,
            target=month_end,
            history=month_end,
        ),
        _story(
            "monthly_spread",
            "Figures reported per month, spread over its days (e-loans).",
            rng,
            target=spread,
            history=spread,
        ),
    ]
