"""A generic counter file (long or wide, UTF-8 text) read and checked on whole columns.

The row-by-row reader of ``visits.importers`` is the rule; this is the same rule on columns,
for the files counters export by the million. It parses with polars, works out each distinct
timestamp and sensor name once, differences cumulative registers column-wise and writes the
new readings in bulk (executemany on SQLite, COPY on PostgreSQL).

Its writes stand under a savepoint, a group of sensors at a time; the first problem rolls all of
them back. A file it cannot vouch for,
whether faulty (a bad cell, an unknown sensor, two counts for one interval) or unusual (a
cumulative register in the autumn hour, a timestamp with fractions of a second), is left to
the row reader, which names each problem by file, line, column, value and rule, or reads the
case as it always has. So a file is never read two ways: either all of it here, or all of it
row by row.
"""

from __future__ import annotations

import copy
import io
from datetime import UTC, datetime

import polars as pl
from django.db import connection, transaction

from bibliotal.core import audit
from bibliotal.visits import frames
from bibliotal.visits.formats import OK_STATUS
from bibliotal.visits.models import CounterReading, Sensor

ENABLED = True  # tests turn it off to compare with the row reader
DIGITS = r"^[0-9]{1,18}$"
DAY_SECONDS = 86_400
GROUP_ROWS = 400_000  # readings held at a time (a group of sensors)
KEEP_ROWS = 2_000_000  # up to this many, the days are worked out from memory, not read back
WRITE_ROWS = 50_000  # readings handed to the database at a time


class NotForColumns(Exception):
    """The file is for the row reader: it has a problem to name, or a case to read row by row."""


def read(
    work, *, source, encoding: str, delimiter: str, first_line: int, rows, progress=None
) -> int | None:
    """Import the file on whole columns into ``work`` (an ``importers._Import``); returns the
    number of rows read, or None when the row reader must read the file (nothing kept).

    The file is surveyed in one streamed pass (its sensors, how many rows each, its distinct
    times and whether every cell is fit), then read a group of sensors at a time, each group
    at most ``GROUP_ROWS`` readings: memory is bounded by the group, not by the file.
    ``progress(done, total)`` is told the readings written so far."""
    plan = getattr(rows, "plan", None)
    if plan is None or encoding not in {"utf-8", "utf-8-sig"}:
        return None
    try:
        lazy = _cells(source, delimiter, first_line, plan)
        height, counts, times = _survey(lazy, plan)
        if not height:
            return None  # the row reader says why a file without readings imports nothing
        sensors, create = _sensors(work, counts["sensor"].to_list())
        stamps = _stamps(work, times, plan)
    except NotForColumns:
        return None
    groups = _groups(counts)
    saved = (copy.deepcopy(work.result), dict(work.sensors))
    savepoint = transaction.savepoint()
    try:
        sensors = _create(work, sensors, create)
        keep = height <= KEEP_ROWS
        planned = counts.select(pl.col("n").sum()).item()
        done = 0
        for names in groups:
            if progress is not None:
                progress(done, planned)
            part = lazy if len(groups) == 1 else lazy.filter(pl.col("sensor").is_in(names))
            try:
                readings = part.collect(engine="streaming")
            except Exception as exc:
                raise NotForColumns from exc
            done += readings.height
            _write(work, _prepare(work, readings, plan, sensors, stamps), keep=keep)
            del readings
    except NotForColumns:
        transaction.savepoint_rollback(savepoint)
        work.result, work.sensors = saved
        work.tracks.clear()
        work.written = None
        return None
    transaction.savepoint_commit(savepoint)
    return height


def _survey(lazy: pl.LazyFrame, plan) -> tuple[int, pl.DataFrame, pl.DataFrame]:
    """(rows read, each sensor's name and readings in the order the file names them, the
    distinct times); a cell no plain count, or a NUL, leaves the file to the row reader."""
    keys = ["stamp"] if plan.stamp_at is not None else ["date", "time"]
    try:
        counts, times = pl.collect_all(
            [
                lazy.group_by("sensor", maintain_order=True).agg(
                    pl.len().alias("n"),
                    pl.col("order").min().alias("first"),
                    (pl.col("count_in").is_null() | pl.col("count_out").is_null() | pl.col("nul"))
                    .any()
                    .alias("unfit"),
                ),
                lazy.select(keys).unique(),
            ],
            engine="streaming",
        )
    except Exception as exc:
        raise NotForColumns from exc
    if counts.select(pl.col("unfit").any()).item():
        raise NotForColumns
    counts = counts.sort("first").with_columns(pl.col("sensor").cast(pl.String))
    total = counts.select(pl.col("n").sum()).item() or 0
    return (total // len(plan.pairs) if plan.pairs else total), counts, times


def _groups(counts: pl.DataFrame) -> list[list[str]]:
    """Sensors in groups of at most ``GROUP_ROWS`` readings (a sensor with more is a group)."""
    groups, size = [[]], 0
    for name, n in counts.select("sensor", "n").iter_rows():
        if groups[-1] and size + n > GROUP_ROWS:
            groups.append([])
            size = 0
        groups[-1].append(name)
        size += n
    return groups


def _create(work, sensors: pl.DataFrame, create: list[str]) -> pl.DataFrame:
    """Make the file's new sensors (the file has passed the survey); their real ids in."""
    created = {}
    for index, name in enumerate(create):
        sensor = Sensor.objects.create(
            organisation=work.organisation, branch=work.branch, name=name, rule=work.rule
        )
        work.sensors[name.lower()] = sensor
        work.result.new_sensors.append(sensor.name)
        created[-(index + 1)] = sensor.pk
    if not created:
        return sensors
    return sensors.with_columns(sensor_id=pl.col("sensor_id").replace(created))


def _cells(source, delimiter: str, first_line: int, plan) -> pl.LazyFrame:
    """One row per reading, lazily: order, the time's text (stamp, or date and time, as
    categories), sensor, count_in and count_out (null where a cell is no plain count), suspect
    and nul (a NUL in the row). Parsed, stripped and typed as the file streams by, blank rows
    dropped, so that only compact columns are ever held."""
    source.seek(0)
    try:
        lazy = pl.scan_csv(
            source,
            separator=delimiter,
            has_header=False,
            skip_lines=first_line - 1,
            infer_schema=False,
            empty_string_is_null=False,
            quote_char='"',
        )
        names = lazy.collect_schema().names()
    except Exception as exc:  # any file polars cannot read is the row reader's to explain
        raise NotForColumns from exc
    # Named by position (c0, c1, …) whatever polars calls a header-less file's columns.
    text = [f"c{index}" for index in range(len(names))]
    lazy = (
        lazy.select(
            pl.col(name).fill_null("").str.strip_chars().alias(alias)
            for name, alias in zip(names, text, strict=True)
        )
        .filter(~pl.all_horizontal(pl.col(text) == ""))
        .with_row_index("row")
        .with_columns(nul=pl.any_horizontal(pl.col(text).str.contains("\x00", literal=True)))
    )

    def cell(index):
        if index is None:
            return pl.lit("")
        if index >= len(names):
            raise NotForColumns  # a row shorter than the header: the row reader reads it
        return pl.col(f"c{index}")

    def count(index):
        value = cell(index)
        plain = value.str.contains(DIGITS)
        number = value.cast(pl.Int64, strict=False)
        return pl.when(value == "").then(0).when(plain).then(number).otherwise(None)

    def category(index):
        return cell(index).cast(pl.Categorical)

    when = [
        category(plan.stamp_at).alias("stamp"),
        category(plan.date_at).alias("date"),
        category(plan.time_at).alias("time"),
    ]
    if plan.pairs:
        width = len(plan.pairs)
        parts = [
            lazy.select(
                (pl.col("row").cast(pl.Int64) * width + k).alias("order"),
                *when,
                pl.lit(name).cast(pl.Categorical).alias("sensor"),
                count(count_in).alias("count_in"),
                count(count_out).alias("count_out"),
                pl.lit(False).alias("suspect"),
                "nul",
            )
            for k, (name, count_in, count_out) in enumerate(plan.pairs)
        ]
        lazy = pl.concat(parts)
    else:
        status = cell(plan.status_at).str.to_lowercase()
        lazy = lazy.select(
            pl.col("row").cast(pl.Int64).alias("order"),
            *when,
            category(plan.sensor_at).alias("sensor"),
            count(plan.in_at).alias("count_in"),
            count(plan.out_at).alias("count_out"),
            (~status.is_in(list(OK_STATUS))).alias("suspect"),
            "nul",
        )
    return lazy


def _stamps(work, distinct: pl.DataFrame, plan) -> pl.DataFrame:
    """Each distinct time once, as the row reader parses it: its epoch seconds read as the
    first (``e0``) and the second (``e1``) pass of a repeated local hour, and its local day."""
    keys = ["stamp"] if plan.stamp_at is not None else ["date", "time"]
    found = []
    for values in distinct.iter_rows():
        try:
            if plan.stamp_at is not None:
                when = plan.stamps.stamp(plan.time_column, values[0])
            else:
                when = plan.stamps.date_time(plan.time_column, values[0], values[1])
        except ValueError as exc:  # CellProblem: the row reader names the cell
            raise NotForColumns from exc
        if when.microsecond:
            raise NotForColumns
        first, _db, day = work.instant(when)
        second = work.instant(when, fold=1)[0] if when.tzinfo is None else first
        found.append((*values, int(first.timestamp()), int(second.timestamp()), day))
    schema = dict.fromkeys(keys, pl.String) | {"e0": pl.Int64, "e1": pl.Int64, "day": pl.Date}
    table = pl.DataFrame(found, schema=schema, orient="row")
    return table.with_columns(pl.col(key).cast(pl.Categorical) for key in keys)


def _sensors(work, names: list[str]) -> tuple[pl.DataFrame, list[str]]:
    """(name → sensor id, the names of sensors to create). A sensor not yet made gets a
    provisional negative id until the file has passed."""
    from bibliotal.visits.importers import MAX_SENSOR_NAME

    ids, create, provisional = [], [], {}
    for name in names:
        if not name or len(name) > MAX_SENSOR_NAME:
            raise NotForColumns
        key = name.lower()
        sensor = work.sensors.get(key)
        if sensor is not None:
            ids.append(sensor.pk)
        elif work.branch is None:
            raise NotForColumns  # an unknown sensor: the row reader says what to do
        else:
            if key not in provisional:
                provisional[key] = -(len(create) + 1)
                create.append(name)
            ids.append(provisional[key])
    mapping = pl.DataFrame(
        {"sensor": names, "sensor_id": ids}, schema={"sensor": pl.String, "sensor_id": pl.Int64}
    ).with_columns(pl.col("sensor").cast(pl.Categorical))
    return mapping, create


def _prepare(work, readings: pl.DataFrame, plan, sensors, stamps) -> dict:
    from bibliotal.visits.importers import MAX_REGISTER, MAX_VISITS_PER_READING

    keys = ["stamp"] if plan.stamp_at is not None else ["date", "time"]
    cumulative = [s.pk for s in work.sensors.values() if s.register == Sensor.Register.CUMULATIVE]
    daily_reset = [s.pk for s in work.sensors.values() if s.daily_reset]
    readings = (
        readings.lazy()
        .join(sensors.lazy(), on="sensor")
        .join(stamps.lazy(), on=keys)
        .select(
            "order",
            "sensor_id",
            "e0",
            "e1",
            "day",
            "count_in",
            "count_out",
            "suspect",
            pl.col("sensor_id").is_in(cumulative).alias("cumulative"),
        )
        .sort("sensor_id", "order")
        .collect()
    )
    ceiling = pl.when(pl.col("cumulative")).then(MAX_REGISTER).otherwise(MAX_VISITS_PER_READING)
    if readings.select(
        ((pl.col("count_in") > ceiling) | (pl.col("count_out") > ceiling)).any()
    ).item():
        raise NotForColumns
    readings = _autumn(readings)
    by = "sensor_id"
    readings = readings.with_columns(
        previous=pl.col("at").shift(1).over(by),
        previous_in=pl.col("count_in").shift(1).over(by),
        previous_out=pl.col("count_out").shift(1).over(by),
    )
    # The same interval twice in a row: once when the counts agree, a problem when not.
    again = pl.col("at") == pl.col("previous")
    same = (pl.col("count_in") == pl.col("previous_in")) & (
        pl.col("count_out") == pl.col("previous_out")
    )
    if readings.select((again & ~same).any()).item():
        raise NotForColumns
    if readings.select((pl.col("cumulative") & ~(pl.col("at") > pl.col("previous"))).any()).item():
        raise NotForColumns  # a register's rows out of time order (the first has no previous)
    adjacent = readings.select(again.fill_null(False).sum()).item()
    readings = readings.filter(~again.fill_null(False))
    if cumulative:
        readings = _difference(work, readings, daily_reset)
        if readings.select(
            (
                (pl.col("count_in") > MAX_VISITS_PER_READING)
                | (pl.col("count_out") > MAX_VISITS_PER_READING)
            ).any()
        ).item():
            raise NotForColumns
    else:
        readings = readings.with_columns(
            register_in=pl.lit(None, pl.Int64),
            register_out=pl.lit(None, pl.Int64),
            reset=pl.lit(False),
        )
    # An interval lasts until the next one of its sensor, the shortest gap so far, at most a
    # day: as the row reader learns it, reading down the file.
    gap = pl.col("at").shift(-1).over(by) - pl.col("at")
    readings = readings.with_columns(
        step=pl.when(gap > 0).then(gap).otherwise(None).cum_min().over(by)
    ).with_columns(step=pl.col("step").forward_fill().over(by))
    readings = readings.with_columns(
        end=pl.col("at") + pl.min_horizontal(pl.col("step").fill_null(DAY_SECONDS), DAY_SECONDS)
    )
    # The same interval again further down: once when the counts agree.
    counted = readings.group_by(by, "at").agg(
        pl.len().alias("n"),
        pl.col("count_in").n_unique().alias("ins"),
        pl.col("count_out").n_unique().alias("outs"),
    )
    if counted.select(((pl.col("ins") > 1) | (pl.col("outs") > 1)).any()).item():
        raise NotForColumns
    further = counted.select((pl.col("n") - 1).sum()).item() or 0
    spans = readings.group_by(by).agg(
        pl.col("day").min().alias("first"), pl.col("day").max().alias("last")
    )
    readings = readings.unique(subset=[by, "at"], keep="first", maintain_order=True).select(
        by, "at", "end", "count_in", "count_out", "register_in", "register_out", "reset", "suspect"
    )
    return {
        "readings": readings,
        "spans": spans,
        "repeated": adjacent + further,
    }


def _autumn(readings: pl.DataFrame) -> pl.DataFrame:
    """``at``: each reading's start. A local time that comes twice (the autumn hour) is its
    second pass when the sensor's clock has gone back, as the row reader reads it: only the few
    such rows are walked one by one."""
    twice = pl.col("e0") != pl.col("e1")
    if not readings.select(twice.any()).item():
        return readings.with_columns(at=pl.col("e0")).drop("e0", "e1")
    if readings.select((twice & pl.col("cumulative")).any()).item():
        raise NotForColumns
    walked = readings.with_columns(
        before=pl.col("e0").shift(1).over("sensor_id"),
        before_twice=twice.shift(1).over("sensor_id"),
    ).filter(twice)
    last: dict[int, int] = {}
    chosen = []
    for order, sensor_id, first, second, before, before_twice in walked.select(
        "order", "sensor_id", "e0", "e1", "before", "before_twice"
    ).iter_rows():
        previous = last[sensor_id] if before_twice else before
        at = first
        if previous is not None and first <= previous and second > previous:
            at = second
        last[sensor_id] = at
        chosen.append((order, at))
    passes = pl.DataFrame(chosen, schema={"order": pl.Int64, "second": pl.Int64}, orient="row")
    return (
        readings.join(passes, on="order", how="left")
        .with_columns(at=pl.coalesce("second", "e0"))
        .drop("e0", "e1", "second")
        .sort("sensor_id", "order")
    )


def _difference(work, readings: pl.DataFrame, daily_reset: list[int]) -> pl.DataFrame:
    """A cumulative register's counts since its previous value (stored before the file, or the
    row before); a fall is a reset, unless the gate returns to zero each day and a day began."""
    by = "sensor_id"
    cumulative = readings.filter(pl.col("cumulative"))
    starts = cumulative.group_by(by).agg(pl.col("at").min())
    before = []
    for sensor_id, at in starts.iter_rows():
        found = (
            CounterReading.objects.filter(
                sensor_id=sensor_id, starts_at__lt=datetime.fromtimestamp(at, UTC)
            )
            .exclude(batch=work.batch)
            .order_by("-starts_at")
            .values_list("register_in", "register_out", "starts_at")
            .first()
        )
        if found is not None and found[0] is not None:
            local = found[2].astimezone(work.tz).date()
            before.append((sensor_id, found[0], found[1] or 0, local))
    stored = pl.DataFrame(
        before,
        schema={by: pl.Int64, "stored_in": pl.Int64, "stored_out": pl.Int64, "stored_day": pl.Date},
        orient="row",
    )
    first = pl.col("at") == pl.col("at").min().over(by)
    cumulative = (
        cumulative.join(stored, on=by, how="left")
        .sort(by, "order")
        .with_columns(
            previous_in=pl.when(first).then(pl.col("stored_in")).otherwise(pl.col("previous_in")),
            previous_out=pl.when(first)
            .then(pl.col("stored_out"))
            .otherwise(pl.col("previous_out")),
            previous_day=pl.when(first)
            .then(pl.col("stored_day"))
            .otherwise(pl.col("day").shift(1).over(by)),
        )
        .filter(pl.col("previous_in").is_not_null())  # the first value only sets the start
    )
    fall = (pl.col("count_in") < pl.col("previous_in")) | (
        pl.col("count_out") < pl.col("previous_out")
    )
    new_day = pl.col("day") != pl.col("previous_day")
    cumulative = cumulative.with_columns(
        register_in=pl.col("count_in"),
        register_out=pl.col("count_out"),
        reset=fall & ~(pl.col(by).is_in(daily_reset) & new_day),
        count_in=pl.when(fall)
        .then(pl.col("count_in"))
        .otherwise(pl.col("count_in") - pl.col("previous_in")),
        count_out=pl.when(fall)
        .then(pl.col("count_out"))
        .otherwise(pl.col("count_out") - pl.col("previous_out")),
    )
    plain = readings.filter(~pl.col("cumulative")).with_columns(
        register_in=pl.lit(None, pl.Int64),
        register_out=pl.lit(None, pl.Int64),
        reset=pl.lit(False),
    )
    columns = [*plain.columns]
    return pl.concat([plain, cumulative.select(columns)]).sort(by, "order")


def _write(work, prepared: dict, *, keep: bool) -> None:
    """Store a group's readings: new ones in bulk, changed ones replaced, the same ones
    counted. ``keep``: add them to ``work.written`` for the days and the hourly check."""
    from bibliotal.visits.importers import _Track

    result = work.result
    result.repeated += prepared["repeated"]
    readings, spans = prepared["readings"], prepared["spans"]
    for sensor_id, first, last in spans.iter_rows():
        work.tracks[sensor_id] = _Track(first_day=first, last_day=last)
    if readings.is_empty():
        return
    low, high = readings.select(
        pl.col("at").min().alias("low"), pl.col("at").max().alias("high")
    ).row(0)
    stored = _stored(spans["sensor_id"].to_list(), low, high)
    fresh = readings.join(stored, on=["sensor_id", "at"], how="anti")
    ours = [fresh]
    if not stored.is_empty():
        both = readings.join(stored, on=["sensor_id", "at"])
        same = (pl.col("count_in") == pl.col("old_in")) & (pl.col("count_out") == pl.col("old_out"))
        result.unchanged += both.filter(same).height
        changed = both.filter(~same)
        _replace(work, changed)
        ours.append(changed.select(fresh.columns))
    result.created += fresh.height
    _insert(work, fresh)
    if keep:
        mine = pl.concat(ours).select(
            "sensor_id", "at", "end", "count_in", "count_out", "suspect", "reset"
        )
        if work.written is not None:
            mine = pl.concat([work.written.frame, mine])
        work.written = frames.Written(batch_id=work.batch.pk, frame=mine)


def _stored(sensor_ids, low: int, high: int) -> pl.DataFrame:
    schema = {
        "pk": pl.Int64,
        "sensor_id": pl.Int64,
        "at": pl.Int64,
        "old_in": pl.Int64,
        "old_out": pl.Int64,
    }
    if not sensor_ids:
        return pl.DataFrame(schema=schema)
    adapt = connection.ops.adapt_datetimefield_value
    table = connection.ops.quote_name(CounterReading._meta.db_table)
    sql = (
        f"SELECT id, sensor_id, {frames.epoch('starts_at')}, count_in, count_out FROM {table} "
        f"WHERE sensor_id IN ({', '.join(['%s'] * len(sensor_ids))}) "
        "AND starts_at >= %s AND starts_at <= %s"
    )
    bounds = [adapt(datetime.fromtimestamp(at, UTC)) for at in (low, high)]
    return frames.fetch(sql, [*sensor_ids, *bounds], schema)


def _replace(work, changed: pl.DataFrame) -> None:
    """Newer counts for intervals already stored: each replaced with an audit entry."""
    sensors = {s.pk: s for s in work.sensors.values()}
    for row in changed.iter_rows(named=True):
        start = datetime.fromtimestamp(row["at"], UTC)
        work.result.replaced += 1
        CounterReading.objects.filter(pk=row["pk"]).update(
            ends_at=datetime.fromtimestamp(row["end"], UTC),
            count_in=row["count_in"],
            count_out=row["count_out"],
            register_in=row["register_in"],
            register_out=row["register_out"],
            reset=row["reset"],
            suspect=row["suspect"],
            batch=work.batch,
        )
        audit.record(
            action="update",
            instance=CounterReading(
                pk=row["pk"], sensor=sensors[row["sensor_id"]], starts_at=start
            ),
            organisation_id=work.organisation.pk,
            changes={
                "in/out": [[row["old_in"], row["old_out"]], [row["count_in"], row["count_out"]]]
            },
            note=f"replaced by {work.filename}",
        )


# A reading's columns as both readers write them (the row reader's ``_Import.insert`` too).
COLUMNS = [
    "sensor_id",
    "starts_at",
    "ends_at",
    "count_in",
    "count_out",
    "register_in",
    "register_out",
    "reset",
    "suspect",
    "batch_id",
]


def _insert(work, fresh: pl.DataFrame) -> None:
    """The new readings in bulk: COPY on PostgreSQL, executemany on SQLite."""
    if fresh.is_empty():
        return
    meta = CounterReading._meta
    quote = connection.ops.quote_name
    names = ", ".join(quote(meta.get_field(c.removesuffix("_id")).column) for c in COLUMNS)
    table = quote(meta.db_table)
    postgres = connection.vendor == "postgresql"
    shape = "%Y-%m-%d %H:%M:%S+00" if postgres else "%Y-%m-%d %H:%M:%S"

    def text(column):
        return pl.from_epoch(pl.col(column), time_unit="s").dt.strftime(shape)

    rows = fresh.select(
        "sensor_id",
        text("at").alias("starts_at"),
        text("end").alias("ends_at"),
        "count_in",
        "count_out",
        "register_in",
        "register_out",
        "reset",
        "suspect",
        pl.lit(work.batch.pk, pl.Int64).alias("batch_id"),
    )
    with connection.cursor() as cursor:
        if postgres:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for part in rows.iter_slices(WRITE_ROWS):
                    buffer = io.BytesIO()
                    part.write_csv(
                        buffer,
                        separator="\t",
                        include_header=False,
                        null_value="\\N",
                        quote_style="never",
                    )
                    copy.write(buffer.getvalue())
        else:
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
            for part in rows.iter_slices(WRITE_ROWS):
                cursor.executemany(sql, part.rows())
