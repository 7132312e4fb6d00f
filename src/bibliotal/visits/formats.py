"""The people-counter file formats Bibliotal reads: built-in presets and a user's own mappings.

A format finds its header among the first rows of a file (a vendor's export may start with a
preamble about the device), then turns each row into readings:
``(sensor name, start, end or None, in as written, out as written, suspect)``. Start and end are
naive local times (Europe/Copenhagen) or aware times when the file gives an offset. A bad cell
raises ``CellProblem`` naming its column, value and the rule it breaks.

Built in:

- ``generic`` – long (date and time or a timestamp, sensor, in, out, optional status) or wide
  (a timestamp and an in/out column pair per sensor), with Danish or English column names;
- ``axis`` – an Axis-style interval export: a preamble with the device's serial number and name,
  then "Interval start", "Interval end", "In", "Out" with ISO times and a UTC offset;
- ``hella`` – a Hella-style export: "record_id", "timestamp", "period", "status" and a
  ``<count line>_SUM_IN``/``_SUM_OUT`` pair per count line. The timestamp marks the *end* of
  the period (a row stamped 00:00 belongs to the day before), and a status other than 0 means
  the sensor was covered or blinded: the interval is suspect.

A user's own mapping (``CounterFormat``) names the columns of her format.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import chain, islice

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bibliotal.core.imports import (
    DateOutOfRange,
    ImportRejected,
    RowError,
    missing_columns,
    parse_date,
    plausible_date,
)

TIMESTAMP = ("tidspunkt", "timestamp", "datetime", "dato og tid", "time stamp")
DATE = ("dato", "date", "dag", "day")
TIME = ("tid", "klokkeslæt", "klokkeslaet", "time", "kl", "interval")
SENSOR = ("sensor", "tæller", "taeller", "gate", "counter", "device", "enhed")
IN = ("ind", "in", "ind_antal", "count in", "entries", "indgående")
OUT = ("ud", "out", "ud_antal", "count out", "exits", "udgående")
STATUS = ("status", "kvalitet", "quality")
OK_STATUS = frozenset({"", "ok", "0", "valid", "gyldig"})
HEADER_SEARCH = 50  # rows looked through for a header below a preamble
MAX_PERIOD_SECONDS = 31 * 24 * 3600  # a Hella period of more than a month is no period

Reading = tuple[str, datetime, datetime | None, str, str, bool]


class CellProblem(ValueError):
    def __init__(self, column: str, value: str, message: str):
        super().__init__(message)
        self.column, self.value, self.message = column, value, message


def parse_timestamp(raw: str) -> datetime:
    value = raw.strip()
    try:
        return datetime.fromisoformat(value)  # the machines' way, with or without an offset
    except ValueError:
        pass
    value = value.replace("T", " ")
    for fmt in (
        "%d-%m-%Y %H:%M",
        "%d.%m.%Y %H:%M",
        "%d/%m/%Y %H:%M",
        "%d-%m-%Y %H:%M:%S",
        "%d.%m.%Y %H:%M:%S",
        "%d/%m/%Y %H:%M:%S",
        "%d.%m.%Y %H.%M",
        "%Y-%m-%d %H.%M",
    ):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise ValueError(raw)


def parse_time(raw: str) -> tuple[int, int]:
    value = raw.strip().replace(".", ":")
    if "-" in value:  # "08:00-08:15": the start
        value = value.split("-")[0].strip()
    parsed = datetime.strptime(value[:5], "%H:%M")
    return parsed.hour, parsed.minute


BAD_TIME = gettext_lazy("Not a date and time; write e.g. 07-09-2021 08:15 or 2021-09-07 08:15.")


class Stamps:
    """Timestamps parsed once per distinct text: a file repeats each one for every sensor."""

    def __init__(self):
        self.cache: dict = {}

    def stamp(self, column: str, raw: str) -> datetime:
        found = self.cache.get(raw)
        if found is None:
            try:
                found = self.cache[raw] = plausible_date(parse_timestamp(raw))
            except DateOutOfRange as exc:
                raise CellProblem(column, raw, exc.rule) from None
            except ValueError:
                raise CellProblem(column, raw, str(BAD_TIME)) from None
        return found

    def date_time(self, column: str, day_raw: str, time_raw: str) -> datetime:
        key = (day_raw, time_raw)
        found = self.cache.get(key)
        if found is None:
            try:
                day: date = parse_date(day_raw)
                hour, minute = parse_time(time_raw) if time_raw else (0, 0)
            except DateOutOfRange as exc:
                raise CellProblem(column, day_raw, exc.rule) from None
            except ValueError:
                raise CellProblem(column, f"{day_raw} {time_raw}".strip(), str(BAD_TIME)) from None
            found = self.cache[key] = datetime(day.year, day.month, day.day, hour, minute)
        return found


def _digits(text: str) -> bool:
    """Digits 0–9 only, and few enough to be a count (``str.isdigit`` also takes "²")."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def _find(lowered: list[str], names) -> int | None:
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def _cell(values: list[str], index: int | None) -> str:
    if index is None or index >= len(values):
        return ""
    return values[index].strip()


@dataclass
class Plan:
    """Where a generic file keeps what, for reading it on whole columns
    (``visits.vectorised``): the time (a timestamp, or a date and a time), then either a
    sensor, in, out and status column (long) or an (in, out) pair per sensor (wide)."""

    stamp_at: int | None
    date_at: int | None
    time_at: int | None
    time_column: str
    stamps: Stamps
    sensor_at: int | None = None
    in_at: int | None = None
    out_at: int | None = None
    status_at: int | None = None
    pairs: list[tuple[str, int, int | None]] = field(default_factory=list)


def columns(rows: Callable, *, sensor: str, time: str, count_in: str, count_out: str, **wide):
    """Tell a row function's reader which columns to name in an error message.

    ``wide`` maps a sensor of a wide file to its own (in, out) columns."""
    rows.columns = {"sensor": sensor, "time": time, "in": count_in, "out": count_out}
    rows.wide = wide.get("pairs", {})
    return rows


class Format:
    """A way of reading counter files. ``bind`` returns the row function for a found header."""

    name = ""
    label = ""
    required = ""

    def is_header(self, lowered: list[str]) -> bool:
        raise NotImplementedError

    def bind(
        self, header: list[str], preamble: list[list[str]], filename: str
    ) -> Callable[[list[str]], list[Reading]]:
        raise NotImplementedError

    def description(self) -> str:
        return str(self.label)


WIDE = re.compile(r"^(?P<sensor>.+?)[\s_\-:]+(?P<way>ind|ud|in|out)$", re.IGNORECASE)


def wide_pairs(header: list[str]) -> dict[str, dict[str, int]]:
    """Sensors named in a wide header: {"Hovedindgang": {"in": index, "out": index}}, with the
    sensor's name as the file writes it."""
    pairs: dict[str, dict[str, int]] = {}
    for index, column in enumerate(header):
        match = WIDE.match(column.strip())
        if not match:
            continue
        way = "in" if match["way"].lower() in {"ind", "in"} else "out"
        pairs.setdefault(match["sensor"].strip(), {})[way] = index
    return {sensor: ways for sensor, ways in pairs.items() if "in" in ways}


class Generic(Format):
    name = "generic"
    required = "dato/tidspunkt, sensor, ind"
    label = gettext_lazy("Generic: long or wide, Danish or English column names")

    def is_header(self, lowered):
        has_time = _find(lowered, TIMESTAMP) is not None or _find(lowered, DATE) is not None
        has_sensor = _find(lowered, SENSOR) is not None and _find(lowered, IN) is not None
        return has_time and (has_sensor or bool(wide_pairs(lowered)))

    def bind(self, header, preamble, filename):
        lowered = [h.strip().lower() for h in header]
        stamp_at, date_at = _find(lowered, TIMESTAMP), _find(lowered, DATE)
        time_at, sensor_at = _find(lowered, TIME), _find(lowered, SENSOR)
        in_at, out_at, status_at = _find(lowered, IN), _find(lowered, OUT), _find(lowered, STATUS)
        missing = []
        if stamp_at is None and date_at is None:
            missing.append("dato/tidspunkt")
        pairs = wide_pairs(header) if sensor_at is None else {}
        if sensor_at is None and not pairs:
            missing.append("sensor")
        if in_at is None and not pairs:
            missing.append("ind")
        if missing:
            raise missing_columns(filename, header, missing)
        stamps = Stamps()
        if stamp_at is not None:
            column = lowered[stamp_at]

            def when(values):
                return stamps.stamp(column, _cell(values, stamp_at))

        else:
            column = lowered[date_at]
            if time_at is not None:
                column = f"{column}/{lowered[time_at]}"

            def when(values):
                return stamps.date_time(column, _cell(values, date_at), _cell(values, time_at))

        if pairs:
            sensors = [(name, ways["in"], ways.get("out")) for name, ways in pairs.items()]

            def wide(values):
                start = when(values)
                return [
                    (name, start, None, _cell(values, i), _cell(values, o), False)
                    for name, i, o in sensors
                ]

            wide.plan = Plan(stamp_at, date_at, time_at, column, stamps, pairs=sensors)
            return columns(
                wide,
                sensor="sensor",
                time=column,
                count_in="ind",
                count_out="ud",
                pairs={
                    name: (header[i], header[o] if o is not None else "") for name, i, o in sensors
                },
            )

        def long(values):
            status = _cell(values, status_at).lower()
            return [
                (
                    _cell(values, sensor_at),
                    when(values),
                    None,
                    _cell(values, in_at),
                    _cell(values, out_at),
                    status not in OK_STATUS,
                )
            ]

        long.plan = Plan(
            stamp_at, date_at, time_at, column, stamps, sensor_at, in_at, out_at, status_at
        )
        return columns(
            long,
            sensor=lowered[sensor_at],
            time=column,
            count_in=lowered[in_at],
            count_out=lowered[out_at] if out_at is not None else "",
        )


class AxisStyle(Format):
    name = "axis"
    required = "Interval start, In, Out"
    label = gettext_lazy("Axis-style interval export (device preamble, interval start and end)")
    SERIAL = ("serial number", "serial", "serienummer", "mac")
    NAME = ("name", "device name", "counter name", "navn")

    def is_header(self, lowered):
        return "interval start" in lowered and ("in" in lowered or "ind" in lowered)

    def bind(self, header, preamble, filename):
        lowered = [h.strip().lower() for h in header]
        about = {
            row[0].strip().lstrip("#").strip().lower(): row[1].strip()
            for row in preamble
            if len(row) >= 2
        }
        start_at, end_at = lowered.index("interval start"), _find(lowered, ("interval end",))
        in_at, out_at = _find(lowered, ("in", "ind")), _find(lowered, ("out", "ud"))
        serial_at, name_at = _find(lowered, self.SERIAL), _find(lowered, self.NAME)
        fixed = next((about[k] for k in self.NAME if about.get(k)), "") or next(
            (about[k] for k in self.SERIAL if about.get(k)), ""
        )
        if not fixed and serial_at is None and name_at is None:
            raise missing_columns(filename, header, ["serial number/name"])
        stamps = Stamps()
        start_column = header[start_at].strip()
        end_column = header[end_at].strip() if end_at is not None else ""

        def rows(values):
            name = _cell(values, name_at) or _cell(values, serial_at) or fixed
            start = stamps.stamp(start_column, _cell(values, start_at))
            end = stamps.stamp(end_column, _cell(values, end_at)) if end_at is not None else None
            return [(name, start, end, _cell(values, in_at), _cell(values, out_at), False)]

        return columns(
            rows,
            sensor=header[name_at or serial_at].strip() if (name_at or serial_at) else fixed,
            time=start_column,
            count_in=header[in_at].strip() if in_at is not None else "In",
            count_out=header[out_at].strip() if out_at is not None else "Out",
        )


HELLA_PAIR = re.compile(r"^(?P<line>.+?)_(?P<kind>sum|adult|child)_(?P<way>in|out)$", re.I)


class HellaStyle(Format):
    name = "hella"
    required = "timestamp, period, <count line>_SUM_IN"
    label = gettext_lazy("Hella-style export (timestamp at the end of each period, status codes)")

    def is_header(self, lowered):
        return "timestamp" in lowered and "period" in lowered and self.lines(lowered)

    @staticmethod
    def lines(header) -> dict[str, dict[str, list[int]]]:
        """Count lines and their in/out columns; with object classification, adults and
        children together are the people who passed (carts and groups are not)."""
        found: dict[str, dict[str, list[int]]] = {}
        for index, column in enumerate(header):
            match = HELLA_PAIR.match(column.strip())
            if match:
                ways = found.setdefault(match["line"], {"in": [], "out": []})
                ways[match["way"].lower()].append(index)
        return found

    def bind(self, header, preamble, filename):
        lowered = [h.strip().lower() for h in header]
        stamp_at, period_at = lowered.index("timestamp"), lowered.index("period")
        status_at = _find(lowered, ("status",))
        lines = self.lines(header)
        stamps = Stamps()
        stamp_column, period_column = header[stamp_at].strip(), header[period_at].strip()

        def total(values, indexes):
            cells = [_cell(values, i) for i in indexes]
            if all(_digits(c) or not c for c in cells):
                return str(sum(int(c) for c in cells if c))
            return next(c for c in cells if c and not _digits(c))  # the importer names it

        def rows(values):
            end = stamps.stamp(stamp_column, _cell(values, stamp_at))
            raw_period = _cell(values, period_at)
            if not _digits(raw_period) or not 0 < int(raw_period) <= MAX_PERIOD_SECONDS:
                raise CellProblem(
                    period_column,
                    raw_period,
                    _(
                        "The period must be a whole number of seconds above 0 and at most "
                        "%(most)s (31 days)."
                    )
                    % {"most": f"{MAX_PERIOD_SECONDS:,}".replace(",", ".")},
                )
            start = end - timedelta(seconds=int(raw_period))
            suspect = _cell(values, status_at) not in OK_STATUS
            return [
                (line, start, end, total(values, ways["in"]), total(values, ways["out"]), suspect)
                for line, ways in lines.items()
            ]

        return columns(
            rows,
            sensor="count line",
            time=stamp_column,
            count_in="_SUM_IN",
            count_out="_SUM_OUT",
            pairs={
                line: (header[ways["in"][0]].strip(), header[ways["out"][0]].strip())
                for line, ways in lines.items()
                if ways["in"] and ways["out"]
            },
        )


class SavedMapping(Format):
    """A user's own format: which column holds what (``visits.CounterFormat``)."""

    def __init__(self, mapping):
        self.mapping = mapping
        self.name = mapping.name
        self.label = mapping.name
        self.required = ", ".join(self.columns())

    def columns(self) -> list[str]:
        m = self.mapping
        named = [m.timestamp_column, m.date_column, m.time_column, m.sensor_column]
        named += [m.in_column, m.out_column, m.status_column]
        return [c.strip().lower() for c in named if c.strip()]

    def is_header(self, lowered):
        return all(column in lowered for column in self.columns())

    def bind(self, header, preamble, filename):
        m = self.mapping
        lowered = [h.strip().lower() for h in header]
        missing = [c for c in self.columns() if c not in lowered]
        if missing:
            raise missing_columns(filename, header, missing)

        def at(column):
            return lowered.index(column.strip().lower()) if column.strip() else None

        stamp_at, date_at, time_at = at(m.timestamp_column), at(m.date_column), at(m.time_column)
        sensor_at, in_at, out_at = at(m.sensor_column), at(m.in_column), at(m.out_column)
        status_at = at(m.status_column)
        ok = {s.strip().lower() for s in m.ok_statuses.split(",")} | {""}
        step = timedelta(minutes=m.interval_minutes) if m.interval_minutes else None
        marks_end = m.timestamp_marks == m.Marks.END
        stamps = Stamps()
        stamp_column = m.timestamp_column or f"{m.date_column}/{m.time_column}".strip("/")

        def rows(values):
            if stamp_at is not None:
                when = stamps.stamp(stamp_column, _cell(values, stamp_at))
            else:
                when = stamps.date_time(
                    stamp_column, _cell(values, date_at), _cell(values, time_at)
                )
            start, end = (when - step, when) if marks_end else (when, when + step if step else None)
            status = _cell(values, status_at).lower()
            return [
                (
                    _cell(values, sensor_at) or m.sensor_name,
                    start,
                    end,
                    _cell(values, in_at),
                    _cell(values, out_at),
                    status_at is not None and status not in ok,
                )
            ]

        return columns(
            rows,
            sensor=m.sensor_column or m.sensor_name,
            time=stamp_column,
            count_in=m.in_column,
            count_out=m.out_column,
        )


PRESETS: dict[str, Format] = {f.name: f for f in (HellaStyle(), AxisStyle(), Generic())}


def formats_for(organisation) -> dict[str, Format]:
    """The built-in presets and the organisation's own mappings, by name."""
    from bibliotal.visits.models import CounterFormat

    found: dict[str, Format] = dict(PRESETS)
    for mapping in CounterFormat.objects.filter(organisation=organisation):
        found.setdefault(mapping.name, SavedMapping(mapping))
    return found


def choose(
    records: Iterator[tuple[int, list[str]]],
    *,
    formats: dict[str, Format],
    preset: str | None,
    filename: str,
) -> tuple[Format, Callable, Iterator[tuple[int, list[str]]]]:
    """Find the header and the format: the named preset, or the first that knows the header.

    Returns (format, row function, the rows after the header).
    """
    head = list(islice(records, HEADER_SEARCH))
    if preset:
        wanted = formats.get(preset) or next(
            (f for name, f in formats.items() if name.lower() == preset.lower()), None
        )
        if wanted is None:
            raise ImportRejected(
                [
                    RowError(
                        filename,
                        0,
                        "--preset",
                        preset,
                        _("No such format; choose one of: %(names)s.")
                        % {"names": ", ".join(formats)},
                    )
                ]
            )
        candidates = [wanted]
    else:
        # The user's own mappings first: she made them for files the presets did not read.
        candidates = [f for f in formats.values() if f.name not in PRESETS] + list(PRESETS.values())
    for index, (_line, values) in enumerate(head):
        lowered = [v.strip().lower() for v in values]
        for candidate in candidates:
            if candidate.is_header(lowered):
                preamble = [v for _n, v in head[:index]]
                rows = candidate.bind(values, preamble, filename)
                return candidate, rows, chain(head[index + 1 :], records)
    # No header found: say which columns are missing, in the named format's terms.
    header = head[0][1] if head else []
    named = candidates[0] if preset else PRESETS["generic"]
    if isinstance(named, Generic | SavedMapping):
        named.bind(header, [], filename)  # raises, naming the missing columns
    raise missing_columns(filename, header, [named.required])
