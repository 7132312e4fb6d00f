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
from bibliotal.visits.heatmap import hourly_intervals
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
    *,
    calendars: dict[int, dict[date, OpenDay]],
    start: date,
    end: date,
    intervals: list[tuple] | None = None,
) -> Split | None:
    """The split for the branches of ``calendars`` (from ``opening_calendar``); None without
    interval data. Open hours are counted on the days with interval data only, so that the
    rates compare like with like. ``intervals``: ``heatmap.hourly_intervals`` of the same
    libraries and dates, if already read."""
    if intervals is None:
        intervals = hourly_intervals(branch_ids=list(calendars), start=start, end=end)
    visits = {"staffed": 0.0, "self_service": 0.0, "outside": 0.0}
    seen: set[tuple[int, date]] = set()
    for branch_id, rule, local_date, minute, count_in, count_out in intervals:
        day = calendars[branch_id].get(local_date)
        if day is None:
            continue
        seen.add((branch_id, local_date))
        if _within(minute, day.staffed_periods):
            kind = "staffed"
        elif _within(minute, day.self_service_periods):
            kind = "self_service"
        else:
            kind = "outside"
        visits[kind] += Sensor.visits_by_rule(rule, count_in, count_out)
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
