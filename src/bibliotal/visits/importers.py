"""People-counter files in: the generic long format (one row per sensor and interval).

Columns are found by their Danish or English names: dato/date with tid/klokkeslæt/time, or
tidspunkt/timestamp; sensor/tæller/gate; ind/in; ud/out; optionally status. Times are local
(Europe/Copenhagen). A cumulative register is differenced, and a value below the previous one is a
reset (not negative visitors). Every row is validated before anything is written; the same file
twice changes nothing; a newer file for the same sensor and interval replaces the old values,
with an audit entry.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bibliotal.core import audit
from bibliotal.core.imports import (
    ImportRejected,
    RowError,
    find_column,
    fingerprint,
    parse_date,
    parse_number,
    read_table,
)
from bibliotal.core.models import ImportBatch
from bibliotal.visits.cleaning import derive_days
from bibliotal.visits.models import CounterReading, Sensor

TIMESTAMP = ("tidspunkt", "timestamp", "datetime", "dato og tid", "time stamp")
DATE = ("dato", "date", "dag", "day")
TIME = ("tid", "klokkeslæt", "klokkeslaet", "time", "kl", "interval")
SENSOR = ("sensor", "tæller", "taeller", "gate", "counter", "device", "enhed")
IN = ("ind", "in", "ind_antal", "count in", "entries", "indgående")
OUT = ("ud", "out", "ud_antal", "count out", "exits", "udgående")
STATUS = ("status", "kvalitet", "quality")
PROGRESS_EVERY = 2000  # rows between two progress reports
OK_STATUS = {"", "ok", "0", "valid", "gyldig"}


@dataclass
class CounterImportResult:
    created: int = 0
    replaced: int = 0
    unchanged: int = 0
    new_sensors: list[str] = field(default_factory=list)
    days: int = 0
    already_imported: bool = False

    def summary(self) -> str:
        if self.already_imported:
            return _("This file was imported before: nothing changed.")
        return (
            _(
                "%(created)d new intervals, %(replaced)d replaced, %(unchanged)d unchanged; "
                "%(days)d days of visits worked out."
            )
            % self.__dict__
        )


def _parse_time(raw: str) -> tuple[int, int]:
    value = raw.strip().replace(".", ":")
    if "-" in value:  # "08:00-08:15": the start
        value = value.split("-")[0].strip()
    parsed = datetime.strptime(value[:5], "%H:%M")
    return parsed.hour, parsed.minute


def _parse_timestamp(raw: str) -> datetime:
    value = raw.strip().replace("T", " ")
    for fmt in (
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%d-%m-%Y %H:%M",
        "%d.%m.%Y %H:%M",
        "%d/%m/%Y %H:%M",
        "%d-%m-%Y %H:%M:%S",
        "%d.%m.%Y %H.%M",
        "%Y-%m-%d",  # midnight, as a spreadsheet writes a date-time cell without a time
    ):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise ValueError(raw)


def import_counter_file(
    *,
    organisation,
    data: bytes,
    filename: str,
    user=None,
    branch=None,
    rule: str = Sensor.Rule.HALF,
    dry_run: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> CounterImportResult:
    """Import a counter file; ``progress(phase, done, total)`` is told how far it has come."""
    report = progress or (lambda phase, done, total: None)
    digest = fingerprint(data)
    if ImportBatch.objects.filter(organisation=organisation, kind="visits", sha256=digest).exists():
        return CounterImportResult(already_imported=True)
    header, rows, _delimiter = read_table(data, filename=filename)
    stamp_col = find_column(header, *TIMESTAMP)
    date_col = find_column(header, *DATE)
    time_col = find_column(header, *TIME)
    sensor_col = find_column(header, *SENSOR)
    in_col, out_col = find_column(header, *IN), find_column(header, *OUT)
    status_col = find_column(header, *STATUS)
    if sensor_col is None and (stamp_col or date_col):
        pairs = wide_pairs(header)
        if pairs:
            # The wide format: one pair of columns per sensor ("Hovedindgang ind", "… ud").
            header, rows = _to_long(header, rows, pairs, keep=[stamp_col, date_col, time_col])
            sensor_col, in_col, out_col, status_col = "sensor", "ind", "ud", None
    missing = []
    if stamp_col is None and date_col is None:
        missing.append("dato/tidspunkt")
    if sensor_col is None:
        missing.append("sensor")
    if in_col is None:
        missing.append("ind")
    if missing:
        raise ImportRejected(
            [
                RowError(
                    filename,
                    1,
                    ", ".join(missing),
                    ";".join(header),
                    _("The header lacks a required column."),
                )
            ]
        )
    sensors = {
        s.name.lower(): s
        for s in Sensor.objects.filter(organisation=organisation).select_related("branch")
    }
    errors: list[RowError] = []
    unknown: dict[str, tuple[int, str]] = {}  # lowercased name → (first line, name as written)
    parsed: dict[str, list] = defaultdict(list)
    for index, (line, row) in enumerate(rows):
        if index % PROGRESS_EVERY == 0:
            report(_("Checking"), index, len(rows))
        name = row.get(sensor_col, "").strip()
        if not name:
            errors.append(RowError(filename, line, sensor_col, "", _("A sensor is required.")))
            continue
        if name.lower() not in sensors and name.lower() not in unknown:
            unknown[name.lower()] = (line, name)
        try:
            if stamp_col:
                local = _parse_timestamp(row.get(stamp_col, ""))
            else:
                day = parse_date(row.get(date_col, ""))
                hour, minute = _parse_time(row.get(time_col, "00:00")) if time_col else (0, 0)
                local = datetime(day.year, day.month, day.day, hour, minute)
        except ValueError:
            column = stamp_col or (date_col if time_col is None else f"{date_col}/{time_col}")
            value = (
                row.get(stamp_col, "")
                if stamp_col
                else (f"{row.get(date_col, '')} {row.get(time_col, '')}".strip())
            )
            errors.append(
                RowError(
                    filename,
                    line,
                    column,
                    value,
                    _("Not a date and time; write e.g. 07-09-2021 08:15 or 2021-09-07 08:15."),
                )
            )
            continue
        counts = []
        for column in (in_col, out_col):
            if column is None:
                counts.append(0)
                continue
            raw = row.get(column, "")
            try:
                value = int(parse_number(raw)) if raw.strip() else 0
            except ValueError:
                errors.append(RowError(filename, line, column, raw, _("Not a whole number.")))
                break
            if value < 0:
                errors.append(
                    RowError(filename, line, column, raw, _("A count cannot be negative."))
                )
                break
            counts.append(value)
        if len(counts) < 2:
            continue
        status = row.get(status_col, "").strip().lower() if status_col else ""
        parsed[name.lower()].append(
            (line, timezone.make_aware(local), counts[0], counts[1], status not in OK_STATUS)
        )
    report(_("Checking"), len(rows), len(rows))
    if unknown and branch is None:
        for line, name in unknown.values():
            errors.append(
                RowError(
                    filename,
                    line,
                    sensor_col,
                    name,
                    _(
                        "Unknown sensor: create it under Visits → Sensors, or import with a "
                        "library (--branch) to create it there."
                    ),
                )
            )
    if errors:
        raise ImportRejected(errors)
    result = CounterImportResult()
    with transaction.atomic():
        for name, (_line, written) in unknown.items():
            sensors[name] = Sensor(
                organisation=organisation, branch=branch, name=written, rule=rule
            )
            result.new_sensors.append(sensors[name].name)
            if not dry_run:
                sensors[name].save()
        batch = None
        if not dry_run:
            batch = ImportBatch.objects.create(
                organisation=organisation,
                kind="visits",
                filename=filename,
                sha256=digest,
                imported_by=user,
            )
        touched: dict[int, list] = {}
        done, total = 0, sum(len(items) for items in parsed.values())
        for name, items in parsed.items():
            sensor = sensors[name]
            items.sort(key=lambda item: item[1])
            step = _typical_step(items)
            # The sensor's stored intervals in the file's span, in one query, not one per row.
            stored = (
                {
                    reading.starts_at: reading
                    for reading in CounterReading.objects.filter(
                        sensor=sensor, starts_at__range=(items[0][1], items[-1][1])
                    )
                }
                if sensor.pk
                else {}
            )
            previous = None
            if sensor.register == Sensor.Register.CUMULATIVE and sensor.pk:
                previous = (
                    CounterReading.objects.filter(sensor=sensor, starts_at__lt=items[0][1])
                    .order_by("-starts_at")
                    .values_list("register_in", "register_out")
                    .first()
                )
            for index, (_line, start, count_in, count_out, suspect) in enumerate(items):
                if done % PROGRESS_EVERY == 0:
                    report(_("Writing"), done, total)
                done += 1
                end = items[index + 1][1] if index + 1 < len(items) else start + step
                values = {
                    "ends_at": min(end, start + step * 4),
                    "suspect": suspect,
                    "reset": False,
                    "register_in": None,
                    "register_out": None,
                }
                if sensor.register == Sensor.Register.CUMULATIVE:
                    values["register_in"], values["register_out"] = count_in, count_out
                    if previous is None or previous[0] is None:
                        previous = (count_in, count_out)
                        continue  # the first register value only sets the starting point
                    delta_in, delta_out = count_in - previous[0], count_out - (previous[1] or 0)
                    if delta_in < 0 or delta_out < 0:  # a reset, not negative visitors
                        values["reset"] = True
                        delta_in, delta_out = max(count_in, 0), max(count_out, 0)
                    previous = (count_in, count_out)
                    count_in, count_out = delta_in, delta_out
                values["count_in"], values["count_out"] = count_in, count_out
                existing = stored.get(start)
                if existing is None:
                    result.created += 1
                    if not dry_run:
                        CounterReading.objects.create(
                            sensor=sensor, starts_at=start, batch=batch, **values
                        )
                elif (existing.count_in, existing.count_out) == (count_in, count_out):
                    result.unchanged += 1
                    continue
                else:
                    result.replaced += 1
                    if not dry_run:
                        old = (existing.count_in, existing.count_out)
                        for key, value in values.items():
                            setattr(existing, key, value)
                        existing.batch = batch
                        existing.save()
                        audit.record(
                            action="update",
                            instance=existing,
                            organisation_id=organisation.pk,
                            changes={"in/out": [list(old), [count_in, count_out]]},
                            note=f"replaced by {filename}",
                        )
                local_day = timezone.localtime(start).date()
                span = touched.setdefault(sensor.pk or id(sensor), [sensor, local_day, local_day])
                span[1], span[2] = min(span[1], local_day), max(span[2], local_day)
        report(_("Writing"), total, total)
        if not dry_run:
            for index, (sensor, first, last) in enumerate(touched.values()):
                report(_("Cleaning"), index, len(touched))
                result.days += derive_days(sensor=sensor, start=first, end=last)
            report(_("Cleaning"), len(touched), len(touched))
            batch.summary = {
                "created": result.created,
                "replaced": result.replaced,
                "unchanged": result.unchanged,
            }
            batch.save()
    return result


WIDE = re.compile(r"^(?P<sensor>.+?)[\s_\-:]+(?P<way>ind|ud|in|out)$")


def wide_pairs(header: list[str]) -> dict[str, dict[str, str]]:
    """Sensors named in a wide header: {"Hovedindgang": {"in": column, "out": column}}."""
    pairs: dict[str, dict[str, str]] = {}
    for column in header:
        match = WIDE.match(column.strip())
        if not match:
            continue
        way = "in" if match["way"] in {"ind", "in"} else "out"
        # Headers are read lowercased; a sensor's name starts with a capital as people write it.
        name = match["sensor"].strip()
        pairs.setdefault(name[:1].upper() + name[1:], {})[way] = column
    return {sensor: ways for sensor, ways in pairs.items() if "in" in ways}


def _to_long(header, rows, pairs, *, keep):
    kept = [column for column in keep if column]
    long_rows = []
    for line, row in rows:
        for sensor, ways in pairs.items():
            long_rows.append(
                (
                    line,
                    {
                        **{c: row.get(c, "") for c in kept},
                        "sensor": sensor,
                        "ind": row.get(ways["in"], ""),
                        "ud": row.get(ways.get("out", ""), ""),
                    },
                )
            )
    return [*kept, "sensor", "ind", "ud"], long_rows


def _typical_step(items) -> timedelta:
    gaps = sorted((b[1] - a[1]) for a, b in pairwise(items) if b[1] > a[1])
    if not gaps:
        return timedelta(days=1)
    return gaps[len(gaps) // 2]
