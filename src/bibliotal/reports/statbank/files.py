"""Reading a Statbank CSV file, in the API's layout or the website's (see the package's notes)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from bibliotal.core.imports import (
    ImportRejected,
    OutOfRange,
    RowError,
    bounded,
    csv_rejected,
    decode,
    limit_errors,
    nul_rejected,
    parse_number,
)
from bibliotal.reports import municipalities

TABLES = ("BIB2B", "IBIB2", "FOLK1A")
POINT_IN_TIME = {"FOLK1A"}  # a quarter's figure is a count on its first day
MEASURE_SEPARATOR = " | "

AREA_COLUMNS = ("OMRÅDE", "OMRAADE", "AREA", "REGION", "KOMMUNE", "KOMK")
TIME_COLUMNS = ("TID", "TIME", "PERIODE")
VALUE_COLUMNS = ("INDHOLD", "CONTENT", "VALUE", "VÆRDI")
# Danmarks Statistik's signs: ".." not available or confidential, "." not applicable (and "…",
# "x" or an empty cell): no figure is published. "-" is nil, 0.
NO_FIGURE = {"..", "", ".", "…", "x"}
NIL = {"-", "–"}
PERIOD = re.compile(r"^(\d{4})(?:([KQM])(\d{1,2}))?$", re.IGNORECASE)
PARTS = {"K": 4, "Q": 4, "M": 12}
PERSONS = re.compile(r"\blånere\b|\bborrowers\b|\bbrugere\b|\busers\b", re.IGNORECASE)
# The ceilings of a published figure, the same on SQLite and PostgreSQL: no Danish municipality
# (nor the country) has more than ten million inhabitants, and no library figure of Danmarks
# Statistik's (loans, visitors, events) reaches a billion.
MAX_POPULATION = 10_000_000
MAX_FIGURE = 1_000_000_000
CEILINGS = {"FOLK1A": MAX_POPULATION}
MAX_MEASURE = 300  # StatbankFigure.measure: the table's other variables, joined
TABLE_NAME = re.compile(r"(?<![A-Z0-9])(" + "|".join(TABLES) + r")(?![A-Z0-9])", re.IGNORECASE)


# --- -------------------------------------------------------------------------


@dataclass
class Published:
    """One figure of a file, for one period, before periods become years."""

    line: int
    area_code: str
    area_name: str
    period: str
    dimensions: dict[str, str]
    value: Decimal | None

    @property
    def measure(self) -> str:
        # Sorted, so the same figure is the same measure whatever the column order of the file.
        return MEASURE_SEPARATOR.join(sorted(self.dimensions.values()))


@dataclass
class Figure:
    """One year's figure, as it is kept."""

    table: str
    area_code: str
    area_name: str
    year: int
    measure: str
    dimensions: dict[str, str]
    period: str
    value: Decimal | None

    @property
    def key(self) -> tuple:
        return (self.table, self.area_code, self.year, self.measure)


@dataclass
class Parsed:
    table: str
    figures: list[Figure]
    notes: list[str] = field(default_factory=list)  # what was left out, for a person
    unknown_areas: list[str] = field(default_factory=list)


def _records(text: str, filename: str = "") -> list[tuple[int, list[str]]]:
    sample = "\n".join(text.splitlines()[:30])
    delimiter = ";" if sample.count(";") >= max(sample.count(","), sample.count("\t")) else None
    if delimiter is None:
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records, last = [], 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return records
        except csv.Error as exc:  # a cell over 128 KiB, a NUL byte
            raise csv_rejected(filename, last + 1, exc) from exc
        cells = [unicodedata.normalize("NFC", value).strip() for value in values]
        for column, value in enumerate(cells, start=1):
            if "\x00" in value:
                raise nul_rejected(filename, last + 1, str(column), value)
        if any(cells):
            records.append((last + 1, cells))
        last = reader.line_num


def which_table(filename: str, text: str, *, table: str | None = None) -> str | None:
    if table:
        return table.upper()
    for where in (filename, "\n".join(text.splitlines()[:5])):
        found = TABLE_NAME.search(where or "")
        if found:
            return found.group(1).upper()
    return None


def _period(raw: str) -> tuple[int, str | None, int] | None:
    found = PERIOD.match(raw.strip())
    if not found:
        return None
    year, kind, index = found.groups()
    if kind is None:
        return int(year), None, 0
    kind = kind.upper()
    index = int(index)
    if not 1 <= index <= PARTS[kind]:
        return None
    return int(year), kind, index


def _value(raw: str) -> Decimal:
    return parse_number(raw)


def _find(header: list[str], names) -> int | None:
    upper = [cell.upper() for cell in header]
    for name in names:
        if name in upper:
            return upper.index(name)
    return None


def _long_rows(filename, records, start, errors, unknown, ceiling) -> list[Published]:
    """The API's layout: a header of variable names, then one figure per row."""
    header = records[start][1]
    area = _find(header, AREA_COLUMNS)
    time = _find(header, TIME_COLUMNS)
    value = _find(header, VALUE_COLUMNS)
    body = records[start + 1 :]
    if area is None:  # the column whose values are all areas
        for index in range(len(header)):
            if (
                index not in (time, value)
                and body
                and all(
                    index < len(cells) and municipalities.area_code(cells[index])
                    for _line, cells in body[:20]
                )
            ):
                area = index
                break
    if area is None:
        errors.append(
            RowError(
                filename,
                records[start][0],
                "OMRÅDE",
                ";".join(header),
                _("The header names no area column (OMRÅDE)."),
            )
        )
        return []
    others = [i for i in range(len(header)) if i not in (area, time, value)]
    rows = []
    for line, cells in body:
        cells = cells + [""] * (len(header) - len(cells))
        raw_period, raw_value, raw_area = cells[time], cells[value], cells[area]
        if _period(raw_period) is None:
            errors.append(
                RowError(
                    filename,
                    line,
                    header[time],
                    raw_period,
                    _("A period is a year (2021), a quarter (2021K1) or a month (2021M01)."),
                )
            )
            continue
        number = _number(filename, line, header[value], raw_value, errors, ceiling)
        if number is False:
            continue
        code = municipalities.area_code(raw_area)
        if code is None:
            unknown.append(raw_area)
            continue
        rows.append(
            Published(
                line,
                code,
                raw_area if not raw_area[:3].isdigit() else municipalities.area_name(code),
                raw_period.upper(),
                {header[i]: cells[i] for i in others},
                number,
            )
        )
    return rows


def _number(filename, line, column, raw, errors, ceiling=MAX_FIGURE):
    """The figure, None when Danmarks Statistik publishes none (".." and the like), 0 for its
    sign of nil ("-"), False after an error (a figure above ``ceiling`` is one)."""
    if raw.strip() in NO_FIGURE:
        return None
    if raw.strip() in NIL:
        return Decimal(0)
    try:
        number = bounded(_value(raw), ceiling, floor=-(10**18), what=_("a published figure"))
    except OutOfRange as exc:
        errors.append(RowError(filename, line, column, raw[:40], capfirst(exc.rule) + "."))
        return False
    except ValueError:
        errors.append(
            RowError(
                filename,
                line,
                column,
                raw,
                _("A figure is a number, or .. where Danmarks Statistik publishes none."),
            )
        )
        return False
    if number < 0:
        errors.append(
            RowError(filename, line, column, raw, _("A published figure is never negative."))
        )
        return False
    return number


def _wide_header(records) -> tuple[int, int] | None:
    """(index of the header record, first period column) of the website's layout."""
    for position, (_line, cells) in enumerate(records[:15]):
        periods = [i for i, cell in enumerate(cells) if _period(cell)]
        if not periods:
            continue
        first = periods[0]
        if first > 0 and all(_period(cell) for cell in cells[first:] if cell):
            return position, first
    return None


def _wide_rows(filename, records, start, first, errors, unknown, ceiling) -> list[Published]:
    """The website's layout: variable values in the first columns, one column per period."""
    header = records[start][1]
    periods = [(i, header[i].upper()) for i in range(first, len(header)) if header[i]]
    names = [header[i] or f"column {i + 1}" for i in range(first)]
    carried = [""] * first
    body = records[start + 1 :]
    stub = []
    for line, cells in body:
        cells = cells + [""] * (len(header) - len(cells))
        labels = []
        for i in range(first):
            if cells[i]:
                carried[i] = cells[i]
                carried[i + 1 :] = [""] * (first - i - 1)
            labels.append(carried[i])
        # A row without figures is an area's figures, none of them published, when it names an
        # area and every variable; anything else (a note such as "Kilde: …", a heading) is
        # skipped, and the rows after it are read.
        if not any(cells[first:]) and not (
            all(labels) and any(municipalities.area_code(label) for label in labels)
        ):
            continue
        stub.append((line, labels, cells))
    if not stub:
        return []
    # The area column: the one whose values are all areas.
    area = next(
        (
            i
            for i in range(first)
            if all(municipalities.area_code(labels[i]) for _l, labels, _c in stub)
        ),
        None,
    )
    if area is None:
        area = next(
            (
                i
                for i in range(first)
                if any(municipalities.area_code(lb[i]) for _l, lb, _c in stub)
            ),
            None,
        )
    if area is None:
        errors.append(
            RowError(
                filename,
                stub[0][0],
                names[0] if names else "–",
                stub[0][1][0] if stub[0][1] else "",
                _("No column names the municipalities or the whole country."),
            )
        )
        return []
    rows = []
    for line, labels, cells in stub:
        code = municipalities.area_code(labels[area])
        if code is None:
            unknown.append(labels[area])
            continue
        dimensions = {names[i]: labels[i] for i in range(first) if i != area}
        for column, period in periods:
            number = _number(filename, line, period, cells[column], errors, ceiling)
            if number is False:
                continue
            rows.append(
                Published(
                    line,
                    code,
                    labels[area]
                    if not labels[area][:3].isdigit()
                    else municipalities.area_name(code),
                    period,
                    dict(dimensions),
                    number,
                )
            )
    return rows


def parse_statbank(data: bytes, *, filename: str, table: str | None = None) -> Parsed:
    """Every figure of a Statbank CSV file, by year; ``ImportRejected`` names each problem."""
    text, _encoding = decode(data)
    text = text.lstrip("\ufeff")
    table = which_table(filename, text, table=table)
    if table not in TABLES:
        raise ImportRejected(
            [
                RowError(
                    filename,
                    1,
                    "–",
                    table or filename,
                    _(
                        "Cannot tell which Statbank table the file holds: name the table "
                        "(%(tables)s) in the file name or choose it."
                    )
                    % {"tables": ", ".join(TABLES)},
                )
            ]
        )
    records = _records(text, filename)
    ceiling = CEILINGS.get(table, MAX_FIGURE)
    errors: list[RowError] = []
    unknown: list[str] = []
    header = next(
        (
            position
            for position, (_line, cells) in enumerate(records[:15])
            if _find(cells, TIME_COLUMNS) is not None and _find(cells, VALUE_COLUMNS) is not None
        ),
        None,
    )
    if header is not None:
        rows = _long_rows(filename, records, header, errors, unknown, ceiling)
    else:
        wide = _wide_header(records)
        if wide is None:
            first_line = records[0][1] if records else []
            raise ImportRejected(
                [
                    RowError(
                        filename,
                        records[0][0] if records else 1,
                        "–",
                        ";".join(first_line)[:120],
                        _(
                            "This is not a Statbank table: there is no header with TID and "
                            "INDHOLD, and no row of years."
                        ),
                    )
                ]
            )
        rows = _wide_rows(filename, records, wide[0], wide[1], errors, unknown, ceiling)
    seen: dict[tuple, Published] = {}
    for row in rows:
        if len(row.measure) > MAX_MEASURE:
            errors.append(
                RowError(
                    filename,
                    row.line,
                    "–",
                    row.measure[:60],
                    _("The table's variables are longer than %(n)d characters together.")
                    % {"n": MAX_MEASURE},
                )
            )
            continue
        key = (row.area_code, row.period, row.measure)
        if key in seen and seen[key].value != row.value:
            errors.append(
                RowError(
                    filename,
                    row.line,
                    "TID",
                    row.period,
                    _("The same area, period and measure has another figure on line %(line)d.")
                    % {"line": seen[key].line},
                )
            )
        seen.setdefault(key, row)
    if errors:
        raise ImportRejected(limit_errors(errors, filename))
    if not seen:
        raise ImportRejected(
            [
                RowError(
                    filename,
                    records[-1][0] if records else 1,
                    "OMRÅDE",
                    ", ".join(dict.fromkeys(unknown))[:120],
                    _("The file holds no figures for the whole country or a municipality."),
                )
            ]
        )
    figures, notes = _years(table, list(seen.values()))
    return Parsed(table, figures, notes, list(dict.fromkeys(unknown)))


def _years(table: str, rows: list[Published]) -> tuple[list[Figure], list[str]]:
    grouped: dict[tuple, dict[int, dict]] = defaultdict(lambda: defaultdict(dict))
    first: dict[tuple, Published] = {}
    for row in rows:
        year, kind, index = _period(row.period)
        key = (row.area_code, row.measure)
        first.setdefault(key, row)
        grouped[key][year][(kind, index)] = row
    figures, incomplete, persons = [], set(), set()
    for key, years in grouped.items():
        sample = first[key]
        for year, parts in sorted(years.items()):
            figure = _year_figure(table, sample, year, parts, incomplete, persons)
            if figure is not None:
                figures.append(figure)
    notes = []
    by_year = defaultdict(list)
    for year, name in sorted(incomplete):
        by_year[year].append(name)
    for year, names in by_year.items():
        notes.append(
            _(
                "%(year)d: the file does not hold every quarter or month for %(areas)s, so there "
                "is no year figure (a year needs all its quarters in one file)."
            )
            % {"year": year, "areas": ", ".join(names)}
        )
    if persons:
        notes.append(
            _(
                "Counts of persons (%(words)s) are published per quarter and are never added up "
                "to a year: they are left out."
            )
            % {"words": ", ".join(sorted(persons))}
        )
    return figures, list(dict.fromkeys(notes))


def _year_figure(table, sample, year, parts, incomplete, persons) -> Figure | None:
    def make(period, value):
        return Figure(
            table,
            sample.area_code,
            sample.area_name,
            year,
            sample.measure,
            sample.dimensions,
            period,
            value,
        )

    if (None, 0) in parts:
        return make(parts[(None, 0)].period, parts[(None, 0)].value)
    kind = next(iter(parts))[0]
    if table in POINT_IN_TIME:
        row = parts.get((kind, 1))
        return make(row.period, row.value) if row else None
    if found := PERSONS.search(sample.measure):
        persons.add(found.group(0))
        return None
    wanted = [(kind, index) for index in range(1, PARTS[kind] + 1)]
    if any(part not in parts for part in wanted):
        incomplete.add((year, sample.area_name))
        return None
    values = [parts[part].value for part in wanted]
    total = None if any(v is None for v in values) else sum(values, Decimal(0))
    return make(f"{parts[wanted[0]].period}–{parts[wanted[-1]].period}", total)
