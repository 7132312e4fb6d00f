"""When people come: average visits per weekday and hour, from counter intervals.

Only intervals of an hour or less are used (a file of daily totals says nothing about hours),
and intervals the counter marked as faulty are left out. Each sensor's rule turns in and out
into visits, as for the daily figures. The average is over the days of that weekday with any
interval data, so a week without data does not pull the map down.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from bibliotal.core.sqltime import SecondsBetween
from bibliotal.visits.models import CounterReading, Sensor

LEVELS = 5


@dataclass
class Cell:
    hour: int
    visits: float | None  # None: no interval data for this hour on this weekday
    level: int  # 0 (quiet) to LEVELS (the busiest hour)


@dataclass
class HeatRow:
    weekday: int  # ISO: 1 is Monday
    days: int  # days of this weekday with interval data
    cells: list[Cell]
    name: str = ""  # the weekday's name, in the page's language


@dataclass
class LegendStep:
    level: int
    low: float  # an hour of this colour has more visits than this (the first step: more than 0)
    high: float  # and at most this many


@dataclass
class HeatMap:
    hours: list[int]
    rows: list[HeatRow]
    days: int
    busiest: float

    def legend(self) -> list[LegendStep]:
        """The visits per hour each colour stands for (level 0, white, is an hour without
        visits): the levels round each hour's share of the busiest hour to fifths."""
        bounds = [0.0, *(self.busiest * (k + 0.5) / LEVELS for k in range(1, LEVELS)), self.busiest]
        return [
            LegendStep(level=k, low=bounds[k - 1], high=bounds[k]) for k in range(1, LEVELS + 1)
        ]


def hourly_readings(*, branch_ids: list[int], start: date, end: date):
    """The intervals that can be placed in an hour: an hour or shorter, not marked faulty,
    starting from ``start`` to ``end`` (both included, local dates). Unordered."""
    zone = timezone.get_current_timezone()
    return (
        CounterReading.objects.filter(
            sensor__branch_id__in=branch_ids,
            suspect=False,
            starts_at__gte=datetime.combine(start, time(), tzinfo=zone),
            starts_at__lt=datetime.combine(end + timedelta(days=1), time(), tzinfo=zone),
        )
        # In the database on both (``core.sqltime``), not a Python function per row on SQLite.
        .alias(length=SecondsBetween("starts_at", "ends_at"))
        .filter(length__lte=3600)
        .order_by()
    )


def hourly_intervals(*, branch_ids: list[int], start: date, end: date):
    """``hourly_readings``' intervals as a polars frame: the library (``branch_id``), the
    sensor's ``rule``, the local ``day`` and ``minute`` of the day the interval starts, and
    ``count_in`` and ``count_out``; fetched a block at a time and grouped on whole columns (a
    year of 15-minute intervals of a large library is hundreds of thousands): what the weekday
    × hour map and the staffed split both read, in one query (``split.map_and_split``)."""
    import polars as pl
    from django.db.models.expressions import RawSQL

    from bibliotal.visits import frames

    table = connection.ops.quote_name(CounterReading._meta.db_table)
    started = frames.epoch(f"{table}.{connection.ops.quote_name('starts_at')}")
    sql, params = (
        hourly_readings(branch_ids=branch_ids, start=start, end=end)
        .annotate(start=RawSQL(started, []))
        .values_list("sensor__branch_id", "sensor__rule", "start", "count_in", "count_out")
        .query.sql_with_params()
    )
    schema = {
        "branch_id": pl.Int64,
        "rule": pl.String,
        "start": pl.Int64,
        "count_in": pl.Int64,
        "count_out": pl.Int64,
    }
    return frames.local(frames.fetch(sql, params, schema))


def weekday_hour(*, branch_ids: list[int], start: date, end: date) -> HeatMap | None:
    """The map for the branches from start to end (both included); None without interval data."""
    return heat_map_of(hourly_intervals(branch_ids=branch_ids, start=start, end=end))


def heat_map_of(intervals) -> HeatMap | None:
    """The map of ``hourly_intervals``: in and out summed per weekday, hour and rule, each
    rule applied to its sums, averaged over the dates of each weekday with interval data. None
    without interval data."""
    import polars as pl

    if intervals.is_empty():
        return None
    weekday = pl.col("day").dt.weekday()
    hour = (pl.col("minute") // 60).alias("hour")
    sums = intervals.group_by(weekday.alias("weekday"), hour, "rule").agg(
        pl.col("count_in").sum(), pl.col("count_out").sum()
    )
    totals: dict[tuple[int, int], float] = defaultdict(float)
    for weekday_number, hour, rule, count_in, count_out in sums.sort(
        "weekday", "hour", "rule"
    ).iter_rows():
        totals[weekday_number, hour] += Sensor.visits_by_rule(rule, count_in, count_out)
    days = intervals.select(pl.col("day").unique()).group_by(weekday.alias("weekday")).len()
    return _heat_map(totals, defaultdict(int, dict(days.iter_rows())))


def _heat_map(totals: dict, days_per_weekday: dict) -> HeatMap:
    """The map from the visits per (weekday, hour) and the days of each weekday with data."""
    averages = {
        key: value / days_per_weekday[key[0]]
        for key, value in totals.items()
        if days_per_weekday[key[0]]
    }
    busiest = max(averages.values(), default=0.0)
    hours = list(range(min(h for _, h in averages), max(h for _, h in averages) + 1))
    rows = []
    for weekday in range(1, 8):
        cells = []
        for hour in hours:
            value = averages.get((weekday, hour))
            level = 0
            if value and busiest:
                level = max(1, min(LEVELS, round(value / busiest * LEVELS)))
            cells.append(Cell(hour=hour, visits=value, level=level))
        rows.append(HeatRow(weekday=weekday, days=days_per_weekday[weekday], cells=cells))
    return HeatMap(hours=hours, rows=rows, days=sum(days_per_weekday.values()), busiest=busiest)


def readings_stamp(organisation) -> str:
    """A fingerprint of the organisation's counter readings: the newest reading's id in the
    whole table (one look at the primary key, however many readings there are; readings come
    only from imports and the demo, each with a new id, and leave only with their sensor, which
    the audit log records), and the organisation's import batches and integration runs (one
    statement each; a replaced reading takes its new batch). With
    ``core.opening.calendar_stamp`` (the audit log: sensors' rules and libraries, reviews) it
    keeps the visits page's weekday × hour map and staffed split between requests."""
    from django.db.models import Count, Max

    from bibliotal.core.models import ImportBatch, IntegrationRun

    readings = CounterReading.objects.aggregate(n=Max("pk"))
    batches = ImportBatch.objects.filter(organisation=organisation).aggregate(
        c=Count("pk"), n=Max("pk"), at=Max("imported_at")
    )
    runs = IntegrationRun.objects.filter(organisation=organisation).aggregate(
        n=Max("pk"), at=Max("finished_at")
    )
    return repr((tuple(readings.values()), tuple(batches.values()), tuple(runs.values())))
