"""An indicator's figures per day for one period, and the calendar arithmetic the engine needs.

Pure (no database): the progress engine (``goals/progress.py``) and the forecaster
(``goals/forecast.py``) both read these.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate


@dataclass(frozen=True)
class Series:
    """An additive indicator's values per day for one year, summed over the scope's libraries.

    ``open`` says per day whether a library in scope was open (None: the activity does not
    depend on opening hours, e.g. e-loans). ``estimated`` is the estimated part of the values.
    """

    values: dict[date, float]
    open: dict[date, bool] | None = None
    estimated: float = 0.0
    closures: tuple[str, ...] = ()
    no_opening_hours: bool = False

    def total(self, start: date, end: date) -> float:
        return sum(v for d, v in self.values.items() if start <= d <= end)

    def has_values(self, start: date, end: date) -> bool:
        return any(start <= d <= end for d in self.values)

    def is_open(self, day: date) -> bool:
        return True if self.open is None else self.open.get(day, False)

    def active(self, day: date) -> bool:
        """Open, or a day with recorded activity all the same (phone guidance in a lockdown)."""
        return self.is_open(day) or self.values.get(day, 0.0) > 0

    def open_days(self, start: date, end: date) -> int:
        """Open days: dates on which at least one library in scope was open to the public,
        staffed or self-service (every date, for activity that does not need premises)."""
        return sum(1 for d in days_between(start, end) if self.is_open(d))


def running_total(values: dict[date, float], start: date):
    """``day -> Σ values from start to day``: the days sorted and summed once, each question
    answered by bisection (a chart asks for every week of the year, which summed the whole
    year each time)."""
    days = sorted(d for d in values if d >= start)
    sums = list(accumulate(values[d] for d in days))

    def total(day: date) -> float:
        found = bisect_right(days, day)
        return sums[found - 1] if found else 0  # as sum() of nothing

    return total


def days_between(start: date, end: date):
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


def shift(day: date, years: int) -> date:
    """The same month and day ``years`` years away (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def same_day_in(day: date, year: int) -> date:
    return shift(day, year - day.year)
