"""People-counter files in: any format of ``visits.formats``, streamed and written in bulk.

The file is read twice, a block at a time, never whole: once to hash it and find its encoding,
once to parse and write. Every row is checked; readings are written in chunks inside one
transaction, and the first error stops the writing and rolls everything back at the end, so a
rejected file leaves nothing behind while every faulty row is still reported. A dry run does all
the work and rolls back, so its preview is exact.

A cumulative register is differenced, and a value below the previous one is a reset (not
negative visitors), unless the sensor returns to zero each day and the drop comes with a new
day. The same file twice changes nothing; a newer file for the same sensor and interval replaces
the old values, with an audit entry per interval. Times without an offset are local
(Europe/Copenhagen); in the autumn hour that happens twice, a sensor's clock going back is read
as the second pass of that hour.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import chain
from typing import BinaryIO

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bibliotal.core import audit
from bibliotal.core.imports import (
    MAX_ERRORS,
    ImportRejected,
    OutOfRange,
    RowError,
    bounded,
    find_column,
    fingerprint,
    limit_errors,
    missing_columns,
    open_table,
    parse_month,
    parse_number,
    read_table,
    scan,
)
from bibliotal.core.models import ImportBatch
from bibliotal.core.places import BranchMatcher
from bibliotal.visits.cleaning import derive_many
from bibliotal.visits.formats import CellProblem, choose, formats_for, wide_pairs
from bibliotal.visits.models import CounterReading, DailyVisits, NewUserCount, Sensor
from bibliotal.visits.plausibility import Finding, check_readings, hold

CHUNK = 5000  # readings written at a time
# The ceilings of a people-counter's figures, the same on SQLite and PostgreSQL. One reading
# (an hour, or a whole day) counts at most a million people through one sensor: far above what
# any entrance can pass (an hour above 3,600 is held for review by ``visits.plausibility``, and
# a person may accept it), far below the database's integer. A cumulative register reads at
# most a billion, and a library registers at most 100,000 new users a month.
MAX_VISITS_PER_READING = 1_000_000
MAX_REGISTER = 1_000_000_000
MAX_NEW_USERS_PER_MONTH = 100_000
MAX_SENSOR_NAME = 100  # Sensor.name
TOO_LARGE = 10**18  # a count of more than 18 digits: above every ceiling
PROGRESS_EVERY = 5000  # rows between two progress reports
DAY = timedelta(days=1)

__all__ = ["CounterImportResult", "import_counter_file", "wide_pairs"]


@dataclass
class CounterImportResult:
    created: int = 0
    replaced: int = 0
    unchanged: int = 0
    repeated: int = 0  # the same sensor and interval twice in one file, with the same counts
    new_sensors: list[str] = field(default_factory=list)
    days: int = 0
    flagged: dict[str, int] = field(default_factory=dict)  # cleaning flag → days
    estimated: int = 0
    format: str = ""
    already_imported: bool = False
    # Hours far outside their sensor's normal or above the ceiling (``visits.plausibility``),
    # and per sensor the hours with too little history to have a normal.
    findings: list[Finding] = field(default_factory=list)
    short_history: dict[str, int] = field(default_factory=dict)
    note: str = ""  # why a file imported nothing

    @property
    def held(self) -> list[Finding]:
        """The findings the import holds out of the goals (not already accepted or corrected)."""
        return [f for f in self.findings if not f.decided]

    def summary(self) -> str:
        if self.already_imported:
            return _("This file was imported before: nothing changed.")
        text = _("%(created)s, %(replaced)s, %(unchanged)s; %(days)s") % {
            "created": ngettext("%(n)d new interval", "%(n)d new intervals", self.created)
            % {"n": self.created},
            "replaced": ngettext("%(n)d replaced", "%(n)d replaced", self.replaced)
            % {"n": self.replaced},
            "unchanged": ngettext("%(n)d unchanged", "%(n)d unchanged", self.unchanged)
            % {"n": self.unchanged},
            "days": ngettext(
                "visits worked out for %(n)d day.", "visits worked out for %(n)d days.", self.days
            )
            % {"n": self.days},
        }
        if self.held:
            text += " " + ngettext(
                "%(n)d hour far outside its normal is held out of the goals until you accept "
                "or correct it.",
                "%(n)d hours far outside their normal are held out of the goals until you "
                "accept or correct them.",
                len(self.held),
            ) % {"n": len(self.held)}
        if self.note:
            text += " " + self.note
        return text

    def explain_nothing(self, rows: int) -> None:
        """A file that imported no interval says why."""
        if self.created or self.replaced or self.unchanged or self.repeated:
            return
        if not rows:
            self.note = _("The file has no readings below its header.")
        else:
            self.note = _(
                "Each sensor in the file is a cumulative register with a single reading, "
                "which only sets where it starts counting: the next file will have visits."
            )


class _Rollback(Exception):
    """Leave the transaction without keeping anything (a dry run, or a rejected file)."""


@dataclass(slots=True)
class _Row:
    line: int
    sensor: Sensor
    start: datetime
    end: datetime | None
    count_in: int
    count_out: int
    suspect: bool
    reset: bool = False
    register_in: int | None = None
    register_out: int | None = None


@dataclass(slots=True)
class _Track:
    """What the import knows of one sensor while streaming: bounded by sensors, not rows."""

    pending: _Row | None = None  # held back until the next row tells the interval's length
    step: timedelta | None = None
    register: tuple[int, int] | None = None
    register_at: datetime | None = None
    first_day: date | None = None
    last_day: date | None = None


def _count(raw: str) -> int:
    if raw.isascii() and raw.isdigit() and len(raw) <= 18:
        return int(raw)
    if not raw:
        return 0
    return int(parse_number(raw))


def _over(exc: OutOfRange) -> str:
    """An OutOfRange's rule as an error message."""
    return capfirst(exc.rule) + "."


def _unknown_sensor() -> dict:
    """The rejection of a sensor the organisation does not have, said where it is read: on the
    import page its form field and the sensors page, on the command line ``--branch``, in the
    API ``branch_id``."""
    from django.urls import reverse

    from bibliotal.visits.forms import CounterFileForm

    field = CounterFileForm.base_fields["branch"].label
    return {
        "message": _(
            "Unknown sensor: choose a library in the field “%(field)s” to create it there, "
            "or add it on the sensors page first."
        )
        % {"field": field},
        "command": _(
            "Unknown sensor: import with --branch LIBRARY to create it at that library, or add "
            "it under Visits → Sensors first."
        ),
        "api": _(
            "Unknown sensor: send branch_id to create it at that library, or add it under "
            "Visits → Sensors first."
        ),
        "link": (reverse("visits:sensors"), _("Go to the sensors page")),
    }


class _Import:
    def __init__(self, *, organisation, filename, user, branch, rule, batch):
        self.organisation, self.filename, self.user = organisation, filename, user
        self.branch, self.rule, self.batch = branch, rule, batch
        self.sensors = {
            s.name.lower(): s
            for s in Sensor.objects.filter(organisation=organisation).select_related("branch")
        }
        self.unknown: set[str] = set()
        self.tracks: dict[int, _Track] = {}
        self.buffer: list[_Row] = []
        self.errors: list[RowError] = []
        self.more_errors = 0
        self.result = CounterImportResult()
        self.tz = timezone.get_current_timezone()
        self.instants: dict[tuple[datetime, int], tuple[datetime, object, date]] = {}
        self.written = None  # frames.Written, when the file was read on whole columns

    # -- errors
    def error(self, line, column, value, message, **elsewhere):
        """Reject the file for this cell; ``elsewhere`` says the message on the command line
        and in the API, and links a page, where the remedy differs from the page's."""
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(self.filename, line, column, value, message, **elsewhere))
        else:
            self.more_errors += 1
        self.buffer.clear()  # nothing more is written once the file is known to be rejected

    # -- times
    def instant(self, when: datetime, fold: int = 0):
        """(aware time, the database's form of it, local date), worked out once per time."""
        key = (when, fold)
        found = self.instants.get(key)
        if found is None:
            local = (
                when.replace(tzinfo=self.tz, fold=fold)
                if when.tzinfo is None
                else when.astimezone(self.tz)
            )
            aware = local.astimezone(UTC)  # in UTC, so that adding an interval is exact
            found = self.instants[key] = (
                aware,
                connection.ops.adapt_datetimefield_value(aware),
                local.date(),
            )
        return found

    # -- one reading
    def sensor(self, line, column, name) -> Sensor | None:
        key = name.lower()
        sensor = self.sensors.get(key)
        if sensor is not None:
            return sensor
        if self.branch is not None:
            sensor = Sensor.objects.create(
                organisation=self.organisation, branch=self.branch, name=name, rule=self.rule
            )
            self.sensors[key] = sensor
            self.result.new_sensors.append(sensor.name)
            return sensor
        if key not in self.unknown:
            self.unknown.add(key)
            self.error(line, column, name, **_unknown_sensor())
        return None

    def add(self, line, reading, named):
        name, start, end, raw_in, raw_out, suspect = reading
        sensor_column, time_column = named.columns["sensor"], named.columns["time"]
        if not name:
            self.error(line, sensor_column, "", _("A sensor is required."))
            return
        in_column, out_column = named.wide.get(name) or (
            named.columns["in"],
            named.columns["out"],
        )
        counts = []
        for raw, column in ((raw_in, in_column), (raw_out, out_column)):
            try:
                value = _count(raw)
            except OutOfRange:
                value = TOO_LARGE  # above every ceiling: named below, with the sensor's
            except ValueError:
                self.error(line, column, raw, _("Not a whole number."))
                return
            if value < 0:
                self.error(line, column, raw, _("A count cannot be negative."))
                return
            counts.append(value)
        if len(name) > MAX_SENSOR_NAME:
            self.error(
                line,
                sensor_column,
                name[:60],
                _("A sensor's name is at most %(n)d characters.") % {"n": MAX_SENSOR_NAME},
            )
            return
        sensor = self.sensor(line, sensor_column, name)
        if sensor is None:
            return
        cumulative = sensor.register == Sensor.Register.CUMULATIVE
        ceiling, what = (
            (MAX_REGISTER, gettext_lazy("a register's value"))
            if cumulative
            else (MAX_VISITS_PER_READING, gettext_lazy("the visits of one reading"))
        )
        for value, raw, column in (
            (counts[0], raw_in, in_column),
            (counts[1], raw_out, out_column),
        ):
            try:
                bounded(value, ceiling, what=what)
            except OutOfRange as exc:
                self.error(line, column, raw, _over(exc))
                return
        track = self.tracks.get(sensor.pk)
        if track is None:
            track = self.tracks[sensor.pk] = _Track()
        aware = self.instant(start)[0]
        pending = track.pending
        if pending is not None and aware <= pending.start and start.tzinfo is None:
            second = self.instant(start, fold=1)[0]  # the autumn hour, the second time round
            if second > pending.start:
                aware = second
        if end is not None:
            end = self.instant(end)[0]
            if end <= aware:
                self.error(line, time_column, str(end), _("The interval ends before it starts."))
                return
        count_in, count_out = counts
        row = _Row(line, sensor, aware, end, count_in, count_out, suspect)
        if pending is not None and pending.start == aware:
            if (pending.count_in, pending.count_out) == (count_in, count_out):
                self.result.repeated += 1
                return
            self.repeated_with_other_counts(row, pending.line)
            return
        if cumulative and not self.difference(row, track, time_column):
            return
        if pending is not None:
            gap = aware - pending.start
            if gap > timedelta(0):
                track.step = gap if track.step is None else min(track.step, gap)
            self.emit(pending, track)
        track.pending = row

    def repeated_with_other_counts(self, row, first_line):
        message = _(
            "This sensor and interval came earlier in the file (line %(line)s) with other counts."
        )
        value = f"{row.count_in}/{row.count_out}"
        self.error(row.line, "ind/ud", value, message % {"line": first_line})

    def difference(self, row: _Row, track: _Track, time_column: str) -> bool:
        """Turn a register's values into counts since the previous value; False skips the row."""
        if track.register_at is None:
            before = (
                CounterReading.objects.filter(sensor=row.sensor, starts_at__lt=row.start)
                .exclude(batch=self.batch)
                .order_by("-starts_at")
                .values_list("register_in", "register_out", "starts_at")
                .first()
            )
            if before is not None and before[0] is not None:
                track.register, track.register_at = (before[0], before[1] or 0), before[2]
        elif row.start <= track.register_at:
            self.error(
                row.line,
                time_column,
                timezone.localtime(row.start).strftime("%Y-%m-%d %H:%M"),
                _("A cumulative register's rows must come in time order."),
            )
            return False
        values = (row.count_in, row.count_out)
        row.register_in, row.register_out = values
        if track.register is None:
            track.register, track.register_at = values, row.start
            return False  # the first register value only sets the starting point
        delta_in, delta_out = values[0] - track.register[0], values[1] - track.register[1]
        if delta_in < 0 or delta_out < 0:
            new_day = self.instant(row.start)[2] != self.instant(track.register_at)[2]
            # A gate that returns to zero each day starts the day from zero: not a reset.
            row.reset = not (row.sensor.daily_reset and new_day)
            delta_in, delta_out = values
        track.register, track.register_at = values, row.start
        if max(delta_in, delta_out) > MAX_VISITS_PER_READING:
            self.error(
                row.line,
                "ind/ud",
                f"{values[0]}/{values[1]}",
                _(
                    "The register rises by more than %(ceiling)s between two readings: "
                    "the visits of one reading can be at most %(ceiling)s."
                )
                % {"ceiling": f"{MAX_VISITS_PER_READING:,}".replace(",", ".")},
            )
            return False
        row.count_in, row.count_out = delta_in, delta_out
        return True

    def emit(self, row: _Row, track: _Track):
        if row.end is None:
            row.end = row.start + min(track.step or DAY, DAY)
        day = self.instant(row.start)[2]
        if track.first_day is None or day < track.first_day:
            track.first_day = day
        if track.last_day is None or day > track.last_day:
            track.last_day = day
        if self.errors:
            return
        self.buffer.append(row)
        if len(self.buffer) >= CHUNK:
            self.flush()

    def finish(self):
        for track in self.tracks.values():
            if track.pending is not None:
                self.emit(track.pending, track)
                track.pending = None
        self.flush()

    # -- writing
    def flush(self):
        rows, self.buffer = self.buffer, []
        if not rows or self.errors:
            return
        stored = {
            (sensor_id, starts_at): (pk, count_in, count_out, batch_id)
            for pk, sensor_id, starts_at, count_in, count_out, batch_id in (
                CounterReading.objects.filter(
                    sensor_id__in={r.sensor.pk for r in rows},
                    starts_at__range=(min(r.start for r in rows), max(r.start for r in rows)),
                ).values_list("pk", "sensor_id", "starts_at", "count_in", "count_out", "batch_id")
            )
        }
        fresh: dict[tuple[int, datetime], _Row] = {}
        for row in rows:
            key = (row.sensor.pk, row.start)
            earlier = fresh.get(key)
            old = stored.get(key)
            if earlier is not None or (old is not None and old[3] == self.batch.pk):
                # The same interval earlier in this file, out of time order.
                counts = (earlier.count_in, earlier.count_out) if earlier else old[1:3]
                if counts == (row.count_in, row.count_out):
                    self.result.repeated += 1
                else:
                    self.repeated_with_other_counts(row, earlier.line if earlier else "?")
                continue
            if old is None:
                fresh[key] = row
            elif old[1:3] == (row.count_in, row.count_out):
                self.result.unchanged += 1
            else:
                self.replace(old, row)
        if self.errors:
            return
        self.result.created += len(fresh)
        self.insert(list(fresh.values()))

    def insert(self, rows: list[_Row]):
        batch = self.batch.pk
        write_readings(
            [
                (
                    row.sensor.pk,
                    self.instant(row.start)[1],
                    self.instant(row.end)[1],
                    row.count_in,
                    row.count_out,
                    row.register_in,
                    row.register_out,
                    row.reset,
                    row.suspect,
                    batch,
                )
                for row in rows
            ]
        )

    def replace(self, old, row: _Row):
        self.result.replaced += 1
        CounterReading.objects.filter(pk=old[0]).update(
            ends_at=row.end,
            count_in=row.count_in,
            count_out=row.count_out,
            register_in=row.register_in,
            register_out=row.register_out,
            reset=row.reset,
            suspect=row.suspect,
            batch=self.batch,
        )
        audit.record(
            action="update",
            instance=CounterReading(pk=old[0], sensor=row.sensor, starts_at=row.start),
            organisation_id=self.organisation.pk,
            changes={"in/out": [list(old[1:3]), [row.count_in, row.count_out]]},
            note=f"replaced by {self.filename}",
        )


def import_counter_file(
    *,
    organisation,
    data: bytes | BinaryIO,
    filename: str,
    user=None,
    branch=None,
    rule: str = Sensor.Rule.HALF,
    preset: str | None = None,
    dry_run: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> CounterImportResult:
    """Import a counter file, given as bytes or as a binary file open for reading.

    ``preset`` names a format (``generic``, ``axis``, ``hella`` or a saved mapping); without it
    the format is recognised from the header. ``progress(phase, done, total)`` is told how far
    the import has come (``unit="bytes"`` when it counts the file's bytes).
    """
    from bibliotal.visits import vectorised  # polars only when a file comes in

    report = progress or (lambda phase, done, total, unit="": None)
    source = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    found = scan(source, progress=lambda done, total: report(_("Checking"), done, total, "bytes"))
    unit = "" if found.encoding == "xlsx" else "bytes"  # a workbook is followed by its rows
    if ImportBatch.objects.filter(
        organisation=organisation, kind="visits", sha256=found.sha256
    ).exists():
        return CounterImportResult(already_imported=True)
    table = open_table(source, filename=filename, encoding=found.encoding, size=found.size)
    chosen, rows, body = choose(
        table.records, formats=formats_for(organisation), preset=preset, filename=filename
    )
    work = None
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                organisation=organisation,
                kind="visits",
                filename=filename,
                sha256=found.sha256,
                imported_by=user,
            )
            work = _Import(
                organisation=organisation,
                filename=filename,
                user=user,
                branch=branch,
                rule=rule,
                batch=batch,
            )
            work.result.format = chosen.name
            rows_read = None
            first = next(body, None)
            if first is not None and vectorised.ENABLED:
                rows_read = vectorised.read(
                    work,
                    source=source,
                    encoding=found.encoding,
                    delimiter=table.delimiter,
                    first_line=first[0],
                    rows=rows,
                    progress=lambda done, total: report(_("Writing"), done, total),
                )
                if rows_read is None:  # the row reader's file: read it again from the top
                    table.records.close()
                    table = open_table(
                        source, filename=filename, encoding=found.encoding, size=found.size
                    )
                    chosen, rows, body = choose(
                        table.records,
                        formats=formats_for(organisation),
                        preset=chosen.name,
                        filename=filename,
                    )
                    first = next(body, None)
            # The rows left for the row reader: none when the columns were read.
            body = chain([first], body) if first is not None and rows_read is None else iter(())
            index = 0
            for index, (line, values) in enumerate(body):
                if index % PROGRESS_EVERY == 0:
                    report(_("Writing"), table.position(), table.size, unit)
                try:
                    readings = rows(values)
                except CellProblem as problem:
                    work.error(line, problem.column, problem.value, problem.message)
                    continue
                for reading in readings:
                    work.add(line, reading, rows)
            if rows_read is None:
                rows_read = 0 if first is None else index + 1
            work.finish()
            report(_("Writing"), table.size, table.size, unit)
            if work.errors:
                raise _Rollback
            result = work.result
            result.explain_nothing(rows_read)
            spans = [
                (sensor, work.tracks[sensor.pk])
                for sensor in work.sensors.values()
                if sensor.pk in work.tracks and work.tracks[sensor.pk].first_day
            ]
            report(_("Cleaning"), 0, len(spans))
            derived, flagged = derive_many(
                [(sensor, track.first_day, track.last_day) for sensor, track in spans],
                written=work.written,
            )
            result.days += derived
            for flag, days in flagged.items():
                result.flagged[flag] = result.flagged.get(flag, 0) + days
            report(_("Cleaning"), len(spans), len(spans))
            days = [(sensor, track.first_day, track.last_day) for sensor, track in spans]
            checked = check_readings(spans=days, batch_id=batch.pk, written=work.written)
            if checked.findings:
                _locate(
                    checked.findings,
                    source=source,
                    filename=filename,
                    encoding=found.encoding,
                    size=found.size,
                    organisation=organisation,
                    preset=chosen.name,
                    work=work,
                )
                if not dry_run:
                    hold(findings=checked.findings, spans=days, batch=batch, filename=filename)
            elif not dry_run:
                hold(findings=[], spans=days, batch=batch, filename=filename)
            result.findings, result.short_history = checked.findings, checked.short
            result.estimated = result.flagged.get(DailyVisits.Flag.ESTIMATED, 0)
            batch.summary = {
                "format": chosen.name,
                "created": result.created,
                "replaced": result.replaced,
                "unchanged": result.unchanged,
            }
            batch.save()
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    if work is not None and work.errors:
        raise ImportRejected(limit_errors(work.errors, filename, more=work.more_errors))
    return work.result


def _locate(findings, *, source, filename, encoding, size, organisation, preset, work) -> None:
    """Find the line and column of each held hour: the file is read once more, only when
    something was found, so that a file's size never costs memory for line numbers. The line is
    the hour's row with the most entries in (its first row for a cumulative register)."""
    wanted = {(f.sensor.pk, f.starts_at): f for f in findings}
    largest: dict[tuple, int] = {}
    table = open_table(source, filename=filename, encoding=encoding, size=size)
    _chosen, rows, body = choose(
        table.records, formats=formats_for(organisation), preset=preset, filename=filename
    )
    for line, values in body:
        try:
            readings = rows(values)
        except CellProblem:
            continue
        for name, start, _end, raw_in, _raw_out, _suspect in readings:
            sensor = work.sensors.get((name or "").lower())
            if sensor is None:
                continue
            aware = work.instant(start)[0]
            key = (sensor.pk, aware.replace(minute=0, second=0, microsecond=0))
            finding = wanted.get(key)
            if finding is None:
                continue
            try:
                count = _count(raw_in)
            except ValueError:
                continue
            cumulative = sensor.register == Sensor.Register.CUMULATIVE
            if finding.line is None or (not cumulative and count > largest[key]):
                largest[key] = count
                finding.line = line
                finding.column = (rows.wide.get(name) or (rows.columns["in"],))[0]


NEW_USER_MONTH = ("måned", "maaned", "month", "periode", "period")
NEW_USER_BRANCH = ("filial", "bibliotek", "branch", "library", "afdeling")
NEW_USER_COUNT = (
    "nye lånere",
    "nye laanere",
    "nye registreringer",
    "new registrations",
    "registrations",
    "antal",
    "count",
)


@dataclass
class NewUsersImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    already_imported: bool = False
    note: str = ""  # why a file imported nothing

    def summary(self) -> str:
        if self.already_imported:
            return _("This file was imported before: nothing changed.")
        text = _("%(created)d months added, %(updated)d updated, %(unchanged)d unchanged.") % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        return f"{text} {self.note}" if self.note else text


def import_new_users(
    *, organisation, data: bytes, filename: str, user=None, dry_run: bool = False
) -> NewUsersImportResult:
    """New registered borrowers per month and library, from a library-system export.

    Columns: month (måned), library (filial/bibliotek) and new registrations (nye lånere). A
    month already typed or imported is replaced, with an audit entry; all rows are checked
    before anything is written.
    """

    digest = fingerprint(data)
    if ImportBatch.objects.filter(
        organisation=organisation, kind="new_users", sha256=digest
    ).exists():
        return NewUsersImportResult(already_imported=True)
    header, rows, _delimiter = read_table(data, filename=filename)
    wanted = {"month": NEW_USER_MONTH, "branch": NEW_USER_BRANCH, "count": NEW_USER_COUNT}
    columns = {key: find_column(header, *names) for key, names in wanted.items()}
    missing = [names[0] for key, names in wanted.items() if columns[key] is None]
    if missing:
        raise missing_columns(filename, header, missing)
    places = BranchMatcher(organisation)  # name, ISIL, other names, address
    errors, found = [], {}
    for line, row in rows:
        raw_month, raw_branch = row[columns["month"]], row[columns["branch"]]
        raw_count = row[columns["count"]]
        try:
            month = parse_month(raw_month)
        except ValueError:
            errors.append(
                RowError(
                    filename,
                    line,
                    columns["month"],
                    raw_month,
                    _("Not a month; write e.g. 2021-03 or marts 2021."),
                )
            )
            continue
        branch = places.match(raw_branch)
        if branch is None:
            errors.append(
                RowError(
                    filename,
                    line,
                    columns["branch"],
                    raw_branch,
                    _("No library of yours has this name."),
                )
            )
            continue
        try:
            count = _count(raw_count.strip())
        except OutOfRange:
            count = TOO_LARGE
        except ValueError:
            count = -1
        try:
            bounded(
                count,
                MAX_NEW_USERS_PER_MONTH,
                floor=-1,
                what=_("the new users of one library in a month"),
            )
        except OutOfRange as exc:
            errors.append(RowError(filename, line, columns["count"], raw_count, _over(exc)))
            continue
        if count < 0:
            errors.append(
                RowError(
                    filename,
                    line,
                    columns["count"],
                    raw_count,
                    _("Not a whole number of 0 or more."),
                )
            )
            continue
        if (branch.pk, month) in found and found[(branch.pk, month)][1] != count:
            errors.append(
                RowError(
                    filename,
                    line,
                    columns["month"],
                    raw_month,
                    _("This library and month came earlier in the file with another number."),
                )
            )
            continue
        found[(branch.pk, month)] = (branch, count)
    if errors:
        raise ImportRejected(errors)
    result = NewUsersImportResult()
    if not rows:
        result.note = _("The file has no rows below its header.")
    with transaction.atomic():
        existing = {
            (c.branch_id, c.month): c
            for c in NewUserCount.objects.filter(branch__organisation=organisation)
        }
        for key, (branch, count) in found.items():
            old = existing.get(key)
            if old is None:
                result.created += 1
                if not dry_run:
                    NewUserCount.objects.create(
                        branch=branch, month=key[1], registrations=count, source="imported"
                    )
            elif old.registrations == count:
                result.unchanged += 1
            else:
                result.updated += 1
                if not dry_run:
                    old.registrations, old.source = count, "imported"
                    old.save()  # audited by the model's registration
        if not dry_run:
            ImportBatch.objects.create(
                organisation=organisation,
                kind="new_users",
                filename=filename,
                sha256=digest,
                imported_by=user,
                summary={"created": result.created, "updated": result.updated},
            )
    return result


def write_readings(params: list[tuple]) -> None:
    """Counter readings as tuples of ``vectorised.COLUMNS`` (times in the database's form,
    ``connection.ops.adapt_datetimefield_value``), inserted by the thousand without model
    instances: at national scale (millions of rows) the ORM's per-object work would be most of
    an import's time, and a tenth of the demo's."""
    if not params:
        return
    from bibliotal.visits import vectorised  # polars only when readings are written

    columns = vectorised.COLUMNS  # the same columns, in the same order, as the bulk path
    meta = CounterReading._meta
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(meta.db_table),
        ", ".join(quote(meta.get_field(c.removesuffix("_id")).column) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
