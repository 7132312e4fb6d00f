"""Counter readings on whole columns (polars): read from the database by the million, grouped
by local day and hour without a Python call per reading.

A reading's times travel as whole seconds since the epoch (UTC), worked out by the database
itself on both SQLite and PostgreSQL, and become local times (Europe/Copenhagen) in polars.
Copenhagen's offsets from UTC are whole hours, so an hour of local time starts where an hour
of UTC does: hourly groups are made on the epoch seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import polars as pl
from django.db import connection
from django.utils import timezone

from bibliotal.visits.models import CounterReading, Sensor

HOUR_SECONDS = 3600
FETCH_ROWS = 50_000
DAY = timedelta(days=1)


def epoch(column: str) -> str:
    """SQL for a datetime column as whole seconds since 1970 (UTC)."""
    if connection.vendor == "postgresql":
        return f"FLOOR(EXTRACT(EPOCH FROM {column}))::bigint"
    return f"CAST(strftime('%%s', {column}) AS INTEGER)"


def zone() -> str:
    return str(timezone.get_current_timezone())


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.get_current_timezone())


def _table() -> str:
    return connection.ops.quote_name(CounterReading._meta.db_table)


def readings(
    sensor_ids: Iterable[int], start: datetime, end: datetime, written: Written | None = None
) -> pl.DataFrame:
    """The readings of the sensors starting in [start, end): sensor_id, start and end (epoch
    seconds), count_in, count_out, suspect, reset, batch_id. ``written``: what an import has
    just written, taken from memory rather than read back."""
    ids = sorted(set(sensor_ids))
    schema = {
        "sensor_id": pl.Int64,
        "start": pl.Int64,
        "end": pl.Int64,
        "count_in": pl.Int64,
        "count_out": pl.Int64,
        "suspect": pl.Boolean,
        "reset": pl.Boolean,
        "batch_id": pl.Int64,
    }
    if not ids:
        return pl.DataFrame(schema=schema)
    where, params = _where(ids, start, end, written)
    sql = (
        f"SELECT sensor_id, {epoch('starts_at')}, {epoch('ends_at')}, count_in, count_out, "
        f"suspect, reset, batch_id FROM {_table()} WHERE {where}"
    )
    found = fetch(sql, params, schema)
    if written is None:
        return found
    ours = _mine(written, ids, start, end).select(
        "sensor_id",
        pl.col("at").alias("start"),
        "end",
        "count_in",
        "count_out",
        "suspect",
        "reset",
        pl.lit(written.batch_id, pl.Int64).alias("batch_id"),
    )
    return pl.concat([found, ours.cast(schema)])


def _where(ids, start: datetime, end: datetime, written: Written | None = None):
    """(SQL, parameters): the sensors' readings starting in [start, end), without the ones
    ``written`` holds in memory."""
    adapt = connection.ops.adapt_datetimefield_value
    sql = f"sensor_id IN ({', '.join(['%s'] * len(ids))}) AND starts_at >= %s AND starts_at < %s"
    params = [*ids, adapt(start), adapt(end)]
    if written is not None:
        sql += " AND (batch_id IS NULL OR batch_id <> %s)"
        params.append(written.batch_id)
    return sql, params


def _mine(written: Written, ids, start: datetime, end: datetime) -> pl.DataFrame:
    """The batch's own readings of the sensors starting in [start, end), from memory."""
    low, high = int(start.timestamp()), int(end.timestamp())
    return written.frame.filter(
        pl.col("sensor_id").is_in(ids) & pl.col("at").is_between(low, high, closed="left")
    )


def fetch(sql: str, params, schema) -> pl.DataFrame:
    """A query's rows as a frame, taken a block at a time: never all as Python tuples."""
    parts = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while block := cursor.fetchmany(FETCH_ROWS):
            parts.append(pl.DataFrame(block, schema=schema, orient="row"))
    return pl.concat(parts) if parts else pl.DataFrame(schema=schema)


@dataclass
class Written:
    """The readings an import wrote (created or replaced), as it wrote them: sensor_id, at and
    end (epoch seconds), count_in, count_out, suspect, reset."""

    batch_id: int
    frame: pl.DataFrame


def visits_column():
    """Each row's visits by its ``rule`` from ``count_in`` and ``count_out``, as
    ``Sensor.visits_by_rule`` makes them."""
    rule = pl.col("rule")
    return (
        pl.when(rule == Sensor.Rule.IN)
        .then(pl.col("count_in").cast(pl.Float64))
        .when(rule == Sensor.Rule.OUT)
        .then(pl.col("count_out").cast(pl.Float64))
        .otherwise((pl.col("count_in") + pl.col("count_out")) / 2)
    )


def local(frame: pl.DataFrame, column: str = "start") -> pl.DataFrame:
    """Add the local day (``day``) and minute of the day (``minute``) of an epoch column."""
    at = pl.from_epoch(pl.col(column), time_unit="s").dt.replace_time_zone("UTC")
    at = at.dt.convert_time_zone(zone())
    return frame.with_columns(
        day=at.dt.date(),
        minute=(at.dt.hour().cast(pl.Int32) * 60 + at.dt.minute().cast(pl.Int32)),
    )


# ``hourly``'s columns.
HOURS = {
    "sensor_id": pl.Int64,
    "hour": pl.Int64,
    "count_in": pl.Int64,
    "count_out": pl.Int64,
    "until": pl.Int64,
    "ours": pl.Int64,
}


def hourly(
    sensor_ids: Iterable[int],
    start: datetime,
    end: datetime,
    batch_id: int | None,
    written: Written | None = None,
    *,
    as_frame: bool = False,
):
    """Per sensor and hour: in, out, the latest end and how many of the readings the batch
    wrote, as (sensor_id, hour, count_in, count_out, until, ours) in epoch seconds, ordered;
    ``as_frame``: as a polars frame of those columns instead of rows."""
    ids = sorted(set(sensor_ids))
    if not ids:
        return pl.DataFrame(schema=HOURS) if as_frame else []
    where, params = _where(ids, start, end, written)
    hour = f"({epoch('starts_at')} / {HOUR_SECONDS}) * {HOUR_SECONDS}"
    ours = "SUM(CASE WHEN batch_id = %s THEN 1 ELSE 0 END)" if written is None else "0"
    sql = (
        f"SELECT sensor_id, {hour}, SUM(count_in), SUM(count_out), MAX({epoch('ends_at')}), "
        f"{ours} FROM {_table()} WHERE {where} GROUP BY sensor_id, {hour} ORDER BY sensor_id, 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ([batch_id or 0] if written is None else []) + params)
        rows = cursor.fetchall()
    if written is None:
        return pl.DataFrame(rows, schema=HOURS, orient="row") if as_frame else rows
    found = _with_written(rows, ids, start, end, written)
    return found if as_frame else found.rows()


def _with_written(rows, ids, start: datetime, end: datetime, written: Written):
    """The stored hours (none of them the batch's) with the batch's own from memory."""
    stored = pl.DataFrame(rows, schema=HOURS, orient="row")
    ours = (
        _mine(written, ids, start, end)
        .group_by("sensor_id", hour=(pl.col("at") // HOUR_SECONDS) * HOUR_SECONDS)
        .agg(
            pl.col("count_in").sum(),
            pl.col("count_out").sum(),
            pl.col("end").max().alias("until"),
            pl.len().alias("ours"),
        )
        .cast(HOURS)
    )
    return (
        pl.concat([stored, ours.select(list(HOURS))])
        .group_by("sensor_id", "hour")
        .agg(
            pl.col("count_in").sum(),
            pl.col("count_out").sum(),
            pl.col("until").max(),
            pl.col("ours").sum(),
        )
        .sort("sensor_id", "hour")
    )
