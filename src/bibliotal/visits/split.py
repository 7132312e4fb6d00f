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
from bibliotal.visits.heatmap import HeatMap, heat_map_of, hourly_intervals


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


def staffed_split(
    *, calendars: dict[int, dict[date, OpenDay]], start: date, end: date
) -> Split | None:
    """The split for the branches of ``calendars`` (from ``opening_calendar``); None without
    interval data. Open hours are counted on the days with interval data only, so that the
    rates compare like with like."""
    return split_of(hourly_intervals(branch_ids=list(calendars), start=start, end=end), calendars)


def map_and_split(
    *, calendars: dict[int, dict[date, OpenDay]], start: date, end: date
) -> tuple[HeatMap | None, Split | None]:
    """``heatmap.weekday_hour`` and ``staffed_split`` of the libraries of ``calendars`` from one
    read of their intervals: both read every interval of the year."""
    intervals = hourly_intervals(branch_ids=list(calendars), start=start, end=end)
    return heat_map_of(intervals), split_of(intervals, calendars)


def split_of(intervals, calendars: dict[int, dict[date, OpenDay]]) -> Split | None:
    """The split of ``heatmap.hourly_intervals``: each interval in the staffed period its start
    falls in, else in the self-service one, else outside, on the days the calendars hold."""
    import polars as pl  # here, not at start-up: every process imports this module

    from bibliotal.visits.frames import visits_column

    keys = {"branch_id": pl.Int64, "day": pl.Date}
    days, periods = [], []
    for branch_id, calendar in calendars.items():
        for day, info in calendar.items():
            days.append((branch_id, day))
            for kind, found in (
                ("staffed", info.staffed_periods),
                ("self_service", info.self_service_periods),
            ):
                periods += [(branch_id, day, kind, low, high) for low, high in found]
    days = pl.DataFrame(days, schema=keys, orient="row")
    periods = pl.DataFrame(
        periods,
        schema={**keys, "kind": pl.String, "low": pl.Int32, "high": pl.Int32},
        orient="row",
    )
    placed = intervals.join(days, on=["branch_id", "day"]).with_row_index("row")
    if placed.is_empty():
        return None
    inside = (
        placed.select("row", "branch_id", "day", "minute")
        .join(periods, on=["branch_id", "day"])
        .filter((pl.col("minute") >= pl.col("low")) & (pl.col("minute") < pl.col("high")))
        .group_by("row")
        .agg(
            staffed=(pl.col("kind") == "staffed").any(),
            self_service=(pl.col("kind") == "self_service").any(),
        )
    )
    kinds = (
        placed.join(inside, on="row", how="left")
        .with_columns(
            kind=pl.when(pl.col("staffed"))
            .then(pl.lit("staffed"))
            .when(pl.col("self_service"))
            .then(pl.lit("self_service"))
            .otherwise(pl.lit("outside")),
            visits=visits_column(),
        )
        .group_by("kind")
        .agg(pl.col("visits").sum())
    )
    visits = {"staffed": 0.0, "self_service": 0.0, "outside": 0.0}
    visits.update(dict(kinds.iter_rows()))
    seen = set(placed.select("branch_id", "day").unique().iter_rows())
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
