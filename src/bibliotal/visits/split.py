"""Visits in staffed and in self-service hours (åbent bibliotek), from counter intervals.

An interval belongs to the period its start falls in, by the branch's opening calendar for
that day; one that starts outside both is counted apart (cleaning sets such counts aside
from the day's visits, beyond half an hour of the opening hours, with the original kept).
Intervals longer than an hour cannot be placed and are left out, as are faulty ones, so the
split covers the interval data only and says how many days of it there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bibliotal.core.opening import OpenDay
from bibliotal.visits.heatmap import HeatCounts, HeatMap, hourly_intervals
from bibliotal.visits.models import Sensor


@dataclass
class SplitRow:
    kind: str  # "staffed", "self_service" or "outside"
    visits: float
    hours: float | None  # open hours of that kind; None for "outside"
    share: float = 0.0
    label: str = ""  # set by the page, in its language

    @property
    def per_hour(self) -> float | None:
        return self.visits / self.hours if self.hours else None


@dataclass
class Split:
    rows: list[SplitRow]
    days: int

    @property
    def total(self) -> float:
        return sum(row.visits for row in self.rows)


def _within(minute: int, periods) -> bool:
    return any(start <= minute < end for start, end in periods)


def staffed_split(
    *, calendars: dict[int, dict[date, OpenDay]], start: date, end: date
) -> Split | None:
    """The split for the branches of ``calendars`` (from ``opening_calendar``); None without
    interval data. Open hours are counted on the days with interval data only, so that the
    rates compare like with like."""
    counts = SplitCounts(calendars)
    for interval in hourly_intervals(branch_ids=list(calendars), start=start, end=end):
        counts.add(interval)
    return counts.split()


def map_and_split(
    *, calendars: dict[int, dict[date, OpenDay]], start: date, end: date
) -> tuple[HeatMap | None, Split | None]:
    """``heatmap.weekday_hour`` and ``staffed_split`` of the libraries of ``calendars`` from one
    pass over their intervals: both read every interval of the year."""
    heat, split = HeatCounts(), SplitCounts(calendars)
    for interval in hourly_intervals(branch_ids=list(calendars), start=start, end=end):
        heat.add(interval)
        split.add(interval)
    return heat.heat_map(), split.split()


class SplitCounts:
    """The split's sums as the intervals stream by."""

    def __init__(self, calendars: dict[int, dict[date, OpenDay]]):
        self.calendars = calendars
        self.visits = {"staffed": 0.0, "self_service": 0.0, "outside": 0.0}
        self.seen: set[tuple[int, date]] = set()

    def add(self, interval: tuple) -> None:
        branch_id, rule, local_date, minute, count_in, count_out = interval
        day = self.calendars[branch_id].get(local_date)
        if day is None:
            return
        self.seen.add((branch_id, local_date))
        if _within(minute, day.staffed_periods):
            kind = "staffed"
        elif _within(minute, day.self_service_periods):
            kind = "self_service"
        else:
            kind = "outside"
        self.visits[kind] += Sensor.visits_by_rule(rule, count_in, count_out)

    def split(self) -> Split | None:
        """None without interval data."""
        calendars, visits, seen = self.calendars, self.visits, self.seen
        if not seen:
            return None
        staffed_hours = sum(calendars[b][d].staffed_hours for b, d in seen)
        self_service_hours = sum(calendars[b][d].self_service_hours for b, d in seen)
        total = sum(visits.values())
        split = Split(
            rows=[
                SplitRow("staffed", visits["staffed"], staffed_hours),
                SplitRow("self_service", visits["self_service"], self_service_hours),
                SplitRow("outside", visits["outside"], None),
            ],
            days=len({d for _b, d in seen}),
        )
        for row in split.rows:
            row.share = row.visits / total if total else 0.0
        return split
